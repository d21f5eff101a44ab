//! The hcalls the platform answers itself (what QEMU's spapr handles when KVM exits with
//! KVM_EXIT_PAPR_HCALL): the hvc console, H_SET_MODE, H_REGISTER_VPA, H_REGISTER_PROC_TBL,
//! H_GET_CPU_CHARACTERISTICS, H_RANDOM (linux-pseries-boot.md 6.4), H_SIGNAL_SYS_RESET.
//!
//! Each handler takes the guest's argument registers (r4..r12) and returns the PAPR result;
//! every argument is checked. Scheduling hcalls (H_CEDE, H_PROD, H_CONFER) and the private
//! firmware hcalls (RTAS, the OF client interface) belong to the machine loop.

use std::collections::VecDeque;

use papr_cpu::lpcr::{Ail, Lpcr};
use papr_hv::hcall::{rc, HcallArgs, HcallResult};
use papr_hv::GuestRam;

use crate::tree::VTY_REG;

/// Platform hcall numbers.
#[allow(missing_docs)]
pub mod nr {
    pub const H_REGISTER_VPA: u64 = 0xDC;
    pub const H_CEDE: u64 = 0xE0;
    pub const H_CONFER: u64 = 0xE4;
    pub const H_PROD: u64 = 0xE8;
    pub const H_GET_TERM_CHAR: u64 = 0x54;
    pub const H_PUT_TERM_CHAR: u64 = 0x58;
    pub const H_RANDOM: u64 = 0x300;
    pub const H_SET_MODE: u64 = 0x31C;
    pub const H_REGISTER_PROC_TBL: u64 = 0x37C;
    pub const H_GET_CPU_CHARACTERISTICS: u64 = 0x1C8;
    pub const H_PAGE_INIT: u64 = 0x2C;
    pub const H_SIGNAL_SYS_RESET: u64 = 0x380;
}

/// H_UNSUPPORTED_FLAG (the first of the range), as QEMU answers an AIL it does not offer.
pub const H_UNSUPPORTED_FLAG: i64 = -256;

/// The hvc console (the vty at `/vdevice/vty@71000000`, `hvterm1` raw protocol).
#[derive(Debug, Default)]
pub struct HvcConsole {
    input: VecDeque<u8>,
    output: Vec<u8>,
}

impl HvcConsole {
    /// An empty console.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues bytes typed by the user; returns whether the queue was empty before (the
    /// moment to pulse the vty's interrupt).
    pub fn push_input(&mut self, bytes: &[u8]) -> bool {
        let was_empty = self.input.is_empty();
        self.input.extend(bytes);
        was_empty && !bytes.is_empty()
    }

    /// Typed input not read by the guest yet (for snapshots).
    pub fn pending_input(&self) -> Vec<u8> {
        self.input.iter().copied().collect()
    }

    /// Replaces the input queue (restoring a snapshot).
    pub fn set_pending_input(&mut self, bytes: &[u8]) {
        self.input = bytes.iter().copied().collect();
    }

    /// Takes what the guest wrote since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    fn term_ok(term: u64) -> bool {
        // The vty's reg; 0 is what early kernel debug output and bare-metal programs use.
        term == u64::from(VTY_REG) || term == 0
    }

    /// H_PUT_TERM_CHAR(term, len, hi, lo): up to 16 bytes, big-endian in hi then lo.
    pub fn put_term_char(&mut self, a: &HcallArgs) -> HcallResult {
        if !Self::term_ok(a[0]) {
            return HcallResult::rc(rc::H_PARAMETER);
        }
        let Ok(len) = usize::try_from(a[1]) else {
            return HcallResult::rc(rc::H_PARAMETER);
        };
        if len > 16 {
            return HcallResult::rc(rc::H_PARAMETER);
        }
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a[2].to_be_bytes());
        bytes[8..].copy_from_slice(&a[3].to_be_bytes());
        self.output.extend_from_slice(&bytes[..len]);
        HcallResult::rc(rc::H_SUCCESS)
    }

    /// H_GET_TERM_CHAR(term): r4 = count (at most 16), r5/r6 = the bytes, big-endian.
    pub fn get_term_char(&mut self, a: &HcallArgs) -> HcallResult {
        if !Self::term_ok(a[0]) {
            return HcallResult::rc(rc::H_PARAMETER);
        }
        let mut bytes = [0u8; 16];
        let n = self.input.len().min(16);
        for (b, c) in bytes.iter_mut().zip(self.input.drain(..n)) {
            *b = c;
        }
        let hi = u64::from_be_bytes(bytes[..8].try_into().unwrap_or([0; 8]));
        let lo = u64::from_be_bytes(bytes[8..].try_into().unwrap_or([0; 8]));
        HcallResult::ok(&[n as u64, hi, lo])
    }
}

