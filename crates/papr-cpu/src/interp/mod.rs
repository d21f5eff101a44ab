//! The instruction interpreter: fetch through the instruction TLB, decode with `papr-isa`,
//! execute, retire, and take asynchronous interrupts at instruction boundaries.
//!
//! Power ISA 3.0B: Book I (user instruction set), Book II (storage model: larx/stcx., cache
//! management, synchronisation) and Book III (privileged instructions, interrupts). Each module
//! quotes the chapter it implements:
//!
//! | module | instructions |
//! |---|---|
//! | [`integer`] | Book I 3.3: arithmetic, logical, rotate/shift, compare, XER/CR moves |
//! | [`branch`] | Book I 2.4–2.5: branches and CR logical instructions |
//! | [`loadstore`] | Book I 3.3.2–3.3.7: loads and stores, multiple and string |
//! | [`atomic`] | Book II 4.4: larx/stcx., sync/isync/eieio, cache management |
//! | [`system`] | Book III: sc/scv, rfid/rfscv, mtmsr(d), mfspr/mtspr, traps, SLB |
//! | [`fp`] | Book I 4: scalar binary floating point |
//! | [`vector`] | Book I 6–7: the VMX and VSX subset Linux and the guests use |
//!
//! **Memory.** The processor reaches guest-physical storage through a [`Bus`]: guest RAM as one
//! host mapping (the fast path: a translated real address inside RAM is a host pointer), and
//! everything else as MMIO, which the bus may refuse. A refused access raises a **machine
//! check** (0x200, SRR0 = the instruction), which is what a POWER9 does for a load or store
//! that gets an error response from the fabric (QEMU 7.2 TCG lets such a load complete); a
//! pseries guest never maps such addresses on purpose.
//!
//! **Exits.** `sc 1` in privileged state ends [`Interpreter::run`] with [`Exit::Hypercall`]: the
//! hcall number is r3, the arguments r4..r12, and NIP is already the next instruction, so the
//! caller writes the results into r3.. and runs again. `sc 1` in problem state does not
//! interrupt: r3 becomes H_PRIVILEGE (−3), as KVM does.
//!
//! **Trace.** Under MSR\[SE] (single step) every instruction that completes without an
//! interrupt, except rfid/rfscv (and the hypervisor-only hrfid/urfid/stop, sc and scv), is
//! followed by the trace interrupt (0xd00, SRR0 = the next instruction, SRR1 bit 33, bit 35/36
//! for a load/store with SDAR = its EA, SIAR = the traced instruction); under MSR\[BE] only
//! branches, taken or not (Book III 7.5.15). The check is made on the MSR the instruction
//! executes under, once per instruction, and all tracing work is off the hot path.
//!
//! **Never guess.** An instruction papr does not implement raises the illegal-instruction
//! program interrupt, exactly as an `Opcode::Invalid` word does.

// An interpreter is made of intentional bit-width conversions between register images and
// fields; every cast in these modules is a deliberate truncation or reinterpretation.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

pub mod atomic;
mod block;
pub mod branch;
pub mod differential;
pub mod fp;
mod hot;
pub mod integer;
pub mod loadstore;
pub mod monitor;
pub mod softfloat;
pub mod system;
#[cfg(test)]
mod tests;
pub mod vector;

use std::ptr::NonNull;

use papr_isa::{decode, Insn, Opcode};

use crate::cpu::Cpu;
use crate::exception::{Interrupt, ProgramCause, SRR1_TRACE, SRR1_TRACE_LOAD, SRR1_TRACE_STORE};
use crate::mmu::AccessType;
use crate::state::msr;
pub use monitor::{MonitorSlot, ReservationMonitor};

/// The guest-physical bus the interpreter loads, stores and fetches through.
///
/// **Dirty pages.** The interpreter stores into RAM through the host pointer [`Bus::ram`]
/// gives, so whoever keeps a dirty-page log (live migration's KVM_GET_DIRTY_LOG analogue) learns
/// of those stores from [`Bus::note_ram_store`], called with the RAM page before the store
/// whenever the store's translation is fresh: made without the TLB (MSR\[DR] = 0: every store)
/// or by a table walk that filled a store-TLB entry ([`Cpu::walks`] moved). A store through a
/// TLB entry already filled is not announced: the walk that filled it was. Every store path
/// (plain, indexed, update, multiple, string, quadword, FP, vector, stcx., dcbz, both halves
/// of a page-crossing store) translates its pages this way. Hence the contract: a log fed by
/// the hook misses nothing if, after it is enabled and after each take, every thread's TLB is
/// flushed ([`Cpu::flush_tlb`], or one partition generation change for all) before its next
/// `run`, takes happen only between runs, and nobody but the interpreter fills a store-TLB
/// entry (a platform calling `Cpu::translate` for a store would fill one unannounced).
///
/// # Safety
/// An implementation promises that the pointer [`Bus::ram`] returns is valid for reads and
/// writes of `size` bytes for as long as the bus value lives, and that nothing moves or unmaps
/// that memory meanwhile. Other vCPUs may access the same memory concurrently: the interpreter
/// only touches it through raw-pointer copies, never through Rust references.
pub unsafe trait Bus {
    /// Guest RAM: host address of guest-physical 0 and size in bytes (RAM is 0..size).
    fn ram(&self) -> (NonNull<u8>, u64);
    /// Reads `buf.len()` (1, 2, 4, 8 or 16) bytes at guest-physical `addr`, outside RAM, in
    /// storage order. `false`: nothing answers there (the processor takes a machine check).
    fn mmio_read(&mut self, addr: u64, buf: &mut [u8]) -> bool;
    /// Writes `buf` (storage order) at guest-physical `addr`, outside RAM. `false`: refused.
    fn mmio_write(&mut self, addr: u64, buf: &[u8]) -> bool;
    /// The interpreter may store into the 4 KiB RAM page at guest-physical `page`
    /// (page-aligned, inside RAM) through the host pointer from now on, until the thread's TLB
    /// is next flushed (see "Dirty pages" above). The default does nothing.
    #[inline]
    fn note_ram_store(&mut self, page: u64) {
        let _ = page;
    }
}

