//! The fuzz harness over HPT hcall sequences, shared by the cargo-fuzz target
//! (`fuzz/fuzz_targets/hcalls.rs`) and a plain `cargo test` over the fixed corpus in
//! `fuzz/corpus/hcalls/`.
//!
//! Input bytes are a program: each step is an opcode byte followed by its arguments (little
//! endian, zero-padded at the end of the input). Steps reach every HPT hcall with hostile
//! arguments, resize with virtual time, allocate_htab, reset, and the HTAB stream in both
//! directions. The checks: nothing panics; every return code is one PAPR defines for that
//! hcall; and at the end (for one input in eight) the table survives a stream round trip into a
//! fresh VM unchanged.

use crate::hcall::{nr, rc, HcallArgs, HcallExit};
use crate::hpt::stream::{restore_all, GET_HTAB_WRITE};
use crate::{Vm, VmConfig};

struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    fn u64(&mut self) -> u64 {
        let n = self.data.len().min(8);
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        u64::from_le_bytes(b)
    }

    /// An index that is usually inside a small table.
    fn ptex(&mut self) -> u64 {
        let raw = self.u64();
        if raw & 0x8000_0000_0000_0000 != 0 {
            raw
        } else {
            raw & 0x7fff
        }
    }

    /// A dword 0 that is often a plausible HPTE.
    fn pteh(&mut self) -> u64 {
        let raw = self.u64();
        if raw & 1 == 0 {
            raw
        } else {
            (raw & !0x60) | 1
        }
    }

    /// A dword 1 that is often a plausible RAM mapping.
    fn ptel(&mut self) -> u64 {
        let raw = self.u64();
        match raw & 3 {
            0 => raw,
            1 => (raw & 0x03ff_f000) | 0x10 | (raw >> 62),
            2 => (raw & 0x03ff_0000) | 0x1000 | 0x10,
            _ => 0x0006_0100_0000_0000 | (raw & 0xfff_f000) | 0x28,
        }
    }
}

fn allowed(number: u64, code: i64) -> bool {
    use rc::*;
    match number {
        nr::H_ENTER => matches!(code, H_SUCCESS | H_PARAMETER | H_PTEG_FULL),
        nr::H_REMOVE | nr::H_PROTECT | nr::H_CLEAR_REF | nr::H_CLEAR_MOD => {
            matches!(code, H_SUCCESS | H_PARAMETER | H_NOT_FOUND)
        }
        nr::H_READ | nr::H_BULK_REMOVE => matches!(code, H_SUCCESS | H_PARAMETER),
        nr::H_RESIZE_HPT_PREPARE => matches!(
            code,
            H_SUCCESS | H_PARAMETER | H_RESOURCE | H_LONG_BUSY_ORDER_100_MSEC | H_NO_MEM
        ),
        nr::H_RESIZE_HPT_COMMIT => {
            matches!(
                code,
                H_SUCCESS | H_PARAMETER | H_CLOSED | H_BUSY | H_PTEG_FULL | H_NO_MEM
            )
        }
        _ => true,
    }
}

const RAM: u64 = 16 << 20;

/// An order for allocate_htab: mostly 15..=21 (invalid ones included; larger tables only slow
/// the fuzzer down without reaching new code), sometimes anything.
fn order_arg(b: u8) -> u8 {
    if b >= 0xf0 {
        b
    } else {
        15 + b % 7
    }
}

/// A shift for the resize hcalls: 0 (cancel) or mostly 15..=21, sometimes anything.
fn shift_arg(b: u8) -> u64 {
    if b.is_multiple_of(8) {
        0
    } else {
        u64::from(order_arg(b))
    }
}

