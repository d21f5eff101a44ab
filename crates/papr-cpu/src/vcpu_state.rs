//! The state of one vCPU that a snapshot or a live migration carries: papr's analogue of KVM's
//! KVM_GET/SET_REGS, KVM_GET/SET_SREGS and KVM_GET/SET_ONE_REG for a Book3S vCPU.
//!
//! [`VcpuState`] is plain data with public fields: everything of a thread that decides what it
//! does next — the architected registers (Book I and the privileged SPRs of Book III, the PMU
//! included), the SLB, the platform-controlled LPCR, the time base with its decrementer and
//! its clock position, and the interpreter's reservation (Book II 4.4.2) and retired count.
//! Caches are left out and rebuilt after a restore: the TLB, the partition table as last read
//! and the decoded-instruction memo. So is configuration the destination chooses: the clock
//! source (virtual or host), the interrupt line and the partition entry.
//!
//! [`Cpu::restore_state`] refuses a value the processor could never hold (reserved MSR, XER,
//! FPSCR, VSCR or SLB bits, a reservation that no larx makes…) with a [`VcpuStateError`]
//! naming the field, and changes nothing then. A value papr holds but gives no meaning to is
//! accepted as the thread would hold it: an SLB entry with a reserved segment size, say, is
//! kept and translates nothing, exactly as after the slbmte that wrote it. The byte encoding
//! is the platform's business (papr-machine's snapshot codec).

use thiserror::Error;

use crate::cpu::Cpu;
use crate::interp::fp::fpscr;
use crate::interp::{Interpreter, Reservation};
use crate::lpcr::Lpcr;
use crate::slb::{ESID_MASK, ESID_V, SLB_ENTRIES, VSID_WORD_MASK};
use crate::state::{msr, vscr, RegisterState, Xer};
use crate::timebase::{width_mask, TimebaseState};

/// The state of one vCPU (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VcpuState {
    /// The architected registers, MSR included (read with `regs.msr()`, set with
    /// [`VcpuState::set_msr`]). What a restore accepts: NIP word-aligned; MSR with bits of
    /// [`msr::GUEST_WRITABLE`] and ME only (HV, TS, TM and S 0) and EE = IR = DR = 1 when
    /// PR = 1; XER's `other` without the status bits; FPSCR within [`fpscr::VALID`]; VSCR
    /// NJ and SAT only; UAMOR within AMOR. PVR and PIR are in `regs.sprs`.
    pub regs: RegisterState,
    /// SLB entries as (ESID word, VSID word), as slbmfee/slbmfev read them (ESID || V;
    /// B, VSID, Ks, Kp, N, L, C, LP). Invalid entries keep the words they had.
    pub slb: [(u64, u64); SLB_ENTRIES],
    /// The platform-controlled LPCR (LPES is always 1 in papr).
    pub lpcr: Lpcr,
    /// The time base, the decrementer and the clock position.
    pub timebase: TimebaseState,
    /// The larx reservation, if one is held.
    pub reservation: Option<Reservation>,
    /// Instructions the interpreter has retired ([`Interpreter::retired`]).
    pub retired: u64,
}

/// A [`VcpuState`] value the processor could never hold.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum VcpuStateError {
    /// A register or field holds bits or a value it cannot hold.
    #[error("vCPU state field {field} = {value:#x}: {reason}")]
    Field {
        /// The field, as named in [`VcpuState`].
        field: &'static str,
        /// The refused value.
        value: u64,
        /// What the processor guarantees instead.
        reason: &'static str,
    },
    /// An SLB word has reserved bits set.
    #[error("vCPU state field slb[{index}].{word} = {value:#x}: reserved bits are set")]
    Slb {
        /// The entry.
        index: usize,
        /// `esid` or `vsid`.
        word: &'static str,
        /// The refused word.
        value: u64,
    },
}

/// The MSR bits a thread can hold.
const MSR_HELD: u64 = msr::GUEST_WRITABLE | msr::ME;