/// Why [`Interpreter::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `sc 1` from privileged state: serve hcall r3 with arguments r4.. and run again (NIP is
    /// the instruction after the `sc`).
    Hypercall,
    /// The instruction budget is spent.
    Budget,
}

/// What ends an instruction early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A precise interrupt: SRR0 = the instruction.
    Interrupt(Interrupt),
    /// An interrupt whose SRR0 (or LR) is the next instruction (sc, scv).
    InterruptAfter(Interrupt),
    /// `sc 1`: leave the loop; the instruction has completed.
    Hypercall,
}

/// An [`EventKind`], boxed: every instruction returns a [`Res`], and with the event behind a
/// pointer that is one register (null = completed) instead of a 24-byte value passed through
/// memory. Events are rare (interrupts, hcalls), so their allocation does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event(Box<EventKind>);

impl Event {
    /// A precise interrupt (SRR0 = the instruction).
    #[cold]
    #[inline(never)]
    pub(crate) fn interrupt(i: Interrupt) -> Event {
        Event(Box::new(EventKind::Interrupt(i)))
    }

    /// An interrupt whose SRR0 is the next instruction (sc, scv).
    #[cold]
    #[inline(never)]
    pub(crate) fn after(i: Interrupt) -> Event {
        Event(Box::new(EventKind::InterruptAfter(i)))
    }

    /// `sc 1` from privileged state.
    #[cold]
    #[inline(never)]
    pub(crate) fn hypercall() -> Event {
        Event(Box::new(EventKind::Hypercall))
    }

    /// What happened.
    pub(crate) fn kind(&self) -> EventKind {
        *self.0
    }
}

impl From<Interrupt> for Event {
    #[inline]
    fn from(i: Interrupt) -> Self {
        Event::interrupt(i)
    }
}

pub(crate) type Res = Result<(), Event>;

/// The illegal-instruction program interrupt.
#[cold]
#[inline(never)]
pub(crate) fn illegal() -> Event {
    Event::interrupt(Interrupt::Program(ProgramCause::Illegal))
}

/// The privileged-instruction program interrupt.
#[cold]
#[inline(never)]
pub(crate) fn privileged_instruction() -> Event {
    Event::interrupt(Interrupt::Program(ProgramCause::Privileged))
}

/// A load-and-reserve's reservation (Book II 4.4.2): the real address and length of the
/// access, and the 128-byte reservation granule it lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// The real address the larx accessed (aligned to `len`).
    pub real: u64,
    /// The access length: 1, 2, 4, 8 or 16.
    pub len: u8,
    /// The bytes the larx read (the first `len`; the rest are 0): a store by another vCPU or
    /// the hypervisor, which this thread's store check cannot see, is caught at stcx. time by
    /// comparing them.
    pub bytes: [u8; 16],
}

/// Per-thread interpreter state that is not architected register state.
#[derive(Debug, Default, Clone)]
pub struct Interpreter {
    pub(crate) reservation: Option<Reservation>,
    pub(crate) decoded: DecodeMemo,
    pub(crate) blocks: block::BlockCache,
    pub(crate) retired: u64,
    qemu_fp_compat: bool,
    /// This thread's place in its partition's reservation monitor, if it has siblings.
    monitor: Option<MonitorSlot>,
    /// The state of darn's generator ([`Interpreter::seed_random`]).
    random: u64,
    /// Fetch every instruction on its own instead of through decoded blocks
    /// ([`Interpreter::set_block_execution`]).
    single_fetch: bool,
}

/// Counters of one interpreter ([`Interpreter::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterpStats {
    /// Instructions retired.
    pub retired: u64,
    /// Decoded blocks entered (`retired / block_entries` is the average run length).
    pub block_entries: u64,
    /// Blocks decoded: first executions, code changed since, or cache conflicts.
    pub blocks_decoded: u64,
    /// Instructions fetched one at a time (under trace, or code outside RAM).
    pub single_steps: u64,
}

/// Reservation granule size on POWER9 (a cache block).
pub const RESERVATION_GRANULE: u64 = 128;

impl Interpreter {
    /// A fresh interpreter (no reservation).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reproduces QEMU 7.2's deviations from the ISA in the floating-point unit (see
    /// [`fp`]): for checking papr against outputs recorded on QEMU where they would otherwise
    /// diverge after the first such instruction. Never for running guests.
    pub fn set_qemu_fp_compat(&mut self, on: bool) {
        self.qemu_fp_compat = on;
    }

