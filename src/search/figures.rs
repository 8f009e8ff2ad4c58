//! Figure search: the figures of matching passages, by value, range and kind, each with what a
//! citation needs (report, file, page, span, the sentence quoted).
//!
//! Passages are found as in text search (a figure in the query matches every written form,
//! through the analyzer), narrowed to those holding a figure of the kind and range asked for by
//! the figure columns (`figure_passages`); then the figures of the passages shown are read
//! again from their text and filtered one by one. Results stream to a sink, so an export has no
//! cap.
//!
//! Modes, reported in the response:
//! - `all`: no figure in the query; every figure of the matching passages;
//! - `value`: the query holds figures (`4803665.69`); only figures of that value, however written;
//! - `rounded`: every figure of the query is an amount with a scale word (`4,8 millones`,
//!   `9 mil`), as the press rounds or cuts them: the figures that round to it (4,750,000 to
//!   4,850,000) or, written to three digits or more, cut to it, found by the figure columns,
//!   the query's other words selecting the passages;
//! - `exact`: the query is one quoted figure (`"4'803.665,69"`); only that surface form.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use super::amount::AmountRange;
use serde::Serialize;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};
use utoipa::ToSchema;

use super::figure_passages::{
    ByValue, FigureFilter, FigurePassages, FigureValues, Found, FoundValues, Ranges, Valued,
};
use super::{with_filters, RawRequest, Request, SearchError};
use crate::analysis::numbers;
use crate::analysis::text::{ceil_boundary, floor_boundary};
use crate::extract::{Figure, FigureKind};
use crate::index::schema::figure_facet;
use crate::index::{Engine, ReportInfo};

/// Longest sentence quoted, in characters, around the figure.
const MAX_SENTENCE_CHARS: usize = 400;

/// Parameters as typed, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawFigureRequest {
    /// Query and filters; its `limit` and `offset` are ignored (figures page on their own).
    pub search: RawRequest,
    /// Smallest value, in any written format (`1'000.000`, `1e6`, `1 millón`).
    pub min: Option<String>,
    /// Largest value, in any written format; at least `min`.
    pub max: Option<String>,
    /// Figure kind: `usd`, `percent` or `count` (or a synonym such as `%`).
    pub kind: Option<String>,
    /// Figures per page; none = every figure.
    pub limit: Option<String>,
    /// Figures to skip, for the next page; none = 0.
    pub offset: Option<String>,
    /// Order: `passages` (none), `largest` or `smallest`.
    pub sort: Option<String>,
}

/// Most figures in one JSON page (exports stream every figure instead).
pub const MAX_FIGURE_LIMIT: usize = 10_000;

/// How the query selected figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureMode {
    /// No figure in the query: every figure of the matching passages.
    All,
    /// The query holds figures: only figures of those values, however written.
    Value,
    /// Every figure of the query is an amount with a scale word (`4,8 millones`), or every one
    /// a percentage (`91 %`): the figures that round or cut to it at the digits written
    /// (4,750,000 to 4,850,000; 90.5 % to 91.5 %).
    Rounded,
    /// The query is one quoted figure: only that surface form.
    Exact,
}

impl FigureMode {
    /// Whether the figure columns alone say which figures are asked for: no value of the
    /// query is to be matched against each figure's reading of its text.
    fn columns_decide(self) -> bool {
        matches!(self, FigureMode::All | FigureMode::Rounded)
    }
}

/// The order figures are listed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureOrder {
    /// By passage: the best passages first (index order without words), each passage's
    /// figures in the order they stand.
    #[default]
    Passages,
    /// The largest value first; equal values in index order (by report as indexed, then as
    /// they stand in it).
    Largest,
    /// The smallest value first; equal values in index order.
    Smallest,
    /// The value nearest the amount asked for first, relatively; equal distances in index
    /// order. The order of `rounded` mode unless another is asked for.
    Nearest,
}

impl FigureOrder {
    /// `passages`, `largest` or `smallest`, in any case.
    pub fn parse(s: &str) -> Option<FigureOrder> {
        match s.trim().to_lowercase().as_str() {
            "passages" => Some(FigureOrder::Passages),
            "largest" => Some(FigureOrder::Largest),
            "smallest" => Some(FigureOrder::Smallest),
            _ => None,
        }
    }
}

