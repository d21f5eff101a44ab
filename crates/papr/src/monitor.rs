//! The monitor: executes control-socket commands against the running machine between guest
//! time slices, and drives an outgoing live migration (pre-copy steps while the guest runs, the
//! stop-and-copy when it converges) with a progress bar on the terminal.

use std::io::{BufReader, BufWriter};
use std::net::TcpStream;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use papr_machine::machine::migrate::{MigrationParams, MigrationStats, OutgoingMigration, Step};
use papr_machine::machine::Machine;
use papr_machine::tree::ActiveIc;
use serde_json::{json, Value};

use crate::control::{error_value, return_value, ControlServer, Request};
use crate::send_thread::SendThread;

type Outgoing = OutgoingMigration<SendThread, BufReader<TcpStream>>;

struct ActiveMigration {
    mig: Outgoing,
    uri: String,
    bar: ProgressBar,
    client: Option<u64>,
}

/// The monitor's state.
pub struct Monitor {
    server: Option<ControlServer>,
    paused: bool,
    migration: Option<ActiveMigration>,
    last: Option<String>,
}

/// Parses `tcp:HOST:PORT`.
pub fn parse_tcp_uri(uri: &str) -> Result<String, String> {
    let rest = uri
        .strip_prefix("tcp:")
        .ok_or_else(|| format!("unsupported migration URI {uri:?}: expected tcp:HOST:PORT"))?;
    match rest.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(rest.to_owned())
        }
        _ => Err(format!(
            "unusable migration URI {uri:?}: expected tcp:HOST:PORT"
        )),
    }
}