    /// Whether [`Interpreter::set_qemu_fp_compat`] is on.
    pub fn qemu_fp_compat(&self) -> bool {
        self.qemu_fp_compat
    }

    /// Instructions retired by this interpreter so far.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// How the interpreter has been executing (for `--stats` and the control socket).
    pub fn stats(&self) -> InterpStats {
        InterpStats {
            retired: self.retired,
            block_entries: self.blocks.entries,
            blocks_decoded: self.blocks.built,
            single_steps: self.decoded.steps,
        }
    }

    /// Drops the reservation (the platform does this when it writes guest memory the guest
    /// may have reserved, and on reset).
    pub fn clear_reservation(&mut self) {
        self.set_reservation(None);
    }

    /// Sets the reservation (a restored or migrated thread), publishing it in the monitor.
    pub(crate) fn set_reservation(&mut self, r: Option<Reservation>) {
        self.reservation = r;
        if let Some(m) = &self.monitor {
            match r {
                Some(r) => m.reserve(r.real),
                None => m.release(),
            }
        }
    }

    /// Whether instructions run through decoded blocks (the default) or are fetched one at a
    /// time through the decode memo. Both give the same architected results — the
    /// differential test ([`differential`]) holds them to it; the one-at-a-time path is the
    /// reference and a debugging aid.
    pub fn set_block_execution(&mut self, on: bool) {
        self.single_fetch = !on;
    }

    /// Seeds the generator darn reads (Book I 3.3.9). A fixed seed gives a reproducible
    /// sequence (papr's deterministic mode); the platform seeds each thread differently.
    pub fn seed_random(&mut self, seed: u64) {
        self.random = seed;
    }

    /// Joins the partition's reservation monitor: from now on this thread's stores clear the
    /// other threads' reservations on the granules they touch, and theirs clear this one's
    /// (Book II 4.4.2). A thread without a monitor sees only its own stores (and, at stcx.
    /// time, a changed value). A reservation already held is published.
    pub fn set_monitor(&mut self, slot: MonitorSlot) {
        if let Some(old) = self.monitor.replace(slot) {
            old.release();
        }
        self.set_reservation(self.reservation);
    }

    /// The monitor slot, if any.
    pub fn monitor(&self) -> Option<&MonitorSlot> {
        self.monitor.as_ref()
    }

    /// Runs at most `budget` instructions. Interrupts taken count as boundaries, not
    /// instructions.
    pub fn run<B: Bus>(&mut self, cpu: &mut Cpu, bus: &mut B, budget: u64) -> Exit {
        let (base, size) = bus.ram();
        let mut m = Machine {
            cpu,
            bus,
            ram: base,
            ram_size: size,
            resv: self.reservation,
            cia: 0,
            qemu_fp_compat: self.qemu_fp_compat,
            decoded: &mut self.decoded,
            blocks: &mut self.blocks,
            block_span: (0, 0),
            block_written: false,
            monitor: self.monitor.as_ref(),
            random: &mut self.random,
            single_fetch: self.single_fetch,
            fetch_page: None,
            trace_access: NOT_RECORDING,
        };
        let mut done = 0u64;
        let mut exit = Exit::Budget;
        while done < budget {
            if let Some(intr) = m.cpu.pending_interrupt() {
                let nip = m.cpu.state.nip;
                m.cpu.take_exception(intr, nip);
            }
            // Virtual time advances with every instruction (the block runner retires each
            // one), so a guest reading TB or DEC right after writing DEC sees time pass
            // exactly as often as it executes.
            let (n, r) = m.run_block(budget - done);
            done += n;
            if let Err(e) = r {
                match e.kind() {
                    EventKind::Interrupt(i) => {
                        let cia = m.cia;
                        m.cpu.take_exception(i, cia);
                    }
                    EventKind::InterruptAfter(i) => {
                        let nip = m.cpu.state.nip;
                        m.cpu.take_exception(i, nip);
                    }
                    EventKind::Hypercall => {
                        exit = Exit::Hypercall;
                        break;
                    }
                }
            }
        }
        self.reservation = m.resv;
        self.retired += done;
        exit
    }
}

/// One thread, its bus and its reservation while an instruction runs.
pub(crate) struct Machine<'a, B: Bus> {
    pub(crate) cpu: &'a mut Cpu,
    pub(crate) bus: &'a mut B,
    ram: NonNull<u8>,
    ram_size: u64,
    pub(crate) resv: Option<Reservation>,
    /// The current instruction's address.
    pub(crate) cia: u64,
    /// See [`Interpreter::set_qemu_fp_compat`].
    pub(crate) qemu_fp_compat: bool,
    decoded: &'a mut DecodeMemo,
    blocks: &'a mut block::BlockCache,
    /// The real addresses of the block executing (empty outside one): a store into them
    /// sets `block_written`, which ends the block after the store.
    block_span: (u64, u64),
    block_written: bool,
    /// The partition's reservation monitor (see [`Interpreter::set_monitor`]).
    pub(crate) monitor: Option<&'a MonitorSlot>,
    /// darn's generator state.
    pub(crate) random: &'a mut u64,
    /// See [`Interpreter::set_block_execution`].
    single_fetch: bool,
    fetch_page: Option<FetchPage>,
    /// The first data access (EA, load or store) of an instruction executing under
    /// MSR\[SE|BE], for the trace interrupt's SRR1 bits 35/36 and SDAR.
    /// [`Machine::execute_traced`] empties it around such an instruction and
    /// [`Machine::xlate`] fills it only when empty, so outside tracing it stays at
    /// [`NOT_RECORDING`] and costs one predictable test per data access.
    trace_access: Option<(u64, AccessType)>,
}

