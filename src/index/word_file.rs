//! The layout `word_counts` and `word_tops` share: per segment, a value per word.
//!
//! ```text
//! magic (4 bytes) · segments: u32 · per segment: id (32 hex bytes) · words: u32 · per word:
//!   word length: u16 · word · the value, in its file's own layout
//! ```
//!
//! Integers are little-endian. Segments and words are written in order, so that one index
//! always writes the same bytes.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::Path;

use tantivy::index::SegmentId;
use tantivy::SegmentReader;

/// A value per word, per segment.
pub(super) type BySegment<V> = HashMap<SegmentId, HashMap<Box<str>, V>>;

/// `compute` of every segment of `readers`, side by side, each on a thread of its own (an
/// index has few segments); `what` names the work in the error of a thread that failed.
pub(super) fn each_segment<'r, T: Send>(
    readers: impl Iterator<Item = &'r SegmentReader>,
    what: &str,
    compute: impl Fn(&'r SegmentReader) -> tantivy::Result<T> + Sync,
) -> tantivy::Result<Vec<T>> {
    std::thread::scope(|scope| {
        let compute = &compute;
        let jobs: Vec<_> = readers
            .map(|reader| scope.spawn(move || compute(reader)))
            .collect();
        jobs.into_iter()
            .map(|job| {
                job.join().unwrap_or_else(|_| {
                    Err(tantivy::TantivyError::InternalError(format!(
                        "{what} failed in a segment"
                    )))
                })
            })
            .collect()
    })
}

/// Writes `segments` to `path` after `magic`, each value by `put`.
pub(super) fn write<V>(
    path: &Path,
    magic: &[u8; 4],
    segments: &BySegment<V>,
    put: impl Fn(&mut Vec<u8>, &V),
) -> io::Result<()> {
    fs::write(path, encode(magic, segments, put))
}

/// Reads what [`write`] wrote, each value by `take`; `what` the file holds names its errors.
pub(super) fn read<V>(
    path: &Path,
    magic: &[u8; 4],
    what: &'static str,
    take: impl FnMut(&mut Reader) -> io::Result<V>,
) -> io::Result<BySegment<V>> {
    decode(&fs::read(path)?, magic, what, take)
}

pub(super) fn encode<V>(
    magic: &[u8; 4],
    segments: &BySegment<V>,
    put: impl Fn(&mut Vec<u8>, &V),
) -> Vec<u8> {
    let mut out = magic.to_vec();
    let mut segments: Vec<_> = segments.iter().collect();
    segments.sort_by_key(|(id, _)| id.uuid_string());
    put_u32(&mut out, segments.len());
    for (id, words) in segments {
        out.extend_from_slice(id.uuid_string().as_bytes());
        let mut words: Vec<_> = words.iter().collect();
        words.sort_by_key(|(word, _)| *word);
        put_u32(&mut out, words.len());
        for (word, value) in words {
            out.extend_from_slice(&(word.len() as u16).to_le_bytes());
            out.extend_from_slice(word.as_bytes());
            put(&mut out, value);
        }
    }
    out
}

pub(super) fn decode<V>(
    bytes: &[u8],
    magic: &[u8; 4],
    what: &'static str,
    mut take: impl FnMut(&mut Reader) -> io::Result<V>,
) -> io::Result<BySegment<V>> {
    let mut r = Reader { bytes, at: 0, what };
    if r.take(magic.len())? != magic {
        return Err(r.invalid(&format!("not a file of {what}")));
    }
    let mut segments = HashMap::new();
    for _ in 0..r.u32()? {
        let id = std::str::from_utf8(r.take(32)?)
            .ok()
            .and_then(|s| SegmentId::from_uuid_string(s).ok())
            .ok_or_else(|| r.invalid("bad segment id"))?;
        let mut words = HashMap::new();
        for _ in 0..r.u32()? {
            let len = usize::from(r.u16()?);
            let word: Box<str> = std::str::from_utf8(r.take(len)?)
                .map_err(|_| r.invalid("a word is not UTF-8"))?
                .into();
            words.insert(word, take(&mut r)?);
        }
        segments.insert(id, words);
    }
    if r.at != bytes.len() {
        return Err(r.invalid("bytes after the last segment"));
    }
    Ok(segments)
}

/// Takes a value written as its length (u32) and its bytes, giving where they are.
pub(super) fn take_range(r: &mut Reader, unit: usize) -> io::Result<Range<usize>> {
    let n = (r.u32()? as usize)
        .checked_mul(unit)
        .ok_or_else(|| r.invalid("a value too long"))?;
    let start = r.at;
    r.take(n)?;
    Ok(start..start + n)
}

pub(super) fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n.min(u32::MAX as usize) as u32).to_le_bytes());
}

/// Reads a file's numbers in turn; running out of bytes is an error.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// What the file holds, to name its errors.
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// An error of the file's contents.
    pub(super) fn invalid(&self, reason: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {reason}", self.what),
        )
    }

    pub(super) fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.invalid("the file ends too soon"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    pub(super) fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn u16(&mut self) -> io::Result<u16> {
        let mut b = [0; 2];
        b.copy_from_slice(self.take(2)?);
        Ok(u16::from_le_bytes(b))
    }

    pub(super) fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }
}
