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
pub const FORMAT_VERSION: u32 = 2;
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

/// Reads a whole snapshot held in memory into its sections (every checksum verified, `END.`
/// required): [`stream::SectionReader`] over the bytes.
pub fn read(bytes: &[u8]) -> Result<Vec<stream::OwnedSection>, SnapshotError> {
    let mut r = stream::SectionReader::new(bytes)?;
    let mut out = Vec::new();
    while let Some(s) = r.next_section()? {
        out.push(s);
    }
    Ok(out)
}
