//! ibm,client-architecture-support (CAS): the guest's PVR list and option vectors in, the
//! platform's choices out (linux-pseries-boot.md section 3, papr-hv-facts.md section 9).
//!
//! The vector is guest memory: a list of (mask, value) PVR pairs ending at the first pair whose
//! value has a bit outside its mask, then a byte "number of option vectors - 1", then each
//! vector as a length byte L and L+1 bytes. Option vector 5's bytes are numbered from 1, as in
//! LoPAPR. Every length is bounded and checked: a malformed vector is an error, never a read
//! outside guest RAM.

use thiserror::Error;

use crate::config::{IcMode, MachineConfig, ResizeHpt};
use crate::tree::{ActiveIc, CasOutcome, PVR_ARCH_300, PVR_POWER9};

/// Most PVR pairs read before giving up on finding the terminator.
const MAX_PVR_PAIRS: usize = 64;
/// Logical PVR for ISA 2.07 (POWER8 compatibility).
pub const PVR_ARCH_207: u32 = 0x0f00_0004;

/// OV5 byte 6 bit: the guest can resize its HPT.
const OV5_6_RESIZE_HPT: u8 = 0x01;

/// Why CAS cannot be honoured.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CasError {
    /// The vector is cut short or inconsistent.
    #[error("malformed CAS vector: {0}")]
    Malformed(String),
    /// No PVR the machine can run matches the guest's list.
    #[error("the guest's CAS PVR list matches neither POWER9 ({PVR_POWER9:#x}) nor a logical PVR papr offers")]
    NoPvr,
    /// Byte 23 asked for something invalid (both, or reserved).
    #[error("the guest requested an invalid interrupt mode (OV5 byte 23 = {0:#04x})")]
    BadIcRequest(u8),
    /// The guest's choice is not available in this ic-mode.
    #[error("the guest requested {requested} but the machine's ic-mode is {mode}")]
    IcNotAvailable {
        /// What the guest asked for.
        requested: &'static str,
        /// The machine's setting.
        mode: &'static str,
    },
    /// The guest asked for the radix MMU; papr offers hash only.
    #[error(
        "the guest requested the radix MMU (OV5 byte 24 = {0:#04x}); papr offers the hash MMU only"
    )]
    RadixRefused(u8),
    /// resize-hpt=required, and the guest cannot resize.
    #[error("resize-hpt=required, but the guest does not support HPT resizing (OV5 byte 6 bit 0x01 clear)")]
    ResizeRequired,
}

/// The parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasRequest {
    /// (mask, value) PVR pairs, terminator included.
    pub pvrs: Vec<(u32, u32)>,
    /// The option vectors, in order (vector 1 first), without their length bytes.
    pub vectors: Vec<Vec<u8>>,
}

impl CasRequest {
    /// Byte `i` (1-based, LoPAPR numbering) of option vector `n` (1-based); 0 if absent.
    pub fn byte(&self, n: usize, i: usize) -> u8 {
        n.checked_sub(1)
            .and_then(|v| self.vectors.get(v))
            .and_then(|v| i.checked_sub(1).and_then(|i| v.get(i)))
            .copied()
            .unwrap_or(0)
    }
}

/// Parses a CAS vector from `bytes` (read from guest RAM by the caller, at most its buffer).
pub fn parse(bytes: &[u8]) -> Result<CasRequest, CasError> {
    let bad = |what: &str| CasError::Malformed(what.to_owned());
    let mut pvrs = Vec::new();
    let mut at = 0usize;
    loop {
        let pair = bytes
            .get(at..at + 8)
            .ok_or_else(|| bad("the PVR list runs past the end of the vector"))?;
        let mask = u32::from_be_bytes([pair[0], pair[1], pair[2], pair[3]]);
        let value = u32::from_be_bytes([pair[4], pair[5], pair[6], pair[7]]);
        pvrs.push((mask, value));
        at += 8;
        if value & !mask != 0 {
            break;
        }
        if pvrs.len() >= MAX_PVR_PAIRS {
            return Err(bad("no PVR-list terminator in the first 64 pairs"));
        }
    }
    let count = usize::from(*bytes.get(at).ok_or_else(|| bad("no option-vector count"))?) + 1;
    at += 1;
    let mut vectors = Vec::with_capacity(count);
    for n in 1..=count {
        let Some(&len) = bytes.get(at) else {
            // Vectors past the end are absent (a guest may claim more than it sends).
            break;
        };
        let len = usize::from(len) + 1;
        let v = bytes
            .get(at + 1..at + 1 + len)
            .ok_or_else(|| CasError::Malformed(format!("option vector {n} runs past the end")))?;
        vectors.push(v.to_vec());
        at += 1 + len;
    }
    Ok(CasRequest { pvrs, vectors })
}

