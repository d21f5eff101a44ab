//! The reservation monitor shared by the threads of a partition (Power ISA 3.0B Book II 4.4.2,
//! "Atomic Update Primitives Using lwarx and stwcx.").
//!
//! A thread's reservation is lost when *any* thread stores into its reservation granule
//! (128 bytes on POWER9), whatever the value stored. Each thread's own stores are checked by
//! its interpreter; this monitor carries the other direction: every thread publishes the
//! granule it holds in its slot, and a store by one thread clears the slots of the others
//! whose granule it touches, so their next `stcx.` fails. A same-value store (the "ABA" case a
//! comparison of the reserved bytes cannot see) kills the reservation too.
//!
//! Cost: one relaxed load per store while no thread of the partition holds a reservation; a
//! scan of the slots while one does (Linux holds them for a handful of instructions).
//!
//! Exactness: papr runs a partition's vCPUs one at a time, so a store and the slot updates it
//! makes are never interleaved with another thread's larx or stcx., and the monitor is exact.
//! The atomics keep it memory-safe and orderly should threads ever run concurrently.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::RESERVATION_GRANULE;

/// Slot value bit: a reservation is held (granules are 128-byte aligned, so bit 0 is free).
const HELD: u64 = 1;

/// The reservations of every thread of one partition.
#[derive(Debug)]
pub struct ReservationMonitor {
    /// Per thread: the reserved granule's real address | [`HELD`], or 0.
    slots: Box<[AtomicU64]>,
    /// How many slots are non-zero.
    held: AtomicUsize,
}

/// One thread's place in a [`ReservationMonitor`] (see [`crate::Interpreter::set_monitor`]).
#[derive(Debug, Clone)]
pub struct MonitorSlot {
    monitor: Arc<ReservationMonitor>,
    index: usize,
}

impl ReservationMonitor {
    /// A monitor for `threads` threads, none holding a reservation.
    pub fn new(threads: usize) -> Arc<Self> {
        Arc::new(ReservationMonitor {
            slots: (0..threads).map(|_| AtomicU64::new(0)).collect(),
            held: AtomicUsize::new(0),
        })
    }

    /// Number of threads.
    pub fn threads(&self) -> usize {
        self.slots.len()
    }

    /// Thread `index`'s slot; `None` past the last thread.
    pub fn slot(self: &Arc<Self>, index: usize) -> Option<MonitorSlot> {
        (index < self.slots.len()).then(|| MonitorSlot {
            monitor: Arc::clone(self),
            index,
        })
    }

    /// Whether thread `index` holds a reservation on the granule of `real`.
    pub fn holds(&self, index: usize, real: u64) -> bool {
        self.slots
            .get(index)
            .is_some_and(|s| s.load(Ordering::Acquire) == granule(real) | HELD)
    }

    /// A store of `len` bytes at `real` by someone who is not a thread of the partition (the
    /// platform, a device): every reservation on the granules it touches is lost.
    pub fn platform_store(&self, real: u64, len: u64) {
        self.clear_others(usize::MAX, real, len);
    }

