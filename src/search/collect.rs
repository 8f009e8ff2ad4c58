//! Collecting the matching passages: the page of best hits, the total and the facet counts.
//!
//! [`Passages`] does it in one pass. Each matching passage costs one read of its packed key
//! (`index::key`): its ranking weight multiplies its score, and its year, province and policies
//! are counted. tantivy's separate `TopDocs`, `Count` and `FacetCollector` would read three
//! columns and walk facet terms. Without a page to fill (counts only, or browsing), no score is
//! computed at all.
//!
//! [`pruned`] does it in two passes for a query tantivy can prune (one word), or takes a
//! frequent word's page from the best passages the index holds for it (`index::word_tops`,
//! ranked by [`best_in_segment`] when the index is built); [`rescore`] adds the boosts too
//! costly to score on every match to the best hits.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, ColumnValues};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::cancel::{cancelled, collect_blocks, collect_scored, Cancel};

use crate::index::key::{Counts, PassageKey, Tally};
use crate::index::schema::KEY_COLUMN;
use crate::index::segment_threads::SegmentThreads;
use crate::index::word_counts::WordCounts;
use crate::index::word_tops::{WordTops, LISTED};

/// What to collect.
#[derive(Debug, Clone, Copy)]
pub struct Passages {
    /// Hits wanted after `offset`; 0 for counts only.
    pub limit: usize,
    pub offset: usize,
    /// Rank by weighted score; otherwise keep index order (browsing).
    pub ranked: bool,
}

impl Passages {
    /// Only the total and the facet counts.
    pub fn counts() -> Passages {
        Passages {
            limit: 0,
            offset: 0,
            ranked: false,
        }
    }
}

/// What a pass collected.
#[derive(Debug, Default)]
pub struct Collected {
    /// The page of hits, best first.
    pub top: Vec<(Score, DocAddress)>,
    /// The total and the facet counts.
    pub counts: Counts,
}

impl Passages {
    /// The collector of one segment whose passage keys are `keys`.
    pub(super) fn segment_with(
        &self,
        segment: SegmentOrdinal,
        keys: Arc<dyn ColumnValues<u64>>,
    ) -> SegmentPassages {
        let wanted = if self.limit == 0 {
            0
        } else {
            self.limit + self.offset
        };
        SegmentPassages {
            segment,
            keys,
            wanted,
            ranked: self.ranked,
            best: Best::new(wanted),
            in_order: Vec::new(),
            tally: Tally::default(),
            counting: true,
            buffer: Vec::new(),
            pending_docs: Vec::with_capacity(BATCH),
            pending_scores: Vec::with_capacity(BATCH),
        }
    }
}

impl Collector for Passages {
    type Fruit = Collected;
    type Child = SegmentPassages;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPassages> {
        Ok(self.segment_with(segment, key_column(reader)?))
    }

    fn requires_scoring(&self) -> bool {
        self.ranked && self.limit > 0
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut all = Collected::default();
        let mut top = Vec::new();
        for f in &fruits {
            all.counts.add(&f.counts);
            top.extend_from_slice(&f.top);
        }
        if self.ranked {
            top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        } else {
            top.sort_by_key(|a| a.1);
        }
        all.top = top.into_iter().skip(self.offset).take(self.limit).collect();
        Ok(all)
    }
}

/// A passage's score times its ranking weight, a factor of at most 1 and exactly 1 at full
/// weight: a weighted score is never above the text score, to the last bit, which is what
/// lets [`pruned`] skip documents by their text score.
#[inline]
fn weighted(score: Score, packed: u64) -> Score {
    score * weight_factor(packed)
}

/// The ranking weight of the passage of key `packed`, as the factor of its score.
#[inline]
fn weight_factor(packed: u64) -> Score {
    f32::from(PassageKey::unpack(packed).weight) / 100.0
}

/// Hits a segment's pruned pass may offer to its page before giving up for the plain pass.
const PRUNING_BUDGET: u32 = 2_000;