/// H_SET_MODE(mflags, resource, value1, value2) applied to `lpcr` (the caller then copies the
/// LPCR to every vCPU, as QEMU does). Resource 3 = interrupt relocation (AIL), 4 = interrupt
/// endianness (ILE).
pub fn set_mode(lpcr: &mut Lpcr, a: &HcallArgs) -> HcallResult {
    let (mflags, resource, v1, v2) = (a[0], a[1], a[2], a[3]);
    match resource {
        3 | 4 if v1 != 0 => HcallResult::rc(rc::H_P3),
        3 | 4 if v2 != 0 => HcallResult::rc(rc::H_P4),
        3 => match mflags {
            0 => {
                lpcr.ail = Ail::None;
                HcallResult::rc(rc::H_SUCCESS)
            }
            3 => {
                lpcr.ail = Ail::Relocated;
                HcallResult::rc(rc::H_SUCCESS)
            }
            // AIL 1 is reserved; AIL 2 is not modelled (Linux uses 3).
            _ => HcallResult::rc(H_UNSUPPORTED_FLAG),
        },
        4 => match mflags {
            0 => {
                lpcr.ile = false;
                HcallResult::rc(rc::H_SUCCESS)
            }
            1 => {
                lpcr.ile = true;
                HcallResult::rc(rc::H_SUCCESS)
            }
            _ => HcallResult::rc(H_UNSUPPORTED_FLAG),
        },
        // CIABR, DAWR and the rest are not offered.
        _ => HcallResult::rc(rc::H_P2),
    }
}

/// H_REGISTER_PROC_TBL(flags, base, page size, table size): papr is hash-only.
pub fn register_proc_tbl(a: &HcallArgs) -> HcallResult {
    let flags = a[0];
    let op = flags & 0x18;
    let kind = flags & 0x06;
    if flags & !0x1f != 0 {
        return HcallResult::rc(rc::H_PARAMETER);
    }
    match (op, kind) {
        // Register (new or update) or deregister, hash with an SLB: nothing to do.
        (0x00 | 0x10 | 0x18, 0x00) => HcallResult::rc(rc::H_SUCCESS),
        // Hash with segment tables, or radix: not offered.
        (_, 0x02) => HcallResult::rc(rc::H_NOT_AVAILABLE),
        _ => HcallResult::rc(rc::H_PARAMETER),
    }
}

/// H_PAGE_INIT flag: zero the destination page.
pub const H_ZERO_PAGE: u64 = 1 << 15;
/// H_PAGE_INIT flag: copy the source page to the destination.
pub const H_COPY_PAGE: u64 = 1 << 14;
/// H_PAGE_INIT flags papr accepts and ignores (cache management has no effect here).
const H_PAGE_INIT_CACHE_FLAGS: u64 = (1 << 23) | (1 << 22);

/// H_PAGE_INIT(flags, destination, source): zero or copy one 4 KiB page of guest RAM. Both
/// addresses must be 4 KiB aligned and inside RAM (H_PARAMETER); unknown flags are
/// H_PARAMETER.
pub fn page_init(ram: &GuestRam, a: &HcallArgs) -> HcallResult {
    let (flags, dst, src) = (a[0], a[1], a[2]);
    const PAGE: u64 = 4096;
    if flags & !(H_ZERO_PAGE | H_COPY_PAGE | H_PAGE_INIT_CACHE_FLAGS) != 0
        || dst % PAGE != 0
        || !ram.contains(dst, PAGE)
    {
        return HcallResult::rc(rc::H_PARAMETER);
    }
    if flags & H_COPY_PAGE != 0 {
        if src % PAGE != 0 || !ram.contains(src, PAGE) {
            return HcallResult::rc(rc::H_PARAMETER);
        }
        let mut buf = [0u8; 4096];
        if ram.read(src, &mut buf).is_err() || ram.write(dst, &buf).is_err() {
            return HcallResult::rc(rc::H_PARAMETER);
        }
    } else if flags & H_ZERO_PAGE != 0 && ram.zero(dst, PAGE).is_err() {
        return HcallResult::rc(rc::H_PARAMETER);
    }
    HcallResult::rc(rc::H_SUCCESS)
}

