//! The control socket, `papr restore` and `--incoming` as a user drives them: a papr process
//! running the bench_copy loop guest (3.7·10^8 instructions, started paused), commands over the
//! Unix socket, a snapshot restored by a second process, a live migration to a third. The
//! oracle: the guest's final output (its registers, compared with QEMU by the bench script)
//! is the same whichever process finishes the loop.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn guest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guests/bin/bench_copy.elf")
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("papr-ctl-{}-{name}", std::process::id()))
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_papr"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("papr runs")
}

struct Client {
    r: BufReader<UnixStream>,
    w: UnixStream,
}

impl Client {
    fn connect(path: &Path) -> Client {
        let t0 = Instant::now();
        loop {
            if let Ok(s) = UnixStream::connect(path) {
                s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
                let mut c = Client {
                    r: BufReader::new(s.try_clone().unwrap()),
                    w: s,
                };
                let greeting = c.line();
                assert!(greeting["papr"]["commands"].is_array(), "{greeting}");
                return c;
            }
            assert!(t0.elapsed() < Duration::from_secs(60), "no control socket");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn line(&mut self) -> Value {
        let mut l = String::new();
        self.r.read_line(&mut l).unwrap();
        serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l:?}"))
    }

    fn cmd(&mut self, v: Value) -> Value {
        writeln!(self.w, "{v}").unwrap();
        loop {
            let a = self.line();
            if a.get("event").is_none() {
                return a;
            }
        }
    }
}

fn finish(child: Child) -> (String, String) {
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn control_snapshot_restore_and_migration() {
    let g = guest();
    let sock = tmp("sock");
    let snap = tmp("snap");
    let common = ["-m", "256M", "--deterministic"];
    // Reference: the whole loop in one process.
    let (want, err) = finish(spawn(
        &[&["run", "--kernel", g.to_str().unwrap()][..], &common].concat(),
    ));
    assert!(want.contains("@@END@@"), "{want}\n{err}");

    let src = spawn(
        &[
            &[
                "run",
                "--kernel",
                g.to_str().unwrap(),
                "-S",
                "--control",
                sock.to_str().unwrap(),
            ][..],
            &common,
        ]
        .concat(),
    );
    let mut c = Client::connect(&sock);
    let st = c.cmd(json!({"execute": "status", "id": 1}));
    assert_eq!(st["id"], 1);
    assert_eq!(st["return"]["running"], false);
    assert_eq!(st["return"]["interrupt_controller"], "xics");
    let hpt = c.cmd(json!({"execute": "info-hpt"}));
    assert_eq!(hpt["return"]["order"], 21, "{hpt}");
    let groups: u64 = hpt["return"]["pteg_occupancy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(groups, (1 << 21) / 128);
    assert!(c.cmd(json!({"execute": "info-ledger"}))["return"]["pools"].is_array());
    assert!(c.cmd(json!({"execute": "info-pic"}))["return"]["sources"].is_array());
    assert!(c.cmd(json!({"execute": "info-hcalls"}))["return"]["vcpus"].is_array());
    assert_eq!(
        c.cmd(json!({"execute": "fly"}))["error"]["class"],
        "CommandNotFound"
    );
    // Let it run a little, pause, snapshot.
    assert!(c.cmd(json!({"execute": "cont"}))["return"].is_object());
    std::thread::sleep(Duration::from_millis(200));
    assert!(c.cmd(json!({"execute": "stop"}))["return"].is_object());
    let s = c.cmd(json!({"execute": "snapshot", "arguments": {"file": snap.to_str().unwrap()}}));
    assert!(s["return"]["bytes"].as_u64().unwrap() > 0, "{s}");

    // A destination on a free port; the source migrates there and exits.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("tcp:127.0.0.1:{port}");
    let dst = spawn(&[&["run", "--incoming", &uri][..], &common].concat());
    let t0 = Instant::now();
    let answer = loop {
        let a = c.cmd(json!({"execute": "migrate", "arguments": {"uri": uri}}));
        if a.get("return").is_some() || t0.elapsed() > Duration::from_secs(30) {
            break a;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(answer["return"].is_object(), "{answer}");
    // The paused guest migrates (its pre-copy converges at once); the destination runs it.
    let (src_out, src_err) = finish(src);
    assert!(src_err.contains("migrated to"), "{src_err}");
    let (dst_out, dst_err) = finish(dst);
    assert_eq!(format!("{src_out}{dst_out}"), want, "{dst_err}");

    // The snapshot, restored twice, finishes the loop the same way.
    let mut tails = Vec::new();
    for _ in 0..2 {
        let (out, err) = finish(spawn(&["restore", snap.to_str().unwrap()]));
        assert!(err.contains("restored"), "{err}");
        tails.push(out);
    }
    assert_eq!(tails[0], tails[1]);
    assert!(want.ends_with(&tails[0]) && tails[0].contains("@@END@@"));
    // A corrupted snapshot is refused with a message, not a panic.
    let mut bytes = std::fs::read(&snap).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&snap, &bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_papr"))
        .args(["restore", snap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("corrupted") && !err.contains("panicked"),
        "{err}"
    );
    let _ = std::fs::remove_file(&snap);
}
