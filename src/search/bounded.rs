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
//!
//! A passage its window's bound lets through is bounded again by its own weight and length,
//! which are cheap to read, and the most times each term occurs in one passage of the window
//! (kept with the bounds): only a passage that may still beat the worst hit kept has its term
//! frequencies read from the postings and is scored. A window's bound adds maxima that come
//! from different passages; at 1 GB three quarters to nearly all of the passages it let
//! through for queries of three frequent words were below the page (BENCHMARKS.md).
//!
//! A term too rare for the index to keep its bounds is bounded from its postings when a query
//! asks for it; a term of another field (the facet of a province or a year a query names)
//! counts its whole factor in every window.
//!
//! A query over several segments searches them side by side, each with a page of its own; a
//! passage that cannot beat the worst hit of any segment's full page is not among the best of
//! all, so the segments share that score as a floor. At 1 GB (seven segments) this cut the
//! instructions of the 285 bench queries by 5.8 % (BENCHMARKS.md).

use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, EnableScoring, Query};
use tantivy::schema::Field;
use tantivy::{Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use super::cancel::{walk, Cancel};
use super::collect::{key_column, Collected, Passages};
use super::word::Boosted;
use crate::index::schema::KEY_COLUMN;
use crate::index::score_bounds::{self, ScoreBounds, TermBounds};
use crate::index::segment_threads::SegmentThreads;

/// Room left for the rounding of a score's sum, its weighting and its factors: a bound is
/// raised by this part, and by [`ROOM_ABSOLUTE`].
const ROOM: Score = 1e-3;
/// Room left, in score, beside [`ROOM`]: for bounds near zero.
const ROOM_ABSOLUTE: Score = 1e-6;

/// A query's scored terms with their BM25 factors over a searcher, and the bounds the index
/// keeps.
pub struct Bounding<'a> {
    bounds: &'a ScoreBounds,
    /// The text field the bounds are of, and the searcher's mean passage length in it, which
    /// the bounds were made for.
    field: Field,
    mean_length: Score,
    /// What a term occurring once, and twice, in a passage scores of its factor, by the
    /// passage's fieldnorm id: `1 / (1 + K(length))` and `2 / (2 + K(length))`.
    once: [Score; 256],
    twice: [Score; 256],
    /// Each term with its factor (`idf × (1 + k1) × boost`), and whether each segment of the
    /// searcher holds it.
    terms: Vec<(Term, Score, Vec<bool>)>,
}

impl<'a> Bounding<'a> {
    /// The bounding of `scored` (terms, each with its boost) over `searcher`, when `bounds`
    /// (of text field `field`) were made for it. A term of another field (a facet a query's
    /// province or year may match) has no bounds: its factor bounds it.
    pub fn new(
        searcher: &Searcher,
        bounds: &'a ScoreBounds,
        field: Field,
        scored: &[Boosted],
    ) -> tantivy::Result<Option<Bounding<'a>>> {
        let mean_length = score_bounds::mean_length(searcher, field)?;
        if !bounds.fits(mean_length) {
            return Ok(None);
        }
        let readers = searcher.segment_readers();
        let passages: u64 = readers.iter().map(|r| u64::from(r.max_doc())).sum();
        let mut terms = Vec::with_capacity(scored.len());
        for (term, boost) in scored {
            let mut held = Vec::with_capacity(readers.len());
            let mut passages_with = 0u64;
            for reader in readers {
                let n = reader.inverted_index(term.field())?.doc_freq(term)?;
                passages_with += u64::from(n);
                held.push(n > 0);
            }
            let bm25 =
                Bm25Weight::for_one_term(passages_with, passages, mean_length).boost_by(*boost);
            // The score of a passage of length zero holding the term 2³² times: the factor
            // itself (the length's part is lost in the sum, and 2³² scales exactly).
            terms.push((term.clone(), bm25.score(0, u32::MAX), held));
        }
        let length_factors = score_bounds::length_factors(mean_length);
        Ok(Some(Bounding {
            bounds,
            field,
            mean_length,
            once: length_factors.map(|k| 1.0 / (1.0 + k)),
            twice: length_factors.map(|k| 2.0 / (2.0 + k)),
            terms,
        }))
    }

    /// Each term of the query found in segment `ord`, by its factor and its bounds there: those
    /// the index keeps, else computed now for a term in few passages (`score_bounds::term_now`),
    /// else none (the factor itself bounds it).
    fn segment(&self, ord: usize, reader: &SegmentReader) -> tantivy::Result<Vec<Part<'a>>> {
        let mut parts = Vec::with_capacity(self.terms.len());
        for (term, factor, held) in &self.terms {
            if !held.get(ord).copied().unwrap_or(true) {
                continue;
            }
            let kept = term
                .value()
                .as_str()
                .and_then(|text| self.bounds.get(reader.segment_id(), text));
            let bounds = match kept {
                _ if term.field() != self.field => None,
                Some(kept) => Some(kept),
                None => score_bounds::term_now(reader, term, KEY_COLUMN, self.mean_length)?,
            };
            parts.push((*factor, bounds));
        }
        Ok(parts)
    }
}

