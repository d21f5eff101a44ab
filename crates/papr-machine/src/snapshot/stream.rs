//! The snapshot container over a byte stream: a file being written or read, the TCP
//! connection of a live migration, or bytes in memory ([`super::read`]). Layout in the module
//! documentation of [`super`]; the reader holds one section at a time and never
//! allocates more than the bytes that actually arrived, whatever a (hostile) length claims.

use std::io::{Read, Write};

use super::{crc, SnapshotError, END, FORMAT_VERSION, MAGIC, MAX_SECTION};

/// Writes sections to `W` as they are produced.
#[derive(Debug)]
pub struct SectionWriter<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> SectionWriter<W> {
    /// Writes the header.
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_le_bytes())?;
        Ok(SectionWriter { out, written: 12 })
    }

    /// Writes one section.
    pub fn section(&mut self, tag: [u8; 4], payload: &[u8]) -> std::io::Result<()> {
        let len = payload.len() as u64;
        self.out.write_all(&tag)?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(payload)?;
        self.out.write_all(&crc(&tag, len, payload).to_le_bytes())?;
        self.written += 16 + len;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Pushes buffered bytes out.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// The underlying writer (to read a reply on the same connection, say).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Writes the end marker, flushes, and returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.section(END, &[])?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One section read from a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedSection {
    /// Its tag.
    pub tag: [u8; 4],
    /// Its payload.
    pub payload: Vec<u8>,
}

impl OwnedSection {
    /// The tag as text.
    pub fn tag_str(&self) -> String {
        String::from_utf8_lossy(&self.tag).into_owned()
    }
}

/// Reads sections from `R` one at a time.
#[derive(Debug)]
pub struct SectionReader<R: Read> {
    input: R,
    offset: u64,
    done: bool,
}

fn io_err(offset: u64, what: &str, e: &std::io::Error) -> SnapshotError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        SnapshotError::Truncated {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            what: what.into(),
        }
    } else {
        SnapshotError::Io(format!("reading {what} at byte {offset}: {e}"))
    }
}

impl<R: Read> SectionReader<R> {
    /// Reads and checks the header (magic and version).
    pub fn new(mut input: R) -> Result<Self, SnapshotError> {
        let mut magic = [0u8; 8];
        let got = read_full(&mut input, &mut magic).map_err(|e| io_err(0, "the magic", &e))?;
        if got < magic.len() || &magic != MAGIC {
            if got < magic.len() && MAGIC.starts_with(&magic[..got]) {
                return Err(SnapshotError::Truncated {
                    offset: got,
                    what: "the magic".into(),
                });
            }
            return Err(SnapshotError::BadMagic(magic[..got].to_vec()));
        }
        let mut v = [0u8; 4];
        input
            .read_exact(&mut v)
            .map_err(|e| io_err(8, "the version", &e))?;
        let found = u32::from_le_bytes(v);
        if found != FORMAT_VERSION {
            return Err(SnapshotError::Version { found });
        }
        Ok(SectionReader {
            input,
            offset: 12,
            done: false,
        })
    }

    /// The next section; `None` after `END.`. A stream that stops before `END.` is an
    /// error ([`SnapshotError::NoEnd`] at a section boundary, truncated inside one).
    pub fn next_section(&mut self) -> Result<Option<OwnedSection>, SnapshotError> {
        if self.done {
            return Ok(None);
        }
        let at = self.offset;
        let mut head = [0u8; 12];
        let got = read_full(&mut self.input, &mut head)
            .map_err(|e| io_err(at, "a section header", &e))?;
        if got == 0 {
            return Err(SnapshotError::NoEnd);
        }
        if got < head.len() {
            return Err(SnapshotError::Truncated {
                offset: usize::try_from(at).unwrap_or(usize::MAX),
                what: "a section header".into(),
            });
        }
        let mut tag = [0u8; 4];
        tag.copy_from_slice(&head[..4]);
        let tag_s = String::from_utf8_lossy(&tag).into_owned();
        let mut lb = [0u8; 8];
        lb.copy_from_slice(&head[4..]);
        let len = u64::from_le_bytes(lb);
        let at_usize = usize::try_from(at).unwrap_or(usize::MAX);
        if len > MAX_SECTION {
            return Err(SnapshotError::TooLong {
                tag: tag_s,
                offset: at_usize,
                len,
            });
        }
        // Grows only with the bytes that arrive.
        let mut payload = Vec::new();
        let n = (&mut self.input)
            .take(len)
            .read_to_end(&mut payload)
            .map_err(|e| io_err(at, &format!("section {tag_s}"), &e))?;
        if (n as u64) < len {
            return Err(SnapshotError::Truncated {
                offset: at_usize,
                what: format!("section {tag_s} ({len} bytes announced, {n} present)"),
            });
        }
        let mut cb = [0u8; 4];
        self.input
            .read_exact(&mut cb)
            .map_err(|e| io_err(at, &format!("the checksum of section {tag_s}"), &e))?;
        let found = u32::from_le_bytes(cb);
        let expected = crc(&tag, len, &payload);
        if found != expected {
            return Err(SnapshotError::Checksum {
                tag: tag_s,
                offset: at_usize,
                found,
                expected,
            });
        }
        self.offset += 16 + len;
        if tag == END {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(OwnedSection { tag, payload }))
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The underlying reader (to answer on the same connection, say).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.input
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = SectionWriter::new(Vec::new()).unwrap();
        w.section(*b"AAAA", b"hello").unwrap();
        w.section(*b"BBBB", &[]).unwrap();
        w.section(*b"CCCC", &[7u8; 300]).unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn every_cut_and_every_flipped_byte_is_an_error() {
        let bytes = sample();
        for cut in 0..bytes.len() {
            assert!(super::super::read(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(super::super::read(&b).is_err(), "flip at {i}");
        }
    }

    #[test]
    fn a_huge_claimed_length_does_not_allocate_it() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(b"RAM.");
        bytes.extend_from_slice(&(MAX_SECTION - 1).to_le_bytes());
        bytes.extend_from_slice(&[1, 2, 3]);
        assert!(matches!(
            super::super::read(&bytes),
            Err(SnapshotError::Truncated { .. })
        ));
    }
}