/// A segment where the query's terms are in fewer than this many passages (each term's counted
/// apart) is searched the plain way at once: there, pruning cannot cut enough to pay for the
/// second pass that counts, and a pass that gives up at [`PRUNING_BUDGET`] is lost work
/// (BENCHMARKS.md, "No pruning where there is little to prune").
const PRUNING_MIN_MATCHES: u64 = 8_000;

/// When a segment is worth pruning.
#[derive(Clone, Copy, Debug)]
struct Pruning {
    /// Hits offered before giving up for the plain pass.
    budget: u32,
    /// The plain pass runs at once when the query's terms are in fewer passages than this.
    min_matches: u64,
}

/// [`Passages`] for a query tantivy can prune (`query::term_union`), or whose counts the index
/// holds (`known`), segment by segment: the page by block-max WAND, which scores only the
/// documents whose blocks could beat the worst hit kept (a query of another shape offers every
/// match above the worst kept), then the total and the facets by a pass that reads no score.
/// Together they cost less than scoring every match, unless the ranking weights keep the bar
/// low: the highest text scores go to short passages, which weigh least
/// (`index::build::passage_weight`). A segment whose pruned pass offers more than
/// [`PRUNING_BUDGET`] hits, or whose terms are in fewer than [`PRUNING_MIN_MATCHES`] passages,
/// is searched the plain way; so is a segment without known counts for a query tantivy cannot
/// prune, where two passes would only do the plain pass's work twice.
///
/// `known` are counts the index holds for the query: the passages of a stem (with a year or a
/// province it names), when they are exactly what `query` matches (`index::word_counts`). A
/// segment that holds them is never counted: its page comes from the pruned pass, or when that
/// gives up from scoring every match. Without a page to fill (`passages.limit` 0), only the
/// counts are taken: held, or counted by the pass that reads no score.
///
/// `held.best` are the best passages the index holds for the query, when it is one word
/// (`index::word_tops`): a segment with held counts whose list reaches the page takes the page
/// from it and ranks nothing.
pub fn pruned(
    searcher: &Searcher,
    query: &dyn Query,
    passages: &Passages,
    cancel: &Cancel,
    threads: &SegmentThreads,
    held: Held,
) -> tantivy::Result<Collected> {
    let pruning = Pruning {
        budget: PRUNING_BUDGET,
        min_matches: PRUNING_MIN_MATCHES,
    };
    pruned_within(searcher, query, passages, cancel, threads, pruning, held)
}

/// What the index holds for a query of one word, each with the key it is held under: its
/// counts (`index::word_counts`) and its best passages (`index::word_tops`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Held<'a> {
    pub counts: Option<(&'a WordCounts, &'a str)>,
    pub best: Option<(&'a WordTops, &'a str)>,
}

/// The best `wanted` passages of segment `segment` for `query` by weighted score, best first
/// (ties: the lower doc id), with their scores: what the pruned pass of [`pruned`] keeps,
/// without a budget. How `index::word_tops` lists a frequent word's best passages.
pub fn best_in_segment(
    searcher: &Searcher,
    query: &dyn Query,
    segment: SegmentOrdinal,
    wanted: usize,
) -> tantivy::Result<Vec<(DocId, Score)>> {
    let reader = searcher.segment_reader(segment);
    let keys = key_column(reader)?;
    let alive = reader.alive_bitset();
    let scored = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut best: Best<()> = Best::new(wanted);
    if wanted > 0 {
        scored.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                best.offer(weighted(score, keys.get_val(doc)), doc, ());
            }
            best.worst().unwrap_or(Score::MIN)
        })?;
    }
    let mut best: Vec<(DocId, Score)> = best
        .into_vec()
        .map(|(score, doc, ())| (doc, score))
        .collect();
    best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(best)
}

