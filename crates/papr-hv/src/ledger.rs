//! The allocation ledger: every byte the hypervisor holds for one VM, by kind.
//!
//! The ledger is derived from the types that own memory, not kept by hand: an owner embeds a
//! [`Charge`] sized from its own allocation, and the charge leaves the ledger when the owner is
//! dropped. Nothing else ever decrements it, so a leaked owner (an `Arc` cycle, a forgotten
//! table) stays visible as a non-zero line. Tests cross-check the totals against a counting
//! global allocator.

use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// What a charge pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// HPT memory taken from the VM's reserved contiguous pool (the KVM CMA area analogue).
    HptReserved,
    /// HPT memory taken from general host memory.
    HptGeneral,
    /// The HPT's reverse map and modification tracking (one entry per HPTE).
    RevMap,
    /// Interrupt-controller device state (sources, presenters, ends, per-open state).
    DeviceState,
    /// Guest pages registered as interrupt event queues (guest RAM: counted, not allocated).
    QueuePages,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 5] = [
        Kind::HptReserved,
        Kind::HptGeneral,
        Kind::RevMap,
        Kind::DeviceState,
        Kind::QueuePages,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// Whether the bytes come out of host general memory (and so count against the VM's cap).
    pub fn is_general_memory(self) -> bool {
        matches!(self, Kind::HptGeneral | Kind::RevMap | Kind::DeviceState)
    }

    /// Short name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::HptReserved => "hpt-reserved",
            Kind::HptGeneral => "hpt-general",
            Kind::RevMap => "revmap",
            Kind::DeviceState => "device-state",
            Kind::QueuePages => "queue-pages",
        }
    }
}

#[derive(Debug, Default)]
struct Totals {
    bytes: [AtomicU64; 5],
    objects: [AtomicI64; 5],
}

/// The ledger of one VM. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    totals: Arc<Totals>,
}

/// A snapshot of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LedgerReport {
    /// Bytes held, indexed like [`Kind::ALL`].
    pub bytes: [u64; 5],
    /// Live owners, indexed like [`Kind::ALL`].
    pub objects: [i64; 5],
}

impl LedgerReport {
    /// Bytes held for `kind`.
    pub fn bytes(&self, kind: Kind) -> u64 {
        self.bytes[kind.index()]
    }

    /// Live owners of `kind`.
    pub fn objects(&self, kind: Kind) -> i64 {
        self.objects[kind.index()]
    }

    /// Bytes held from host general memory.
    pub fn general_bytes(&self) -> u64 {
        Kind::ALL
            .iter()
            .filter(|k| k.is_general_memory())
            .map(|&k| self.bytes(k))
            .sum()
    }

    /// Bytes held in all.
    pub fn total_bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }
}

impl fmt::Display for LedgerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, kind) in Kind::ALL.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(
                f,
                "{} {} B in {}",
                kind.name(),
                self.bytes[i],
                self.objects[i]
            )?;
        }
        Ok(())
    }
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current totals.
    pub fn report(&self) -> LedgerReport {
        let mut r = LedgerReport::default();
        for i in 0..Kind::ALL.len() {
            r.bytes[i] = self.totals.bytes[i].load(Ordering::Acquire);
            r.objects[i] = self.totals.objects[i].load(Ordering::Acquire);
        }
        r
    }

    /// Records that a new owner holds `bytes` of `kind`; the returned charge must live inside
    /// that owner.
    pub fn charge(&self, kind: Kind, bytes: u64) -> Charge {
        self.totals.bytes[kind.index()].fetch_add(bytes, Ordering::AcqRel);
        self.totals.objects[kind.index()].fetch_add(1, Ordering::AcqRel);
        Charge {
            totals: Arc::clone(&self.totals),
            kind,
            bytes,
        }
    }
}

/// Proof that an owner holds `bytes` of some kind; leaves the ledger when dropped.
#[derive(Debug)]
pub struct Charge {
    totals: Arc<Totals>,
    kind: Kind,
    bytes: u64,
}

impl Charge {
    /// Bytes this charge accounts for.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// What it pays for.
    pub fn kind(&self) -> Kind {
        self.kind
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        let i = self.kind.index();
        self.totals.bytes[i].fetch_sub(self.bytes, Ordering::AcqRel);
        self.totals.objects[i].fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_leave_with_their_owner() {
        let ledger = Ledger::new();
        let a = ledger.charge(Kind::HptGeneral, 1 << 20);
        let b = ledger.charge(Kind::RevMap, 4096);
        let r = ledger.report();
        assert_eq!(r.bytes(Kind::HptGeneral), 1 << 20);
        assert_eq!(r.general_bytes(), (1 << 20) + 4096);
        assert_eq!(r.objects(Kind::RevMap), 1);
        drop(a);
        drop(b);
        assert_eq!(ledger.report(), LedgerReport::default());
    }
}
