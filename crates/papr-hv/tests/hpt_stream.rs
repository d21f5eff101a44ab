//! The HTAB stream (KVM_PPC_GET_HTAB_FD), fact sheet section 5: format, passes, restore, and
//! hostile input.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

mod common;

use common::*;
use papr_hv::hcall::{nr, rc};
use papr_hv::hpt::stream::{restore_all, GET_HTAB_BOLTED_ONLY, GET_HTAB_WRITE};
use papr_hv::{Vm, VmError};
use proptest::prelude::*;

const GIB: u64 = 1 << 30;

/// One parsed record: (index, valid entries, number of invalid after them).
type Record = (u32, Vec<(u64, u64)>, u16);

/// Parses a stream the way the format is documented (little-endian header, big-endian HPTEs).
fn parse(mut b: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let index = u32::from_le_bytes(b[0..4].try_into().unwrap());
        let n_valid = u16::from_le_bytes(b[4..6].try_into().unwrap());
        let n_invalid = u16::from_le_bytes(b[6..8].try_into().unwrap());
        b = &b[8..];
        let mut valid = Vec::new();
        for _ in 0..n_valid {
            let v = u64::from_be_bytes(b[0..8].try_into().unwrap());
            let r = u64::from_be_bytes(b[8..16].try_into().unwrap());
            valid.push((v, r));
            b = &b[16..];
        }
        out.push((index, valid, n_invalid));
    }
    out
}

/// Reads one pass (until the handle wraps) with a buffer of `chunk` bytes.
fn read_pass(fd: &mut papr_hv::hpt::stream::HtabFd, chunk: usize) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = vec![0u8; chunk];
    loop {
        let n = fd.read(&mut buf).unwrap();
        all.extend_from_slice(&buf[..n]);
        if n == 0 {
            return all;
        }
    }
}

fn table(vm: &Vm) -> Vec<(u64, u64)> {
    let n = 1usize << (vm.hpt_order().unwrap() - 4);
    (0..n).map(|i| vm.read_hpte(i).unwrap()).collect()
}

fn populate(vm: &Vm, cpu: &papr_hv::Vcpu, order: u32, count: u64) -> Vec<u64> {
    (0..count)
        .map(|k| {
            let m = Mapping {
                tera: k % 3 == 0,
                vsid: 0x1000 + k * 7,
                page: k * 13,
                shift: if k % 2 == 0 { 12 } else { 16 },
                bolted: k % 4 == 0,
                secondary: k % 5 == 0,
                ra: (k << 16) % (GIB / 2),
            };
            enter(vm, cpu, &m, order)
        })
        .filter(|&(code, _)| code == rc::H_SUCCESS)
        .map(|(_, i)| i)
        .collect()
}

#[test]
fn full_pass_round_trips_into_a_table_of_the_same_order() {
    let (src, cpu) = vm_with_order(GIB, 20);
    let idx = populate(&src, &cpu, 20, 3000);
    // The processor referenced some entries.
    let view = src.partition_entry().table().unwrap();
    for &i in idx.iter().step_by(7) {
        view.entries()[i as usize].set_rc(R_R | R_C);
    }
    let mut fd = src.get_htab_fd(0, 0).unwrap();
    let stream = read_pass(&mut fd, 4096);
    // Every entry of the table is described exactly once, in order.
    let recs = parse(&stream);
    let mut next = 0u32;
    for (index, valid, n_invalid) in &recs {
        assert_eq!(*index, next);
        next += valid.len() as u32 + u32::from(*n_invalid);
    }
    assert_eq!(next, 1 << 16);
    // A second read finds nothing modified.
    assert_eq!(read_pass(&mut fd, 4096).len(), 0);

    let (dst, _) = vm_with_order(GIB, 20);
    let mut w = dst.get_htab_fd(GET_HTAB_WRITE, 0).unwrap();
    restore_all(&mut w, &stream).unwrap();
    assert_eq!(table(&dst), table(&src));
}

#[test]
fn later_passes_carry_only_what_changed() {
    let (src, cpu) = vm_with_order(GIB, 19);
    let idx = populate(&src, &cpu, 19, 500);
    let mut fd = src.get_htab_fd(0, 0).unwrap();
    let first = read_pass(&mut fd, 65536);
    let (dst, _) = vm_with_order(GIB, 19);
    let mut w = dst.get_htab_fd(GET_HTAB_WRITE, 0).unwrap();
    restore_all(&mut w, &first).unwrap();

    // Change four entries in four ways.
    let removed = idx[10];
    assert_eq!(
        src.hcall_result(&cpu, nr::H_REMOVE, &args(&[0, removed, 0]))
            .rc,
        rc::H_SUCCESS
    );
    let protected = idx[20];
    assert_eq!(
        src.hcall_result(&cpu, nr::H_PROTECT, &args(&[3, protected, 0]))
            .rc,
        rc::H_SUCCESS
    );
    let touched = idx[30];
    src.partition_entry().table().unwrap().entries()[touched as usize].set_rc(R_C);
    let new = Mapping {
        tera: false,
        vsid: 0xfeed,
        page: 1,
        shift: 12,
        bolted: false,
        secondary: false,
        ra: 0x7000,
    };
    let added = enter_ok(&src, &cpu, &new, 19);

    let delta = read_pass(&mut fd, 65536);
    let recs = parse(&delta);
    let mut reported: Vec<u32> = Vec::new();
    for (index, valid, n_invalid) in &recs {
        for k in 0..valid.len() as u32 + u32::from(*n_invalid) {
            reported.push(index + k);
        }
    }
    reported.sort_unstable();
    let mut want: Vec<u32> = [removed, protected, touched, added]
        .iter()
        .map(|&i| i as u32)
        .collect();
    want.sort_unstable();
    assert_eq!(reported, want);
    restore_all(&mut w, &delta).unwrap();
    assert_eq!(table(&dst), table(&src));
    // Converged.
    assert!(read_pass(&mut fd, 65536).is_empty());
}

