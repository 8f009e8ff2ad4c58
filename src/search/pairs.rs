//! A phrase matched on its word pairs (`analysis::pairs`), scored as the phrase of its stems.
//!
//! A quoted phrase of frequent words matched word by word reads, in every passage holding all
//! its words, the positions of each: at 1 GB `"seguro social campesino"` read them in 194,000
//! passages, most of a 30 ms query. Its pairs (`segur social`, `social campesin`) are terms of
//! their own: a phrase of two words is one pair's postings, and a longer one the pairs that
//! follow one another, position by position.
//!
//! A phrase whose function words are left out (`"Políticas públicas de género"`, see
//! `search::query`) has gaps: its words side by side are matched by their pairs, and a word
//! with no neighbour to pair with by its stem in the body, each at its place in the phrase
//! (`polit public` at 0, `gener` at 3).
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

/// A phrase of stems, matched by its pairs (and by the stems of words with no neighbour to
/// pair with).
#[derive(Clone, Debug)]
pub struct PairPhrase {
    /// The terms the phrase is matched by, each with its place in the phrase (that of its
    /// first word): pair terms, and body terms of words left unpaired.
    pieces: Vec<(Term, u32)>,
    /// One body term per word matched: the stem term whose weight scores the phrase, as in
    /// the phrase of stems it stands for.
    stems: Vec<Term>,
    /// Every body term that may have matched (plain and marked stems), for highlighting.
    shown: Vec<Term>,
}

impl PairPhrase {
    /// The phrase matched by `pieces` (terms at their places, at least one), scored with the
    /// body terms `stems` (one per word matched, at least two), which with `shown` are the
    /// terms a hit highlights.
    pub fn new(pieces: Vec<(Term, u32)>, stems: Vec<Term>, shown: Vec<Term>) -> PairPhrase {
        PairPhrase {
            pieces,
            stems,
            shown,
        }
    }
}

impl Query for PairPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let (false, Some(stem)) = (self.pieces.is_empty(), self.stems.first()) else {
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
            pieces: self.pieces.clone(),
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
    pieces: Vec<(Term, u32)>,
    body: Field,
    bm25: Option<Bm25Weight>,
}

impl Weight for PairWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let option = match (self.pieces.len(), &self.bm25) {
            (1, None) => IndexRecordOption::Basic,
            (1, Some(_)) => IndexRecordOption::WithFreqs,
            _ => IndexRecordOption::WithFreqsAndPositions,
        };
        let mut postings = Vec::with_capacity(self.pieces.len());
        for (term, place) in &self.pieces {
            let index = reader.inverted_index(term.field())?;
            match index.read_postings(term, option)? {
                Some(p) => postings.push((p, *place)),
                None => return Ok(Box::new(EmptyScorer)),
            }
        }
        let norms = match reader.fieldnorms_readers().get_field(self.body)? {
            Some(norms) => norms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let bm25 = self.bm25.as_ref().map(|w| w.boost_by(boost));
        Ok(match <[(SegmentPostings, u32); 1]>::try_from(postings) {
            Ok([(postings, _)]) => Box::new(OnePair {
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

/// A phrase of several pieces: each at its place, from where the phrase starts.
struct PairChain {
    /// The pieces' postings, the one in fewest passages first, which leads.
    postings: Vec<SegmentPostings>,
    /// Where each piece stands from the first's: its place less that of the first.
    from_first: Vec<i64>,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    /// Times the phrase occurs in `doc`.
    count: u32,
    /// Positions of the first piece where the phrase may stand, narrowed piece by piece.
    starts: Vec<u32>,
    /// Positions of the piece being read.
    here: Vec<u32>,
}

impl PairChain {
    fn new(
        mut postings: Vec<(SegmentPostings, u32)>,
        norms: FieldNormReader,
        bm25: Option<Bm25Weight>,
    ) -> PairChain {
        // The rarest piece leads: every other is sought at its passages.
        if let Some(rarest) = (0..postings.len()).min_by_key(|&i| postings[i].0.doc_freq()) {
            postings.swap(0, rarest);
        }
        let first = postings.first().map_or(0, |p| i64::from(p.1));
        let from_first = postings.iter().map(|p| i64::from(p.1) - first).collect();
        let mut chain = PairChain {
            postings: postings.into_iter().map(|p| p.0).collect(),
            from_first,
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

    /// The first document from `candidate` on where every piece stands in place.
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

    /// Times the pieces stand at their places in the document every postings stands on.
    fn occurrences(&mut self) -> u32 {
        self.postings[0].positions(&mut self.starts);
        for (i, p) in self.postings.iter_mut().enumerate().skip(1) {
            p.positions(&mut self.here);
            let here = &self.here;
            let from_first = self.from_first[i];
            let mut j = 0;
            self.starts.retain(|&start| {
                // A piece before the first at a start near the text's beginning: not there.
                let Ok(want) = u32::try_from(i64::from(start) + from_first) else {
                    return false;
                };
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
