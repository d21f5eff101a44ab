//! Effective-to-real address translation for instruction fetch, loads and stores.
//!
//! Power ISA 3.0B, Book III 5.7 ("Storage Addressing"): 5.7.3 real addressing mode, 5.7.6
//! segment translation (SLB), 5.7.7 hashed page table translation, 5.7.9 storage protection
//! (PP with Ks/Kp, no-execute and guarded storage, storage keys with AMR/IAMR) and 5.7.8
//! reference and change recording; the interrupts a failed translation causes are in 6.5.3
//! (DSI), 6.5.4 (DSegI), 6.5.5 (ISI) and 6.5.6 (ISegI).
//!
//! This is the slow path: [`crate::tlb`] caches its results. It returns the guest real address;
//! whether that is RAM or MMIO is the caller's business.
//!
//! **Guest real mode.** With MSR\[IR] (fetch) or MSR\[DR] (data) = 0 the effective address with
//! its four high-order bits ignored *is* the guest real address (linux-pseries-boot.md 1.4):
//! papr, like QEMU in virtual-hypervisor mode, needs no VRMA entries and does no RMA check.
//!
//! **R and C.** R is set by every access that translates (fetch, load, store) and C by every
//! store that translates, each with one atomic OR on the HPTE ([`Hpte::set_rc`]) and only when
//! not already set. An access that fails its protection check sets neither (the ISA allows R to
//! be set then, but does not require it).

use crate::hpt::{self, HptView, Hpte, R_G, R_KEY_HI, R_KEY_LO, R_N, R_WIMG};
use crate::slb::Slb;
use crate::state::msr;

/// In real mode the top four bits of the effective address are ignored.
pub const REAL_MODE_MASK: u64 = 0x0fff_ffff_ffff_ffff;

/// DSISR bit 33: no translation (no HPTE, or the segment's page size is not offered).
pub const DSISR_NOPTE: u32 = 0x4000_0000;
/// DSISR bit 36: storage protection (PP) violation.
pub const DSISR_PROTECT: u32 = 0x0800_0000;
/// DSISR bit 38: the access was a store.
pub const DSISR_STORE: u32 = 0x0200_0000;
/// DSISR bit 42: storage-key (AMR) violation.
pub const DSISR_KEY: u32 = 0x0020_0000;

/// SRR1 bit 33 on ISI: no translation.
pub const ISI_NOPTE: u64 = 0x4000_0000;
/// SRR1 bit 35 on ISI: fetch from no-execute (HPTE N or segment N) or guarded storage.
pub const ISI_NOEXEC: u64 = 0x1000_0000;
/// SRR1 bit 36 on ISI: storage protection (PP) violation.
pub const ISI_PROTECT: u64 = 0x0800_0000;
/// SRR1 bit 42 on ISI: storage-key (IAMR) violation.
pub const ISI_KEY: u64 = 0x0020_0000;

/// The kind of access being translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AccessType {
    /// Instruction fetch (relocated by MSR\[IR]).
    Fetch = 0,
    /// Data load (relocated by MSR\[DR]).
    Load = 1,
    /// Data store (relocated by MSR\[DR]); also dcbz and the other block stores.
    Store = 2,
}

impl AccessType {
    /// The MSR bit that turns translation on for this access.
    #[inline]
    pub const fn relocation_bit(self) -> u64 {
        match self {
            AccessType::Fetch => msr::IR,
            AccessType::Load | AccessType::Store => msr::DR,
        }
    }
}

/// A failed translation: the interrupt the processor must take. Convert it with
/// `Interrupt::from` and deliver it with `Cpu::take_exception`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Data storage interrupt (0x300): DAR = the effective address, DSISR as given.
    DataStorage {
        /// Data address register value.
        dar: u64,
        /// DSISR value.
        dsisr: u32,
    },
    /// Data segment interrupt (0x380): DAR = the effective address (DSISR is not changed).
    DataSegment {
        /// Data address register value.
        dar: u64,
    },
    /// Instruction storage interrupt (0x400) with SRR1 status bits 33:36/42.
    InstructionStorage {
        /// Status bits ORed into SRR1.
        srr1: u64,
    },
    /// Instruction segment interrupt (0x480).
    InstructionSegment,
}

impl Fault {
    /// The interrupt vector.
    pub const fn vector(&self) -> u64 {
        match self {
            Fault::DataStorage { .. } => 0x300,
            Fault::DataSegment { .. } => 0x380,
            Fault::InstructionStorage { .. } => 0x400,
            Fault::InstructionSegment => 0x480,
        }
    }
}