/// H_SIGNAL_SYS_RESET (PAPR 14.5.4.x; QEMU's spapr answers it): which vCPUs get a system
/// reset. `target` (r4) is -1 for every processor, -2 for every one but the caller, or a
/// processor number (`ibm,ppc-interrupt-server#s`); anything else, or a processor the
/// partition does not have, is H_PARAMETER. `vcpus` is the partition's processor count and
/// `caller` the calling one's number.
pub fn sys_reset_targets(target: u64, caller: usize, vcpus: usize) -> Result<Vec<usize>, i64> {
    match target.cast_signed() {
        -1 => Ok((0..vcpus).collect()),
        -2 => Ok((0..vcpus).filter(|&k| k != caller).collect()),
        t => usize::try_from(t)
            .ok()
            .filter(|&k| k < vcpus)
            .map(|k| vec![k])
            .ok_or(rc::H_PARAMETER),
    }
}

/// Delivers a system reset to `cpu` now, between two of its instructions, as the platform's
/// non-maskable interrupt (QEMU's `ppc_cpu_do_system_reset`): vector 0x100, SRR0 = the next
/// instruction, SRR1 = its MSR bits, whatever MSR\[EE]. (A handler registered with
/// `ibm,nmi-register` is not used: papr accepts the registration but delivers at 0x100, which
/// Linux handles the same way.)
pub fn deliver_system_reset(cpu: &mut papr_cpu::Cpu) {
    let nip = cpu.state.nip;
    cpu.take_exception(papr_cpu::Interrupt::SystemReset, nip);
}

/// H_GET_CPU_CHARACTERISTICS: no speculation-mitigation behaviour is required, so the guest
/// runs without flush loops (an emulator has no side channel to close).
pub fn get_cpu_characteristics() -> HcallResult {
    HcallResult::ok(&[0, 0])
}

/// H_RANDOM from a deterministic generator (deterministic runs stay deterministic).
#[derive(Debug, Clone)]
pub struct HRandom {
    state: u64,
}

impl HRandom {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        HRandom {
            state: seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The generator's position (for snapshots).
    pub fn state(&self) -> u64 {
        self.state
    }

    /// A generator at a saved position.
    pub fn at_state(state: u64) -> Self {
        HRandom { state }
    }

    /// The next 64 random bits (splitmix64).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// H_RANDOM: r4 = 64 random bits.
    pub fn h_random(&mut self) -> HcallResult {
        HcallResult::ok(&[self.next_u64()])
    }
}

/// One vCPU's registered shared areas (H_REGISTER_VPA).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VpaState {
    /// The VPA (lppaca).
    pub vpa: Option<u64>,
    /// The SLB shadow buffer.
    pub slb_shadow: Option<u64>,
    /// The dispatch trace log.
    pub dtl: Option<u64>,
}

