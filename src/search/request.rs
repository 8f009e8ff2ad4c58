//! A search request: what people typed ([`RawRequest`]) and what the core runs ([`Request`]).
//! The one conversion between them validates every value and says what is accepted.

use std::ops::RangeInclusive;

use super::query::{self, Item};
use super::SearchError;
use crate::extract::overrides::canonical_province;
use crate::extract::{Gazetteer, Policy};

/// Hits per page when none is asked for.
pub const DEFAULT_LIMIT: usize = 10;
/// Most hits per page.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset served (deeper pages cost memory for nothing a person reads).
pub const MAX_OFFSET: usize = 100_000;

/// Parameters as typed on the command line or in a URL, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawRequest {
    /// The query (syntax in `query`); none or empty lists passages matching the filters.
    pub q: Option<String>,
    /// Years, one per entry or comma-separated (`2020,2021`); any of them matches.
    pub year: Vec<String>,
    /// Provinces in any case, with or without accents, or `nacional`; comma-separated too.
    pub province: Vec<String>,
    /// Policy slugs or labels (`movilidad_humana`); comma-separated too.
    pub policy: Vec<String>,
    /// Hits per page, 0 to [`MAX_LIMIT`]; none = [`DEFAULT_LIMIT`].
    pub limit: Option<String>,
    /// Hits to skip, 0 to `MAX_OFFSET` (100 000); none = 0.
    pub offset: Option<String>,
}

/// A validated search request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The query as typed (trimmed).
    pub query: String,
    /// The parsed query: words, phrases, exclusions, alternatives, figures.
    pub items: Vec<Item>,
    /// Years to keep (1950 to 2100); empty = any.
    pub years: Vec<i32>,
    /// Proper names (`Manabí`) or `Nacional`.
    pub provinces: Vec<String>,
    /// Policies to keep; empty = any.
    pub policies: Vec<Policy>,
    /// Hits per page, at most [`MAX_LIMIT`].
    pub limit: usize,
    /// Hits skipped before the page, at most `MAX_OFFSET`.
    pub offset: usize,
    /// Stops the work when set (a deadline, a caller gone); never set unless a face sets it.
    pub cancel: super::Cancel,
}

/// Everything that makes a request's response what it is (all of [`Request`] but its cancel
/// token): two requests with equal keys get the same response from one index generation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestKey {
    query: String,
    years: Vec<i32>,
    provinces: Vec<String>,
    policies: Vec<Policy>,
    limit: usize,
    offset: usize,
}

impl Request {
    /// The key of this request's response, for caching it.
    pub fn key(&self) -> RequestKey {
        // Named field by field, so that a field added to `Request` must be decided on here.
        let Request {
            query,
            items: _, // parsed from `query`
            years,
            provinces,
            policies,
            limit,
            offset,
            cancel: _,
        } = self;
        RequestKey {
            query: query.clone(),
            years: years.clone(),
            provinces: provinces.clone(),
            policies: policies.clone(),
            limit: *limit,
            offset: *offset,
        }
    }

    /// Whether the request filters on `dim`.
    pub fn has_filter(&self, dim: super::Dimension) -> bool {
        match dim {
            super::Dimension::Year => !self.years.is_empty(),
            super::Dimension::Province => !self.provinces.is_empty(),
            super::Dimension::Policy => !self.policies.is_empty(),
        }
    }

    /// A request for `q` with no filters and the default page.
    pub fn new(q: &str) -> Result<Request, SearchError> {
        Request::from_raw(&RawRequest {
            q: Some(q.to_string()),
            ..RawRequest::default()
        })
    }