/// A successful translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Translation {
    /// The guest real address.
    pub ra: u64,
    /// log2 of the page size the translation holds for (12 in real mode: papr caches real
    /// mode per 4K page like everything else).
    pub page_shift: u32,
    /// The HPTE's WIMG bits (`hpt::R_WIMG` positions; 0 in real mode).
    pub wimg: u64,
}

/// What translation depends on besides the SLB and the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MmuContext {
    /// The MSR (SF, IR, DR, PR are used).
    pub msr: u64,
    /// Authority mask register (data keys).
    pub amr: u64,
    /// Instruction authority mask register (fetch keys).
    pub iamr: u64,
}

/// The 5-bit storage key of HPTE dword 1 (`r`): key bits 0:1 are `R_KEY_HI`, 2:4 `R_KEY_LO`.
#[inline]
pub const fn hpte_key(r: u64) -> u32 {
    // Five bits: the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let key = (((r & R_KEY_HI) >> 57) | ((r & R_KEY_LO) >> 9)) as u32;
    key
}

/// Whether AMR/IAMR `mask` bit `2 * key + bit` (ISA numbering) is set: for the AMR, bit 0 is
/// "stores disallowed" and bit 1 "loads disallowed"; for the IAMR, bit 1 is "fetch disallowed".
#[inline]
const fn key_denies(mask: u64, key: u32, bit: u32) -> bool {
    (mask >> (63 - (2 * key + bit))) & 1 != 0
}

/// Translates `ea` for `access` (ISA 3.0B Book III 5.7).
///
/// `table` is the partition's current HPT (`None`: no table yet, every translation misses).
/// R and C are set in the HPTE as a side effect of a successful translation.
pub fn translate(
    ctx: &MmuContext,
    slb: &Slb,
    table: Option<&HptView>,
    ea: u64,
    access: AccessType,
) -> Result<Translation, Fault> {
    // 32-bit mode: the high-order 32 bits of the EA are ignored (Book III 5.3.2).
    let ea = if ctx.msr & msr::SF == 0 {
        ea & 0xffff_ffff
    } else {
        ea
    };
    if ctx.msr & access.relocation_bit() == 0 {
        return Ok(Translation {
            ra: ea & REAL_MODE_MASK,
            page_shift: 12,
            wimg: 0,
        });
    }
    let Some(hit) = slb.lookup(ea) else {
        return Err(match access {
            AccessType::Fetch => Fault::InstructionSegment,
            AccessType::Load | AccessType::Store => Fault::DataSegment { dar: ea },
        });
    };
    let found = match (hit.segment, table) {
        (Some(seg), Some(t)) => t.search(&seg, ea).map(|m| (m, &t.entries()[m.index])),
        _ => None,
    };
    let Some((m, hpte)) = found else {
        return Err(no_translation(ea, access));
    };
    check_access(
        ctx,
        hit.attrs.ks,
        hit.attrs.kp,
        hit.attrs.n,
        m.r,
        ea,
        access,
    )?;
    record(hpte, m.r, access);
    Ok(Translation {
        ra: m.real_address(ea),
        page_shift: m.page_shift,
        wimg: m.r & R_WIMG,
    })
}

fn no_translation(ea: u64, access: AccessType) -> Fault {
    match access {
        AccessType::Fetch => Fault::InstructionStorage { srr1: ISI_NOPTE },
        AccessType::Load => Fault::DataStorage {
            dar: ea,
            dsisr: DSISR_NOPTE,
        },
        AccessType::Store => Fault::DataStorage {
            dar: ea,
            dsisr: DSISR_NOPTE | DSISR_STORE,
        },
    }
}

