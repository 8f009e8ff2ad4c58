//! The passages a figure search reads, with how many of their figures it asks for, found from
//! fast-field columns without reading a stored passage.
//!
//! Every passage stores its figures' values in one multi-valued column per kind
//! (`index::schema`). A passage's count is the number of values in the asked-for kinds' columns
//! within `[min, max]`; passages with none are dropped. The collector keeps the best `wanted`
//! passages (by score, or in index order when nothing scores) and the sum of every count, so a
//! page of figures and its total cost one column read per matching passage, and only the
//! passages of the page shown are read from the store. A segment's column whose smallest and
//! largest values both lie in range is counted from its index alone, without decoding a value.
//!
//! Listed by value (`FigureValues`), the collector keeps the first figures themselves (a value
//! and its passage, largest or smallest first) instead of passages, from the same columns.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::amount::AmountRange;
use super::collect::Best;
use crate::extract::FigureKind;
use crate::index::schema::figure_column;

/// Which figures count: ranges of values and a kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct FigureFilter {
    pub ranges: Ranges,
    /// Only this kind; `None` = every kind.
    pub kind: Option<FigureKind>,
}

/// Most ranges of values a filter holds.
pub const MAX_RANGES: usize = 4;

/// Ranges of values, each inclusive at both ends: one, the `min` and `max` asked for, or a few,
/// the amounts a query asks for as rounded (`4,8 millones`, each of its readings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranges {
    len: usize,
    ranges: [AmountRange; MAX_RANGES],
}

/// A range not in use.
const NO_RANGE: AmountRange = AmountRange {
    lo: 0.0,
    at: 0.0,
    hi: 0.0,
};

impl Default for Ranges {
    /// Every value.
    fn default() -> Ranges {
        Ranges::between(None, None)
    }
}

impl Ranges {
    /// The values from `min` to `max`, an open end infinite.
    pub fn between(min: Option<f64>, max: Option<f64>) -> Ranges {
        let (lo, hi) = (
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        let mut ranges = [NO_RANGE; MAX_RANGES];
        ranges[0] = AmountRange {
            lo,
            at: lo / 2.0 + hi / 2.0,
            hi,
        };
        Ranges { len: 1, ranges }
    }

    /// The values of any of `ranges` (at most [`MAX_RANGES`]; `None` when more) that lie
    /// from `min` to `max`. A range outside them is left out, so the set may be empty.
    pub fn any_of(ranges: &[AmountRange], min: Option<f64>, max: Option<f64>) -> Option<Ranges> {
        if ranges.len() > MAX_RANGES {
            return None;
        }
        let asked = Ranges::between(min, max).ranges[0];
        let mut out = Ranges {
            len: 0,
            ranges: [NO_RANGE; MAX_RANGES],
        };
        for &r in ranges {
            let (lo, hi) = (r.lo.max(asked.lo), r.hi.min(asked.hi));
            if lo <= hi {
                out.ranges[out.len] = AmountRange { lo, at: r.at, hi };
                out.len += 1;
            }
        }
        Some(out)
    }

    /// Whether `v` lies in a range.
    #[inline]
    pub fn holds(&self, v: f64) -> bool {
        self.ranges[..self.len].iter().any(|r| r.holds(v))
    }

    /// How far `v` is from the value of the nearest range's amount (the middle of `min` and
    /// `max`), relative to that value.
    fn distance(&self, v: f64) -> f64 {
        self.ranges[..self.len]
            .iter()
            .map(|r| (v - r.at).abs() / r.at.abs().max(f64::MIN_POSITIVE))
            .fold(f64::INFINITY, f64::min)
    }

    /// Whether one range holds every value from `lo` to `hi`.
    fn holds_all(&self, lo: f64, hi: f64) -> bool {
        self.ranges[..self.len]
            .iter()
            .any(|r| r.lo <= lo && hi <= r.hi)
    }
}

/// Which figures count, and how many passages to keep.
#[derive(Debug, Clone, Copy)]
pub struct FigurePassages {
    pub filter: FigureFilter,
    /// Passages to keep, best first; `usize::MAX` keeps every matching passage.
    pub wanted: usize,
    /// Rank by score; otherwise index order (a query without words scores nothing).
    pub ranked: bool,
}

/// A matching passage with the number of its figures in range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counted {
    pub score: Score,
    pub address: DocAddress,
    /// Figures of the passage within range and kind.
    pub figures: u32,
}

/// What the collector found.
#[derive(Debug, Default)]
pub struct Found {
    /// The best passages, best first.
    pub passages: Vec<Counted>,
    /// Figures within range and kind over every matching passage.
    pub total: usize,
}

impl FigureFilter {
    /// The columns of the kinds asked for in one segment, each with whether every value of it
    /// lies in range.
    fn columns(&self, reader: &SegmentReader) -> tantivy::Result<Vec<(Column<f64>, bool)>> {
        let kinds = match self.kind {
            Some(k) => vec![k],
            None => FigureKind::ALL.to_vec(),
        };
        let mut columns = Vec::new();
        for kind in kinds {
            // A segment without a figure of this kind has no column for it.
            if let Some(c) = reader
                .fast_fields()
                .column_opt::<f64>(figure_column(kind))?
            {
                // The column knows its smallest and largest values: when the range holds both,
                // a passage's count is the number of its values, and no value need be read.
                let all_in = self.ranges.holds_all(c.min_value(), c.max_value());
                columns.push((c, all_in));
            }
        }
        Ok(columns)
    }
}