/// A validated figure search.
#[derive(Debug, Clone)]
pub struct FigureRequest {
    /// Query and filters that select passages; its own `limit` and `offset` are unused.
    pub search: Request,
    /// Smallest value kept, inclusive.
    pub min: Option<f64>,
    /// Largest value kept, inclusive.
    pub max: Option<f64>,
    /// Only figures of this kind; `None` = any. Percentages when not given and every figure of
    /// the query is written as one (`15%`).
    pub kind: Option<FigureKind>,
    /// How the query selects figures, decided from the query.
    pub mode: FigureMode,
    /// Values asked for in `value` mode.
    pub values: Vec<f64>,
    /// The values that round to the amounts asked for in `rounded` mode, within `min` and
    /// `max`; from `min` to `max` otherwise.
    pub ranges: Ranges,
    /// The surface form asked for in `exact` mode.
    pub exact: Option<String>,
    /// Figures per page; `None` = all.
    pub limit: Option<usize>,
    /// Figures skipped before the page.
    pub offset: usize,
    /// The order figures are listed in.
    pub order: FigureOrder,
    /// The kind and order as asked for, before the query said more: what a request with
    /// another query starts from.
    asked: (Option<FigureKind>, Option<FigureOrder>),
}

impl FigureRequest {
    /// Validates `raw`: every error names the parameter, the value and what is accepted.
    pub fn from_raw(raw: &RawFigureRequest) -> Result<FigureRequest, SearchError> {
        let search = Request::from_raw(&RawRequest {
            limit: None,
            offset: None,
            ..raw.search.clone()
        })?;
        let limit = match raw
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(l) => Some(super::request::parse_count(
                "limit",
                Some(l),
                0,
                MAX_FIGURE_LIMIT,
            )?),
        };
        let offset =
            super::request::parse_count("offset", raw.offset.as_deref(), 0, usize::MAX >> 1)?;
        let amount = |name, v| optional(name, v, numbers::parse_amount, AMOUNT_EXPECTED);
        let min = amount("min", &raw.min)?;
        let max = amount("max", &raw.max)?;
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                return Err(SearchError::BadParameter {
                    name: "max",
                    value: b.to_string(),
                    expected: format!("at least min ({a})"),
                });
            }
        }
        let kind = optional(
            "kind",
            &raw.kind,
            FigureKind::parse,
            "usd, percent or count",
        )?;
        let order = optional(
            "sort",
            &raw.sort,
            FigureOrder::parse,
            "passages, largest or smallest",
        )?;
        let bounds = Bounds {
            min,
            max,
            limit,
            offset,
        };
        FigureRequest::of_search(search, bounds, (kind, order))
    }

    /// The figure search of `search`'s query, within `bounds`, of the kind and order `asked`
    /// for: what its figures (values, percentages, rounded amounts, a quoted form) select.
    fn of_search(
        search: Request,
        bounds: Bounds,
        asked: (Option<FigureKind>, Option<FigureOrder>),
    ) -> Result<FigureRequest, SearchError> {
        let Bounds {
            min,
            max,
            limit,
            offset,
        } = bounds;
        let (kind, order) = asked;
        let q = search.query.trim().to_string();
        let quoted =
            q.len() >= 2 && q.starts_with('"') && q.ends_with('"') && q.matches('"').count() == 2;
        let inner = q.trim_matches('"').trim();
        let QueryFigures {
            values: query_values,
            percent,
            rounded,
        } = values_in(inner);
        // A figure written as a percentage asks for percentages: `15%` is not 15 salaries.
        let kind = kind.or(percent.then_some(FigureKind::Percent));
        // Amounts as the press rounds them, outside a phrase: the rest of the query selects
        // the passages, the figure columns the values.
        let rounded = rounded.filter(|_| !q.contains('"')).and_then(|r| {
            let ranges = Ranges::any_of(&r.ranges, min, max)?;
            Some((ranges, r.without, r.money, r.compared))
        });
        // Amounts with a currency ask for money, as passage search does (`search::amount`).
        let money = rounded.as_ref().is_some_and(|(_, _, money, _)| *money);
        // A bound (`más de 4 millones`) lists the largest first: no value is nearer than another.
        let compared = rounded
            .as_ref()
            .is_some_and(|(_, _, _, compared)| *compared);
        let kind = kind.or(money.then_some(FigureKind::Usd));
        let mut search = search;
        let between = Ranges::between(min, max);
        let (mode, exact, ranges) = if quoted && !query_values.is_empty() && is_one_figure(inner) {
            (FigureMode::Exact, Some(inner.to_string()), between)
        } else if let Some((ranges, without, _, _)) = rounded {
            search.items = super::query::parse(&without)?;
            (FigureMode::Rounded, None, ranges)
        } else if !query_values.is_empty() {
            (FigureMode::Value, None, between)
        } else {
            (FigureMode::All, None, between)
        };
        Ok(FigureRequest {
            search,
            min,
            max,
            kind,
            mode,
            values: query_values,
            ranges,
            exact,
            limit,
            offset,
            order: order.unwrap_or(match mode {
                FigureMode::Rounded if compared => FigureOrder::Largest,
                FigureMode::Rounded => FigureOrder::Nearest,
                _ => FigureOrder::Passages,
            }),
            asked,
        })
    }

    /// This request with the query `q` (the query typed, respelt) in place of its own, read
    /// afresh (`4,8 milones` spelt `4,8 millones` is an amount to round); its filters, bounds
    /// and what was asked of kind and order stay.
    fn with_query(&self, q: &str) -> Result<FigureRequest, SearchError> {
        let mut search = self.search.clone();
        search.query = q.to_string();
        search.items = super::query::parse(q)?;
        let bounds = Bounds {
            min: self.min,
            max: self.max,
            limit: self.limit,
            offset: self.offset,
        };
        FigureRequest::of_search(search, bounds, self.asked)
    }

    /// The order by value asked for, if any.
    fn by_value(&self) -> Option<ByValue> {
        match self.order {
            FigureOrder::Passages => None,
            FigureOrder::Largest => Some(ByValue::Largest),
            FigureOrder::Smallest => Some(ByValue::Smallest),
            FigureOrder::Nearest => Some(ByValue::Nearest(self.ranges)),
        }
    }

    /// The range and kind asked for, as the figure columns take them.
    fn filter(&self) -> FigureFilter {
        FigureFilter {
            ranges: self.ranges,
            kind: self.kind,
        }
    }

    /// Whether `f` (found in `passage_text`) is asked for.
    fn accepts(&self, f: &Figure, passage_text: &str) -> bool {
        if !self.ranges.holds(f.value) || self.kind.is_some_and(|k| k != f.kind) {
            return false;
        }
        let same = |v: f64| {
            self.values
                .iter()
                .any(|q| (q - v).abs() <= 1e-9 * q.abs().max(1.0))
        };
        // A number in a table of millions is found by its amount and as it is written.
        let factor = f.table.as_ref().map_or(1.0, |t| t.factor());
        let written = |v: f64| factor != 1.0 && same(v / factor);
        // An amount with cents is found by its whole amount too, as the index finds it.
        let whole = |v: f64| numbers::whole_amounts(v).any(same);
        match self.mode {
            FigureMode::All | FigureMode::Rounded => true,
            FigureMode::Value => {
                same(f.value)
                    || f.alt_value.is_some_and(same)
                    || written(f.value)
                    || f.alt_value.is_some_and(written)
                    || whole(f.value)
                    || f.alt_value.is_some_and(whole)
            }
            FigureMode::Exact => self.exact.as_deref().is_some_and(|surface| {
                f.text.contains(surface)
                    || passage_text
                        .get(f.start..f.end)
                        .is_some_and(|s| s.contains(surface))
            }),
        }
    }
}

