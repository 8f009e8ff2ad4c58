//! One word of a query of several words, in one scorer: its stems required, its exact form a
//! boost.
//!
//! As tantivy queries, a word is a boolean query: the union of its stem's terms required, its
//! exact form optional, each term a scorer of its own that reads the passage's length for
//! itself, under two layers that add their scores. A query of several words scores every
//! passage that holds them all: at 1 GB, more than half of its time. [`Word`]
//! keeps the word's terms side by side in one scorer: the length is read once per passage,
//! the exact form is sought only where the stems match (and never read when nothing is
//! scored), and the scores are added in the order tantivy adds them, so they are the same to
//! the last bit.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocId, DocSet, Score, SeekDangerResult, SegmentReader, TantivyError, Term, TERMINATED,
};

use super::union::{self, explained};
use crate::index::stem_sets::{LazyStemSets, SetDocs};

/// A term of a [`Word`] and the factor of its score.
pub type Boosted = (Term, Score);

/// Matches the passages holding any of its `required` terms; scores them as the sum, in
/// order, of the scores of the required terms they hold, plus those of the `optional` ones.
/// It matches and scores as tantivy's `BooleanQuery` of a `Must` union of the required terms
/// and a `Should` union of the optional ones, each term a `TermQuery` read with frequencies
/// inside a `BoostQuery` of its factor. Every term is of one field.
#[derive(Clone, Debug)]
pub struct Word {
    required: Vec<Boosted>,
    optional: Vec<Boosted>,
    set: Option<StemSet>,
}

impl Word {
    /// A word whose passages hold one of `required`, scored with `optional` too.
    pub fn new(required: Vec<Boosted>, optional: Vec<Boosted>) -> Word {
        Word {
            required,
            optional,
            set: None,
        }
    }

    /// The word, matched where a segment keeps a set of its passages by that set: `set` must
    /// name the stem whose two terms are `required` (`index::stem_sets`). Its postings are then
    /// read only where a passage is scored.
    pub fn matched_by(self, set: Option<StemSet>) -> Word {
        Word { set, ..self }
    }
}

/// Where the passages of a stem may be found as sets, segment by segment.
#[derive(Clone, Debug)]
pub struct StemSet {
    /// The index's sets.
    pub sets: Arc<LazyStemSets>,
    /// The stem, as its plain term has it.
    pub stem: Box<str>,
}