/// A term of a query in a segment: its factor, and its bounds there when known.
type Part<'a> = (Score, Option<TermBounds<'a>>);

/// The most a passage of window `window` may score, by `parts`.
fn bound(parts: &[Part], window: usize) -> Score {
    let mut sum: Score = 0.0;
    for (factor, bounds) in parts {
        let part = bounds.as_ref().map_or(1.0, |b| b.part(window));
        sum += factor * part;
    }
    sum * (1.0 + ROOM) + ROOM_ABSOLUTE
}

/// The terms of a window, grouped by the most times each occurs in one of its passages: what
/// bounds a passage of the window by its own length and weight. BM25 grows with a term's
/// frequency, so a term there at most `n` times scores at most its factor times `n / (n + K)`,
/// where `K` grows with the passage's length; a term whose most is unknown, its whole factor.
#[derive(Debug, Default)]
struct OwnBound {
    /// The sums of the factors of the terms at most once, at most twice, and of unknown most.
    once: Score,
    twice: Score,
    whole: Score,
}

impl OwnBound {
    /// The grouping of `parts` in window `window`.
    fn of_window(parts: &[Part], window: usize) -> OwnBound {
        let mut own = OwnBound::default();
        for (factor, bounds) in parts {
            match bounds.as_ref().and_then(|b| b.most_occurrences(window)) {
                Some(0) => {}
                Some(1) => own.once += factor,
                Some(2) => own.twice += factor,
                _ => own.whole += factor,
            }
        }
        own
    }

    /// The most a passage of the window may score, by its fieldnorm id `norm` and its ranking
    /// weight `weight` (a factor), with `bounding`'s parts of a term once and twice.
    #[inline]
    fn most(&self, bounding: &Bounding, norm: u8, weight: Score) -> Score {
        let i = usize::from(norm);
        let sum = self.once * bounding.once[i] + self.twice * bounding.twice[i] + self.whole;
        sum * weight * (1.0 + ROOM) + ROOM_ABSOLUTE
    }
}