/// The bounds of a figure search: of the values kept, and of the page.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: Option<f64>,
    max: Option<f64>,
    limit: Option<usize>,
    offset: usize,
}

/// What `min` and `max` take.
const AMOUNT_EXPECTED: &str =
    "an amount such as 1000000, 1'000.000, 1.000.000,50, 1e6 or \"1 millón\"";

/// The parameter `name` of value `v`, if given, as `parse` reads it; a value it cannot read is
/// an error that says what is `expected`.
fn optional<T>(
    name: &'static str,
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, SearchError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| SearchError::BadParameter {
            name,
            value: s.to_string(),
            expected: expected.into(),
        }),
    }
}

/// The figures of a query: every value its numbers can have (both readings of an ambiguous
/// one), whether each of them is a percentage (`15%`, `15 por ciento`), and, when each is an
/// amount with a scale word, or each a percentage, the values that round to them.
#[derive(Debug)]
struct QueryFigures {
    values: Vec<f64>,
    percent: bool,
    rounded: Option<RoundedAmounts>,
}

/// Amounts written with a scale word (`4,8 millones`, `USD 9 mil`, `$1.5M`), or percentages
/// (`91 %`), as rounded.
#[derive(Debug)]
struct RoundedAmounts {
    /// For each reading, the values that round or cut to it at the digits written:
    /// `4,8 millones` holds 4,750,000 to 4,850,000, `1.193 millones` 1,192,500,000 to just
    /// under 1,194,000,000.
    ranges: Vec<AmountRange>,
    /// The query without the amounts, their currency and their scale.
    without: String,
    /// Whether every amount has a currency (`USD 4,8 millones`): only money rounds to it.
    money: bool,
    /// Whether every amount is a bound (`más de 4 millones`): no value is nearer than another.
    compared: bool,
}