fn refuse(field: &'static str, value: u64, reason: &'static str) -> VcpuStateError {
    VcpuStateError::Field {
        field,
        value,
        reason,
    }
}

/// Checks `bad == 0`, i.e. that `value` has none of the bits it cannot hold.
fn only(
    field: &'static str,
    value: u64,
    bad: u64,
    reason: &'static str,
) -> Result<(), VcpuStateError> {
    if value & bad == 0 {
        Ok(())
    } else {
        Err(refuse(field, value, reason))
    }
}

impl VcpuState {
    /// The MSR.
    pub fn msr(&self) -> u64 {
        self.regs.msr()
    }

    /// Sets the MSR of the state (not of any thread: [`Cpu::restore_state`] validates it).
    pub fn set_msr(&mut self, value: u64) {
        self.regs.set_msr_raw(value);
    }

    /// Checks every field against what the processor can hold.
    pub fn validate(&self) -> Result<(), VcpuStateError> {
        let r = &self.regs;
        only(
            "regs.nip",
            r.nip,
            3,
            "instruction addresses are word-aligned",
        )?;
        let m = r.msr();
        only(
            "regs.msr",
            m,
            !MSR_HELD,
            "HV, TS, TM, S and reserved bits are 0",
        )?;
        let forced = msr::EE | msr::IR | msr::DR;
        if m & msr::PR != 0 && m & forced != forced {
            return Err(refuse("regs.msr", m, "PR = 1 forces EE, IR and DR on"));
        }
        only(
            "regs.xer.other",
            u64::from(r.xer.other),
            Xer::STATUS,
            "the status bits live in their own fields",
        )?;
        only("regs.fpscr", r.fpscr, !fpscr::VALID, "reserved bits are 0")?;
        only(
            "regs.vscr",
            u64::from(r.vscr),
            u64::from(!vscr::VALID),
            "only NJ and SAT exist",
        )?;
        only(
            "regs.sprs.uamor",
            r.sprs.uamor,
            !r.sprs.amor,
            "UAMOR is written through AMOR",
        )?;
        for (index, &(esid, vsid)) in self.slb.iter().enumerate() {
            for (word, value, held) in [
                ("esid", esid, ESID_MASK | ESID_V),
                ("vsid", vsid, VSID_WORD_MASK),
            ] {
                if value & !held != 0 {
                    return Err(VcpuStateError::Slb { index, word, value });
                }
            }
        }
        if !self.lpcr.lpes {
            return Err(refuse(
                "lpcr.lpes",
                0,
                "external interrupts always go to the OS in papr",
            ));
        }
        let tb = &self.timebase;
        if !(33..=64).contains(&tb.dec_bits) {
            return Err(refuse(
                "timebase.dec_bits",
                u64::from(tb.dec_bits),
                "the large decrementer is 33 to 64 bits wide",
            ));
        }
        only(
            "timebase.dec_written",
            tb.dec_written,
            !width_mask(tb.dec_bits),
            "DEC is no wider than dec_bits",
        )?;
        if let Some(r) = &self.reservation {
            validate_reservation(r)?;
        }
        Ok(())
    }
}

fn validate_reservation(r: &Reservation) -> Result<(), VcpuStateError> {
    let len = u64::from(r.len);
    if !matches!(len, 1 | 2 | 4 | 8 | 16) {
        return Err(refuse(
            "reservation.len",
            len,
            "larx accesses 1, 2, 4, 8 or 16 bytes",
        ));
    }
    only(
        "reservation.real",
        r.real,
        len - 1,
        "larx needs an aligned address",
    )?;
    if r.bytes[usize::from(r.len)..].iter().any(|&b| b != 0) {
        return Err(refuse(
            "reservation.bytes",
            len,
            "bytes past the access length are 0",
        ));
    }
    Ok(())
}

