//! The control socket (`--control PATH`): JSON lines over a Unix stream socket, shaped like
//! QEMU's QMP so that QMP habits carry over.
//!
//! On connection the server sends a greeting `{"papr": {"version": "…", "commands": […]}}`.
//! Each request is one line `{"execute": "NAME", "arguments": {…}, "id": ANY}` (arguments and
//! id optional); each answer is one line, `{"return": VALUE}` or
//! `{"error": {"class": "…", "desc": "…"}}`, carrying the request's `id` if it had one.
//! Commands: see [`COMMANDS`] (`papr` prints them with `--help` too). Several clients may be
//! connected; requests are served between guest time slices, in arrival order.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The commands, with their arguments, for the greeting and the documentation.
pub const COMMANDS: &[(&str, &str)] = &[
    ("status", "run state, instructions retired, active interrupt controller, vCPU states, migration progress"),
    ("stop", "pause the guest"),
    ("cont", "resume the guest"),
    ("system_reset", "reset the machine (as the guest's reboot does)"),
    ("nmi", "a system reset interrupt (0x100) on every started vCPU, like QEMU's `nmi`: Linux prints where each CPU was"),
    ("quit", "exit papr"),
    ("migrate", "{\"uri\": \"tcp:HOST:PORT\"}: live-migrate to a papr started with --incoming"),
    ("snapshot", "{\"file\": PATH}: write a snapshot (restore it with `papr restore PATH`)"),
    ("info-hpt", "HPT order, valid and bolted entries, pending resize, PTEG occupancy histogram"),
    ("info-pic", "active interrupt controller and each source's routing"),
    ("info-hcalls", "hcall counters per vCPU, platform hcalls answered H_FUNCTION, RTAS calls"),
    ("info-ledger", "the hypervisor's allocation ledger (bytes and owners per pool)"),
];

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Which client sent it.
    pub client: u64,
    /// The command name.
    pub command: String,
    /// Its arguments (an object; empty when absent).
    pub arguments: serde_json::Map<String, Value>,
    /// The request's id, echoed in the answer.
    pub id: Option<Value>,
}

/// Parses one request line; `Err` is the error answer to send back.
pub fn parse_request(client: u64, line: &str) -> Result<Request, Value> {
    let v: Value = serde_json::from_str(line)
        .map_err(|e| error_value("GenericError", &format!("not JSON: {e}"), None))?;
    let id = v.get("id").cloned();
    let Some(obj) = v.as_object() else {
        return Err(error_value(
            "GenericError",
            "a request is a JSON object",
            id,
        ));
    };
    let Some(command) = obj.get("execute").and_then(Value::as_str) else {
        return Err(error_value(
            "GenericError",
            "the request has no \"execute\" string",
            id,
        ));
    };
    let arguments = match obj.get("arguments") {
        None => serde_json::Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(error_value(
                "GenericError",
                "\"arguments\" must be an object",
                id,
            ))
        }
    };
    if !COMMANDS.iter().any(|(c, _)| *c == command) {
        return Err(error_value(
            "CommandNotFound",
            &format!("the command {command} has not been found"),
            id,
        ));
    }
    Ok(Request {
        client,
        command: command.to_owned(),
        arguments,
        id,
    })
}

/// An error answer.
pub fn error_value(class: &str, desc: &str, id: Option<Value>) -> Value {
    let mut v = json!({"error": {"class": class, "desc": desc}});
    if let Some(id) = id {
        v["id"] = id;
    }
    v
}

/// A success answer.
pub fn return_value(ret: Value, id: Option<Value>) -> Value {
    let mut v = json!({ "return": ret });
    if let Some(id) = id {
        v["id"] = id;
    }
    v
}

struct Client {
    stream: UnixStream,
    buf: Vec<u8>,
}

/// The listening socket and its clients (all non-blocking).
pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
    clients: HashMap<u64, Client>,
    next_id: u64,
}

/// Longest request line accepted.
const MAX_LINE: usize = 1 << 20;

