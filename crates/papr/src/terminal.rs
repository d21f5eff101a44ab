//! The host terminal as the guest's console: raw mode while the guest runs (restored however
//! papr exits), and QEMU's escape key: Ctrl-A then `x` quits, Ctrl-A Ctrl-A sends one Ctrl-A to
//! the guest, Ctrl-A `h` prints help. When stdin is not a terminal (a pipe, a file) none of this
//! applies and bytes pass straight through.

use std::io::IsTerminal;

/// Ctrl-A.
pub const ESCAPE: u8 = 0x01;

/// What a key means after escape processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Bytes for the guest.
    Guest(Vec<u8>),
    /// Quit papr (Ctrl-A x).
    Quit,
    /// Show the escape help (Ctrl-A h).
    Help,
}

/// The Ctrl-A escape state machine.
#[derive(Debug, Default)]
pub struct EscapeParser {
    pending: bool,
}

/// The help text for Ctrl-A h.
pub const HELP: &str =
    "\r\nC-a h    print this help\r\nC-a x    exit papr\r\nC-a C-a  send C-a to the guest\r\n";

impl EscapeParser {
    /// A parser with no escape pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds input bytes; returns what they mean, in order.
    pub fn feed(&mut self, input: &[u8]) -> Vec<Key> {
        let mut out = Vec::new();
        let mut guest = Vec::new();
        for &b in input {
            if self.pending {
                self.pending = false;
                match b {
                    b'x' | b'X' => {
                        flush(&mut guest, &mut out);
                        out.push(Key::Quit);
                    }
                    b'h' | b'H' | b'?' => {
                        flush(&mut guest, &mut out);
                        out.push(Key::Help);
                    }
                    ESCAPE => guest.push(ESCAPE),
                    // Not an escape we know: both bytes go to the guest, as QEMU does.
                    other => {
                        guest.push(ESCAPE);
                        guest.push(other);
                    }
                }
            } else if b == ESCAPE {
                self.pending = true;
            } else {
                guest.push(b);
            }
        }
        flush(&mut guest, &mut out);
        out
    }
}

fn flush(guest: &mut Vec<u8>, out: &mut Vec<Key>) {
    if !guest.is_empty() {
        out.push(Key::Guest(std::mem::take(guest)));
    }
}

/// Raw mode on a terminal stdin for as long as the guard lives.
pub struct RawMode {
    saved: Option<libc::termios>,
}

impl RawMode {
    /// Puts stdin in raw mode if it is a terminal; otherwise does nothing.
    pub fn enter() -> std::io::Result<Self> {
        if !std::io::stdin().is_terminal() {
            return Ok(RawMode { saved: None });
        }
        // SAFETY: termios is plain old data; tcgetattr fills it for fd 0 or fails.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd 0 is valid for the process's lifetime; `t` is a valid out-pointer.
        if unsafe { libc::tcgetattr(0, &mut t) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let saved = t;
        // SAFETY: cfmakeraw only edits the struct it is given.
        unsafe { libc::cfmakeraw(&mut t) };
        // Keep output post-processing so the guest's "\n" still returns the carriage.
        t.c_oflag |= libc::OPOST | libc::ONLCR;
        // SAFETY: fd 0 and a fully initialised termios.
        if unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(RawMode { saved: Some(saved) })
    }

    /// Whether the terminal was switched.
    pub fn is_raw(&self) -> bool {
        self.saved.is_some()
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(t) = self.saved {
            // SAFETY: restores the settings read in `enter` on the same fd.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut p = EscapeParser::new();
        assert_eq!(p.feed(b"ls\r"), vec![Key::Guest(b"ls\r".to_vec())]);
        assert_eq!(
            p.feed(b"ab\x01xcd"),
            vec![
                Key::Guest(b"ab".to_vec()),
                Key::Quit,
                Key::Guest(b"cd".to_vec())
            ]
        );
        assert_eq!(p.feed(b"\x01\x01"), vec![Key::Guest(vec![ESCAPE])]);
        assert_eq!(p.feed(b"\x01h"), vec![Key::Help]);
        assert_eq!(p.feed(b"\x01q"), vec![Key::Guest(vec![ESCAPE, b'q'])]);
        // An escape split across reads.
        assert_eq!(p.feed(b"z\x01"), vec![Key::Guest(b"z".to_vec())]);
        assert_eq!(p.feed(b"X"), vec![Key::Quit]);
        assert_eq!(p.feed(b""), vec![]);
    }

    #[test]
    fn raw_mode_is_a_no_op_without_a_terminal() {
        // Under `cargo test` stdin is not a terminal (or, if it is, the guard restores it).
        let g = RawMode::enter().unwrap();
        drop(g);
    }
}
