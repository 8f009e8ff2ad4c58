//! A disjunction of a few terms alone in a query: the terms of one word.
//!
//! Where the best documents cannot be found without scoring every match (a rare word, a
//! filter), tantivy's buffered union scores a window of 4,096 documents at a time through a
//! bitset and an array of scores, which for a few matches a window costs more than stepping the
//! terms side by side. [`SeekUnion`] steps them, seeking each term to the target and scoring
//! only the document it stands on (as Lucene's disjunction scorer does), and finds its best
//! documents as tantivy's union of the same terms does, by block-max WAND. Beside other words
//! a word is a [`super::word::Word`].
//!
//! It matches and scores as tantivy's union of the same terms does: the scores of the terms on
//! a document are added in the order of the terms, starting from zero. So it does for queries
//! of any shape: a unit's alternatives (`a OR b`, a province named in the text or the report's
//! facet) are sought the same way beside the other words of a query.

use tantivy::query::{
    BooleanQuery, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Matches documents that match any of its queries (terms); see the module docs.
#[derive(Debug)]
pub struct SeekUnion {
    queries: Vec<Box<dyn Query>>,
    /// Whether its best documents may be asked for alone (block-max WAND over tantivy's
    /// union): beside other words they never are, and that union's weight is not made.
    alone: bool,
}

impl SeekUnion {
    /// The union of terms `queries` alone in a query: every match stepped through, each term
    /// sought rather than buffered, the best ones found by block-max WAND over the same terms
    /// (`Weight::for_each_pruning`).
    pub fn ranked(queries: Vec<Box<dyn Query>>) -> SeekUnion {
        SeekUnion {
            queries,
            alone: true,
        }
    }

    /// The union of `queries` beside other words of a query, which lead it: only sought.
    pub fn beside(queries: Vec<Box<dyn Query>>) -> SeekUnion {
        SeekUnion {
            queries,
            alone: false,
        }
    }

    /// Its queries, in order.
    pub fn queries(&self) -> &[Box<dyn Query>] {
        &self.queries
    }
}

impl Clone for SeekUnion {
    fn clone(&self) -> Self {
        SeekUnion {
            queries: self.queries.iter().map(|q| q.box_clone()).collect(),
            alone: self.alone,
        }
    }
}

impl Query for SeekUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .queries
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let pruning = if self.alone && enable_scoring.is_scoring_enabled() {
            let union = BooleanQuery::union(self.queries.iter().map(|q| q.box_clone()).collect());
            Some(union.weight(enable_scoring)?)
        } else {
            None
        };
        Ok(Box::new(SeekUnionWeight { weights, pruning }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.queries {
            q.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight {
    weights: Vec<Box<dyn Weight>>,
    /// tantivy's union of the same terms, which finds the best documents by block-max WAND.
    pruning: Option<Box<dyn Weight>>,
}

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            let scorer = w.scorer(reader, boost)?;
            // A term the segment lacks adds nothing.
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.pop().unwrap_or_else(|| Box::new(EmptyScorer)),
            _ => Box::new(SeekUnionScorer::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explained(self, reader, doc, "union of terms")
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if let Some(union) = &self.pruning {
            return union.for_each_pruning(threshold, reader, callback);
        }
        // tantivy's own loop over a scorer.
        let mut scorer = self.scorer(reader, 1.0)?;
        let mut threshold = threshold;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            let score = scorer.score();
            if score > threshold {
                threshold = callback(doc, score);
            }
            doc = scorer.advance();
        }
        Ok(())
    }
}

/// The scorer of [`SeekUnion`]: its members, each on a document at or past `doc`.
struct SeekUnionScorer {
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl SeekUnionScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> SeekUnionScorer {
        let doc = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
        SeekUnionScorer { scorers, doc }
    }
}

impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        self.doc = advance(self.scorers.iter_mut().map(|s| s.as_mut()), self.doc);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.doc = seek(self.scorers.iter_mut().map(|s| s.as_mut()), target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        size_hint(self.scorers.iter().map(|s| s.as_ref()))
    }

    fn cost(&self) -> u64 {
        cost(self.scorers.iter().map(|s| s.as_ref()))
    }
}

/// Moves the members of a union that stand on `doc`, the union's document, to their next one;
/// the union's next document.
pub(super) fn advance<'a, D: DocSet + ?Sized + 'a>(
    members: impl Iterator<Item = &'a mut D>,
    doc: DocId,
) -> DocId {
    let mut next = TERMINATED;
    for m in members {
        let mut d = m.doc();
        if d == doc {
            d = m.advance();
        }
        next = next.min(d);
    }
    next
}

/// Seeks the members of a union that stand before `target`; the union's next document.
pub(super) fn seek<'a, D: DocSet + ?Sized + 'a>(
    members: impl Iterator<Item = &'a mut D>,
    target: DocId,
) -> DocId {
    let mut next = TERMINATED;
    for m in members {
        let mut d = m.doc();
        if d < target {
            d = m.seek(target);
        }
        next = next.min(d);
    }
    next
}

/// A union's size hint: its largest member's.
pub(super) fn size_hint<'a, D: DocSet + ?Sized + 'a>(members: impl Iterator<Item = &'a D>) -> u32 {
    members.map(|m| m.size_hint()).max().unwrap_or(0)
}

/// A union's cost: the sum of its members'.
pub(super) fn cost<'a, D: DocSet + ?Sized + 'a>(members: impl Iterator<Item = &'a D>) -> u64 {
    members.map(|m| m.cost()).sum()
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let mut score: Score = 0.0;
        for s in &mut self.scorers {
            if s.doc() == self.doc {
                score += s.score();
            }
        }
        score
    }
}

