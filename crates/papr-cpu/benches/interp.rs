//! Interpreted MIPS on three small bare-metal loops (docs/PERFORMANCE.md): an integer loop, a
//! memory-copy loop and an FP loop, each an endless `b`-closed loop run for a fixed number of
//! instructions, big-endian 64-bit real mode; and the integer loop again with instruction and
//! data relocation on (a 1T segment with 64K pages, as the Linux kernel runs); and the copy
//! loop in both modes with dirty-page logging on, through a bus that marks an atomic bitmap
//! the way papr-hv's `GuestRam::mark_dirty` does (`Bus::note_ram_store`).
// Bench code: the casts are on small known encodings and addresses.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use papr_cpu::hpt::{npte, HptView, Hpte, HpteStorage, PartitionEntry, Segment, SegmentSize};
use papr_cpu::state::msr;
use papr_cpu::{Cpu, CpuConfig, Interpreter, InterruptLine};

const RAM: usize = 1 << 20;
const CODE: u64 = 0x1000;
const STEPS: u64 = 1_000_000;

#[path = "../tests/support/mod.rs"]
mod support;

use support::{d, x, StorePages};

type VecBus = support::VecBus<Option<DirtyBits>>;

/// Dirty logging on: one bit per 4K page (the `GuestRam` scheme).
struct DirtyBits {
    logging: AtomicBool,
    words: Vec<AtomicU64>,
}

impl StorePages for Option<DirtyBits> {
    #[inline]
    fn note(&mut self, page: u64) {
        if let Some(d) = self {
            if d.logging.load(Ordering::Acquire) {
                let p = (page >> 12) as usize;
                let (w, bit) = (&d.words[p / 64], 1 << (p % 64));
                if w.load(Ordering::Relaxed) & bit == 0 {
                    w.fetch_or(bit, Ordering::Release);
                }
            }
        }
    }
}

/// Turns dirty logging on.
fn log_dirty(bus: &mut VecBus) {
    bus.pages = Some(DirtyBits {
        logging: AtomicBool::new(true),
        words: (0..RAM / 4096 / 64).map(|_| AtomicU64::new(0)).collect(),
    });
}

fn rlwinm(ra: u32, rs: u32, sh: u32, mb: u32, me: u32) -> u32 {
    (21 << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) | (me << 1)
}
fn a_form(xo: u32, frt: u32, fra: u32, frb: u32, frc: u32) -> u32 {
    (63 << 26) | (frt << 21) | (fra << 16) | (frb << 11) | (frc << 6) | (xo << 1)
}
/// `b` back over the `n` instructions before it.
fn b_back(n: u32) -> u32 {
    (18 << 26) | ((0u32.wrapping_sub(4 * n)) & 0x03ff_fffc)
}

fn setup(code: &[u32]) -> (Cpu, VecBus) {
    let mut mem = vec![0u8; RAM];
    for (i, w) in code.iter().enumerate() {
        let at = CODE as usize + 4 * i;
        mem[at..at + 4].copy_from_slice(&w.to_be_bytes());
    }
    let mut cpu = Cpu::new(
        CpuConfig::default(),
        Arc::new(PartitionEntry::new()),
        Arc::new(InterruptLine::new()),
    );
    cpu.set_msr(msr::SF | msr::FP);
    cpu.state.nip = CODE;
    (cpu, VecBus { mem, pages: None })
}

struct Table(Vec<Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[Hpte] {
        &self.0
    }
}

/// As `setup`, but with instruction and data relocation on: a 1T segment at
/// 0xc000000000000000 (the Linux linear map) whose first 64K page maps real 0.
fn setup_translated(code: &[u32]) -> (Cpu, VecBus) {
    let (_, bus) = setup(code);
    let order = 18;
    let view = HptView::new(
        Arc::new(Table((0..npte(order)).map(|_| Hpte::default()).collect())),
        order,
    );
    let vsid = 0x0abc_def1;
    let seg = Segment {
        size: SegmentSize::S1T,
        vsid,
        base_shift: 16,
    };
    let base = 0xc000_0000_0000_0000u64;
    for k in 0..(RAM as u64 >> 16) {
        let ea = base + (k << 16);
        let group = (seg.hash(ea) & view.hash_mask()) as usize;
        let v = (1u64 << 62) | ((seg.va_23(ea) << 7) & 0x3fff_ffff_ffff_ff80) | 0x4 | 1;
        // 64K page (LP 1), R and C set, M, PP = 10.
        view.entries()[group * 8].store(v, (k << 16) | 0x1000 | 0x190 | 0x2);
    }
    let pate = Arc::new(PartitionEntry::new());
    pate.set_table(Some(view));
    let mut cpu = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
    cpu.set_msr(msr::SF | msr::FP | msr::IR | msr::DR);
    cpu.slbmte((1 << 62) | (vsid << 24) | 0x110, base | 0x0800_0000);
    cpu.state.nip = base + CODE;
    (cpu, bus)
}

