//! One POWER9 hardware thread as the hypervisor creates it: the register state, SLB, TLB,
//! platform-controlled LPCR and time base, bound to its partition's [`PartitionEntry`] and its
//! external-interrupt line.
//!
//! This is what the interpreter drives. It exposes the operations whose architected effects
//! reach beyond one register: address translation, interrupt delivery, the MSR-changing
//! instructions, the SLB instructions, mfspr/mtspr ([`crate::spr`]) and the question "which
//! interrupt is pending at this instruction boundary" (Power ISA 3.0B Book III 7.9, interrupt
//! priorities: external before decrementer, both gated by MSR\[EE] since LPCR\[LPES] = 1).

use std::sync::Arc;

use crate::exception::{self, Interrupt};
use crate::hpt::{HptView, PartitionEntry};
use crate::irq_line::InterruptLine;
use crate::lpcr::Lpcr;
use crate::mmu::{self, AccessType, Fault, MmuContext, Translation, REAL_MODE_MASK};
use crate::slb::Slb;
use crate::state::{msr, RegisterState};
use crate::timebase::{Timebase, TimebaseConfig};
use crate::tlb::Tlb;

/// POWER9 DD2.0, the PVR QEMU's "POWER9" reports (linux-pseries-boot.md 7.1).
pub const PVR_POWER9_DD20: u64 = 0x004e_1200;

/// How a vCPU is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuConfig {
    /// Processor version register.
    pub pvr: u64,
    /// Processor identification register (the hardware thread id, `ibm,ppc-interrupt-server`).
    pub pir: u64,
    /// Time base settings.
    pub timebase: TimebaseConfig,
}

impl Default for CpuConfig {
    fn default() -> Self {
        CpuConfig {
            pvr: PVR_POWER9_DD20,
            pir: 0,
            timebase: TimebaseConfig::default(),
        }
    }
}

/// One hardware thread.
#[derive(Debug)]
pub struct Cpu {
    /// The architected registers. The MSR inside can only be changed through `Cpu` methods.
    /// AMR and IAMR feed translation: write them with [`Cpu::mtspr`] (or call
    /// [`Cpu::flush_tlb`] after writing the fields directly).
    pub state: RegisterState,
    /// The time base, decrementer and utilization counters.
    pub timebase: Timebase,
    pub(crate) slb: Slb,
    tlb: Tlb,
    lpcr: Lpcr,
    partition: Arc<PartitionEntry>,
    irq: Arc<InterruptLine>,
    /// The partition's table as last read, and the generation it was read under.
    table: Option<HptView>,
    table_generation: Option<u64>,
    /// Translations made by walking the SLB and HPT (TLB misses that succeeded).
    walks: u64,
    config: CpuConfig,
}

impl Cpu {
    /// A thread in its power-on state (MSR = 0: 32-bit, big-endian, real mode), translating
    /// through `partition`'s table and taking external interrupts from `irq`.
    pub fn new(config: CpuConfig, partition: Arc<PartitionEntry>, irq: Arc<InterruptLine>) -> Self {
        Cpu {
            state: RegisterState::power_on(config.pvr, config.pir),
            timebase: Timebase::new(config.timebase),
            slb: Slb::new(),
            tlb: Tlb::new(),
            lpcr: Lpcr::reset(),
            partition,
            irq,
            table: None,
            table_generation: None,
            walks: 0,
            config,
        }
    }

    /// Resets the thread to its power-on register state, SLB and LPCR. The time base keeps
    /// running (it is shared by the partition).
    pub fn reset(&mut self) {
        self.state = RegisterState::power_on(self.config.pvr, self.config.pir);
        self.slb = Slb::new();
        self.lpcr = Lpcr::reset();
        self.tlb.flush();
    }

    /// The configuration.
    pub fn config(&self) -> &CpuConfig {
        &self.config
    }

    /// The partition entry this thread translates through.
    pub fn partition(&self) -> &Arc<PartitionEntry> {
        &self.partition
    }

    /// The external-interrupt line.
    pub fn interrupt_line(&self) -> &Arc<InterruptLine> {
        &self.irq
    }

    // ---- MSR ----------------------------------------------------------------------------

    /// The MSR (mfmsr).
    #[inline]
    pub fn msr(&self) -> u64 {
        self.state.msr()
    }

    /// Sets the MSR as the platform does (start-cpu, snapshot restore): no guest rule
    /// applies except that HV stays 0.
    pub fn set_msr(&mut self, value: u64) {
        let old = self.state.msr();
        self.state.set_msr_raw(value & !msr::HV);
        self.msr_changed(old);
    }

    #[inline]
    fn msr_changed(&mut self, old: u64) {
        if (old ^ self.state.msr()) & msr::TRANSLATION_MODE != 0 {
            self.tlb.flush();
        }
    }