#[test]
fn bolted_only_reports_other_entries_as_invalid() {
    let (src, cpu) = vm_with_order(GIB, 18);
    let idx = populate(&src, &cpu, 18, 64);
    let mut fd = src.get_htab_fd(GET_HTAB_BOLTED_ONLY, 0).unwrap();
    let recs = parse(&read_pass(&mut fd, 1 << 16));
    let valid: usize = recs.iter().map(|r| r.1.len()).sum();
    assert_eq!(valid, src.bolted_entries());
    assert!(valid > 0 && valid < idx.len());
    for (_, entries, _) in &recs {
        for (v, _) in entries {
            assert_ne!(v & V_BOLTED, 0);
        }
    }
}

#[test]
fn start_index_and_small_buffers() {
    let (src, cpu) = vm_with_order(GIB, 18);
    populate(&src, &cpu, 18, 100);
    let populated = populate(&src, &cpu, 18, 0);
    let mut fd = src.get_htab_fd(0, 1000).unwrap();
    // A buffer that holds one header and one HPTE at a time.
    let stream = read_pass(&mut fd, 24);
    let recs = parse(&stream);
    assert_eq!(recs[0].0, 1000);
    // The first pass covers 1000.. to the end; the next pass then reports the entries below
    // 1000 that are still modified (never streamed).
    let first: u32 = recs
        .iter()
        .filter(|r| r.0 >= 1000)
        .map(|r| r.1.len() as u32 + u32::from(r.2))
        .sum();
    assert_eq!(first, (1 << 14) - 1000);
    for (index, valid, n_invalid) in recs.iter().filter(|r| r.0 < 1000) {
        assert_eq!(*n_invalid, 0);
        assert_eq!(valid.len(), 1);
        assert!(src.read_hpte(*index as usize).unwrap().0 & V_VALID != 0);
    }
    drop(populated);
    // Too small for anything: nothing, no panic.
    let mut fd = src.get_htab_fd(0, 0).unwrap();
    assert_eq!(fd.read(&mut [0u8; 23]).unwrap(), 0);
}

#[test]
fn hostile_streams_are_refused_with_clear_errors() {
    let (dst, cpu) = vm_with_order(GIB, 18);
    let mut w = dst.get_htab_fd(GET_HTAB_WRITE, 0).unwrap();
    let header = |index: u32, nv: u16, ni: u16| {
        let mut h = index.to_le_bytes().to_vec();
        h.extend_from_slice(&nv.to_le_bytes());
        h.extend_from_slice(&ni.to_le_bytes());
        h
    };
    // Outside the table (order 18 = 16384 entries).
    let e = restore_all(&mut w, &header(16384, 0, 1)).unwrap_err();
    assert!(e.to_string().contains("outside the table"), "{e}");
    let e = restore_all(&mut w, &header(16000, 0, 1000)).unwrap_err();
    assert!(e.to_string().contains("outside the table"), "{e}");
    // Truncated: a header announcing an HPTE that is not there.
    let e = restore_all(&mut w, &header(0, 1, 0)).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    let e = restore_all(&mut w, &[1, 2, 3]).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    // A "valid" entry with V clear.
    let mut s = header(0, 1, 0);
    s.extend_from_slice(&[0u8; 16]);
    let e = restore_all(&mut w, &s).unwrap_err();
    assert!(e.to_string().contains("V clear"), "{e}");
    // An entry with a page size nobody offers.
    let mut s = header(0, 1, 0);
    s.extend_from_slice(&(V_VALID | V_LARGE).to_be_bytes());
    s.extend_from_slice(&(0x3000u64 | R_M).to_be_bytes());
    let e = restore_all(&mut w, &s).unwrap_err();
    assert!(e.to_string().contains("cannot be entered"), "{e}");
    // Writes while a vCPU runs.
    let g = dst.run(&cpu).unwrap();
    assert!(matches!(w.write(&header(0, 0, 1)), Err(VmError::Busy(_))));
    drop(g);
    // Wrong direction, wrong flags.
    assert!(w.read(&mut [0u8; 64]).is_err());
    assert!(dst.get_htab_fd(0, 0).unwrap().write(&[]).is_err());
    assert!(matches!(
        dst.get_htab_fd(4, 0),
        Err(VmError::InvalidArgument(_))
    ));
    // No table at all.
    let (bare, _) = common::vm(GIB);
    let mut w = bare.get_htab_fd(GET_HTAB_WRITE, 0).unwrap();
    assert!(w.write(&header(0, 0, 1)).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes written to a restore handle: an error or success, never a panic, and
    /// whatever got in is a table the hcalls can still work on.
    #[test]
    fn arbitrary_streams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (dst, cpu) = vm_with_order(GIB, 18);
        let mut w = dst.get_htab_fd(GET_HTAB_WRITE, 0).unwrap();
        let _ = restore_all(&mut w, &bytes);
        let r = dst.hcall_result(&cpu, nr::H_READ, &args(&[papr_hv::hcall::flags::H_READ_4, 0]));
        prop_assert_eq!(r.rc, rc::H_SUCCESS);
    }
}