fn values_in(q: &str) -> QueryFigures {
    let mut out = Vec::new();
    let mut percent = true;
    // Each amount's ranges and where it is written, while every amount has a scale word.
    let (mut ranges, mut spans, mut all_scaled) = (Vec::new(), Vec::new(), true);
    let mut money = true;
    let mut any_percent = false;
    // Bounds (`más de 4 millones`) hold what is within, their numbers are not read again;
    // amounts and percentages in words (`cuatro millones`, `noventa por ciento`) are rounded by
    // what they say.
    let amounts = super::amount::rounded_in(q);
    for amount in amounts.iter().filter(|a| a.compared || a.in_words) {
        out.extend(amount.ranges.iter().map(|r| r.at));
        percent &= amount.percent;
        any_percent |= amount.percent;
        ranges.extend_from_slice(&amount.ranges);
        spans.push((amount.start, amount.end));
        money &= amount.money;
    }
    let compared: Vec<&super::amount::Rounded> = amounts.iter().filter(|a| a.compared).collect();
    for (i, n) in numbers::numbers_in(q) {
        if compared.iter().any(|a| (a.start..a.end).contains(&i)) {
            continue;
        }
        let scale = numbers::amount_scale_after(q, i, n.end);
        let factors = scale.map_or([Some(1.0), None], |s| [Some(s.factor), s.alt_factor]);
        for factor in factors.into_iter().flatten() {
            out.extend(n.readings.iter().map(|r| numbers::scaled(r.value, factor)));
        }
        let end = scale.map_or(n.end, |s| s.end);
        let is_percent = crate::extract::figures::percent_after(q, end).is_some();
        percent &= is_percent;
        any_percent |= is_percent;
        let amount = match scale {
            Some(scale) if all_scaled && !is_percent => super::amount::rounded(q, i, &n, scale),
            None if all_scaled && is_percent => super::amount::percent(q, i, &n),
            _ => None,
        };
        match amount {
            Some(amount) => {
                ranges.extend_from_slice(&amount.ranges);
                spans.push((amount.start, amount.end));
                money &= amount.money;
            }
            None => all_scaled = false,
        }
    }
    spans.sort_unstable_by_key(|&(start, _)| start);
    // Percentages and amounts are not rounded together: they are figures of other kinds.
    let rounded = (all_scaled && !out.is_empty() && (percent || !any_percent)).then(|| {
        let mut without = q.to_string();
        for &(start, end) in spans.iter().rev() {
            without.replace_range(start..end, " ");
        }
        RoundedAmounts {
            compared: !compared.is_empty() && spans.len() == compared.len(),
            ranges,
            without,
            money,
        }
    });
    QueryFigures {
        percent: percent && !out.is_empty(),
        values: out,
        rounded,
    }
}

/// Whether `q` is a single figure as written (digits, separators, currency and percent signs).
fn is_one_figure(q: &str) -> bool {
    q.chars().any(|c| c.is_ascii_digit())
        && q.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, '.' | ',' | '\'' | '’' | '´' | ' ' | '\u{a0}' | '$' | '%')
                || c.is_alphabetic()
        })
        && q.split_whitespace().count() <= 4
}

/// One figure with its citation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureHit {
    /// The figure as written.
    pub text: String,
    /// Its value (`4803665.69`; `132.76` for `132.76 %`).
    pub value: f64,
    /// What it counts: money, a percentage or a count.
    pub kind: FigureKind,
    /// The other value a truly ambiguous form can have (`1.199`: 1199 or 1.199).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_value: Option<f64>,
    /// What it counts, when the sentence says so ("atenciones"); `null` otherwise.
    pub label: Option<String>,
    /// Id of the report it was found in.
    pub report_id: String,
    /// File, title, year, province and unit of the report; flattened into the JSON.
    #[serde(flatten)]
    pub info: ReportInfo,
    /// Id of the passage it stands in.
    pub passage_id: String,
    /// 1-based page of the passage, `null` when unknown.
    pub page: Option<u32>,
    /// Character span `[start, end)` of the figure in the report's text.
    #[schema(value_type = Vec<u64>)]
    pub span: (usize, usize),
    /// The sentence the figure stands in, quoted from the passage.
    pub sentence: String,
    /// Its row and column, when the figure sits in a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<crate::extract::table::TableCell>,
    /// The figure was read by OCR from a scan: check it against the document.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ocr: bool,
    /// Tesseract's mean word confidence (0 to 1) on the figure's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<f32>,
}

/// A page of figure hits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureResponse {
    /// The query as typed (trimmed).
    pub query: String,
    /// How the query selected figures.
    pub mode: FigureMode,
    /// The order the figures are listed in.
    pub sort: FigureOrder,
    /// Figures matching, over all pages.
    pub total: usize,
    /// When the query as typed found nothing: the query run instead, its unknown words and
    /// slips spelt as the reports spell them, as a passage search does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<String>,
    /// When the query as typed found figures but holds a slip the reports also make: the
    /// query spelt as they mostly spell it, which finds more figures (the figures listed stay
    /// those of the query as typed), as a passage search offers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_query: Option<String>,
    /// Time the search took, in milliseconds.
    pub took_ms: f64,
    /// The page of figures.
    pub figures: Vec<FigureHit>,
}

