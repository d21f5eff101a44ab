//! What several integration tests share: a console sink and the Debian guest artifacts.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A console that keeps what the guest printed.
#[derive(Clone, Default)]
pub struct Sink(pub Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    /// Everything printed so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
    /// The same, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The Debian kernel and busybox from `scripts/fetch-debian-guest.sh`. Without them: `None`
/// and a loud skip message, or a failure when PAPR_REQUIRE_ORACLES=1 (CI).
pub fn debian_artifacts() -> Option<(Vec<u8>, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/debian");
    match (
        std::fs::read(dir.join("vmlinux")),
        std::fs::read(dir.join("busybox")),
    ) {
        (Ok(k), Ok(b)) => Some((k, b)),
        _ if std::env::var("PAPR_REQUIRE_ORACLES").as_deref() == Ok("1") => panic!(
            "the Debian kernel or busybox is missing in {}: run scripts/fetch-debian-guest.sh",
            dir.display()
        ),
        _ => {
            eprintln!("*** SKIPPED: Debian kernel/busybox missing (run scripts/fetch-debian-guest.sh) ***");
            None
        }
    }
}
