//! One pass over the matching passages: the page of best hits, the total and the facet counts.
//!
//! Each matching passage costs one read of its packed key (`index::key`): its ranking weight
//! multiplies its score, and its year, province and policies are counted. tantivy's separate
//! `TopDocs`, `Count` and `FacetCollector` would read three columns and walk facet terms.
//! Without a page to fill (counts only, or browsing), no score is computed at all.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::key::{PassageKey, MAX_PROVINCES};

/// Name of the packed key's fast field.
const KEY_FIELD: &str = "key";

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
    pub total: usize,
    /// Passages by year.
    pub years: BTreeMap<u16, u64>,
    /// Passages by province id (index = id; 0 = none).
    pub provinces: [u64; MAX_PROVINCES + 1],
    /// Passages by policy, in the order of `Policy::ALL`.
    pub policies: [u64; 5],
}

impl Collected {
    fn add(&mut self, other: &Collected) {
        self.total += other.total;
        for (y, n) in &other.years {
            *self.years.entry(*y).or_default() += n;
        }
        for (a, b) in self.provinces.iter_mut().zip(other.provinces) {
            *a += b;
        }
        for (a, b) in self.policies.iter_mut().zip(other.policies) {
            *a += b;
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
        let keys = reader
            .fast_fields()
            .u64(KEY_FIELD)?
            .first_or_default_col(PassageKey::default_packed());
        let wanted = if self.limit == 0 {
            0
        } else {
            self.limit + self.offset
        };
        Ok(SegmentPassages {
            segment,
            keys,
            wanted,
            ranked: self.ranked,
            best: Best::new(wanted),
            in_order: Vec::new(),
            years: vec![0; 4096],
            counts: Collected::default(),
            buffer: Vec::new(),
            pending_docs: Vec::with_capacity(BATCH),
            pending_scores: Vec::with_capacity(BATCH),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.ranked && self.limit > 0
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut all = Collected::default();
        let mut top = Vec::new();
        for f in &fruits {
            all.add(f);
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
    /// Passages by year, indexed by year.
    years: Vec<u64>,
    counts: Collected,
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
            let key = PassageKey::unpack(packed);
            self.count(key);
            let score = self.pending_scores[i] * f32::from(key.weight) / 100.0;
            self.best.offer(score, self.pending_docs[i], ());
        }
        self.pending_docs.clear();
        self.pending_scores.clear();
        self.buffer = buffer;
    }

    #[inline]
    fn count(&mut self, key: PassageKey) {
        self.counts.total += 1;
        self.years[usize::from(key.year)] += 1;
        self.counts.provinces[usize::from(key.province)] += 1;
        let mut bits = key.policies;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            if let Some(n) = self.counts.policies.get_mut(i) {
                *n += 1;
            }
            bits &= bits - 1;
        }
    }
}

impl SegmentCollector for SegmentPassages {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.ranked && self.wanted > 0 {
            self.pending_docs.push(doc);
            self.pending_scores.push(score);
            if self.pending_docs.len() == BATCH {
                self.flush();
            }
            return;
        }
        let key = PassageKey::unpack(self.keys.get_val(doc));
        self.count(key);
        if self.wanted > 0 && self.in_order.len() < self.wanted {
            self.in_order.push(doc);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.buffer.resize(docs.len(), 0);
        let mut buffer = std::mem::take(&mut self.buffer);
        self.keys.get_vals(docs, &mut buffer);
        for (&doc, &key) in docs.iter().zip(&buffer) {
            self.count(PassageKey::unpack(key));
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
        self.counts.top = top;
        self.counts.years = self
            .years
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(y, &n)| (y as u16, n))
            .collect();
        self.counts
    }
}