/// [`Machine::trace_access`] when no traced instruction is executing.
const NOT_RECORDING: Option<(u64, AccessType)> = Some((0, AccessType::Fetch));

/// The last instruction page translated, and what the translation depended on.
#[derive(Debug, Clone, Copy)]
struct FetchPage {
    ea_page: u64,
    real_page: u64,
    msr: u64,
    generation: u64,
}

/// Bits of the decoded-instruction memo index.
const MEMO_BITS: u32 = 15;

/// Which `exec_*` family executes an instruction ([`Machine::execute`]).
pub(crate) mod class {
    /// Not known yet: try the families in order and remember which one took it.
    pub const UNKNOWN: u8 = 0;
    pub const BRANCH: u8 = 1;
    pub const CR: u8 = 2;
    pub const INTEGER: u8 = 3;
    pub const LOADSTORE: u8 = 4;
    pub const ATOMIC: u8 = 5;
    pub const SYSTEM: u8 = 6;
    pub const FP: u8 = 7;
    pub const VECTOR: u8 = 8;
    /// No family takes it: the illegal-instruction interrupt.
    pub const NONE: u8 = 9;
    /// The first of the per-opcode kinds of [`super::hot`].
    pub const HOT: u8 = 16;
}

/// One memo entry: a decoded instruction (which carries its word) and its family.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemoEntry {
    pub(crate) insn: Insn,
    pub(crate) class: u8,
}

/// A direct-mapped memo of `decode`, indexed by the instruction's address and validated by
/// the instruction word itself. Decoding is a pure function of the word, and every fetch
/// reads the word from storage, so the memo can never return a stale instruction: code
/// patched by stores, DMA or the hypervisor is seen at the next fetch without any
/// invalidation (stronger than the ISA's icbi/isync requirement). Each entry also learns which
/// `exec_*` family executes the instruction — a function of the opcode alone — so later
/// executions dispatch straight to it.
#[derive(Debug, Clone)]
pub(crate) struct DecodeMemo {
    entries: Box<[MemoEntry]>,
    /// Instructions executed one at a time through the memo (trace, code outside RAM).
    steps: u64,
}

impl Default for DecodeMemo {
    fn default() -> Self {
        // Word 0 decodes to Invalid, so the initial entries are correct memos of word 0.
        let e = MemoEntry {
            insn: decode(0),
            class: class::UNKNOWN,
        };
        DecodeMemo {
            entries: vec![e; 1 << MEMO_BITS].into_boxed_slice(),
            steps: 0,
        }
    }
}

impl DecodeMemo {
    #[inline(always)]
    fn index(addr: u64) -> usize {
        ((addr >> 2) as usize) & ((1 << MEMO_BITS) - 1)
    }

    #[inline(always)]
    fn get(&mut self, addr: u64, word: u32) -> MemoEntry {
        // The index is masked to the table size.
        let e = &mut self.entries[Self::index(addr)];
        if e.insn.word != word {
            *e = MemoEntry {
                insn: decode(word),
                class: class::UNKNOWN,
            };
        }
        *e
    }

    /// Records the family of the instruction memoised for `addr`, if it is still `word`.
    #[cold]
    fn learn(&mut self, addr: u64, word: u32, c: u8) {
        let e = &mut self.entries[Self::index(addr)];
        if e.insn.word == word {
            e.class = c;
        }
    }
}

