//! The PAPR HPT hcalls as KVM Book3S HV answers them: H_ENTER, H_REMOVE, H_BULK_REMOVE,
//! H_PROTECT, H_READ (and H_READ_4), H_CLEAR_REF, H_CLEAR_MOD, H_RESIZE_HPT_PREPARE and
//! H_RESIZE_HPT_COMMIT (fact sheet sections 2 and 3).
//!
//! Every argument is guest-controlled: each is checked and answered with the PAPR code.

use papr_cpu::hpt::{R_C, R_R};

use super::resize::ResizeProgress;
use super::HptState;
use crate::hcall::{flags, long_busy_for_ms, nr, rc, HcallArgs, HcallResult};
use crate::vm::VmInner;
use crate::VmError;

/// H_BULK_REMOVE request/response fields (fact sheet 2.6).
mod bulk {
    pub const TYPE_MASK: u64 = 0xc0 << 56;
    pub const REQUEST: u64 = 0x40 << 56;
    pub const RESPONSE: u64 = 0x80 << 56;
    pub const END: u64 = 0xc0 << 56;
    pub const FLAGS_MASK: u64 = 0x03 << 56;
    pub const ABSOLUTE: u64 = 0;
    pub const ANDCOND: u64 = 0x01 << 56;
    pub const AVPN: u64 = 0x02 << 56;
    pub const CODE_NOT_FOUND: u64 = 0x10 << 56;
    pub const CODE_PARAM: u64 = 0x20 << 56;
    pub const PTEX_MASK: u64 = (1 << 56) - 1;
    /// R and C of dword 1 land in bits 59:58 of the response.
    pub const RC_SHIFT: u32 = 51;
}

/// Handles an HPT hcall, or returns `None` if `number` is not one.
#[inline]
pub(crate) fn handle(vm: &VmInner, number: u64, a: &HcallArgs) -> Option<HcallResult> {
    Some(match number {
        nr::H_ENTER => h_enter(vm, a),
        nr::H_REMOVE => h_remove(vm, a),
        nr::H_BULK_REMOVE => h_bulk_remove(vm, a),
        nr::H_PROTECT => h_protect(vm, a),
        nr::H_READ => h_read(vm, a),
        nr::H_CLEAR_REF => h_clear_rc(vm, a, R_R),
        nr::H_CLEAR_MOD => h_clear_rc(vm, a, R_C),
        nr::H_RESIZE_HPT_PREPARE => h_resize_prepare(vm, a),
        nr::H_RESIZE_HPT_COMMIT => h_resize_commit(vm, a),
        _ => return None,
    })
}

#[inline]
fn with_table<T>(
    vm: &VmInner,
    f: impl FnOnce(&mut super::table::HptTable) -> Result<T, i64>,
) -> Result<T, i64> {
    let mut hpt = vm.hpt.lock();
    let HptState { table, .. } = &mut *hpt;
    // A guest without a hashed page table (never the case for a running hash guest).
    let table = table.as_mut().ok_or(rc::H_FUNCTION)?;
    f(table)
}

#[inline]
fn h_enter(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    let ram_size = vm.ram.size();
    match with_table(vm, |t| t.enter(a[0], a[1], a[2], a[3], ram_size)) {
        Ok(index) => HcallResult::ok(&[index as u64]),
        Err(code) => HcallResult::rc(code),
    }
}

#[inline]
fn h_remove(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    let removed = with_table(vm, |t| {
        let old = t.remove(a[0], a[1], a[2])?;
        vm.pate.invalidate_serialized();
        Ok(old)
    });
    match removed {
        Ok(old) => HcallResult::ok(&[old.v, old.r]),
        Err(code) => HcallResult::rc(code),
    }
}

fn h_bulk_remove(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    let mut out = [0u64; 8];
    out.copy_from_slice(&a[..8]);
    let mut status = rc::H_SUCCESS;
    let mut removed_any = false;
    {
        let mut hpt = vm.hpt.lock();
        let Some(table) = hpt.table.as_mut() else {
            return HcallResult::rc(rc::H_FUNCTION);
        };
        for pair in 0..4 {
            let tsh = a[pair * 2];
            let tsl = a[pair * 2 + 1];
            let kind = tsh & bulk::TYPE_MASK;
            if kind == bulk::END {
                break;
            }
            if kind != bulk::REQUEST {
                // Anything but a request or the end marker is a parameter error (KVM).
                out[pair * 2] = (tsh & !bulk::TYPE_MASK) | bulk::RESPONSE | bulk::CODE_PARAM;
                status = rc::H_PARAMETER;
                break;
            }
            let req_flags = tsh & bulk::FLAGS_MASK;
            let ptex = tsh & bulk::PTEX_MASK;
            let hflags = match req_flags {
                bulk::ABSOLUTE => 0,
                bulk::ANDCOND => flags::H_ANDCOND,
                bulk::AVPN => flags::H_AVPN,
                _ => {
                    out[pair * 2] = (tsh & !bulk::TYPE_MASK) | bulk::RESPONSE | bulk::CODE_PARAM;
                    status = rc::H_PARAMETER;
                    break;
                }
            };
            let head = bulk::RESPONSE | req_flags | ptex;
            match table.remove(hflags, ptex, tsl) {
                Ok(old) => {
                    removed_any = true;
                    out[pair * 2] = head | ((old.r & (R_R | R_C)) << bulk::RC_SHIFT);
                }
                Err(rc::H_PARAMETER) => {
                    out[pair * 2] = head | bulk::CODE_PARAM;
                    status = rc::H_PARAMETER;
                    break;
                }
                Err(_) => out[pair * 2] = head | bulk::CODE_NOT_FOUND,
            }
        }
        if removed_any {
            vm.pate.invalidate_serialized();
        }
    }
    HcallResult::with(status, &out)
}

