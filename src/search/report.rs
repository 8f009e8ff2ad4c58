//! One report whole: its metadata, its text as read from the source file, and every passage
//! with its page, span and the ranges a query matched when one is given. Source files are
//! read once per index generation and kept in a [`TextCache`] bounded in bytes.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;
use utoipa::ToSchema;

use super::cache::ByteLru;
use super::highlight::Highlighter;
use super::query;
use super::{Cancel, SearchError};
use crate::extract::{Figure, MetadataEvidence, Policy};
use crate::index::{Engine, ReportInfo, ReportMeta};
use crate::ingest;

/// A report's metadata as the API and the CLI list it (no server paths).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportSummary {
    /// Stable id from the report's content (16 hex digits).
    pub report_id: String,
    /// File, title, year, province and unit; flattened into the JSON.
    #[serde(flatten)]
    pub info: ReportInfo,
    /// Number of passages.
    pub passages: usize,
    /// Number of figures found in its passages.
    pub figures: usize,
    /// What decided the year, province and unit: quote, character span, confidence.
    pub evidence: MetadataEvidence,
}

impl From<&ReportMeta> for ReportSummary {
    fn from(m: &ReportMeta) -> Self {
        ReportSummary {
            report_id: m.report_id.clone(),
            info: m.info.clone(),
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

/// A report with its passages. Faces render it: the API's JSON adds each passage's `html`,
/// built from its `text` and `highlights`.
#[derive(Debug, Clone)]
pub struct ReportDetail {
    /// The report's metadata.
    pub report: ReportSummary,
    /// The full text as read from the source file, or `None` when the file is gone or changed
    /// since indexing (then `text_error` says why).
    pub text: Option<String>,
    /// Why `text` is `None`, for the reader.
    pub text_error: Option<String>,
    /// Every passage of the report, in order.
    pub passages: Vec<PassageView>,
}

/// A passage of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassageView {
    /// The report id and the ordinal (`7392a04fe1206fbf-0004`).
    pub passage_id: String,
    /// Ordinal within the report, from 0.
    pub ordinal: u64,
    /// 1-based page, `null` when the source has no pages.
    pub page: Option<u32>,
    /// Character span `[start, end)` in the report's text.
    #[schema(value_type = Vec<u64>)]
    pub span: (usize, usize),
    /// Equality policies the passage is about.
    pub policies: Vec<Policy>,
    /// The passage text, plain (not HTML).
    pub text: String,
    /// Byte ranges `[start, end)` of `text` (UTF-8) that the query matched, in order, not
    /// overlapping, at character boundaries.
    #[schema(value_type = Vec<Vec<u64>>)]
    pub highlights: Vec<(usize, usize)>,
    /// Whether the query matched in this passage.
    pub matched: bool,
    /// Figures of the passage; their byte ranges point into `text`.
    pub figures: Vec<Figure>,
}

/// The report `id`, with passages highlighted for `q` (may be empty). Its text comes from
/// `cache`, read from the source file only on the first view of this index generation.
pub fn report_detail(
    engine: &Engine,
    id: &str,
    q: &str,
    cache: &TextCache,
    cancel: &Cancel,
) -> Result<ReportDetail, SearchError> {
    let meta = engine
        .report(id)
        .ok_or_else(|| SearchError::NotFound(format!("no report with id {id:?}")))?;
    let source = cache.get_or_read(&engine.path, id, || read_text(&meta, &engine.path));
    let (text, text_error) = (*source).clone();
    cancel.check()?;

    let searcher = engine.searcher();
    let f = &engine.fields;
    let by_report = TermQuery::new(
        Term::from_field_text(f.report_id, id),
        IndexRecordOption::Basic,
    );
    let top = super::search_with(
        &searcher,
        &by_report,
        TopDocs::with_limit(meta.passages.max(1)).order_by_score(),
        cancel,
        None,
    )?;
    let items = query::parse(q)?;
    let highlighter = match query::build(
        &items,
        super::query::TextFields::of(&engine.fields, &searcher),
    ) {
        Some(text_query) => Some(
            Highlighter::new(&searcher, &*text_query, f.body, usize::MAX >> 1)?
                .with_amounts(query::rounded_amounts(&items)),
        ),
        None => None,
    };
    let mut passages = Vec::with_capacity(top.len());
    for (_, address) in top {
        cancel.check()?;
        let p = engine.passage(address)?;
        let (highlights, matched) = match &highlighter {
            Some(h) => h.whole(&p.text, &p.figures),
            None => (Vec::new(), false),
        };
        passages.push(PassageView {
            passage_id: p.passage_id,
            ordinal: p.ordinal,
            page: p.page,
            span: p.span,
            policies: p.policies,
            highlights,
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
fn read_text(meta: &ReportMeta, generation: &std::path::Path) -> (Option<String>, Option<String>) {
    let root = meta.path.parent().unwrap_or(&meta.path);
    // Scans come from the OCR cache the build filled, beside the generation.
    let reader = ingest::Reader::default().with_ocr(ingest::OcrSettings {
        cache: generation
            .parent()
            .map(|index| index.join(crate::index::store::OCR_CACHE_DIR)),
        ..ingest::OcrSettings::default()
    });
    match reader.read(&meta.path, root) {
        Ok(doc) if crate::extract::report_id(&doc.text) == meta.report_id => (Some(doc.text), None),
        Ok(_) => (
            None,
            Some(format!(
                "{} changed since it was indexed: run `cuentas index` again",
                meta.info.source
            )),
        ),
        Err(e) => (None, Some(format!("cannot read {}: {e}", meta.info.source))),
    }
}

/// A report's text as read from its source: the text, or why it could not be had.
pub type SourceText = (Option<String>, Option<String>);

/// Report texts read from their source files, least recently viewed dropped first once the
/// texts kept pass a size in bytes. Keyed by index generation and report, so a rebuilt index
/// reads its files again.
pub struct TextCache {
    texts: ByteLru<(PathBuf, String), SourceText>,
}

fn size_of(t: &SourceText) -> usize {
    t.0.as_ref().map_or(0, String::len) + t.1.as_ref().map_or(0, String::len) + 64
}

impl TextCache {
    /// A cache holding at most about `max_bytes` of text (a text larger than that is not kept).
    pub fn new(max_bytes: usize) -> TextCache {
        TextCache {
            texts: ByteLru::new(max_bytes),
        }
    }

    /// Bytes of text held now.
    pub fn bytes(&self) -> usize {
        self.texts.bytes()
    }

    /// The text of report `id` in index generation `generation`, read with `read` when not
    /// held. The lock is not held while reading, so two first views of one report may both
    /// read it.
    pub fn get_or_read(
        &self,
        generation: &std::path::Path,
        id: &str,
        read: impl FnOnce() -> SourceText,
    ) -> Arc<SourceText> {
        let key = (generation.to_path_buf(), id.to_string());
        if let Some(text) = self.texts.get(&key) {
            return text;
        }
        let text = Arc::new(read());
        self.texts.insert(key, Arc::clone(&text), size_of(&text));
        text
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;

    use super::*;

    #[test]
    fn a_cached_text_is_read_once_and_the_least_recent_goes_first() {
        let cache = TextCache::new(3 * (100 + 64));
        let reads = Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            (Some("x".repeat(100)), None)
        };
        let generation = Path::new("gen-1");
        for id in ["a", "b", "a", "c", "a"] {
            cache.get_or_read(generation, id, read);
        }
        assert_eq!(reads.get(), 3, "a, b and c are each read once");
        cache.get_or_read(generation, "d", read);
        assert!(cache.bytes() <= 3 * (100 + 64));
        cache.get_or_read(generation, "a", read);
        assert_eq!(reads.get(), 4, "a was viewed last and is still held");
        cache.get_or_read(generation, "b", read);
        assert_eq!(
            reads.get(),
            5,
            "b was the least recently viewed and was dropped"
        );
        cache.get_or_read(Path::new("gen-2"), "a", read);
        assert_eq!(reads.get(), 6, "a new generation reads its files again");
    }
}