impl Cpu {
    /// The thread's state with `interp`'s, for a snapshot or a migration (KVM_GET_REGS,
    /// _SREGS, _ONE_REG).
    pub fn save_state(&self, interp: &Interpreter) -> VcpuState {
        VcpuState {
            regs: self.state.clone(),
            slb: self.slb.save(),
            lpcr: *self.lpcr(),
            timebase: self.timebase.save_state(),
            reservation: interp.reservation,
            retired: interp.retired,
        }
    }

    /// Makes this thread and `interp` continue exactly as the thread `state` was saved from
    /// (KVM_SET_REGS, _SREGS, _ONE_REG): the next instruction sees the restored registers,
    /// SLB, LPCR, time base and reservation, through emptied caches. PVR and PIR come from
    /// `state`; the clock source stays this thread's. A refused state changes nothing.
    pub fn restore_state(
        &mut self,
        interp: &mut Interpreter,
        state: &VcpuState,
    ) -> Result<(), VcpuStateError> {
        state.validate()?;
        self.state = state.regs.clone();
        self.slb.restore(&state.slb);
        self.set_lpcr(state.lpcr);
        self.timebase.restore_state(&state.timebase);
        self.drop_caches();
        interp.set_reservation(state.reservation);
        interp.retired = state.retired;
        interp.decoded = Default::default();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::cpu::CpuConfig;
    use crate::hpt::{npte, HptView, Hpte, HpteStorage, PartitionEntry};
    use crate::irq_line::InterruptLine;
    use crate::lpcr::Ail;
    use crate::mmu::AccessType;
    use crate::state::{Cr, Pmu, Sprs};
    use crate::timebase::{ClockSource, TimebaseConfig};
    use crate::Interrupt;

    fn cpu(clock: ClockSource) -> Cpu {
        Cpu::new(
            CpuConfig {
                timebase: TimebaseConfig {
                    clock,
                    ..TimebaseConfig::default()
                },
                ..CpuConfig::default()
            },
            Arc::new(PartitionEntry::new()),
            Arc::new(InterruptLine::new()),
        )
    }

    fn virtual_cpu() -> Cpu {
        cpu(ClockSource::Instructions { shift: 0 })
    }

    /// Sprs from 31 random words, UAMOR kept within AMOR.
    fn sprs(w: &[u64]) -> Sprs {
        let w32 = |i: usize| crate::state::low_word(w[i]);
        Sprs {
            srr0: w[0],
            srr1: w[1],
            dar: w[2],
            dsisr: w32(3),
            sprg: [w[4], w[5], w[6], w[7]],
            cfar: w[8],
            dscr: w[9],
            amr: w[10],
            iamr: w[11],
            uamor: w[12] & w[13],
            amor: w[13],
            tar: w[14],
            ppr: w[15],
            ctrl: w32(16),
            fscr: w[17],
            tidr: w[18],
            pidr: w[19],
            pspb: w32(20),
            ebbhr: w[21],
            ebbrr: w[22],
            bescr: w[23],
            pmu: Pmu {
                mmcr0: w[24],
                mmcr1: w[25],
                mmcr2: w[26],
                mmcra: w[27],
                pmc: [w32(28), w32(29), w32(30), w32(0), w32(1), w32(2)],
                siar: w[3],
                sdar: w[4],
                sier: w[5],
            },
            pir: w[6],
            pvr: w[7],
        }
    }

    prop_compose! {
        fn reservation()(
            shift in 0u32..5,
            real in any::<u64>(),
            bytes in any::<[u8; 16]>(),
        ) -> Reservation {
            let len = 1u8 << shift;
            let mut b = [0u8; 16];
            b[..usize::from(len)].copy_from_slice(&bytes[..usize::from(len)]);
            Reservation { real: real & !(u64::from(len) - 1), len, bytes: b }
        }
    }

    prop_compose! {
        fn timebase_state()(
            w in any::<[u64; 7]>(),
            dec_bits in 33u32..=64,
        ) -> TimebaseState {
            TimebaseState {
                retired: w[0],
                clock_ns: w[1],
                tb_offset: w[2],
                dec_written: w[3] & width_mask(dec_bits),
                dec_written_tb: w[4],
                dec_deadline: if w[5] % 4 == 0 { u64::MAX } else { w[5] },
                purr_base: w[6],
                dec_bits,
            }
        }
    }

    prop_compose! {
        /// Any state the processor can hold.
        fn valid_state()(
            gpr in any::<[u64; 32]>(),
            scalars in any::<[u64; 8]>(),
            xer_bits in any::<[bool; 5]>(),
            vsr in prop::collection::vec(any::<u128>(), 64),
            spr_words in prop::collection::vec(any::<u64>(), 31),
            slb in prop::collection::vec(any::<(u64, u64)>(), SLB_ENTRIES),
            lpcr_bits in any::<[bool; 3]>(),
            timebase in timebase_state(),
            reservation in prop::option::of(reservation()),
        ) -> VcpuState {
            let mut msr = scalars[0] & MSR_HELD;
            if msr & msr::PR != 0 {
                msr |= msr::EE | msr::IR | msr::DR;
            }
            let mut slb_words = [(0, 0); SLB_ENTRIES];
            for (o, &(e, v)) in slb_words.iter_mut().zip(&slb) {
                *o = (e & (ESID_MASK | ESID_V), v & VSID_WORD_MASK);
            }
            let mut regs = RegisterState::default();
            regs.gpr = gpr;
            regs.cr = Cr(crate::state::low_word(scalars[1]));
            regs.xer = Xer {
                so: xer_bits[0],
                ov: xer_bits[1],
                ca: xer_bits[2],
                ov32: xer_bits[3],
                ca32: xer_bits[4],
                other: crate::state::low_word(scalars[2] & !Xer::STATUS),
            };
            regs.lr = scalars[3];
            regs.ctr = scalars[4];
            regs.nip = scalars[5] & !3;
            regs.vsr = vsr.try_into().expect("64 VSRs");
            regs.fpscr = scalars[6] & fpscr::VALID;
            regs.vscr = crate::state::low_word(scalars[7]) & vscr::VALID;
            regs.vrsave = crate::state::low_word(scalars[7] >> 32);
            regs.sprs = sprs(&spr_words);
            regs.set_msr_raw(msr);
            VcpuState {
                regs,
                slb: slb_words,
                lpcr: Lpcr {
                    ail: if lpcr_bits[0] { Ail::Relocated } else { Ail::None },
                    ile: lpcr_bits[1],
                    lpes: true,
                    ld: lpcr_bits[2],
                },
                timebase,
                reservation,
                retired: scalars[0] ^ scalars[5],
            }
        }
    }

    proptest! {
        /// Random state -> restore -> save gives it back, on a fresh thread and on one that
        /// was running something else, whatever the virtual clock's rate.
        #[test]
        fn restore_then_save_is_the_identity(
            s in valid_state(),
            other in valid_state(),
            shift in 0u32..8,
        ) {
            let mut c = cpu(ClockSource::Instructions { shift });
            let mut i = Interpreter::new();
            c.restore_state(&mut i, &s).unwrap();
            prop_assert_eq!(c.save_state(&i), s.clone());
            let mut c = virtual_cpu();
            let mut i = Interpreter::new();
            c.restore_state(&mut i, &other).unwrap();
            c.restore_state(&mut i, &s).unwrap();
            prop_assert_eq!(c.save_state(&i), s);
        }

        /// Breaking one field is refused with that field's name, and leaves the thread as it
        /// was.
        #[test]
        fn impossible_values_are_refused(s in valid_state(), which in 0usize..12, bit in 0u32..64) {
            let mut bad = s.clone();
            let one = 1u64 << bit;
            let field = match which {
                0 => { bad.regs.nip |= 1 | (one & 3); "regs.nip" }
                1 => { bad.set_msr(bad.msr() | msr::HV); "regs.msr" }
                2 => { bad.set_msr((bad.msr() | msr::PR) & !msr::IR); "regs.msr" }
                3 => { bad.regs.xer.other |= crate::state::low_word(Xer::STATUS); "regs.xer.other" }
                4 => { bad.regs.fpscr |= 1 << 52; "regs.fpscr" }
                5 => { bad.regs.vscr |= 2; "regs.vscr" }
                6 => { bad.regs.sprs.amor = !one; bad.regs.sprs.uamor = u64::MAX; "regs.sprs.uamor" }
                7 => { bad.lpcr.lpes = false; "lpcr.lpes" }
                8 => { bad.timebase.dec_bits = 32 + 33 * (bit & 1); "timebase.dec_bits" }
                9 => {
                    bad.timebase.dec_bits = bad.timebase.dec_bits.min(63);
                    bad.timebase.dec_written = 1 << bad.timebase.dec_bits;
                    "timebase.dec_written"
                }
                10 => {
                    bad.reservation = Some(Reservation { real: 2, len: 4, bytes: [0; 16] });
                    "reservation.real"
                }
                _ => {
                    bad.reservation = Some(Reservation { real: 0, len: 3, bytes: [0; 16] });
                    "reservation.len"
                }
            };
            let mut c = virtual_cpu();
            let mut i = Interpreter::new();
            c.restore_state(&mut i, &s).unwrap();
            match c.restore_state(&mut i, &bad) {
                Err(VcpuStateError::Field { field: f, .. }) => prop_assert_eq!(f, field),
                other => prop_assert!(false, "{:?}", other),
            }
            prop_assert_eq!(c.save_state(&i), s);
        }
    }

    #[test]
    fn slb_reserved_bits_and_reservation_tails_are_refused() {
        let mut c = virtual_cpu();
        let mut i = Interpreter::new();
        let mut s = c.save_state(&i);
        s.slb[5].0 = 0x0800_0000 | 5; // V with the slbmte index still in RB's low bits
        assert_eq!(
            c.restore_state(&mut i, &s),
            Err(VcpuStateError::Slb {
                index: 5,
                word: "esid",
                value: 0x0800_0005
            })
        );
        s.slb[5] = (0, 1 << 4); // VSID word bit 59 is LP; bit 60 is reserved
        assert!(c.restore_state(&mut i, &s).is_ok());
        s.slb[5] = (0, 1 << 3);
        assert!(matches!(
            c.restore_state(&mut i, &s),
            Err(VcpuStateError::Slb {
                index: 5,
                word: "vsid",
                ..
            })
        ));
        s.slb[5] = (0, 0);
        s.reservation = Some(Reservation {
            real: 8,
            len: 8,
            bytes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0],
        });
        assert!(matches!(
            c.restore_state(&mut i, &s),
            Err(VcpuStateError::Field {
                field: "reservation.bytes",
                ..
            })
        ));
        // A reserved segment size is what slbmte leaves in the SLB: accepted, translates
        // nothing.
        let mut t = virtual_cpu();
        t.slbmte((2 << 62) | (0x77 << 12), 0x1000_0000 | 0x0800_0000 | 1);
        let words = t.save_state(&Interpreter::new()).slb;
        s.reservation = None;
        s.slb = words;
        c.restore_state(&mut i, &s).unwrap();
        assert_eq!(c.slb(), t.slb());
        assert_eq!(c.slb().lookup(0x1000_0000).unwrap().segment, None);
    }

