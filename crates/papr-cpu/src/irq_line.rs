//! The external-interrupt input of a processor thread.
//!
//! An interrupt presenter (XICS ICP or XIVE thread context, in `papr-hv`) raises and lowers it;
//! the processor polls it at instruction boundaries and takes the external interrupt (vector
//! 0x500) when it is raised and MSR\[EE] = 1.

use std::sync::atomic::{AtomicBool, Ordering};

/// A level-sensitive external-interrupt line.
#[derive(Debug, Default)]
pub struct InterruptLine {
    raised: AtomicBool,
}

impl InterruptLine {
    /// A lowered line.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asserts the line.
    #[inline]
    pub fn raise(&self) {
        self.raised.store(true, Ordering::Release);
    }

    /// Deasserts the line.
    #[inline]
    pub fn lower(&self) {
        self.raised.store(false, Ordering::Release);
    }

    /// Sets the line to `level`.
    #[inline]
    pub fn set(&self, level: bool) {
        self.raised.store(level, Ordering::Release);
    }

    /// Whether the line is asserted.
    #[inline]
    pub fn is_raised(&self) -> bool {
        self.raised.load(Ordering::Acquire)
    }
}