/// Runs `request` and returns one page (`limit`, `offset` of the request) with the total. A
/// query that finds nothing is run again with the spelling the reports use for its unknown
/// words and slips, when that finds figures, and says so in `corrected_query`
/// (`super::suggest::correct`, as [`super::run`] does); a query that finds figures but holds
/// a slip the reports also make offers their spelling in `suggested_query`, when that finds
/// more (when the figure columns alone say which figures are asked for: no value in the
/// query, or amounts to round).
pub fn run_figures(
    engine: &Engine,
    request: &FigureRequest,
) -> Result<FigureResponse, SearchError> {
    let _running = engine.running_search();
    let started = Instant::now();
    let mut response = run_figures_as_typed(engine, request)?;
    let typed = request.search.query.trim();
    if response.total == 0 && !typed.is_empty() && request.mode != FigureMode::Exact {
        request.search.cancel.check()?;
        if let Some(corrected) = super::suggest::correct(engine, typed)? {
            let retry = run_figures_as_typed(engine, &request.with_query(&corrected)?)?;
            if retry.total > 0 {
                response = FigureResponse {
                    query: response.query,
                    corrected_query: Some(corrected),
                    ..retry
                };
            }
        }
    } else if response.total > 0 && !typed.is_empty() && request.mode.columns_decide() {
        // Counted from the figure columns: in the other modes, counting the figures of the
        // spelling offered would read every passage it finds.
        if let Some(better) = super::suggest::better_spelling(engine, typed)? {
            request.search.cancel.check()?;
            let mut counts = request.with_query(&better)?;
            (counts.limit, counts.offset) = (Some(0), 0);
            if run_figures_as_typed(engine, &counts)?.total > response.total {
                response.suggested_query = Some(better);
            }
        }
    }
    response.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(response)
}

/// [`run_figures`] for the query as typed, even when it finds nothing: what an export holds,
/// which has no place to say a query was changed.
///
/// Without figures in the query, the total and the page come from the figure columns: only the
/// passages of the page are read from the store, in either order. With figures in the query (a
/// value, or one written form), every candidate passage is read, as an export does.
pub(super) fn run_figures_as_typed(
    engine: &Engine,
    request: &FigureRequest,
) -> Result<FigureResponse, SearchError> {
    let started = Instant::now();
    let (offset, limit) = (request.offset, request.limit.unwrap_or(usize::MAX));
    let mut figures = Vec::new();
    // One searcher for the whole request: the addresses found are read from the same segments.
    let searcher = engine.searcher();
    let from_columns = request.mode.columns_decide() && request.limit.is_some();
    let total = match request.by_value() {
        None if from_columns => {
            let found = find_passages(engine, &searcher, request, offset.saturating_add(limit))?;
            // Figures before this passage, over the passages walked so far.
            let mut before = 0usize;
            for passage in found.passages {
                if figures.len() >= limit {
                    break;
                }
                let n = passage.figures as usize;
                if before + n <= offset {
                    before += n;
                    continue;
                }
                request.search.cancel.check()?;
                let mut i = before;
                figures_of(engine, request, passage.address, &mut |hit| {
                    if i >= offset && figures.len() < limit {
                        figures.push(hit);
                    }
                    i += 1;
                    Ok(())
                })?;
                before += n;
            }
            found.total
        }
        Some(order) if from_columns => {
            let wanted = offset.saturating_add(limit);
            let found = find_values(engine, &searcher, request, order, wanted)?;
            let page = found.figures.get(offset..).unwrap_or_default();
            figures_by_value(engine, request, page, &mut |hit| {
                figures.push(hit);
                Ok(())
            })?;
            found.total
        }
        _ => for_each_figure(engine, request, &mut |i, hit| {
            if i >= offset && i - offset < limit {
                figures.push(hit);
            }
            Ok(())
        })?,
    };
    Ok(FigureResponse {
        query: request.search.query.clone(),
        mode: request.mode,
        sort: request.order,
        total,
        corrected_query: None,
        suggested_query: None,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        figures,
    })
}