impl Collector for FigurePassages {
    type Fruit = Found;
    type Child = SegmentFigurePassages;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFigurePassages> {
        Ok(SegmentFigurePassages {
            segment,
            columns: self.filter.columns(reader)?,
            ranges: self.filter.ranges,
            wanted: self.wanted,
            best: Best::new(self.wanted),
            in_order: Vec::new(),
            total: 0,
            block_counts: Vec::new(),
            doc_buf: Vec::new(),
            row_buf: Vec::new(),
            value_buf: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.ranked
    }

    fn merge_fruits(&self, fruits: Vec<Found>) -> tantivy::Result<Found> {
        let mut all = Found::default();
        for f in fruits {
            all.total += f.total;
            all.passages.extend(f.passages);
        }
        all.passages.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.address.cmp(&b.address))
        });
        all.passages.truncate(self.wanted);
        Ok(all)
    }
}

/// The collector of one segment.
pub struct SegmentFigurePassages {
    segment: SegmentOrdinal,
    /// The columns of the kinds asked for, each with whether every value of it is in range.
    columns: Vec<(Column<f64>, bool)>,
    ranges: Ranges,
    wanted: usize,
    best: Best<u32>,
    in_order: Vec<(DocId, u32)>,
    total: usize,
    /// Buffers of `collect_block`, kept between blocks.
    block_counts: Vec<u32>,
    doc_buf: Vec<DocId>,
    row_buf: Vec<u32>,
    value_buf: Vec<f64>,
}

impl SegmentFigurePassages {
    /// Figures of `doc` within range, in the kinds asked for.
    #[inline]
    fn count(&self, doc: DocId) -> u32 {
        self.columns
            .iter()
            .map(|(c, all_in)| {
                if *all_in {
                    c.index.value_row_ids(doc).len() as u32
                } else {
                    c.values_for_doc(doc)
                        .filter(|&v| self.ranges.holds(v))
                        .count() as u32
                }
            })
            .sum()
    }
}

impl SegmentCollector for SegmentFigurePassages {
    type Fruit = Found;

    fn collect(&mut self, doc: DocId, score: Score) {
        let n = self.count(doc);
        if n == 0 {
            return;
        }
        self.total += n as usize;
        self.best.offer(score, doc, n);
    }

    /// A block of matching passages in index order: row ids and values are read in batches,
    /// one column at a time, and counted per passage only while the page still needs them.
    fn collect_block(&mut self, docs: &[DocId]) {
        let per_doc = self.in_order.len() < self.wanted;
        if per_doc {
            self.block_counts.clear();
            self.block_counts.resize(docs.len(), 0);
        }
        let ranges = self.ranges;
        for (column, all_in) in &self.columns {
            self.doc_buf.clear();
            self.row_buf.clear();
            column
                .index
                .docids_to_rowids(docs, &mut self.doc_buf, &mut self.row_buf);
            let all_in = *all_in;
            if all_in && !per_doc {
                self.total += self.row_buf.len();
                continue;
            }
            self.value_buf.clear();
            if !all_in {
                self.value_buf.resize(self.row_buf.len(), 0.0);
                column.values.get_vals(&self.row_buf, &mut self.value_buf);
            }
            if !per_doc {
                let values = self.value_buf.iter();
                self.total += values.filter(|&&v| ranges.holds(v)).count();
                continue;
            }
            let in_range = |k: usize| all_in || ranges.holds(self.value_buf[k]);
            // Both lists ascend: walk them together.
            let mut i = 0;
            for (k, &doc) in self.doc_buf.iter().enumerate() {
                while docs.get(i).is_some_and(|&d| d != doc) {
                    i += 1;
                }
                if let Some(n) = self.block_counts.get_mut(i).filter(|_| in_range(k)) {
                    *n += 1;
                }
            }
        }
        if per_doc {
            for (&doc, &n) in docs.iter().zip(&self.block_counts) {
                if n == 0 {
                    continue;
                }
                self.total += n as usize;
                if self.in_order.len() < self.wanted {
                    self.in_order.push((doc, n));
                }
            }
        }
    }

    fn harvest(self) -> Found {
        let segment = self.segment;
        let mut passages: Vec<Counted> = self
            .best
            .into_vec()
            .map(|(score, doc, figures)| Counted {
                score,
                address: DocAddress::new(segment, doc),
                figures,
            })
            .collect();
        passages.extend(self.in_order.into_iter().map(|(doc, figures)| Counted {
            score: 0.0,
            address: DocAddress::new(segment, doc),
            figures,
        }));
        Found {
            passages,
            total: self.total,
        }
    }
}

