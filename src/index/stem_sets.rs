//! The passages of a segment's most frequent stems, as sets of bits, kept when an index is
//! built.
//!
//! A query of several words walks the passages that hold them all, word by word: the rarest
//! word leads, and every other is sought at each of its passages. A frequent word is sought in
//! its postings, block by compressed block, though it is in one passage of sixteen or more: at
//! 1 GB about a third of the time of those queries went to seeking postings. A set of one bit
//! per passage answers "is it here, or where next" with a load and a count of zeros, so the
//! build keeps one for every stem in at least a [`DENSITY`]th of a segment's passages (and
//! [`MIN_PASSAGES`]): the union of the passages of its plain and its marked term, which are
//! the passages a word of that stem matches (`search::word`). Postings are then read only for
//! the passages a query scores.
//!
//! The file has the layout of `word_file`, with magic "CSS1": a stem's value is its set, as
//! words: u32 · u64 little-endian….
//!
//! A missing or unreadable file only makes searches seek postings.

use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tantivy::index::SegmentId;
use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SeekDangerResult, SegmentReader, TERMINATED};

use super::schema::stem_terms;
use super::wire::Bytes;
use super::word_counts;
use super::word_file::{self, BySegment};

/// Stems in fewer than this part of a segment's passages keep no set: a set takes a bit per
/// passage, so below it the set outweighs the postings it stands for.
pub const DENSITY: u32 = 16;

/// Nor do stems in fewer passages than this, whatever the segment's size: a small segment is
/// searched fast anyway.
pub const MIN_PASSAGES: u32 = 2_000;

/// First bytes of the file, with the layout's version.
const MAGIC: &[u8; 4] = b"CSS1";

/// The passages of a stem in one segment: a bit per passage, set where the stem is.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    words: Arc<[u64]>,
    len: u32,
}

impl Set {
    /// The set of `docs` (ascending or not), for a segment of `max_doc` passages.
    pub(crate) fn of(docs: impl Iterator<Item = DocId>, max_doc: DocId) -> Set {
        let mut words = vec![0u64; (max_doc as usize).div_ceil(64)];
        for doc in docs {
            if let Some(w) = words.get_mut(doc as usize / 64) {
                *w |= 1 << (doc % 64);
            }
        }
        Set::from_words(words.into())
    }

    fn from_words(words: Arc<[u64]>) -> Set {
        let len = words.iter().map(|w| w.count_ones()).sum();
        Set { words, len }
    }

    /// How many passages are in the set.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether no passage is in the set.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The set's passages in order, as a `DocSet`.
    pub fn docs(&self) -> SetDocs {
        let mut docs = SetDocs {
            words: self.words.clone(),
            len: self.len,
            doc: 0,
        };
        docs.doc = docs.first_from(0);
        docs
    }
}

/// The passages of a [`Set`] in order.
#[derive(Debug, Clone)]
pub struct SetDocs {
    words: Arc<[u64]>,
    len: u32,
    doc: DocId,
}

impl SetDocs {
    /// The first passage of the set at or past `target`, or `TERMINATED`.
    #[inline]
    fn first_from(&self, target: DocId) -> DocId {
        let mut at = target as usize / 64;
        let Some(&first) = self.words.get(at) else {
            return TERMINATED;
        };
        let mut bits = first & (!0u64 << (target % 64));
        while bits == 0 {
            at += 1;
            match self.words.get(at) {
                Some(&w) => bits = w,
                None => return TERMINATED,
            }
        }
        (at * 64) as DocId + bits.trailing_zeros()
    }
}

impl DocSet for SetDocs {
    #[inline]
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc && self.doc != TERMINATED {
            self.doc = self.first_from(target);
        }
        self.doc
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.doc
    }

    /// Whether `target` is in the set, by its bit alone: a conjunction asks this of every
    /// passage its rarer words lead it to. On a miss the next passage is not looked for
    /// (`target + 1` is a lower bound of it), and the set stays where it was until a hit.
    #[inline]
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let held = self
            .words
            .get(target as usize / 64)
            .is_some_and(|w| w & (1 << (target % 64)) != 0);
        if held {
            self.doc = target;
            SeekDangerResult::Found
        } else if target as usize >= self.words.len() * 64 {
            SeekDangerResult::SeekLowerBound(TERMINATED)
        } else {
            SeekDangerResult::SeekLowerBound(target + 1)
        }
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