/// H_REGISTER_VPA(flags, cpu, addr) for the vCPU whose state is `st`: function = flags >> 45
/// (1 VPA, 2 DTL, 3 SLB shadow register; 5, 6, 7 deregister them).
pub fn register_vpa(ram: &GuestRam, st: &mut VpaState, a: &HcallArgs) -> HcallResult {
    let (flags, addr) = (a[0], a[2]);
    let func = (flags >> 45) & 7;
    let size_at = |off: u64, wide: bool| -> Option<u64> {
        if wide {
            ram.read_be32(addr + off).ok().map(u64::from)
        } else {
            let mut b = [0u8; 2];
            ram.read(addr + off, &mut b).ok()?;
            Some(u64::from(u16::from_be_bytes(b)))
        }
    };
    match func {
        1 => {
            // Cache-line aligned, at least 640 bytes, within one 4K page.
            if addr % 0x80 != 0 {
                return HcallResult::rc(rc::H_PARAMETER);
            }
            let Some(size) = size_at(4, false) else {
                return HcallResult::rc(rc::H_PARAMETER);
            };
            if size < 640 || (addr & 0xfff) + size > 0x1000 || !ram.contains(addr, size) {
                return HcallResult::rc(rc::H_PARAMETER);
            }
            st.vpa = Some(addr);
            HcallResult::rc(rc::H_SUCCESS)
        }
        2 | 3 => {
            if st.vpa.is_none() {
                return HcallResult::rc(rc::H_RESOURCE);
            }
            let Some(size) = size_at(4, true) else {
                return HcallResult::rc(rc::H_PARAMETER);
            };
            if size == 0 || !ram.contains(addr, size) {
                return HcallResult::rc(rc::H_PARAMETER);
            }
            if func == 2 {
                st.dtl = Some(addr);
            } else {
                st.slb_shadow = Some(addr);
            }
            HcallResult::rc(rc::H_SUCCESS)
        }
        5 => {
            if st.dtl.is_some() || st.slb_shadow.is_some() {
                return HcallResult::rc(rc::H_RESOURCE);
            }
            st.vpa = None;
            HcallResult::rc(rc::H_SUCCESS)
        }
        6 => {
            st.dtl = None;
            HcallResult::rc(rc::H_SUCCESS)
        }
        7 => {
            st.slb_shadow = None;
            HcallResult::rc(rc::H_SUCCESS)
        }
        _ => HcallResult::rc(rc::H_PARAMETER),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[u64]) -> HcallArgs {
        let mut x = [0; 9];
        x[..a.len()].copy_from_slice(a);
        x
    }

    #[test]
    fn console_put_and_get() {
        let mut c = HvcConsole::new();
        let hi = u64::from_be_bytes(*b"Hello, w");
        let lo = u64::from_be_bytes(*b"orld!\n\0\0");
        assert_eq!(c.put_term_char(&args(&[0x7100_0000, 14, hi, lo])).rc, 0);
        assert_eq!(
            c.put_term_char(&args(&[0, 2, u64::from_be_bytes(*b"ok\0\0\0\0\0\0"), 0]))
                .rc,
            0
        );
        assert_eq!(c.take_output(), b"Hello, world!\nok");
        assert_eq!(
            c.put_term_char(&args(&[0x7100_0000, 17, 0, 0])).rc,
            rc::H_PARAMETER
        );
        assert_eq!(
            c.put_term_char(&args(&[0x7100_0001, 1, 0, 0])).rc,
            rc::H_PARAMETER
        );
        assert!(c.push_input(b"ls\n"));
        assert!(!c.push_input(b"x"), "not empty before: no new interrupt");
        let r = c.get_term_char(&args(&[0x7100_0000]));
        assert_eq!(r.outputs(), &[4, u64::from_be_bytes(*b"ls\nx\0\0\0\0"), 0]);
        let r = c.get_term_char(&args(&[0x7100_0000]));
        assert_eq!(r.outputs(), &[0, 0, 0]);
        c.push_input(&[b'a'; 20]);
        assert_eq!(c.get_term_char(&args(&[0])).out[0], 16);
        assert_eq!(c.get_term_char(&args(&[0])).out[0], 4);
    }

    #[test]
    fn set_mode_as_linux_calls_it() {
        let mut l = Lpcr::reset();
        // configure_exceptions(): AIL=3, then little-endian interrupts.
        assert_eq!(set_mode(&mut l, &args(&[3, 3, 0, 0])).rc, 0);
        assert_eq!(set_mode(&mut l, &args(&[1, 4, 0, 0])).rc, 0);
        assert_eq!(l.ail, Ail::Relocated);
        assert!(l.ile);
        assert_eq!(
            set_mode(&mut l, &args(&[1, 3, 0, 0])).rc,
            H_UNSUPPORTED_FLAG
        );
        assert_eq!(set_mode(&mut l, &args(&[3, 3, 1, 0])).rc, rc::H_P3);
        assert_eq!(set_mode(&mut l, &args(&[3, 3, 0, 1])).rc, rc::H_P4);
        assert_eq!(set_mode(&mut l, &args(&[0, 1, 0, 0])).rc, rc::H_P2, "CIABR");
        assert_eq!(set_mode(&mut l, &args(&[0, 4, 0, 0])).rc, 0);
        assert!(!l.ile);
    }

    #[test]
    fn proc_tbl_is_hash_only() {
        assert_eq!(
            register_proc_tbl(&args(&[0x18, 0, 0, 0])).rc,
            0,
            "HPT with SLB"
        );
        assert_eq!(register_proc_tbl(&args(&[0x10, 0, 0, 0])).rc, 0);
        assert_eq!(
            register_proc_tbl(&args(&[0x18 | 0x4 | 0x1, 0, 0, 0])).rc,
            rc::H_PARAMETER,
            "radix"
        );
        assert_eq!(
            register_proc_tbl(&args(&[0x18 | 0x2, 0, 0, 0])).rc,
            rc::H_NOT_AVAILABLE
        );
        assert_eq!(
            register_proc_tbl(&args(&[1 << 40, 0, 0, 0])).rc,
            rc::H_PARAMETER
        );
    }

    #[test]
    fn vpa_registration_rules() {
        let ram = GuestRam::new(1 << 20).unwrap();
        let mut st = VpaState::default();
        let vpa = 0x1_0000u64;
        ram.write(vpa + 4, &640u16.to_be_bytes()).unwrap();
        let f = |func: u64| func << 45;
        // SLB shadow before the VPA: refused.
        ram.write_be32(0x2_0004, 0x100).unwrap();
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(3), 0, 0x2_0000])).rc,
            rc::H_RESOURCE
        );
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(1), 0, vpa + 8])).rc,
            rc::H_PARAMETER,
            "unaligned"
        );
        assert_eq!(register_vpa(&ram, &mut st, &args(&[f(1), 0, vpa])).rc, 0);
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(3), 0, 0x2_0000])).rc,
            0
        );
        assert_eq!(
            st,
            VpaState {
                vpa: Some(vpa),
                slb_shadow: Some(0x2_0000),
                dtl: None
            }
        );
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(5), 0, 0])).rc,
            rc::H_RESOURCE,
            "shadow still there"
        );
        assert_eq!(register_vpa(&ram, &mut st, &args(&[f(7), 0, 0])).rc, 0);
        assert_eq!(register_vpa(&ram, &mut st, &args(&[f(5), 0, 0])).rc, 0);
        // Crossing a 4K page, too small, outside RAM.
        ram.write(0x3_0f80 + 4, &640u16.to_be_bytes()).unwrap();
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(1), 0, 0x3_0f80])).rc,
            rc::H_PARAMETER
        );
        ram.write(0x4_0004, &100u16.to_be_bytes()).unwrap();
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(1), 0, 0x4_0000])).rc,
            rc::H_PARAMETER
        );
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(1), 0, 1 << 40])).rc,
            rc::H_PARAMETER
        );
        assert_eq!(
            register_vpa(&ram, &mut st, &args(&[f(4), 0, vpa])).rc,
            rc::H_PARAMETER
        );
    }

    #[test]
    fn page_init_zeroes_and_copies_checked_pages() {
        let ram = GuestRam::new(1 << 20).unwrap();
        ram.write(0x3000, &[7u8; 4096]).unwrap();
        assert_eq!(page_init(&ram, &args(&[H_COPY_PAGE, 0x5000, 0x3000])).rc, 0);
        assert_eq!(ram.read_be32(0x5ffc).unwrap(), 0x0707_0707);
        assert_eq!(page_init(&ram, &args(&[H_ZERO_PAGE, 0x5000, 0])).rc, 0);
        assert_eq!(ram.read_be32(0x5ffc).unwrap(), 0);
        for bad in [
            args(&[H_ZERO_PAGE, 0x5001, 0]),
            args(&[H_ZERO_PAGE, 1 << 20, 0]),
            args(&[H_COPY_PAGE, 0x5000, 0xff_f800]),
            args(&[1, 0x5000, 0]),
        ] {
            assert_eq!(page_init(&ram, &bad).rc, rc::H_PARAMETER, "{bad:x?}");
        }
    }

    #[test]
    fn random_is_deterministic_per_seed() {
        let (mut a, mut b, mut c) = (HRandom::new(1), HRandom::new(1), HRandom::new(2));
        let xa: Vec<u64> = (0..4).map(|_| a.h_random().out[0]).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.h_random().out[0]).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.h_random().out[0]).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
        assert_ne!(xa[0], xa[1]);
        assert_eq!(get_cpu_characteristics().outputs(), &[0, 0]);
    }
}

#[cfg(test)]
mod sys_reset_tests {
    use super::*;

    #[test]
    fn targets_follow_papr() {
        assert_eq!(sys_reset_targets(u64::MAX, 1, 3), Ok(vec![0, 1, 2]));
        assert_eq!(
            sys_reset_targets((-2i64).cast_unsigned(), 1, 3),
            Ok(vec![0, 2])
        );
        assert_eq!(sys_reset_targets(2, 0, 3), Ok(vec![2]));
        assert_eq!(sys_reset_targets(3, 0, 3), Err(rc::H_PARAMETER));
        assert_eq!(
            sys_reset_targets((-3i64).cast_unsigned(), 0, 3),
            Err(rc::H_PARAMETER)
        );
    }
}
