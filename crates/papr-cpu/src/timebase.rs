//! The time base, the decrementer and the utilization counters PURR, SPURR and VTB.
//!
//! Power ISA 3.0B, Book II 5 ("Time Base") and Book III 10 ("The Time Base", "The
//! Decrementer", 10.2.1 large decrementer mode; PURR/SPURR 10.4–10.5; VTB 10.6).
//!
//! - TB counts at 512 MHz (`timebase-frequency` 0x1e848000). The guest reads it with mftb
//!   (SPR 268/269) in any state and cannot write it (TBL/TBU writes are hypervisor-only).
//! - DEC counts down at the same rate. In large-decrementer mode (LPCR\[LD] = 1) it is
//!   `dec_bits` wide (56 by default, advertised as `ibm,dec-bits`), otherwise 32 bits; a read
//!   returns the value sign-extended from its width. A decrementer exception exists once the
//!   most significant bit of the decrementer has become 1, and lasts until the next mtdec: papr
//!   latches it, so a decrementer that keeps counting through 0x80…0 back to positive values
//!   (4 s in 32-bit mode) does not lose an interrupt the guest has not yet taken.
//! - PURR, SPURR and VTB count with the time base (one thread per core, no frequency
//!   scaling); the guest can read them but not write them.
//!
//! **Clock.** By default time is virtual and deterministic: `2^shift` nanoseconds per
//! instruction retired (QEMU's `-icount shift`), counted by [`Timebase::retire`]. A host-clock
//! mode reads the host's monotonic clock instead. The platform can align clocks between vCPUs
//! with [`Timebase::set_clock_ns`] and [`Timebase::set_tb`].

use std::cell::Cell;
use std::time::Instant;

/// Time base frequency in Hz.
pub const TB_FREQUENCY: u64 = 512_000_000;

/// Default large-decrementer width in bits (QEMU's value).
pub const DEFAULT_DEC_BITS: u32 = 56;

/// Where time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// `2^shift` ns per instruction retired: deterministic.
    Instructions {
        /// log2 of the nanoseconds per instruction (0: 1 ns, a 1 GHz processor).
        shift: u32,
    },
    /// The host's monotonic clock.
    Host,
}

/// Time base settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimebaseConfig {
    /// The clock.
    pub clock: ClockSource,
    /// Width of the decrementer in large-decrementer mode (ISA: 32 < width <= 64).
    pub dec_bits: u32,
}

impl Default for TimebaseConfig {
    fn default() -> Self {
        TimebaseConfig {
            clock: ClockSource::Instructions { shift: 0 },
            dec_bits: DEFAULT_DEC_BITS,
        }
    }
}

/// Nanoseconds to time-base ticks: 512 MHz = 64 ticks per 125 ns (no overflow for any u64).
#[inline]
pub const fn ns_to_ticks(ns: u64) -> u64 {
    (ns / 125) * 64 + (ns % 125) * 64 / 125
}

/// Everything a [`Timebase`] holds that decides its future readings, for a snapshot or a
/// migration ([`crate::vcpu_state`]). TB-valued fields are in time-base ticks; the clock
/// *source* is the destination's configuration, not part of the state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimebaseState {
    /// Instructions retired so far (the virtual clock counts them).
    pub retired: u64,
    /// The clock, in ns, at the moment of the save ([`Timebase::now_ns`]). A restore puts the
    /// clock there, so TB, DEC and PURR continue from their saved values whatever the clock
    /// source (host clock: re-based at the restore).
    pub clock_ns: u64,
    /// Guest TB = clock ticks + `tb_offset` (wrapping).
    pub tb_offset: u64,
    /// DEC as last written, masked to the width it was written with.
    pub dec_written: u64,
    /// The TB when DEC was last written.
    pub dec_written_tb: u64,
    /// The TB at which the decrementer exception exists (`u64::MAX`: never, the decrementer
    /// has not been written). Kept as is, so a latched exception survives.
    pub dec_deadline: u64,
    /// The TB value PURR, SPURR and VTB count from.
    pub purr_base: u64,
    /// The large-decrementer width (33..=64), as advertised in `ibm,dec-bits`.
    pub dec_bits: u32,
}

