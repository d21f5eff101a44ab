//! Live migration: the source side's pre-copy and stop-and-copy, the destination side's
//! incoming stream. The stream is the snapshot container ([`crate::snapshot::stream`]); the
//! destination answers on the same connection with text lines.
//!
//! **Source.** [`OutgoingMigration::start`] sends `CONF` and waits for the destination's
//! verdict (`OK`, or `ERR <reason>`: the source keeps running; `OK boot=<digest>` when the
//! destination was started with boot images of its own), then the boot images — `BOOT`, or
//! just `BREF` when the digests match and the images need not travel. It then
//! turns on the RAM dirty log (KVM_GET_DIRTY_LOG's model) and opens an HTAB reader
//! (KVM_PPC_GET_HTAB_FD). Each [`OutgoingMigration::step`], called between guest time slices,
//! sends a bounded batch: the first pass over RAM (zero pages skipped: the destination's RAM
//! starts zeroed), then passes over the pages dirtied meanwhile, with the HTAB's first pass and
//! modified-only passes alongside. When the dirty set left would take less than the downtime
//! limit at the bandwidth measured so far (or after [`MigrationParams::max_passes`] passes),
//! `step` says so and the caller, with the guest stopped, calls
//! [`OutgoingMigration::complete`]: the last dirty pages, the HTAB's last modified entries,
//! `MACH`, every `VCPU`, `IC..`, `END.`; the destination restores and answers `DONE` (or
//! `ERR`), and the source stops for good — or, on any failure, turns the dirty log off and
//! runs on.
//!
//! **The HPT.** The destination allocates exactly the order of each `HPT.` section (never a
//! smaller table) and fails the migration if it cannot. When the guest resizes its table
//! during pre-copy (a commit changes the table under the reader), the source starts the HTAB
//! over with a new `HPT.` section of the new order. A resize prepared but not committed when
//! the guest stops travels in `MACH` and is prepared again on the destination, ready at the
//! same virtual time ([`super::save`]).

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use papr_hv::hpt::stream::HtabFd;
use thiserror::Error;

use super::save::{
    decode_boot, encode_pages, read_conf, Host, Restorer, BOOT, BREF, HPTC, RAMP, RAMP_PAGE,
};
use super::{BootImages, Machine};
use crate::snapshot::sections::HPT;
use crate::snapshot::stream::{SectionReader, SectionWriter};
use crate::snapshot::SnapshotError;

/// Migration errors.
#[derive(Debug, Error)]
pub enum MigrationError {
    /// The connection failed.
    #[error("migration connection: {0}")]
    Io(#[from] std::io::Error),
    /// The destination refused or failed.
    #[error("the destination refused the migration: {0}")]
    Refused(String),
    /// The stream or a section.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The destination could not build the machine.
    #[error("{0}")]
    Machine(String),
}

/// Tunables.
#[derive(Debug, Clone, Copy)]
pub struct MigrationParams {
    /// The longest the guest may be stopped for the final copy (QEMU's downtime-limit).
    pub max_downtime: Duration,
    /// Dirty passes after which the migration completes whatever is left.
    pub max_passes: u32,
    /// Pages (4 KiB) per `RAMP` section.
    pub batch_pages: u64,
    /// How long one [`OutgoingMigration::step`] may send before the guest runs again
    /// (at least one batch is sent). The guest and the copy take turns on one thread.
    pub step_budget: Duration,
}

impl Default for MigrationParams {
    fn default() -> Self {
        MigrationParams {
            max_downtime: Duration::from_millis(300),
            max_passes: 30,
            batch_pages: 4096,
            step_budget: Duration::from_millis(20),
        }
    }
}

/// Where a migration is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MigrationProgress {
    /// 0: the first pass over RAM; n: the n-th pass over dirty pages.
    pub pass: u32,
    /// Pages of the current pass sent so far.
    pub pass_done: u64,
    /// Pages in the current pass.
    pub pass_total: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// RAM pages sent (every pass).
    pub pages_sent: u64,
}

/// The outcome of a finished migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationStats {
    /// From start to the destination's `DONE`.
    pub total: Duration,
    /// From the guest's stop to the destination's `DONE`.
    pub downtime: Duration,
    /// Bytes sent.
    pub bytes: u64,
    /// Dirty passes made.
    pub passes: u32,
    /// Pages sent in the stop-and-copy.
    pub final_pages: u64,
}

/// What [`OutgoingMigration::step`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Run the guest a while and step again.
    Continue,
    /// Stop the guest and call [`OutgoingMigration::complete`].
    Converged,
}