/// The sets of frequent stems by segment and stem: the bytes of their file, where each set is
/// in them, and each set once read.
#[derive(Debug, Default)]
pub struct StemSets {
    bytes: Bytes,
    segments: BySegment<Kept>,
}

/// A set of the file: where its words are, and the set once a search has read it.
#[derive(Debug)]
struct Kept {
    at: Range<usize>,
    set: OnceLock<Set>,
}

impl StemSets {
    /// Computes, in every segment of `searcher`, the set of every stem of text field `body`
    /// in at least a [`DENSITY`]th of the segment's passages and `min_passages`.
    pub fn compute(
        searcher: &Searcher,
        body: Field,
        min_passages: u32,
    ) -> tantivy::Result<StemSets> {
        let computed = word_file::each_segment(
            searcher.segment_readers().iter(),
            "keeping the sets of frequent stems",
            |reader| {
                segment_sets(reader, body, min_passages).map(|sets| (reader.segment_id(), sets))
            },
        )?;
        let segments: BySegment<Set> = computed
            .into_iter()
            .filter(|(_, sets)| !sets.is_empty())
            .collect();
        StemSets::decode(Bytes::Owned(word_file::encode(MAGIC, &segments, put_set)))
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))
    }

    /// The passages of `stem` in segment `segment`, when a set of them is kept.
    pub fn get(&self, segment: SegmentId, stem: &str) -> Option<&Set> {
        let kept = self.segments.get(&segment)?.get(stem)?;
        Some(
            kept.set
                .get_or_init(|| set_of(&self.bytes[kept.at.clone()])),
        )
    }

    /// Keeps `set` as the passages of `stem` in segment `segment`.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, segment: SegmentId, stem: &str, set: Set) {
        self.segments.entry(segment).or_default().insert(
            stem.into(),
            Kept {
                at: 0..0,
                set: OnceLock::from(set),
            },
        );
    }

    /// How many sets are kept, over every segment.
    pub fn len(&self) -> usize {
        self.segments.values().map(HashMap::len).sum()
    }

    /// Whether no set is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the sets to `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, &*self.bytes)
    }

    /// Reads where each set is in the file [`StemSets::write`] wrote, mapped: a set itself is
    /// read when a search first asks for it.
    pub fn read(path: &Path) -> io::Result<StemSets> {
        StemSets::decode(Bytes::map(path)?)
    }

    fn decode(bytes: Bytes) -> io::Result<StemSets> {
        let segments = word_file::decode(&bytes, MAGIC, "stem sets", |r| {
            Ok(Kept {
                at: word_file::take_range(r, 8)?,
                set: OnceLock::new(),
            })
        })?;
        Ok(StemSets { bytes, segments })
    }
}

/// [`StemSets`] read from their file when a search first needs them: a search of one word
/// never does.
#[derive(Debug)]
pub struct LazyStemSets {
    path: PathBuf,
    sets: OnceLock<StemSets>,
}

impl LazyStemSets {
    /// The sets of file `path`, not read yet.
    pub fn new(path: PathBuf) -> LazyStemSets {
        LazyStemSets {
            path,
            sets: OnceLock::new(),
        }
    }

    /// Sets already read.
    #[cfg(test)]
    pub(crate) fn loaded(sets: StemSets) -> LazyStemSets {
        LazyStemSets {
            path: PathBuf::new(),
            sets: OnceLock::from(sets),
        }
    }

    /// The sets, read on the first call; none when the file is missing or unreadable.
    pub fn get(&self) -> &StemSets {
        self.sets
            .get_or_init(|| StemSets::read(&self.path).unwrap_or_default())
    }
}

/// Writes a set: its number of words, then each.
fn put_set(out: &mut Vec<u8>, set: &Set) {
    word_file::put_u32(out, set.words.len());
    for w in set.words.iter() {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

/// The set whose words [`put_set`] wrote as `bytes`.
fn set_of(bytes: &[u8]) -> Set {
    let words: Arc<[u64]> = bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0; 8];
            b.copy_from_slice(c);
            u64::from_le_bytes(b)
        })
        .collect();
    Set::from_words(words)
}

