//! The store-page announcements a dirty-page log relies on (`Bus::note_ram_store`), judged
//! against the only thing that matters: every RAM page whose bytes changed between two takes
//! of the log must have been announced in between. The oracle is a byte diff of RAM snapshots,
//! independent of how the interpreter translates or stores.
//!
//! A program with every kind of store (byte … doubleword, indexed, update, multiple, string,
//! quadword, FP, VMX, VSX, stwcx., dcbz, and stores that cross a page) runs in real mode and
//! with data relocation through a non-identity HPT mapping, cut into random slices; after each
//! random take the TLB is flushed, as the contract asks.
// Test code: the casts are on small known encodings and addresses.
#![allow(clippy::cast_possible_truncation)]

use std::collections::BTreeSet;
use std::sync::Arc;

use papr_cpu::hpt::{npte, HptView, Hpte, HpteStorage, PartitionEntry};
use papr_cpu::state::msr;
use papr_cpu::{Cpu, CpuConfig, Interpreter, InterruptLine};
use proptest::prelude::*;

const RAM: usize = 1 << 20;
const CODE: u64 = 0x1000;
/// Data pages: 17 of them (16 bases, plus the page a store at the last one can cross into).
const DATA_PAGES: u64 = 17;
/// Real-mode data at 0x10000.
const REAL_DATA: u64 = 0x1_0000;
/// Translated data: EA 0x1000_0000 + 4K·k maps to real page `real_page(k)`.
const EA_DATA: u64 = 0x1000_0000;

/// The real page (address) backing translated data page `k`: a permutation of 0x40000.. so
/// EA and real page numbers differ.
fn real_page(k: u64) -> u64 {
    0x4_0000 + ((k * 5 + 3) % DATA_PAGES) * 0x1000
}

mod support;

use support::{d, x, StorePages, VecBus};

/// The pages (numbers) announced since the last take.
#[derive(Default)]
struct Announced(BTreeSet<u64>);

impl StorePages for Announced {
    fn note(&mut self, page: u64) {
        assert_eq!(page & 0xfff, 0, "a page address");
        self.0.insert(page >> 12);
    }
}

type RecordingBus = VecBus<Announced>;

struct Table(Vec<Hpte>);
impl HpteStorage for Table {
    fn entries(&self) -> &[Hpte] {
        &self.0
    }
}

/// Registers holding the addresses the program stores to, in order.
const ADDR_REGS: [u32; 15] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];

/// The program: one store of each kind through each address register, then `b .`.
fn program() -> Vec<u32> {
    vec![
        d(38, 20, 3, 1),       // stb r20,1(r3)
        d(44, 21, 4, 2),       // sth r21,2(r4)
        d(36, 22, 5, 4),       // stw r22,4(r5)
        d(62, 23, 6, 8),       // std r23,8(r6)
        x(24, 7, 0, 149),      // stdx r24,r7,r0 (r0 = 0)
        d(47, 27, 8, 0),       // stmw r27,0(r8): r27..r31, 20 bytes
        x(20, 9, 7, 725),      // stswi r20,r9,7
        d(62, 22, 10, 2),      // stq r22,0(r10)
        d(54, 1, 11, 0),       // stfd f1,0(r11)
        x(2, 0, 12, 972),      // stxvd2x vs2,0,r12
        x(3, 0, 13, 231),      // stvx v3,0,r13
        x(0, 0, 14, 1014),     // dcbz 0,r14
        x(18, 0, 15, 20),      // lwarx r18,0,r15
        x(25, 0, 15, 150) | 1, // stwcx. r25,0,r15
        d(62, 26, 16, 8) | 1,  // stdu r26,8(r16)
        d(37, 21, 17, 0xfffc), // stwu r21,-4(r17)
        0x4800_0000,           // b .
    ]
}

/// Page index (0..16) and offset of each address register; `aligned` forces the alignment
/// the instruction needs (stq 16, stmw/lwarx 4, stdu 8).
fn address(k: u64, off: u64, reg: u32) -> u64 {
    let off = match reg {
        10 => off & !15,
        8 | 15 => off & !3,
        16 => off & !7,
        _ => off,
    };
    k * 0x1000 + off
}