/// The source side of a migration in progress.
pub struct OutgoingMigration<W: Write, R: BufRead> {
    w: SectionWriter<W>,
    replies: R,
    params: MigrationParams,
    started: Instant,
    /// The current pass: the pages to send and how far it got.
    todo: Vec<u64>,
    next: usize,
    first_pass: bool,
    pass: u32,
    pages_sent: u64,
    /// Time spent sending (for the bandwidth estimate).
    send_time: Duration,
    send_bytes: u64,
    htab: HtabFd,
    hpt_order: Option<u32>,
    pending_resize: Option<(u32, u64)>,
}

fn read_reply(r: &mut impl BufRead) -> Result<String, MigrationError> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(MigrationError::Refused(
            "the destination closed the connection".into(),
        ));
    }
    let line = line.trim_end().to_owned();
    match line.strip_prefix("ERR ") {
        Some(reason) => Err(MigrationError::Refused(reason.to_owned())),
        None => Ok(line),
    }
}

/// A send that failed because the destination gave up: its reason, if it sent one.
fn explain(e: MigrationError, replies: &mut impl BufRead) -> MigrationError {
    match e {
        MigrationError::Io(_) | MigrationError::Snapshot(SnapshotError::Io(_)) => {
            match read_reply(replies) {
                Err(refused @ MigrationError::Refused(_)) => refused,
                _ => e,
            }
        }
        e => e,
    }
}

/// The destination's verdict on `CONF`: `OK`, or `OK boot=<32 hex digits>` when it holds boot
/// images already (their [`super::BootImages::digest`]).
fn parse_ok(line: &str) -> Result<Option<u128>, MigrationError> {
    let bad = || MigrationError::Refused(format!("unexpected answer {line:?} (expected \"OK\")"));
    match line.strip_prefix("OK") {
        Some("") => Ok(None),
        Some(rest) => rest
            .strip_prefix(" boot=")
            .filter(|h| h.len() == 32)
            .and_then(|h| u128::from_str_radix(h, 16).ok())
            .map(Some)
            .ok_or_else(bad),
        None => Err(bad()),
    }
}

fn expect_reply(r: &mut impl BufRead, want: &str) -> Result<(), MigrationError> {
    let got = read_reply(r)?;
    if got == want {
        Ok(())
    } else {
        Err(MigrationError::Refused(format!(
            "unexpected answer {got:?} (expected {want:?})"
        )))
    }
}

impl<W: Write, R: BufRead> OutgoingMigration<W, R> {
    /// Sends the configuration and boot images, waits for the destination's `OK`, and starts
    /// dirty logging. On error nothing in the machine has changed.
    pub fn start(
        m: &mut Machine,
        out: W,
        mut replies: R,
        params: MigrationParams,
    ) -> Result<Self, MigrationError> {
        let started = Instant::now();
        let mut w = SectionWriter::new(out)?;
        m.write_conf_section(&mut w)?;
        w.flush()?;
        let peer_has = parse_ok(&read_reply(&mut replies)?)?;
        m.write_boot_section(&mut w, peer_has)
            .map_err(|e| explain(e.into(), &mut replies))?;
        m.vm.ram().enable_dirty_log();
        m.flush_tlbs();
        let pages = m.vm.ram().size() / RAMP_PAGE;
        let htab =
            m.vm.get_htab_fd(0, 0)
                .map_err(|e| MigrationError::Machine(e.to_string()))?;
        let mut mig = OutgoingMigration {
            w,
            replies,
            params,
            started,
            todo: (0..pages).collect(),
            next: 0,
            first_pass: true,
            pass: 0,
            pages_sent: 0,
            send_time: Duration::ZERO,
            send_bytes: 0,
            htab,
            hpt_order: None,
            pending_resize: None,
        };
        if let Err(e) = mig.send_hpt(m, true) {
            m.vm.ram().disable_dirty_log();
            return Err(e);
        }
        Ok(mig)
    }

    /// Progress so far.
    pub fn progress(&self) -> MigrationProgress {
        MigrationProgress {
            pass: self.pass,
            pass_done: self.next as u64,
            pass_total: self.todo.len() as u64,
            bytes: self.w.written(),
            pages_sent: self.pages_sent,
        }
    }

