//! A disjunction of a few terms that other clauses lead: the stems of one word of a query of
//! several words.
//!
//! tantivy scores a disjunction with a buffered union: on a seek past its window it scores
//! every document of its terms in the next 4,096, whether the other words of the query are in
//! them or not. Inside a conjunction the rarest word leads and the union is sought from match
//! to match, so most of that work is thrown away. [`SeekUnion`] seeks each term to the target
//! and scores only the document it stands on, as Lucene's disjunction scorer does: the
//! multi-word queries of the benchmark at 1 GB take 6 % fewer instructions (BENCHMARKS.md,
//! "Indexing and conjunctions").
//!
//! It matches and scores as tantivy's union of the same terms does: the scores of the terms on
//! a document are added in the order of the terms, starting from zero.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Matches documents that match any of its queries (terms); see the module docs.
#[derive(Debug)]
pub struct SeekUnion {
    queries: Vec<Box<dyn Query>>,
}

impl SeekUnion {
    /// The union of `queries`, meant for terms (each scorer is sought, not buffered).
    pub fn new(queries: Vec<Box<dyn Query>>) -> SeekUnion {
        SeekUnion { queries }
    }
}

impl Clone for SeekUnion {
    fn clone(&self) -> Self {
        SeekUnion {
            queries: self.queries.iter().map(|q| q.box_clone()).collect(),
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
        Ok(Box::new(SeekUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.queries {
            q.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight {
    weights: Vec<Box<dyn Weight>>,
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
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("union of terms", scorer.score()))
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
        let mut next = TERMINATED;
        for s in &mut self.scorers {
            let mut d = s.doc();
            if d == self.doc {
                d = s.advance();
            }
            next = next.min(d);
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let mut next = TERMINATED;
        for s in &mut self.scorers {
            let mut d = s.doc();
            if d < target {
                d = s.seek(target);
            }
            next = next.min(d);
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .map(|s| s.size_hint())
            .max()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.scorers.iter().map(|s| s.cost()).sum()
    }
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

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    use super::*;

    /// An index whose documents hold words `a`, `b`, `c`, `d` in varied numbers, over several
    /// segments, so that scores differ and the union is sought across windows.
    fn index() -> (Index, tantivy::schema::Field) {
        let mut sb = Schema::builder();
        let body = sb.add_text_field("body", TEXT);
        let index = Index::create_in_ram(sb.build());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
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
            conjunction(Box::new(SeekUnion::new(vec![
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
            // Every match, with its score, in document order.
            let all = |q: &dyn Query| {
                let top = TopDocs::with_limit(40_000).order_by_score();
                let mut hits: Vec<(u32, u32, u32)> = searcher
                    .search(q, &top)
                    .expect("searches")
                    .into_iter()
                    .map(|(score, a)| (a.segment_ord, a.doc_id, score.to_bits()))
                    .collect();
                hits.sort_unstable();
                hits
            };
            assert_eq!(all(&*tantivy_union), all(&*seek_union), "{lead} {w1} {w2}");
        }
    }

    #[test]
    fn advancing_visits_every_document_of_any_term() {
        let (index, body) = index();
        let searcher = index.reader().expect("reader").searcher();
        let union = SeekUnion::new(vec![term(body, "b"), term(body, "c"), term(body, "zzz")]);
        let either = BooleanQuery::new(vec![
            (Occur::Should, term(body, "b")),
            (Occur::Should, term(body, "c")),
        ]);
        let n = |q: &dyn Query| searcher.search(q, &Count).expect("counts");
        assert_eq!(n(&union), n(&either));
    }
}