/// [`pruned`], with the limits of `pruning`.
fn pruned_within(
    searcher: &Searcher,
    query: &dyn Query,
    passages: &Passages,
    cancel: &Cancel,
    threads: &SegmentThreads,
    pruning: Pruning,
    held: Held,
) -> tantivy::Result<Collected> {
    let scored = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let counted = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut terms = Vec::new();
    query.query_terms(&mut |term, _| terms.push(term.clone()));
    // No page, no ranking, whatever the offset.
    let wanted = if passages.limit == 0 {
        0
    } else {
        passages.limit + passages.offset
    };
    let prunable = super::query::term_union(query);
    let segment = |(ord, reader): (usize, &SegmentReader)| -> tantivy::Result<Collected> {
        let ord = ord as SegmentOrdinal;
        let keys = key_column(reader)?;
        // At least as many passages as match: the query is a disjunction of these terms.
        let mut matches = 0u64;
        for term in &terms {
            matches += u64::from(reader.inverted_index(term.field())?.doc_freq(term)?);
        }
        let known = held
            .counts
            .and_then(|(counts, stem)| counts.get(reader.segment_id(), stem))
            .filter(|_| reader.num_deleted_docs() == 0);
        let mut best: Best<()> = Best::new(wanted);
        // A list holds a segment's best passages, or all its matches when shorter than kept.
        let listed = held
            .best
            .and_then(|(tops, word)| tops.get(reader.segment_id(), word))
            .filter(|list| {
                known.is_some()
                    && (wanted <= list.len() || list.len() < LISTED)
                    && list.iter().all(|&(doc, _)| doc < reader.max_doc())
            });
        let mut plain = known.is_none() && (!prunable || matches < pruning.min_matches);
        if let Some(list) = listed {
            for &(doc, score) in list.iter().take(wanted) {
                best.offer(score, doc, ());
            }
        } else if !plain && wanted > 0 {
            // Without a page to fill (counts only), the pass that counts is the whole work.
            let alive = reader.alive_bitset();
            let mut offered = 0u32;
            scored.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                offered += 1;
                if offered > pruning.budget
                    || (offered.is_multiple_of(256) && cancel.is_cancelled())
                {
                    plain = true;
                    return Score::INFINITY;
                }
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    best.offer(weighted(score, keys.get_val(doc)), doc, ());
                }
                // A weighted score is at most the text score: a document must beat the worst
                // kept.
                best.worst().unwrap_or(Score::MIN)
            })?;
            if cancel.is_cancelled() {
                return Err(cancelled());
            }
        }
        if plain {
            let mut child = passages.segment_with(ord, keys);
            child.counting = known.is_none();
            collect_scored(
                &mut *scored.scorer(reader, 1.0)?,
                &mut child,
                reader,
                cancel,
            )?;
            let mut fruit = child.harvest();
            if let Some(counts) = known {
                fruit.counts = counts.clone();
            }
            return Ok(fruit);
        }
        let counts = match known {
            Some(counts) => counts.clone(),
            None => {
                let mut child = Passages::counts().segment_with(ord, keys);
                collect_blocks(
                    &mut *counted.scorer(reader, 1.0)?,
                    &mut child,
                    reader,
                    cancel,
                )?;
                child.harvest().counts
            }
        };
        let top = best
            .into_vec()
            .map(|(score, doc, ())| (score, DocAddress::new(ord, doc)))
            .collect();
        Ok(Collected { top, counts })
    };
    let fruits = threads.map(segment, searcher.segment_readers().iter().enumerate())?;
    passages.merge_fruits(fruits)
}