impl<B: Bus> Machine<'_, B> {
    /// Executes instructions from the decoded block at NIP (see [`block`]) until the block
    /// ends, the flow leaves it, the MSR or the fetch context changes, an instruction stores
    /// into the block, an interrupt is pending or `left` instructions have run. Returns how
    /// many instructions ran (each retired on the clock) and the last one's result. Under
    /// trace, or with code outside RAM, one instruction through [`Machine::step`].
    #[inline(always)]
    fn run_block(&mut self, left: u64) -> (u64, Res) {
        let cia0 = self.cpu.state.nip;
        let msr0 = self.cpu.state.msr();
        if msr0 & (msr::SE | msr::BE) != 0 || self.single_fetch {
            return self.step_retired();
        }
        let real0 = match self.fetch_translate(cia0) {
            Ok(r) => r,
            Err(e) => {
                self.cia = cia0;
                self.cpu.timebase.retire(1);
                return (1, Err(e));
            }
        };
        if real0 >= self.ram_size || self.ram_size - real0 < 4 || real0 & 3 != 0 {
            return self.step_retired();
        }
        let le = msr0 & msr::LE != 0;
        // SAFETY: RAM is readable for the bus's lifetime (Bus contract) and `real0 + 4` lies
        // inside it.
        let len = unsafe {
            self.blocks
                .get(real0, le, self.ram.as_ptr(), self.ram_size)
                .len
        };
        let bi = block::BlockCache::index(real0);
        self.block_span = (real0, real0 + 4 * len as u64);
        let mut n = 0u64;
        let mut k = 0usize;
        loop {
            let cia = self.cpu.state.mode_ea(cia0.wrapping_add(4 * k as u64));
            let next = self.cpu.state.mode_ea(cia.wrapping_add(4));
            self.cia = cia;
            self.cpu.state.nip = next;
            let e = self.blocks.entry(bi, k);
            let r = if e.class != class::UNKNOWN {
                self.execute_class(e.insn, e.class)
            } else {
                self.execute_block_learning(bi, k, e.insn)
            };
            n += 1;
            k += 1;
            self.cpu.timebase.retire(1);
            // Only the instructions that end a block (branches, sc, rfid, mtmsr(d), mtspr, SLB
            // ops, isync: `block::ends_block`) and interrupts change NIP other than by 4, the
            // MSR or the fetch translation, so those need no test here.
            debug_assert!(
                r.is_err()
                    || k == len
                    || (self.cpu.state.nip == next
                        && self.cpu.state.msr() == msr0
                        && (msr0 & msr::IR == 0 || self.fetch_page.is_some()))
            );
            if r.is_err()
                || k == len
                || n == left
                || self.block_written
                || self.cpu.pending_interrupt().is_some()
            {
                self.block_span = (0, 0);
                self.block_written = false;
                return (n, r);
            }
        }
    }

    /// One instruction through [`Machine::step`], retired on the clock.
    #[cold]
    #[inline(never)]
    fn step_retired(&mut self) -> (u64, Res) {
        self.decoded.steps += 1;
        let r = self.step();
        self.cpu.timebase.retire(1);
        (1, r)
    }

    /// The first execution of block entry `k` of block `bi`: as [`Machine::execute_word`],
    /// and the family that took the instruction is recorded in the entry.
    #[cold]
    #[inline(never)]
    fn execute_block_learning(&mut self, bi: usize, k: usize, insn: Insn) -> Res {
        if insn.op == Opcode::Invalid {
            return self.execute_word(insn, insn.word);
        }
        let (r, c) = self.execute_chain(insn);
        self.blocks.learn(bi, k, insn.word, c);
        r
    }

    /// Fetches, decodes and executes one instruction, then takes the trace interrupt if it
    /// completed under MSR\[SE|BE] (decided by the MSR it executed under).
    #[inline(always)]
    fn step(&mut self) -> Res {
        let cia = self.cpu.state.nip;
        let te = self.cpu.state.msr() & (msr::SE | msr::BE);
        self.cia = cia;
        let real = self.fetch_translate(cia)?;
        let raw = if real < self.ram_size && self.ram_size - real >= 4 {
            // SAFETY: `real..real+4` lies inside RAM (Bus contract); unaligned-safe read.
            unsafe {
                self.ram
                    .as_ptr()
                    .add(real as usize)
                    .cast::<u32>()
                    .read_unaligned()
            }
        } else {
            let mut b = [0u8; 4];
            self.read_real(real, &mut b)?;
            u32::from_ne_bytes(b)
        };
        let word = if self.le() {
            u32::from_le(raw)
        } else {
            u32::from_be(raw)
        };
        self.cpu.state.nip = self.cpu.state.mode_ea(cia.wrapping_add(4));
        let e = self.decoded.get(real, word);
        if te != 0 {
            return self.execute_traced(te, e.insn, word);
        }
        if e.class != class::UNKNOWN {
            return self.execute_class(e.insn, e.class);
        }
        self.execute_learning(real, e.insn, word)
    }

    /// The first execution of a memo entry: executes as [`Machine::execute_word`] does and
    /// records which family took the instruction.
    #[cold]
    #[inline(never)]
    fn execute_learning(&mut self, real: u64, insn: Insn, word: u32) -> Res {
        if insn.op == Opcode::Invalid {
            // Branches with ignored BO bits and lfdp/stfdp are re-decoded from the raw word
            // every time.
            return self.execute_word(insn, word);
        }
        let (r, c) = self.execute_chain(insn);
        self.decoded.learn(real, word, c);
        r
    }

    /// Executes `insn` decoded from `word`, working around the decoder's gaps (branches
    /// with ignored BO bits, lfdp/stfdp).
    #[inline(always)]
    fn execute_word(&mut self, mut insn: Insn, word: u32) -> Res {
        if insn.op == Opcode::Invalid {
            if let Some(i) = branch::ignored_bo_bits(word) {
                insn = i;
            } else if let Some(r) = self.exec_fp_pair(word) {
                return r;
            }
        }
        self.execute(insn)
    }

    /// [`Machine::execute`] under MSR\[SE|BE]: records the first data access, then takes
    /// the trace interrupt if the instruction completed.
    #[cold]
    #[inline(never)]
    fn execute_traced(&mut self, te: u64, insn: Insn, word: u32) -> Res {
        let op = match branch::ignored_bo_bits(word) {
            Some(i) if insn.op == Opcode::Invalid => i.op,
            _ => insn.op,
        };
        self.trace_access = None;
        let r = self.execute_word(insn, word);
        if r.is_ok() {
            self.trace(te, op);
        }
        self.trace_access = NOT_RECORDING;
        r
    }

    /// The trace interrupt after an instruction that completed without an interrupt while
    /// MSR\[SE|BE] (`te`) was set (Book III 7.5.15; MSR\[TE], bits 53:54).
    ///
    /// - Single step (SE): after every instruction except rfid, hrfid, urfid, rfscv and stop;
    ///   sc and scv never complete without their interrupt (nor does a trap that traps), so
    ///   they are never traced — `sc 1` from problem state, which papr completes with
    ///   H_PRIVILEGE, is excluded with them.
    /// - Branch trace (BE): after b, bc, bclr, bcctr, bctar, taken or not.
    /// - SE = BE = 1 (TE = 0b11, reserved): both, i.e. every instruction single-steps.
    /// - SRR0 = the next instruction; SRR1 = the MSR bits as for every interrupt, bit 33 = 1,
    ///   bit 35 = a Load-type / bit 36 = a Store-type storage access (papr: an access the
    ///   instruction translated, so larx/dcbst/dcbf are loads and stcx./dcbz stores);
    ///   SIAR = the traced instruction's address, SDAR = the EA of its storage operand (left
    ///   unchanged, the ISA's "undefined", when it has none). New MSR, AIL: as for others.
    #[cold]
    #[inline(never)]
    fn trace(&mut self, te: u64, op: Opcode) {
        use Opcode as O;
        if matches!(
            op,
            O::Rfid | O::Rfscv | O::Hrfid | O::Urfid | O::Stop | O::Sc | O::Scv
        ) {
            return;
        }
        let branch = matches!(op, O::B | O::Bc | O::Bclr | O::Bcctr | O::Bctar);
        if te & msr::SE == 0 && !branch {
            return;
        }
        let mut status = SRR1_TRACE;
        match self.trace_access {
            Some((ea, AccessType::Load)) => {
                status |= SRR1_TRACE_LOAD;
                self.cpu.state.sprs.pmu.sdar = ea;
            }
            Some((ea, AccessType::Store)) => {
                status |= SRR1_TRACE_STORE;
                self.cpu.state.sprs.pmu.sdar = ea;
            }
            _ => {}
        }
        self.cpu.state.sprs.pmu.siar = self.cia;
        let nip = self.cpu.state.nip;
        self.cpu.take_exception(Interrupt::Trace { status }, nip);
    }

    /// Instruction-fetch translation with a one-page cache in front of the TLB. The cached
    /// page is valid for the MSR and partition generation it was made under; SLB
    /// instructions and mtspr drop it (AMR/IAMR feed protection), and it lives only for one
    /// `run` call, so platform changes between runs cannot leave it stale.
    #[inline(always)]
    fn fetch_translate(&mut self, cia: u64) -> Result<u64, Event> {
        let m = self.cpu.state.msr();
        if m & msr::IR == 0 {
            return self
                .cpu
                .translate(cia, AccessType::Fetch)
                .map_err(|f| Event::interrupt(f.into()));
        }
        let ea = self.cpu.state.mode_ea(cia);
        let generation = self.cpu.partition().generation();
        if let Some(c) = self.fetch_page {
            if c.ea_page == ea & !0xfff && c.msr == m && c.generation == generation {
                return Ok(c.real_page | (ea & 0xfff));
            }
        }
        let real = self
            .cpu
            .translate(cia, AccessType::Fetch)
            .map_err(|f| Event::interrupt(f.into()))?;
        self.fetch_page = Some(FetchPage {
            ea_page: ea & !0xfff,
            real_page: real & !0xfff,
            msr: m,
            generation,
        });
        Ok(real)
    }

    /// Drops this thread's reservation, in the monitor too.
    #[cold]
    pub(crate) fn drop_resv(&mut self) {
        self.resv = None;
        if let Some(m) = self.monitor {
            m.release();
        }
    }

    /// Drops the fetch-page cache (SLB instructions, mtspr).
    #[inline]
    pub(crate) fn drop_fetch_page(&mut self) {
        self.fetch_page = None;
    }

    #[inline]
    pub(crate) fn le(&self) -> bool {
        self.cpu.state.msr() & msr::LE != 0
    }

    /// Reads guest-physical bytes (RAM or MMIO).
    #[inline(always)]
    pub(crate) fn read_real(&mut self, real: u64, buf: &mut [u8]) -> Res {
        let n = buf.len() as u64;
        if real < self.ram_size && self.ram_size - real >= n {
            // SAFETY: `real..real+n` lies inside RAM, which the Bus contract keeps mapped for
            // the bus's lifetime; the copy goes through raw pointers only.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    self.ram.as_ptr().add(real as usize),
                    buf.as_mut_ptr(),
                    buf.len(),
                );
            }
            Ok(())
        } else {
            self.mmio_read(real, buf)
        }
    }

    /// A load outside RAM: the bus answers, or the processor takes a machine check.
    #[cold]
    #[inline(never)]
    fn mmio_read(&mut self, real: u64, buf: &mut [u8]) -> Res {
        if self.bus.mmio_read(real, buf) {
            Ok(())
        } else {
            Err(Event::interrupt(Interrupt::MachineCheck))
        }
    }

    /// Writes guest-physical bytes (RAM or MMIO); a store into the reservation granule drops
    /// the reservation.
    #[inline(always)]
    pub(crate) fn write_real(&mut self, real: u64, buf: &[u8]) -> Res {
        let n = buf.len() as u64;
        if let Some(r) = self.resv {
            let g = r.real & !(RESERVATION_GRANULE - 1);
            if real < g + RESERVATION_GRANULE && real + n > g {
                self.drop_resv();
            }
        }
        if let Some(m) = self.monitor {
            m.store(real, n);
        }
        if real < self.block_span.1 && real + n > self.block_span.0 {
            self.block_written = true;
        }
        if real < self.ram_size && self.ram_size - real >= n {
            // SAFETY: as in `read_real`.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    buf.as_ptr(),
                    self.ram.as_ptr().add(real as usize),
                    buf.len(),
                );
            }
            Ok(())
        } else {
            self.mmio_write(real, buf)
        }
    }

    /// A store outside RAM: the bus takes it, or the processor takes a machine check.
    #[cold]
    #[inline(never)]
    fn mmio_write(&mut self, real: u64, buf: &[u8]) -> Res {
        if self.bus.mmio_write(real, buf) {
            Ok(())
        } else {
            Err(Event::interrupt(Interrupt::MachineCheck))
        }
    }

    /// Translates a data access of `len` bytes at `ea` that lies within one 4K page.
    #[inline(always)]
    pub(crate) fn xlate(&mut self, ea: u64, access: AccessType) -> Result<u64, Event> {
        if self.trace_access.is_none() {
            self.record_access(ea, access);
        }
        if access == AccessType::Store {
            return self.xlate_store(ea);
        }
        self.cpu
            .translate(ea, access)
            .map_err(|f| Event::interrupt(f.into()))
    }

    /// Translates a store, announcing its RAM page to the bus when the translation is fresh:
    /// made without the TLB (real mode) or by a walk that filled it (see [`Bus`], "Dirty
    /// pages").
    #[inline(always)]
    fn xlate_store(&mut self, ea: u64) -> Result<u64, Event> {
        let walks = self.cpu.walks();
        let real = self
            .cpu
            .translate(ea, AccessType::Store)
            .map_err(|f| Event::interrupt(f.into()))?;
        if self.cpu.state.msr() & msr::DR == 0 || self.cpu.walks() != walks {
            self.announce_store(real);
        }
        Ok(real)
    }

    /// Tells the bus that the RAM page of `real` is about to be stored to (see [`Bus`],
    /// "Dirty pages"). Out of line, so the store paths inlined everywhere stay small.
    #[cold]
    #[inline(never)]
    fn announce_store(&mut self, real: u64) {
        if real < self.ram_size {
            self.bus.note_ram_store(real & !0xfff);
        }
    }

    /// Records the first data access of a traced instruction (see `trace_access`).
    #[cold]
    #[inline(never)]
    fn record_access(&mut self, ea: u64, access: AccessType) {
        self.trace_access = Some((ea, access));
    }

    /// Loads `buf.len()` bytes from effective address `ea` in storage order.
    #[inline(always)]
    pub(crate) fn load_bytes(&mut self, ea: u64, buf: &mut [u8]) -> Res {
        let ea = self.cpu.state.mode_ea(ea);
        if (ea & 0xfff) + buf.len() as u64 <= 0x1000 {
            let real = self.xlate(ea, AccessType::Load)?;
            self.read_real(real, buf)
        } else {
            self.load_bytes_crossing(ea, buf)
        }
    }

    /// A load that crosses a page: translates both pages before touching anything.
    #[cold]
    #[inline(never)]
    fn load_bytes_crossing(&mut self, ea: u64, buf: &mut [u8]) -> Res {
        let first = (0x1000 - (ea & 0xfff)) as usize;
        let ea2 = self.cpu.state.mode_ea(ea.wrapping_add(first as u64));
        let r1 = self.xlate(ea, AccessType::Load)?;
        let r2 = self.xlate(ea2, AccessType::Load)?;
        let (a, b) = buf.split_at_mut(first);
        self.read_real(r1, a)?;
        self.read_real(r2, b)
    }

    /// Stores `buf` (storage order) at effective address `ea`.
    #[inline(always)]
    pub(crate) fn store_bytes(&mut self, ea: u64, buf: &[u8]) -> Res {
        let ea = self.cpu.state.mode_ea(ea);
        if (ea & 0xfff) + buf.len() as u64 <= 0x1000 {
            let real = self.xlate(ea, AccessType::Store)?;
            self.write_real(real, buf)
        } else {
            self.store_bytes_crossing(ea, buf)
        }
    }

    /// A store that crosses a page: translates both pages before touching anything.
    #[cold]
    #[inline(never)]
    fn store_bytes_crossing(&mut self, ea: u64, buf: &[u8]) -> Res {
        let first = (0x1000 - (ea & 0xfff)) as usize;
        let ea2 = self.cpu.state.mode_ea(ea.wrapping_add(first as u64));
        let r1 = self.xlate(ea, AccessType::Store)?;
        let r2 = self.xlate(ea2, AccessType::Store)?;
        let (a, b) = buf.split_at(first);
        self.write_real(r1, a)?;
        self.write_real(r2, b)
    }

    /// Loads an `N`-byte integer (N = 1, 2, 4, 8) in the current byte order.
    #[inline(always)]
    pub(crate) fn load<const N: usize>(&mut self, ea: u64) -> Result<u64, Event> {
        let mut b = [0u8; N];
        self.load_bytes(ea, &mut b)?;
        Ok(bytes_to_int(&b, self.le()))
    }

    /// Loads an `N`-byte integer in the opposite of the current byte order (byte-reversed).
    #[inline]
    pub(crate) fn load_rev<const N: usize>(&mut self, ea: u64) -> Result<u64, Event> {
        let mut b = [0u8; N];
        self.load_bytes(ea, &mut b)?;
        Ok(bytes_to_int(&b, !self.le()))
    }

    /// Stores the low `N` bytes of `value` in the current byte order.
    #[inline(always)]
    pub(crate) fn store<const N: usize>(&mut self, ea: u64, value: u64) -> Res {
        let b: [u8; N] = int_to_bytes(value, self.le());
        self.store_bytes(ea, &b)
    }

    /// Stores the low `N` bytes of `value` byte-reversed.
    #[inline]
    pub(crate) fn store_rev<const N: usize>(&mut self, ea: u64, value: u64) -> Res {
        let b: [u8; N] = int_to_bytes(value, !self.le());
        self.store_bytes(ea, &b)
    }

    /// Loads 16 bytes as a 128-bit value in the current byte order.
    pub(crate) fn load128(&mut self, ea: u64) -> Result<u128, Event> {
        let mut b = [0u8; 16];
        self.load_bytes(ea, &mut b)?;
        Ok(if self.le() {
            u128::from_le_bytes(b)
        } else {
            u128::from_be_bytes(b)
        })
    }

    /// Stores a 128-bit value in the current byte order.
    pub(crate) fn store128(&mut self, ea: u64, v: u128) -> Res {
        let b = if self.le() {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        };
        self.store_bytes(ea, &b)
    }

    /// GPR `r`, or 0 when `r` is 0 (the `(RA|0)` operand).
    #[inline]
    pub(crate) fn ra0(&self, r: usize) -> u64 {
        if r == 0 {
            0
        } else {
            self.cpu.state.gpr[r]
        }
    }

    /// Whether the thread is in privileged (not problem) state.
    #[inline]
    pub(crate) fn privileged(&self) -> Res {
        if self.cpu.state.problem_state() {
            Err(privileged_instruction())
        } else {
            Ok(())
        }
    }

    /// Executes `insn`, whose family is not known: each family in turn until one takes it.
    #[inline(always)]
    fn execute(&mut self, insn: Insn) -> Res {
        self.execute_family(insn).0
    }

    /// [`Machine::execute`], also returning the dispatch kind of the instruction: the family
    /// that took it, or its own kind for the opcodes of [`hot`].
    fn execute_chain(&mut self, insn: Insn) -> (Res, u8) {
        let (r, c) = self.execute_family(insn);
        (r, hot::kind_of(insn.op, c))
    }

    /// [`Machine::execute`], also returning the family that took the instruction.
    fn execute_family(&mut self, insn: Insn) -> (Res, u8) {
        use Opcode as O;
        match insn.op {
            O::Invalid => return (Err(illegal()), class::NONE),
            O::B | O::Bc | O::Bclr | O::Bcctr | O::Bctar => {
                return (self.exec_branch(insn), class::BRANCH)
            }
            O::Crand
            | O::Crandc
            | O::Creqv
            | O::Crnand
            | O::Crnor
            | O::Cror
            | O::Crorc
            | O::Crxor
            | O::Mcrf => return (self.exec_cr(insn), class::CR),
            _ => {}
        }
        if let Some(r) = self.exec_integer(insn) {
            return (r, class::INTEGER);
        }
        if let Some(r) = self.exec_loadstore(insn) {
            return (r, class::LOADSTORE);
        }
        if let Some(r) = self.exec_atomic(insn) {
            return (r, class::ATOMIC);
        }
        if let Some(r) = self.exec_system(insn) {
            return (r, class::SYSTEM);
        }
        if let Some(r) = self.exec_fp(insn) {
            return (r, class::FP);
        }
        if let Some(r) = self.exec_vector(insn) {
            return (r, class::VECTOR);
        }
        (Err(illegal()), class::NONE)
    }

    /// Executes `insn` by the dispatch kind `c` learned for it (see [`DecodeMemo`], [`hot`]).
    #[inline(always)]
    fn execute_class(&mut self, insn: Insn, c: u8) -> Res {
        self.execute_kind(insn, c)
    }
}

/// Bytes in storage order to an integer, little- or big-endian.
#[inline]
pub(crate) fn bytes_to_int<const N: usize>(b: &[u8; N], le: bool) -> u64 {
    let mut v = 0u64;
    if le {
        for &x in b.iter().rev() {
            v = (v << 8) | u64::from(x);
        }
    } else {
        for &x in b {
            v = (v << 8) | u64::from(x);
        }
    }
    v
}

/// The low `N` bytes of an integer in storage order.
#[inline]
pub(crate) fn int_to_bytes<const N: usize>(v: u64, le: bool) -> [u8; N] {
    let mut b = [0u8; N];
    for (i, x) in b.iter_mut().enumerate() {
        let shift = if le { 8 * i } else { 8 * (N - 1 - i) };
        *x = (v >> shift) as u8;
    }
    b
}