/// The sets of one segment's frequent stems.
fn segment_sets(
    reader: &SegmentReader,
    body: Field,
    min_passages: u32,
) -> tantivy::Result<HashMap<Box<str>, Set>> {
    let max_doc = reader.max_doc();
    let least = min_passages.max(max_doc / DENSITY).max(1);
    let inverted = reader.inverted_index(body)?;
    let stems = word_counts::stems_in_at_least(&inverted, least)?;
    let mut sets = HashMap::new();
    for stem in stems {
        let mut docs = Vec::new();
        for term in stem_terms(body, &stem) {
            if let Some(postings) = inverted.read_block_postings(&term, IndexRecordOption::Basic)? {
                all_docs(postings, &mut docs);
            }
        }
        let set = Set::of(docs.into_iter(), max_doc);
        if set.len() >= least {
            sets.insert(stem.into_boxed_str(), set);
        }
    }
    Ok(sets)
}

/// Appends every passage of `postings` to `docs`.
fn all_docs(mut postings: BlockSegmentPostings, docs: &mut Vec<DocId>) {
    while !postings.docs().is_empty() {
        docs.extend_from_slice(postings.docs());
        postings.advance();
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn a_set_walks_and_seeks_as_its_sorted_passages(
            mut docs in proptest::collection::vec(0u32..700, 0..200),
            targets in proptest::collection::vec(0u32..800, 0..20),
        ) {
            let set = Set::of(docs.iter().copied(), 700);
            docs.sort_unstable();
            docs.dedup();
            prop_assert_eq!(set.len() as usize, docs.len());
            let mut walked = Vec::new();
            let mut it = set.docs();
            while it.doc() != TERMINATED {
                walked.push(it.doc());
                it.advance();
            }
            prop_assert_eq!(&walked, &docs);
            let mut sorted = targets.clone();
            sorted.sort_unstable();
            let mut it = set.docs();
            for &t in &sorted {
                let expected = docs.iter().copied().find(|&d| d >= t.max(it.doc())).unwrap_or(TERMINATED);
                let got = it.seek(t);
                prop_assert_eq!(got, expected, "seek {}", t);
            }
            // Sought by a conjunction, targets strictly increasing: found where the set holds
            // them, else a lower bound of the next passage, past the target.
            sorted.dedup();
            let mut it = set.docs();
            for &t in &sorted {
                let next = docs.iter().copied().find(|&d| d >= t).unwrap_or(TERMINATED);
                match it.seek_danger(t) {
                    SeekDangerResult::Found => {
                        prop_assert_eq!(next, t);
                        prop_assert_eq!(it.doc(), t);
                    }
                    SeekDangerResult::SeekLowerBound(bound) => {
                        prop_assert!(next != t, "{} missed", t);
                        prop_assert!(bound > t && (bound <= next || bound == TERMINATED), "{} gave {}", t, bound);
                    }
                }
            }
        }
    }

    #[test]
    fn sets_read_back_as_written_and_a_damaged_file_is_an_error() {
        let jubil = Set::of([1, 64, 65, 300].into_iter(), 301);
        let empty = Set::of(std::iter::empty(), 10);
        let segment = SegmentId::generate_random();
        let stems = HashMap::from([
            ("jubil".into(), jubil.clone()),
            ("ñand".into(), empty.clone()),
        ]);
        let bytes = word_file::encode(MAGIC, &HashMap::from([(segment, stems)]), put_set);
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("sets.bin");
        std::fs::write(&path, &bytes).expect("write");
        for read in [
            StemSets::decode(Bytes::Owned(bytes.clone())).expect("reads"),
            StemSets::read(&path).expect("reads the file"),
        ] {
            assert_eq!(read.len(), 2);
            assert_eq!(read.get(segment, "jubil"), Some(&jubil));
            assert_eq!(read.get(segment, "jubil"), Some(&jubil), "read once, kept");
            assert_eq!(read.get(segment, "ñand"), Some(&empty));
            assert_eq!(read.get(segment, "jub"), None);
        }
        for cut in 0..bytes.len() {
            let cut = Bytes::Owned(bytes[..cut].to_vec());
            assert!(StemSets::decode(cut).is_err());
        }
    }
}
