//! A phrase matched on its word pairs (`analysis::pairs`), scored as the phrase of its stems.
//!
//! A quoted phrase of frequent words matched word by word reads, in every passage holding all
//! its words, the positions of each: at 1 GB `"seguro social campesino"` read them in 194,000
//! passages, most of a 30 ms query. Its pairs (`segur social`, `social campesin`) are terms of
//! their own: a phrase of two words is one pair's postings, and a longer one the pairs that
//! follow one another, position by position.
//!
//! It matches what the phrase of the words' stems matches, and scores as tantivy scores that
//! phrase: BM25 over the body's lengths, with the sum of the stems' weights and the number of
//! times the phrase occurs.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use super::union::explained;

/// A phrase of stems, matched by its pairs.
#[derive(Clone, Debug)]
pub struct PairPhrase {
    /// The pair terms of the phrase, in order: one fewer than its words.
    pairs: Vec<Term>,
    /// One body term per word: the stem term whose weight scores the phrase, as in the phrase
    /// of stems it stands for.
    stems: Vec<Term>,
    /// Every body term that may have matched (plain and marked stems), for highlighting.
    shown: Vec<Term>,
}

impl PairPhrase {
    /// The phrase whose pair terms are `pairs`, scored with the body terms `stems` (one per
    /// word, at least two), which with `shown` are the terms a hit highlights.
    pub fn new(pairs: Vec<Term>, stems: Vec<Term>, shown: Vec<Term>) -> PairPhrase {
        PairPhrase {
            pairs,
            stems,
            shown,
        }
    }
}

impl Query for PairPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let (Some(first), Some(stem)) = (self.pairs.first(), self.stems.first()) else {
            return Err(TantivyError::InvalidArgument(
                "a phrase of pairs needs two words".into(),
            ));
        };
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.stems)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PairWeight {
            pairs: self.pairs.clone(),
            pairs_field: first.field(),
            body: stem.field(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.shown {
            visitor(term, true);
        }
    }
}

struct PairWeight {
    pairs: Vec<Term>,
    pairs_field: Field,
    body: Field,
    bm25: Option<Bm25Weight>,
}

impl Weight for PairWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let index = reader.inverted_index(self.pairs_field)?;
        let option = match (self.pairs.len(), &self.bm25) {
            (1, None) => IndexRecordOption::Basic,
            (1, Some(_)) => IndexRecordOption::WithFreqs,
            _ => IndexRecordOption::WithFreqsAndPositions,
        };
        let mut postings = Vec::with_capacity(self.pairs.len());
        for term in &self.pairs {
            match index.read_postings(term, option)? {
                Some(p) => postings.push(p),
                None => return Ok(Box::new(EmptyScorer)),
            }
        }
        let norms = match reader.fieldnorms_readers().get_field(self.body)? {
            Some(norms) => norms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let bm25 = self.bm25.as_ref().map(|w| w.boost_by(boost));
        Ok(match <[SegmentPostings; 1]>::try_from(postings) {
            Ok([postings]) => Box::new(OnePair {
                postings,
                norms,
                bm25,
            }),
            Err(postings) => Box::new(PairChain::new(postings, norms, bm25)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explained(self, reader, doc, "phrase by word pairs")
    }
}

/// A phrase of two words: one pair's postings.
struct OnePair {
    postings: SegmentPostings,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for OnePair {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.postings.doc() >= target {
            return self.postings.doc();
        }
        self.postings.seek(target)
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; tantivy::COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        self.postings.fill_buffer(buffer)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }

    fn cost(&self) -> u64 {
        self.postings.cost()
    }
}

impl Scorer for OnePair {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(
                self.norms.fieldnorm_id(self.postings.doc()),
                self.postings.term_freq(),
            ),
            None => 1.0,
        }
    }
}

/// A phrase of three words or more: its pairs at consecutive positions.
struct PairChain {
    postings: Vec<SegmentPostings>,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    /// Times the phrase occurs in `doc`.
    count: u32,
    /// Positions where the phrase may start, narrowed pair by pair.
    starts: Vec<u32>,
    /// Positions of the pair being read.
    here: Vec<u32>,
}

impl PairChain {
    fn new(
        postings: Vec<SegmentPostings>,
        norms: FieldNormReader,
        bm25: Option<Bm25Weight>,
    ) -> PairChain {
        let mut chain = PairChain {
            postings,
            norms,
            bm25,
            doc: TERMINATED,
            count: 0,
            starts: Vec::new(),
            here: Vec::new(),
        };
        let first = chain.postings[0].doc();
        chain.doc = chain.align(first);
        chain
    }

    /// The first document from `candidate` on where every pair stands in place.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        'next: loop {
            if candidate == TERMINATED {
                return TERMINATED;
            }
            for i in 1..self.postings.len() {
                let p = &mut self.postings[i];
                let at = if p.doc() >= candidate {
                    p.doc()
                } else {
                    p.seek(candidate)
                };
                if at > candidate {
                    candidate = self.postings[0].seek(at);
                    continue 'next;
                }
            }
            self.count = self.occurrences();
            if self.count > 0 {
                return candidate;
            }
            candidate = self.postings[0].advance();
        }
    }

    /// Times the pairs follow one another in the document every postings stands on.
    fn occurrences(&mut self) -> u32 {
        self.postings[0].positions(&mut self.starts);
        for (i, p) in self.postings.iter_mut().enumerate().skip(1) {
            p.positions(&mut self.here);
            let here = &self.here;
            let mut j = 0;
            self.starts.retain(|&start| {
                let want = start + i as u32;
                while j < here.len() && here[j] < want {
                    j += 1;
                }
                j < here.len() && here[j] == want
            });
            if self.starts.is_empty() {
                return 0;
            }
        }
        self.starts.len() as u32
    }
}

impl DocSet for PairChain {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.postings[0].advance();
        self.doc = self.align(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let next = self.postings[0].seek(target);
        self.doc = self.align(next);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(|p| p.size_hint())
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for PairChain {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.norms.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}
