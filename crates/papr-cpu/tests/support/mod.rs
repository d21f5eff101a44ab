//! Shared by the integration tests and the benches (`#[path]`-included): guest RAM as a plain
//! vector behind the processor's bus, with a pluggable store-page hook
//! (`Bus::note_ram_store`), and the D- and X-form instruction encoders.
// Not every includer uses every item.
#![allow(dead_code)]

use std::ptr::NonNull;

use papr_cpu::Bus;

/// What a [`VecBus`] does with the store pages the interpreter announces.
pub trait StorePages {
    /// Page `page` (guest-physical, page-aligned) is about to be stored to.
    fn note(&mut self, page: u64);
}

/// Announcements ignored.
impl StorePages for () {
    #[inline]
    fn note(&mut self, _page: u64) {}
}

/// Guest RAM `mem` (guest-physical 0..len), no MMIO; store pages go to `pages`.
pub struct VecBus<H> {
    pub mem: Vec<u8>,
    pub pages: H,
}

// SAFETY: the vector is never resized while the bus lives, so its buffer stays put.
unsafe impl<H: StorePages> Bus for VecBus<H> {
    fn ram(&self) -> (NonNull<u8>, u64) {
        let p = NonNull::new(self.mem.as_ptr().cast_mut()).expect("non-null");
        (p, self.mem.len() as u64)
    }
    fn mmio_read(&mut self, _addr: u64, _buf: &mut [u8]) -> bool {
        false
    }
    fn mmio_write(&mut self, _addr: u64, _buf: &[u8]) -> bool {
        false
    }
    #[inline]
    fn note_ram_store(&mut self, page: u64) {
        self.pages.note(page);
    }
}

/// A D-form instruction: primary opcode, RT/RS, RA, 16-bit immediate.
pub fn d(po: u32, rt: u32, ra: u32, imm: u32) -> u32 {
    (po << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff)
}

/// An X-form instruction of primary opcode 31: RT/RS, RA, RB, extended opcode.
pub fn x(rt: u32, ra: u32, rb: u32, xo: u32) -> u32 {
    (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1)
}
