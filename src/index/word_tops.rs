//! The best passages of frequent words, ranked once when an index is built.
//!
//! A query of one frequent word (`jubilados`, `Guayas`) takes its total and facets from the
//! counts the index keeps (`word_counts`), but its page of best hits still had to be ranked:
//! block-max WAND skips little there, because a hit's score is its text score times its
//! passage's weight, and every block of 128 passages holds some short heading whose text score
//! is high but whose weight is low. At 1 GB those rankings were about half of the query set's
//! work. Their best passages are the same for every unfiltered query of the word, so they are
//! ranked here once, as information retrieval's "champion lists" are, but complete: the
//! [`LISTED`] best of a segment by the query's own score, ties to the lower doc id, so that a
//! page within them is exactly the page the ranking would give.
//!
//! Which words: the exact (folded) forms in at least [`MIN_PASSAGES`] passages of a segment
//! (at most [`MAX_FORMS`]), and the words that name a year or a province of its reports (`los
//! rios` for a province of several), whose query's counts are kept.
//! How a word ranks is not this module's business: the build is handed a [`WordRanker`] (the
//! search core's own ranking of a query of that word), and keeps what it returns under the
//! word.
//!
//! The file has the layout of `word_file`, with magic "CWT1", a word's value being its best
//! passages: hits: u16 · (doc: u32, score: f32)….
//!
//! A missing or unreadable file only makes searches rank for themselves.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal};

use super::word_counts::{self, WordCounts};
use super::word_file::{self, BySegment, Reader};
use crate::analysis;

/// Best passages kept per word and segment: ten pages of ten hits. A page beyond them is
/// ranked at search time.
pub const LISTED: usize = 100;

/// Exact forms in fewer passages of a segment than this are ranked at search time.
pub const MIN_PASSAGES: u32 = 500;

/// Most exact forms ranked per segment, those in most passages first: each costs about a
/// search of it (0.5 to 1 ms at 1 GB), and a corpus of many words must not make its build
/// wait on them.
const MAX_FORMS: usize = 3_000;

/// First bytes of the file, with the layout's version.
const MAGIC: &[u8; 4] = b"CWT1";

/// A word's ranking in one segment: the key of its counts (`word_counts`), and its best
/// passages, best first (ties: the lower doc id), with their scores.
pub struct Ranking {
    /// Under which key `word_counts` keeps the counts of the word's query.
    pub counts_key: String,
    /// The best passages, at most [`LISTED`].
    pub best: Vec<(DocId, Score)>,
}

/// The ranking of a query of one word (folded, as the analyzer gives it) in a segment of a
/// searcher, when that query is one whose best passages can be kept and the counts of its key
/// are kept (the last argument says, for a key, whether they are): `None` for a word that
/// would not be searched alone as itself, or whose counts are not kept (it is not ranked).
pub type RankFn = dyn Fn(&Searcher, SegmentOrdinal, &str, &dyn Fn(&str) -> bool) -> tantivy::Result<Option<Ranking>>
    + Send
    + Sync;

/// What the search core tells a build of its queries: how it ranks a word, for
/// [`WordTops::rank`], and what a search of a province named by several words matches, for
/// `WordCounts::count_places`.
#[derive(Clone)]
pub struct WordRanker {
    /// Ranks a word.
    pub rank: Arc<RankFn>,
    /// The query of a province named by several words.
    pub place: Arc<word_counts::PlaceQueryFn>,
}

impl fmt::Debug for WordRanker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WordRanker")
    }
}

/// Best passages of frequent words by segment and word.
#[derive(Debug, Default)]
pub struct WordTops {
    segments: BySegment<Listed>,
}

/// A word's best passages in a segment, best first, with their scores.
type Listed = Box<[(DocId, Score)]>;

impl WordTops {
    /// The best passages of the query of `word` in segment `segment`, best first, when they
    /// were ranked: at most [`LISTED`], all its matches when fewer.
    pub fn get(&self, segment: SegmentId, word: &str) -> Option<&[(DocId, Score)]> {
        self.segments.get(&segment)?.get(word).map(|best| &**best)
    }

