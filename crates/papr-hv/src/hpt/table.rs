//! One hashed page table as the hypervisor manages it: the entries the processor walks, the
//! reverse map with the guest's view, and the operations behind the PAPR HPT hcalls.
//!
//! The semantics are KVM Book3S HV's (`book3s_hv_rm_mmu.c`), fact sheet section 2. The
//! processor's copy of dword 1 is the "hardware" one: for guest RAM it is always made coherent
//! (WIMG = M) whatever the guest asked; the reverse map keeps what the guest asked, and every
//! value returned to the guest is that view with the hardware R/C bits merged in.

use std::sync::Arc;

use papr_cpu::hpt::{
    hpte_page_shifts, npte, HptView, HpteStorage, R_C, R_G, R_I, R_KEY_HI, R_KEY_LO, R_M, R_N,
    R_PP, R_PP0, R_R, R_RPN, R_W, R_WIMG, V_ABSENT, V_AVPN, V_BOLTED, V_B_MASK, V_HVLOCK, V_LARGE,
    V_SECONDARY, V_VALID,
};

use super::alloc::{HptMemory, RevMap, META_MODIFIED, META_REPORTED_C, META_REPORTED_R, META_WIMG};
use crate::hcall::{flags, rc};

/// dword 0 bits compared by H_AVPN (KVM's `HPTE_V_COMPARE` region): B and AVPN.
const V_COMPARE: u64 = !0x7f;

/// A hashed page table with its reverse map.
#[derive(Debug)]
pub struct HptTable {
    mem: Arc<HptMemory>,
    rev: RevMap,
    order: u32,
}

/// Where a page lives, as H_ENTER classifies its real address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backing {
    Ram,
    Device,
}

/// The old contents of an entry that an hcall removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// Guest view of dword 0.
    pub v: u64,
    /// Guest view of dword 1 (R/C merged).
    pub r: u64,
}

impl HptTable {
    /// Wraps freshly allocated (zeroed) memory and reverse map.
    pub fn new(mem: HptMemory, rev: RevMap, order: u32) -> Self {
        HptTable {
            mem: Arc::new(mem),
            rev,
            order,
        }
    }

    /// log2 of the size in bytes.
    pub fn order(&self) -> u32 {
        self.order
    }

    /// Number of HPTEs.
    pub fn npte(&self) -> usize {
        npte(self.order)
    }

    /// The view the processor walks.
    pub fn view(&self) -> HptView {
        HptView::new(Arc::clone(&self.mem) as Arc<dyn HpteStorage>, self.order)
    }

    /// The table memory.
    pub fn memory(&self) -> &HptMemory {
        &self.mem
    }

    /// The entries and the reverse map, for bulk work (resize).
    pub fn parts(&self) -> (&[papr_cpu::hpt::Hpte], &RevMap) {
        (self.mem.entries(), &self.rev)
    }

    /// The entries and the reverse map, the latter writable.
    pub fn parts_mut(&mut self) -> (&[papr_cpu::hpt::Hpte], &mut RevMap) {
        (self.mem.entries(), &mut self.rev)
    }

    /// Commits the table's memory now (see [`HptMemory::prefault`]).
    pub fn prefault(&mut self) {
        self.mem.prefault();
        self.rev.prefault();
    }

    /// Clears every entry (same order: KVM_PPC_ALLOCATE_HTAB's reset).
    pub fn clear(&mut self) {
        self.mem.clear();
        self.rev.clear();
    }

    /// The hardware dwords of entry `i`.
    #[inline]
    pub fn raw(&self, i: usize) -> (u64, u64) {
        let e = &self.mem.entries()[i];
        (e.v(), e.r())
    }

    /// The guest's view of entry `i`: dword 0 as stored (never any hypervisor-private bit),
    /// dword 1 with the WIMG the guest asked for and the current R/C.
    #[inline]
    pub fn guest_view(&self, i: usize) -> (u64, u64) {
        let (v, hw_r) = self.raw(i);
        let wimg = u64::from(self.rev.meta(i) & META_WIMG) << 3;
        (v, (hw_r & !R_WIMG) | wimg)
    }