/// Calls `sink` with (ordinal, hit) for every figure asked for, in the request's order, without
/// a cap; returns how many there were. An error from `sink` (a closed connection) stops the scan.
pub fn for_each_figure(
    engine: &Engine,
    request: &FigureRequest,
    sink: &mut dyn FnMut(usize, FigureHit) -> Result<(), SearchError>,
) -> Result<usize, SearchError> {
    let _running = engine.running_search();
    let searcher = engine.searcher();
    let mut count = 0;
    let mut emit = |hit| {
        sink(count, hit)?;
        count += 1;
        Ok(())
    };
    match request.by_value() {
        Some(order) if request.mode.columns_decide() => {
            let found = find_values(engine, &searcher, request, order, usize::MAX)?;
            figures_by_value(engine, request, &found.figures, &mut emit)?;
        }
        by_value => {
            let found = find_passages(engine, &searcher, request, usize::MAX)?;
            // A figure in the query narrows to one value or form: few enough to sort in memory.
            let mut kept = Vec::new();
            for passage in found.passages {
                request.search.cancel.check()?;
                let address = passage.address;
                figures_of(engine, request, address, &mut |hit| match by_value {
                    None => emit(hit),
                    Some(_) => {
                        kept.push((address, hit));
                        Ok(())
                    }
                })?;
            }
            if let Some(order) = by_value {
                // Equal values in index order, as from the columns (a stable sort keeps a
                // passage's figures in the order they stand).
                kept.sort_by(|(a, x), (b, y)| {
                    let by_value = order.key(y.value).total_cmp(&order.key(x.value));
                    by_value.then_with(|| a.cmp(b))
                });
                for (_, hit) in kept {
                    emit(hit)?;
                }
            }
        }
    }
    Ok(count)
}

/// Figures whose passages are read together when figures are listed by value.
const FIGURES_AT_ONCE: usize = 4096;

/// Calls `sink` with the figure behind each of `figures` (a value and its passage, from the
/// figure columns), in their order. The passages of a run of figures are read once each, in
/// index order; a passage's figures of one value are given in the order they stand in it.
fn figures_by_value(
    engine: &Engine,
    request: &FigureRequest,
    figures: &[Valued],
    sink: &mut dyn FnMut(FigureHit) -> Result<(), SearchError>,
) -> Result<(), SearchError> {
    type Key = (DocAddress, u64);
    let key = |address: DocAddress, value: f64| (address, value.to_bits());
    // Equal (passage, value) pairs are neighbours in `figures`, so only the last pair of a run
    // can go on into the next: how many of its figures were given already.
    let mut carried: Option<(Key, usize)> = None;
    for run in figures.chunks(FIGURES_AT_ONCE) {
        request.search.cancel.check()?;
        let mut wanted: HashMap<Key, usize> = HashMap::new();
        for f in run {
            *wanted.entry(key(f.address, f.value)).or_default() += 1;
        }
        let given = |k: &Key| carried.filter(|(c, _)| c == k).map_or(0, |(_, n)| n);
        let mut addresses: Vec<DocAddress> = run.iter().map(|f| f.address).collect();
        addresses.sort_unstable();
        addresses.dedup();
        let mut ready: HashMap<Key, VecDeque<FigureHit>> = HashMap::new();
        for address in addresses {
            let mut seen: HashMap<u64, usize> = HashMap::new();
            let of_run = |v: f64| wanted.contains_key(&key(address, v));
            figures_of_values(engine, request, address, &of_run, &mut |hit| {
                let k = key(address, hit.value);
                if let Some(&n) = wanted.get(&k) {
                    let nth = seen.entry(k.1).or_default();
                    let skip = given(&k);
                    if (skip..skip + n).contains(nth) {
                        ready.entry(k).or_default().push_back(hit);
                    }
                    *nth += 1;
                }
                Ok(())
            })?;
        }
        for f in run {
            // A figure the columns hold but its passage no longer reads (never, for an index
            // built by this version) is passed over.
            if let Some(hit) = ready
                .get_mut(&key(f.address, f.value))
                .and_then(VecDeque::pop_front)
            {
                sink(hit)?;
            }
        }
        if let Some(last) = run.last() {
            let k = key(last.address, last.value);
            let n = given(&k) + wanted.get(&k).copied().unwrap_or(0);
            carried = Some((k, n));
        }
    }
    Ok(())
}

/// The first `wanted` figures by value in the request's range and kind, over every matching
/// passage, with how many there are, read from the figure columns.
fn find_values(
    engine: &Engine,
    searcher: &Searcher,
    request: &FigureRequest,
    order: ByValue,
    wanted: usize,
) -> Result<FoundValues, SearchError> {
    let collector = FigureValues {
        filter: request.filter(),
        order,
        wanted,
    };
    let text = super::query::build(
        &request.search.items,
        super::query::TextFields::of(&engine.fields, searcher).with_units(engine.unit_names()),
    );
    search_figure_passages(engine, searcher, request, text, collector)
}

/// The best `wanted` passages holding a figure in the request's range and kind, with the number
/// of such figures over every matching passage, read from the figure columns.
fn find_passages(
    engine: &Engine,
    searcher: &Searcher,
    request: &FigureRequest,
    wanted: usize,
) -> Result<Found, SearchError> {
    let text = super::query::build(
        &request.search.items,
        super::query::TextFields::of(&engine.fields, searcher).with_units(engine.unit_names()),
    );
    let collector = FigurePassages {
        filter: request.filter(),
        wanted,
        ranked: text.is_some(),
    };
    search_figure_passages(engine, searcher, request, text, collector)
}

