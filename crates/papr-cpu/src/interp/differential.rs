//! A differential check of the decoded-block path ([`super::block`]) against fetching every
//! instruction on its own (the reference: [`super::Interpreter::set_block_execution`]).
//!
//! [`block_vs_single`] builds one small partition from arbitrary bytes — register values, an
//! MSR, and a page of instruction words placed at real address 0x1000 and at the interrupt
//! vectors — runs it twice, once each way, and compares everything architected afterwards:
//! the registers, SLB, LPCR, time base and reservation ([`crate::VcpuState`]), the
//! instructions retired, and every byte of RAM. Random code stores into itself, branches into
//! the middle of decoded blocks, takes interrupts, changes MSR\[LE]/\[SF], makes hypercalls
//! (answered with H_SUCCESS) and runs out of budget mid-block, which is what the block cache
//! must get exactly right. Used by a proptest here and by the `interp` cargo-fuzz target.

use std::ptr::NonNull;
use std::sync::Arc;

use super::{Bus, Exit, Interpreter};
use crate::hpt::PartitionEntry;
use crate::irq_line::InterruptLine;
use crate::state::msr;
use crate::{Cpu, CpuConfig};

/// Guest RAM of the differential partition.
pub const RAM: usize = 64 << 10;
/// Instructions each run may retire.
pub const BUDGET: u64 = 3000;

/// RAM as a vector; everything outside it is refused (a machine check).
struct VecBus(Vec<u8>);

// SAFETY: the vector is never resized while the bus lives.
unsafe impl Bus for VecBus {
    fn ram(&self) -> (NonNull<u8>, u64) {
        (
            NonNull::new(self.0.as_ptr().cast_mut()).unwrap_or(NonNull::dangling()),
            self.0.len() as u64,
        )
    }
    fn mmio_read(&mut self, _: u64, _: &mut [u8]) -> bool {
        false
    }
    fn mmio_write(&mut self, _: u64, _: &[u8]) -> bool {
        false
    }
}

/// `mfsrr0 r12; addi r12,r12,4; mtsrr0 r12; rfid`.
const VECTOR_STUB_NO_DEC: [u32; 4] = [0x7d9a_02a6, 0x398c_0004, 0x7d9a_03a6, 0x4c00_0024];

/// `mfsrr0 r12; addi r12,r12,4; mtsrr0 r12; li r12,37; mtdec r12; rfid`.
const VECTOR_STUB: [u32; 6] = [
    0x7d9a_02a6,
    0x398c_0004,
    0x7d9a_03a6,
    0x3980_0025,
    0x7d96_03a6,
    0x4c00_0024,
];

/// The partition `data` describes: a thread at 0x1000 and its RAM.
fn build(data: &[u8]) -> (Cpu, VecBus) {
    let mut take = {
        let mut i = 0usize;
        move |n: usize| -> Vec<u8> {
            let mut out = vec![0u8; n];
            for b in &mut out {
                *b = data.get(i).copied().unwrap_or(0);
                i += 1;
            }
            out
        }
    };
    let mut cpu = Cpu::new(
        CpuConfig::default(),
        Arc::new(PartitionEntry::new()),
        Arc::new(InterruptLine::new()),
    );
    let flags = take(1)[0];
    // The MSR: 64-bit or 32-bit, either byte order, FP/VMX/VSX available or not, EE.
    let mut m = 0;
    for (bit, v) in [
        (0, msr::SF),
        (1, msr::LE),
        (2, msr::FP),
        (3, msr::VEC),
        (4, msr::VSX),
        (5, msr::EE),
    ] {
        if flags & (1 << bit) != 0 {
            m |= v;
        }
    }
    cpu.set_msr(m);
    if m & msr::LE != 0 {
        // Interrupts taken little-endian too (H_SET_MODE ILE), so the stubs decode.
        let lpcr = crate::lpcr::Lpcr {
            ile: true,
            ..*cpu.lpcr()
        };
        cpu.set_lpcr(lpcr);
    }
    for r in 0..32 {
        let b = take(2);
        // Small values, so most addresses land in RAM; r3..r6 point into the code page, so
        // stores through them patch code that may be executing.
        let v = u64::from(u16::from_le_bytes([b[0], b[1]])) & 0xfff8;
        cpu.state.gpr[r] = if (3..=6).contains(&r) {
            0x1000 | (v & 0xff8)
        } else {
            v
        };
    }
    cpu.state.ctr = u64::from(take(1)[0]);
    let dec = take(1)[0];
    cpu.timebase.write_dec(u64::from(dec % 64), false);
    let mut ram = vec![0u8; RAM];
    // Code at 0x1000 (up to one page), and the same words at every vector an interrupt can
    // reach, so interrupted code keeps running something.
    let code = take(4096);
    ram[0x1000..0x2000].copy_from_slice(&code);
    // Every vector returns past the interrupted instruction with the interrupted MSR (EE
    // included); the decrementer's also reloads DEC, so decrementer interrupts keep arriving
    // in the middle of blocks.
    let le = m & msr::LE != 0;
    for v in (0x100..0x1000).step_by(0x100) {
        // Only the decrementer's stub reloads DEC (the others skip the li/mtdec pair).
        let stub: &[u32] = if v == 0x900 {
            &VECTOR_STUB
        } else {
            &VECTOR_STUB_NO_DEC
        };
        for (k, w) in stub.iter().enumerate() {
            let at = v + 4 * k;
            let bytes = if le { w.to_le_bytes() } else { w.to_be_bytes() };
            ram[at..at + 4].copy_from_slice(&bytes);
        }
    }
    cpu.state.nip = 0x1000;
    (cpu, VecBus(ram))
}

