//! One report whole: its metadata, its text as read from the source file, and every passage
//! with its page and span, highlighted for a query when one is given.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};
use utoipa::ToSchema;

use super::highlight::Highlighter;
use super::query;
use super::{escape_html, SearchError};
use crate::extract::{Figure, MetadataEvidence, Policy};
use crate::index::{Engine, ReportMeta};
use crate::ingest;

/// A report's metadata as the API and the CLI list it (no server paths).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportSummary {
    pub report_id: String,
    pub source: String,
    pub title: String,
    pub year: Option<i32>,
    pub province: Option<String>,
    pub unit: Option<String>,
    pub passages: usize,
    pub figures: usize,
    /// What decided the year, province and unit: quote, character span, confidence.
    pub evidence: MetadataEvidence,
}

impl From<&ReportMeta> for ReportSummary {
    fn from(m: &ReportMeta) -> Self {
        ReportSummary {
            report_id: m.report_id.clone(),
            source: m.source.clone(),
            title: m.title.clone(),
            year: m.year,
            province: m.province.clone(),
            unit: m.unit.clone(),
            passages: m.passages,
            figures: m.figures,
            evidence: m.evidence.clone(),
        }
    }
}

/// Every indexed report, in corpus order.
pub fn reports(engine: &Engine) -> Vec<ReportSummary> {
    engine.reports().iter().map(ReportSummary::from).collect()
}

/// A report with its passages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportDetail {
    pub report: ReportSummary,
    /// The full text as read from the source file, or `None` when the file is gone or changed
    /// since indexing (then `text_error` says why).
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_error: Option<String>,
    pub passages: Vec<PassageView>,
}

/// A passage of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassageView {
    pub passage_id: String,
    pub ordinal: u64,
    pub page: Option<u32>,
    /// Character span `[start, end)` in the report's text.
    #[schema(value_type = Vec<u64>)]
    pub span: (usize, usize),
    pub policies: Vec<Policy>,
    pub text: String,
    /// HTML-escaped text with `<mark>` around the words of the query.
    pub html: String,
    /// Whether the query matched in this passage.
    pub matched: bool,
    pub figures: Vec<Figure>,
}

/// The report `id`, with passages highlighted for `q` (may be empty).
pub fn report_detail(engine: &Engine, id: &str, q: &str) -> Result<ReportDetail, SearchError> {
    let meta = engine
        .report(id)
        .cloned()
        .ok_or_else(|| SearchError::NotFound(format!("no report with id {id:?}")))?;
    let (text, text_error) = read_text(&meta);

    let searcher = engine.searcher();
    let f = &engine.fields;
    let by_report = TermQuery::new(
        Term::from_field_text(f.report_id, id),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(
        &by_report,
        &TopDocs::with_limit(meta.passages.max(1)).order_by_score(),
    )?;
    let highlighter = match query::build(
        &query::parse(q)?,
        super::query::TextFields::of(&engine.fields),
    ) {
        Some(text_query) => Some(Highlighter::new(
            &searcher,
            &*text_query,
            f.body,
            usize::MAX >> 1,
        )?),
        None => None,
    };
    let mut passages = Vec::with_capacity(top.len());
    for (_, address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        let p = engine.stored_passage(&doc);
        let (html, matched) = match &highlighter {
            Some(h) => h.whole(&p.text),
            None => (escape_html(&p.text), false),
        };
        passages.push(PassageView {
            passage_id: p.passage_id,
            ordinal: p.ordinal,
            page: p.page,
            span: p.span,
            policies: p.policies,
            html,
            matched,
            figures: p.figures,
            text: p.text,
        });
    }
    passages.sort_by_key(|p| p.ordinal);
    Ok(ReportDetail {
        report: ReportSummary::from(&meta),
        text,
        text_error,
        passages,
    })
}

/// Reads the report's text again from its source, checking it is the text that was indexed.
fn read_text(meta: &ReportMeta) -> (Option<String>, Option<String>) {
    let root = meta.path.parent().unwrap_or(&meta.path);
    match ingest::read(&meta.path, root) {
        Ok(doc) if crate::extract::report_id(&doc.text) == meta.report_id => (Some(doc.text), None),
        Ok(_) => (
            None,
            Some(format!(
                "{} changed since it was indexed: run `cuentas index` again",
                meta.source
            )),
        ),
        Err(e) => (None, Some(format!("cannot read {}: {e}", meta.source))),
    }
}