/// The time-based registers of one thread.
#[derive(Debug, Clone)]
pub struct Timebase {
    config: TimebaseConfig,
    /// Instructions retired since creation.
    retired: u64,
    /// Clock at `retired = 0` / at `host_start`, in ns.
    base_ns: u64,
    host_start: Instant,
    /// Guest TB = clock ticks + `tb_offset` (wrapping).
    tb_offset: u64,
    /// DEC as last written (masked to its width) and the TB then.
    dec_written: u64,
    dec_written_tb: u64,
    /// The TB at which the decrementer exception arises (`u64::MAX`: never).
    dec_deadline: u64,
    /// TB value the utilization counters count from.
    purr_base: u64,
    /// Instruction clock only: while `retired` is below this count the decrementer
    /// exception cannot exist (a lower bound on the expiry, so the per-instruction test in
    /// [`Timebase::dec_pending`] is one compare). Recomputed by the exact test when reached;
    /// 0 (check exactly) after anything but `retire` moves the clock, TB or deadline.
    dec_quiet_until: Cell<u64>,
}

impl Timebase {
    /// A time base at 0. The decrementer raises no exception until it is first written (its
    /// power-on value is undefined in the ISA; Linux writes it before enabling interrupts).
    pub fn new(config: TimebaseConfig) -> Self {
        Timebase {
            config: TimebaseConfig {
                dec_bits: config.dec_bits.clamp(33, 64),
                ..config
            },
            retired: 0,
            base_ns: 0,
            host_start: Instant::now(),
            tb_offset: 0,
            dec_written: 0,
            dec_written_tb: 0,
            dec_deadline: u64::MAX,
            purr_base: 0,
            dec_quiet_until: Cell::new(0),
        }
    }

    /// The settings.
    pub fn config(&self) -> TimebaseConfig {
        self.config
    }

    /// Counts `n` retired instructions (advances virtual time).
    #[inline]
    pub fn retire(&mut self, n: u64) {
        self.retired = self.retired.wrapping_add(n);
    }

