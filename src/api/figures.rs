//! Figure routes: `GET /api/figures` (JSON page, or every figure as streamed CSV) and
//! `POST /api/figures/batch` (a list of figures or phrases in the body).

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::params::Params;
use super::AppState;
use crate::search::export::{self, BatchRow};
use crate::search::{self, FigureHit, FigureRequest, FigureResponse, RawFigureRequest, RawRequest};

const FIGURE_PARAMS: [&str; 11] = [
    "q", "year", "province", "policy", "min", "max", "kind", "limit", "offset", "format", "accept",
];
/// Figures in a JSON page when no limit is given.
const DEFAULT_FIGURE_LIMIT: usize = 100;

fn raw_request(p: &Params) -> RawFigureRequest {
    RawFigureRequest {
        search: RawRequest {
            q: p.last("q"),
            year: p.all("year"),
            province: p.all("province"),
            policy: p.all("policy"),
            ..RawRequest::default()
        },
        min: p.last("min"),
        max: p.last("max"),
        kind: p.last("kind"),
        limit: p.last("limit"),
        offset: p.last("offset"),
    }
}

/// Whether the caller asked for CSV (`format=csv` or `Accept: text/csv`).
fn wants_csv(p: &Params, headers: &HeaderMap) -> Result<bool, ApiError> {
    match p.last("format").as_deref() {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(ApiError::BadRequest(format!(
            "invalid format {other:?}: json or csv"
        ))),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"))),
    }
}

/// Figures by value, range and kind, with their citation; every figure as CSV with `format=csv`.
#[utoipa::path(get, path = "/api/figures", tag = "figures",
    params(
        ("q" = Option<String>, Query, description = "Text and/or figures; a figure matches every written form; \"4'803.665,69\" in quotes asks for that exact form"),
        ("year" = Option<Vec<String>>, Query, explode = true), ("province" = Option<Vec<String>>, Query, explode = true),
        ("policy" = Option<Vec<String>>, Query, explode = true),
        ("min" = Option<String>, Query, description = "Smallest value, in any format (1e6, 1'000.000, 1 millón)"),
        ("max" = Option<String>, Query, description = "Largest value"),
        ("kind" = Option<String>, Query, description = "usd, percent or count"),
        ("limit" = Option<u32>, Query, description = "Figures per JSON page (default 100, at most 10000); CSV has every figure"),
        ("offset" = Option<u32>, Query),
        ("format" = Option<String>, Query, description = "json (default) or csv; or send Accept: text/csv"),
    ),
    responses((status = 200, body = FigureResponse, description = "JSON page, or text/csv with every figure"), (status = 400, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &FIGURE_PARAMS)?;
    let csv = wants_csv(&p, &headers)?;
    let mut raw = raw_request(&p);
    if csv {
        raw.limit = None;
        raw.offset = None;
    } else if raw.limit.is_none() {
        raw.limit = Some(DEFAULT_FIGURE_LIMIT.to_string());
    }
    let request = FigureRequest::from_raw(&raw)?;
    if csv {
        let engine = state.engine();
        return Ok(stream_csv("cifras.csv", move |out| {
            export::write_figures_csv(&engine, &request, out).map(|_| ())
        }));
    }
    let engine = state.engine();
    let response =
        tokio::task::spawn_blocking(move || search::run_figures(&engine, &request)).await??;
    Ok(Json(response).into_response())
}

/// The result of one query of a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchQuery {
    pub line: usize,
    pub query: String,
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub figures: Vec<FigureHit>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub queries: Vec<BatchQuery>,
}

/// Looks up many figures or phrases at once: the body is a plain list (one a line) or a CSV with a
/// `query` column; filters apply to every query. A bad line is reported in its row.
#[utoipa::path(post, path = "/api/figures/batch", tag = "figures",
    request_body(content = String, content_type = "text/plain", description = "One figure or phrase a line, or CSV with a query column"),
    params(("year" = Option<Vec<String>>, Query, explode = true), ("province" = Option<Vec<String>>, Query, explode = true),
           ("min" = Option<String>, Query), ("max" = Option<String>, Query), ("kind" = Option<String>, Query),
           ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, body = BatchResponse), (status = 400, body = ErrorBody)))]
pub async fn batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &FIGURE_PARAMS)?;
    let csv = wants_csv(&p, &headers)?;
    let filters = raw_request(&p);
    // Validate the shared filters once, so a bad filter is a 400 and not an error on every row.
    FigureRequest::from_raw(&filters)?;
    let input = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::BadRequest("the batch body is not UTF-8 text".into()))?;
    if input.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "the batch body is empty: send one figure or phrase a line".into(),
        ));
    }
    let engine = state.engine();
    if csv {
        return Ok(stream_csv("cifras-lote.csv", move |out| {
            export::write_batch_csv(&engine, &input, &filters, out).map(|_| ())
        }));
    }
    let queries = tokio::task::spawn_blocking(move || {
        let mut queries: Vec<BatchQuery> = Vec::new();
        export::run_batch(&engine, &input, &filters, &mut |row: BatchRow| {
            if queries.last().is_none_or(|q| q.line != row.line) {
                queries.push(BatchQuery {
                    line: row.line,
                    query: row.query.clone(),
                    count: row.count,
                    error: row.error.clone(),
                    figures: Vec::new(),
                });
            }
            if let (Some(hit), Some(q)) = (row.hit, queries.last_mut()) {
                q.figures.push(hit);
            }
            Ok(())
        })?;
        Ok::<_, search::SearchError>(queries)
    })
    .await??;
    Ok(Json(BatchResponse { queries }).into_response())
}

/// A streamed CSV download produced by `write` on the blocking pool. The stream ends early, and
/// the scan stops, when the client goes away.
fn stream_csv<F>(filename: &str, write: F) -> Response
where
    F: FnOnce(&mut dyn Write) -> Result<(), search::SearchError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let result = write(&mut out).and_then(|()| out.flush().map_err(Into::into));
        if let Err(e) = result {
            if !matches!(&e, search::SearchError::Index(_)) || out.tx.is_closed() {
                return;
            }
            tracing::error!(error = %e, "figure export failed");
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    // Fused: the compression layer may poll again after the end, which `unfold` forbids.
    let stream =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

const CHUNK: usize = 64 * 1024;

/// Sends what is written in chunks over a channel to the response body.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}
