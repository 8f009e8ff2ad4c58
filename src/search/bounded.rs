//! Ranking a conjunction of words without scoring the passages that cannot make the page.
//!
//! A query of several words matches the passages that hold them all, and each must be counted
//! for the total and the facets; but only those that may beat the worst hit kept need a score.
//! The index keeps, for its frequent terms and each window of passages, a bound of what any
//! passage of the window weighs in the term's score, the passage's ranking weight included
//! (`index::score_bounds`). Multiplied by each term's factor and added up over the query's
//! terms, it bounds the weighted score of every passage of the window: a window whose bound is
//! not above the worst hit kept has its matches counted and not scored. The page is the one
//! scoring every match gives, to the bit: a passage skipped could at best tie the worst hit
//! kept, and on a tie the earlier passage, kept, wins.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Bm25Weight, EnableScoring, Query};
use tantivy::schema::Field;
use tantivy::{Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use super::cancel::{walk, Cancel};
use super::collect::{key_column, Collected, Passages};
use super::word::Boosted;
use crate::index::score_bounds::{self, ScoreBounds};

/// Room left for the rounding of a score's sum, its weighting and its factors: a bound is
/// raised by this part, and by [`ROOM_ABSOLUTE`].
const ROOM: Score = 1e-3;
/// Room left, in score, beside [`ROOM`]: for bounds near zero.
const ROOM_ABSOLUTE: Score = 1e-6;

/// A query's scored terms with their BM25 factors over a searcher, and the bounds the index
/// keeps.
pub struct Bounding<'a> {
    bounds: &'a ScoreBounds,
    /// Each term with its factor (`idf × (1 + k1) × boost`), and whether each segment of the
    /// searcher holds it.
    terms: Vec<(Term, Score, Vec<bool>)>,
}

impl<'a> Bounding<'a> {
    /// The bounding of `scored` (terms of text field `field`, each with its boost) over
    /// `searcher`, when `bounds` were made for it.
    pub fn new(
        searcher: &Searcher,
        bounds: &'a ScoreBounds,
        field: Field,
        scored: &[Boosted],
    ) -> tantivy::Result<Option<Bounding<'a>>> {
        let mean_length = score_bounds::mean_length(searcher, field)?;
        if scored.iter().any(|(t, _)| t.field() != field) || !bounds.fits(mean_length) {
            return Ok(None);
        }
        let mut passages = 0u64;
        let mut indexes = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            passages += u64::from(reader.max_doc());
            indexes.push(reader.inverted_index(field)?);
        }
        let mut terms = Vec::with_capacity(scored.len());
        for (term, boost) in scored {
            let mut held = Vec::with_capacity(indexes.len());
            let mut passages_with = 0u64;
            for inverted in &indexes {
                let n = inverted.doc_freq(term)?;
                passages_with += u64::from(n);
                held.push(n > 0);
            }
            let bm25 =
                Bm25Weight::for_one_term(passages_with, passages, mean_length).boost_by(*boost);
            // The score of a passage of length zero holding the term 2³² times: the factor
            // itself (the length's part is lost in the sum, and 2³² scales exactly).
            terms.push((term.clone(), bm25.score(0, u32::MAX), held));
        }
        Ok(Some(Bounding { bounds, terms }))
    }

    /// Each term of the query found in segment `ord`, by its factor and its bounds there (none
    /// when the index keeps none: the factor itself bounds it).
    fn segment(&self, ord: usize, reader: &SegmentReader) -> Vec<Part<'a>> {
        self.terms
            .iter()
            .filter(|(_, _, held)| held.get(ord).copied().unwrap_or(true))
            .map(|(term, factor, _)| {
                let bounds = term
                    .value()
                    .as_str()
                    .and_then(|text| self.bounds.get(reader.segment_id(), text));
                (*factor, bounds)
            })
            .collect()
    }
}

/// A term of a query in a segment: its factor, and its bounds there when the index keeps them.
type Part<'a> = (Score, Option<&'a [u8]>);

/// The most a passage of window `window` may score, by `parts`.
fn bound(parts: &[Part], window: usize) -> Score {
    let mut sum: Score = 0.0;
    for &(factor, bounds) in parts {
        let part = match bounds {
            Some(b) => b.get(window).map_or(1.0, |&byte| score_bounds::part(byte)),
            None => 1.0,
        };
        sum += factor * part;
    }
    sum * (1.0 + ROOM) + ROOM_ABSOLUTE
}

/// Counts and ranks the matches of `query`, scoring only those whose window's bound beats the
/// worst hit kept: the same [`Collected`] as scoring them all.
pub fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    passages: &Passages,
    bounding: &Bounding,
    cancel: &Cancel,
    threads: &tantivy::Executor,
) -> tantivy::Result<Collected> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let segment = |(ord, reader): (usize, &SegmentReader)| -> tantivy::Result<Collected> {
        let parts = bounding.segment(ord, reader);
        let mut child = passages.segment_with(ord as SegmentOrdinal, key_column(reader)?);
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut window = usize::MAX;
        let mut most = Score::INFINITY;
        walk(&mut *scorer, reader, cancel, |doc, scorer| {
            let here = score_bounds::window(doc);
            if here != window {
                window = here;
                most = bound(&parts, window);
            }
            if child.may_enter(most) {
                child.collect(doc, scorer.score());
            } else {
                child.count_only(doc);
            }
        })?;
        Ok(child.harvest())
    };
    let fruits = threads.map(segment, searcher.segment_readers().iter().enumerate())?;
    passages.merge_fruits(fruits)
}