/// Storage protection (Book III 5.7.9): PP with the key the state selects, no-execute and
/// guarded storage for fetches, and the storage keys.
fn check_access(
    ctx: &MmuContext,
    ks: bool,
    kp: bool,
    segment_n: bool,
    r: u64,
    ea: u64,
    access: AccessType,
) -> Result<(), Fault> {
    let key = if ctx.msr & msr::PR != 0 { kp } else { ks };
    let pp = hpt::pp_access(r, key);
    let skey = hpte_key(r);
    match access {
        AccessType::Fetch => {
            let mut status = 0;
            if segment_n || r & (R_N | R_G) != 0 {
                status |= ISI_NOEXEC;
            }
            if pp == hpt::Access::None {
                status |= ISI_PROTECT;
            }
            if key_denies(ctx.iamr, skey, 1) {
                status |= ISI_KEY;
            }
            if status != 0 {
                return Err(Fault::InstructionStorage { srr1: status });
            }
        }
        AccessType::Load => {
            let mut dsisr = 0;
            if pp == hpt::Access::None {
                dsisr |= DSISR_PROTECT;
            }
            if key_denies(ctx.amr, skey, 1) {
                dsisr |= DSISR_KEY;
            }
            if dsisr != 0 {
                return Err(Fault::DataStorage { dar: ea, dsisr });
            }
        }
        AccessType::Store => {
            let mut dsisr = 0;
            if pp != hpt::Access::ReadWrite {
                dsisr |= DSISR_PROTECT;
            }
            if key_denies(ctx.amr, skey, 0) {
                dsisr |= DSISR_KEY;
            }
            if dsisr != 0 {
                return Err(Fault::DataStorage {
                    dar: ea,
                    dsisr: dsisr | DSISR_STORE,
                });
            }
        }
    }
    Ok(())
}

