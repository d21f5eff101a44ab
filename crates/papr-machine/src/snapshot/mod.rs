//! The snapshot container: a versioned, checksummed sequence of sections (the format both
//! snapshot files and the live-migration stream carry).
//!
//! Layout, all integers little-endian:
//!
//! | field | size | meaning |
//! |---|---|---|
//! | magic | 8 | `PAPRSNAP` |
//! | version | 4 | [`FORMAT_VERSION`] |
//! | sections | … | each: tag (4 ASCII bytes), length (u64), payload, CRC-32 of tag+length+payload (u32) |
//! | end | 4+8+4 | a section with tag `END.` and length 0 |
//!
//! A reader refuses, with an error naming what is wrong: a wrong magic, another version, a
//! section cut short, a checksum mismatch, a length beyond what remains, a missing `END.`.
//! Unknown tags are reported to the caller, which decides (a newer writer's optional section
//! may be skipped).

pub mod codec;
pub mod irq;
pub mod sections;
pub mod stream;
pub mod vcpu;

use thiserror::Error;

/// Magic bytes.
pub const MAGIC: &[u8; 8] = b"PAPRSNAP";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Tag of the end marker.
pub const END: [u8; 4] = *b"END.";
/// Largest section accepted (guest RAM of up to 16 TiB is sent in many sections).
pub const MAX_SECTION: u64 = 1 << 34;

/// Snapshot errors.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a papr snapshot.
    #[error("not a papr snapshot (magic {0:02x?}, expected \"PAPRSNAP\")")]
    BadMagic(Vec<u8>),
    /// Another format version.
    #[error("snapshot format version {found} is not supported (this papr reads version {FORMAT_VERSION})")]
    Version {
        /// The version in the file.
        found: u32,
    },
    /// Cut short.
    #[error("snapshot truncated at byte {offset}: {what}")]
    Truncated {
        /// Where.
        offset: usize,
        /// What was being read.
        what: String,
    },
    /// A checksum mismatch.
    #[error("section {tag} at byte {offset} is corrupted (CRC-32 {found:#010x}, expected {expected:#010x})")]
    Checksum {
        /// Section tag.
        tag: String,
        /// Where it starts.
        offset: usize,
        /// Stored CRC.
        found: u32,
        /// Computed CRC.
        expected: u32,
    },
    /// A section larger than allowed.
    #[error("section {tag} at byte {offset} claims {len} bytes (more than the file or the limit)")]
    TooLong {
        /// Section tag.
        tag: String,
        /// Where.
        offset: usize,
        /// Claimed length.
        len: u64,
    },
    /// No end marker.
    #[error("snapshot has no END. section: it is incomplete")]
    NoEnd,
    /// A section's payload is malformed.
    #[error("section {tag}: {what}")]
    Section {
        /// Section tag.
        tag: String,
        /// What is wrong.
        what: String,
    },
    /// The file or connection failed.
    #[error("{0}")]
    Io(String),
    /// The destination cannot host what the snapshot describes.
    #[error("cannot restore: {0}")]
    Incompatible(String),
}

/// One section read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<'a> {
    /// Its tag.
    pub tag: [u8; 4],
    /// Its payload.
    pub payload: &'a [u8],
}

impl Section<'_> {
    /// The tag as text.
    pub fn tag_str(&self) -> String {
        String::from_utf8_lossy(&self.tag).into_owned()
    }
}

/// Writes a snapshot.
#[derive(Debug)]
pub struct Writer {
    out: Vec<u8>,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

fn crc(tag: &[u8; 4], len: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(tag);
    h.update(&len.to_le_bytes());
    h.update(payload);
    h.finalize()
}

impl Writer {
    /// A new snapshot with its header.
    pub fn new() -> Self {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        Writer { out }
    }

    /// Appends a section.
    pub fn section(&mut self, tag: [u8; 4], payload: &[u8]) {
        let len = payload.len() as u64;
        self.out.extend_from_slice(&tag);
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(payload);
        self.out
            .extend_from_slice(&crc(&tag, len, payload).to_le_bytes());
    }

    /// Appends the end marker and returns the bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.section(END, &[]);
        self.out
    }
}

/// Reads a whole snapshot into its sections (every checksum verified, `END.` required).
pub fn read(bytes: &[u8]) -> Result<Vec<Section<'_>>, SnapshotError> {
    let magic = bytes.get(..8).ok_or_else(|| SnapshotError::Truncated {
        offset: 0,
        what: "the magic".into(),
    })?;
    if magic != MAGIC {
        return Err(SnapshotError::BadMagic(magic.to_vec()));
    }
    let version = bytes
        .get(8..12)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| SnapshotError::Truncated {
            offset: 8,
            what: "the version".into(),
        })?;
    if version != FORMAT_VERSION {
        return Err(SnapshotError::Version { found: version });
    }
    let mut at = 12usize;
    let mut out = Vec::new();
    loop {
        let Some(head) = bytes.get(at..at + 12) else {
            return Err(if at == bytes.len() {
                SnapshotError::NoEnd
            } else {
                SnapshotError::Truncated {
                    offset: at,
                    what: "a section header".into(),
                }
            });
        };
        let mut tag = [0u8; 4];
        tag.copy_from_slice(&head[..4]);
        let tag_s = String::from_utf8_lossy(&tag).into_owned();
        let mut lb = [0u8; 8];
        lb.copy_from_slice(&head[4..12]);
        let len = u64::from_le_bytes(lb);
        let remaining = (bytes.len() - at - 12) as u64;
        if len > MAX_SECTION || len.saturating_add(4) > remaining {
            return Err(if len > MAX_SECTION || len > remaining {
                SnapshotError::TooLong {
                    tag: tag_s,
                    offset: at,
                    len,
                }
            } else {
                SnapshotError::Truncated {
                    offset: at,
                    what: format!("the checksum of section {tag_s}"),
                }
            });
        }
        // Fits: len <= remaining, which fits usize.
        let n = usize::try_from(len).map_err(|_| SnapshotError::TooLong {
            tag: tag_s.clone(),
            offset: at,
            len,
        })?;
        let payload = &bytes[at + 12..at + 12 + n];
        let mut cb = [0u8; 4];
        cb.copy_from_slice(&bytes[at + 12 + n..at + 16 + n]);
        let found = u32::from_le_bytes(cb);
        let expected = crc(&tag, len, payload);
        if found != expected {
            return Err(SnapshotError::Checksum {
                tag: tag_s,
                offset: at,
                found,
                expected,
            });
        }
        at += 16 + n;
        if tag == END {
            return Ok(out);
        }
        out.push(Section { tag, payload });
    }
}