/// Which figures come first when figures are listed by value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ByValue {
    Largest,
    Smallest,
    /// Nearest the middle of one of the ranges (the amounts a query rounds), relatively.
    Nearest(Ranges),
}

impl ByValue {
    /// What orders `value`: the greatest comes first.
    #[inline]
    pub fn key(self, value: f64) -> f64 {
        match self {
            ByValue::Largest => value,
            ByValue::Smallest => -value,
            ByValue::Nearest(ranges) => -ranges.distance(value),
        }
    }
}

/// The figures of matching passages by value: the first `wanted` of them (largest or smallest
/// first), and how many there are in all, read from the figure columns alone.
#[derive(Debug, Clone, Copy)]
pub struct FigureValues {
    pub filter: FigureFilter,
    pub order: ByValue,
    /// Figures to keep; `usize::MAX` keeps every one.
    pub wanted: usize,
}

/// One figure in a column: its value and its passage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Valued {
    pub value: f64,
    pub address: DocAddress,
}

/// What `FigureValues` found.
#[derive(Debug, Default)]
pub struct FoundValues {
    /// The first figures, in order; equal values in index order.
    pub figures: Vec<Valued>,
    /// Figures within range and kind over every matching passage.
    pub total: usize,
}

/// A kept figure, ordered so that the greatest is the one to drop first.
#[derive(Debug, Clone, Copy)]
struct Kept {
    /// What orders the value ([`ByValue::key`]): the largest key is the best.
    key: f64,
    value: f64,
    address: DocAddress,
}

impl Ord for Kept {
    fn cmp(&self, other: &Kept) -> std::cmp::Ordering {
        other
            .key
            .total_cmp(&self.key)
            .then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Kept) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Kept {
    fn eq(&self, other: &Kept) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Kept {}

/// The best `wanted` figures seen; the worst of them on top of the heap.
#[derive(Debug)]
struct KeptValues {
    heap: std::collections::BinaryHeap<Kept>,
    wanted: usize,
    order: ByValue,
}

impl KeptValues {
    fn new(order: ByValue, wanted: usize) -> KeptValues {
        KeptValues {
            heap: std::collections::BinaryHeap::new(),
            wanted,
            order,
        }
    }

    #[inline]
    fn offer(&mut self, value: f64, address: DocAddress) {
        if self.wanted == 0 {
            return;
        }
        let kept = Kept {
            key: self.order.key(value),
            value,
            address,
        };
        if self.heap.len() < self.wanted {
            self.heap.push(kept);
        } else if self.heap.peek().is_some_and(|worst| kept < *worst) {
            self.heap.pop();
            self.heap.push(kept);
        }
    }

    /// The figures kept, best first.
    fn into_sorted(self) -> Vec<Valued> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|k| Valued {
                value: k.value,
                address: k.address,
            })
            .collect()
    }
}

impl Collector for FigureValues {
    type Fruit = FoundValues;
    type Child = SegmentFigureValues;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFigureValues> {
        Ok(SegmentFigureValues {
            segment,
            columns: self.filter.columns(reader)?,
            ranges: self.filter.ranges,
            kept: KeptValues::new(self.order, self.wanted),
            total: 0,
            doc_buf: Vec::new(),
            row_buf: Vec::new(),
            value_buf: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FoundValues>) -> tantivy::Result<FoundValues> {
        let mut kept = KeptValues::new(self.order, self.wanted);
        let mut total = 0;
        for f in fruits {
            total += f.total;
            for v in f.figures {
                kept.offer(v.value, v.address);
            }
        }
        Ok(FoundValues {
            figures: kept.into_sorted(),
            total,
        })
    }
}

/// The collector of one segment.
pub struct SegmentFigureValues {
    segment: SegmentOrdinal,
    columns: Vec<(Column<f64>, bool)>,
    ranges: Ranges,
    kept: KeptValues,
    total: usize,
    /// Buffers of `collect_block`, kept between blocks.
    doc_buf: Vec<DocId>,
    row_buf: Vec<u32>,
    value_buf: Vec<f64>,
}

impl SegmentCollector for SegmentFigureValues {
    type Fruit = FoundValues;

    /// Nothing is scored: a passage is a block of one.
    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    /// A block of matching passages: each column's values are read in one batch.
    fn collect_block(&mut self, docs: &[DocId]) {
        for (column, all_in) in &self.columns {
            self.doc_buf.clear();
            self.row_buf.clear();
            column
                .index
                .docids_to_rowids(docs, &mut self.doc_buf, &mut self.row_buf);
            self.value_buf.clear();
            self.value_buf.resize(self.row_buf.len(), 0.0);
            column.values.get_vals(&self.row_buf, &mut self.value_buf);
            for (&doc, &v) in self.doc_buf.iter().zip(&self.value_buf) {
                if *all_in || self.ranges.holds(v) {
                    self.total += 1;
                    self.kept.offer(v, DocAddress::new(self.segment, doc));
                }
            }
        }
    }

    fn harvest(self) -> FoundValues {
        FoundValues {
            figures: self.kept.into_sorted(),
            total: self.total,
        }
    }
}