    /// Whether entry `i` is valid.
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        self.mem.entries()[i].v() & V_VALID != 0
    }

    /// The bolted-slot mask of PTEG `g`.
    #[inline]
    pub fn bolted_mask(&self, g: usize) -> u8 {
        self.rev.bolted_mask(g)
    }

    /// Whether entry `i` changed since it was last streamed: an hcall touched it, or the
    /// processor set R or C since it was last reported.
    #[inline]
    pub fn is_dirty(&self, i: usize) -> bool {
        let m = self.rev.meta(i);
        if m & META_MODIFIED != 0 {
            return true;
        }
        let hw_r = self.mem.entries()[i].r();
        (hw_r & R_R != 0 && m & META_REPORTED_R == 0)
            || (hw_r & R_C != 0 && m & META_REPORTED_C == 0)
    }

    /// Takes entry `i` as reported to a stream reader: clears its modified mark and records
    /// its R/C as reported.
    #[inline]
    pub fn take_for_stream(&mut self, i: usize) -> (u64, u64) {
        let (v, r) = self.guest_view(i);
        let mut m = self.rev.meta(i) & META_WIMG;
        if r & R_R != 0 {
            m |= META_REPORTED_R;
        }
        if r & R_C != 0 {
            m |= META_REPORTED_C;
        }
        self.rev.set_meta(i, m);
        (v, r)
    }

    /// Writes entry `i` directly (used by H_ENTER, resize and the stream writer; marks it
    /// modified). `guest_wimg` is the WIMG the guest asked for.
    #[inline]
    pub fn install(&mut self, i: usize, v: u64, hw_r: u64, guest_wimg: u64) {
        self.mem.entries()[i].store(v, hw_r);
        // In range: WIMG is 4 bits.
        self.rev
            .set_meta(i, META_MODIFIED | ((guest_wimg & R_WIMG) >> 3) as u8);
        self.rev
            .set_bolted(i, v & (V_VALID | V_BOLTED) == V_VALID | V_BOLTED);
    }

    /// Invalidates entry `i` (marks it modified).
    #[inline]
    pub fn invalidate_entry(&mut self, i: usize) {
        self.mem.entries()[i].store(0, 0);
        self.rev.set_meta(i, META_MODIFIED);
        self.rev.set_bolted(i, false);
    }

    fn mark_modified(&mut self, i: usize) {
        let m = self.rev.meta(i);
        self.rev.set_meta(i, m | META_MODIFIED);
    }

    /// Classifies and checks a guest dword 1 for H_ENTER: page size, RPN alignment and range,
    /// WIMG. Returns the hardware dword 1 or an hcall error.
    pub fn check_new_entry(&self, v: u64, r: u64, ram_size: u64) -> Result<u64, i64> {
        let (_base, actual) = hpte_page_shifts(v, r).ok_or(rc::H_PARAMETER)?;
        let page_mask = (1u64 << actual) - 1;
        let start = r & R_RPN & !page_mask;
        let end = start + page_mask + 1;
        let backing = if end <= ram_size {
            Backing::Ram
        } else if start >= ram_size {
            Backing::Device
        } else {
            // A page straddling the end of RAM.
            return Err(rc::H_PARAMETER);
        };
        match backing {
            // KVM: the guest may map RAM with any WIMG; the hardware entry is made coherent.
            Backing::Ram => Ok((r & !(R_W | R_I | R_G)) | R_M),
            // Device pages (XIVE ESB, TIMA, emulated MMIO) must be cache-inhibited.
            Backing::Device => {
                let wig = r & (R_W | R_I | R_G);
                if wig == R_I || wig == R_I | R_G {
                    Ok(r)
                } else {
                    Err(rc::H_PARAMETER)
                }
            }
        }
    }

    /// H_ENTER. Returns the index used.
    #[inline]
    pub fn enter(
        &mut self,
        hflags: u64,
        ptex: u64,
        pteh: u64,
        ptel: u64,
        ram_size: u64,
    ) -> Result<usize, i64> {
        let i = self.index(ptex)?;
        // The hypervisor's private bits are never taken from the guest.
        let v = (pteh & !(V_HVLOCK | V_ABSENT)) | V_VALID;
        let hw_r = self.check_new_entry(v, ptel, ram_size)?;
        let entries = self.mem.entries();
        let index = if hflags & flags::H_EXACT != 0 {
            if entries[i].v() & V_VALID != 0 {
                return Err(rc::H_PTEG_FULL);
            }
            i
        } else {
            let first = i & !7;
            (first..first + 8)
                .find(|&i| entries[i].v() & V_VALID == 0)
                .ok_or(rc::H_PTEG_FULL)?
        };
        self.install(index, v, hw_r, ptel);
        Ok(index)
    }

    /// H_REMOVE's checks and removal. `Ok` carries the old guest view.
    #[inline]
    pub fn remove(&mut self, hflags: u64, ptex: u64, avpn: u64) -> Result<Removed, i64> {
        let i = self.index(ptex)?;
        let (v, r) = self.guest_view(i);
        if v & V_VALID == 0
            || (hflags & flags::H_AVPN != 0 && v & V_COMPARE != avpn)
            || (hflags & flags::H_ANDCOND != 0 && v & avpn != 0)
        {
            return Err(rc::H_NOT_FOUND);
        }
        self.invalidate_entry(i);
        Ok(Removed { v, r })
    }

    /// H_PROTECT.
    pub fn protect(&mut self, hflags: u64, ptex: u64, avpn: u64) -> Result<(), i64> {
        let i = self.index(ptex)?;
        let (v, _) = self.guest_view(i);
        if v & V_VALID == 0 || (hflags & flags::H_AVPN != 0 && v & V_COMPARE != avpn) {
            return Err(rc::H_NOT_FOUND);
        }
        let prot_mask = R_PP0 | R_KEY_HI | R_PP | R_N | R_KEY_LO;
        let bits = ((hflags << 55) & R_PP0)
            | ((hflags << 48) & R_KEY_HI)
            | (hflags & (R_PP | R_N | R_KEY_LO));
        let e = &self.mem.entries()[i];
        // Invalidate, rewrite, revalidate, as KVM and QEMU do.
        let hw_r = e.r();
        e.store_v(v & !V_VALID);
        e.store_r((hw_r & !prot_mask) | bits);
        e.store_v(v);
        self.mark_modified(i);
        Ok(())
    }

    /// H_READ: the guest view of entry `ptex`, valid or not.
    pub fn read(&self, ptex: u64) -> Result<(u64, u64), i64> {
        let i = self.index(ptex)?;
        Ok(self.guest_view(i))
    }

    /// H_CLEAR_REF / H_CLEAR_MOD: clears `bit` (R or C), returns the old guest dword 1.
    pub fn clear_rc(&mut self, ptex: u64, bit: u64) -> Result<u64, i64> {
        let i = self.index(ptex)?;
        let (v, r) = self.guest_view(i);
        if v & V_VALID == 0 {
            return Err(rc::H_NOT_FOUND);
        }
        self.mem.entries()[i].clear_r_bits(bit);
        // Forget that the cleared bit was reported, so that the processor setting it again
        // makes the entry dirty for the stream.
        let reported = if bit == R_R {
            META_REPORTED_R
        } else {
            META_REPORTED_C
        };
        let m = self.rev.meta(i);
        self.rev.set_meta(i, (m & !reported) | META_MODIFIED);
        Ok(r)
    }

    fn index(&self, ptex: u64) -> Result<usize, i64> {
        usize::try_from(ptex)
            .ok()
            .filter(|&i| i < self.npte())
            .ok_or(rc::H_PARAMETER)
    }

    /// Counts valid and bolted entries.
    pub fn occupancy(&self) -> (usize, usize) {
        let mut valid = 0;
        let mut bolted = 0;
        for e in self.mem.entries() {
            let v = e.v();
            if v & V_VALID != 0 {
                valid += 1;
                if v & V_BOLTED != 0 {
                    bolted += 1;
                }
            }
        }
        (valid, bolted)
    }
}

/// Fields of dword 0 that identify a translation: used by tests and the stream writer.
pub const V_IDENTITY: u64 = V_B_MASK | V_AVPN | V_LARGE | V_SECONDARY | V_VALID;

#[allow(dead_code)]
const _WIMG_IS_FOUR_BITS: () = assert!(R_WIMG == R_W | R_I | R_M | R_G);