/// Runs a few iterations and checks the loop is where it should be (not in a handler).
fn check_runs(cpu: &mut Cpu, bus: &mut VecBus, base: u64) {
    Interpreter::new().run(cpu, bus, 1000);
    let off = cpu.state.nip.wrapping_sub(base + CODE);
    assert!(
        off < 0x100,
        "the loop took an interrupt: nip {:#x}",
        cpu.state.nip
    );
}

fn integer_loop() -> Vec<u32> {
    let body = vec![
        d(14, 3, 3, 1),         // addi r3,r3,1
        x(4, 5, 3, 316),        // xor r5,r4,r3
        x(6, 5, 3, 266),        // add r6,r5,r3
        rlwinm(7, 6, 3, 0, 28), // rlwinm r7,r6,3,0,28
        x(8, 7, 6, 40),         // subf r8,r7,r6
        x(9, 8, 3, 28),         // and r9,r8,r3
        d(11, 0, 9, 100),       // cmpwi r9,100
        x(10, 9, 8, 444),       // or r10,r9,r8
    ];
    let n = body.len() as u32;
    let mut c = body;
    c.push(b_back(n));
    c
}

fn copy_loop() -> Vec<u32> {
    // r3 = source base, r4 = destination base, r6 = offset wrapping in 8K.
    let body = vec![
        x(5, 3, 6, 21),          // ldx r5,r3,r6
        x(5, 4, 6, 149),         // stdx r5,r4,r6
        d(14, 6, 6, 8),          // addi r6,r6,8
        rlwinm(6, 6, 0, 19, 28), // rlwinm r6,r6,0,19,28 (0..0x1ff8)
    ];
    let n = body.len() as u32;
    let mut c = body;
    c.push(b_back(n));
    c
}

fn fp_loop() -> Vec<u32> {
    let body = vec![
        a_form(29, 1, 2, 1, 3), // fmadd f1,f2,f3,f1
        a_form(21, 4, 4, 2, 0), // fadd f4,f4,f2
        a_form(25, 5, 5, 0, 3), // fmul f5,f5,f3
        a_form(20, 6, 4, 5, 0), // fsub f6,f4,f5
    ];
    let n = body.len() as u32;
    let mut c = body;
    c.push(b_back(n));
    c
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("interp");
    g.throughput(Throughput::Elements(STEPS));
    g.sample_size(20);

    let (mut cpu, mut bus) = setup(&integer_loop());
    check_runs(&mut cpu, &mut bus, 0);
    let mut interp = Interpreter::new();
    g.bench_function("integer_loop", |b| {
        b.iter(|| black_box(interp.run(&mut cpu, &mut bus, STEPS)));
    });

    let (mut cpu, mut bus) = setup_translated(&integer_loop());
    check_runs(&mut cpu, &mut bus, 0xc000_0000_0000_0000);
    let mut interp = Interpreter::new();
    g.bench_function("integer_loop_translated", |b| {
        b.iter(|| black_box(interp.run(&mut cpu, &mut bus, STEPS)));
    });

    let (mut cpu, mut bus) = setup(&copy_loop());
    cpu.state.gpr[3] = 0x10000;
    cpu.state.gpr[4] = 0x20000;
    check_runs(&mut cpu, &mut bus, 0);
    let mut interp = Interpreter::new();
    g.bench_function("copy_loop", |b| {
        b.iter(|| black_box(interp.run(&mut cpu, &mut bus, STEPS)));
    });

    let (mut cpu, mut bus) = setup(&copy_loop());
    cpu.state.gpr[3] = 0x10000;
    cpu.state.gpr[4] = 0x20000;
    log_dirty(&mut bus);
    check_runs(&mut cpu, &mut bus, 0);
    let mut interp = Interpreter::new();
    g.bench_function("copy_loop_dirty_log", |b| {
        b.iter(|| black_box(interp.run(&mut cpu, &mut bus, STEPS)));
    });

    let base = 0xc000_0000_0000_0000u64;
    for logging in [false, true] {
        let (mut cpu, mut bus) = setup_translated(&copy_loop());
        cpu.state.gpr[3] = base + 0x10000;
        cpu.state.gpr[4] = base + 0x20000;
        if logging {
            log_dirty(&mut bus);
        }
        check_runs(&mut cpu, &mut bus, base);
        let mut interp = Interpreter::new();
        let name = if logging {
            "copy_loop_translated_dirty_log"
        } else {
            "copy_loop_translated"
        };
        g.bench_function(name, |b| {
            b.iter(|| black_box(interp.run(&mut cpu, &mut bus, STEPS)));
        });
    }

    let (mut cpu, mut bus) = setup(&fp_loop());
    cpu.state.set_fpr(2, 1.000_000_1f64.to_bits());
    cpu.state.set_fpr(3, 0.999_9f64.to_bits());
    cpu.state.set_fpr(5, 1.0f64.to_bits());
    check_runs(&mut cpu, &mut bus, 0);
    let mut interp = Interpreter::new();
    g.bench_function("fp_loop", |b| {
        b.iter(|| black_box(interp.run(&mut cpu, &mut bus, STEPS)));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
