//! A writer whose bytes reach the underlying writer from a thread of their own: the outgoing
//! migration stream's socket writes (the kernel's copy into the TCP stack) then overlap with
//! the guest and the page scan on the machine's thread, as QEMU's migration thread overlaps
//! with its vCPUs. Guest RAM is still read only on the machine's thread.
//!
//! Writes are gathered into chunks and queued (a bounded queue: a slow peer still slows the
//! sender down). `flush` waits until everything queued is written and flushed. When the thread
//! meets an error it stops; the next write or flush reports that error.

use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Bytes gathered before a chunk is queued.
const CHUNK: usize = 1 << 20;
/// Chunks queued at most.
const DEPTH: usize = 4;

enum Msg {
    Data(Vec<u8>),
    Flush,
}

/// See the module documentation.
pub struct SendThread {
    buf: Vec<u8>,
    tx: Option<SyncSender<Msg>>,
    acks: Receiver<()>,
    failed: Option<String>,
    error: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl SendThread {
    /// Starts the thread that writes to `out`.
    pub fn new<W: Write + Send + 'static>(mut out: W) -> io::Result<Self> {
        let (tx, rx) = sync_channel::<Msg>(DEPTH);
        let (ack_tx, acks) = sync_channel(1);
        let error = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&error);
        let thread = std::thread::Builder::new()
            .name("papr-send".into())
            .spawn(move || {
                for msg in rx {
                    let flush = matches!(msg, Msg::Flush);
                    let r = match msg {
                        Msg::Data(bytes) => out.write_all(&bytes),
                        Msg::Flush => out.flush(),
                    };
                    if let Err(e) = r {
                        // Stop: the queue closes and the machine's side reads the reason.
                        if let Ok(mut slot) = slot.lock() {
                            *slot = Some(e.to_string());
                        }
                        return;
                    }
                    if flush && ack_tx.send(()).is_err() {
                        return;
                    }
                }
            })?;
        Ok(SendThread {
            buf: Vec::with_capacity(CHUNK),
            tx: Some(tx),
            acks,
            failed: None,
            error,
            thread: Some(thread),
        })
    }

    fn gone(&mut self) -> io::Error {
        if self.failed.is_none() {
            self.failed = self.error.lock().ok().and_then(|e| e.clone());
        }
        let why = self
            .failed
            .get_or_insert_with(|| "the sending thread stopped".into())
            .clone();
        io::Error::new(io::ErrorKind::BrokenPipe, why)
    }

    fn queue(&mut self, msg: Msg) -> io::Result<()> {
        if self.failed.is_some() {
            return Err(self.gone());
        }
        match self.tx.as_ref().map(|tx| tx.send(msg)) {
            Some(Ok(())) => Ok(()),
            _ => Err(self.gone()),
        }
    }

    fn queue_buffer(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.queue(Msg::Data(chunk))
    }
}

impl Write for SendThread {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.failed.is_some() {
            return Err(self.gone());
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.queue_buffer()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.queue_buffer()?;
        self.queue(Msg::Flush)?;
        match self.acks.recv() {
            Ok(()) => Ok(()),
            Err(_) => Err(self.gone()),
        }
    }
}

impl Drop for SendThread {
    fn drop(&mut self) {
        // Whatever is still buffered goes out; then the thread ends with its queue.
        let _ = self.queue_buffer();
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer that keeps what it got, optionally failing after `limit` bytes.
    #[derive(Clone)]
    struct Keep {
        got: Arc<Mutex<Vec<u8>>>,
        limit: usize,
    }

    impl Write for Keep {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            let mut g = self.got.lock().unwrap();
            if g.len() + b.len() > self.limit {
                return Err(io::Error::new(io::ErrorKind::ConnectionReset, "peer gone"));
            }
            g.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn bytes_arrive_in_order_by_each_flush() {
        let keep = Keep {
            got: Arc::default(),
            limit: usize::MAX,
        };
        let mut w = SendThread::new(keep.clone()).unwrap();
        let mut want = Vec::new();
        for i in 0..3000u32 {
            let piece: Vec<u8> = (0..(i % 977) * 7)
                .map(|k| (k ^ i).to_le_bytes()[0])
                .collect();
            w.write_all(&piece).unwrap();
            want.extend_from_slice(&piece);
            if i % 500 == 0 {
                w.flush().unwrap();
                assert_eq!(*keep.got.lock().unwrap(), want, "after the flush at {i}");
            }
        }
        drop(w);
        assert_eq!(*keep.got.lock().unwrap(), want, "after the drop");
    }

    #[test]
    fn a_failed_write_is_reported_by_flush_and_later_writes() {
        let keep = Keep {
            got: Arc::default(),
            limit: 3 << 20,
        };
        let mut w = SendThread::new(keep).unwrap();
        for _ in 0..4 {
            w.write_all(&vec![7u8; 1 << 20]).unwrap();
        }
        let e = w.flush().unwrap_err();
        assert!(e.to_string().contains("peer gone"), "{e}");
        assert!(w.write_all(b"x").is_err());
        assert!(w.flush().is_err());
    }
}
