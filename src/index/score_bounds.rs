//! Bounds of frequent terms' weighted scores, window by window of passages, kept when an index
//! is built.
//!
//! A query of several words scores every passage that holds them all, though only the best ten
//! make its page: at 1 GB, `seguro campesino` scores 50,000 passages. Pruning needs a bound of
//! what a passage may score before scoring it, and tantivy's block maxima bound the text score,
//! while a hit is ranked by its text score times its passage's weight (0.35 to 1, low for the
//! short passages whose text scores are highest): against weighted scores those bounds skip
//! almost nothing (BENCHMARKS.md, "block-max pruning of conjunctions, tried"). So the build
//! keeps its own: for every term of the text field in at least [`MIN_PASSAGES`] passages of a
//! segment, and every window of [`WINDOW`] passages, the most any passage of the window
//! weighs in that term's BM25 score, the weight included: `max (weight × tf / (tf + K(length)))`,
//! the part of the score that depends on the passage, rounded up to a 255th. A query
//! multiplies it by each term's own factor (`idf × (1 + k1) × boost`), adds the terms, and
//! knows that no passage of the window can score more (`search::bounded`).
//!
//! Beside it the build keeps, per window, the most times the term occurs in one passage of the
//! window: 0, 1, 2, or 3 and more, in two bits (at 1 GB, 97 % of the windows of kept terms hold
//! the term at most twice in any passage). A passage's weight and length are cheap to read where
//! its term frequencies are not (they are in the postings), so a query bounds a passage the
//! window's bound lets through with its own weight and length and the window's most
//! occurrences: the maxima of one window's terms come from different passages, a passage's own
//! bound does not.
//!
//! The factor `K` depends on the index's mean passage length, which the file records: a
//! searcher whose mean differs (another index) takes no bound from it.
//!
//! The file has the layout of `word_file`, with magic "CSB2" and the mean length (f32) after
//! it: a term's value is one byte per window of the segment, its bounds, then two bits per
//! window, its most occurrences, four windows a byte from the lowest bits. A file of magic
//! "CSB1" (before the occurrences were kept) is read as bounds alone.
//!
//! A missing or unreadable file only makes searches score every match.

use std::borrow::Cow;
use std::io;
use std::ops::Range;
use std::path::Path;

use tantivy::columnar::ColumnValues;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, Searcher, SegmentReader, Term};

use super::key::PassageKey;
use super::wire::Bytes;
use super::word_file::{self, BySegment};

/// Passages per window: a power of two, so that a passage's window is a shift of its number.
pub const WINDOW_BITS: u32 = 8;
/// Passages per window.
pub const WINDOW: u32 = 1 << WINDOW_BITS;

/// Terms in fewer passages of a segment than this keep no bounds: a query of them scores few
/// passages anyway.
pub const MIN_PASSAGES: u32 = 1_000;

/// BM25's parameters, as tantivy's `Bm25Weight` has them.
const K1: Score = 1.2;
const B: Score = 0.75;

/// First bytes of the file, with the layout's version.
const MAGIC: &[u8; 4] = b"CSB2";
/// The magic of a file of bounds without occurrences, as indexes before the occurrences were
/// kept have it.
const MAGIC_BOUNDS_ONLY: &[u8; 4] = b"CSB1";

/// The code of a window's most occurrences that says "this many or more": unknown.
const MANY: u8 = 3;

/// Bytes of the most occurrences of `windows` windows, two bits each.
fn occurrence_bytes(windows: usize) -> usize {
    windows.div_ceil(4)
}

/// The number of windows of a term's value of `len` bytes in a file of magic [`MAGIC`]: the
/// one number whose bounds and occurrences take `len` bytes, if any.
fn windows_of(len: usize) -> Option<usize> {
    // `w + ⌈w / 4⌉` bytes for `w` windows: `w` is `len` less a fifth of it, rounded up.
    let windows = len - len.div_ceil(5);
    (windows + occurrence_bytes(windows) == len).then_some(windows)
}

/// The most occurrences of every window (any count), packed two bits a window.
fn pack_occurrences(most: &[u32]) -> Vec<u8> {
    let mut out = vec![0u8; occurrence_bytes(most.len())];
    for (window, &n) in most.iter().enumerate() {
        let code = u8::try_from(n).unwrap_or(MANY).min(MANY);
        out[window / 4] |= code << (2 * (window % 4));
    }
    out
}