fn h_protect(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    let done = with_table(vm, |t| {
        t.protect(a[0], a[1], a[2])?;
        vm.pate.invalidate_serialized();
        Ok(())
    });
    match done {
        Ok(()) => HcallResult::ok(&[]),
        Err(code) => HcallResult::rc(code),
    }
}

#[inline]
fn h_read(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    let hflags = a[0];
    let r = with_table(vm, |t| {
        if hflags & flags::H_READ_4 != 0 {
            let first = a[1] & !3;
            let mut out = [0u64; 8];
            for (k, pair) in out.chunks_exact_mut(2).enumerate() {
                let (v, r) = t.read(first + k as u64)?;
                pair[0] = v;
                pair[1] = r;
            }
            Ok(HcallResult::ok(&out))
        } else {
            let (v, r) = t.read(a[1])?;
            Ok(HcallResult::ok(&[v, r]))
        }
    });
    r.unwrap_or_else(HcallResult::rc)
}

fn h_clear_rc(vm: &VmInner, a: &HcallArgs, bit: u64) -> HcallResult {
    let cleared = with_table(vm, |t| {
        let old_r = t.clear_rc(a[1], bit)?;
        vm.pate.invalidate_serialized();
        Ok(old_r)
    });
    match cleared {
        Ok(old_r) => HcallResult::ok(&[old_r]),
        Err(code) => HcallResult::rc(code),
    }
}

fn resize_error_rc(e: &VmError) -> i64 {
    match e {
        VmError::InvalidArgument(_) => rc::H_PARAMETER,
        VmError::NoPendingResize { .. } => rc::H_CLOSED,
        VmError::PtegFull { .. } => rc::H_PTEG_FULL,
        VmError::Busy(_) => rc::H_BUSY,
        VmError::OutOfMemory { .. } => rc::H_NO_MEM,
        VmError::NoHpt => rc::H_NOT_AVAILABLE,
        _ => rc::H_HARDWARE,
    }
}

fn h_resize_prepare(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    if !vm.config.hpt_resize {
        return HcallResult::rc(rc::H_AUTHORITY);
    }
    let (hflags, shift) = (a[0], a[1]);
    if hflags != 0 {
        return HcallResult::rc(rc::H_PARAMETER);
    }
    if vm.hpt.lock().table.is_none() {
        return HcallResult::rc(rc::H_NOT_AVAILABLE);
    }
    let Ok(shift) = u32::try_from(shift) else {
        return HcallResult::rc(rc::H_PARAMETER);
    };
    if shift != 0 && super::validate_order(shift).is_err() {
        return HcallResult::rc(rc::H_PARAMETER);
    }
    // QEMU's growth limit: no more than one order above the RAM-based default.
    if shift != 0 && shift > super::order_for_ram(vm.ram.size()) + 1 {
        return HcallResult::rc(rc::H_RESOURCE);
    }
    match vm.resize_hpt_prepare(0, shift) {
        Ok(ResizeProgress::Ready) => HcallResult::rc(rc::H_SUCCESS),
        Ok(ResizeProgress::InProgress { retry_ms }) => HcallResult::rc(long_busy_for_ms(retry_ms)),
        Err(e) => HcallResult::rc(resize_error_rc(&e)),
    }
}

fn h_resize_commit(vm: &VmInner, a: &HcallArgs) -> HcallResult {
    if !vm.config.hpt_resize {
        return HcallResult::rc(rc::H_AUTHORITY);
    }
    let (hflags, shift) = (a[0], a[1]);
    if hflags != 0 {
        return HcallResult::rc(rc::H_PARAMETER);
    }
    if vm.hpt.lock().table.is_none() {
        return HcallResult::rc(rc::H_NOT_AVAILABLE);
    }
    let Ok(shift) = u32::try_from(shift) else {
        return HcallResult::rc(rc::H_PARAMETER);
    };
    match vm.resize_hpt_commit(0, shift) {
        Ok(()) => HcallResult::rc(rc::H_SUCCESS),
        Err(e) => HcallResult::rc(resize_error_rc(&e)),
    }
}
