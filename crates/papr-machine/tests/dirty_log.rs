//! RAM dirty logging end to end (`GuestRam::enable_dirty_log` / `take_dirty_log`, the
//! interpreter's `Bus::note_ram_store` fed into `GuestRam::mark_dirty` as the machine's bus
//! does): bare-metal guests run in slices with the log taken after each, and every 4 KiB page
//! whose bytes changed in a slice — by the processor's stores in real or translated mode, or by
//! the platform's own writes (OF client interface results, hcalls) — must be in that slice's
//! log. The oracle is a byte diff of all of RAM between takes.
//!
//! After each take every vCPU's TLB is flushed, as the contract asks: by `Cpu::flush_tlb` on
//! even takes and by a partition generation change (`PartitionEntry::invalidate`, what the
//! platform can do for all vCPUs at once) on odd ones.

mod guests_common;

use std::path::PathBuf;

use guests_common::{Guest, RAM};

fn elf(guest: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../guests/bin")
        .join(format!("{guest}.elf"));
    std::fs::read(path).expect("guest ELF")
}

/// Runs `guest` for at most `max` instructions in slices of `slice`, checking each log, and
/// checks it took the log several times and saw changes. Returns (takes, pages reported).
fn check(guest: &str, slice: u64, max: u64) -> (u64, u64) {
    let mut g = Guest::boot(guest, &elf(guest), false);
    let ram = g.vm().ram();
    ram.enable_dirty_log();
    g.cpu.flush_tlb();
    let mut before = vec![0u8; usize::try_from(RAM).expect("RAM fits")];
    g.vm().ram().read(0, &mut before).expect("ram");
    let mut page = vec![0u8; 4096];
    let (mut takes, mut reported, mut changed) = (0u64, 0u64, 0u64);
    let mut exited = false;
    while !exited && g.interp.retired() < max {
        // Uneven slices, so takes fall anywhere.
        let n = slice + (takes * 7919) % slice;
        exited = g.run_to(g.interp.retired() + n);
        let log = g.vm().ram().take_dirty_log();
        if takes % 2 == 0 {
            g.cpu.flush_tlb();
        } else {
            g.vm().partition_entry().invalidate();
        }
        for (p, old) in (0u64..).zip(before.chunks_mut(4096)) {
            g.vm().ram().read(p * 4096, &mut page).expect("ram");
            if page != old {
                assert!(
                    log.is_dirty(p),
                    "{guest}: page {p:#x} changed in slice {takes} (up to instruction {}) \
                     but is not in the log",
                    g.interp.retired()
                );
                old.copy_from_slice(&page);
                changed += 1;
            }
        }
        reported += log.count();
        takes += 1;
    }
    println!("{guest}: {takes} takes, {reported} pages reported, {changed} changed");
    assert!(takes > 5 && changed > 0 && reported >= changed);
    (takes, reported)
}

#[test]
fn mmu_guest_stores_are_logged() {
    check("mmu", 5_000, u64::MAX);
}

#[test]
fn ldst_guest_stores_are_logged() {
    check("ldst", 10_000, u64::MAX);
}

#[test]
fn irq_guest_stores_are_logged() {
    check("irq", 5_000, u64::MAX);
}

/// A copy loop over 512 KiB: many pages per slice, every one changed again after each take.
#[test]
fn bench_copy_stores_are_logged() {
    let (takes, reported) = check("bench_copy", 3_000_000, 30_000_000);
    // A log, not "everything": the loop's buffers, a few MiB per slice at most.
    assert!(reported / takes < 1024, "{reported} pages in {takes} takes");
}