/// A term's bounds in one segment, window by window: what [`ScoreBounds::get`] and
/// [`term_now`] give.
#[derive(Clone, Debug, PartialEq)]
pub struct TermBounds<'a> {
    /// The bounds of every window, then, when known, the most occurrences in every window.
    bytes: Cow<'a, [u8]>,
    /// Whether `bytes` holds the occurrences.
    occurrences: bool,
    /// How many windows `bytes` covers.
    windows: usize,
}

impl<'a> TermBounds<'a> {
    /// Bounds of the layout of a term's value in a file of magic [`MAGIC`] (`occurrences`) or
    /// [`MAGIC_BOUNDS_ONLY`]. A value of no number of windows (damage) has none.
    fn new(bytes: Cow<'a, [u8]>, occurrences: bool) -> TermBounds<'a> {
        let windows = if occurrences {
            windows_of(bytes.len()).unwrap_or(0)
        } else {
            bytes.len()
        };
        TermBounds {
            bytes,
            occurrences,
            windows,
        }
    }

    /// The most any passage of window `window` weighs in the term's score, as a part of the
    /// term's factor: 1 (no bound) for a window past the last.
    #[inline]
    pub fn part(&self, window: usize) -> Score {
        match self.bytes.get(..self.windows).and_then(|b| b.get(window)) {
            Some(&byte) => part(byte),
            None => 1.0,
        }
    }

    /// The most times the term occurs in one passage of window `window`, 0 when no passage of
    /// it holds the term; `None` when unknown (a file without occurrences, a window past the
    /// last, or [`MANY`] times or more).
    #[inline]
    pub fn most_occurrences(&self, window: usize) -> Option<u8> {
        if !self.occurrences {
            return None;
        }
        if window >= self.windows {
            return None;
        }
        let byte = *self.bytes.get(self.windows + window / 4)?;
        let code = (byte >> (2 * (window % 4))) & MANY;
        (code < MANY).then_some(code)
    }
}

/// The window of passage `doc`.
#[inline]
pub fn window(doc: DocId) -> usize {
    (doc >> WINDOW_BITS) as usize
}

/// Bounds of frequent terms by segment and term: the bytes of their file, and where each
/// term's bounds are in them.
#[derive(Debug, Default)]
pub struct ScoreBounds {
    /// The mean length of a passage (tokens of the text field) the bounds were made with.
    mean_length: Score,
    bytes: Bytes,
    segments: BySegment<Range<usize>>,
    /// Whether each term's value holds its most occurrences after its bounds.
    occurrences: bool,
}

impl ScoreBounds {
    /// Computes the bounds of every segment of `searcher` for the terms of text field `body`
    /// in at least `min_passages` of its passages, the passages' weights read from fast field
    /// `key`.
    pub fn compute(
        searcher: &Searcher,
        body: Field,
        key: &str,
        min_passages: u32,
    ) -> tantivy::Result<ScoreBounds> {
        let mean_length = mean_length(searcher, body)?;
        let computed = word_file::each_segment(
            searcher.segment_readers().iter(),
            "bounding scores",
            |reader| {
                segment_bounds(reader, body, key, min_passages, mean_length)
                    .map(|terms| (reader.segment_id(), terms))
            },
        )?;
        let segments: BySegment<Box<[u8]>> = computed
            .into_iter()
            .filter(|(_, terms)| !terms.is_empty())
            .collect();
        ScoreBounds::decode(Bytes::Owned(encode(mean_length, &segments)))
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))
    }

    /// The bounds of `term` (the text of a term of the text field) in segment `segment`, one
    /// per window, when they are kept. They hold for a searcher whose mean length they [`fit`](Self::fits).
    pub fn get(&self, segment: SegmentId, term: &str) -> Option<TermBounds<'_>> {
        let at = self.segments.get(&segment)?.get(term)?;
        let bytes = self.bytes.get(at.clone())?;
        Some(TermBounds::new(Cow::Borrowed(bytes), self.occurrences))
    }

    /// Whether these bounds were made for passages whose mean length is `mean_length` (as
    /// [`mean_length`] gives it for a searcher).
    pub fn fits(&self, mean_length: Score) -> bool {
        !self.segments.is_empty() && mean_length == self.mean_length
    }

    /// How many terms have bounds, over every segment.
    pub fn len(&self) -> usize {
        self.segments.values().map(|t| t.len()).sum()
    }

    /// Whether no term has bounds.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the bounds to `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, &*self.bytes)
    }

    /// Reads where each term's bounds are in the file [`ScoreBounds::write`] wrote, mapped:
    /// the bounds themselves are read when a search asks for them.
    pub fn read(path: &Path) -> io::Result<ScoreBounds> {
        ScoreBounds::decode(Bytes::map(path)?)
    }

    fn decode(bytes: Bytes) -> io::Result<ScoreBounds> {
        let Some(split) = bytes.len().checked_sub(4) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "score bounds: the file ends too soon",
            ));
        };
        let mut mean = [0; 4];
        mean.copy_from_slice(&bytes[split..]);
        let occurrences = !bytes.starts_with(MAGIC_BOUNDS_ONLY);
        let magic = if occurrences {
            MAGIC
        } else {
            MAGIC_BOUNDS_ONLY
        };
        let segments = word_file::decode(&bytes[..split], magic, "score bounds", |r| {
            word_file::take_range(r, 1)
        })?;
        if occurrences
            && segments
                .values()
                .flat_map(|t| t.values())
                .any(|r| windows_of(r.len()).is_none())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "score bounds: a term's bounds and occurrences differ in number",
            ));
        }
        Ok(ScoreBounds {
            mean_length: f32::from_le_bytes(mean),
            bytes,
            segments,
            occurrences,
        })
    }
}

