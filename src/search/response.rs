//! The answer to a search: hits with their text and the ranges to highlight, and facets.

use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{Figure, Policy};
use crate::index::key::Counts;
use crate::index::ReportInfo;

/// One page of hits, the total and facet counts over every match. Faces render it: the JSON
/// of the API and of `cuentas search --json` adds each hit's HTML `snippet`, built from its
/// `text`, `excerpt` and `highlights`.
#[derive(Debug, Clone)]
pub struct Response {
    /// The query as typed (trimmed).
    pub query: String,
    /// Set when the query found nothing and these hits are for this query instead: its words
    /// spelt as the reports spell them, or fewer of its words (its rarest).
    pub corrected_query: Option<String>,
    /// Set when the query found these hits as typed, but a word of it is a slip the reports
    /// also make: the query with that word spelt as the reports spell it far more often
    /// (`discapasidad` → `discapacidad`), which finds more passages. The hits stay those of the
    /// query as typed.
    pub suggested_query: Option<String>,
    /// Passages matching, over all pages.
    pub total: usize,
    /// Time the search took, in milliseconds.
    pub took_ms: f64,
    /// The page of hits, best first (report order when browsing without words).
    pub hits: Vec<Hit>,
    /// Counts over every match; each dimension counted without its own filter.
    pub facets: Facets,
}

/// One matching passage with what is needed to show and cite it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    /// Id of the report the passage belongs to.
    pub report_id: String,
    /// File, title, year, province and unit of the report; flattened into the JSON.
    #[serde(flatten)]
    pub info: ReportInfo,
    /// The report id and the passage's ordinal (`7392a04fe1206fbf-0004`).
    pub passage_id: String,
    /// 1-based page, `null` when the source has no pages.
    pub page: Option<u32>,
    /// Character span `[start, end)` of the passage in the report's text.
    #[schema(value_type = Vec<u64>)]
    pub span: (usize, usize),
    /// Equality policies the passage is about.
    pub policies: Vec<Policy>,
    /// The whole passage text, plain (not HTML).
    pub text: String,
    /// Byte range `[start, end)` of `text` to show as the hit's excerpt, cut at word
    /// boundaries; text left out before or after it is shown as `…` (not part of `text`).
    #[schema(value_type = Vec<u64>)]
    pub excerpt: (usize, usize),
    /// Byte ranges `[start, end)` of `text` (UTF-8) that the query matched, inside `excerpt`, in
    /// order, not overlapping, at character boundaries; empty when browsing. In a table row,
    /// the figures whose column header the query matched are marked too.
    #[schema(value_type = Vec<Vec<u64>>)]
    pub highlights: Vec<(usize, usize)>,
    /// Figures of the passage; their byte ranges point into `text`.
    pub figures: Vec<Figure>,
    /// Relevance: the query's score times the passage's ranking weight, 0 when browsing; only
    /// comparable within one response.
    pub score: f32,
    /// The passage was read by OCR from a scan: check its figures against the document.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ocr: bool,
    /// Tesseract's mean word confidence (0 to 1), for a passage read by OCR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<f32>,
}

/// Counts per facet value, by dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Facets {
    /// Passages per reported year.
    pub year: Vec<FacetValue>,
    /// Passages per province (`Nacional` included).
    pub province: Vec<FacetValue>,
    /// Passages per equality policy.
    pub policy: Vec<FacetValue>,
}

/// One facet value: `value` is what filters take, `label` what people read.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacetValue {
    /// The filter value (`2021`, `Manabí`, `movilidad_humana`).
    pub value: String,
    /// The name shown (`Movilidad humana`).
    pub label: String,
    /// Matching passages with this value.
    pub count: u64,
}

impl Facets {
    /// Takes the counts of `dim` from `other`.
    pub(crate) fn replace(&mut self, dim: super::Dimension, other: Facets) {
        match dim {
            super::Dimension::Year => self.year = other.year,
            super::Dimension::Province => self.province = other.province,
            super::Dimension::Policy => self.policy = other.policy,
        }
    }

    /// The facets of one collecting pass; `province` names province ids.
    pub(crate) fn from_counts<'a>(c: &Counts, province: impl Fn(u8) -> Option<&'a str>) -> Facets {
        let mut year: Vec<FacetValue> = c
            .years
            .iter()
            .filter(|(&y, &n)| y > 0 && n > 0)
            .map(|(y, &count)| FacetValue {
                value: y.to_string(),
                label: y.to_string(),
                count,
            })
            .collect();
        year.sort_by(|a, b| b.value.cmp(&a.value));
        let mut provinces: Vec<FacetValue> = c
            .provinces
            .iter()
            .enumerate()
            .filter(|(id, &n)| *id > 0 && n > 0)
            .filter_map(|(id, &count)| {
                let name = province(u8::try_from(id).ok()?)?;
                Some(FacetValue {
                    value: name.to_string(),
                    label: name.to_string(),
                    count,
                })
            })
            .collect();
        provinces.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let policy = Policy::ALL
            .iter()
            .zip(c.policies)
            .filter(|(_, n)| *n > 0)
            .map(|(p, count)| FacetValue {
                value: p.slug().to_string(),
                label: p.label().to_string(),
                count,
            })
            .collect();
        Facets {
            year,
            province: provinces,
            policy,
        }
    }
}