/// Starts a migration of `m` to `uri` (connects, sends the configuration, waits for the
/// destination's verdict).
pub fn start_migration(
    m: &mut Machine,
    uri: &str,
    params: MigrationParams,
) -> Result<Outgoing, String> {
    let addr = parse_tcp_uri(uri)?;
    let stream = TcpStream::connect(&addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let reader = stream
        .try_clone()
        .map_err(|e| format!("cannot use the connection to {addr}: {e}"))?;
    let out =
        SendThread::new(stream).map_err(|e| format!("cannot start the sending thread: {e}"))?;
    OutgoingMigration::start(m, out, BufReader::new(reader), params).map_err(|e| e.to_string())
}

/// One line describing a finished migration.
pub fn describe_stats(uri: &str, s: &MigrationStats) -> String {
    format!(
        "migrated to {uri}: {:.1} MiB in {:.3} s, {} dirty passes, downtime {:.1} ms ({} pages in the final copy)",
        s.bytes as f64 / (1 << 20) as f64,
        s.total.as_secs_f64(),
        s.passes,
        s.downtime.as_secs_f64() * 1e3,
        s.final_pages
    )
}

impl Monitor {
    /// A monitor serving `server` (if any), starting paused or not.
    pub fn new(server: Option<ControlServer>, paused: bool) -> Self {
        Monitor {
            server,
            paused,
            migration: None,
            last: None,
        }
    }

    /// Whether the guest is paused by `stop`.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Whether the session must go on even with every vCPU idle (a control socket awaits
    /// commands, or a migration is under way).
    pub fn busy(&self) -> bool {
        self.server.is_some() || self.migration.is_some()
    }

    /// Whether a migration is sending (the session then spends idle time on it).
    pub fn migrating(&self) -> bool {
        self.migration.is_some()
    }

    /// Serves pending requests and advances a migration; `Some(reason)` ends the session.
    pub fn serve(&mut self, m: &mut Machine) -> Option<String> {
        let requests = match self.server.as_mut() {
            Some(s) => s.poll(),
            None => Vec::new(),
        };
        for r in requests {
            let (answer, end) = self.execute(m, &r);
            if let Some(s) = self.server.as_mut() {
                s.reply(r.client, &answer);
            }
            if end.is_some() {
                return end;
            }
        }
        self.migration_step(m)
    }

    fn migration_step(&mut self, m: &mut Machine) -> Option<String> {
        let active = self.migration.as_mut()?;
        let step = active.mig.step(m);
        let p = active.mig.progress();
        active.bar.set_length(p.pass_total.max(1));
        active.bar.set_position(p.pass_done);
        active.bar.set_message(format!(
            "pass {} · {:.1} MiB sent",
            p.pass,
            p.bytes as f64 / (1 << 20) as f64
        ));
        let (uri, client, outcome) = match step {
            Ok(Step::Continue) => return None,
            Ok(Step::Converged) => {
                let active = self.migration.take()?;
                let r = active.mig.complete(m);
                active.bar.finish_and_clear();
                (active.uri, active.client, r.map_err(|e| e.to_string()))
            }
            Err(e) => {
                let active = self.migration.take()?;
                active.bar.finish_and_clear();
                active.mig.abort(m);
                (active.uri, active.client, Err(e.to_string()))
            }
        };
        match outcome {
            Ok(stats) => {
                let line = describe_stats(&uri, &stats);
                self.event(
                    client,
                    json!({"status": "completed", "desc": line,
                           "total_ms": stats.total.as_secs_f64() * 1e3,
                           "downtime_ms": stats.downtime.as_secs_f64() * 1e3,
                           "bytes": stats.bytes, "passes": stats.passes,
                           "final_pages": stats.final_pages}),
                );
                Some(line)
            }
            Err(e) => {
                let line = format!("migration to {uri} failed, the guest runs on here: {e}");
                eprintln!("\r\npapr: {line}\r");
                self.event(client, json!({"status": "failed", "desc": line}));
                self.last = Some(line);
                None
            }
        }
    }

    /// Sends a `MIGRATION` event with `data` to the client that asked for the migration.
    fn event(&mut self, client: Option<u64>, data: Value) {
        if let (Some(s), Some(c)) = (self.server.as_mut(), client) {
            s.reply(c, &json!({"event": "MIGRATION", "data": data}));
        }
    }

    fn execute(&mut self, m: &mut Machine, r: &Request) -> (Value, Option<String>) {
        let id = r.id.clone();
        let ok = |v: Value| return_value(v, id.clone());
        let err = |desc: &str| error_value("GenericError", desc, id.clone());
        match r.command.as_str() {
            "status" => (ok(self.status(m)), None),
            "stop" => {
                self.paused = true;
                (ok(json!({})), None)
            }
            "cont" => {
                self.paused = false;
                (ok(json!({})), None)
            }
            "system_reset" => match m.system_reset() {
                Ok(()) => (ok(json!({})), None),
                Err(e) => (err(&format!("reset failed: {e}")), None),
            },
            "nmi" => {
                m.nmi();
                (ok(json!({})), None)
            }
            "quit" => (ok(json!({})), Some("quit (control socket)".into())),
            "migrate" => {
                if self.migration.is_some() {
                    return (err("a migration is already in progress"), None);
                }
                let Some(uri) = r.arguments.get("uri").and_then(Value::as_str) else {
                    return (err("migrate needs {\"uri\": \"tcp:HOST:PORT\"}"), None);
                };
                match start_migration(m, uri, MigrationParams::default()) {
                    Ok(mig) => {
                        let bar = ProgressBar::new(1);
                        bar.set_style(
                            ProgressStyle::with_template(
                                "migrating {bar:30} {pos}/{len} pages · {msg}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                        );
                        self.migration = Some(ActiveMigration {
                            mig,
                            uri: uri.to_owned(),
                            bar,
                            client: Some(r.client),
                        });
                        (ok(json!({})), None)
                    }
                    Err(e) => (err(&e), None),
                }
            }
            "snapshot" => {
                let Some(file) = r.arguments.get("file").and_then(Value::as_str) else {
                    return (err("snapshot needs {\"file\": PATH}"), None);
                };
                match save_snapshot(m, Path::new(file)) {
                    Ok((bytes, secs)) => (ok(json!({"bytes": bytes, "seconds": secs})), None),
                    Err(e) => (err(&e), None),
                }
            }
            "info-hpt" => (ok(info_hpt(m)), None),
            "info-pic" => (ok(info_pic(m)), None),
            "info-hcalls" => (ok(info_hcalls(m)), None),
            "info-ledger" => (ok(info_ledger(m)), None),
            other => (
                error_value("CommandNotFound", &format!("unknown command {other}"), id),
                None,
            ),
        }
    }

    fn status(&self, m: &Machine) -> Value {
        let vcpus: Vec<Value> = m
            .vcpu_states()
            .into_iter()
            .map(|(id, s)| json!({"id": id, "state": s}))
            .collect();
        let migration = match &self.migration {
            Some(a) => {
                let p = a.mig.progress();
                json!({"status": "active", "uri": a.uri, "pass": p.pass,
                       "pass_done": p.pass_done, "pass_total": p.pass_total,
                       "bytes": p.bytes, "pages_sent": p.pages_sent})
            }
            None => match &self.last {
                Some(l) => json!({"status": "failed", "desc": l}),
                None => json!({"status": "none"}),
            },
        };
        json!({
            "running": !self.paused,
            "instructions": m.retired(),
            "interrupt_controller": ic_name(m.active_ic()),
            "vcpus": vcpus,
            "migration": migration,
        })
    }
}

fn ic_name(ic: ActiveIc) -> &'static str {
    match ic {
        ActiveIc::Xics => "xics",
        ActiveIc::Xive => "xive",
    }
}

/// Writes a snapshot of `m` to `path`; returns its size and the seconds it took.
pub fn save_snapshot(m: &mut Machine, path: &Path) -> Result<(u64, f64), String> {
    let t0 = Instant::now();
    let f = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let w = m
        .save_snapshot(BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| e.to_string())?;
    let f = w
        .into_inner()
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error()))?;
    f.sync_all()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let bytes = f.metadata().map(|md| md.len()).unwrap_or(0);
    Ok((bytes, t0.elapsed().as_secs_f64()))
}