/// Runs `collector` over the passages matching `text` (the request's words, if any) and its
/// filters that hold a figure of the kind asked for.
fn search_figure_passages<C: tantivy::collector::Collector>(
    engine: &Engine,
    searcher: &Searcher,
    request: &FigureRequest,
    text: Option<Box<dyn Query>>,
    collector: C,
) -> Result<C::Fruit, SearchError> {
    let f = &engine.fields;
    // Only passages with a figure of the kind asked for: a posting list, not a scan.
    let has_figure: Box<dyn Query> = Box::new(BoostQuery::new(
        Box::new(TermQuery::new(
            Term::from_facet(f.facets, &figure_facet(request.kind)),
            IndexRecordOption::Basic,
        )),
        0.0,
    ));
    let query: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, with_filters(text, &request.search, f)),
        (Occur::Must, has_figure),
    ]));
    let threads = engine.alone();
    super::search_with(
        searcher,
        &*query,
        collector,
        &request.search.cancel,
        threads,
    )
}

/// Reads the passage at `address` and calls `sink` with each of its figures asked for, in order.
fn figures_of(
    engine: &Engine,
    request: &FigureRequest,
    address: DocAddress,
    sink: &mut dyn FnMut(FigureHit) -> Result<(), SearchError>,
) -> Result<(), SearchError> {
    figures_of_values(engine, request, address, &|_| true, sink)
}

/// [`figures_of`], of the figures whose value `wanted` accepts: the others' citations are not
/// made.
fn figures_of_values(
    engine: &Engine,
    request: &FigureRequest,
    address: DocAddress,
    wanted: &dyn Fn(f64) -> bool,
    sink: &mut dyn FnMut(FigureHit) -> Result<(), SearchError>,
) -> Result<(), SearchError> {
    let p = engine.passage(address)?;
    for fig in p.figures {
        if !wanted(fig.value) || !request.accepts(&fig, &p.text) {
            continue;
        }
        sink(FigureHit {
            sentence: sentence_around(&p.text, fig.start, fig.end),
            text: fig.text,
            value: fig.value,
            kind: fig.kind,
            alt_value: fig.alt_value,
            label: fig.label,
            table: fig.table,
            ocr: p.ocr_confidence.is_some(),
            ocr_confidence: p.ocr_confidence,
            report_id: p.report_id.clone(),
            info: engine.report_info(&p.report_id),
            passage_id: p.passage_id.clone(),
            page: p.page,
            span: fig.span,
        })?;
    }
    Ok(())
}

