//! The lock that serialises the hypervisor's HPT state.
//!
//! Every HPT hcall takes it, so its cost is the cost of an hcall. A `std`/`parking_lot` mutex
//! pays two locked read-modify-write instructions per critical section (acquire, and a release
//! that must check for sleeping waiters). This lock pays one: it is acquired with an atomic swap
//! and released with a plain release store. Waiters spin briefly, then yield the host CPU, so a
//! long critical section (a resize commit of a large table, an allocation) does not burn another
//! vCPU's thread. Critical sections never block inside.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

/// A spin-then-yield mutual-exclusion lock.
#[derive(Default)]
pub struct HvLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` is serialised by `locked` (acquire on lock, release on unlock), the
// same contract as `std::sync::Mutex`.
unsafe impl<T: Send> Sync for HvLock<T> {}
// SAFETY: moving the lock moves the value; no thread-affine state.
unsafe impl<T: Send> Send for HvLock<T> {}

impl<T: std::fmt::Debug> std::fmt::Debug for HvLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HvLock")
            .field("locked", &self.locked.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T> HvLock<T> {
    /// A lock around `value`.
    pub fn new(value: T) -> Self {
        HvLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Acquires the lock.
    #[inline]
    pub fn lock(&self) -> HvLockGuard<'_, T> {
        if self.locked.swap(true, Ordering::Acquire) {
            self.lock_slow();
        }
        HvLockGuard { lock: self }
    }

    #[cold]
    fn lock_slow(&self) {
        let mut spins = 0u32;
        loop {
            while self.locked.load(Ordering::Relaxed) {
                if spins < 64 {
                    spins += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            if !self.locked.swap(true, Ordering::Acquire) {
                return;
            }
        }
    }

    /// Mutable access without locking (the caller has `&mut self`).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

/// Proof of holding an [`HvLock`].
pub struct HvLockGuard<'a, T> {
    lock: &'a HvLock<T>,
}

impl<T> Deref for HvLockGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard proves exclusive access.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for HvLockGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard proves exclusive access.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for HvLockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn excludes_across_threads() {
        let lock = Arc::new(HvLock::new(0u64));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = Arc::clone(&lock);
                std::thread::spawn(move || {
                    for _ in 0..100_000 {
                        *lock.lock() += 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*lock.lock(), 400_000);
    }
}
