//! The bytes of the index's own files: [`Bytes`], a file mapped or a buffer just written; and
//! records of LEB128 varints and length-prefixed UTF-8 strings, read by a [`Reader`] that
//! checks every length against what is left, so that damaged bytes give an error, never a
//! panic or a huge allocation.

use std::fs;
use std::io;
use std::ops::Deref;
use std::path::Path;

/// The bytes of a file of the index, mapped when read from disk, so that opening it reads only
/// what is asked for; owned when just computed.
pub(super) enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Bytes {
    /// The file at `path`, mapped.
    pub(super) fn map(path: &Path) -> io::Result<Bytes> {
        let file = fs::File::open(path)?;
        // Safety: a generation's files are written once, before it is published, and never
        // changed after; a file that changes under the map is outside what cuentas does.
        Ok(Bytes::Mapped(unsafe { memmap2::Mmap::map(&file)? }))
    }
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::Owned(Vec::new())
    }
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.len())
    }
}

/// Appends `n` as a LEB128 varint.
pub(super) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Takes a LEB128 varint off the front of `bytes`; `None` when they end first or it is too long.
pub(super) fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(n);
        }
    }
    None
}

/// Appends `s` as its length in bytes and its bytes.
pub(super) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

/// Appends `b` as its length and its bytes.
pub(super) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// The error of damaged bytes of `what` (`passage record`), saying how.
pub(super) fn damaged(what: &str, how: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("damaged {what}: {how}"))
}

/// The bytes of a record not read yet.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
    /// What the bytes hold, for errors.
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Reads `bytes`, which hold a `what` (named in errors).
    pub(super) fn new(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { rest: bytes, what }
    }

    /// The error of these bytes' damage, saying how.
    pub(super) fn damaged(&self, how: &str) -> io::Error {
        damaged(self.what, how)
    }

    /// How many bytes are left.
    pub(super) fn left(&self) -> usize {
        self.rest.len()
    }

    pub(super) fn byte(&mut self) -> io::Result<u8> {
        let (&b, rest) = self
            .rest
            .split_first()
            .ok_or_else(|| self.damaged("cut short"))?;
        self.rest = rest;
        Ok(b)
    }

    pub(super) fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let (head, rest) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or_else(|| self.damaged("cut short"))?;
        self.rest = rest;
        Ok(*head)
    }

    pub(super) fn varint(&mut self) -> io::Result<u64> {
        take_varint(&mut self.rest).ok_or_else(|| self.damaged("a number cut short or too long"))
    }

    /// A varint that must fit a `usize`.
    pub(super) fn size(&mut self) -> io::Result<usize> {
        usize::try_from(self.varint()?).map_err(|_| self.damaged("a number too large"))
    }

    pub(super) fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let len = self.varint()?;
        if len > self.rest.len() as u64 {
            return Err(self.damaged("cut short"));
        }
        let (head, rest) = self.rest.split_at(len as usize);
        self.rest = rest;
        Ok(head)
    }

    pub(super) fn string(&mut self) -> io::Result<String> {
        let bytes = self.bytes()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.damaged("text not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_string_longer_than_what_is_left_is_an_error() {
        let mut bytes = Vec::new();
        put_str(&mut bytes, "Manabí");
        bytes.pop();
        let err = Reader::new(&bytes, "test record")
            .string()
            .expect_err("cut");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("damaged test record"), "{err}");
    }

    proptest! {
        #[test]
        fn varints_read_back(n in any::<u64>()) {
            let mut bytes = Vec::new();
            put_varint(&mut bytes, n);
            prop_assert_eq!(Reader::new(&bytes, "test").varint().ok(), Some(n));
        }

        #[test]
        fn strings_read_back(s in ".{0,40}") {
            let mut bytes = Vec::new();
            put_str(&mut bytes, &s);
            let mut r = Reader::new(&bytes, "test");
            prop_assert_eq!(r.string().ok(), Some(s));
            prop_assert_eq!(r.left(), 0);
        }
    }
}