/// The bytes of the bounds of `segments`, made with passages of mean length `mean_length`.
fn encode(mean_length: Score, segments: &BySegment<Box<[u8]>>) -> Vec<u8> {
    let mut out = word_file::encode(MAGIC, segments, put_bounds);
    // The mean length goes last: the shared layout starts after the magic.
    out.extend_from_slice(&mean_length.to_le_bytes());
    out
}

/// Writes a term's value, its bounds and then its occurrences: the number of bytes, then the
/// bytes.
#[allow(clippy::borrowed_box)] // the shape `word_file::encode` asks of every value
fn put_bounds(out: &mut Vec<u8>, bounds: &Box<[u8]>) {
    word_file::put_u32(out, bounds.len());
    out.extend_from_slice(bounds);
}

/// The mean length of a passage of `searcher` in tokens of field `body`, as tantivy's BM25
/// computes it.
pub fn mean_length(searcher: &Searcher, body: Field) -> tantivy::Result<Score> {
    let mut tokens = 0u64;
    let mut docs = 0u64;
    for reader in searcher.segment_readers() {
        tokens += reader.inverted_index(body)?.total_num_tokens();
        docs += u64::from(reader.max_doc());
    }
    Ok(tokens as Score / docs as Score)
}

/// `K(length)` of BM25 for every fieldnorm id, as tantivy computes it.
pub fn length_factors(mean_length: Score) -> [Score; 256] {
    let mut factors = [0.0; 256];
    for (id, factor) in factors.iter_mut().enumerate() {
        let length = FieldNormReader::id_to_fieldnorm(id as u8);
        *factor = K1 * (1.0 - B + B * length as Score / mean_length);
    }
    factors
}

/// Terms in at most this many passages of a segment are bounded when a query asks for them, if
/// the index keeps no bounds of theirs: reading their postings costs a few microseconds.
pub const COMPUTED_PASSAGES: u32 = 4 * MIN_PASSAGES;

/// The bounds of `term` in segment `reader`, computed from its postings as the build computes
/// those it keeps, for passages whose mean length is `mean_length`; the passages' weights read
/// from fast field `key`. `None` when the segment lacks the term, holds it in more than
/// [`COMPUTED_PASSAGES`] passages, or keeps no lengths of its field.
///
/// A term too rare for the index to keep bounds is not rare in what it adds to a query: it
/// is rare, so its factor (its idf) is high, and counted whole in every window it would lift
/// every window's bound over the worst hit kept. `mora patronal` at 1 GB scored every match
/// for the plain term `patronal` (the word's other forms) in a few hundred passages.
pub fn term_now(
    reader: &SegmentReader,
    term: &Term,
    key: &str,
    mean_length: Score,
) -> tantivy::Result<Option<TermBounds<'static>>> {
    let inverted = reader.inverted_index(term.field())?;
    let Some(info) = inverted.get_term_info(term)? else {
        return Ok(None);
    };
    if info.doc_freq > COMPUTED_PASSAGES {
        return Ok(None);
    }
    let Some(mut bounder) = Bounder::new(reader, term.field(), key, mean_length)? else {
        return Ok(None);
    };
    let postings =
        inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
    Ok(Some(TermBounds::new(
        Cow::Owned(bounder.bounds(postings).into_vec()),
        true,
    )))
}