    /// mtmsrd RS, L (privilege is the caller's check).
    pub fn mtmsrd(&mut self, rs: u64, l: bool) {
        let old = exception::mtmsrd(&mut self.state, rs, l);
        self.msr_changed(old);
    }

    /// mtmsr RS, L (privilege is the caller's check).
    pub fn mtmsr(&mut self, rs: u64, l: bool) {
        let old = exception::mtmsr(&mut self.state, rs, l);
        self.msr_changed(old);
    }

    /// rfid: returns to SRR0 with the MSR from SRR1 (privilege is the caller's check).
    pub fn rfid(&mut self) {
        let old = exception::rfid(&mut self.state);
        self.msr_changed(old);
    }

    /// rfscv: returns to LR with the MSR from CTR (privilege is the caller's check).
    pub fn rfscv(&mut self) {
        let old = exception::rfscv(&mut self.state);
        self.msr_changed(old);
    }

    // ---- interrupts -----------------------------------------------------------------------

    /// Delivers `intr`; `srr0` is the address SRR0 (LR for scv) receives per the ISA: the
    /// faulting instruction for precise synchronous interrupts, the next instruction for sc,
    /// scv, trace and asynchronous interrupts. Sets `state.nip` to the handler.
    pub fn take_exception(&mut self, intr: Interrupt, srr0: u64) {
        let old = exception::deliver(&mut self.state, &self.lpcr, intr, srr0);
        self.msr_changed(old);
    }

    /// The asynchronous interrupt to take at this instruction boundary, if any: external
    /// (the line is raised) before decrementer (DEC has gone negative), both only with
    /// MSR\[EE] = 1.
    #[inline]
    pub fn pending_interrupt(&self) -> Option<Interrupt> {
        if self.state.msr() & msr::EE == 0 {
            return None;
        }
        if self.irq.is_raised() {
            Some(Interrupt::External)
        } else if self.timebase.dec_pending() {
            Some(Interrupt::Decrementer)
        } else {
            None
        }
    }

    /// Whether an event that ends H_CEDE exists (external or decrementer, whatever MSR\[EE]).
    pub fn wake_pending(&self) -> bool {
        self.irq.is_raised() || self.timebase.dec_pending()
    }

    // ---- LPCR -----------------------------------------------------------------------------

    /// The platform-controlled LPCR.
    pub fn lpcr(&self) -> &Lpcr {
        &self.lpcr
    }

    /// Sets the LPCR (H_SET_MODE, reset, migration). It does not affect translation.
    pub fn set_lpcr(&mut self, lpcr: Lpcr) {
        self.lpcr = lpcr;
    }

    // ---- SLB ------------------------------------------------------------------------------

    /// The SLB.
    pub fn slb(&self) -> &Slb {
        &self.slb
    }

    /// slbmte RS, RB.
    pub fn slbmte(&mut self, rs: u64, rb: u64) {
        if self.slb.slbmte(rs, rb) {
            self.tlb.flush();
        }
    }

    /// slbie RB.
    pub fn slbie(&mut self, rb: u64) {
        self.slb.slbie(rb);
        // The lookaside information for the segment goes even if no entry matched.
        self.tlb.flush();
    }

    /// slbia IH.
    pub fn slbia(&mut self, ih: u32) {
        self.slb.slbia(ih);
        self.tlb.flush();
    }

    /// slbmfee RB.
    pub fn slbmfee(&self, rb: u64) -> u64 {
        self.slb.slbmfee(rb)
    }

    /// slbmfev RB.
    pub fn slbmfev(&self, rb: u64) -> u64 {
        self.slb.slbmfev(rb)
    }

    /// slbfee. RB: the VSID word, or `None` (RT = 0, CR0 = 0b00 || SO).
    pub fn slbfee(&self, rb: u64) -> Option<u64> {
        self.slb.slbfee(rb)
    }

    // ---- translation ----------------------------------------------------------------------

    /// Drops every cached translation (the interpreter calls it for tlbiel/tlbie, which a
    /// pseries guest does not use, and whenever it changes translation inputs directly; the
    /// platform calls it after taking the dirty-page log, see [`crate::Bus::note_ram_store`]).
    pub fn flush_tlb(&mut self) {
        self.tlb.flush();
    }

    /// Drops every cache of translation inputs: the TLB and the partition's table as last
    /// read (state restore).
    pub(crate) fn drop_caches(&mut self) {
        self.tlb.flush();
        self.table = None;
        self.table_generation = None;
    }

