//! Every field of the passage index, in one place, with why it is indexed, stored or fast.
//!
//! One tantivy document is one passage; its report's metadata rides along so that filters and
//! facets need no join.

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};

use crate::analysis;
use crate::extract::FigureKind;

/// Handles to the fields of [`schema`].
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Report id: a raw term, to list a report's passages; stored to join with report metadata.
    pub report_id: Field,
    /// Position of the passage in its report: fast, to order a report's passages; stored.
    pub ordinal: Field,
    /// Year, province, policies and ranking weight packed in one number (see `key`): fast, read
    /// once per matching passage to rank it and count it in the facets.
    pub key: Field,
    /// The passage text, with positions for phrases, through one analyzer that gives each word's
    /// exact folded form (marked) and, when it differs, its stem at the same position
    /// (`analysis::ExactAndStem`): stems match, exact forms and phrases rank first. Stored for
    /// snippets and display.
    pub body: Field,
    /// Facets `/year/2021`, `/province/Manabí`, `/policy/genero`: filters and counts.
    pub facets: Field,
    /// Reported year: fast and indexed, for ranges and sorting; not stored (the report has it).
    pub year: Field,
    /// 1-based page, stored (0 = none).
    pub page: Field,
    /// Start of the passage's character span in its report's text: stored.
    pub span_start: Field,
    /// End (exclusive) of that span: stored.
    pub span_end: Field,
    /// Policy slugs of the passage, space-separated: stored for display (facets are not stored).
    pub policies: Field,
    /// Character span in the report's text of each figure of the passage, `start << 32 | end`:
    /// stored. The figures themselves are read again from the passage text when shown (the
    /// same extraction, so the same figures in the same order): far smaller than storing them.
    pub figure_spans: Field,
    /// Each figure's value, in the column of its kind (`figure_usd`, `figure_percent`,
    /// `figure_count`): multi-valued fast fields, so that figure search counts and ranks
    /// passages by range and kind without reading stored text. Passages with figures of a kind
    /// also carry the facet `/figure/<kind>`, to find them without a scan.
    pub figure_usd: Field,
    /// Values of the passage's percentages (see `figure_usd`).
    pub figure_percent: Field,
    /// Values of the passage's counts (see `figure_usd`).
    pub figure_count: Field,
    /// For a table row: the header of each of its cells, joined by U+001F (stored; empty for
    /// prose). Figures in the row are labelled with it when shown.
    pub columns: Field,
    /// OCR confidence (0 to 1) of a passage read by OCR: stored, absent otherwise.
    pub ocr: Field,
}

/// Builds the schema and returns it with its field handles.
pub fn schema() -> (Schema, Fields) {
    let mut sb = Schema::builder();
    let body = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::BODY)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        report_id: sb.add_text_field("report_id", STRING | STORED),
        ordinal: sb.add_u64_field("ordinal", STORED | FAST),
        key: sb.add_u64_field("key", FAST),
        body: sb.add_text_field("body", body),
        facets: sb.add_facet_field("facets", FacetOptions::default()),
        year: sb.add_u64_field("year", INDEXED | FAST),
        page: sb.add_u64_field("page", STORED),
        span_start: sb.add_u64_field("span_start", STORED),
        span_end: sb.add_u64_field("span_end", STORED),
        policies: sb.add_text_field("policies", STORED),
        figure_spans: sb.add_u64_field("figure_spans", STORED),
        figure_usd: sb.add_f64_field(figure_column(FigureKind::Usd), FAST),
        figure_percent: sb.add_f64_field(figure_column(FigureKind::Percent), FAST),
        figure_count: sb.add_f64_field(figure_column(FigureKind::Count), FAST),
        columns: sb.add_text_field("columns", STORED),
        ocr: sb.add_f64_field("ocr", STORED),
    };
    (sb.build(), fields)
}

/// Name of the column of figure values of `kind`.
pub fn figure_column(kind: FigureKind) -> &'static str {
    match kind {
        FigureKind::Usd => "figure_usd",
        FigureKind::Percent => "figure_percent",
        FigureKind::Count => "figure_count",
    }
}

/// The facet of passages holding a figure of `kind` (`/figure/usd`), or any figure (`/figure`).
pub fn figure_facet(kind: Option<FigureKind>) -> Facet {
    match kind {
        Some(k) => Facet::from_path(["figure", k.as_str()]),
        None => Facet::from_path(["figure"]),
    }
}

impl Fields {
    /// The column field of figure values of `kind`.
    pub fn figure_field(&self, kind: FigureKind) -> Field {
        match kind {
            FigureKind::Usd => self.figure_usd,
            FigureKind::Percent => self.figure_percent,
            FigureKind::Count => self.figure_count,
        }
    }

    /// Looks the fields up by name in an opened index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            report_id: f("report_id")?,
            ordinal: f("ordinal")?,
            key: f("key")?,
            body: f("body")?,
            facets: f("facets")?,
            year: f("year")?,
            page: f("page")?,
            span_start: f("span_start")?,
            span_end: f("span_end")?,
            policies: f("policies")?,
            figure_spans: f("figure_spans")?,
            figure_usd: f(figure_column(FigureKind::Usd))?,
            figure_percent: f(figure_column(FigureKind::Percent))?,
            figure_count: f(figure_column(FigureKind::Count))?,
            columns: f("columns")?,
            ocr: f("ocr")?,
        })
    }
}