/// Adds the score of `boost` to the hits that match it, each times its passage's ranking
/// weight, and sorts them again, best first: the rescoring of the best matches with the boosts
/// too costly to score on every match (`query::RankedQuery`).
pub fn rescore(
    searcher: &Searcher,
    boost: &dyn Query,
    mut hits: Vec<(Score, DocAddress)>,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let weight = boost.weight(EnableScoring::enabled_from_searcher(searcher))?;
    // Each segment's scorer moves forward only: its hits in doc order.
    hits.sort_by_key(|h| h.1);
    for run in hits.chunk_by_mut(|a, b| a.1.segment_ord == b.1.segment_ord) {
        let reader = searcher.segment_reader(run[0].1.segment_ord);
        let keys = key_column(reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        for (score, address) in run.iter_mut() {
            let doc = address.doc_id;
            let at = if scorer.doc() < doc {
                scorer.seek(doc)
            } else {
                scorer.doc()
            };
            if at == doc {
                *score += weighted(scorer.score(), keys.get_val(doc));
            }
        }
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(hits)
}

/// The key column of a segment.
pub(super) fn key_column(reader: &SegmentReader) -> tantivy::Result<Arc<dyn ColumnValues<u64>>> {
    let column = reader.fast_fields().u64(KEY_COLUMN)?;
    // Every passage has a key: its values are read straight, without the per-read index
    // lookup of a column where some are missing.
    Ok(if column.get_cardinality() == Cardinality::Full {
        column.values
    } else {
        column.first_or_default_col(PassageKey::default_packed())
    })
}

/// The best `wanted` documents of a segment by score (ties: the lower doc id), each with a
/// payload; what every ranking collector keeps.
pub(super) struct Best<T> {
    heap: BinaryHeap<Reverse<Ranked<T>>>,
    wanted: usize,
}

impl<T> Best<T> {
    /// Keeps at most `wanted` documents.
    pub(super) fn new(wanted: usize) -> Best<T> {
        Best {
            heap: BinaryHeap::new(),
            wanted,
        }
    }

    /// Keeps `doc` if it is among the best so far.
    #[inline]
    pub(super) fn offer(&mut self, score: Score, doc: DocId, payload: T) {
        let ranked = Ranked(score, Reverse(doc), payload);
        if self.heap.len() < self.wanted {
            self.heap.push(Reverse(ranked));
        } else if self
            .heap
            .peek()
            .is_some_and(|Reverse(worst)| ranked > *worst)
        {
            self.heap.pop();
            self.heap.push(Reverse(ranked));
        }
    }

    /// The score of the worst document kept, once `wanted` are kept.
    pub(super) fn worst(&self) -> Option<Score> {
        if self.heap.len() < self.wanted {
            return None;
        }
        self.heap.peek().map(|Reverse(Ranked(score, ..))| *score)
    }

    /// The documents kept, in no order.
    pub(super) fn into_vec(self) -> impl Iterator<Item = (Score, DocId, T)> {
        self.heap
            .into_iter()
            .map(|Reverse(Ranked(score, Reverse(doc), payload))| (score, doc, payload))
    }
}

/// A document in the heap, compared by score then doc id (the payload plays no part): the
/// worst on top, so it is the one replaced.
struct Ranked<T>(Score, Reverse<DocId>, T);

impl<T> PartialEq for Ranked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Ranked<T> {}

impl<T> PartialOrd for Ranked<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Ranked<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| self.1.cmp(&other.1))
    }
}

/// The collector of one segment.
pub struct SegmentPassages {
    segment: SegmentOrdinal,
    keys: Arc<dyn ColumnValues<u64>>,
    wanted: usize,
    ranked: bool,
    best: Best<()>,
    in_order: Vec<DocId>,
    tally: Tally,
    /// Whether to count the passages collected: not when their counts are known.
    counting: bool,
    buffer: Vec<u64>,
    /// Scored documents whose keys are not read yet: keys are read a batch at a time, which
    /// lets the reads of a batch overlap instead of each waiting for memory in turn.
    pending_docs: Vec<DocId>,
    pending_scores: Vec<Score>,
}

/// Scored documents whose keys are read together.
const BATCH: usize = 64;

impl SegmentPassages {
    /// Reads the keys of the pending scored documents, counts them and offers them to the
    /// page.
    fn flush(&mut self) {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.resize(self.pending_docs.len(), 0);
        self.keys.get_vals(&self.pending_docs, &mut buffer);
        for (i, &packed) in buffer.iter().enumerate() {
            if self.counting {
                self.count(packed);
            }
            let score = self.pending_scores[i];
            if score == UNSCORED {
                continue;
            }
            self.best
                .offer(weighted(score, packed), self.pending_docs[i], ());
        }
        self.pending_docs.clear();
        self.pending_scores.clear();
        self.buffer = buffer;
    }