    /// Lists `best` as the best passages of `word` in segment `segment`.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, segment: SegmentId, word: &str, best: Vec<(DocId, Score)>) {
        self.segments
            .entry(segment)
            .or_default()
            .insert(word.into(), best.into_boxed_slice());
    }

    /// Whether `word`'s best passages are listed for any segment.
    pub fn holds(&self, word: &str) -> bool {
        self.segments.values().any(|words| words.contains_key(word))
    }

    /// How many words are ranked, over every segment.
    pub fn len(&self) -> usize {
        self.segments.values().map(HashMap::len).sum()
    }

    /// Whether no word is ranked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ranks, with `ranker`, in every segment of `searcher` without deleted passages, the
    /// frequent words of text field `body` and the words naming a year or a province of facet
    /// field `facets`, when `counts` holds the counts of their query: on `threads` threads.
    pub fn rank(
        searcher: &Searcher,
        (body, facets): (Field, Field),
        counts: &WordCounts,
        ranker: &WordRanker,
        threads: usize,
    ) -> tantivy::Result<WordTops> {
        let mut jobs: Vec<(SegmentOrdinal, String)> = Vec::new();
        let mut contexts = word_counts::context_words(searcher, facets)?;
        contexts.extend(word_counts::place_names(searcher, facets)?);
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            if reader.num_deleted_docs() > 0 || !counts.has_segment(reader.segment_id()) {
                continue;
            }
            let mut words = frequent_forms(reader.inverted_index(body)?.as_ref())?;
            words.extend(contexts.iter().cloned());
            words.sort_unstable();
            words.dedup();
            jobs.extend(words.into_iter().map(|w| (ord as SegmentOrdinal, w)));
        }
        let next = AtomicUsize::new(0);
        let found = Mutex::new(WordTops::default());
        let failed: Mutex<Option<tantivy::TantivyError>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..threads.max(1) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((ord, word)) = jobs.get(i) else {
                        break;
                    };
                    let segment = searcher.segment_reader(*ord).segment_id();
                    let counted = |key: &str| counts.get(segment, key).is_some();
                    match (ranker.rank)(searcher, *ord, word, &counted) {
                        Ok(Some(ranking)) if counted(&ranking.counts_key) => {
                            let mut best = ranking.best;
                            best.truncate(LISTED);
                            if let Ok(mut tops) = found.lock() {
                                tops.segments
                                    .entry(segment)
                                    .or_default()
                                    .insert(word.as_str().into(), best.into_boxed_slice());
                            }
                        }
                        Ok(_) => {}
                        Err(e) => {
                            if let Ok(mut failed) = failed.lock() {
                                failed.get_or_insert(e);
                            }
                            break;
                        }
                    }
                });
            }
        });
        if let Some(e) = failed.into_inner().ok().flatten() {
            return Err(e);
        }
        found.into_inner().map_err(|_| {
            tantivy::TantivyError::InternalError("ranking a segment's words failed".into())
        })
    }

    /// Writes the rankings to `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        word_file::write(path, MAGIC, &self.segments, put_listed)
    }

    /// Reads rankings written by [`WordTops::write`].
    pub fn read(path: &Path) -> io::Result<WordTops> {
        let segments = word_file::read(path, MAGIC, "word rankings", take_listed)?;
        Ok(WordTops { segments })
    }
}

/// One word's best passages, after the word: their number (u16), then each doc (u32) and
/// score (f32).
fn put_listed(out: &mut Vec<u8>, best: &Listed) {
    out.extend_from_slice(&(best.len() as u16).to_le_bytes());
    for &(doc, score) in best.iter() {
        out.extend_from_slice(&doc.to_le_bytes());
        out.extend_from_slice(&score.to_le_bytes());
    }
}

/// Reads what [`put_listed`] wrote.
fn take_listed(r: &mut Reader) -> io::Result<Listed> {
    let hits = usize::from(r.u16()?);
    if hits > LISTED {
        return Err(r.invalid("more hits than are kept"));
    }
    let mut best = Vec::with_capacity(hits);
    for _ in 0..hits {
        let doc = r.u32()?;
        let score = f32::from_bits(r.u32()?);
        best.push((doc, score));
    }
    Ok(best.into_boxed_slice())
}

/// The exact forms of text field `inverted` found in at least [`MIN_PASSAGES`] passages: the
/// [`MAX_FORMS`] found in most.
fn frequent_forms(inverted: &tantivy::InvertedIndexReader) -> tantivy::Result<Vec<String>> {
    let mut forms = Vec::new();
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        let passages = terms.value().doc_freq;
        if passages < MIN_PASSAGES {
            continue;
        }
        let Ok(text) = std::str::from_utf8(terms.key()) else {
            continue;
        };
        if let Some(word) = analysis::strip_exact(text) {
            forms.push((passages, word.to_string()));
        }
    }
    forms.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    forms.truncate(MAX_FORMS);
    Ok(forms.into_iter().map(|(_, word)| word).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> WordTops {
        let id = SegmentId::generate_random();
        let words = HashMap::from([
            (
                "jubilados".into(),
                vec![(7, 12.5), (3, 11.0), (90, 11.0)].into_boxed_slice(),
            ),
            ("ñandú".into(), Vec::new().into_boxed_slice()),
        ]);
        WordTops {
            segments: HashMap::from([(id, words)]),
        }
    }

    fn to_bytes(tops: &WordTops) -> Vec<u8> {
        word_file::encode(MAGIC, &tops.segments, put_listed)
    }

    fn from_bytes(bytes: &[u8]) -> io::Result<WordTops> {
        let segments = word_file::decode(bytes, MAGIC, "word rankings", take_listed)?;
        Ok(WordTops { segments })
    }

    #[test]
    fn rankings_read_back_as_written() {
        let tops = sample();
        let read = from_bytes(&to_bytes(&tops)).expect("reads");
        assert_eq!(read.segments, tops.segments);
        assert_eq!(read.len(), 2);
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let bytes = to_bytes(&sample());
        for cut in 0..bytes.len() {
            assert!(from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes;
        longer.push(0);
        assert!(from_bytes(&longer).is_err());
    }
}