/// Runs `cpu` for [`BUDGET`] instructions, answering hypercalls with H_SUCCESS.
fn run(cpu: &mut Cpu, bus: &mut VecBus, blocks: bool) -> Interpreter {
    let mut i = Interpreter::new();
    i.set_block_execution(blocks);
    // Hypercalls and budgets end a run; both paths see the same sequence of them.
    let mut slices = 0;
    while i.retired() < BUDGET && slices < 200 {
        slices += 1;
        let left = (BUDGET - i.retired()).min(700);
        if i.run(cpu, bus, left) == Exit::Hypercall {
            cpu.state.gpr[3] = 0;
        }
    }
    i
}

/// Runs the partition `data` describes both ways; `Err` names the first difference.
pub fn block_vs_single(data: &[u8]) -> Result<(), String> {
    let (mut a, mut ra) = build(data);
    let (mut b, mut rb) = build(data);
    let ia = run(&mut a, &mut ra, true);
    let ib = run(&mut b, &mut rb, false);
    let (sa, sb) = (a.save_state(&ia), b.save_state(&ib));
    if sa != sb {
        return Err(format!(
            "architected state differs:\n blocks: {sa:?}\n single: {sb:?}"
        ));
    }
    if let Some(at) = ra.0.iter().zip(&rb.0).position(|(x, y)| x != y) {
        return Err(format!("RAM differs first at {at:#x}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Common instruction words, so random code is mostly valid and often branches.
    fn word() -> impl Strategy<Value = u32> {
        prop_oneof![
            1 => any::<u32>(),
            4 => (0u32..0x0400_0000).prop_map(|x| (14 << 26) | x),          // addi
            2 => (0u32..0x0400_0000).prop_map(|x| (32 << 26) | x),          // lwz
            2 => (0u32..0x0400_0000).prop_map(|x| (36 << 26) | x),          // stw
            3 => (0u32..32, 3u32..7, 0u32..16).prop_map(|(s, a, d)| (36 << 26) | (s << 21) | (a << 16) | (d * 4)), // stw into code
            1 => (0u32..32).prop_map(|s| (31 << 26) | (s << 21) | (1 << 16) | (178 << 1)), // mtmsrd rS,1 (EE, RI)
            1 => (0u32..0x0400_0000).prop_map(|x| (58 << 26) | (x & !3)),   // ld
            1 => (0u32..0x0400_0000).prop_map(|x| (62 << 26) | (x & !3)),   // std
            1 => (0u32..0x0400_0000).prop_map(|x| (18 << 26) | (x & 0x3fc)), // b, short
            1 => (0u32..0x0400_0000).prop_map(|x| (16 << 26) | (x & 0x03ff_00fc)), // bc, short
            1 => Just(0x4400_0022u32),                                        // sc 1
            1 => Just(0x4c00_012cu32),                                        // isync
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Decoded blocks execute exactly what fetching one instruction at a time executes.
        #[test]
        fn blocks_match_single_instruction_fetch(
            head in proptest::collection::vec(any::<u8>(), 67),
            code in proptest::collection::vec(word(), 1024),
        ) {
            let mut data = head;
            // Code words in the byte order the MSR chose, so LE guests see the same mix.
            let le = data[0] & 2 != 0;
            for w in code {
                data.extend_from_slice(&if le { w.to_le_bytes() } else { w.to_be_bytes() });
            }
            if let Err(e) = block_vs_single(&data) {
                prop_assert!(false, "{e}");
            }
        }
    }
}