/// The bounds of one segment's frequent terms.
fn segment_bounds(
    reader: &SegmentReader,
    body: Field,
    key: &str,
    min_passages: u32,
    mean_length: Score,
) -> tantivy::Result<BySegmentTerms> {
    let Some(mut bounder) = Bounder::new(reader, body, key, mean_length)? else {
        return Ok(Default::default());
    };
    let inverted = reader.inverted_index(body)?;
    let mut terms = std::collections::HashMap::new();
    let mut stream = inverted.terms().stream()?;
    while stream.advance() {
        let info = stream.value();
        if info.doc_freq < min_passages {
            continue;
        }
        let Ok(text) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        let postings =
            inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        terms.insert(Box::<str>::from(text), bounder.bounds(postings));
    }
    Ok(terms)
}

type BySegmentTerms = std::collections::HashMap<Box<str>, Box<[u8]>>;

/// What bounding a segment's terms reads: its passages' lengths and weights.
struct Bounder {
    norms: FieldNormReader,
    keys: std::sync::Arc<dyn ColumnValues<u64>>,
    /// `K(length)` by fieldnorm id.
    factors: [Score; 256],
    windows: usize,
    /// Keys of a block of postings.
    packed: Vec<u64>,
}

impl Bounder {
    /// The bounder of text field `field` of segment `reader`, weights read from fast field
    /// `key`; `None` when the field keeps no lengths.
    fn new(
        reader: &SegmentReader,
        field: Field,
        key: &str,
        mean_length: Score,
    ) -> tantivy::Result<Option<Bounder>> {
        let Some(norms) = reader.fieldnorms_readers().get_field(field)? else {
            return Ok(None);
        };
        let column = reader.fast_fields().u64(key)?;
        Ok(Some(Bounder {
            norms,
            keys: column.first_or_default_col(PassageKey::default_packed()),
            factors: length_factors(mean_length),
            windows: window(reader.max_doc().saturating_sub(1)) + 1,
            packed: Vec::new(),
        }))
    }

    /// A term's bound in every window of the segment, then its most occurrences in one passage
    /// of every window, from its postings.
    fn bounds(&mut self, mut postings: BlockSegmentPostings) -> Box<[u8]> {
        let mut most = vec![0.0 as Score; self.windows];
        let mut occurrences = vec![0u32; self.windows];
        loop {
            let docs = postings.docs();
            if docs.is_empty() {
                break;
            }
            self.packed.resize(docs.len(), 0);
            self.keys.get_vals(docs, &mut self.packed);
            for ((&doc, &freq), &key) in docs.iter().zip(postings.freqs()).zip(&self.packed) {
                let tf = freq as Score;
                let length = self.factors[usize::from(self.norms.fieldnorm_id(doc))];
                let part = tf / (tf + length);
                let weighed = part * Score::from(PassageKey::unpack(key).weight) / 100.0;
                if let Some(m) = most.get_mut(window(doc)) {
                    *m = m.max(weighed);
                }
                if let Some(o) = occurrences.get_mut(window(doc)) {
                    *o = (*o).max(freq);
                }
            }
            postings.advance();
        }
        most.into_iter()
            .map(quantize_up)
            .chain(pack_occurrences(&occurrences))
            .collect()
    }
}

/// `part` (0 to 1) in 255ths, rounded up: never under it.
fn quantize_up(part: Score) -> u8 {
    if part <= 0.0 {
        return 0;
    }
    ((part * 255.0).floor() as u32 + 1).min(255) as u8
}

