//! The PAPR hypercall ABI: numbers, return codes and the register interface.
//!
//! A guest's `sc 1` puts the hcall number in r3 and arguments in r4..r12; the hypervisor
//! answers with a return code in r3 and outputs in r4 onwards. [`crate::Vm::hcall`] handles the
//! hcalls KVM Book3S HV handles in the kernel and tells the caller to handle the rest, the way
//! KVM exits to user space with `KVM_EXIT_PAPR_HCALL`.

/// Hcall numbers (LoPAPR; fact sheet sections 2, 3, 7, 8).
#[allow(missing_docs)]
pub mod nr {
    pub const H_REMOVE: u64 = 0x04;
    pub const H_ENTER: u64 = 0x08;
    pub const H_READ: u64 = 0x0C;
    pub const H_CLEAR_MOD: u64 = 0x10;
    pub const H_CLEAR_REF: u64 = 0x14;
    pub const H_PROTECT: u64 = 0x18;
    pub const H_PAGE_INIT: u64 = 0x2C;
    pub const H_EOI: u64 = 0x64;
    pub const H_CPPR: u64 = 0x68;
    pub const H_IPI: u64 = 0x6C;
    pub const H_IPOLL: u64 = 0x70;
    pub const H_XIRR: u64 = 0x74;
    pub const H_BULK_REMOVE: u64 = 0x124;
    pub const H_XIRR_X: u64 = 0x2FC;
    pub const H_SET_MODE: u64 = 0x31C;
    pub const H_BLOCK_REMOVE: u64 = 0x328;
    pub const H_CLEAR_HPT: u64 = 0x358;
    pub const H_RESIZE_HPT_PREPARE: u64 = 0x36C;
    pub const H_RESIZE_HPT_COMMIT: u64 = 0x370;
    pub const H_REGISTER_PROC_TBL: u64 = 0x37C;
    pub const H_INT_GET_SOURCE_INFO: u64 = 0x3A8;
    pub const H_INT_SET_SOURCE_CONFIG: u64 = 0x3AC;
    pub const H_INT_GET_SOURCE_CONFIG: u64 = 0x3B0;
    pub const H_INT_GET_QUEUE_INFO: u64 = 0x3B4;
    pub const H_INT_SET_QUEUE_CONFIG: u64 = 0x3B8;
    pub const H_INT_GET_QUEUE_CONFIG: u64 = 0x3BC;
    pub const H_INT_SET_OS_REPORTING_LINE: u64 = 0x3C0;
    pub const H_INT_GET_OS_REPORTING_LINE: u64 = 0x3C4;
    pub const H_INT_ESB: u64 = 0x3C8;
    pub const H_INT_SYNC: u64 = 0x3CC;
    pub const H_INT_RESET: u64 = 0x3D0;
}

/// PAPR return codes (fact sheet 2.2).
#[allow(missing_docs)]
pub mod rc {
    pub const H_SUCCESS: i64 = 0;
    pub const H_BUSY: i64 = 1;
    pub const H_CLOSED: i64 = 2;
    pub const H_NOT_AVAILABLE: i64 = 3;
    pub const H_CONSTRAINED: i64 = 4;
    pub const H_PARTIAL: i64 = 5;
    pub const H_IN_PROGRESS: i64 = 14;
    pub const H_CONTINUE: i64 = 18;
    pub const H_LONG_BUSY_ORDER_1_MSEC: i64 = 9900;
    pub const H_LONG_BUSY_ORDER_10_MSEC: i64 = 9901;
    pub const H_LONG_BUSY_ORDER_100_MSEC: i64 = 9902;
    pub const H_LONG_BUSY_ORDER_1_SEC: i64 = 9903;
    pub const H_HARDWARE: i64 = -1;
    pub const H_FUNCTION: i64 = -2;
    pub const H_PRIVILEGE: i64 = -3;
    pub const H_PARAMETER: i64 = -4;
    pub const H_BAD_MODE: i64 = -5;
    pub const H_PTEG_FULL: i64 = -6;
    pub const H_NOT_FOUND: i64 = -7;
    pub const H_RESERVED_DABR: i64 = -8;
    pub const H_NO_MEM: i64 = -9;
    pub const H_AUTHORITY: i64 = -10;
    pub const H_PERMISSION: i64 = -11;
    pub const H_DROPPED: i64 = -12;
    pub const H_RESOURCE: i64 = -16;
    pub const H_P2: i64 = -55;
    pub const H_P3: i64 = -56;
    pub const H_P4: i64 = -57;
    pub const H_P5: i64 = -58;
    pub const H_P6: i64 = -59;
    pub const H_P7: i64 = -60;
    pub const H_P8: i64 = -61;
    pub const H_P9: i64 = -62;
}

/// Flag bits of the HPT hcalls (IBM bit numbers in fact sheet 2.3).
#[allow(missing_docs)]
pub mod flags {
    pub const H_EXACT: u64 = 1 << 39;
    pub const H_R_XLATE: u64 = 1 << 38;
    pub const H_READ_4: u64 = 1 << 37;
    pub const H_AVPN: u64 = 1 << 31;
    pub const H_ANDCOND: u64 = 1 << 30;
    pub const H_LOCAL: u64 = 1 << 28;
}

/// Arguments r4..r12.
pub type HcallArgs = [u64; 9];

/// What the hypervisor answers: r3, and the output registers r4.. it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HcallResult {
    /// Return code (r3).
    pub rc: i64,
    /// Output values for r4.. (only the first `n_out` are written back).
    pub out: [u64; 8],
    /// How many output registers are written.
    pub n_out: usize,
}

impl HcallResult {
    /// A return code with no outputs.
    #[inline(always)]
    pub const fn rc(rc: i64) -> Self {
        HcallResult {
            rc,
            out: [0; 8],
            n_out: 0,
        }
    }

    /// H_SUCCESS with the given outputs.
    #[inline(always)]
    pub fn ok(outputs: &[u64]) -> Self {
        Self::with(rc::H_SUCCESS, outputs)
    }

    /// A return code with the given outputs (at most 8; more are ignored).
    #[inline(always)]
    pub fn with(rc: i64, outputs: &[u64]) -> Self {
        let mut out = [0; 8];
        // Element by element: with a length known at the call site this compiles to register
        // moves, where a slice copy would go through memcpy on the hcall hot path.
        for (o, &v) in out.iter_mut().zip(outputs) {
            *o = v;
        }
        HcallResult {
            rc,
            out,
            n_out: outputs.len().min(8),
        }
    }

    /// The outputs written back.
    pub fn outputs(&self) -> &[u64] {
        &self.out[..self.n_out]
    }
}

/// Whether the hypervisor handled an hcall or hands it to the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HcallExit {
    /// Handled here; write the result into the guest's registers.
    Done(HcallResult),
    /// Not a hypervisor hcall: the platform handles it (KVM_EXIT_PAPR_HCALL).
    ToPlatform,
}

/// Turns a "wait this many milliseconds" into the long-busy code a guest understands
/// (QEMU's `resize_hpt_convert_rc` scale).
pub fn long_busy_for_ms(ms: u64) -> i64 {
    match ms {
        0 => rc::H_SUCCESS,
        1..=9 => rc::H_LONG_BUSY_ORDER_1_MSEC,
        10..=99 => rc::H_LONG_BUSY_ORDER_10_MSEC,
        100..=999 => rc::H_LONG_BUSY_ORDER_100_MSEC,
        1000..=9999 => rc::H_LONG_BUSY_ORDER_1_SEC,
        10000..=99999 => 9904,
        _ => 9905,
    }
}