/// Counts and ranks the matches of `query`, scoring only those whose window's bound and own
/// bound beat the worst hit kept: the same [`Collected`] as scoring them all.
pub fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    passages: &Passages,
    bounding: &Bounding,
    cancel: &Cancel,
    threads: &SegmentThreads,
) -> tantivy::Result<Collected> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let floor = Floor::default();
    let segment = |(ord, reader): (usize, &SegmentReader)| -> tantivy::Result<Collected> {
        let parts = bounding.segment(ord, reader)?;
        let mut child = passages.segment_with(ord as SegmentOrdinal, key_column(reader)?);
        let norms: Option<FieldNormReader> =
            reader.fieldnorms_readers().get_field(bounding.field)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut window = usize::MAX;
        let mut most = Score::INFINITY;
        let mut own = OwnBound::default();
        let mut over_floor = true;
        walk(&mut *scorer, reader, cancel, |doc, scorer| {
            let here = score_bounds::window(doc);
            if here != window {
                window = here;
                most = bound(&parts, window);
                own = OwnBound::of_window(&parts, window);
                if let Some(worst) = child.worst() {
                    floor.raise(worst);
                }
                // A passage that scores the floor may still enter on a tie, and it scores less
                // than its bound.
                over_floor = most > floor.get();
            }
            let may_enter = over_floor
                && child.may_enter(most)
                && norms.as_ref().is_none_or(|norms| {
                    let own = own.most(bounding, norms.fieldnorm_id(doc), child.weight_of(doc));
                    own > floor.get() && child.may_enter(own)
                });
            if may_enter {
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

/// The worst hit kept by any segment's page once full, shared by the segments searched side by
/// side: a passage that cannot beat it is not among the best of all segments, whatever the
/// page of its own. Kept as the bits of a score: no score is negative, and the bits of
/// non-negative floats order as the floats do.
#[derive(Debug, Default)]
struct Floor(AtomicU32);

impl Floor {
    fn get(&self) -> Score {
        Score::from_bits(self.0.load(Ordering::Relaxed))
    }

    fn raise(&self, to: Score) {
        if to > 0.0 {
            self.0.fetch_max(to.to_bits(), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Facet;
    use tantivy::{DocAddress, DocSet, TantivyDocument, TERMINATED};

    use super::*;
    use crate::index::key::PassageKey;
    use crate::index::schema::{schema, Fields};
    use crate::search::query::{build_ranked, parse, TextFields};

    /// Passages of five shapes and weights, a third of them in Manabí's reports; one in seven
    /// says `patronales`, in fewer passages than the index keeps bounds for.
    fn searcher() -> (Searcher, Fields) {
        searcher_of(1)
    }

    /// [`searcher`]'s passages in `segments` segments, in order.
    fn searcher_of(segments: u32) -> (Searcher, Fields) {
        let (schema, fields) = schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(index.tokenizers());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for i in 0..6_000u32 {
            if i > 0 && i % (6_000 / segments) == 0 {
                writer.commit().expect("commits");
            }
            let rare = if i % 7 == 0 { " patronales" } else { "" };
            let (text, weight) = match i % 5 {
                0 => (format!("Pensión de jubilados{rare}."), 35),
                1 => (
                    format!("Pensión de jubilados de Manabí{rare} número {i}."),
                    70,
                ),
                2 => (
                    format!(
                        "Se pagó la pensión {i} a los jubilados{rare} del cantón, con la \
                         pensión mínima y los aportes de cada afiliado."
                    ),
                    100,
                ),
                3 => (format!("Jubilados, pensión, jubilados, pensión{rare}."), 60),
                _ => (format!("Pensión {i}."), 90),
            };
            let province = if i % 3 == 0 { "Manabí" } else { "Guayas" };
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.body, &text);
            doc.add_facet(fields.facets, Facet::from_path(["province", province]));
            doc.add_u64(
                fields.key,
                PassageKey::new(Some(2021), 1, &[], weight).pack(),
            );
            writer.add_document(doc).expect("adds");
        }
        writer.commit().expect("commits");
        (index.reader().expect("reader").searcher(), fields)
    }

    /// Every match of `query` weighs at most its window's bound and its own; gives the number of
    /// matches, and of those whose own bound is under nine tenths of their window's.
    fn assert_bounded(
        searcher: &Searcher,
        fields: &Fields,
        bounds: &ScoreBounds,
        query: &str,
    ) -> (usize, usize) {
        let items = parse(query).expect("parses");
        let text = TextFields::of(fields, searcher);
        let ranked = build_ranked(&items, text).expect("a query");
        let scored = ranked.scored.expect("scored terms");
        let bounding = Bounding::new(searcher, bounds, fields.body, &scored)
            .expect("reads")
            .expect("bounds fit");
        let weight = ranked
            .matching
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .expect("weight");
        let (mut matches, mut tighter) = (0, 0);
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let parts = bounding.segment(ord, reader).expect("reads");
            let keys = key_column(reader).expect("keys");
            let norms = reader
                .fieldnorms_readers()
                .get_field(fields.body)
                .expect("reads")
                .expect("lengths");
            let mut scorer = weight.scorer(reader, 1.0).expect("scorer");
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                let weight = Score::from(PassageKey::unpack(keys.get_val(doc)).weight) / 100.0;
                let weighed = scorer.score() * weight;
                let window = score_bounds::window(doc);
                let most = bound(&parts, window);
                assert!(
                    weighed <= most,
                    "{query}: passage {doc} weighs {weighed}, over {most}"
                );
                let own = OwnBound::of_window(&parts, window).most(
                    &bounding,
                    norms.fieldnorm_id(doc),
                    weight,
                );
                assert!(
                    weighed <= own,
                    "{query}: passage {doc} weighs {weighed}, over its own bound {own}"
                );
                matches += 1;
                tighter += usize::from(own < 0.9 * most);
                doc = scorer.advance();
            }
        }
        assert!(matches > 0, "{query}");
        (matches, tighter)
    }

    #[test]
    fn no_match_weighs_more_than_its_window_bound_or_its_own() {
        let (searcher, fields) = searcher();
        let bounds =
            ScoreBounds::compute(&searcher, fields.body, KEY_COLUMN, 1_000).expect("computes");
        assert!(!bounds.is_empty());
        let kept = |term: &str| {
            searcher
                .segment_readers()
                .iter()
                .any(|r| bounds.get(r.segment_id(), term).is_some())
        };
        // Frequent terms keep bounds; the rare one is bounded when asked for.
        let stem = |word: &str| crate::analysis::stem::stem_spanish(word).into_owned();
        assert!(kept(&crate::analysis::exact_term("pension")));
        assert!(kept(&stem("jubilados")));
        assert!(!kept(&stem("patronales")));
        for query in [
            "pensión jubilados",
            "jubilados patronal",
            "pensión jubilados manabí",
            "pensión OR patronal jubilados",
        ] {
            let (matches, tighter) = assert_bounded(&searcher, &fields, &bounds, query);
            // A passage's own bound, by its weight and length and the window's most
            // occurrences, is well under its window's for a fifth of the matches at least.
            assert!(tighter * 5 >= matches, "{query}: {tighter} of {matches}");
        }
    }

    #[test]
    fn segments_searched_with_a_shared_floor_give_the_page_and_counts_of_scoring_every_match() {
        // Three segments: the passages of each shape, and so their scores, come again in every
        // one, so that a later segment holds ties of an earlier one's worst hit.
        let (searcher, fields) = searcher_of(3);
        assert_eq!(searcher.segment_readers().len(), 3);
        let bounds =
            ScoreBounds::compute(&searcher, fields.body, KEY_COLUMN, 1_000).expect("computes");
        let text = TextFields::of(&fields, &searcher);
        for query in [
            "pensión jubilados",
            "jubilados patronal",
            "pensión mínima afiliado",
        ] {
            let ranked = build_ranked(&parse(query).expect("parses"), text).expect("a query");
            let scored = ranked.scored.expect("scored terms");
            let bounding = Bounding::new(&searcher, &bounds, fields.body, &scored)
                .expect("reads")
                .expect("bounds fit");
            // One thread takes the segments in turn; two take them side by side.
            let threads = [
                SegmentThreads::caller(),
                SegmentThreads::new(2, "test-segment").expect("threads"),
            ];
            for ((limit, offset), threads) in [(1, 0), (10, 0), (10, 20), (300, 0)]
                .into_iter()
                .flat_map(|page| threads.iter().map(move |t| (page, t)))
            {
                let wanted = Passages {
                    limit,
                    offset,
                    ranked: true,
                };
                let cancel = Cancel::never();
                let quick = collect(
                    &searcher,
                    &*ranked.matching,
                    &wanted,
                    &bounding,
                    &cancel,
                    threads,
                )
                .expect("collects");
                let every =
                    super::super::search_with(&searcher, &*ranked.matching, wanted, &cancel, None)
                        .expect("collects");
                let page = |c: &Collected| -> Vec<(u32, DocAddress)> {
                    c.top.iter().map(|(s, a)| (s.to_bits(), *a)).collect()
                };
                assert_eq!(page(&quick), page(&every), "{query} {limit} {offset}");
                assert_eq!(
                    quick.top.len(),
                    limit.min(every.counts.total - offset.min(every.counts.total)),
                    "{query}"
                );
                assert_eq!(quick.counts, every.counts, "{query}");
            }
        }
    }
}