    /// Translates effective address `ea` for `access` to a guest real address, or the fault
    /// to deliver (`cpu.take_exception(fault.into(), cia)`). Applies the 32-bit-mode
    /// truncation, real mode, the SLB, the HPT, protection, and R/C recording.
    #[inline]
    pub fn translate(&mut self, ea: u64, access: AccessType) -> Result<u64, Fault> {
        let m = self.state.msr();
        let ea = if m & msr::SF == 0 {
            ea & 0xffff_ffff
        } else {
            ea
        };
        if m & access.relocation_bit() == 0 {
            return Ok(ea & REAL_MODE_MASK);
        }
        let generation = self.partition.generation();
        if let Some(ra) = self.tlb.lookup(ea, access, generation) {
            return Ok(ra);
        }
        self.translate_miss(ea, access, generation)
    }

    #[inline(never)]
    fn translate_miss(
        &mut self,
        ea: u64,
        access: AccessType,
        generation: u64,
    ) -> Result<u64, Fault> {
        let t = self.walk(ea, access, generation)?;
        self.tlb.fill(ea, t.ra, access, generation);
        self.walks = self.walks.wrapping_add(1);
        Ok(t.ra)
    }

    /// How many translations [`Cpu::translate`] has made by walking the SLB and HPT (TLB
    /// misses that succeeded; wrapping). A relocated access whose translation leaves it
    /// unchanged was served by the TLB, so it follows a walk since the last flush that made
    /// the same translation: the interpreter announces store pages on walks.
    #[inline]
    pub fn walks(&self) -> u64 {
        self.walks
    }

    /// Translates without the TLB, also returning the page size and WIMG bits (for the
    /// interpreter's MMIO and cache-inhibited decisions, and for debuggers).
    pub fn translate_uncached(
        &mut self,
        ea: u64,
        access: AccessType,
    ) -> Result<Translation, Fault> {
        let generation = self.partition.generation();
        self.walk(ea, access, generation)
    }

    fn walk(&mut self, ea: u64, access: AccessType, generation: u64) -> Result<Translation, Fault> {
        // Read the generation before the table: a table change between the two is then seen
        // as a generation change on the next access.
        if self.table_generation != Some(generation) {
            self.table = self.partition.table();
            self.table_generation = Some(generation);
        }
        let ctx = MmuContext {
            msr: self.state.msr(),
            amr: self.state.sprs.amr,
            iamr: self.state.sprs.iamr,
        };
        mmu::translate(&ctx, &self.slb, self.table.as_ref(), ea, access)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hpt::{npte, Hpte, HpteStorage};
    use crate::lpcr::Ail;

    struct Table(Vec<Hpte>);
    impl HpteStorage for Table {
        fn entries(&self) -> &[Hpte] {
            &self.0
        }
    }

    fn cpu_with_table() -> (Cpu, HptView) {
        let pate = Arc::new(PartitionEntry::new());
        let view = HptView::new(
            Arc::new(Table((0..npte(18)).map(|_| Hpte::default()).collect())),
            18,
        );
        pate.set_table(Some(view.clone()));
        let cpu = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
        (cpu, view)
    }

    /// 4K HPTE for `ea` in VSID 0x2222 (256M), placed from the ISA hash.
    fn map(view: &HptView, ea: u64, r: u64) -> usize {
        let hash = 0x2222 ^ ((ea & 0x0fff_ffff) >> 12);
        let va = (0x2222u64 << 28) | (ea & 0x0fff_ffff);
        let idx = usize::try_from(hash & 0x7ff).unwrap() * 8;
        view.entries()[idx].store(((va >> 23) << 7) | 1, r);
        idx
    }

    #[test]
    fn a_cpu_can_move_to_another_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Cpu>();
    }

    #[test]
    fn power_on_state() {
        let (cpu, _) = cpu_with_table();
        assert_eq!(cpu.msr(), 0);
        assert_eq!(cpu.state.sprs.pvr, 0x004e_1200);
        assert_eq!(cpu.lpcr().ail, Ail::None);
        assert!(cpu.pending_interrupt().is_none());
    }

    #[test]
    fn translate_through_tlb_and_invalidate_on_generation() {
        let (mut cpu, view) = cpu_with_table();
        cpu.set_msr(msr::SF | msr::IR | msr::DR);
        cpu.slbmte(0x2222 << 12, 0x1000_0000 | 0x0800_0000);
        let idx = map(&view, 0x1000_0000, 0x81_0000 | 0x10 | 0x2);
        assert_eq!(cpu.translate(0x1000_0010, AccessType::Load), Ok(0x81_0010));
        // A hit does not consult the table: change the HPTE behind the TLB's back.
        view.entries()[idx].store(view.entries()[idx].v(), 0x82_0000 | 0x10 | 0x2);
        assert_eq!(cpu.translate(0x1000_0020, AccessType::Load), Ok(0x81_0020));
        // The hypervisor's invalidation makes it visible.
        cpu.partition().invalidate();
        assert_eq!(cpu.translate(0x1000_0020, AccessType::Load), Ok(0x82_0020));
        // Removing it gives a DSI.
        view.entries()[idx].store(0, 0);
        cpu.partition().invalidate();
        assert_eq!(
            cpu.translate(0x1000_0020, AccessType::Load),
            Err(Fault::DataStorage {
                dar: 0x1000_0020,
                dsisr: 0x4000_0000
            })
        );
    }

