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

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::collect::Best;
use crate::extract::FigureKind;
use crate::index::schema::figure_column;

/// Which figures count, and how many passages to keep.
#[derive(Debug, Clone, Copy)]
pub struct FigurePassages {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Only this kind; `None` = every kind.
    pub kind: Option<FigureKind>,
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

impl FigurePassages {
    fn kinds(&self) -> Vec<FigureKind> {
        match self.kind {
            Some(k) => vec![k],
            None => FigureKind::ALL.to_vec(),
        }
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
        let (min, max) = (
            self.min.unwrap_or(f64::NEG_INFINITY),
            self.max.unwrap_or(f64::INFINITY),
        );
        let mut columns = Vec::new();
        for kind in self.kinds() {
            // A segment without a figure of this kind has no column for it.
            if let Some(c) = reader
                .fast_fields()
                .column_opt::<f64>(figure_column(kind))?
            {
                // The column knows its smallest and largest values: when the range holds both,
                // a passage's count is the number of its values, and no value need be read.
                let all_in = c.min_value() >= min && c.max_value() <= max;
                columns.push((c, all_in));
            }
        }
        Ok(SegmentFigurePassages {
            segment,
            columns,
            min,
            max,
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
    min: f64,
    max: f64,
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
        let (min, max) = (self.min, self.max);
        self.columns
            .iter()
            .map(|(c, all_in)| {
                if *all_in {
                    c.index.value_row_ids(doc).len() as u32
                } else {
                    c.values_for_doc(doc)
                        .filter(|&v| v >= min && v <= max)
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
        let (min, max) = (self.min, self.max);
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
                self.total += values.filter(|v| (min..=max).contains(*v)).count();
                continue;
            }
            let in_range = |k: usize| all_in || (min..=max).contains(&self.value_buf[k]);
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