    /// Sends HTAB records: with `restart` (or when the guest changed its table), a new
    /// `HPT.` section of the current order and the whole table; otherwise the entries
    /// modified since the last call.
    fn send_hpt(&mut self, m: &Machine, restart: bool) -> Result<(), MigrationError> {
        let order = m.vm.hpt_order();
        let pending = m.vm.pending_resize();
        // A commit (or a cancelled prepare) replaces or may replace the table.
        let replaced = order != self.hpt_order
            || (self.pending_resize.is_some() && pending != self.pending_resize);
        self.pending_resize = pending;
        let mut buf = vec![0u8; 1 << 20];
        let mut head = None;
        if restart || replaced {
            self.htab =
                m.vm.get_htab_fd(0, 0)
                    .map_err(|e| MigrationError::Machine(e.to_string()))?;
            self.hpt_order = order;
            head = Some(order.unwrap_or(0).to_le_bytes().to_vec());
        }
        // Read until the reader has nothing more: a new reader's first pass (the whole table;
        // it returns a short read when its sweep wraps) into one `HPT.`, or the entries
        // modified since the last call, chunk by chunk, as `HPTC`s.
        loop {
            let n = self
                .htab
                .read(&mut buf)
                .map_err(|e| MigrationError::Machine(e.to_string()))?;
            match head.as_mut() {
                Some(h) => {
                    h.extend_from_slice(&buf[..n]);
                    if n < buf.len() / 2 {
                        break;
                    }
                }
                None if n == 0 => return Ok(()),
                None => self.w.section(HPTC, &buf[..n])?,
            }
        }
        if let Some(h) = head {
            self.w.section(HPT, &h)?;
        }
        Ok(())
    }

    fn send_batch(&mut self, m: &Machine, max: u64) -> Result<(), MigrationError> {
        let t0 = Instant::now();
        let before = self.w.written();
        let end = (self.next + usize::try_from(max).unwrap_or(usize::MAX)).min(self.todo.len());
        // The destination starts zeroed: the first pass skips zero pages.
        let (payload, n) = encode_pages(
            m,
            self.todo[self.next..end].iter().copied(),
            self.first_pass,
        );
        self.next = end;
        if n > 0 {
            self.pages_sent += n;
            self.w.section(RAMP, &payload)?;
        }
        self.send_time += t0.elapsed();
        self.send_bytes += self.w.written() - before;
        Ok(())
    }

    /// Bytes per second sent so far (a floor of 100 MB/s before anything was measured).
    fn bandwidth(&self) -> f64 {
        let secs = self.send_time.as_secs_f64();
        if secs < 1e-3 || self.send_bytes == 0 {
            1e8
        } else {
            self.send_bytes as f64 / secs
        }
    }

    /// Sends batches (for up to `step_budget`) between two turns of the guest; says when the
    /// rest fits in the downtime limit.
    pub fn step(&mut self, m: &mut Machine) -> Result<Step, MigrationError> {
        self.step_inner(m)
            .map_err(|e| explain(e, &mut self.replies))
    }

    fn step_inner(&mut self, m: &mut Machine) -> Result<Step, MigrationError> {
        if self.next < self.todo.len() {
            let t0 = Instant::now();
            loop {
                self.send_batch(m, self.params.batch_pages)?;
                if self.next >= self.todo.len() || t0.elapsed() >= self.params.step_budget {
                    break;
                }
            }
            self.send_hpt(m, false)?;
            // No flush: the writer pushes its bytes on as it fills (a flush would make the
            // guest wait for the socket); only the final copy waits for the destination.
            return Ok(Step::Continue);
        }
        // A pass is over: wait until the destination has taken it (so the final copy does not
        // start behind a backlog, and the bandwidth measured is the link's), then look at
        // what the guest dirtied meanwhile.
        let t0 = Instant::now();
        self.w.flush()?;
        self.send_time += t0.elapsed();
        let dirty = m.take_dirty_pages();
        self.first_pass = false;
        self.pass += 1;
        let cost = dirty.len() as f64 * (RAMP_PAGE as f64 + 9.0) / self.bandwidth();
        self.todo = dirty;
        self.next = 0;
        if cost <= self.params.max_downtime.as_secs_f64() || self.pass >= self.params.max_passes {
            return Ok(Step::Converged);
        }
        Ok(Step::Continue)
    }

    /// Gives up (after a failed step): dirty logging off, the connection dropped; the guest
    /// runs on here.
    pub fn abort(self, m: &mut Machine) {
        m.vm.ram().disable_dirty_log();
    }