    /// Instructions retired so far.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// The clock in ns.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        match self.config.clock {
            ClockSource::Instructions { shift } => self
                .base_ns
                .wrapping_add(self.retired.checked_shl(shift).unwrap_or(u64::MAX)),
            ClockSource::Host => {
                let elapsed =
                    u64::try_from(self.host_start.elapsed().as_nanos()).unwrap_or(u64::MAX);
                self.base_ns.wrapping_add(elapsed)
            }
        }
    }

    /// Sets the clock to `ns` (the platform's VM clock), keeping TB continuous only if the
    /// caller also adjusts it with [`Timebase::set_tb`].
    pub fn set_clock_ns(&mut self, ns: u64) {
        let current = self.now_ns().wrapping_sub(self.base_ns);
        self.base_ns = ns.wrapping_sub(current);
        self.dec_quiet_until.set(0);
    }

    /// The time base.
    #[inline]
    pub fn tb(&self) -> u64 {
        ns_to_ticks(self.now_ns()).wrapping_add(self.tb_offset)
    }

    /// Sets the time base (hypervisor/platform only: start-cpu copies the boot CPU's TB).
    /// The decrementer keeps its current value.
    pub fn set_tb(&mut self, value: u64) {
        let old = self.tb();
        self.tb_offset = self.tb_offset.wrapping_add(value.wrapping_sub(old));
        let delta = value.wrapping_sub(old);
        self.dec_written_tb = self.dec_written_tb.wrapping_add(delta);
        self.purr_base = self.purr_base.wrapping_add(delta);
        if self.dec_deadline != u64::MAX {
            self.dec_deadline = self.dec_deadline.wrapping_add(delta);
        }
        self.dec_quiet_until.set(0);
    }

    /// The decrementer width for the current LPCR\[LD].
    #[inline]
    pub fn dec_width(&self, large: bool) -> u32 {
        if large {
            self.config.dec_bits
        } else {
            32
        }
    }

    /// mfspr DEC: the current value, sign-extended from its width.
    pub fn read_dec(&self, large: bool) -> u64 {
        let width = self.dec_width(large);
        let elapsed = self.tb().wrapping_sub(self.dec_written_tb);
        sign_extend(self.dec_written.wrapping_sub(elapsed), width)
    }

    /// mtspr DEC: the low `width` bits of `value` are written.
    pub fn write_dec(&mut self, value: u64, large: bool) {
        let width = self.dec_width(large);
        let now = self.tb();
        let masked = value & width_mask(width);
        self.dec_written = masked;
        self.dec_written_tb = now;
        let sign = 1u64 << (width - 1);
        self.dec_deadline = if masked & sign != 0 {
            // Already negative: the exception exists now.
            now
        } else {
            // It reaches -1 after value + 1 ticks.
            now.saturating_add(masked).saturating_add(1)
        };
        self.dec_quiet_until.set(0);
    }

    /// Whether a decrementer exception exists (the interrupt is taken when MSR\[EE] = 1).
    /// The interpreter asks at every instruction boundary: with the instruction clock this is
    /// one compare until the expiry is near.
    #[inline]
    pub fn dec_pending(&self) -> bool {
        if self.retired < self.dec_quiet_until.get() {
            return false;
        }
        self.dec_pending_exact()
    }

    /// The exact test; when the exception does not exist yet, also the next lower bound on
    /// the instruction count at which it can (instruction clock only).
    #[cold]
    #[inline(never)]
    fn dec_pending_exact(&self) -> bool {
        if self.dec_deadline == u64::MAX {
            // Never written: only `write_dec` (which resets the bound) can arm it.
            if let ClockSource::Instructions { .. } = self.config.clock {
                self.dec_quiet_until.set(u64::MAX);
            }
            return false;
        }
        let tb = self.tb();
        if tb >= self.dec_deadline {
            return true;
        }
        if let ClockSource::Instructions { shift } = self.config.clock {
            self.dec_quiet_until
                .set(quiet_until(self.retired, self.dec_deadline - tb, shift));
        }
        false
    }

    /// Time-base ticks until the decrementer exception (0 if it exists, `None` if the
    /// decrementer has never been written), so the machine loop can size its slices.
    pub fn ticks_until_dec(&self) -> Option<u64> {
        (self.dec_deadline != u64::MAX).then(|| self.dec_deadline.saturating_sub(self.tb()))
    }

    /// The state for a snapshot.
    pub(crate) fn save_state(&self) -> TimebaseState {
        TimebaseState {
            retired: self.retired,
            clock_ns: self.now_ns(),
            tb_offset: self.tb_offset,
            dec_written: self.dec_written,
            dec_written_tb: self.dec_written_tb,
            dec_deadline: self.dec_deadline,
            purr_base: self.purr_base,
            dec_bits: self.config.dec_bits,
        }
    }

    /// Restores a state from [`Timebase::save_state`] (validated by the caller: `dec_bits` in
    /// 33..=64). The clock source stays this time base's own.
    pub(crate) fn restore_state(&mut self, s: &TimebaseState) {
        self.config.dec_bits = s.dec_bits;
        self.retired = s.retired;
        self.set_clock_ns(s.clock_ns);
        self.tb_offset = s.tb_offset;
        self.dec_written = s.dec_written;
        self.dec_written_tb = s.dec_written_tb;
        self.dec_deadline = s.dec_deadline;
        self.purr_base = s.purr_base;
        self.dec_quiet_until.set(0);
    }

    /// PURR: counts with the time base.
    pub fn purr(&self) -> u64 {
        self.tb().wrapping_sub(self.purr_base)
    }

    /// SPURR: like PURR (no frequency scaling).
    pub fn spurr(&self) -> u64 {
        self.purr()
    }

    /// VTB: like PURR.
    pub fn vtb(&self) -> u64 {
        self.purr()
    }
}

