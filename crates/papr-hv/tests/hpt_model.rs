//! Random sequences of H_ENTER / H_REMOVE / H_PROTECT / H_READ / H_BULK_REMOVE / resize /
//! reset against a small reference model of the table.
//!
//! The model is independent of the implementation: it keeps, for every entry, the mapping it
//! came from (virtual address, segment, page size), so it places entries after a resize from
//! the *true* hash, while the hypervisor must recover the hash from the AVPN and the old group.
// Test and benchmark code: the casts are on small, known values.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

mod common;

use common::*;
use papr_hv::hcall::{flags, nr, rc};
use proptest::prelude::*;

const GIB: u64 = 1 << 30;
const START_ORDER: u32 = 19;

#[derive(Debug, Clone)]
enum Op {
    Enter { m: Mapping, exact_slot: Option<u64> },
    Remove { pick: usize, mode: u8 },
    Protect { pick: usize, pp: u64 },
    Read { pick: usize },
    Bulk { picks: [usize; 4] },
    Resize { shift: u32 },
    Reset,
}

fn mapping() -> impl Strategy<Value = Mapping> {
    (
        0u64..6,
        0u64..64,
        any::<bool>(),
        0u8..3,
        any::<bool>(),
        any::<bool>(),
        0u64..4096,
    )
        .prop_map(|(vsid, page, tera, size, bolted, secondary, ra)| {
            let shift = [12, 16, 24][usize::from(size)];
            let seg = if tera { 40 } else { 28 };
            Mapping {
                tera,
                vsid,
                page: page % (1 << (seg - shift)),
                shift,
                bolted,
                secondary,
                ra: (ra << shift) % GIB,
            }
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (mapping(), proptest::option::of(0u64..8))
            .prop_map(|(m, exact_slot)| Op::Enter { m, exact_slot }),
        2 => (any::<usize>(), 0u8..4).prop_map(|(pick, mode)| Op::Remove { pick, mode }),
        1 => (any::<usize>(), 0u64..4).prop_map(|(pick, pp)| Op::Protect { pick, pp }),
        1 => any::<usize>().prop_map(|pick| Op::Read { pick }),
        1 => any::<[usize; 4]>().prop_map(|picks| Op::Bulk { picks }),
        1 => (18u32..=21).prop_map(|shift| Op::Resize { shift }),
        1 => Just(Op::Reset),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    m: Mapping,
    v: u64,
    r: u64,
}

struct Model {
    order: u32,
    slots: Vec<Option<Entry>>,
}

impl Model {
    fn new(order: u32) -> Self {
        Model {
            order,
            slots: vec![None; 1 << (order - 4)],
        }
    }

    /// Picks an index: mostly occupied ones, sometimes any.
    fn pick(&self, p: usize) -> usize {
        let occupied: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].is_some())
            .collect();
        if occupied.is_empty() || p.is_multiple_of(5) {
            p % self.slots.len()
        } else {
            occupied[p % occupied.len()]
        }
    }

    fn enter(&mut self, m: Mapping, exact: Option<u64>) -> (i64, Option<usize>) {
        let base = m.group(self.order) as usize * 8;
        let index = match exact {
            Some(s) => {
                let i = base + s as usize;
                if self.slots[i].is_some() {
                    return (rc::H_PTEG_FULL, None);
                }
                i
            }
            None => match (base..base + 8).find(|&i| self.slots[i].is_none()) {
                Some(i) => i,
                None => return (rc::H_PTEG_FULL, None),
            },
        };
        self.slots[index] = Some(Entry {
            m,
            v: m.v(),
            r: m.r(),
        });
        (rc::H_SUCCESS, Some(index))
    }

    fn resize(&mut self, shift: u32) -> i64 {
        let mut new = vec![None; 1 << (shift - 4)];
        for (i, e) in self.slots.iter().enumerate() {
            let Some(e) = e else { continue };
            if !e.m.bolted {
                continue;
            }
            let j = e.m.group(shift) as usize * 8 + i % 8;
            if new[j].is_some() {
                return rc::H_PTEG_FULL;
            }
            new[j] = Some(*e);
        }
        self.order = shift;
        self.slots = new;
        rc::H_SUCCESS
    }

    fn view(&self, i: usize) -> (u64, u64) {
        self.slots[i].map_or((0, 0), |e| (e.v, e.r))
    }
}