/// The explanation of a weight whose scorer says all there is: the score of `doc` under
/// `what`, or an error when `doc` does not match.
pub(super) fn explained(
    weight: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.doc() > doc || scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document #({doc}) does not match"
        )));
    }
    Ok(Explanation::new(what, scorer.score()))
}

#[cfg(test)]
pub(super) mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    use super::*;

    /// An index whose documents hold words `a`, `b`, `c`, `d` in varied numbers, over several
    /// segments, so that scores differ and the union is sought across windows.
    fn index() -> (Index, tantivy::schema::Field) {
        let (index, body, mut writer) = body_index();
        for segment in 0..3u32 {
            for i in 0..12_000u32 {
                let mut text = String::new();
                for (word, every) in [("a", 3), ("b", 7), ("c", 1_000), ("d", 5)] {
                    let n = i.wrapping_mul(2_654_435_761).rotate_left(segment) % every;
                    if n == 0 || (word == "a" && i % 11 < 2) {
                        for _ in 0..=(i % 4) {
                            text.push_str(word);
                            text.push(' ');
                        }
                    }
                }
                text.push_str(&"x ".repeat((i % 13) as usize));
                writer.add_document(doc!(body => text)).expect("adds");
            }
            writer.commit().expect("commits");
        }
        (index, body)
    }

    fn term(field: tantivy::schema::Field, word: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// An index in memory of one text field, `body`, and its writer.
    pub(in crate::search) fn body_index() -> (Index, tantivy::schema::Field, tantivy::IndexWriter) {
        let mut sb = Schema::builder();
        let body = sb.add_text_field("body", TEXT);
        let index = Index::create_in_ram(sb.build());
        let writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        (index, body, writer)
    }

    /// Every match of `query` with the bits of its score, in document order.
    pub(in crate::search) fn scored(
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> Vec<(u32, u32, u32)> {
        let top = TopDocs::with_limit(100_000).order_by_score();
        let mut hits: Vec<(u32, u32, u32)> = searcher
            .search(query, &top)
            .expect("searches")
            .into_iter()
            .map(|(score, a)| (a.segment_ord, a.doc_id, score.to_bits()))
            .collect();
        hits.sort_unstable();
        hits
    }

    /// `lead AND (w1 OR w2)` with tantivy's union and with [`SeekUnion`].
    fn both(field: tantivy::schema::Field, lead: &str, w1: &str, w2: &str) -> [Box<dyn Query>; 2] {
        let conjunction = |union: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term(field, lead)),
                (Occur::Must, union),
            ]))
        };
        [
            conjunction(Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(field, w1)),
                (Occur::Should, term(field, w2)),
            ]))),
            conjunction(Box::new(SeekUnion::ranked(vec![
                term(field, w1),
                term(field, w2),
            ]))),
        ]
    }

    #[test]
    fn matches_and_scores_as_tantivys_union() {
        let (index, body) = index();
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        for (lead, w1, w2) in [
            ("c", "a", "b"),
            ("d", "a", "b"),
            ("b", "d", "c"),
            ("c", "a", "zzz"),
            ("a", "b", "d"),
        ] {
            let [tantivy_union, seek_union] = both(body, lead, w1, w2);
            let count = |q: &dyn Query| searcher.search(q, &Count).expect("counts");
            assert_eq!(
                count(&*tantivy_union),
                count(&*seek_union),
                "{lead} {w1} {w2}"
            );
            assert!(
                count(&*seek_union) > 0,
                "{lead} {w1} {w2} matches something"
            );
            assert_eq!(
                scored(&searcher, &*tantivy_union),
                scored(&searcher, &*seek_union),
                "{lead} {w1} {w2}"
            );
        }
    }

    #[test]
    fn alternatives_of_any_shape_match_and_score_as_tantivys_union() {
        use tantivy::query::BoostQuery;

        let (index, body) = index();
        let searcher = index.reader().expect("reader").searcher();
        // A query's alternatives: a word's (here two terms together) or a boosted facet.
        let alternatives = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, term(body, "a")),
                    (Occur::Must, term(body, "d")),
                ])),
                Box::new(BoostQuery::new(term(body, "c"), 0.3)),
            ]
        };
        let beside = |union: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term(body, "b")),
                (Occur::Must, union),
            ]))
        };
        for [tantivys, sought] in [
            [
                beside(Box::new(BooleanQuery::union(alternatives()))),
                beside(Box::new(SeekUnion::beside(alternatives()))),
            ],
            [
                Box::new(BooleanQuery::union(alternatives())) as Box<dyn Query>,
                Box::new(SeekUnion::ranked(alternatives())),
            ],
        ] {
            let all = scored(&searcher, &*sought);
            assert!(all.len() > 100);
            assert_eq!(all, scored(&searcher, &*tantivys));
        }
    }

    #[test]
    fn a_ranked_union_scores_every_match_and_its_best_as_tantivys_union() {
        use tantivy::query::EnableScoring;

        let (index, body) = index();
        let searcher = index.reader().expect("reader").searcher();
        for words in [&["a", "b"][..], &["b", "d", "zzz"], &["c", "a", "d"]] {
            let terms = || words.iter().map(|w| term(body, w)).collect::<Vec<_>>();
            let ranked = SeekUnion::ranked(terms());
            let tantivys = BooleanQuery::union(terms());
            // Every match and its score, stepped through (a rare word, a filter).
            let every = |q: &dyn Query| {
                let weight = q
                    .weight(EnableScoring::enabled_from_searcher(&searcher))
                    .expect("weight");
                let mut hits = Vec::new();
                for (ord, reader) in searcher.segment_readers().iter().enumerate() {
                    weight
                        .for_each(reader, &mut |doc, score| {
                            hits.push((ord, doc, score.to_bits()));
                        })
                        .expect("scans");
                }
                hits
            };
            let all = every(&ranked);
            assert!(all.len() > 1_000, "{words:?}");
            assert_eq!(all, every(&tantivys), "{words:?}");
            // The best, found by block-max WAND.
            let best = |q: &dyn Query| {
                let top = TopDocs::with_limit(25).order_by_score();
                searcher
                    .search(q, &top)
                    .expect("searches")
                    .into_iter()
                    .map(|(score, a)| (a.segment_ord, a.doc_id, score.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(best(&ranked), best(&tantivys), "{words:?}");
            let n = |q: &dyn Query| searcher.search(q, &Count).expect("counts");
            assert_eq!(n(&ranked), n(&tantivys), "{words:?}");
        }
    }

    #[test]
    fn advancing_visits_every_document_of_any_term() {
        let (index, body) = index();
        let searcher = index.reader().expect("reader").searcher();
        let union = SeekUnion::ranked(vec![term(body, "b"), term(body, "c"), term(body, "zzz")]);
        let either = BooleanQuery::new(vec![
            (Occur::Should, term(body, "b")),
            (Occur::Should, term(body, "c")),
        ]);
        let n = |q: &dyn Query| searcher.search(q, &Count).expect("counts");
        assert_eq!(n(&union), n(&either));
    }
}
