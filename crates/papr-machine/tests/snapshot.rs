//! The snapshot container and the hypervisor sections: round trips, the HPT order rule, and
//! hostile input.

use papr_hv::hcall::{flags, nr, rc};
use papr_hv::{Vm, VmConfig};
use papr_machine::snapshot::sections::{restore_hpt, restore_ram, save_hpt, save_ram, HPT, RAM};
use papr_machine::snapshot::{read, SnapshotError, Writer, FORMAT_VERSION};
use proptest::prelude::*;

const MIB: u64 = 1 << 20;

fn args(a: &[u64]) -> [u64; 9] {
    let mut x = [0; 9];
    x[..a.len()].copy_from_slice(a);
    x
}

/// A VM with some RAM content and HPT entries, its HPT resized by the guest to order 20.
fn source() -> Vm {
    let vm = Vm::new(VmConfig::with_ram(256 * MIB)).unwrap();
    let cpu = vm.create_vcpu(0).unwrap();
    vm.allocate_htab(19).unwrap();
    vm.ram().write(0x12_3456, b"hello from the guest").unwrap();
    vm.ram().write_be64(255 * MIB, 0xdead_beef).unwrap();
    for k in 0..200u64 {
        let v = ((k * 977) << 12) & 0x3fff_ffff_ffff_ff80 | 0x11;
        let r = (k << 16) | 0x1000 | 0x192;
        let ptex = (k * 8) % (1 << 15);
        vm.hcall_result(
            &cpu,
            nr::H_ENTER,
            &args(&[flags::H_EXACT, ptex, v | 0x4, r]),
        );
    }
    // The guest resizes its table to order 20.
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, 20]))
            .rc,
        rc::H_LONG_BUSY_ORDER_100_MSEC
    );
    vm.set_clock_ns(1_000_000_000);
    assert_eq!(
        vm.hcall_result(&cpu, nr::H_RESIZE_HPT_COMMIT, &args(&[0, 20]))
            .rc,
        0
    );
    vm
}

fn snapshot(vm: &Vm) -> Vec<u8> {
    let mut w = Writer::new();
    w.section(RAM, &save_ram(vm));
    w.section(HPT, &save_hpt(vm).unwrap());
    w.finish()
}

fn restore(bytes: &[u8], dst: &Vm) -> Result<(), SnapshotError> {
    for s in read(bytes)? {
        match &s.tag {
            t if *t == RAM => restore_ram(dst, &s.payload)?,
            t if *t == HPT => restore_hpt(dst, &s.payload, 24)?,
            _ => {
                return Err(SnapshotError::Section {
                    tag: s.tag_str(),
                    what: "unknown".into(),
                })
            }
        }
    }
    Ok(())
}

#[test]
fn round_trip_keeps_ram_and_the_resized_hpt() {
    let src = source();
    assert_eq!(src.hpt_order(), Some(20));
    let bytes = snapshot(&src);
    // Zero pages are elided: two non-zero 64K pages, not 512 MiB.
    assert!(bytes.len() < 400 << 10, "{} bytes", bytes.len());
    let dst = Vm::new(VmConfig::with_ram(256 * MIB)).unwrap();
    dst.allocate_htab(18).unwrap();
    dst.ram().write(0x1000, b"stale").unwrap();
    restore(&bytes, &dst).unwrap();
    assert_eq!(
        dst.hpt_order(),
        Some(20),
        "the destination runs on the source's order"
    );
    assert_eq!(dst.hpt_entries(), src.hpt_entries());
    let mut b = [0u8; 20];
    dst.ram().read(0x12_3456, &mut b).unwrap();
    assert_eq!(&b, b"hello from the guest");
    assert_eq!(dst.ram().read_be64(255 * MIB).unwrap(), 0xdead_beef);
    let mut s = [0u8; 5];
    dst.ram().read(0x1000, &mut s).unwrap();
    assert_eq!(s, [0; 5], "the destination's own content is gone");
}

#[test]
fn the_destination_never_falls_back_to_a_smaller_hpt() {
    let src = source();
    let bytes = snapshot(&src);
    let mut cfg = VmConfig::with_ram(256 * MIB);
    cfg.reserved_pool_bytes = 0;
    cfg.general_memory_limit = Some(MIB / 2);
    let dst = Vm::new(cfg).unwrap();
    let e = restore(&bytes, &dst).unwrap_err();
    assert!(matches!(e, SnapshotError::Incompatible(_)), "{e}");
    assert!(e.to_string().contains("order 20"), "{e}");
    assert_eq!(dst.hpt_order(), None, "no smaller table was made");
}

#[test]
fn an_order_the_destination_cannot_host_is_refused_before_allocating() {
    let src = source();
    let mut w = Writer::new();
    w.section(HPT, &save_hpt(&src).unwrap());
    let bytes = w.finish();
    let dst = Vm::new(VmConfig::with_ram(256 * MIB)).unwrap();
    let s = &read(&bytes).unwrap()[0];
    let e = restore_hpt(&dst, &s.payload, 19).unwrap_err();
    assert!(e.to_string().contains("at most order 19"), "{e}");
    assert_eq!(dst.hpt_order(), None);
    assert_eq!(dst.ledger().total_bytes(), 0, "nothing was allocated");
    // 512 MiB: RAM-based order 22, so the limit is 23.
    let cfg = papr_machine::config::MachineConfig {
        ram_bytes: 512 * MIB,
        ..Default::default()
    };
    assert_eq!(cfg.max_hpt_order(), 23);
}

#[test]
fn a_different_ram_size_is_refused() {
    let bytes = snapshot(&source());
    let dst = Vm::new(VmConfig::with_ram(128 * MIB)).unwrap();
    let e = restore(&bytes, &dst).unwrap_err();
    assert!(e.to_string().contains("RAM"), "{e}");
}

#[test]
fn damaged_containers_are_refused_with_clear_errors() {
    let bytes = snapshot(&source());
    assert!(matches!(
        read(b"ELF\x7f...."),
        Err(SnapshotError::BadMagic(_))
    ));
    let mut v2 = bytes.clone();
    v2[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    assert_eq!(
        read(&v2),
        Err(SnapshotError::Version {
            found: FORMAT_VERSION + 1
        })
    );
    let mut flipped = bytes.clone();
    flipped[100] ^= 1;
    let e = read(&flipped).unwrap_err();
    assert!(matches!(e, SnapshotError::Checksum { .. }), "{e}");
    assert!(e.to_string().contains("RAM."), "{e}");
    let e = read(&bytes[..bytes.len() - 16]).unwrap_err();
    assert_eq!(e, SnapshotError::NoEnd);
    for cut in [5, 13, 30, bytes.len() / 2, bytes.len() - 3] {
        let e = read(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(
                e,
                SnapshotError::Truncated { .. } | SnapshotError::TooLong { .. }
            ),
            "cut {cut}: {e}"
        );
    }
    // A section claiming more than the file holds.
    let mut long = bytes.clone();
    long[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(read(&long), Err(SnapshotError::TooLong { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary bytes, and arbitrary payloads inside valid containers: errors, never panics.
    #[test]
    fn hostile_snapshots_never_panic(
        junk in proptest::collection::vec(any::<u8>(), 0..300),
        ram_payload in proptest::collection::vec(any::<u8>(), 0..200),
        hpt_payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let _ = read(&junk);
        let mut w = Writer::new();
        w.section(RAM, &ram_payload);
        w.section(HPT, &hpt_payload);
        let bytes = w.finish();
        let dst = Vm::new(VmConfig::with_ram(256 * MIB)).unwrap();
        let _ = restore(&bytes, &dst);
    }
}