    /// Validates `raw`: every error names the parameter, the value and what is accepted.
    pub fn from_raw(raw: &RawRequest) -> Result<Request, SearchError> {
        let query = raw.q.as_deref().unwrap_or("").trim().to_string();
        let items = query::parse(&query)?;
        let years = raw
            .year
            .iter()
            .flat_map(|v| split_list(v))
            .map(|v| parse_year(&v))
            .collect::<Result<_, _>>()?;
        let provinces = raw
            .province
            .iter()
            .flat_map(|v| split_list(v))
            .map(|v| {
                canonical_province(&v, gazetteer()).ok_or_else(|| SearchError::BadParameter {
                    name: "province",
                    value: v.clone(),
                    expected: "a province of Ecuador (any case, with or without accents, e.g. manabi) or nacional".into(),
                })
            })
            .collect::<Result<_, _>>()?;
        let policies = raw
            .policy
            .iter()
            .flat_map(|v| split_list(v))
            .map(|v| {
                Policy::parse(&v).ok_or_else(|| SearchError::BadParameter {
                    name: "policy",
                    value: v.clone(),
                    expected: "one of intercultural, generacional, discapacidades, genero, movilidad_humana".into(),
                })
            })
            .collect::<Result<_, _>>()?;
        let limit = parse_count("limit", raw.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
        let offset = parse_count("offset", raw.offset.as_deref(), 0, MAX_OFFSET)?;
        Ok(Request {
            query,
            items,
            years,
            provinces,
            policies,
            limit,
            offset,
            cancel: super::Cancel::never(),
        })
    }
}

/// `2020,2021` in one parameter counts as two values.
fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_year(v: &str) -> Result<i32, SearchError> {
    v.parse::<i32>()
        .ok()
        .filter(|y| (1950..=2100).contains(y))
        .ok_or_else(|| SearchError::BadParameter {
            name: "year",
            value: v.to_string(),
            expected: "a year with four digits, e.g. 2021".into(),
        })
}

/// A count parameter (`limit`, `offset`): `default` when absent, refused with what is
/// accepted when negative, not a number or over `max`.
pub fn parse_count(
    name: &'static str,
    v: Option<&str>,
    default: usize,
    max: usize,
) -> Result<usize, SearchError> {
    parse_count_in(name, v, default, 0..=max)
}

/// A count parameter that must lie in `range`: `default` when absent, refused with what is
/// accepted when outside it or not a number.
pub fn parse_count_in(
    name: &'static str,
    v: Option<&str>,
    default: usize,
    range: RangeInclusive<usize>,
) -> Result<usize, SearchError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    let (min, max) = (*range.start(), *range.end());
    let bad = |expected: String| SearchError::BadParameter {
        name,
        value: v.to_string(),
        expected,
    };
    let whole = || format!("a whole number from {min} to {max}");
    match v.parse::<i64>() {
        Ok(n) if n < 0 && min == 0 => Err(bad("it cannot be negative".into())),
        Ok(n) if n < 0 || (n as u64) < min as u64 => Err(bad(whole())),
        Ok(n) if n as u64 > max as u64 => Err(bad(format!("at most {max}"))),
        Ok(n) => Ok(n as usize),
        Err(_) => Err(bad(whole())),
    }
}

fn gazetteer() -> &'static Gazetteer {
    Gazetteer::shared()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawRequest {
        RawRequest::default()
    }

    #[test]
    fn counts_in_a_range_refuse_what_is_outside_it() {
        let limit =
            |v: &str| parse_count_in("limit", Some(v), 10, 1..=10).map_err(|e| e.to_string());
        assert_eq!(limit(" 3 "), Ok(3));
        assert_eq!(limit(""), Ok(10), "absent is the default");
        for v in ["0", "-1", "x"] {
            assert_eq!(
                limit(v),
                Err(format!("invalid limit {v:?}: a whole number from 1 to 10"))
            );
        }
        assert_eq!(limit("11"), Err("invalid limit \"11\": at most 10".into()));
        assert_eq!(
            parse_count("offset", Some("-2"), 0, 5).map_err(|e| e.to_string()),
            Err("invalid offset \"-2\": it cannot be negative".into())
        );
    }

    #[test]
    fn filters_accept_any_case_and_accents() {
        let r = Request::from_raw(&RawRequest {
            province: vec!["manabi".into(), "MANABÍ".into(), "nacional".into()],
            policy: vec!["Género".into(), "movilidad-humana".into()],
            year: vec!["2020,2021".into()],
            ..raw()
        })
        .expect("valid");
        assert_eq!(r.provinces, ["Manabí", "Manabí", "Nacional"]);
        assert_eq!(r.policies, [Policy::Genero, Policy::MovilidadHumana]);
        assert_eq!(r.years, [2020, 2021]);
    }

    #[test]
    fn bad_values_name_the_parameter_and_what_it_accepts() {
        for (r, needle) in [
            (
                RawRequest {
                    year: vec!["abc".into()],
                    ..raw()
                },
                "year",
            ),
            (
                RawRequest {
                    province: vec!["Atlántida".into()],
                    ..raw()
                },
                "province",
            ),
            (
                RawRequest {
                    policy: vec!["deporte".into()],
                    ..raw()
                },
                "policy",
            ),
            (
                RawRequest {
                    limit: Some("100000".into()),
                    ..raw()
                },
                "at most 100",
            ),
            (
                RawRequest {
                    offset: Some("-1".into()),
                    ..raw()
                },
                "negative",
            ),
            (
                RawRequest {
                    limit: Some("diez".into()),
                    ..raw()
                },
                "whole number",
            ),
        ] {
            let err = Request::from_raw(&r).expect_err("must fail");
            assert!(
                err.to_string().contains(needle),
                "{err} should mention {needle}"
            );
            assert!(err.is_caller_error());
        }
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let r = Request::from_raw(&raw()).expect("valid");
        assert_eq!((r.limit, r.offset), (DEFAULT_LIMIT, 0));
        assert!(r.items.is_empty());
    }
}
