//! Test support: builds HPTEs from first principles (virtual address, segment, page size) so
//! that tests check the hypervisor against the architecture, not against its own helpers.
#![allow(dead_code, clippy::cast_possible_truncation)]

use papr_hv::hcall::{nr, rc, HcallArgs};
use papr_hv::{Vcpu, Vm, VmConfig};
use std::sync::Arc;

pub const V_VALID: u64 = 1;
pub const V_SECONDARY: u64 = 2;
pub const V_LARGE: u64 = 4;
pub const V_BOLTED: u64 = 0x10;
pub const R_M: u64 = 0x10;
pub const R_I: u64 = 0x20;
pub const R_G: u64 = 0x08;
pub const R_W: u64 = 0x40;
pub const R_R: u64 = 0x100;
pub const R_C: u64 = 0x80;

/// A translation to insert: everything the architecture needs to place it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// 1 TB segment (else 256 MB).
    pub tera: bool,
    pub vsid: u64,
    /// Page index within the segment, in units of the base page.
    pub page: u64,
    /// Base page shift (12, 16 or 24); the actual page size equals the base here.
    pub shift: u32,
    pub bolted: bool,
    pub secondary: bool,
    /// Real address (aligned to the page).
    pub ra: u64,
}

impl Mapping {
    pub fn segment_shift(&self) -> u32 {
        if self.tera {
            40
        } else {
            28
        }
    }

    /// Effective offset within the segment.
    pub fn offset(&self) -> u64 {
        self.page << self.shift
    }

    /// Full virtual address / 2^23.
    pub fn va23(&self) -> u64 {
        (self.vsid << (self.segment_shift() - 23)) | (self.offset() >> 23)
    }

    /// The primary hash, straight from the ISA's definition.
    pub fn hash(&self) -> u64 {
        let vsid_part = if self.tera {
            self.vsid ^ (self.vsid << 25)
        } else {
            self.vsid
        };
        vsid_part ^ self.page
    }

    /// The PTEG this mapping belongs to in a table of `order`.
    pub fn group(&self, order: u32) -> u64 {
        let mask = (1u64 << (order - 7)) - 1;
        let h = if self.secondary {
            !self.hash()
        } else {
            self.hash()
        };
        h & mask
    }

    pub fn v(&self) -> u64 {
        let mut v = (u64::from(self.tera) << 62) | ((self.va23() << 7) & 0x3fff_ffff_ffff_ff80);
        if self.shift == 24 {
            // The AVPN bit inside a 16M page is zero.
            v &= !(1 << 7);
        }
        if self.shift != 12 {
            v |= V_LARGE;
        }
        if self.bolted {
            v |= V_BOLTED;
        }
        if self.secondary {
            v |= V_SECONDARY;
        }
        v | V_VALID
    }

    pub fn r(&self) -> u64 {
        let lp = match self.shift {
            12 => 0,
            16 => 0x1000,
            _ => 0,
        };
        self.ra | lp | R_M | 0x2
    }
}

pub fn vm(ram: u64) -> (Vm, Arc<Vcpu>) {
    let vm = Vm::new(VmConfig::with_ram(ram)).expect("vm");
    let vcpu = vm.create_vcpu(0).expect("vcpu");
    (vm, vcpu)
}

pub fn vm_with_order(ram: u64, order: u32) -> (Vm, Arc<Vcpu>) {
    let (vm, vcpu) = vm(ram);
    vm.allocate_htab(order).expect("allocate_htab");
    (vm, vcpu)
}

pub fn args(a: &[u64]) -> HcallArgs {
    let mut x = [0; 9];
    x[..a.len()].copy_from_slice(a);
    x
}

/// H_ENTER of `m` into its group; returns (rc, index).
pub fn enter(vm: &Vm, vcpu: &Vcpu, m: &Mapping, order: u32) -> (i64, u64) {
    let ptex = m.group(order) * 8;
    let r = vm.hcall_result(vcpu, nr::H_ENTER, &args(&[0, ptex, m.v(), m.r()]));
    (r.rc, r.out[0])
}

pub fn enter_ok(vm: &Vm, vcpu: &Vcpu, m: &Mapping, order: u32) -> u64 {
    let (code, index) = enter(vm, vcpu, m, order);
    assert_eq!(code, rc::H_SUCCESS, "H_ENTER {m:?}");
    index
}

/// Advances the VM clock by `ms` milliseconds.
pub fn advance_ms(vm: &Vm, ms: u64) {
    vm.set_clock_ns(vm.clock_ns() + ms * 1_000_000);
}