fn check_index(vm: &papr_hv::Vm, model: &Model, i: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(vm.read_hpte(i).unwrap(), model.view(i), "entry {}", i);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hpt_matches_the_reference_model(ops in proptest::collection::vec(op(), 1..120)) {
        let (vm, cpu) = vm_with_order(GIB, START_ORDER);
        let mut model = Model::new(START_ORDER);
        for op in ops {
            match op {
                Op::Enter { m, exact_slot } => {
                    let base = m.group(model.order) * 8;
                    let (f, ptex) = match exact_slot {
                        Some(s) => (flags::H_EXACT, base + s),
                        None => (0, base),
                    };
                    let r = vm.hcall_result(&cpu, nr::H_ENTER, &args(&[f, ptex, m.v(), m.r()]));
                    let (want, index) = model.enter(m, exact_slot);
                    prop_assert_eq!(r.rc, want, "{:?}", m);
                    if let Some(i) = index {
                        prop_assert_eq!(r.out[0], i as u64);
                        check_index(&vm, &model, i)?;
                    }
                }
                Op::Remove { pick, mode } => {
                    let i = model.pick(pick);
                    let (v, r0) = model.view(i);
                    let (f, avpn) = match mode {
                        0 => (0, 0),
                        1 => (flags::H_AVPN, v & !0x7f),
                        2 => (flags::H_AVPN, (v & !0x7f) ^ 0x80),
                        _ => (flags::H_ANDCOND, V_BOLTED),
                    };
                    let r = vm.hcall_result(&cpu, nr::H_REMOVE, &args(&[f, i as u64, avpn]));
                    let found = v & V_VALID != 0
                        && mode != 2
                        && !(mode == 3 && v & V_BOLTED != 0);
                    if found {
                        prop_assert_eq!(r.rc, rc::H_SUCCESS);
                        prop_assert_eq!(r.outputs(), &[v, r0][..]);
                        model.slots[i] = None;
                    } else {
                        prop_assert_eq!(r.rc, rc::H_NOT_FOUND);
                    }
                    check_index(&vm, &model, i)?;
                }
                Op::Protect { pick, pp } => {
                    let i = model.pick(pick);
                    let r = vm.hcall_result(&cpu, nr::H_PROTECT, &args(&[pp, i as u64, 0]));
                    match &mut model.slots[i] {
                        Some(e) => {
                            prop_assert_eq!(r.rc, rc::H_SUCCESS);
                            e.r = (e.r & !3) | pp;
                        }
                        None => prop_assert_eq!(r.rc, rc::H_NOT_FOUND),
                    }
                    check_index(&vm, &model, i)?;
                }
                Op::Read { pick } => {
                    let i = model.pick(pick);
                    let r = vm.hcall_result(&cpu, nr::H_READ, &args(&[0, i as u64]));
                    let (v, r1) = model.view(i);
                    prop_assert_eq!(r.rc, rc::H_SUCCESS);
                    prop_assert_eq!(r.outputs(), &[v, r1][..]);
                }
                Op::Bulk { picks } => {
                    let mut a = [0u64; 9];
                    let idx: Vec<usize> = picks.iter().map(|&p| model.pick(p)).collect();
                    for (k, &i) in idx.iter().enumerate() {
                        a[2 * k] = (0x40 << 56) | i as u64;
                    }
                    let r = vm.hcall_result(&cpu, nr::H_BULK_REMOVE, &a);
                    prop_assert_eq!(r.rc, rc::H_SUCCESS);
                    for (k, &i) in idx.iter().enumerate() {
                        let code = (r.out[2 * k] >> 60) & 3;
                        if model.slots[i].take().is_some() {
                            prop_assert_eq!(code, 0);
                        } else {
                            prop_assert_eq!(code, 1);
                        }
                        check_index(&vm, &model, i)?;
                    }
                }
                Op::Resize { shift } => {
                    let p = vm.hcall_result(&cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, u64::from(shift)])).rc;
                    prop_assert_eq!(p, rc::H_LONG_BUSY_ORDER_100_MSEC);
                    advance_ms(&vm, 100);
                    let p = vm.hcall_result(&cpu, nr::H_RESIZE_HPT_PREPARE, &args(&[0, u64::from(shift)])).rc;
                    prop_assert_eq!(p, rc::H_SUCCESS);
                    let c = vm.hcall_result(&cpu, nr::H_RESIZE_HPT_COMMIT, &args(&[0, u64::from(shift)])).rc;
                    prop_assert_eq!(c, model.resize(shift));
                    prop_assert_eq!(vm.hpt_order(), Some(model.order));
                    for i in 0..model.slots.len() {
                        check_index(&vm, &model, i)?;
                    }
                }
                Op::Reset => {
                    vm.reset_htab().unwrap();
                    model = Model::new(START_ORDER);
                    prop_assert_eq!(vm.hpt_order(), Some(START_ORDER));
                }
            }
            let valid = model.slots.iter().filter(|s| s.is_some()).count();
            prop_assert_eq!(vm.hpt_info().unwrap().valid, valid);
        }
        for i in 0..model.slots.len() {
            check_index(&vm, &model, i)?;
        }
    }
}