    #[inline]
    fn count(&mut self, packed: u64) {
        self.tally.add(packed);
    }

    /// Whether a passage whose weighted score is at most `bound` may enter the page: not when
    /// the page is full and its worst hit scores `bound` or more (on a tie, the earlier passage,
    /// kept, wins).
    #[inline]
    pub(super) fn may_enter(&self, bound: Score) -> bool {
        self.best.worst().is_none_or(|worst| bound > worst)
    }

    /// The ranking weight of passage `doc`: the factor of its score in [`weighted`].
    #[inline]
    pub(super) fn weight_of(&self, doc: DocId) -> Score {
        weight_factor(self.keys.get_val(doc))
    }

    /// The score of the worst hit of the page, once full: from then on only a passage that
    /// beats it enters.
    pub(super) fn worst(&self) -> Option<Score> {
        self.best.worst()
    }

    /// Counts `doc`, a match that cannot enter the page ([`Self::may_enter`]), without a score.
    #[inline]
    pub(super) fn count_only(&mut self, doc: DocId) {
        self.pending_docs.push(doc);
        self.pending_scores.push(UNSCORED);
        if self.pending_docs.len() == BATCH {
            self.flush();
        }
    }
}

/// The score of a pending passage that is only counted: no text score is negative.
const UNSCORED: Score = Score::NEG_INFINITY;

impl SegmentCollector for SegmentPassages {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.ranked && self.wanted > 0 {
            // Not counting, a passage whose text score cannot beat the worst hit kept needs
            // no key: its weight can only lower that score, and on a tie the earlier passage,
            // kept, wins.
            if !self.counting && self.best.worst().is_some_and(|worst| score <= worst) {
                return;
            }
            self.pending_docs.push(doc);
            self.pending_scores.push(score);
            if self.pending_docs.len() == BATCH {
                self.flush();
            }
            return;
        }
        self.count(self.keys.get_val(doc));
        if self.wanted > 0 && self.in_order.len() < self.wanted {
            self.in_order.push(doc);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.buffer.resize(docs.len(), 0);
        let mut buffer = std::mem::take(&mut self.buffer);
        self.keys.get_vals(docs, &mut buffer);
        for (&doc, &key) in docs.iter().zip(&buffer) {
            self.count(key);
            if self.wanted > 0 && self.in_order.len() < self.wanted {
                self.in_order.push(doc);
            }
        }
        self.buffer = buffer;
    }

