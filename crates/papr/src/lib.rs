//! The papr command line's building blocks (the binary in `main.rs` is thin): the host
//! terminal as the guest console.

pub mod console;
pub mod control;
pub mod demo;
pub mod monitor;
pub mod send_thread;
pub mod terminal;
