//! The words of an index: every exact form of the text field made of letters only, with the
//! passages it is in over every segment, in one finite-state map.
//!
//! Spelling corrections and completions (`search::suggest`) look words up here: one search of
//! a map of words, where the term dictionaries hold stems and numbers besides and are searched
//! one segment at a time (at 1 GB, five Levenshtein searches of about 0.2 ms each).
//!
//! The file is the map as `tantivy_fst` writes it, after a header (little-endian):
//!
//! ```text
//! "CWW1" · CRC-32 of the map: u32 · the map
//! ```
//!
//! A missing or damaged file is not fatal: the words are then read from the segments when the
//! index is opened.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use tantivy::schema::Field;
use tantivy::Searcher;
use tantivy_fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};

use crate::analysis::{strip_exact, EXACT_MARK};

/// First bytes of the file, with the layout's version.
const MAGIC: &[u8; 4] = b"CWW1";

/// The index's words, each with the number of passages it is in.
#[derive(Default)]
pub struct Words {
    /// `None`: no word.
    map: Option<Map<Vec<u8>>>,
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Words").field("len", &self.len()).finish()
    }
}

impl Words {
    /// The exact forms of text field `body` in every segment of `searcher` that are words
    /// (letters only), each with the passages it is in.
    pub fn collect(searcher: &Searcher, body: Field) -> tantivy::Result<Words> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        // Folded words are lowercase: the marked terms before `a` are numbers and codes.
        let (first, past) = ([EXACT_MARK as u8, b'a'], [EXACT_MARK as u8 + 1]);
        for reader in searcher.segment_readers() {
            let inverted = reader.inverted_index(body)?;
            let mut terms = inverted.terms().range().ge(first).lt(past).into_stream()?;
            while terms.advance() {
                let word = std::str::from_utf8(terms.key()).ok().and_then(strip_exact);
                if let Some(word) = word.filter(|w| is_word(w)) {
                    *counts.entry(word.to_string()).or_default() +=
                        u64::from(terms.value().doc_freq);
                }
            }
        }
        Words::from_counts(counts).map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))
    }

    fn from_counts(counts: BTreeMap<String, u64>) -> io::Result<Words> {
        let mut builder = MapBuilder::memory();
        builder.extend_iter(counts).map_err(io::Error::other)?;
        let bytes = builder.into_inner().map_err(io::Error::other)?;
        let map = Map::from_bytes(bytes).map_err(io::Error::other)?;
        Ok(Words { map: Some(map) })
    }

    /// How many words there are.
    pub fn len(&self) -> usize {
        self.map.as_ref().map_or(0, Map::len)
    }

    /// Whether there is no word.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The passages `word` is in; 0 for a word the index lacks.
    pub fn passages(&self, word: &str) -> u64 {
        self.map.as_ref().and_then(|m| m.get(word)).unwrap_or(0)
    }

    /// The words that begin with `prefix`, in byte order, at most `limit`.
    pub fn with_prefix(&self, prefix: &str, limit: usize) -> Vec<(String, u64)> {
        let Some(map) = &self.map else {
            return Vec::new();
        };
        let mut stream = map.range().ge(prefix).into_stream();
        let mut found = Vec::new();
        while let Some((key, n)) = stream.next() {
            if !key.starts_with(prefix.as_bytes()) || found.len() >= limit {
                break;
            }
            if let Ok(word) = std::str::from_utf8(key) {
                found.push((word.to_string(), n));
            }
        }
        found
    }

    /// The words `automaton` accepts, in byte order, at most `limit`.
    pub fn matching<A: Automaton>(&self, automaton: A, limit: usize) -> Vec<(String, u64)> {
        let Some(map) = &self.map else {
            return Vec::new();
        };
        let mut stream = map.search(automaton).into_stream();
        let mut found = Vec::new();
        while let Some((key, n)) = stream.next() {
            if found.len() >= limit {
                break;
            }
            if let Ok(word) = std::str::from_utf8(key) {
                found.push((word.to_string(), n));
            }
        }
        found
    }

    /// Writes the words to `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let map = match &self.map {
            Some(map) => map.as_fst().to_vec(),
            None => MapBuilder::memory()
                .into_inner()
                .map_err(io::Error::other)?,
        };
        fs::write(path, encode(&map))
    }

    /// Reads words written by [`Words::write`].
    pub fn read(path: &Path) -> io::Result<Words> {
        decode(fs::read(path)?)
    }
}

/// Whether an exact form is a word: letters only.
fn is_word(form: &str) -> bool {
    !form.is_empty() && form.chars().all(char::is_alphabetic)
}

fn encode(map: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(map.len() + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&crc32fast::hash(map).to_le_bytes());
    out.extend_from_slice(map);
    out
}

fn decode(mut bytes: Vec<u8>) -> io::Result<Words> {
    let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("words: {why}"));
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(invalid("not a file of words"));
    }
    let crc = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    bytes.drain(..8);
    if crc32fast::hash(&bytes) != crc {
        return Err(invalid("damaged (checksum)"));
    }
    let map = Map::from_bytes(bytes).map_err(|e| invalid(&e.to_string()))?;
    Ok(Words { map: Some(map) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Words {
        let counts = [
            ("atencion", 7u64),
            ("atenciones", 2),
            ("ñandu", 1),
            ("salud", 40),
        ];
        Words::from_counts(counts.iter().map(|&(w, n)| (w.to_string(), n)).collect())
            .expect("builds")
    }

    #[test]
    fn words_read_back_as_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("words.fst");
        sample().write(&path).expect("writes");
        let words = Words::read(&path).expect("reads");
        assert_eq!(words.len(), 4);
        assert_eq!(words.passages("salud"), 40);
        assert_eq!(words.passages("ñandu"), 1);
        assert_eq!(words.passages("nada"), 0);
        assert_eq!(
            words.with_prefix("aten", 10),
            vec![("atencion".to_string(), 7), ("atenciones".to_string(), 2)]
        );
        assert_eq!(words.with_prefix("aten", 1).len(), 1);
        assert!(words.with_prefix("x", 10).is_empty());
    }

    #[test]
    fn an_index_without_words_reads_back_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("words.fst");
        Words::default().write(&path).expect("writes");
        let words = Words::read(&path).expect("reads");
        assert!(words.is_empty());
        assert_eq!(words.passages("salud"), 0);
        assert!(words.with_prefix("sa", 10).is_empty());
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let map = sample().map.expect("words").as_fst().to_vec();
        let bytes = encode(&map);
        for cut in 0..bytes.len() {
            assert!(decode(bytes[..cut].to_vec()).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x20;
            assert!(decode(flipped).is_err(), "byte {at} changed");
        }
        assert!(decode(bytes).is_ok());
    }

    #[test]
    fn only_words_of_letters_are_words() {
        assert!(is_word("atención"));
        assert!(is_word("ñandú"));
        assert!(!is_word("covid19"));
        assert!(!is_word("4803665"));
        assert!(!is_word(""));
    }
}