/// The sentence of `text` holding bytes `start..end`: from the previous sentence end (a `.`,
/// `;`, `!` or `?` followed by a space, or a line break) to the next, trimmed to a readable size.
pub fn sentence_around(text: &str, start: usize, end: usize) -> String {
    let start = floor_boundary(text, start.min(text.len()));
    let end = floor_boundary(text, end.min(text.len()).max(start));
    let is_end = |s: &str, i: usize| {
        let b = s.as_bytes();
        matches!(b[i], b'.' | b';' | b'!' | b'?' | b'\n')
            && (i + 1 >= b.len() || b[i + 1].is_ascii_whitespace())
    };
    let mut from = 0;
    for i in (0..start).rev() {
        if is_end(text, i) {
            from = i + 1;
            break;
        }
    }
    let mut to = text.len();
    for i in end..text.len() {
        if is_end(text, i) {
            to = i + 1;
            break;
        }
    }
    let from = ceil_boundary(text, from);
    let to = floor_boundary(text, to);
    let sentence = text[from..to].trim();
    if sentence.chars().count() <= MAX_SENTENCE_CHARS {
        return sentence.to_string();
    }
    // Too long (a table row run): keep a window around the figure.
    let half = MAX_SENTENCE_CHARS / 2;
    let a = floor_boundary(text, start.saturating_sub(half).max(from));
    let b = floor_boundary(text, (end + half).min(to));
    format!("…{}…", text[a..b].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(q: &str) -> FigureRequest {
        request_with(q, |_| {})
    }

    /// The request for `q` with the parameters `set` sets.
    fn request_with(q: &str, set: impl FnOnce(&mut RawFigureRequest)) -> FigureRequest {
        let mut raw = RawFigureRequest {
            search: RawRequest {
                q: Some(q.into()),
                ..RawRequest::default()
            },
            ..RawFigureRequest::default()
        };
        set(&mut raw);
        FigureRequest::from_raw(&raw).expect("valid")
    }

    #[test]
    fn the_mode_follows_the_query() {
        assert_eq!(request("mora patronal").mode, FigureMode::All);
        assert_eq!(request("4803665.69").mode, FigureMode::Value);
        assert_eq!(request("\"4'803.665,69\"").mode, FigureMode::Exact);
        assert_eq!(request("\"mora patronal\"").mode, FigureMode::All);
        assert_eq!(request("4,8 millones").mode, FigureMode::Rounded);
        // One amount without a scale word, a percentage or a phrase: no rounding.
        assert_eq!(request("45 mil 300").mode, FigureMode::Value);
        assert_eq!(request("4,8 millones 15%").mode, FigureMode::Value);
        assert_eq!(request("\"4,8 millones\"").mode, FigureMode::Exact);
        assert_eq!(request("\"mora\" 4,8 millones").mode, FigureMode::Value);
    }

    #[test]
    fn an_amount_with_a_scale_word_asks_for_what_rounds_to_it() {
        let rounded = |q: &str| {
            let r = values_in(q).rounded.expect("rounded");
            (
                r.ranges.iter().map(|r| (r.lo, r.hi)).collect::<Vec<_>>(),
                r.without
                    .split_whitespace()
                    .map(String::from)
                    .collect::<Vec<_>>(),
            )
        };
        let (ranges, words) = rounded("recaudado USD 4,8 millones de dólares en Bolívar");
        assert_eq!(ranges, [(4_750_000.0, 4_850_000.0)]);
        assert_eq!(words, ["recaudado", "en", "Bolívar"]);
        assert_eq!(rounded("9 mil").0, [(8_500.0, 9_500.0)]);
        assert_eq!(
            rounded("4,80 millones").0,
            [(4_795_000.0, 4_810_000f64.next_down())]
        );
        // Both readings of `2.149`, and both of `M`.
        assert_eq!(
            rounded("2.149 millones").0,
            [
                (2_148_500_000.0, 2_150_000_000f64.next_down()),
                (2_148_500.0, 2_150_000f64.next_down())
            ]
        );
        assert_eq!(
            rounded("$1.5M").0,
            [(1_450_000.0, 1_550_000.0), (1_450.0, 1_550.0)]
        );
        assert!(values_in("4803665,69").rounded.is_none());
        assert!(values_in("0 millones").rounded.is_none());
        // Within `min` and `max`, the readings outside them left out.
        let r = request_with("2.149 millones", |raw| raw.min = Some("1000000000".into()));
        assert!(r.ranges.holds(2_149_000_000.0) && !r.ranges.holds(2_149_000.0));
        assert_eq!(r.order, FigureOrder::Nearest);
        // Written with a currency, only money rounds to it; a kind asked for stays.
        assert_eq!(request("USD 4,8 millones").kind, Some(FigureKind::Usd));
        assert_eq!(
            request("4,8 millones de dólares").kind,
            Some(FigureKind::Usd)
        );
        assert_eq!(request("4,8 millones").kind, None);
        let count = request_with("$4.8M", |raw| raw.kind = Some("count".into()));
        assert_eq!(count.kind, Some(FigureKind::Count));
    }

    #[test]
    fn a_figure_written_as_a_percentage_asks_for_percentages() {
        for q in [
            "15%",
            "15 %",
            "132,76%",
            "15 por ciento",
            "mora 15%",
            "\"15%\"",
            "5% y 15%",
        ] {
            assert_eq!(request(q).kind, Some(FigureKind::Percent), "{q}");
        }
        for q in ["15", "15 salarios", "5% y 15", "USD 15", "mora patronal"] {
            assert_eq!(request(q).kind, None, "{q}");
        }
        // The kind asked for wins.
        let asked = FigureRequest::from_raw(&RawFigureRequest {
            search: RawRequest {
                q: Some("15%".into()),
                ..RawRequest::default()
            },
            kind: Some("count".into()),
            ..RawFigureRequest::default()
        })
        .expect("valid");
        assert_eq!(asked.kind, Some(FigureKind::Count));
    }

    #[test]
    fn the_sentence_is_cut_at_sentence_ends_not_decimal_points() {
        let text = "Primera frase. Se recaudó USD 4.803.665,69 en 2021; luego otra cosa.";
        let start = text.find("USD").unwrap_or(0);
        assert_eq!(
            sentence_around(text, start, start + 16),
            "Se recaudó USD 4.803.665,69 en 2021;"
        );
    }

    #[test]
    fn bad_amounts_and_kinds_are_refused_with_what_is_accepted() {
        let raw = |min: &str, kind: &str| RawFigureRequest {
            min: Some(min.into()),
            kind: Some(kind.into()),
            ..RawFigureRequest::default()
        };
        assert!(FigureRequest::from_raw(&raw("mucho", "")).is_err());
        assert!(FigureRequest::from_raw(&raw("1", "euros")).is_err());
        let ok = FigureRequest::from_raw(&raw("1e6", "usd")).expect("valid");
        assert_eq!((ok.min, ok.kind), (Some(1e6), Some(FigureKind::Usd)));
    }
}
