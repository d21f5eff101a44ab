//! Decoded blocks: straight-line runs of instructions within one real page, decoded once and
//! executed back to back without a fetch translation, a storage read or a memo lookup per
//! instruction.
//!
//! A block is keyed by the real address of its first instruction and the byte order it was
//! decoded in (MSR\[LE]); it ends after a branch, a system instruction (sc, rfid, mtmsr(d),
//! isync, …), an invalid word, at the end of the page or after [`BLOCK_MAX`] instructions.
//!
//! **Coherence** (Book II 1.8 allows instruction fetch to see stale code until icbi + isync;
//! papr gives more). A block remembers the words it was decoded from and compares them with
//! storage every time it is entered, so code changed by anyone (this thread, another vCPU, the
//! hypervisor, a device) between two entries is decoded again; and a store by the running
//! thread into the block it is executing ends the block after that store, so the next
//! instruction is fetched from storage. The result is exactly what fetching every instruction
//! from storage gives, with no invalidation protocol: nothing has to be dropped on partition
//! generation, SLB or MSR changes, since blocks are found by real address after the fetch
//! translation.

use papr_isa::{decode, Insn, Opcode};

use super::{class, MemoEntry};

/// Most instructions in a block.
pub(crate) const BLOCK_MAX: usize = 16;

/// Bits of the block-cache index.
const BLOCK_BITS: u32 = 12;

/// A decoded block.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// Real address of the first instruction, | 1 when decoded little-endian; `u64::MAX`:
    /// empty.
    tag: u64,
    /// Instructions in the block (1..=BLOCK_MAX).
    pub(crate) len: usize,
    /// The words as they sit in storage (native-endian reads), for the entry check.
    raw: [u32; BLOCK_MAX],
    /// The decoded instructions, with their learned families.
    pub(crate) entries: [MemoEntry; BLOCK_MAX],
}

impl Block {
    fn empty() -> Self {
        let e = MemoEntry {
            insn: decode(0),
            class: class::UNKNOWN,
        };
        Block {
            tag: u64::MAX,
            len: 0,
            raw: [0; BLOCK_MAX],
            entries: [e; BLOCK_MAX],
        }
    }
}

/// A direct-mapped cache of decoded blocks.
#[derive(Debug, Clone)]
pub(crate) struct BlockCache {
    blocks: Box<[Block]>,
    /// Blocks entered (each a run of one or more instructions).
    pub(crate) entries: u64,
    /// Blocks decoded (first use, a changed word, or a conflict in the cache).
    pub(crate) built: u64,
}

impl Default for BlockCache {
    fn default() -> Self {
        BlockCache {
            blocks: vec![Block::empty(); 1 << BLOCK_BITS].into_boxed_slice(),
            entries: 0,
            built: 0,
        }
    }
}

/// Whether a block ends after `op`: it may change the flow, the MSR or the fetch context.
fn ends_block(op: Opcode) -> bool {
    use Opcode as O;
    matches!(
        op,
        O::Invalid
            | O::B
            | O::Bc
            | O::Bclr
            | O::Bcctr
            | O::Bctar
            | O::Sc
            | O::Scv
            | O::Rfid
            | O::Rfscv
            | O::Hrfid
            | O::Urfid
            | O::Rfebb
            | O::Mtmsr
            | O::Mtmsrd
            | O::Mtspr
            | O::Isync
            | O::Slbmte
            | O::Slbie
            | O::Slbia
            | O::Slbieg
            | O::Slbiag
            | O::Stop
            | O::Attn
    )
}

impl BlockCache {
    /// The index of the block that starts at `real`.
    #[inline(always)]
    pub(crate) fn index(real: u64) -> usize {
        ((real >> 2) as usize) & ((1 << BLOCK_BITS) - 1)
    }

    /// Entry `k` of block `i`.
    #[inline(always)]
    pub(crate) fn entry(&self, i: usize, k: usize) -> MemoEntry {
        self.blocks[i].entries[k]
    }

    /// Records the family of entry `k` of block `i`, if it still holds `word`.
    #[cold]
    pub(crate) fn learn(&mut self, i: usize, k: usize, word: u32, c: u8) {
        let e = &mut self.blocks[i].entries[k];
        if e.insn.word == word {
            e.class = c;
        }
    }

    /// The block starting at real address `real` (inside RAM, 4-byte aligned) in byte order
    /// `le`, decoded now unless the cached one was decoded from the same words. `ram` is the
    /// host address of guest-physical 0 and `ram_size` its size.
    ///
    /// # Safety
    /// `ram..ram + ram_size` must be readable (the [`super::Bus`] contract), and `real + 4 <=
    /// ram_size`.
    #[inline(always)]
    pub(crate) unsafe fn get(
        &mut self,
        real: u64,
        le: bool,
        ram: *const u8,
        ram_size: u64,
    ) -> &mut Block {
        let tag = real | u64::from(le);
        let i = Self::index(real);
        self.entries += 1;
        let b = &mut self.blocks[i];
        // SAFETY: the block was built from `real..real + 4 * len`, inside RAM and one page
        // (checked when it was built; RAM does not shrink under a bus).
        if b.tag != tag || unsafe { !same_words(b, real, ram) } {
            self.built += 1;
            // SAFETY: forwarded from the caller.
            unsafe { build(b, tag, real, le, ram, ram_size) };
        }
        b
    }
}

/// Whether storage still holds the words `b` was decoded from.
///
/// # Safety
/// `real..real + 4 * b.len` must lie inside the RAM at `ram`.
#[inline(always)]
unsafe fn same_words(b: &Block, real: u64, ram: *const u8) -> bool {
    // SAFETY: per the contract, `real` is inside RAM.
    let p = unsafe { ram.add(real as usize) }.cast::<u32>();
    (0..b.len).all(|k| {
        // SAFETY: word `k < len` of the block lies inside RAM (contract); unaligned-safe.
        let w = unsafe { p.add(k).read_unaligned() };
        w == b.raw[k]
    })
}

/// Decodes the block at `real` into `b`.
///
/// # Safety
/// As [`BlockCache::get`].
#[cold]
#[inline(never)]
unsafe fn build(b: &mut Block, tag: u64, real: u64, le: bool, ram: *const u8, ram_size: u64) {
    let page_left = ((0x1000 - (real & 0xfff)) / 4) as usize;
    let ram_left = ((ram_size - real) / 4) as usize;
    let max = BLOCK_MAX.min(page_left).min(ram_left).max(1);
    // SAFETY: `real + 4 * max <= ram_size` by the bounds above (and `real + 4 <= ram_size`).
    let p = unsafe { ram.add(real as usize) }.cast::<u32>();
    let mut len = 0;
    while len < max {
        // SAFETY: `len < max`.
        let raw = unsafe { p.add(len).read_unaligned() };
        let word = if le {
            u32::from_le(raw)
        } else {
            u32::from_be(raw)
        };
        let insn: Insn = decode(word);
        b.raw[len] = raw;
        b.entries[len] = MemoEntry {
            insn,
            class: class::UNKNOWN,
        };
        len += 1;
        if ends_block(insn.op) {
            break;
        }
    }
    b.len = len;
    b.tag = tag;
}