/// What the machine decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasDecision {
    /// The PVR every vCPU reports from now on (a logical one when the guest listed one).
    pub pvr: u32,
    /// What changes in the device tree.
    pub tree: CasOutcome,
    /// Whether the guest declared it can resize its HPT.
    pub guest_resizes_hpt: bool,
}

fn pvr_listed(req: &CasRequest, pvr: u32) -> bool {
    req.pvrs
        .iter()
        .any(|&(mask, value)| pvr & mask == value & mask)
}

/// Decides CAS for `cfg`.
pub fn negotiate(cfg: &MachineConfig, req: &CasRequest) -> Result<CasDecision, CasError> {
    // The best logical PVR papr runs (ISA 3.00, then 2.07), else the raw one if listed.
    let pvr = [PVR_ARCH_300, PVR_ARCH_207]
        .into_iter()
        .find(|&p| {
            req.pvrs
                .iter()
                .any(|&(mask, value)| mask == u32::MAX && value == p)
        })
        .or_else(|| pvr_listed(req, PVR_POWER9).then_some(PVR_POWER9))
        .ok_or(CasError::NoPvr)?;

    let ic_req = req.byte(5, 23) & 0xc0;
    let ic = match ic_req {
        0x00 => ActiveIc::Xics,
        0x40 => ActiveIc::Xive,
        other => return Err(CasError::BadIcRequest(other)),
    };
    match (ic, cfg.ic_mode) {
        (ActiveIc::Xive, IcMode::Xics) => {
            return Err(CasError::IcNotAvailable {
                requested: "XIVE",
                mode: "xics",
            })
        }
        (ActiveIc::Xics, IcMode::Xive) => {
            return Err(CasError::IcNotAvailable {
                requested: "XICS",
                mode: "xive",
            })
        }
        _ => {}
    }
    let mmu = req.byte(5, 24) & 0xc0;
    if mmu != 0 {
        return Err(CasError::RadixRefused(mmu));
    }
    let guest_resizes_hpt = req.byte(5, 6) & OV5_6_RESIZE_HPT != 0;
    if cfg.resize_hpt == ResizeHpt::Required && !guest_resizes_hpt {
        return Err(CasError::ResizeRequired);
    }

    // Option vector 5 as the platform grants it: the intersection of what the guest asked and
    // what papr supports (HPT resize, XIVE), published as [n - 1, byte 1, byte 2, ...] with
    // trailing zero bytes dropped.
    let mut ov5 = [0u8; 24];
    if guest_resizes_hpt && cfg.resize_hpt != ResizeHpt::Disabled {
        ov5[6 - 1] = OV5_6_RESIZE_HPT;
    }
    if ic == ActiveIc::Xive {
        ov5[23 - 1] = 0x40;
    }
    let used = ov5.iter().rposition(|&b| b != 0).map_or(1, |i| i + 1);
    // [0] counts the bytes after it, minus one; `used` is 1..=24.
    let mut vec5 = vec![u8::try_from(used - 1).unwrap_or(0)];
    vec5.extend_from_slice(&ov5[..used]);

    Ok(CasDecision {
        pvr,
        tree: CasOutcome { ic, vec5 },
        guest_resizes_hpt,
    })
}
