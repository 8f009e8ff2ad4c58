//! Handlers: decode parameters, call the search core on the search pool, render JSON.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::params::Params;
use super::render::{ReportJson, SearchBody, SearchJson};
use super::{AppState, Lane};
use crate::search::{self, Facets, RawRequest, ReportSummary, Request, Suggestions};

/// Parameters of `/api/search`.
pub const SEARCH_PARAMS: [&str; 6] = ["q", "year", "province", "policy", "limit", "offset"];

/// Search passages.
#[utoipa::path(get, path = "/api/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "Words (all must match), \"phrases\", -excluded, a OR b, figures in any format; an amount with a scale word or in words (4,8 millones, cuatro millones) also finds the figures that round to it; empty lists passages"),
        ("year" = Option<Vec<String>>, Query, description = "Year reported on; repeatable", explode = true),
        ("province" = Option<Vec<String>>, Query, description = "Province (any case and accents) or nacional; repeatable", explode = true),
        ("policy" = Option<Vec<String>>, Query, description = "intercultural, generacional, discapacidades, genero, movilidad_humana; repeatable", explode = true),
        ("limit" = Option<u32>, Query, description = "Hits per page, default 10, at most 100"),
        ("offset" = Option<u32>, Query, description = "Hits to skip"),
    ),
    responses((status = 200, body = SearchJson), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody, description = "Too busy: try again after Retry-After"), (status = 503, body = ErrorBody, description = "Past the deadline")))]
pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &SEARCH_PARAMS)?;
    let raw = RawRequest {
        q: p.last("q"),
        year: p.all("year"),
        province: p.all("province"),
        policy: p.all("policy"),
        limit: p.last("limit"),
        offset: p.last("offset"),
    };
    let mut request = Request::from_raw(&raw)?;
    let started = std::time::Instant::now();
    let key = state.result_key(&request);
    if let Some(kept) = state.cached_search(&key) {
        return Ok(json_bytes(
            kept.with_took(started.elapsed().as_secs_f64() * 1000.0),
        ));
    }
    let keeper = state.clone();
    let body = state
        .run(Lane::Interactive, move |e, cancel| {
            request.cancel = cancel.clone();
            let json = SearchJson::from(search::run(e, &request)?);
            let body = SearchBody::new(&json).map(Arc::new);
            if let Some(body) = &body {
                keeper.keep_search(e, key, body);
            }
            Ok(body)
        })
        .await?
        .ok_or_else(|| ApiError::Internal("a search response could not be written".into()))?;
    Ok(json_bytes(body.as_searched()))
}

/// A response of JSON already serialized.
fn json_bytes(json: axum::body::Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// Complete the last word of a query from the index's vocabulary.
#[utoipa::path(get, path = "/api/suggest", tag = "search",
    params(("q" = String, Query, description = "The query typed so far"),
           ("limit" = Option<u32>, Query, description = "Suggestions, at most 10")),
    responses((status = 200, body = Suggestions), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody, description = "Too busy: try again after Retry-After"), (status = 503, body = ErrorBody, description = "Past the deadline")))]
pub async fn suggest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Suggestions>, ApiError> {
    let p = Params::parse(query.as_deref(), &["q", "limit"])?;
    let q = p.last("q").unwrap_or_default();
    if q.chars().count() > search::query::MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(
            "the query is too long for suggestions".into(),
        ));
    }
    let limit = search::parse_count_in(
        "limit",
        p.last("limit").as_deref(),
        search::suggest::MAX_SUGGESTIONS,
        1..=search::suggest::MAX_SUGGESTIONS,
    )?;
    Ok(Json(
        state
            .run(Lane::Interactive, move |e, _| search::suggest(e, &q, limit))
            .await?,
    ))
}