    /// Clears every slot but `me` whose granule `real..real + len` touches.
    fn clear_others(&self, me: usize, real: u64, len: u64) {
        if self.held.load(Ordering::Acquire) == 0 {
            return;
        }
        for (k, s) in self.slots.iter().enumerate() {
            if k == me {
                continue;
            }
            let v = s.load(Ordering::Acquire);
            if v & HELD == 0 {
                continue;
            }
            let g = v & !HELD;
            let touches =
                real < g.saturating_add(RESERVATION_GRANULE) && real.saturating_add(len) > g;
            if touches
                && s.compare_exchange(v, 0, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                self.held.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }
}

impl MonitorSlot {
    /// The thread's index in its monitor.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The monitor.
    pub fn monitor(&self) -> &Arc<ReservationMonitor> {
        &self.monitor
    }

    /// larx: this thread now holds the granule of `real` (replacing any other).
    pub(crate) fn reserve(&self, real: u64) {
        let old = self.monitor.slots[self.index].swap(granule(real) | HELD, Ordering::AcqRel);
        if old == 0 {
            self.monitor.held.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// stcx., or a store by this thread into its own granule: the reservation is gone.
    pub(crate) fn release(&self) {
        if self.monitor.slots[self.index].swap(0, Ordering::AcqRel) != 0 {
            self.monitor.held.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Whether this thread still holds the granule of `real` (no other thread stored into it).
    pub(crate) fn holds(&self, real: u64) -> bool {
        self.monitor.holds(self.index, real)
    }

    /// A store of `len` bytes at `real` by this thread: the other threads' reservations on
    /// the granules it touches are lost. One relaxed load when nobody holds a reservation.
    #[inline(always)]
    pub(crate) fn store(&self, real: u64, len: u64) {
        if self.monitor.held.load(Ordering::Relaxed) != 0 {
            self.monitor.clear_others(self.index, real, len);
        }
    }
}

/// The reservation granule holding `real`.
fn granule(real: u64) -> u64 {
    real & !(RESERVATION_GRANULE - 1)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_store_by_another_thread_clears_the_reservation() {
        let m = ReservationMonitor::new(3);
        let (a, b, c) = (m.slot(0).unwrap(), m.slot(1).unwrap(), m.slot(2).unwrap());
        assert!(m.slot(3).is_none());
        a.reserve(0x1008);
        c.reserve(0x2000);
        // Outside both granules: nothing lost.
        b.store(0x1080, 8);
        b.store(0x0ff8, 8);
        assert!(a.holds(0x1000) && c.holds(0x207f));
        // The last byte of the store reaches A's granule.
        b.store(0x0ffc, 8);
        assert!(!a.holds(0x1008));
        assert!(c.holds(0x2000));
        // A thread's own store does not clear its own slot through the monitor.
        c.store(0x2000, 1);
        assert!(c.holds(0x2000));
        m.platform_store(0x2040, 4);
        assert!(!c.holds(0x2000));
        assert_eq!(m.held.load(Ordering::Relaxed), 0);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Reserve(usize, u64),
        Release(usize),
        Store(usize, u64, u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..4, 0u64..1024).prop_map(|(t, a)| Op::Reserve(t, a)),
            (0usize..4).prop_map(Op::Release),
            (0usize..5, 0u64..1024, 1u64..130).prop_map(|(t, a, n)| Op::Store(t, a, n)),
        ]
    }

    proptest! {
        /// Against a model that keeps each thread's reserved granule and clears it on any
        /// overlapping store by another thread (thread 4 = the platform).
        #[test]
        fn matches_the_reference_model(ops in proptest::collection::vec(op(), 1..80)) {
            let m = ReservationMonitor::new(4);
            let slots: Vec<_> = (0..4).map(|k| m.slot(k).unwrap()).collect();
            let mut model: [Option<u64>; 4] = [None; 4];
            for o in ops {
                match o {
                    Op::Reserve(t, a) => {
                        slots[t].reserve(a);
                        model[t] = Some(a / 128 * 128);
                    }
                    Op::Release(t) => {
                        slots[t].release();
                        model[t] = None;
                    }
                    Op::Store(t, a, n) => {
                        if t == 4 {
                            m.platform_store(a, n);
                        } else {
                            slots[t].store(a, n);
                        }
                        for (k, r) in model.iter_mut().enumerate() {
                            if k != t && r.is_some_and(|g| a < g + 128 && a + n > g) {
                                *r = None;
                            }
                        }
                    }
                }
                for (k, r) in model.iter().enumerate() {
                    for g in (0..1152u64).step_by(128) {
                        prop_assert_eq!(slots[k].holds(g), *r == Some(g));
                    }
                }
                let held = model.iter().filter(|r| r.is_some()).count();
                prop_assert_eq!(m.held.load(Ordering::Relaxed), held);
            }
        }
    }
}
