//! The kernel/initrd loader against the layout QEMU's pseries machine produced for the same
//! files (linux-pseries-boot.md 1.2) and against malformed files.

use papr_hv::GuestRam;
use papr_machine::loader::{load_initrd, load_kernel, LoadError, KERNEL_LOAD_ADDR};
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A minimal ELF64 file: one PT_LOAD segment with `payload` at paddr `paddr`, memsz `memsz`.
fn elf(big_endian: bool, machine: u16, paddr: u64, payload: &[u8], memsz: u64) -> Vec<u8> {
    let w16 = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w32 = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w64 = |v: u64| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut f = vec![
        0x7f,
        b'E',
        b'L',
        b'F',
        2,
        if big_endian { 2 } else { 1 },
        1,
        0,
    ];
    f.resize(16, 0);
    f.extend_from_slice(&w16(2)); // ET_EXEC
    f.extend_from_slice(&w16(machine));
    f.extend_from_slice(&w32(1));
    f.extend_from_slice(&w64(0xc000_0000_0000_0000)); // e_entry (ignored by VOF)
    f.extend_from_slice(&w64(64)); // e_phoff
    f.extend_from_slice(&w64(0)); // e_shoff
    f.extend_from_slice(&w32(0));
    f.extend_from_slice(&w16(64));
    f.extend_from_slice(&w16(56));
    f.extend_from_slice(&w16(1));
    f.extend_from_slice(&w16(64));
    f.extend_from_slice(&w16(0));
    f.extend_from_slice(&w16(0));
    assert_eq!(f.len(), 64);
    f.extend_from_slice(&w32(1)); // PT_LOAD
    f.extend_from_slice(&w32(7));
    f.extend_from_slice(&w64(120)); // p_offset
    f.extend_from_slice(&w64(0xc000_0000_0000_0000));
    f.extend_from_slice(&w64(paddr));
    f.extend_from_slice(&w64(payload.len() as u64));
    f.extend_from_slice(&w64(memsz));
    f.extend_from_slice(&w64(0x10000));
    assert_eq!(f.len(), 120);
    f.extend_from_slice(payload);
    f
}

#[test]
fn segments_land_at_0x400000_and_bss_is_zeroed() {
    let ram = GuestRam::new(64 << 20).unwrap();
    ram.write(KERNEL_LOAD_ADDR + 4, &[0xaa; 16]).unwrap();
    let k = load_kernel(&ram, "k", &elf(false, 21, 0, &[1, 2, 3, 4], 0x2_0000)).unwrap();
    assert_eq!(k.entry, KERNEL_LOAD_ADDR);
    assert_eq!(k.end, KERNEL_LOAD_ADDR + 0x2_0000);
    assert!(!k.big_endian);
    let mut b = [0u8; 8];
    ram.read(KERNEL_LOAD_ADDR, &mut b).unwrap();
    assert_eq!(b, [1, 2, 3, 4, 0, 0, 0, 0], "memsz beyond filesz is zeroed");
    // Link addresses above 256 MiB fold back (QEMU's translation), big-endian files load too.
    let k = load_kernel(&ram, "k", &elf(true, 21, 0x1000_0000, &[9], 0x10)).unwrap();
    assert_eq!(k.entry, KERNEL_LOAD_ADDR);
    assert!(k.big_endian);
}

#[test]
fn malformed_files_get_errors_that_name_the_problem() {
    let ram = GuestRam::new(16 << 20).unwrap();
    let e = load_kernel(&ram, "vmlinux", b"#!/bin/sh\n").unwrap_err();
    assert!(matches!(e, LoadError::NotElf { .. }), "{e}");
    assert!(e.to_string().contains("vmlinux is not an ELF file"));
    let e = load_kernel(&ram, "k", &elf(false, 62, 0, &[0], 16)).unwrap_err();
    assert_eq!(
        e,
        LoadError::NotPpc64 {
            name: "k".into(),
            machine: 62
        }
    );
    assert!(e.to_string().contains("not 64-bit PowerPC"));
    let e = load_kernel(&ram, "k", &elf(false, 21, 0, &[0; 32], 16)).unwrap_err();
    assert!(e.to_string().contains("memsz 0x10 < filesz 0x20"), "{e}");
    let mut truncated = elf(false, 21, 0, &[0; 32], 64);
    truncated.truncate(130);
    let e = load_kernel(&ram, "k", &truncated).unwrap_err();
    assert!(e.to_string().contains("outside the file"), "{e}");
    let e = load_kernel(&ram, "k", &elf(false, 21, 0, &[0], 32 << 20)).unwrap_err();
    assert!(matches!(e, LoadError::DoesNotFit { .. }), "{e}");
    let e = load_initrd(&ram, 15 << 20, &[0; 2 << 20]).unwrap_err();
    assert!(e.to_string().contains("the initrd"), "{e}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let ram = GuestRam::new(1 << 20).unwrap();
    let base = elf(false, 21, 0, &[1, 2, 3], 0x100);
    let mut x = 0x1234_5678u32;
    for _ in 0..2000 {
        let mut f = base.clone();
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let i = x as usize % f.len();
            f[i] = x.to_le_bytes()[1];
        }
        let _ = load_kernel(&ram, "fuzz", &f);
    }
}

#[test]
fn a_bare_metal_guest_loads_at_0x400000() {
    let f = std::fs::read(repo().join("guests/bin/hello.elf")).unwrap();
    let ram = GuestRam::new(256 << 20).unwrap();
    let k = load_kernel(&ram, "hello.elf", &f).unwrap();
    assert_eq!(k.entry, KERNEL_LOAD_ADDR);
}

/// The Debian kernel: QEMU 7.2 put its initrd at 0x2c90000 (linux-pseries-boot.md 1.2).
#[test]
fn the_debian_kernel_matches_qemus_layout() {
    let path = repo().join(".cache/debian/vmlinux");
    let Ok(f) = std::fs::read(&path) else {
        if std::env::var("PAPR_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!(
                "{} is missing: run scripts/fetch-debian-guest.sh",
                path.display()
            );
        }
        eprintln!(
            "SKIPPED: {} missing (run scripts/fetch-debian-guest.sh)",
            path.display()
        );
        return;
    };
    let ram = GuestRam::new(1 << 30).unwrap();
    let k = load_kernel(&ram, "vmlinux", &f).unwrap();
    assert_eq!(k.entry, 0x40_0000);
    assert!(!k.big_endian);
    // The 6.1.0-47 image: memsz 0x287c918 -> initrd at 0x2c90000, as QEMU placed it.
    if f.len() == 45_846_664 {
        assert_eq!(k.end, 0x40_0000 + 0x287_c918);
        assert_eq!(k.initrd_address(), 0x2c9_0000);
    }
    // The image starts with the FIXUP_ENDIAN trampoline: LE `tdi 0,0,0x48`.
    assert_eq!(ram.read_be32(0x40_0000).unwrap().swap_bytes(), 0x0800_0048);
}
