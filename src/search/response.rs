//! The answer to a search, in the JSON shape of the public contract (DESIGN.md).

use serde::Serialize;
use tantivy::collector::FacetCounts;
use utoipa::ToSchema;

use super::Buckets;
use crate::extract::{Figure, Policy};

/// One page of hits, the total and facet counts over every match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Response {
    pub query: String,
    /// Set when the query found nothing and these hits are for this spelling instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<String>,
    /// Passages matching, over all pages.
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// One matching passage with what is needed to show and cite it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    pub report_id: String,
    pub source: String,
    pub title: String,
    pub year: Option<i32>,
    pub province: Option<String>,
    pub unit: Option<String>,
    pub passage_id: String,
    pub page: Option<u32>,
    /// Character span `[start, end)` of the passage in the report's text.
    #[schema(value_type = Vec<u64>)]
    pub span: (usize, usize),
    pub policies: Vec<Policy>,
    pub text: String,
    /// HTML-escaped passage excerpt with `<mark>` around matched words.
    pub snippet: String,
    pub figures: Vec<Figure>,
    pub score: f32,
}

/// Counts per facet value, by dimension.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Facets {
    pub year: Vec<FacetValue>,
    pub province: Vec<FacetValue>,
    pub policy: Vec<FacetValue>,
}

/// One facet value: `value` is what filters take, `label` what people read.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
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

    pub(crate) fn from_counts(counts: &FacetCounts) -> Facets {
        let dim = |root: &str| -> Buckets {
            counts
                .get(root)
                .filter_map(|(facet, n)| {
                    let path = facet.to_path();
                    path.last().map(|last| (last.to_string(), n))
                })
                .collect()
        };
        let mut year: Vec<FacetValue> = dim("/year")
            .into_iter()
            .map(|(v, count)| FacetValue {
                label: v.clone(),
                value: v,
                count,
            })
            .collect();
        year.sort_by(|a, b| b.value.cmp(&a.value));
        let mut province: Vec<FacetValue> = dim("/province")
            .into_iter()
            .map(|(v, count)| FacetValue {
                label: v.clone(),
                value: v,
                count,
            })
            .collect();
        province.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let policies = dim("/policy");
        let policy = Policy::ALL
            .iter()
            .filter_map(|p| {
                policies.get(p.slug()).map(|&count| FacetValue {
                    value: p.slug().to_string(),
                    label: p.label().to_string(),
                    count,
                })
            })
            .collect();
        Facets {
            year,
            province,
            policy,
        }
    }
}