fn setup(translated: bool, addrs: &[(u64, u64)], fill: u8) -> (Cpu, RecordingBus) {
    let mut mem = vec![fill; RAM];
    for (i, w) in program().iter().enumerate() {
        let at = CODE as usize + 4 * i;
        mem[at..at + 4].copy_from_slice(&w.to_be_bytes());
    }
    let pate = Arc::new(PartitionEntry::new());
    let mut cpu = if translated {
        let view = HptView::new(
            Arc::new(Table((0..npte(18)).map(|_| Hpte::default()).collect())),
            18,
        );
        for k in 0..DATA_PAGES {
            // 256M segment VSID 0x2222, 4K pages: hash = VSID ^ page index (ISA 5.7.7.3),
            // AVPN = VA >> 23; PP = 10 (read/write).
            let ea = EA_DATA + k * 0x1000;
            let group = ((0x2222 ^ ((ea & 0x0fff_ffff) >> 12)) & 0x7ff) as usize;
            let va = (0x2222u64 << 28) | (ea & 0x0fff_ffff);
            view.entries()[group * 8].store(((va >> 23) << 7) | 1, real_page(k) | 0x2);
        }
        pate.set_table(Some(view));
        let mut c = Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()));
        c.slbmte(0x2222 << 12, EA_DATA | 0x0800_0000);
        c
    } else {
        Cpu::new(CpuConfig::default(), pate, Arc::new(InterruptLine::new()))
    };
    // Code in real mode (IR = 0), data translated or not.
    let data_msr = if translated { msr::DR } else { 0 };
    cpu.set_msr(msr::SF | msr::FP | msr::VEC | msr::VSX | data_msr);
    cpu.state.nip = CODE;
    let base = if translated { EA_DATA } else { REAL_DATA };
    for (&reg, &(k, off)) in ADDR_REGS.iter().zip(addrs) {
        cpu.state.gpr[reg as usize] = base + address(k, off, reg);
    }
    for r in 18..32 {
        cpu.state.gpr[r] = 0x0102_0304_0506_0708 ^ (r as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    cpu.state.set_fpr(1, 0x4009_21fb_5444_2d18);
    cpu.state.vsr[2] = 0x1111_2222_3333_4444_5555_6666_7777_8888;
    cpu.state
        .set_vr(3, 0x9999_aaaa_bbbb_cccc_dddd_eeee_ffff_0000);
    (
        cpu,
        RecordingBus {
            mem,
            pages: Announced::default(),
        },
    )
}

/// The pages (index) whose bytes differ between two RAM images.
fn changed(before: &[u8], after: &[u8]) -> BTreeSet<u64> {
    (0u64..)
        .zip(before.chunks(4096).zip(after.chunks(4096)))
        .filter(|(_, (a, b))| a != b)
        .map(|(p, _)| p)
        .collect()
}

/// Every real page the program may store to.
fn data_pages(translated: bool) -> BTreeSet<u64> {
    (0..DATA_PAGES)
        .map(|k| {
            if translated {
                real_page(k) >> 12
            } else {
                (REAL_DATA >> 12) + k
            }
        })
        .collect()
}

fn addresses() -> impl Strategy<Value = Vec<(u64, u64)>> {
    // Offsets near a page's end half of the time, so multi-byte stores cross into the next.
    let off = prop_oneof![0u64..4096, 4064u64..4096];
    prop::collection::vec((0u64..DATA_PAGES - 1, off), ADDR_REGS.len())
}

proptest! {
    /// Every page whose bytes a slice of execution changed was announced during the slices
    /// since the previous take; nothing outside the data pages is announced.
    #[test]
    fn every_changed_page_was_announced(
        translated in any::<bool>(),
        addrs in addresses(),
        slices in prop::collection::vec((1u64..6, any::<bool>()), 1..12),
        fill in any::<u8>(),
    ) {
        let (mut cpu, mut bus) = setup(translated, &addrs, fill | 1);
        let mut interp = Interpreter::new();
        let mut since_take = bus.mem.clone();
        for &(budget, take) in slices.iter().chain([(30, true)].iter()) {
            interp.run(&mut cpu, &mut bus, budget);
            prop_assert!(cpu.state.nip >= CODE && cpu.state.nip < CODE + 0x100, "no interrupt: {:#x}", cpu.state.nip);
            if take {
                let dirty = changed(&since_take, &bus.mem);
                prop_assert!(dirty.is_subset(&bus.pages.0), "changed {:?}, announced {:?}", dirty, bus.pages.0);
                prop_assert!(bus.pages.0.is_subset(&data_pages(translated)), "{:?}", bus.pages.0);
                bus.pages.0.clear();
                since_take = bus.mem.clone();
                cpu.flush_tlb();
            }
        }
        prop_assert_eq!(cpu.state.nip, CODE + 4 * (program().len() as u64 - 1), "the program ran to its end");
    }
}

/// Why the contract asks for a flush after each take: a store through a TLB entry filled
/// before the take is not announced again.
#[test]
fn without_the_flush_a_store_through_an_old_tlb_entry_is_not_announced() {
    let addrs = vec![(2, 0x10); ADDR_REGS.len()];
    let (mut cpu, mut bus) = setup(true, &addrs, 0xee);
    let mut interp = Interpreter::new();
    interp.run(&mut cpu, &mut bus, 1); // stb r20,1(r3)
    assert_eq!(bus.pages.0, BTreeSet::from([real_page(2) >> 12]));
    bus.pages.0.clear();
    let before = bus.mem.clone();
    interp.run(&mut cpu, &mut bus, 1); // sth r21,2(r4): same page, TLB hit
    assert_eq!(
        changed(&before, &bus.mem),
        BTreeSet::from([real_page(2) >> 12])
    );
    assert!(bus.pages.0.is_empty());
    cpu.flush_tlb();
    interp.run(&mut cpu, &mut bus, 1); // stw r22,4(r5): announced again
    assert_eq!(bus.pages.0, BTreeSet::from([real_page(2) >> 12]));
}