fn info_hpt(m: &Machine) -> Value {
    match m.vm().hpt_info() {
        Some(i) => json!({
            "order": i.order,
            "size_bytes": 1u64 << i.order,
            "valid": i.valid,
            "bolted": i.bolted,
            "pending_resize": i.pending_resize,
            "reserved_pool": i.reserved_pool,
            "reset_order": m.vm().hpt_reset_order(),
            "pteg_occupancy": m.hpt_occupancy().to_vec(),
        }),
        None => json!({"order": null}),
    }
}

fn info_pic(m: &Machine) -> Value {
    let sources: Vec<Value> = m
        .pic_sources()
        .into_iter()
        .map(|s| {
            json!({"irq": s.irq, "name": s.name, "server": s.server, "priority": s.priority,
                   "masked": s.masked, "eisn": s.eisn})
        })
        .collect();
    json!({"controller": ic_name(m.active_ic()), "sources": sources})
}

fn info_hcalls(m: &Machine) -> Value {
    let vcpus: Vec<Value> = m
        .vm()
        .vcpus()
        .iter()
        .map(|v| {
            let counts: serde_json::Map<String, Value> = v
                .hcall_counts()
                .into_iter()
                .map(|(n, c)| (format!("{n:#x}"), json!(c)))
                .collect();
            json!({"id": v.id(), "hypervisor": counts, "unknown": v.unknown_hcall_count()})
        })
        .collect();
    let s = m.stats();
    let platform: serde_json::Map<String, Value> = s
        .unimplemented_hcalls
        .iter()
        .map(|(n, c)| (format!("{n:#x}"), json!(c)))
        .collect();
    json!({
        "vcpus": vcpus,
        "platform_h_function": platform,
        "rtas": s.rtas_calls,
        "of_calls": s.of_calls,
        "resets": s.resets,
    })
}

fn info_ledger(m: &Machine) -> Value {
    let l = m.vm().ledger();
    let pools: Vec<Value> = papr_hv::ledger::Kind::ALL
        .iter()
        .map(|k| json!({"pool": k.name(), "bytes": l.bytes(*k), "owners": l.objects(*k)}))
        .collect();
    json!({ "pools": pools, "summary": l.to_string() })
}