impl ControlServer {
    /// Listens on `path` (a stale socket file left by a dead papr is replaced; a live one is
    /// an error).
    pub fn bind(path: &Path) -> std::io::Result<Self> {
        if path.exists() {
            if UnixStream::connect(path).is_ok() {
                return Err(std::io::Error::new(
                    ErrorKind::AddrInUse,
                    format!("{} is in use by another process", path.display()),
                ));
            }
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        Ok(ControlServer {
            listener,
            path: path.to_owned(),
            clients: HashMap::new(),
            next_id: 0,
        })
    }

    /// Accepts new clients and returns the complete requests that arrived (malformed ones are
    /// answered here).
    pub fn poll(&mut self) -> Vec<Request> {
        while let Ok((stream, _)) = self.listener.accept() {
            if stream.set_nonblocking(true).is_err() {
                continue;
            }
            let id = self.next_id;
            self.next_id += 1;
            let mut c = Client {
                stream,
                buf: Vec::new(),
            };
            let names: Vec<&str> = COMMANDS.iter().map(|(n, _)| *n).collect();
            let greeting =
                json!({"papr": {"version": env!("CARGO_PKG_VERSION"), "commands": names}});
            if send_line(&mut c.stream, &greeting).is_ok() {
                self.clients.insert(id, c);
            }
        }
        let mut out = Vec::new();
        let mut gone = Vec::new();
        for (&id, c) in &mut self.clients {
            let mut chunk = [0u8; 4096];
            loop {
                match c.stream.read(&mut chunk) {
                    Ok(0) => {
                        gone.push(id);
                        break;
                    }
                    Ok(n) => c.buf.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => {
                        gone.push(id);
                        break;
                    }
                }
            }
            while let Some(nl) = c.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = c.buf.drain(..=nl).collect();
                let text = String::from_utf8_lossy(&line);
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                match parse_request(id, text) {
                    Ok(r) => out.push(r),
                    Err(e) => {
                        let _ = send_line(&mut c.stream, &e);
                    }
                }
            }
            if c.buf.len() > MAX_LINE {
                let _ = send_line(
                    &mut c.stream,
                    &error_value("GenericError", "request line too long", None),
                );
                gone.push(id);
            }
        }
        for id in gone {
            self.clients.remove(&id);
        }
        out
    }

    /// Sends an answer to a client (dropped silently if it left).
    pub fn reply(&mut self, client: u64, v: &Value) {
        if let Some(c) = self.clients.get_mut(&client) {
            if send_line(&mut c.stream, v).is_err() {
                self.clients.remove(&client);
            }
        }
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn send_line(s: &mut UnixStream, v: &Value) -> std::io::Result<()> {
    let mut line = v.to_string();
    line.push('\n');
    // The socket is non-blocking; answers are small, so retry the rare partial write.
    let mut rest = line.as_bytes();
    let mut spins = 0;
    while !rest.is_empty() {
        match s.write(rest) {
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock && spins < 1000 => {
                spins += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_like_qmp() {
        let r = parse_request(
            3,
            r#"{"execute":"migrate","arguments":{"uri":"tcp:127.0.0.1:4444"},"id":7}"#,
        )
        .unwrap();
        assert_eq!(r.command, "migrate");
        assert_eq!(r.arguments["uri"], "tcp:127.0.0.1:4444");
        assert_eq!(r.id, Some(json!(7)));
        let r = parse_request(0, r#"{"execute":"status"}"#).unwrap();
        assert!(r.arguments.is_empty() && r.id.is_none());
    }

    #[test]
    fn malformed_requests_get_errors_naming_the_problem() {
        let e = parse_request(0, "{").unwrap_err();
        assert!(e["error"]["desc"].as_str().unwrap().contains("not JSON"));
        let e = parse_request(0, r#"{"execute":"fly","id":"a"}"#).unwrap_err();
        assert_eq!(e["error"]["class"], "CommandNotFound");
        assert_eq!(e["id"], "a");
        let e = parse_request(0, r#"{"execute":"stop","arguments":[1]}"#).unwrap_err();
        assert!(e["error"]["desc"].as_str().unwrap().contains("arguments"));
        let e = parse_request(0, "[1,2]").unwrap_err();
        assert!(e["error"]["desc"].as_str().unwrap().contains("object"));
    }

    #[test]
    fn a_client_gets_a_greeting_and_its_requests_arrive() {
        let dir = std::env::temp_dir().join(format!("papr-ctl-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("sock");
        let mut server = ControlServer::bind(&path).unwrap();
        let mut c = UnixStream::connect(&path).unwrap();
        c.write_all(b"{\"execute\":\"status\",\"id\":1}\n{\"execute\":\"nope\"}\n")
            .unwrap();
        let mut got = Vec::new();
        for _ in 0..200 {
            got.extend(server.poll());
            if !got.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].command, "status");
        server.reply(
            got[0].client,
            &return_value(json!({"ok": true}), got[0].id.clone()),
        );
        c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut text = String::new();
        let mut buf = [0u8; 4096];
        while text.matches('\n').count() < 3 {
            let n = c.read(&mut buf).unwrap();
            assert!(n > 0);
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines[0]["papr"]["commands"].as_array().unwrap().len() == COMMANDS.len());
        assert_eq!(lines[1]["error"]["class"], "CommandNotFound");
        assert_eq!(lines[2], json!({"return": {"ok": true}, "id": 1}));
        // A second server on a live socket is refused; after drop the file is gone.
        assert!(ControlServer::bind(&path).is_err());
        drop(server);
        assert!(!path.exists());
    }
}