/// Runs one input. Panics only if an invariant is broken (that is the finding).
pub fn run(data: &[u8]) {
    let mut cfg = VmConfig::with_ram(RAM);
    // A pool that holds an order-18 or -19 table, so both pools are exercised.
    cfg.reserved_pool_bytes = 1 << 19;
    cfg.general_memory_limit = Some(16 << 20);
    let Ok(vm) = Vm::new(cfg) else { return };
    let Ok(cpu) = vm.create_vcpu(0) else { return };
    if vm.allocate_htab(18).is_err() {
        return;
    }
    let mut input = Input { data };
    let mut steps = 0;
    while let Some(op) = input.byte() {
        steps += 1;
        if steps > 256 {
            break;
        }
        let mut a: HcallArgs = [0; 9];
        let number = match op % 16 {
            0 | 1 => {
                a[0] = if op & 0x10 != 0 {
                    crate::hcall::flags::H_EXACT
                } else {
                    0
                };
                a[1] = input.ptex();
                a[2] = input.pteh();
                a[3] = input.ptel();
                nr::H_ENTER
            }
            2 => {
                a[0] = u64::from(op >> 4) << 28;
                a[1] = input.ptex();
                a[2] = input.u64();
                nr::H_REMOVE
            }
            3 => {
                for (k, slot) in a.iter_mut().take(8).enumerate() {
                    *slot = if k % 2 == 0 {
                        (input.u64() & 0xff00_0000_0000_0000) | input.ptex()
                    } else {
                        input.u64()
                    };
                }
                nr::H_BULK_REMOVE
            }
            4 => {
                a[0] = input.u64();
                a[1] = input.ptex();
                a[2] = input.u64();
                nr::H_PROTECT
            }
            5 => {
                a[0] = input.u64() & (1 << 37);
                a[1] = input.ptex();
                nr::H_READ
            }
            6 => {
                a[1] = input.ptex();
                nr::H_CLEAR_REF
            }
            7 => {
                a[1] = input.ptex();
                nr::H_CLEAR_MOD
            }
            8 => {
                a[0] = u64::from(op >> 7);
                a[1] = shift_arg(input.byte().unwrap_or(0));
                nr::H_RESIZE_HPT_PREPARE
            }
            9 => {
                a[0] = u64::from(op >> 7);
                a[1] = shift_arg(input.byte().unwrap_or(0));
                nr::H_RESIZE_HPT_COMMIT
            }
            10 => {
                vm.set_clock_ns(vm.clock_ns() + u64::from(input.byte().unwrap_or(0)) * 1_000_000);
                continue;
            }
            11 => {
                let order = u32::from(order_arg(input.byte().unwrap_or(0)));
                let _ = vm.allocate_htab(order);
                if vm.hpt_order().is_none() {
                    let _ = vm.allocate_htab(18);
                }
                continue;
            }
            12 => {
                let _ = vm.reset_htab();
                continue;
            }
            13 => {
                // Garbage into the restore handle.
                if let Ok(mut w) = vm.get_htab_fd(GET_HTAB_WRITE, 0) {
                    let n = usize::from(input.byte().unwrap_or(0)).min(input.data.len());
                    let (chunk, rest) = input.data.split_at(n);
                    let _ = w.write(chunk);
                    input.data = rest;
                }
                continue;
            }
            14 => {
                if let Ok(mut r) = vm.get_htab_fd(input.u64() & 1, input.ptex()) {
                    let mut buf = vec![0u8; usize::from(input.byte().unwrap_or(0)) * 8];
                    let _ = r.read(&mut buf);
                }
                continue;
            }
            _ => {
                let n = input.u64() & 0x3ff;
                for slot in a.iter_mut() {
                    *slot = input.u64();
                }
                n
            }
        };
        if let HcallExit::Done(r) = vm.hcall(&cpu, number, &a) {
            assert!(
                allowed(number, r.rc),
                "hcall {number:#x} {a:x?} returned {}",
                r.rc
            );
        }
    }
    // The round trip scans the whole table twice: do it for one input in eight (chosen by
    // content, so it is the same input each time) to keep the fuzzer fast.
    if data.iter().fold(0u8, |a, &b| a ^ b) & 7 == 0 {
        round_trip(&vm);
    }
}

/// Streams the table into a fresh VM of the same order and checks it arrives unchanged.
fn round_trip(vm: &Vm) {
    // Larger tables only cost time: the stream code has no order-dependent paths.
    let Some(order) = vm.hpt_order().filter(|&o| o <= 19) else {
        return;
    };
    let Ok(mut r) = vm.get_htab_fd(0, 0) else {
        return;
    };
    let mut stream = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => stream.extend_from_slice(&buf[..n]),
        }
    }
    let Ok(dst) = Vm::new(VmConfig::with_ram(RAM)) else {
        return;
    };
    if dst.allocate_htab(order).is_err() {
        return;
    }
    let Ok(mut w) = dst.get_htab_fd(GET_HTAB_WRITE, 0) else {
        return;
    };
    if let Err(e) = restore_all(&mut w, &stream) {
        panic!("a stream the hypervisor produced was refused: {e}");
    }
    let (a, b) = (vm.hpt_entries(), dst.hpt_entries());
    if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
        panic!(
            "entry {i} differs after a round trip: {:x?} vs {:x?}",
            a[i], b[i]
        );
    }
}