    fn harvest(mut self) -> Collected {
        if !self.pending_docs.is_empty() {
            self.flush();
        }
        let counts = self.tally.counts();
        let segment = self.segment;
        let mut top: Vec<(Score, DocAddress)> = self
            .best
            .into_vec()
            .map(|(score, doc, ())| (score, DocAddress::new(segment, doc)))
            .collect();
        top.extend(
            self.in_order
                .into_iter()
                .map(|doc| (0.0, DocAddress::new(segment, doc))),
        );
        Collected { top, counts }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::index::key::PassageKey;

    /// Keys of a segment, in memory.
    struct Keys(Vec<u64>);

    impl ColumnValues<u64> for Keys {
        fn get_val(&self, idx: u32) -> u64 {
            self.0[idx as usize]
        }
        fn min_value(&self) -> u64 {
            self.0.iter().copied().min().unwrap_or(0)
        }
        fn max_value(&self) -> u64 {
            self.0.iter().copied().max().unwrap_or(0)
        }
        fn num_vals(&self) -> u32 {
            self.0.len() as u32
        }
    }

    /// An index of `docs` passages with a text field and a key column: each passage holds
    /// some of the words `a` to `e` (`a` more often), a year, a province and a ranking weight.
    fn small_index(docs: u32) -> (tantivy::Index, tantivy::schema::Field) {
        use tantivy::schema::{FacetOptions, Schema, FAST, TEXT};
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        schema.add_facet_field("facets", FacetOptions::default());
        let key = schema.add_u64_field(KEY_COLUMN, FAST);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer = index
            .writer_with_num_threads(1, 20_000_000)
            .expect("writer");
        for i in 0..docs {
            let words: Vec<&str> = ["a", "a", "b", "c", "d", "e", "a b", "filler"]
                .iter()
                .enumerate()
                .filter(|(j, _)| (i * 7 + (*j as u32) * 13).is_multiple_of(3 + *j as u32))
                .map(|(_, w)| *w)
                .collect();
            let packed = PassageKey {
                policies: (i % 32) as u8,
                province: (i % 25) as u8,
                year: 2015 + (i % 9) as u16,
                weight: [35u8, 60, 80, 100][(i % 4) as usize],
            }
            .pack();
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(
                text,
                format!(
                    "{} filler {}",
                    words.join(" "),
                    "x ".repeat((i % 11) as usize)
                ),
            );
            doc.add_u64(key, packed);
            writer.add_document(doc).expect("adds");
        }
        writer.commit().expect("commits");
        (index, text)
    }

    #[test]
    fn pruned_pages_and_counts_are_those_of_the_plain_pass() {
        use tantivy::query::{BooleanQuery, Occur, TermQuery};
        use tantivy::schema::IndexRecordOption;
        use tantivy::Term;

        let (index, text) = small_index(5_000);
        let searcher = index.reader().expect("reader").searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let queries: Vec<Box<dyn Query>> = vec![
            term("a"),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, term("b")),
                (Occur::Should, term("e")),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, term("c")),
                (Occur::Should, term("d")),
                (Occur::Should, term("zzz")),
            ])),
        ];
        // The counts of `a` held as the index holds those of a frequent word.
        let facets = index.schema().get_field("facets").expect("facets");
        let known = WordCounts::count(&searcher, (text, facets), KEY_COLUMN, 100).expect("counts");
        let segment = searcher.segment_reader(0).segment_id();
        assert!(known.get(segment, "a").is_some());
        let stems = [Some("a"), None, None];
        // The best passages of `a`, listed as the index lists those of a frequent word.
        let mut tops = WordTops::default();
        let best = best_in_segment(&searcher, &*queries[0], 0, LISTED).expect("ranks");
        assert_eq!(best.len(), LISTED);
        tops.insert(segment, "a", best);
        let one = SegmentThreads::caller();
        for (query, stem) in queries.iter().zip(stems) {
            // Past the list's end (`100, 5`), the page is ranked.
            for (limit, offset) in [(10, 0), (5, 7), (100, 0), (100, 5), (0, 0), (0, 5)] {
                let passages = Passages {
                    limit,
                    offset,
                    ranked: true,
                };
                let plain = searcher.search(&**query, &passages).expect("searches");
                for (budget, min_matches) in [(0, 0), (3, 0), (u32::MAX, 0), (u32::MAX, 1 << 20)] {
                    let pruning = Pruning {
                        budget,
                        min_matches,
                    };
                    for known in [None, stem.map(|s| (&known, s))] {
                        for listed in [None, stem.map(|s| (&tops, s))] {
                            let got = pruned_within(
                                &searcher,
                                &**query,
                                &passages,
                                &Cancel::never(),
                                &one,
                                pruning,
                                Held {
                                    counts: known,
                                    best: listed,
                                },
                            )
                            .expect("searches");
                            let with = (known.is_some(), listed.is_some());
                            assert_eq!(
                                got.top, plain.top,
                                "{query:?} {limit} {pruning:?} {with:?}"
                            );
                            assert_eq!(got.counts, plain.counts, "{query:?} {with:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_listed_word_takes_its_page_from_its_list() {
        use tantivy::query::TermQuery;
        use tantivy::schema::IndexRecordOption;
        use tantivy::Term;

        let (index, text) = small_index(5_000);
        let searcher = index.reader().expect("reader").searcher();
        let query = TermQuery::new(
            Term::from_field_text(text, "a"),
            IndexRecordOption::WithFreqs,
        );
        let facets = index.schema().get_field("facets").expect("facets");
        let known = WordCounts::count(&searcher, (text, facets), KEY_COLUMN, 100).expect("counts");
        let segment = searcher.segment_reader(0).segment_id();
        let page = |tops: &WordTops, limit: usize, known: Option<&WordCounts>| {
            let passages = Passages {
                limit,
                offset: 0,
                ranked: true,
            };
            let pruning = Pruning {
                budget: PRUNING_BUDGET,
                min_matches: 0,
            };
            let known = known.map(|k| (k, "a"));
            let got = pruned_within(
                &searcher,
                &query,
                &passages,
                &Cancel::never(),
                &SegmentThreads::caller(),
                pruning,
                Held {
                    counts: known,
                    best: Some((tops, "a")),
                },
            )
            .expect("searches");
            got.top
                .iter()
                .map(|(s, a)| (a.doc_id, *s))
                .collect::<Vec<_>>()
        };
        // A list of three passages, shorter than kept: all the word's matches, as far as the
        // search can tell.
        let mut tops = WordTops::default();
        let list = vec![(4, 9.0), (2, 8.0), (40, 8.0)];
        tops.insert(segment, "a", list.clone());
        assert_eq!(page(&tops, 10, Some(&known)), list);
        assert_eq!(page(&tops, 2, Some(&known)), list[..2]);
        // Without the word's counts (a filtered search), the list is not the query's.
        assert_ne!(page(&tops, 10, None), list);
        // A full list serves pages within it only.
        let full: Vec<(DocId, Score)> = (0..LISTED as DocId).map(|d| (d, 1.0)).collect();
        tops.insert(segment, "a", full.clone());
        assert_eq!(page(&tops, 10, Some(&known)), full[..10]);
        assert_ne!(page(&tops, LISTED + 1, Some(&known))[..10], full[..10]);
        // A list naming a passage the segment lacks is damage: the page is ranked.
        tops.insert(segment, "a", vec![(1 << 30, 9.0)]);
        assert_ne!(page(&tops, 10, Some(&known)), [(1 << 30, 9.0)]);
    }

    proptest! {
        /// A weighted score never exceeds the text score, and equals it at full weight.
        #[test]
        fn a_weighted_score_is_at_most_the_text_score(score in 0.0f32..1e6, weight in 0u8..=100) {
            let packed = PassageKey { policies: 0, province: 0, year: 2021, weight }.pack();
            let w = weighted(score, packed);
            prop_assert!(w <= score);
            if weight == 100 {
                prop_assert_eq!(w, score);
            }
        }

        /// Counting by slots gives what counting each passage's year, province and policies
        /// one by one gives, whether the passages come in blocks, one at a time, or scored.
        #[test]
        fn slot_counts_are_the_counts_of_each_passage(
            keys in prop::collection::vec((0u16..4096, 0u8..32, 0u8..32, 0u8..=100), 0..300),
        ) {
            let packed: Vec<u64> = keys
                .iter()
                .map(|&(year, province, policies, weight)| {
                    PassageKey { policies, province, year, weight }.pack()
                })
                .collect();
            let mut expected = Counts::default();
            for &(year, province, policies, _) in &keys {
                expected.total += 1;
                *expected.years.entry(year).or_default() += 1;
                expected.provinces[usize::from(province)] += 1;
                for bit in 0..5 {
                    if policies & (1 << bit) != 0 {
                        expected.policies[bit] += 1;
                    }
                }
            }
            let docs: Vec<DocId> = (0..packed.len() as DocId).collect();
            for (ranked, limit) in [(false, 0), (false, 10), (true, 10)] {
                let passages = Passages { limit, offset: 0, ranked };
                let mut segment = passages.segment_with(0, Arc::new(Keys(packed.clone())));
                if ranked {
                    for &doc in &docs {
                        segment.collect(doc, 1.0);
                    }
                } else {
                    for block in docs.chunks(64) {
                        segment.collect_block(block);
                    }
                }
                let got = segment.harvest();
                prop_assert_eq!(&got.counts, &expected);
            }
        }
    }
}
