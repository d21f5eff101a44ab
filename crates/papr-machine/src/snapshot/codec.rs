//! The byte encoding inside snapshot sections: little-endian integers, length-prefixed byte
//! strings, written by [`Enc`] and read back by [`Dec`], whose every getter checks what is
//! left and names the section and the field when the payload is short or malformed.

use super::SnapshotError;

/// Builds a section payload.
#[derive(Debug, Default, Clone)]
pub struct Enc {
    out: Vec<u8>,
}

impl Enc {
    /// An empty payload.
    pub fn new() -> Self {
        Self::default()
    }
    /// Appends a byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.out.push(v);
        self
    }
    /// Appends a bool (one byte, 0 or 1).
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(u8::from(v))
    }
    /// Appends a u16.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a u32.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a u64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a u128.
    pub fn u128(&mut self, v: u128) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends an optional u64 (a presence byte, then the value if present).
    pub fn opt_u64(&mut self, v: Option<u64>) -> &mut Self {
        match v {
            Some(x) => self.u8(1).u64(x),
            None => self.u8(0),
        }
    }
    /// Appends a byte string (u64 length, then the bytes).
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u64(v.len() as u64);
        self.out.extend_from_slice(v);
        self
    }
    /// Appends a UTF-8 string (as [`Enc::bytes`]).
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }
    /// Appends raw bytes without a length.
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.out.extend_from_slice(v);
        self
    }
    /// The payload.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
    /// The payload so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.out
    }
}

/// Reads a section payload.
#[derive(Debug, Clone)]
pub struct Dec<'a> {
    tag: &'static str,
    data: &'a [u8],
    at: usize,
}

impl<'a> Dec<'a> {
    /// A reader over `data`, the payload of section `tag` (named in errors).
    pub fn new(tag: &'static str, data: &'a [u8]) -> Self {
        Dec { tag, data, at: 0 }
    }

    /// An error for this section.
    pub fn err(&self, what: impl Into<String>) -> SnapshotError {
        SnapshotError::Section {
            tag: self.tag.into(),
            what: what.into(),
        }
    }

    /// Takes `n` raw bytes.
    pub fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], SnapshotError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(self.err(format!(
                "payload ends at byte {} while reading {field} ({n} bytes needed, {} left)",
                self.at,
                self.data.len() - self.at
            )));
        };
        let s = &self.data[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn arr<const N: usize>(&mut self, field: &str) -> Result<[u8; N], SnapshotError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, field)?);
        Ok(a)
    }

    /// A byte.
    pub fn u8(&mut self, field: &str) -> Result<u8, SnapshotError> {
        Ok(self.arr::<1>(field)?[0])
    }
    /// A bool (0 or 1; anything else is an error).
    pub fn bool(&mut self, field: &str) -> Result<bool, SnapshotError> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.err(format!("{field}: {v} is not a boolean"))),
        }
    }
    /// A u16.
    pub fn u16(&mut self, field: &str) -> Result<u16, SnapshotError> {
        Ok(u16::from_le_bytes(self.arr(field)?))
    }
    /// A u32.
    pub fn u32(&mut self, field: &str) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.arr(field)?))
    }
    /// A u64.
    pub fn u64(&mut self, field: &str) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(self.arr(field)?))
    }
    /// A u128.
    pub fn u128(&mut self, field: &str) -> Result<u128, SnapshotError> {
        Ok(u128::from_le_bytes(self.arr(field)?))
    }
    /// An optional u64.
    pub fn opt_u64(&mut self, field: &str) -> Result<Option<u64>, SnapshotError> {
        Ok(if self.bool(field)? {
            Some(self.u64(field)?)
        } else {
            None
        })
    }
    /// A count of items that each take at least `min_item` bytes: refused if the payload
    /// cannot hold that many (so a hostile count never makes a huge allocation).
    pub fn count(&mut self, field: &str, min_item: usize) -> Result<usize, SnapshotError> {
        let n = self.u64(field)?;
        let left = (self.data.len() - self.at) as u64;
        if n.saturating_mul(min_item.max(1) as u64) > left {
            return Err(self.err(format!(
                "{field}: {n} items cannot fit in the {left} bytes left"
            )));
        }
        usize::try_from(n).map_err(|_| self.err(format!("{field}: {n} items")))
    }
    /// A byte string.
    pub fn bytes(&mut self, field: &str) -> Result<&'a [u8], SnapshotError> {
        let n = self.count(field, 1)?;
        self.take(n, field)
    }
    /// A UTF-8 string.
    pub fn str(&mut self, field: &str) -> Result<&'a str, SnapshotError> {
        let b = self.bytes(field)?;
        std::str::from_utf8(b).map_err(|_| self.err(format!("{field} is not UTF-8")))
    }
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.at
    }
    /// The rest of the payload.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.data[self.at..];
        self.at = self.data.len();
        s
    }
    /// Requires that the whole payload was consumed.
    pub fn end(&self) -> Result<(), SnapshotError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(self.err(format!(
                "{} unexpected bytes after the last field",
                self.remaining()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_short_payloads() {
        let mut e = Enc::new();
        e.u8(7)
            .bool(true)
            .u16(0x1234)
            .u32(0xdead_beef)
            .u64(u64::MAX - 1)
            .u128(1 << 100)
            .opt_u64(Some(5))
            .opt_u64(None)
            .str("hvc0");
        let p = e.finish();
        let mut d = Dec::new("TEST", &p);
        assert_eq!(d.u8("a").unwrap(), 7);
        assert!(d.bool("b").unwrap());
        assert_eq!(d.u16("c").unwrap(), 0x1234);
        assert_eq!(d.u32("d").unwrap(), 0xdead_beef);
        assert_eq!(d.u64("e").unwrap(), u64::MAX - 1);
        assert_eq!(d.u128("f").unwrap(), 1 << 100);
        assert_eq!(d.opt_u64("g").unwrap(), Some(5));
        assert_eq!(d.opt_u64("h").unwrap(), None);
        assert_eq!(d.str("i").unwrap(), "hvc0");
        d.end().unwrap();
        for cut in 0..p.len() {
            let mut d = Dec::new("TEST", &p[..cut]);
            let r = (|| {
                d.u8("a")?;
                d.bool("b")?;
                d.u16("c")?;
                d.u32("d")?;
                d.u64("e")?;
                d.u128("f")?;
                d.opt_u64("g")?;
                d.opt_u64("h")?;
                d.str("i")?;
                Ok::<_, SnapshotError>(())
            })();
            assert!(matches!(r, Err(SnapshotError::Section { .. })), "cut {cut}");
        }
    }

    #[test]
    fn hostile_counts_are_refused_before_allocating() {
        let mut e = Enc::new();
        e.u64(u64::MAX);
        let p = e.finish();
        let mut d = Dec::new("TEST", &p);
        assert!(d.count("n", 16).is_err());
        // A byte string claiming 2 bytes with 1 left.
        let mut d = Dec::new("TEST", &[2, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert!(d.bytes("s").is_err());
        let mut d = Dec::new("TEST", &[2]);
        assert!(d.bool("x").is_err());
    }
}