    /// The stop-and-copy, with the guest stopped: the rest of RAM and the HTAB, the platform
    /// sections, `END.`; then the destination's answer. Consumes the migration; on success
    /// the destination runs the guest and this machine must not run it again.
    pub fn complete(mut self, m: &mut Machine) -> Result<MigrationStats, MigrationError> {
        let stopped = Instant::now();
        let r = self
            .finish_inner(m)
            .map_err(|e| explain(e, &mut self.replies));
        m.vm.ram().disable_dirty_log();
        let final_pages = r?;
        Ok(MigrationStats {
            total: self.started.elapsed(),
            downtime: stopped.elapsed(),
            bytes: self.w.written(),
            passes: self.pass,
            final_pages,
        })
    }

    fn finish_inner(&mut self, m: &mut Machine) -> Result<u64, MigrationError> {
        let mut rest: Vec<u64> = self.todo[self.next..].to_vec();
        rest.extend(m.take_dirty_pages());
        rest.sort_unstable();
        rest.dedup();
        let n = rest.len() as u64;
        self.todo = rest;
        self.next = 0;
        self.first_pass = false;
        while self.next < self.todo.len() {
            self.send_batch(m, self.params.batch_pages)?;
        }
        self.send_hpt(m, false)?;
        m.write_final_sections(&mut self.w)?;
        self.w.section(crate::snapshot::END, &[])?;
        self.w.flush()?;
        expect_reply(&mut self.replies, "DONE")?;
        Ok(n)
    }
}

impl Machine {
    /// Pages written since the last call (or since the dirty log was enabled), in ascending
    /// order; every vCPU's TLB is dropped so that their next store to any page is seen again.
    pub fn take_dirty_pages(&mut self) -> Vec<u64> {
        let log = self.vm.ram().take_dirty_log();
        self.flush_tlbs();
        log.iter().collect()
    }

    pub(crate) fn flush_tlbs(&mut self) {
        for v in &mut self.vcpus {
            v.cpu.flush_tlb();
        }
    }
}

/// The destination side: reads a migration stream from `input`, answering on `replies`, and
/// returns the machine ready to run. Errors are also sent to the source as `ERR <reason>`.
///
/// `local`: boot images this destination was started with. If the source's are the same (by
/// digest) they do not travel: the source sends `BREF` instead of `BOOT`.
pub fn incoming<R: std::io::Read, A: Write>(
    input: R,
    mut replies: A,
    host: &Host,
    local: Option<&BootImages>,
    out: Box<dyn Write + Send>,
) -> Result<Machine, MigrationError> {
    let r = incoming_inner(input, &mut replies, host, local, out);
    match &r {
        Ok(_) => writeln!(replies, "DONE")?,
        Err(MigrationError::Io(_)) => {}
        Err(e) => {
            let msg = e.to_string().replace('\n', " ");
            let _ = writeln!(replies, "ERR {msg}");
        }
    }
    let _ = replies.flush();
    r
}

fn incoming_inner<R: std::io::Read, A: Write>(
    input: R,
    replies: &mut A,
    host: &Host,
    local: Option<&BootImages>,
    out: Box<dyn Write + Send>,
) -> Result<Machine, MigrationError> {
    let mut reader = SectionReader::new(input)?;
    let cfg = read_conf(&mut reader, host)?;
    let local = local.map(|im| (im, im.digest()));
    match local {
        Some((_, digest)) => writeln!(replies, "OK boot={digest:032x}")?,
        None => writeln!(replies, "OK")?,
    }
    replies.flush()?;
    let images = match reader.next_section()? {
        Some(s) if s.tag == BOOT => decode_boot(&s.payload)?,
        Some(s) if s.tag == BREF => {
            let digest = s
                .payload
                .as_slice()
                .try_into()
                .map(u128::from_le_bytes)
                .ok();
            match local {
                Some((im, held)) if digest == Some(held) => im.clone(),
                _ => {
                    return Err(SnapshotError::Section {
                        tag: "BREF".into(),
                        what: "the source referred to boot images this destination does not hold"
                            .into(),
                    }
                    .into())
                }
            }
        }
        other => {
            return Err(SnapshotError::Section {
                tag: other.map_or_else(|| "BOOT".into(), |s| s.tag_str()),
                what: "expected the boot images (BOOT or BREF) here".into(),
            }
            .into())
        }
    };
    let mut restorer = match Restorer::with(cfg, images, host, out) {
        Ok(r) => r,
        Err(super::MachineError::Snapshot(e)) => return Err(e.into()),
        Err(e) => return Err(MigrationError::Machine(e.to_string())),
    };
    while let Some(s) = reader.next_section()? {
        restorer.apply(&s)?;
    }
    Ok(restorer.finish()?)
}