/// Every facet value with its count over the whole index.
#[utoipa::path(get, path = "/api/facets", tag = "search", responses((status = 200, body = Facets), (status = 429, body = ErrorBody, description = "Too busy: try again after Retry-After"), (status = 503, body = ErrorBody, description = "Past the deadline")))]
pub async fn facets(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Facets>, ApiError> {
    Params::parse(query.as_deref(), &[])?;
    // The same for as long as the index serves: counted once (unless caching is off).
    if let Some(kept) = state.kept_facets() {
        return Ok(Json(Facets::clone(&kept)));
    }
    let keeper = state.clone();
    Ok(Json(
        state
            .run(Lane::Interactive, move |e, _| {
                let facets = search::all_facets(e)?;
                keeper.keep_facets(e, &facets);
                Ok(facets)
            })
            .await?,
    ))
}

/// A page of the list of reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    /// Reports in the index, over all pages.
    pub total: usize,
    pub reports: Vec<ReportSummary>,
}

/// Reports in a page when no limit is given (every report of a usual index).
const DEFAULT_REPORT_LIMIT: usize = 1_000;
/// Most reports in a page.
const MAX_REPORT_LIMIT: usize = 10_000;

/// The indexed reports with their metadata and passage count, in corpus order, a page at a
/// time. Answered from the index's manifest in memory, without the search pool.
#[utoipa::path(get, path = "/api/reports", tag = "reports",
    params(("limit" = Option<u32>, Query, description = "Reports per page, default 1000, at most 10000"),
           ("offset" = Option<u32>, Query, description = "Reports to skip")),
    responses((status = 200, body = ReportList), (status = 400, body = ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<ReportList>, ApiError> {
    let p = Params::parse(query.as_deref(), &["limit", "offset"])?;
    let limit = search::parse_count(
        "limit",
        p.last("limit").as_deref(),
        DEFAULT_REPORT_LIMIT,
        MAX_REPORT_LIMIT,
    )?;
    let offset = search::parse_count("offset", p.last("offset").as_deref(), 0, usize::MAX >> 1)?;
    let engine = state.engine();
    let all = engine.reports();
    Ok(Json(ReportList {
        total: all.len(),
        reports: all
            .iter()
            .skip(offset)
            .take(limit)
            .map(ReportSummary::from)
            .collect(),
    }))
}

/// One report: metadata, full text and every passage, highlighted for `q`.
#[utoipa::path(get, path = "/api/reports/{id}", tag = "reports",
    params(("id" = String, Path, description = "Report id"),
           ("q" = Option<String>, Query, description = "Words to highlight")),
    responses((status = 200, body = ReportJson), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody, description = "Too busy: try again after Retry-After"), (status = 503, body = ErrorBody, description = "Past the deadline")))]
pub async fn report(
    State(state): State<AppState>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Json<ReportJson>, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::BadRequest(format!("invalid report id: {e}")))?;
    let p = Params::parse(query.as_deref(), &["q"])?;
    let q = p.last("q").unwrap_or_default();
    let shared = state.clone();
    Ok(Json(
        state
            .run(Lane::Interactive, move |e, cancel| {
                search::report_detail(e, &id, &q, shared.texts(), cancel).map(ReportJson::from)
            })
            .await?,
    ))
}

/// Alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process answers")))]
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready: an index is open and answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "An index is open"), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let engine = state.engine();
    let passages = engine.searcher().num_docs();
    Ok(Json(serde_json::json!({
        "status": "ready",
        "reports": engine.report_count(),
        "passages": passages,
    })))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    state
        .metrics()
        .http_threads
        .store(workers as u64, std::sync::atomic::Ordering::Relaxed);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
}

/// This API's OpenAPI description.
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi_json(),
    )
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route: see /openapi.json for the routes".into())
}

pub async fn method_not_allowed() -> impl IntoResponse {
    let body = ErrorBody {
        error: super::error::ErrorDetail::new(
            "method_not_allowed",
            "method not allowed on this route: see /openapi.json".into(),
        ),
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body))
}