    #[test]
    fn slb_and_msr_changes_drop_the_tlb() {
        let (mut cpu, view) = cpu_with_table();
        cpu.set_msr(msr::SF | msr::IR | msr::DR);
        cpu.slbmte(0x2222 << 12, 0x1000_0000 | 0x0800_0000);
        map(&view, 0x1000_0000, 0x81_0000 | 0x10 | 0x2);
        assert!(cpu.translate(0x1000_0000, AccessType::Store).is_ok());
        cpu.slbie(0x1000_0000);
        assert_eq!(
            cpu.translate(0x1000_0000, AccessType::Store),
            Err(Fault::DataSegment { dar: 0x1000_0000 })
        );
        cpu.slbmte(0x2222 << 12, 0x1000_0000 | 0x0800_0000);
        assert!(cpu.translate(0x1000_0000, AccessType::Store).is_ok());
        // Data relocation off: real mode again.
        cpu.mtmsrd(msr::SF | msr::IR, false);
        assert_eq!(
            cpu.translate(0x1000_0000, AccessType::Store),
            Ok(0x1000_0000)
        );
    }

    #[test]
    fn privilege_and_key_changes_reevaluate_cached_permissions() {
        let (mut cpu, view) = cpu_with_table();
        cpu.set_msr(msr::SF | msr::IR | msr::DR);
        // Kp = 1: problem state uses key 1. PP = 000: supervisor RW, user none. Storage key 3
        // (dword-1 bits 52:54 = 011).
        cpu.slbmte((0x2222 << 12) | 0x400, 0x1000_0000 | 0x0800_0000);
        map(&view, 0x1000_0000, 0x81_0000 | 0x600 | 0x10);
        assert_eq!(cpu.translate(0x1000_0000, AccessType::Load), Ok(0x81_0000));
        cpu.mtmsrd(msr::SF | msr::IR | msr::DR | msr::PR, false);
        assert_eq!(
            cpu.translate(0x1000_0000, AccessType::Load),
            Err(Fault::DataStorage {
                dar: 0x1000_0000,
                dsisr: 0x0800_0000
            })
        );
        cpu.set_msr(msr::SF | msr::IR | msr::DR);
        assert_eq!(cpu.translate(0x1000_0000, AccessType::Store), Ok(0x81_0000));
        // AMR bit 6 denies stores with key 3.
        cpu.mtspr(29, 1 << (63 - 6)).unwrap();
        assert_eq!(
            cpu.translate(0x1000_0000, AccessType::Store),
            Err(Fault::DataStorage {
                dar: 0x1000_0000,
                dsisr: 0x0220_0000
            })
        );
        assert_eq!(cpu.translate(0x1000_0000, AccessType::Load), Ok(0x81_0000));
    }

    #[test]
    fn external_before_decrementer_and_only_with_ee() {
        let (mut cpu, _) = cpu_with_table();
        cpu.set_msr(msr::SF);
        cpu.timebase.write_dec(u64::MAX, true);
        cpu.interrupt_line().raise();
        assert_eq!(cpu.pending_interrupt(), None);
        assert!(cpu.wake_pending());
        cpu.mtmsrd(msr::EE, true);
        assert_eq!(cpu.pending_interrupt(), Some(Interrupt::External));
        cpu.interrupt_line().lower();
        assert_eq!(cpu.pending_interrupt(), Some(Interrupt::Decrementer));
        let nip = 0x40_0000;
        cpu.take_exception(Interrupt::Decrementer, nip);
        assert_eq!(cpu.state.nip, 0x900);
        assert_eq!(cpu.state.sprs.srr0, nip);
        assert_eq!(cpu.state.sprs.srr1, msr::SF | msr::EE);
        assert_eq!(cpu.pending_interrupt(), None); // EE is now 0
    }

    #[test]
    fn fault_to_interrupt_round_trip() {
        let (mut cpu, _) = cpu_with_table();
        cpu.set_msr(msr::SF | msr::IR | msr::DR | msr::LE);
        let f = cpu.translate(0x3000_0000, AccessType::Fetch).unwrap_err();
        cpu.take_exception(f.into(), 0x3000_0000);
        assert_eq!(cpu.state.nip, 0x480);
        assert_eq!(cpu.state.sprs.srr0, 0x3000_0000);
        assert_eq!(cpu.state.sprs.srr1, 0x8000_0000_0000_0031);
        cpu.rfid();
        assert_eq!(cpu.state.nip, 0x3000_0000);
        assert_eq!(cpu.msr(), 0x8000_0000_0000_0031);
    }
}