/// What a byte of bounds says: at most this part of a term's factor.
#[inline]
pub fn part(byte: u8) -> Score {
    Score::from(byte) / 255.0
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// Two terms: `jubil` in three windows (bounds, then most occurrences), `ñandú` in one.
    fn sample() -> (SegmentId, Vec<u8>) {
        let terms = HashMap::from([
            (
                "jubil".into(),
                [vec![0, 255, 17], pack_occurrences(&[0, 2, 3])]
                    .concat()
                    .into_boxed_slice(),
            ),
            (
                "\u{1}ñandú".into(),
                [vec![3], pack_occurrences(&[1])]
                    .concat()
                    .into_boxed_slice(),
            ),
        ]);
        let segment = SegmentId::generate_random();
        (segment, encode(31.25, &HashMap::from([(segment, terms)])))
    }

    /// What `bounds` says of windows 0 to 3: bound and most occurrences.
    fn windows(bounds: &TermBounds) -> Vec<(Score, Option<u8>)> {
        (0..4)
            .map(|w| (bounds.part(w), bounds.most_occurrences(w)))
            .collect()
    }

    #[test]
    fn bounds_read_back_as_written() {
        let (segment, bytes) = sample();
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("bounds.bin");
        std::fs::write(&path, &bytes).expect("write");
        for read in [
            ScoreBounds::decode(Bytes::Owned(bytes)).expect("reads"),
            ScoreBounds::read(&path).expect("reads the file"),
        ] {
            let jubil = read.get(segment, "jubil").expect("kept");
            // Past the last window, and at three occurrences or more, nothing is known.
            assert_eq!(
                windows(&jubil),
                [
                    (0.0, Some(0)),
                    (1.0, Some(2)),
                    (17.0 / 255.0, None),
                    (1.0, None)
                ]
            );
            let nandu = read.get(segment, "\u{1}ñandú").expect("kept");
            assert_eq!(windows(&nandu)[0], (3.0 / 255.0, Some(1)));
            assert!(read.get(segment, "jubi").is_none());
            assert!(read.get(SegmentId::generate_random(), "jubil").is_none());
            assert_eq!(read.mean_length, 31.25);
            assert_eq!(read.len(), 2);
        }
    }

    #[test]
    fn a_file_of_bounds_alone_reads_without_occurrences() {
        // The layout of an index built before occurrences were kept: one byte a window.
        let terms = HashMap::from([("jubil".into(), vec![0, 255, 17].into_boxed_slice())]);
        let segment = SegmentId::generate_random();
        let mut bytes = encode(31.25, &HashMap::from([(segment, terms)]));
        bytes[..4].copy_from_slice(MAGIC_BOUNDS_ONLY);
        let read = ScoreBounds::decode(Bytes::Owned(bytes)).expect("reads");
        let jubil = read.get(segment, "jubil").expect("kept");
        assert_eq!(
            windows(&jubil),
            [(0.0, None), (1.0, None), (17.0 / 255.0, None), (1.0, None)]
        );
    }

    #[test]
    fn bounds_without_as_many_occurrences_are_damage() {
        // Four windows take five bytes and five seven: no number of windows takes six.
        assert_eq!(windows_of(5), Some(4));
        assert_eq!(windows_of(7), Some(5));
        assert_eq!(windows_of(6), None);
        let terms = HashMap::from([("jubil".into(), vec![0; 6].into_boxed_slice())]);
        let bytes = encode(
            31.25,
            &HashMap::from([(SegmentId::generate_random(), terms)]),
        );
        assert!(ScoreBounds::decode(Bytes::Owned(bytes)).is_err());
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let (_, bytes) = sample();
        for cut in 0..bytes.len() {
            let cut = Bytes::Owned(bytes[..cut].to_vec());
            assert!(ScoreBounds::decode(cut).is_err());
        }
    }

    #[test]
    fn a_passage_falls_in_the_window_of_its_number() {
        assert_eq!(window(0), 0);
        assert_eq!(window(WINDOW - 1), 0);
        assert_eq!(window(WINDOW), 1);
        assert_eq!(window(5 * WINDOW + 3), 5);
    }

    proptest! {
        #[test]
        fn most_occurrences_read_back_up_to_two(most in proptest::collection::vec(0u32..6, 0..40)) {
            let parts = vec![7u8; most.len()];
            let bytes = [parts, pack_occurrences(&most)].concat();
            prop_assert_eq!(windows_of(bytes.len()), Some(most.len()));
            let bounds = TermBounds::new(Cow::Owned(bytes), true);
            for (window, &n) in most.iter().enumerate() {
                let known = u8::try_from(n).ok().filter(|&n| n < MANY);
                prop_assert_eq!(bounds.most_occurrences(window), known, "window {}", window);
                prop_assert_eq!(bounds.part(window), part(7));
            }
            prop_assert_eq!(bounds.most_occurrences(most.len()), None);
        }

        #[test]
        fn a_kept_bound_is_never_under_what_it_bounds(part in 0.0f32..1.0) {
            let byte = quantize_up(part);
            prop_assert!(super::part(byte) >= part, "{part} kept as {byte}");
            // and at most a 255th above it
            prop_assert!(super::part(byte) <= part + 1.0 / 255.0 + f32::EPSILON);
        }
    }
}
