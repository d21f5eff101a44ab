//! Host memory backing: the hypervisor's large buffers (guest RAM, HPTs and their reverse
//! maps, the reserved pool) ask the host for transparent huge pages, as KVM's tables sit in
//! the kernel's linear map and QEMU asks for its guest RAM. A buffer walked or rewritten at
//! random otherwise costs a host TLB miss per 4 KiB page, and a scan over never-touched memory
//! a page fault per 4 KiB instead of one per 2 MiB.

/// A host huge page (x86_64 and most 64-bit hosts; elsewhere only an alignment).
pub(crate) const HUGE_PAGE: usize = 2 << 20;

/// Asks the host to back the `bytes` at `p` with transparent huge pages when they fill one
/// or more and `p` is page-aligned (the kernel's requirement). Advice only: where the host
/// has no transparent huge pages, or refuses, nothing changes.
pub(crate) fn advise_huge_pages(p: *mut u8, bytes: usize) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if bytes >= HUGE_PAGE && p.align_offset(4096) == 0 {
        // SAFETY: MADV_HUGEPAGE changes only how the range is backed, never its contents;
        // the caller owns the range. A failure leaves small pages.
        unsafe { libc::madvise(p.cast(), bytes, libc::MADV_HUGEPAGE) };
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = (p, bytes);
}
