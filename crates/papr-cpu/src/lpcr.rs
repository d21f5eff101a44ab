//! The Logical Partitioning Control Register as the platform controls it.
//!
//! Power ISA 3.0B, Book III 2.2 ("Logical Partitioning Control Register"). LPCR is a
//! hypervisor resource: a pseries guest never reads or writes it (mtspr/mfspr 318 from the
//! guest is a privileged-instruction program interrupt, see [`crate::spr`]). The guest gets
//! the effects it needs through the platform: H_SET_MODE resource 3 sets AIL and resource 4
//! sets ILE (linux-pseries-boot.md 7.2). LPES and LD are platform constants.
//!
//! Only the fields papr gives a meaning are modelled; [`Lpcr::value`] builds the architected
//! image for migration and debugging.

use crate::bits::{ibm_bit, ibm_mask};

/// LPCR\[AIL], bits 39:40: alternate interrupt location.
pub const AIL_MASK: u64 = ibm_mask(39, 40);
/// Shift of AIL.
pub const AIL_SHIFT: u32 = 63 - 40;
/// LPCR\[ILE], bit 38: interrupts are taken in little-endian mode.
pub const ILE: u64 = ibm_bit(38);
/// LPCR\[LD], bit 46: large decrementer mode.
pub const LD: u64 = ibm_bit(46);
/// LPCR\[LPES], bit 60: external interrupts go to the OS (1) rather than the hypervisor.
pub const LPES: u64 = ibm_bit(60);

/// The alternate interrupt locations papr offers. The ISA also defines AIL = 2 (offset
/// 0x18000), which POWER9 does not implement for the OS and H_SET_MODE refuses, and AIL = 1,
/// which is reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ail {
    /// Interrupts are taken in real mode at their architected vector.
    #[default]
    None,
    /// AIL = 3: with MSR\[IR] = MSR\[DR] = 1 at the time of the interrupt, interrupts are
    /// taken with relocation on at 0xc000_0000_0000_4000 + vector.
    Relocated,
}

impl Ail {
    /// From the 2-bit field value, or `None` for the values papr does not offer (1 and 2).
    pub const fn from_field(value: u64) -> Option<Ail> {
        match value {
            0 => Some(Ail::None),
            3 => Some(Ail::Relocated),
            _ => None,
        }
    }

    /// The field value.
    pub const fn field(self) -> u64 {
        match self {
            Ail::None => 0,
            Ail::Relocated => 3,
        }
    }
}

/// The platform-controlled LPCR of one vCPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lpcr {
    /// Alternate interrupt location (H_SET_MODE resource 3).
    pub ail: Ail,
    /// Interrupt little-endian (H_SET_MODE resource 4).
    pub ile: bool,
    /// External interrupts are directed to the OS. Always true for papr (the hypervisor
    /// emulates the interrupt controller and presents interrupts straight to the guest).
    pub lpes: bool,
    /// Large decrementer enabled (advertised to the guest as `ibm,dec-bits`).
    pub ld: bool,
}

impl Default for Lpcr {
    fn default() -> Self {
        Self::reset()
    }
}

impl Lpcr {
    /// The value at vCPU reset, as QEMU's pseries machine sets it: AIL = 0, ILE = 0, LPES
    /// and LD on.
    pub const fn reset() -> Self {
        Lpcr {
            ail: Ail::None,
            ile: false,
            lpes: true,
            ld: true,
        }
    }

    /// The architected register image of the modelled fields.
    pub fn value(&self) -> u64 {
        (self.ail.field() << AIL_SHIFT)
            | if self.ile { ILE } else { 0 }
            | if self.lpes { LPES } else { 0 }
            | if self.ld { LD } else { 0 }
    }

    /// From a register image (migration): `None` if AIL holds a value papr does not offer.
    pub fn from_value(value: u64) -> Option<Self> {
        Some(Lpcr {
            ail: Ail::from_field((value & AIL_MASK) >> AIL_SHIFT)?,
            ile: value & ILE != 0,
            lpes: value & LPES != 0,
            ld: value & LD != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_positions_are_the_isa_ones() {
        // ISA 3.0B: ILE is bit 38, AIL bits 39:40, LD bit 46, LPES bit 60.
        assert_eq!(ILE, 0x0200_0000);
        assert_eq!(AIL_MASK, 0x0180_0000);
        assert_eq!(LD, 0x0002_0000);
        assert_eq!(LPES, 0x8);
        let l = Lpcr {
            ail: Ail::Relocated,
            ile: true,
            lpes: true,
            ld: true,
        };
        assert_eq!(l.value(), 0x0200_0000 | 0x0180_0000 | 0x0002_0000 | 0x8);
        assert_eq!(Lpcr::from_value(l.value()), Some(l));
    }

    #[test]
    fn only_ail_0_and_3_are_offered() {
        assert_eq!(Ail::from_field(0), Some(Ail::None));
        assert_eq!(Ail::from_field(1), None);
        assert_eq!(Ail::from_field(2), None);
        assert_eq!(Ail::from_field(3), Some(Ail::Relocated));
        assert_eq!(Lpcr::from_value(1 << AIL_SHIFT), None);
        let r = Lpcr::reset();
        assert_eq!(r.ail, Ail::None);
        assert!(!r.ile && r.lpes && r.ld);
    }
}