    /// What a thread can be made to do from outside, to compare two threads by their future.
    #[derive(Debug, Clone)]
    enum Op {
        Mtspr(u32, u64),
        SetMsr(u64),
        Mtmsrd(u64),
        Slbmte(u64, u64),
        Slbie(u64),
        Lpcr(bool, bool, bool),
        Retire(u64),
        Gpr(usize, u64),
        Interrupt(u8),
        Rfid,
    }

    /// SPR numbers a supervisor can write (or try to).
    const SPRS: [u32; 40] = [
        1, 3, 8, 9, 13, 17, 18, 19, 22, 26, 27, 28, 29, 61, 136, 144, 152, 153, 157, 159, 256, 272,
        273, 274, 275, 284, 768, 769, 770, 771, 772, 779, 780, 782, 785, 796, 804, 815, 896, 898,
    ];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (prop::sample::select(SPRS.to_vec()), any::<u64>()).prop_map(|(s, v)| Op::Mtspr(s, v)),
            1 => any::<u64>().prop_map(Op::SetMsr),
            1 => any::<u64>().prop_map(Op::Mtmsrd),
            2 => (any::<u64>(), any::<u64>()).prop_map(|(rs, rb)| Op::Slbmte(rs, rb)),
            1 => any::<u64>().prop_map(Op::Slbie),
            1 => any::<(bool, bool, bool)>().prop_map(|(a, b, c)| Op::Lpcr(a, b, c)),
            2 => (0u64..1 << 34).prop_map(Op::Retire),
            1 => (0usize..32, any::<u64>()).prop_map(|(i, v)| Op::Gpr(i, v)),
            1 => any::<u8>().prop_map(Op::Interrupt),
            1 => Just(Op::Rfid),
        ]
    }

    fn apply(c: &mut Cpu, op: &Op) {
        match *op {
            Op::Mtspr(spr, v) => {
                let _ = c.mtspr(spr, v);
            }
            Op::SetMsr(v) => c.set_msr(v & MSR_HELD & !msr::PR),
            Op::Mtmsrd(v) => c.mtmsrd(v, false),
            Op::Slbmte(rs, rb) => c.slbmte(rs, rb),
            Op::Slbie(rb) => c.slbie(rb),
            Op::Lpcr(relocated, ile, ld) => c.set_lpcr(Lpcr {
                ail: if relocated { Ail::Relocated } else { Ail::None },
                ile,
                lpes: true,
                ld,
            }),
            Op::Retire(n) => c.timebase.retire(n),
            Op::Gpr(i, v) => c.state.gpr[i] = v,
            Op::Interrupt(k) => {
                let intr = match k % 4 {
                    0 => Interrupt::Decrementer,
                    1 => Interrupt::DataStorage {
                        dar: u64::from(k),
                        dsisr: 0x4000_0000,
                    },
                    2 => Interrupt::SystemCallVectored { lev: k },
                    _ => Interrupt::MachineCheck,
                };
                let nip = c.state.nip;
                c.take_exception(intr, nip);
            }
            Op::Rfid => c.rfid(),
        }
    }

    /// Registers, SLB words, LPCR, time-based readings, decrementer exception.
    type Observed = (RegisterState, Vec<(u64, u64)>, Lpcr, [Option<u64>; 6], bool);

    /// Everything the thread shows: registers, SLB, LPCR and the time-based registers.
    fn observe(c: &mut Cpu) -> Observed {
        let slb = (0..SLB_ENTRIES as u64)
            .map(|i| (c.slbmfee(i), c.slbmfev(i)))
            .collect();
        let large = c.lpcr().ld;
        let t = [
            Some(c.timebase.tb()),
            Some(c.timebase.read_dec(large)),
            Some(c.timebase.read_dec(!large)),
            Some(c.timebase.purr()),
            c.timebase.ticks_until_dec(),
            c.mfspr(22).ok().flatten(),
        ];
        (c.state.clone(), slb, *c.lpcr(), t, c.timebase.dec_pending())
    }

    proptest! {
        /// The honest check: a thread driven through its public operations, saved and
        /// restored into a fresh thread, is indistinguishable from the original now and after
        /// the same further operations (so no field is forgotten, whatever it is).
        #[test]
        fn a_restored_thread_has_the_same_future(
            before in prop::collection::vec(op(), 0..40),
            after in prop::collection::vec(op(), 0..40),
        ) {
            let mut a = virtual_cpu();
            for op in &before {
                apply(&mut a, op);
            }
            let mut ia = Interpreter::new();
            let s = a.save_state(&ia);
            let mut b = cpu(ClockSource::Instructions { shift: 0 });
            b.timebase.retire(12345);
            b.slbmte(0x1234_5000, 0x0800_0000);
            let mut ib = Interpreter::new();
            b.restore_state(&mut ib, &s).unwrap();
            prop_assert_eq!(observe(&mut a), observe(&mut b));
            for op in &after {
                apply(&mut a, op);
                apply(&mut b, op);
                prop_assert_eq!(observe(&mut a), observe(&mut b), "after {:?}", op);
            }
            prop_assert_eq!(a.save_state(&ia), b.save_state(&ib));
            ia.clear_reservation();
        }
    }

    #[test]
    fn host_clock_time_base_continues_from_the_saved_value() {
        let mut a = cpu(ClockSource::Host);
        a.timebase.set_tb(1 << 50);
        a.timebase.write_dec(1 << 40, true);
        let s = a.save_state(&Interpreter::new());
        let saved_tb = ns_ticks(s.timebase.clock_ns).wrapping_add(s.timebase.tb_offset);
        // A destination whose host clock started long ago, on a fresh thread.
        let mut b = cpu(ClockSource::Host);
        b.timebase.set_tb(7);
        b.restore_state(&mut Interpreter::new(), &s).unwrap();
        let tb = b.timebase.tb();
        // TB continues: at or after the saved value, by no more than the test's run time
        // (one second of ticks is a generous bound on a loaded machine).
        assert!(
            tb >= saved_tb && tb - saved_tb < crate::timebase::TB_FREQUENCY,
            "{tb:#x} vs {saved_tb:#x}"
        );
        let dec = b.timebase.read_dec(true);
        assert!(dec <= 1 << 40 && (1 << 40) - dec < crate::timebase::TB_FREQUENCY);
        assert!(!b.timebase.dec_pending());
    }

    fn ns_ticks(ns: u64) -> u64 {
        crate::timebase::ns_to_ticks(ns)
    }

    struct Table(Vec<Hpte>);
    impl HpteStorage for Table {
        fn entries(&self) -> &[Hpte] {
            &self.0
        }
    }

    #[test]
    fn restore_drops_cached_translations() {
        let pate = Arc::new(PartitionEntry::new());
        let view = HptView::new(
            Arc::new(Table((0..npte(18)).map(|_| Hpte::default()).collect())),
            18,
        );
        pate.set_table(Some(view.clone()));
        // 4K pages of VSIDs 0x2222 and 0x3333 at EA 0x1000_0000 (ISA hash, primary group).
        for (vsid, rpn) in [(0x2222u64, 0x81u64), (0x3333, 0x82)] {
            // Offset 0 in the segment: page index 0, so the hash is the VSID.
            let idx = usize::try_from(vsid & 0x7ff).unwrap() * 8;
            let va = vsid << 28;
            view.entries()[idx].store(((va >> 23) << 7) | 1, (rpn << 12) | 0x10 | 0x2);
        }
        let mut c = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
        let mut i = Interpreter::new();
        c.set_msr(msr::SF | msr::IR | msr::DR);
        c.slbmte(0x3333 << 12, 0x1000_0000 | 0x0800_0000);
        let mut s = c.save_state(&i);
        c.slbmte(0x2222 << 12, 0x1000_0000 | 0x0800_0000);
        assert_eq!(c.translate(0x1000_0010, AccessType::Store), Ok(0x81_010));
        // Same MSR, so only the restore itself can drop the TLB entry.
        c.restore_state(&mut i, &s).unwrap();
        assert_eq!(c.translate(0x1000_0010, AccessType::Store), Ok(0x82_010));
        // And the cached table: a restore onto a thread whose partition changed table.
        s.slb[0] = (0x1000_0000 | 0x0800_0000, 0x2222 << 12);
        c.partition().set_table(None);
        assert!(c.translate(0x1000_0010, AccessType::Load).is_err());
        c.partition().set_table(Some(view));
        c.restore_state(&mut i, &s).unwrap();
        assert_eq!(c.translate(0x1000_0010, AccessType::Load), Ok(0x81_010));
    }
}
