//! Every instruction the Debian guests contain is either executed by papr-cpu or listed, with
//! its reason, in `tests/data/debian_unimplemented.txt` (issue: "everything the kernel and
//! busybox execute"; "an instruction we do not implement raises the illegal-instruction
//! program interrupt").
//!
//! Each distinct word of the executable sections of Debian's vmlinux and busybox-static that
//! papr-isa decodes runs once on a fresh thread (64-bit, little-endian, privileged, FP, VMX
//! and VSX available, translation off, registers pointing into a scratch RAM). A word is
//! unimplemented when it takes the illegal-instruction program interrupt (0x700, SRR1 bit 44);
//! privileged, facility-unavailable, storage and other interrupts are implemented behaviour.
//! The test fails on an illegal instruction that is not listed, and on a listed one that no
//! longer is illegal, so the list stays exact.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ptr::NonNull;
use std::sync::Arc;

use object::{Object, ObjectSection, SectionFlags};
use papr_cpu::hpt::PartitionEntry;
use papr_cpu::state::msr;
use papr_cpu::{Bus, Cpu, CpuConfig, Interpreter, InterruptLine};
use papr_isa::Opcode;

/// SRR1 bit 44 (IBM numbering): illegal instruction.
const SRR1_ILLEGAL: u64 = 0x0008_0000;

struct Scratch(Vec<u8>);

// SAFETY: the vector is never resized while the bus lives.
unsafe impl Bus for Scratch {
    fn ram(&self) -> (NonNull<u8>, u64) {
        (
            NonNull::new(self.0.as_ptr().cast_mut()).expect("non-null"),
            self.0.len() as u64,
        )
    }
    fn mmio_read(&mut self, _: u64, buf: &mut [u8]) -> bool {
        buf.fill(0);
        true
    }
    fn mmio_write(&mut self, _: u64, _: &[u8]) -> bool {
        true
    }
}

/// The list key of an instruction (see the data file's header).
fn key(op: Opcode, word: u32) -> String {
    match op {
        Opcode::Mfspr | Opcode::Mtspr => {
            let spr = ((word >> 16) & 0x1f) | (((word >> 11) & 0x1f) << 5);
            format!("{op:?}({spr})")
        }
        Opcode::Sc => format!("{op:?}({})", (word >> 5) & 0x7f),
        _ => format!("{op:?}"),
    }
}

/// The executable sections' words (little-endian) of an ELF image.
fn text_words(elf: &[u8]) -> Vec<u32> {
    let file = object::File::parse(elf).expect("a valid ELF");
    let mut words = Vec::new();
    for s in file.sections() {
        let SectionFlags::Elf { sh_flags } = s.flags() else {
            continue;
        };
        if sh_flags & u64::from(object::elf::SHF_EXECINSTR) == 0 {
            continue;
        }
        let data = s.data().expect("section data");
        words.extend(
            data.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
    }
    words
}

/// The keys of the words that take the illegal-instruction interrupt, with an example word.
fn illegal_keys(words: &[u32]) -> BTreeMap<String, u32> {
    let mut seen = HashSet::new();
    let mut illegal = BTreeMap::new();
    let mut bus = Scratch(vec![0u8; 1 << 20]);
    // One interpreter for all words: its decode caches are validated by the word fetched.
    let mut i = Interpreter::new();
    for &w in words {
        let insn = papr_isa::decode(w);
        if insn.op == Opcode::Invalid || !seen.insert(w) {
            continue;
        }
        let mut cpu = Cpu::new(
            CpuConfig::default(),
            Arc::new(PartitionEntry::new()),
            Arc::new(InterruptLine::new()),
        );
        cpu.set_msr(msr::SF | msr::LE | msr::FP | msr::VEC | msr::VSX);
        cpu.state.gpr.fill(0x8000);
        bus.0[0x1000..0x1004].copy_from_slice(&w.to_le_bytes());
        cpu.state.nip = 0x1000;
        i.clear_reservation();
        i.run(&mut cpu, &mut bus, 1);
        if cpu.state.nip == 0x700 && cpu.state.sprs.srr1 & SRR1_ILLEGAL != 0 {
            illegal.entry(key(insn.op, w)).or_insert(w);
        }
    }
    illegal
}

fn listed() -> BTreeMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/debian_unimplemented.txt"
    );
    let text = std::fs::read_to_string(path).expect("the list");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, why) = l.split_once('\t').expect("KEY<TAB>REASON");
            assert!(!why.trim().is_empty(), "{k}: a reason is required");
            (k.to_string(), why.to_string())
        })
        .collect()
}

#[test]
fn every_instruction_of_the_debian_guests_is_implemented_or_listed() {
    let Some((kernel, busybox)) = support::debian_artifacts() else {
        return;
    };
    let list = listed();
    let mut found = BTreeSet::new();
    let mut unlisted = Vec::new();
    for (name, elf) in [("vmlinux", &kernel), ("busybox", &busybox)] {
        let words = text_words(elf);
        assert!(words.len() > 100_000, "{name}: no text found");
        for (k, w) in illegal_keys(&words) {
            if !list.contains_key(&k) {
                unlisted.push(format!(
                    "{name}: {k} ({w:08x} `{}`)",
                    papr_isa::disassemble(w, 0)
                ));
            }
            found.insert(k);
        }
    }
    let stale: Vec<_> = list.keys().filter(|k| !found.contains(*k)).collect();
    assert!(
        unlisted.is_empty(),
        "illegal in papr but not in tests/data/debian_unimplemented.txt:\n{}",
        unlisted.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed as unimplemented but executed now (or absent from the guests): {stale:?}"
    );
}
