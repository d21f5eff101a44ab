//! What the control socket's `info` commands and `status` report about a machine: run
//! states, interrupt routing, HPT occupancy. Read-only views; nothing here changes the guest.

use papr_hv::irq::AttrValue;

use super::{Machine, MachineError, RunState};
use crate::phcall;
use crate::tree::{ActiveIc, VTY_IRQ};

/// One interrupt source's routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRouting {
    /// The guest's interrupt number.
    pub irq: u32,
    /// What it is.
    pub name: String,
    /// Target server (vCPU).
    pub server: u32,
    /// Priority (0xff = masked for XICS).
    pub priority: u32,
    /// Masked.
    pub masked: bool,
    /// XIVE: the event data the guest chose (EISN).
    pub eisn: Option<u32>,
}

fn low32(v: u64) -> u32 {
    u32::try_from(v & 0xffff_ffff).unwrap_or(u32::MAX)
}

/// A histogram of PTEG occupancy: `counts[k]` groups hold `k` valid entries.
pub type Occupancy = [u64; 9];

impl Machine {
    /// Each vCPU's id and run state ("stopped", "running", "ceded").
    pub fn vcpu_states(&self) -> Vec<(u32, &'static str)> {
        self.vcpus
            .iter()
            .map(|v| {
                (
                    v.hv.id(),
                    match v.state {
                        RunState::Stopped => "stopped",
                        RunState::Running => "running",
                        RunState::Ceded => "ceded",
                    },
                )
            })
            .collect()
    }

    /// Per vCPU: its number, its interpreter's counters and the translations its MMU made by
    /// walking the SLB and HPT (TLB misses), for `--stats`.
    pub fn interp_stats(&self) -> Vec<(u32, papr_cpu::InterpStats, u64)> {
        self.vcpus
            .iter()
            .map(|v| (v.hv.id(), v.interp.stats(), v.cpu.walks()))
            .collect()
    }

    /// The monitor's `nmi`: a system reset interrupt on every started vCPU (QEMU's `nmi`
    /// command on pseries). Linux prints the interrupted context and, without a crash kernel
    /// or debugger, panics ("System Reset").
    pub fn nmi(&mut self) {
        for k in 0..self.vcpus.len() {
            self.system_reset_vcpu(k);
        }
    }

    /// Delivers a system reset to vCPU `k` if it has been started (a stopped one is left
    /// alone, as QEMU's reset of a halted processor is undone by its start-cpu); a ceded one
    /// wakes to take it.
    pub(crate) fn system_reset_vcpu(&mut self, k: usize) {
        let Some(v) = self.vcpus.get_mut(k) else {
            return;
        };
        if v.state == RunState::Stopped {
            return;
        }
        phcall::deliver_system_reset(&mut v.cpu);
        v.state = RunState::Running;
    }

    /// Resets the machine, as the guest's RTAS system-reboot does.
    pub fn system_reset(&mut self) -> Result<(), MachineError> {
        self.stats.resets += 1;
        self.boot()
    }

    /// The routing of the sources the platform created (the console's and, with XIVE, the
    /// vCPUs' IPIs), read back from the controller as a migration would.
    pub fn pic_sources(&self) -> Vec<SourceRouting> {
        let mut out = Vec::new();
        let Some(fd) = self.irq.fd.as_ref() else {
            return out;
        };
        match self.irq.active {
            ActiveIc::Xics => {
                use papr_hv::irq::xics::attr;
                if let Ok(AttrValue::U64(v)) = fd.get_attr(attr::GRP_SOURCES, u64::from(VTY_IRQ)) {
                    let server = low32(v & attr::DESTINATION_MASK);
                    let priority = low32((v >> attr::PRIORITY_SHIFT) & 0xff);
                    out.push(SourceRouting {
                        irq: VTY_IRQ,
                        name: "vty".into(),
                        server,
                        priority,
                        masked: v & attr::MASKED != 0 || priority == 0xff,
                        eisn: None,
                    });
                }
            }
            ActiveIc::Xive => {
                use papr_hv::irq::xive::attr;
                let ipis = (0..self.cfg.cpus).map(|i| (i, format!("ipi{i}")));
                for (irq, name) in ipis.chain(std::iter::once((VTY_IRQ, "vty".to_owned()))) {
                    if let Ok(AttrValue::U64(v)) =
                        fd.get_attr(attr::GRP_SOURCE_CONFIG, u64::from(irq))
                    {
                        out.push(SourceRouting {
                            irq,
                            name,
                            server: low32(
                                (v & attr::SOURCE_SERVER_MASK) >> attr::SOURCE_SERVER_SHIFT,
                            ),
                            priority: low32(v & attr::SOURCE_PRIORITY_MASK),
                            masked: v & attr::SOURCE_MASKED != 0,
                            eisn: Some(low32(v >> attr::SOURCE_EISN_SHIFT)),
                        });
                    }
                }
            }
        }
        out
    }

    /// PTEG occupancy histogram of the current HPT.
    pub fn hpt_occupancy(&self) -> Occupancy {
        let mut h = [0u64; 9];
        for k in self.vm.hpt_group_occupancy() {
            h[usize::from(k.min(8))] += 1;
        }
        h
    }
}