/// Reference and change recording (Book III 5.7.8): R on any access, C on a store.
#[inline]
fn record(hpte: &Hpte, r: u64, access: AccessType) {
    let want = match access {
        AccessType::Store => hpt::R_R | hpt::R_C,
        AccessType::Fetch | AccessType::Load => hpt::R_R,
    };
    if r & want != want {
        hpte.set_rc(want);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hpt::{npte, HpteStorage, Segment, SegmentSize};
    use std::sync::Arc;

    struct Table(Vec<Hpte>);
    impl HpteStorage for Table {
        fn entries(&self) -> &[Hpte] {
            &self.0
        }
    }

    const ORDER: u32 = 18; // 2048 PTEGs, hash mask 0x7ff

    fn table() -> HptView {
        HptView::new(
            Arc::new(Table((0..npte(ORDER)).map(|_| Hpte::default()).collect())),
            ORDER,
        )
    }

    const TRANSLATED: u64 = msr::SF | msr::IR | msr::DR;

    fn ctx(msr: u64) -> MmuContext {
        MmuContext {
            msr,
            amr: 0,
            iamr: 0,
        }
    }

    /// A 256M segment, 4K pages: ESID 1 -> VSID 0x2222 with Kp set (Linux-style: Ks = 0,
    /// Kp = 1).
    fn slb_256m() -> Slb {
        let mut slb = Slb::new();
        slb.slbmte((0x2222 << 12) | 0x400, 0x1000_0000 | 0x0800_0000);
        slb
    }

    /// Inserts a 4K HPTE for EA `ea` of VSID 0x2222, computing the PTEG from the ISA's hash
    /// (256M segment: VSID xor (EA\[36:63] >> 12)) and the AVPN (VA bits 0:54 >> 7 positions).
    fn insert_4k(t: &HptView, ea: u64, slot: usize, r: u64) -> usize {
        let vsid: u64 = 0x2222;
        let page_index = (ea & 0x0fff_ffff) >> 12;
        let hash = vsid ^ page_index;
        let group = hash & 0x7ff;
        let va = (vsid << 28) | (ea & 0x0fff_ffff);
        let v = ((va >> 23) << 7) | 1;
        let index = usize::try_from(group).unwrap() * 8 + slot;
        t.entries()[index].store(v, r);
        index
    }

    #[test]
    fn real_mode_ignores_the_top_four_bits() {
        let slb = Slb::new();
        let t = translate(
            &ctx(msr::SF),
            &slb,
            None,
            0xc000_0000_0123_4567,
            AccessType::Load,
        )
        .unwrap();
        assert_eq!(t.ra, 0x0123_4567);
        // 32-bit mode first truncates to 32 bits.
        let t = translate(
            &ctx(0),
            &slb,
            None,
            0xc000_0001_8000_0000,
            AccessType::Fetch,
        );
        assert_eq!(t.unwrap().ra, 0x8000_0000);
        // IR governs fetches, DR data.
        let t = translate(&ctx(msr::SF | msr::IR), &slb, None, 0x10, AccessType::Store);
        assert_eq!(t.unwrap().ra, 0x10);
        let t = translate(&ctx(msr::SF | msr::IR), &slb, None, 0x10, AccessType::Fetch);
        assert_eq!(t, Err(Fault::InstructionSegment));
    }

    #[test]
    fn segment_misses() {
        let slb = slb_256m();
        let c = ctx(TRANSLATED);
        assert_eq!(
            translate(&c, &slb, None, 0x3000_0010, AccessType::Load),
            Err(Fault::DataSegment { dar: 0x3000_0010 })
        );
        assert_eq!(
            translate(&c, &slb, None, 0x3000_0010, AccessType::Fetch),
            Err(Fault::InstructionSegment)
        );
        assert_eq!(Fault::DataSegment { dar: 0 }.vector(), 0x380);
        assert_eq!(Fault::InstructionSegment.vector(), 0x480);
    }

    #[test]
    fn page_misses() {
        let slb = slb_256m();
        let t = table();
        let c = ctx(TRANSLATED);
        let ea = 0x1000_5008;
        assert_eq!(
            translate(&c, &slb, Some(&t), ea, AccessType::Load),
            Err(Fault::DataStorage {
                dar: ea,
                dsisr: 0x4000_0000
            })
        );
        assert_eq!(
            translate(&c, &slb, Some(&t), ea, AccessType::Store),
            Err(Fault::DataStorage {
                dar: ea,
                dsisr: 0x4200_0000
            })
        );
        assert_eq!(
            translate(&c, &slb, Some(&t), ea, AccessType::Fetch),
            Err(Fault::InstructionStorage { srr1: 0x4000_0000 })
        );
        // No table at all behaves the same.
        assert_eq!(
            translate(&c, &slb, None, ea, AccessType::Load),
            Err(Fault::DataStorage {
                dar: ea,
                dsisr: 0x4000_0000
            })
        );
    }

    #[test]
    fn r_and_c_are_set_by_loads_and_stores() {
        let slb = slb_256m();
        let t = table();
        let c = ctx(TRANSLATED);
        // PP = 10: read/write for both keys, M set.
        let idx = insert_4k(&t, 0x1000_0000, 2, 0x81_0000 | 0x10 | 0x2);
        let tr = translate(&c, &slb, Some(&t), 0x1000_0abc, AccessType::Load).unwrap();
        assert_eq!(tr.ra, 0x81_0abc);
        assert_eq!(tr.page_shift, 12);
        assert_eq!(tr.wimg, 0x10);
        assert_eq!(t.entries()[idx].r(), 0x81_0112); // R set (the mmu guest's value)
        translate(&c, &slb, Some(&t), 0x1000_0abc, AccessType::Store).unwrap();
        assert_eq!(t.entries()[idx].r(), 0x81_0192); // R and C
    }

    #[test]
    fn pp_protection_by_state() {
        let slb = slb_256m();
        let t = table();
        let sup = ctx(TRANSLATED);
        let user = ctx(TRANSLATED | msr::PR | msr::EE);
        // PP = 000: supervisor RW (Ks = 0), user none (Kp = 1).
        let rw_none = insert_4k(&t, 0x1000_3000, 0, 0x90_0000 | 0x10);
        assert!(translate(&sup, &slb, Some(&t), 0x1000_3000, AccessType::Store).is_ok());
        assert_eq!(
            translate(&user, &slb, Some(&t), 0x1000_3000, AccessType::Load),
            Err(Fault::DataStorage {
                dar: 0x1000_3000,
                dsisr: 0x0800_0000
            })
        );
        // A failed access records nothing new.
        let before = t.entries()[rw_none].r();
        let _ = translate(&user, &slb, Some(&t), 0x1000_3000, AccessType::Store);
        assert_eq!(t.entries()[rw_none].r(), before);
        // PP = 011: read only for both keys; stores fault with protection|store.
        let ro = insert_4k(&t, 0x1000_2000, 1, 0x91_0000 | 0x10 | 0x3);
        assert!(translate(&sup, &slb, Some(&t), 0x1000_2010, AccessType::Load).is_ok());
        assert_eq!(
            translate(&sup, &slb, Some(&t), 0x1000_2010, AccessType::Store),
            Err(Fault::DataStorage {
                dar: 0x1000_2010,
                dsisr: 0x0a00_0000
            })
        );
        // The load set R, the failed store did not set C (the mmu guest's 0x811113 pattern).
        assert_eq!(t.entries()[ro].r(), 0x91_0113);
    }

    #[test]
    fn no_execute_and_guarded_forbid_fetch() {
        let mut slb = slb_256m();
        let t = table();
        let c = ctx(TRANSLATED);
        insert_4k(&t, 0x1000_4000, 0, 0x92_0000 | 0x10 | 0x4 | 0x2); // N
        insert_4k(&t, 0x1000_6000, 0, 0x93_0000 | 0x28 | 0x2); // I|G
        insert_4k(&t, 0x1000_7000, 0, 0x94_0000 | 0x10 | 0x2);
        assert_eq!(
            translate(&c, &slb, Some(&t), 0x1000_4000, AccessType::Fetch),
            Err(Fault::InstructionStorage { srr1: 0x1000_0000 })
        );
        // Data accesses to the same page are fine.
        assert!(translate(&c, &slb, Some(&t), 0x1000_4000, AccessType::Load).is_ok());
        assert_eq!(
            translate(&c, &slb, Some(&t), 0x1000_6000, AccessType::Fetch),
            Err(Fault::InstructionStorage { srr1: 0x1000_0000 })
        );
        assert!(translate(&c, &slb, Some(&t), 0x1000_7000, AccessType::Fetch).is_ok());
        // A no-execute segment (SLB N, RS bit 54 = 0x200) forbids every fetch in it.
        slb.slbmte((0x2222 << 12) | 0x400 | 0x200, 0x1000_0000 | 0x0800_0000);
        assert_eq!(
            translate(&c, &slb, Some(&t), 0x1000_7000, AccessType::Fetch),
            Err(Fault::InstructionStorage { srr1: 0x1000_0000 })
        );
    }

    #[test]
    fn storage_keys() {
        let slb = slb_256m();
        let t = table();
        // Key 3 = key bits 0:1 = 00, 2:4 = 011 -> dword-1 bits 53:54 -> 0x600.
        insert_4k(&t, 0x1000_8000, 0, 0x95_0000 | 0x600 | 0x10 | 0x2);
        assert_eq!(hpte_key(0x600), 3);
        assert_eq!(hpte_key(0x3000_0000_0000_0e00), 31);
        // AMR bits 6 (store) and 7 (load) belong to key 3.
        let mut c = ctx(TRANSLATED);
        c.amr = 1 << (63 - 6);
        assert!(translate(&c, &slb, Some(&t), 0x1000_8000, AccessType::Load).is_ok());
        assert_eq!(
            translate(&c, &slb, Some(&t), 0x1000_8000, AccessType::Store),
            Err(Fault::DataStorage {
                dar: 0x1000_8000,
                dsisr: 0x0220_0000
            })
        );
        c.amr = 1 << (63 - 7);
        assert_eq!(
            translate(&c, &slb, Some(&t), 0x1000_8000, AccessType::Load),
            Err(Fault::DataStorage {
                dar: 0x1000_8000,
                dsisr: 0x0020_0000
            })
        );
        c.amr = 0;
        c.iamr = 1 << (63 - 7);
        assert_eq!(
            translate(&c, &slb, Some(&t), 0x1000_8000, AccessType::Fetch),
            Err(Fault::InstructionStorage { srr1: 0x0020_0000 })
        );
    }

    #[test]
    fn one_tera_segment_64k_pages() {
        let mut slb = Slb::new();
        // 1T segment ESID 1, VSID 0x345, 64K base pages (L||LP = 0x110).
        slb.slbmte(
            (1 << 62) | (0x345 << 24) | 0x110,
            0x0000_0100_0000_0000 | 0x0800_0000,
        );
        let t = table();
        let ea: u64 = 0x0000_0100_0002_0000;
        // 1T hash: VSID ^ (VSID << 25) ^ (offset >> 16).
        let offset = ea & ((1 << 40) - 1);
        let hash = 0x345 ^ (0x345 << 25) ^ (offset >> 16);
        let va_23 = (0x345u64 << 17) | (offset >> 23);
        let v = (1 << 62) | (va_23 << 7) | 0x4 | 1;
        // 64K in a 64K segment: LP = 0x1 in dword-1 bits 12..15.
        let r = 0x0082_0000 | 0x1000 | 0x10 | 0x2;
        let idx = usize::try_from(hash & 0x7ff).unwrap() * 8 + 5;
        t.entries()[idx].store(v, r);
        let c = ctx(TRANSLATED);
        let tr = translate(&c, &slb, Some(&t), ea + 0xfff8, AccessType::Load).unwrap();
        assert_eq!(tr.ra, 0x0082_fff8);
        assert_eq!(tr.page_shift, 16);
        let seg = slb.lookup(ea).unwrap().segment.unwrap();
        assert_eq!(
            seg,
            Segment {
                size: SegmentSize::S1T,
                vsid: 0x345,
                base_shift: 16
            }
        );
    }
}