impl Query for Word {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some((first, _)) = self.required.first() else {
            return Err(TantivyError::InvalidArgument(
                "a word needs a required term".into(),
            ));
        };
        let field = first.field();
        if self
            .required
            .iter()
            .chain(&self.optional)
            .any(|(t, _)| t.field() != field)
        {
            return Err(TantivyError::InvalidArgument(
                "a word's terms are of one field".into(),
            ));
        }
        let weighed = |terms: &[Boosted]| -> tantivy::Result<Vec<Weighed>> {
            terms
                .iter()
                .map(|(term, boost)| {
                    let bm25 = match enable_scoring {
                        EnableScoring::Enabled {
                            statistics_provider,
                            ..
                        } => Some(Bm25Weight::for_terms(
                            statistics_provider,
                            std::slice::from_ref(term),
                        )?),
                        EnableScoring::Disabled { .. } => None,
                    };
                    Ok(Weighed {
                        term: term.clone(),
                        bm25,
                        boost: *boost,
                    })
                })
                .collect()
        };
        let scoring = enable_scoring.is_scoring_enabled();
        Ok(Box::new(WordWeight {
            field,
            set: self.set.clone(),
            required: weighed(&self.required)?,
            // Optional terms change no match: without scores, nothing reads them.
            optional: if scoring {
                weighed(&self.optional)?
            } else {
                Vec::new()
            },
            scoring,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in self.required.iter().chain(&self.optional) {
            visitor(term, false);
        }
    }
}

/// A term with its BM25 weight over the searcher (none when nothing is scored).
struct Weighed {
    term: Term,
    bm25: Option<Bm25Weight>,
    boost: Score,
}

struct WordWeight {
    field: Field,
    set: Option<StemSet>,
    required: Vec<Weighed>,
    optional: Vec<Weighed>,
    scoring: bool,
}

impl WordWeight {
    /// The postings in `reader` of the terms of `terms` it holds, each with its weight as
    /// tantivy's `TermWeight` boosts it (`boost` from above times the term's own).
    fn members(
        &self,
        terms: &[Weighed],
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Vec<Member>> {
        let index = reader.inverted_index(self.field)?;
        let option = if self.scoring {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut members = Vec::with_capacity(terms.len());
        for t in terms {
            if let Some(postings) = index.read_postings(&t.term, option)? {
                members.push(Member {
                    postings,
                    bm25: t.bm25.as_ref().map(|w| w.boost_by(boost * t.boost)),
                });
            }
        }
        Ok(members)
    }
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self
            .set
            .as_ref()
            .and_then(|s| s.sets.get().get(reader.segment_id(), &s.stem))
            .map(|set| set.docs());
        // Matched by its set and nothing to score: no postings to read at all.
        let (required, optional) = match &set {
            Some(_) if !self.scoring => (Vec::new(), Vec::new()),
            _ => {
                let required = self.members(&self.required, reader, boost)?;
                if required.is_empty() {
                    return Ok(Box::new(EmptyScorer));
                }
                (required, self.members(&self.optional, reader, boost)?)
            }
        };
        let norms = match reader.fieldnorms_readers().get_field(self.field)? {
            Some(norms) if self.scoring => norms,
            _ => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let doc = match &set {
            Some(set) => set.doc(),
            None => required
                .iter()
                .map(|m| m.postings.doc())
                .min()
                .unwrap_or(TERMINATED),
        };
        Ok(Box::new(WordScorer {
            required,
            optional,
            norms,
            doc,
            set,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explained(self, reader, doc, "word")
    }
}

/// A term's postings in a segment and its weight there.
struct Member {
    postings: SegmentPostings,
    bm25: Option<Bm25Weight>,
}

impl Member {
    fn score(&self, fieldnorm_id: u8) -> Score {
        match &self.bm25 {
            Some(w) => w.score(fieldnorm_id, self.postings.term_freq()),
            None => 1.0,
        }
    }
}

/// The scorer of [`Word`]: its required postings, each on a document at or past `doc`, or
/// behind it when the word's passages are walked in their `set`, and sought when it scores.
struct WordScorer {
    required: Vec<Member>,
    optional: Vec<Member>,
    norms: FieldNormReader,
    doc: DocId,
    set: Option<SetDocs>,
}

impl DocSet for WordScorer {
    fn advance(&mut self) -> DocId {
        self.doc = match &mut self.set {
            Some(set) => set.advance(),
            None => union::advance(self.required.iter_mut().map(|m| &mut m.postings), self.doc),
        };
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.doc = match &mut self.set {
            Some(set) => set.seek(target),
            None => union::seek(self.required.iter_mut().map(|m| &mut m.postings), target),
        };
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let Some(set) = &mut self.set else {
            // tantivy's own: a seek, then a look.
            if target >= TERMINATED {
                return SeekDangerResult::SeekLowerBound(TERMINATED);
            }
            if self.doc < target {
                self.seek(target);
            }
            return if self.doc == target {
                SeekDangerResult::Found
            } else {
                SeekDangerResult::SeekLowerBound(self.doc)
            };
        };
        let found = set.seek_danger(target);
        if found == SeekDangerResult::Found {
            self.doc = target;
        }
        found
    }

    fn size_hint(&self) -> u32 {
        match &self.set {
            Some(set) => set.size_hint(),
            None => union::size_hint(self.required.iter().map(|m| &m.postings)),
        }
    }

    fn cost(&self) -> u64 {
        match &self.set {
            Some(set) => set.cost(),
            None => union::cost(self.required.iter().map(|m| &m.postings)),
        }
    }
}

impl Scorer for WordScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let fieldnorm_id = self.norms.fieldnorm_id(doc);
        // tantivy's order: the sum of the required terms from zero, plus that of the optional
        // ones from zero.
        let mut required: Score = 0.0;
        for m in &mut self.required {
            let mut d = m.postings.doc();
            // Walked by its set, the word's postings are sought here.
            if d < doc {
                d = m.postings.seek(doc);
            }
            if d == doc {
                required += m.score(fieldnorm_id);
            }
        }
        let mut optional: Option<Score> = None;
        for m in &mut self.optional {
            let mut d = m.postings.doc();
            if d < doc {
                d = m.postings.seek(doc);
            }
            if d == doc {
                *optional.get_or_insert(0.0) += m.score(fieldnorm_id);
            }
        }
        match optional {
            Some(optional) => required + optional,
            None => required,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tantivy::collector::Count;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::{doc, Searcher};

    use super::*;
    use crate::index::stem_sets::{Set, StemSets};
    use crate::search::union::tests::{body_index, scored};

    const WORDS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

    /// Passages of `texts` (indices into `WORDS`), over `segments` segments.
    fn searcher(texts: &[Vec<usize>], segments: usize) -> (Searcher, Field) {
        let (index, body, mut writer) = body_index();
        let per = texts.len().div_ceil(segments.max(1)).max(1);
        for chunk in texts.chunks(per) {
            for words in chunk {
                let text: Vec<&str> = words.iter().map(|&w| WORDS[w % WORDS.len()]).collect();
                writer
                    .add_document(doc!(body => text.join(" ")))
                    .expect("adds");
            }
            writer.commit().expect("commits");
        }
        let searcher = index.reader().expect("reader").searcher();
        (searcher, body)
    }

    fn boosted(field: Field, (word, boost): (&str, Score)) -> Box<dyn Query> {
        let term = TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        );
        Box::new(BoostQuery::new(Box::new(term), boost))
    }

    /// The sets of the passages of `terms` in each segment of `searcher`, kept under `stem`.
    fn sets_of(searcher: &Searcher, terms: &[Term], stem: &str) -> StemSet {
        let mut sets = StemSets::default();
        for reader in searcher.segment_readers() {
            let index = reader.inverted_index(terms[0].field()).expect("index");
            let mut docs = Vec::new();
            for term in terms {
                if let Some(mut p) = index
                    .read_postings(term, IndexRecordOption::Basic)
                    .expect("reads")
                {
                    while p.doc() != TERMINATED {
                        docs.push(p.doc());
                        p.advance();
                    }
                }
            }
            let set = Set::of(docs.into_iter(), reader.max_doc());
            sets.insert(reader.segment_id(), stem, set);
        }
        StemSet {
            sets: Arc::new(LazyStemSets::loaded(sets)),
            stem: stem.into(),
        }
    }

    /// `lead AND word` with the word as tantivy's boolean queries, as a [`Word`], and as a
    /// [`Word`] matched by the sets of its required terms' passages.
    fn both(
        searcher: &Searcher,
        field: Field,
        lead: &str,
        required: &[(&str, Score)],
        optional: &[(&str, Score)],
    ) -> [Box<dyn Query>; 3] {
        let terms = |words: &[(&str, Score)]| -> Vec<Boosted> {
            words
                .iter()
                .map(|&(w, b)| (Term::from_field_text(field, w), b))
                .collect()
        };
        let union = BooleanQuery::new(
            required
                .iter()
                .map(|&w| (Occur::Should, boosted(field, w)))
                .collect(),
        );
        let mut clauses = vec![(Occur::Must, Box::new(union) as Box<dyn Query>)];
        for &w in optional {
            clauses.push((Occur::Should, boosted(field, w)));
        }
        let conjunction = |word: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, boosted(field, (lead, 1.0))),
                (Occur::Must, word),
            ]))
        };
        let required = terms(required);
        let held: Vec<Term> = required.iter().map(|(t, _)| t.clone()).collect();
        let set = sets_of(searcher, &held, "w");
        [
            conjunction(Box::new(BooleanQuery::new(clauses))),
            conjunction(Box::new(Word::new(required.clone(), terms(optional)))),
            conjunction(Box::new(
                Word::new(required, terms(optional)).matched_by(Some(set)),
            )),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn matches_and_scores_as_tantivys_boolean_query(
            texts in prop::collection::vec(prop::collection::vec(0usize..6, 1..12), 50..400),
            segments in 1usize..4,
            lead in 0usize..6,
            required in prop::collection::vec((0usize..6, 0.5f32..3.0), 1..3),
            optional in prop::collection::vec((0usize..6, 0.2f32..2.0), 0..3),
        ) {
            let (searcher, body) = searcher(&texts, segments);
            let pick = |words: &[(usize, f32)]| -> Vec<(&str, Score)> {
                words.iter().map(|&(w, b)| (WORDS[w], b)).collect()
            };
            let (required, optional) = (pick(&required), pick(&optional));
            let [tantivys, word, by_set] =
                both(&searcher, body, WORDS[lead], &required, &optional);
            let count = |q: &dyn Query| searcher.search(q, &Count).expect("counts");
            prop_assert_eq!(count(&*word), count(&*tantivys));
            prop_assert_eq!(scored(&searcher, &*word), scored(&searcher, &*tantivys));
            prop_assert_eq!(count(&*by_set), count(&*tantivys));
            prop_assert_eq!(scored(&searcher, &*by_set), scored(&searcher, &*tantivys));
        }
    }

    #[test]
    fn a_word_of_terms_no_passage_holds_matches_nothing() {
        let texts = vec![vec![0, 1], vec![1, 2], vec![2, 3]];
        let (searcher, body) = searcher(&texts, 1);
        let word = Word::new(vec![(Term::from_field_text(body, "zzz"), 1.0)], vec![]);
        assert_eq!(searcher.search(&word, &Count).expect("counts"), 0);
        let found = Word::new(
            vec![
                (Term::from_field_text(body, "zzz"), 1.0),
                (Term::from_field_text(body, "b"), 1.0),
            ],
            vec![(Term::from_field_text(body, "c"), 2.0)],
        );
        assert_eq!(searcher.search(&found, &Count).expect("counts"), 2);
    }
}
