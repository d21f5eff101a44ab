//! The machine's configuration: what `papr run` options set (QEMU's `-m`, `-smp`,
//! `-M pseries,ic-mode=…,resize-hpt=…`).

use thiserror::Error;

/// Which interrupt controller the machine offers (QEMU's `ic-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IcMode {
    /// XICS or XIVE, the guest picks at CAS; XICS from reset until then.
    #[default]
    Dual,
    /// XICS only.
    Xics,
    /// XIVE only.
    Xive,
}

/// Whether the guest may resize its HPT (QEMU's `resize-hpt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ResizeHpt {
    /// Not offered (H_RESIZE_HPT_* answer H_AUTHORITY; no "hcall-hpt-resize").
    Disabled,
    /// Offered.
    #[default]
    Enabled,
    /// Offered, and a guest that does not declare support at CAS is refused.
    Required,
}

/// Configuration errors.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// RAM size.
    #[error(
        "unusable RAM size {0:#x}: it must be a multiple of 256 MiB (the pseries memory block) \
         between 256 MiB and 16 TiB"
    )]
    Ram(u64),
    /// vCPU count.
    #[error("unusable vCPU count {0}: papr supports 1 to {MAX_CPUS}")]
    Cpus(u32),
    /// HPT order.
    #[error("unusable HPT order {0}: it must be between 18 and 46")]
    HptOrder(u32),
}

/// Most vCPUs papr offers.
pub const MAX_CPUS: u32 = 64;

/// A pseries machine's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineConfig {
    /// Guest RAM in bytes.
    pub ram_bytes: u64,
    /// vCPUs (one thread per core).
    pub cpus: u32,
    /// Interrupt-controller mode.
    pub ic_mode: IcMode,
    /// HPT resize policy.
    pub resize_hpt: ResizeHpt,
    /// HPT order; `None` is QEMU's rule from the RAM size.
    pub hpt_order: Option<u32>,
    /// Kernel command line.
    pub bootargs: String,
    /// Deterministic mode: the real-time clock starts at a fixed date (2026-01-01 00:00 UTC)
    /// and the seeds of H_RANDOM and `/chosen/rng-seed` are fixed, so that two runs (or a run
    /// and a migrated or restored run) produce identical console output. Otherwise the clock
    /// starts at the host's time and the seeds come from the host's random source. Guest time
    /// is virtual in both modes.
    pub deterministic: bool,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            ram_bytes: 1 << 30,
            cpus: 1,
            ic_mode: IcMode::Dual,
            resize_hpt: ResizeHpt::Enabled,
            hpt_order: None,
            bootargs: String::new(),
            deterministic: true,
        }
    }
}

impl MachineConfig {
    /// Checks the configuration.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let block = 256u64 << 20;
        if self.ram_bytes < block
            || self.ram_bytes > 16 << 40
            || !self.ram_bytes.is_multiple_of(block)
        {
            return Err(ConfigError::Ram(self.ram_bytes));
        }
        if self.cpus == 0 || self.cpus > MAX_CPUS {
            return Err(ConfigError::Cpus(self.cpus));
        }
        if let Some(o) = self.hpt_order {
            if !(18..=46).contains(&o) {
                return Err(ConfigError::HptOrder(o));
            }
        }
        Ok(())
    }

    /// The largest HPT order this machine hosts: its own order, or the largest a guest may
    /// resize to (QEMU's limit: one above the RAM-based default). A snapshot or migration
    /// stream asking for more is refused.
    pub fn max_hpt_order(&self) -> u32 {
        self.effective_hpt_order()
            .max(papr_hv::hpt::order_for_ram(self.ram_bytes) + 1)
            .min(46)
    }

    /// The HPT order the machine allocates at creation and every reset.
    pub fn effective_hpt_order(&self) -> u32 {
        self.hpt_order
            .unwrap_or_else(|| papr_hv::hpt::order_for_ram(self.ram_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_and_defaults() {
        let c = MachineConfig::default();
        c.validate().unwrap();
        assert_eq!(c.effective_hpt_order(), 23, "1 GiB -> 23, QEMU's rule");
        let bad = MachineConfig {
            ram_bytes: 100 << 20,
            ..MachineConfig::default()
        };
        assert_eq!(bad.validate(), Err(ConfigError::Ram(100 << 20)));
        let bad = MachineConfig {
            cpus: 0,
            ..MachineConfig::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("vCPU count 0"));
        let bad = MachineConfig {
            hpt_order: Some(17),
            ..MachineConfig::default()
        };
        assert_eq!(bad.validate(), Err(ConfigError::HptOrder(17)));
        let c = MachineConfig {
            ram_bytes: 4 << 30,
            hpt_order: None,
            ..MachineConfig::default()
        };
        assert_eq!(c.effective_hpt_order(), 25);
    }
}