/// With the instruction clock at `2^shift` ns per instruction, `retired` instructions so far
/// and the decrementer expiry `need` (> 0) ticks away: an instruction count before which the
/// expiry cannot be reached. The clock moves `n << shift` ns in `n` instructions, and `x` ns
/// move the 512 MHz time base by at most `floor(64x/125) + 1` ticks, so the expiry needs
/// `x >= (need - 1) * 125 / 64`.
fn quiet_until(retired: u64, need: u64, shift: u32) -> u64 {
    let min_ns = (u128::from(need - 1) * 125).div_ceil(64);
    let min_insns = min_ns.div_ceil(1u128 << shift.min(64));
    let until = u128::from(retired) + min_insns;
    // Past the point where the clock's shift would saturate, test exactly.
    let cap = u128::from(u64::MAX >> shift.min(63));
    u64::try_from(until.min(cap)).unwrap_or(0)
}

#[inline]
pub(crate) const fn width_mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

#[inline]
const fn sign_extend(value: u64, width: u32) -> u64 {
    if width >= 64 {
        value
    } else {
        let shift = 64 - width;
        // Arithmetic shift through i64; the casts reinterpret bits.
        #[allow(clippy::cast_possible_wrap, clippy::cast_sign_loss)]
        let v = (((value << shift) as i64) >> shift) as u64;
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn virtual_tb() -> Timebase {
        Timebase::new(TimebaseConfig::default())
    }

    #[test]
    fn tb_runs_at_512_mhz_of_virtual_time() {
        let mut tb = virtual_tb();
        assert_eq!(tb.tb(), 0);
        // 1 ns per instruction: 1e9 instructions = 1 s = 512e6 ticks.
        tb.retire(1_000_000_000);
        assert_eq!(tb.tb(), 512_000_000);
        assert_eq!(ns_to_ticks(125), 64);
        assert_eq!(
            ns_to_ticks(u64::MAX),
            u64::MAX / 125 * 64 + (u64::MAX % 125) * 64 / 125
        );
        let mut slow = Timebase::new(TimebaseConfig {
            clock: ClockSource::Instructions { shift: 1 },
            dec_bits: 56,
        });
        slow.retire(1000);
        assert_eq!(slow.tb(), 1024); // 2000 ns
    }

    #[test]
    fn decrementer_counts_down_and_fires_below_zero() {
        let mut tb = virtual_tb();
        assert!(!tb.dec_pending());
        tb.write_dec(64, true);
        assert_eq!(tb.read_dec(true), 64);
        tb.retire(125); // 64 ticks
        assert_eq!(tb.read_dec(true), 0);
        assert!(!tb.dec_pending());
        tb.retire(2); // one more tick
        assert_eq!(tb.read_dec(true), u64::MAX); // -1, sign-extended from 56 bits
        assert!(tb.dec_pending());
        // Writing a positive value clears the exception.
        tb.write_dec(1000, true);
        assert!(!tb.dec_pending());
        assert_eq!(tb.ticks_until_dec(), Some(1001));
    }

    #[test]
    fn decrementer_width() {
        let mut tb = virtual_tb();
        // Large mode, 56 bits: -1 written as all ones reads back as -1 and is pending.
        tb.write_dec(u64::MAX, true);
        assert_eq!(tb.read_dec(true), u64::MAX);
        assert!(tb.dec_pending());
        // 0x7fffffff is positive in both modes.
        tb.write_dec(0x7fff_ffff, false);
        assert_eq!(tb.read_dec(false), 0x7fff_ffff);
        assert!(!tb.dec_pending());
        // 0x8000_0000 is negative in 32-bit mode, positive in large mode.
        tb.write_dec(0x8000_0000, false);
        assert_eq!(tb.read_dec(false), 0xffff_ffff_8000_0000);
        assert!(tb.dec_pending());
        tb.write_dec(0x8000_0000, true);
        assert_eq!(tb.read_dec(true), 0x8000_0000);
        assert!(!tb.dec_pending());
        // Bits above the width are dropped.
        tb.write_dec(0x0100_0000_0000_0005, true);
        assert_eq!(tb.read_dec(true), 5);
    }

    #[test]
    fn set_tb_keeps_dec_and_counters_continuous() {
        let mut tb = virtual_tb();
        tb.retire(1250);
        tb.write_dec(100, true);
        let purr = tb.purr();
        tb.set_tb(0x1_0000_0000);
        assert_eq!(tb.tb(), 0x1_0000_0000);
        assert_eq!(tb.read_dec(true), 100);
        assert_eq!(tb.purr(), purr);
        assert_eq!(tb.ticks_until_dec(), Some(101));
    }

    /// The exact rule, recomputed from scratch.
    fn dec_pending_reference(tb: &Timebase) -> bool {
        tb.dec_deadline != u64::MAX && tb.tb() >= tb.dec_deadline
    }

    #[derive(Debug, Clone)]
    enum Op {
        Retire(u64),
        WriteDec(u64, bool),
        SetTb(u64),
        SetClock(u64),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (0u64..3000).prop_map(Op::Retire),
            1 => (0u64..1u64 << 40).prop_map(Op::Retire),
            2 => (any::<u64>(), any::<bool>()).prop_map(|(v, l)| Op::WriteDec(v, l)),
            2 => (0u64..5000, any::<bool>()).prop_map(|(v, l)| Op::WriteDec(v, l)),
            1 => any::<u64>().prop_map(Op::SetTb),
            1 => (0u64..1u64 << 50).prop_map(Op::SetClock),
        ]
    }

    proptest::proptest! {
        /// The one-compare fast path answers exactly like the full computation, after any
        /// sequence of clock, TB and DEC changes, for several clock rates.
        #[test]
        fn fast_decrementer_test_matches_the_exact_rule(
            shift in 0u32..6,
            ops in proptest::collection::vec(op(), 1..60),
        ) {
            let mut tb = Timebase::new(TimebaseConfig {
                clock: ClockSource::Instructions { shift },
                dec_bits: 56,
            });
            for o in ops {
                match o {
                    Op::Retire(n) => {
                        // Step in pieces so the bound is crossed on the way.
                        for _ in 0..4 {
                            tb.retire(n / 4);
                            proptest::prop_assert_eq!(tb.dec_pending(), dec_pending_reference(&tb));
                        }
                    }
                    Op::WriteDec(v, l) => tb.write_dec(v, l),
                    Op::SetTb(v) => tb.set_tb(v),
                    Op::SetClock(ns) => tb.set_clock_ns(ns),
                }
                proptest::prop_assert_eq!(tb.dec_pending(), dec_pending_reference(&tb));
            }
        }
    }

    #[test]
    fn fast_decrementer_test_fires_on_the_exact_instruction() {
        for shift in 0..4 {
            let mut tb = Timebase::new(TimebaseConfig {
                clock: ClockSource::Instructions { shift },
                dec_bits: 56,
            });
            tb.retire(12_345);
            tb.write_dec(10_000, true);
            let mut n = 0u64;
            while !tb.dec_pending() {
                assert!(!dec_pending_reference(&tb));
                tb.retire(1);
                n += 1;
            }
            assert!(dec_pending_reference(&tb));
            // 10 001 ticks of 125/64 ns, at 2^shift ns per instruction.
            let ns = (10_001u64 * 125).div_ceil(64);
            assert!(n.abs_diff(ns >> shift) <= 2, "shift {shift}: {n}");
        }
    }

    #[test]
    fn host_clock_moves_forward() {
        let tb = Timebase::new(TimebaseConfig {
            clock: ClockSource::Host,
            dec_bits: 56,
        });
        let a = tb.tb();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(tb.tb() > a);
    }
}
