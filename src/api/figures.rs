//! Figure routes: `GET /api/figures` (JSON page, or every figure as streamed CSV) and
//! `POST /api/figures/batch` (a list of figures or phrases in the body).

use std::io::Write;
use std::time::Duration;

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
use super::{AppState, Lane, Rejected, SearchPool};
use crate::search::export::{self, BatchRow};
use crate::search::{
    self, Cancel, FigureHit, FigureRequest, FigureResponse, RawFigureRequest, RawRequest,
};

const FIGURE_PARAMS: [&str; 12] = [
    "q", "year", "province", "policy", "min", "max", "kind", "sort", "limit", "offset", "format",
    "accept",
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
        sort: p.last("sort"),
    }
}

/// Whether the caller asked for CSV (`format=csv` or `Accept: text/csv`).
fn wants_csv(p: &Params, headers: &HeaderMap) -> Result<bool, ApiError> {
    match p.last("format").as_deref() {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(ApiError::BadParameter {
            name: "format",
            value: other.to_string(),
            message: format!("invalid format {other:?}: json or csv"),
        }),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"))),
    }
}

/// Figures by value, range and kind, with their citation; every figure as CSV with `format=csv`.
#[utoipa::path(get, path = "/api/figures", tag = "figures",
    params(
        ("q" = Option<String>, Query, description = "Text and/or figures; a figure matches every written form; \"4'803.665,69\" in quotes asks for that exact form; an amount with a scale word or in words (4,8 millones, cuatro millones) matches what rounds to it; with a currency, only money"),
        ("year" = Option<Vec<String>>, Query, explode = true), ("province" = Option<Vec<String>>, Query, explode = true),
        ("policy" = Option<Vec<String>>, Query, explode = true),
        ("min" = Option<String>, Query, description = "Smallest value, in any format (1e6, 1'000.000, 1 millón)"),
        ("max" = Option<String>, Query, description = "Largest value"),
        ("kind" = Option<String>, Query, description = "usd, percent or count; percent when not given and every figure of `q` is written as a percentage (`15%`)"),
        ("sort" = Option<String>, Query, description = "passages (default: the best passages first, each one's figures in their order), largest or smallest (by value; equal values in index order). A query of amounts with a scale word (4,8 millones) or of percentages (92 %), mode rounded, lists the nearest first by default; a bound (más de 4 millones), the largest"),
        ("limit" = Option<u32>, Query, description = "Figures per JSON page (default 100, at most 10000); CSV has every figure"),
        ("offset" = Option<u32>, Query),
        ("format" = Option<String>, Query, description = "json (default) or csv; or send Accept: text/csv"),
    ),
    responses((status = 200, body = FigureResponse, description = "JSON page, or text/csv with every figure (cut, not ended, if it fails or passes the deadline)"), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody, description = "Too busy: try again after Retry-After"), (status = 503, body = ErrorBody, description = "Past the deadline")))]
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
    let mut request = FigureRequest::from_raw(&raw)?;
    if csv {
        let engine = state.engine();
        let cancel = state.request_token();
        return stream_csv(state.pool(), cancel, "cifras.csv", move |cancel, out| {
            request.search.cancel = cancel.clone();
            export::write_figures_csv(&engine, &request, out).map(|_| ())
        });
    }
    let response = state
        .run(Lane::Bulk, move |engine, cancel| {
            request.search.cancel = cancel.clone();
            search::run_figures(engine, &request)
        })
        .await?;
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
/// `query` column; filters apply to every query. A bad line is reported in its row. A batch has
/// at most 1000 queries (more is a 400) and 100000 figures in all (lines past that are answered
/// with an error row), and the request's deadline.
#[utoipa::path(post, path = "/api/figures/batch", tag = "figures",
    request_body(content = String, content_type = "text/plain", description = "One figure or phrase a line, or CSV with a query column"),
    params(("year" = Option<Vec<String>>, Query, explode = true), ("province" = Option<Vec<String>>, Query, explode = true),
           ("min" = Option<String>, Query), ("max" = Option<String>, Query), ("kind" = Option<String>, Query),
           ("sort" = Option<String>, Query, description = "each query's figures: passages (default), largest or smallest"),
           ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, body = BatchResponse), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
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
    let input = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the batch body is not UTF-8 text".into()))?;
    if input.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "the batch body is empty: send one figure or phrase a line".into(),
        ));
    }
    let limits = *state.batch_limits();
    let lines = export::checked_batch(input, &limits)?;
    if csv {
        let engine = state.engine();
        let cancel = state.request_token();
        return stream_csv(
            state.pool(),
            cancel,
            "cifras-lote.csv",
            move |cancel, out| {
                export::write_batch_csv(&engine, &lines, &filters, &limits, cancel, out).map(|_| ())
            },
        );
    }
    let queries = state
        .run(Lane::Bulk, move |engine, cancel| {
            let mut queries: Vec<BatchQuery> = Vec::new();
            export::run_batch(
                engine,
                &lines,
                &filters,
                &limits,
                cancel,
                &mut |row: BatchRow| {
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
                },
            )?;
            Ok(queries)
        })
        .await?;
    Ok(Json(BatchResponse { queries }).into_response())
}

/// What the writer sends to the response body.
enum Piece {
    Chunk(Bytes),
    /// The writer finished: the body may end cleanly.
    End,
}

/// A streamed CSV download produced by `write` on the search pool, under `cancel` (the
/// request's deadline). A full queue is a 429 before anything is sent. The body ends cleanly only when
/// `write` finished; if it failed, was cancelled (deadline) or never ran, the body ends with
/// an error, so the connection is cut and the download is seen as broken, never as a complete
/// but short file. When the client goes away, the body is dropped and the work stops.
fn stream_csv<F>(
    pool: &SearchPool,
    cancel: Cancel,
    filename: &str,
    write: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(&Cancel, &mut dyn Write) -> Result<(), search::SearchError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Piece>(16);
    let guard = cancel.guard();
    let token = cancel.clone();
    // The answer is not awaited: the body's stream reports the end (or its absence).
    let _answer = pool
        .try_run(Lane::Bulk, cancel, move || {
            let mut out = ChannelWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
                cancel: token.clone(),
            };
            let result = write(&token, &mut out)
                .and_then(|()| out.flush().map_err(Into::into))
                .and_then(|()| out.send(Piece::End).map_err(Into::into));
            match result {
                Ok(()) => {}
                Err(_) if out.tx.is_closed() => {}
                Err(search::SearchError::Cancelled) => {
                    tracing::info!("a csv export was stopped at its deadline");
                }
                Err(e) => tracing::error!(error = %e, "a csv export failed"),
            }
        })
        .map_err(|Rejected| ApiError::Overloaded)?;
    let stream = futures_util::stream::unfold((rx, Some(guard)), |(mut rx, guard)| async move {
        let guard = guard?;
        match rx.recv().await {
            Some(Piece::Chunk(bytes)) => Some((Ok(bytes), (rx, Some(guard)))),
            Some(Piece::End) => {
                guard.disarm();
                None
            }
            None => {
                drop(guard);
                let broken = std::io::Error::other("the export stopped before its end");
                Some((Err(broken), (rx, None)))
            }
        }
    });
    // Fused: the compression layer may poll again after the end, which `unfold` forbids.
    let stream = futures_util::StreamExt::fuse(stream);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

const CHUNK: usize = 64 * 1024;
/// How long a writer waits between two tries when the body is not read fast enough.
const FULL_WAIT: Duration = Duration::from_millis(2);

/// Sends what is written in chunks over a channel to the response body. A writer whose client
/// reads slowly waits, but stops when its token is cancelled: a stalled client cannot hold a
/// search thread past the deadline.
struct ChannelWriter {
    tx: mpsc::Sender<Piece>,
    buf: Vec<u8>,
    cancel: Cancel,
}

impl ChannelWriter {
    fn send(&mut self, piece: Piece) -> std::io::Result<()> {
        let mut piece = piece;
        loop {
            match self.tx.try_send(piece) {
                Ok(()) => return Ok(()),
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "client went away",
                    ))
                }
                Err(mpsc::error::TrySendError::Full(back)) => {
                    if self.cancel.is_cancelled() {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the export passed its deadline",
                        ));
                    }
                    piece = back;
                    std::thread::sleep(FULL_WAIT);
                }
            }
        }
    }
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
        self.send(Piece::Chunk(chunk))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use http_body_util::BodyExt;

    use super::*;
    use crate::api::PoolStats;

    fn pool() -> (SearchPool, Arc<PoolStats>) {
        let stats = Arc::new(PoolStats::default());
        (
            SearchPool::new(1, 1, Arc::clone(&stats)).expect("pool"),
            stats,
        )
    }

    async fn body_of(response: Response) -> Result<Bytes, axum::Error> {
        response.into_body().collect().await.map(|b| b.to_bytes())
    }

    #[tokio::test]
    async fn a_finished_export_ends_cleanly() {
        let (pool, _) = pool();
        let response = stream_csv(&pool, Cancel::with_deadline(None), "x.csv", |_, out| {
            for i in 0..50_000 {
                writeln!(out, "{i},fila")?;
            }
            Ok(())
        })
        .expect("taken");
        let body = body_of(response).await.expect("a clean end");
        assert_eq!(body.iter().filter(|&&b| b == b'\n').count(), 50_000);
    }

    #[tokio::test]
    async fn an_export_failing_midway_breaks_the_stream_instead_of_ending_it() {
        let (pool, _) = pool();
        let response = stream_csv(&pool, Cancel::with_deadline(None), "x.csv", |_, out| {
            for i in 0..50_000 {
                writeln!(out, "{i},fila")?;
            }
            Err(search::SearchError::Index(
                tantivy::TantivyError::InternalError("a broken segment".into()),
            ))
        })
        .expect("taken");
        assert!(
            body_of(response).await.is_err(),
            "a failed export must not look like a complete file"
        );
    }

    #[tokio::test]
    async fn an_export_stopped_by_its_deadline_breaks_the_stream() {
        let (pool, _) = pool();
        let cancel = Cancel::with_deadline(None);
        let token = cancel.clone();
        let response = stream_csv(&pool, cancel, "x.csv", move |c, out| {
            for i in 0.. {
                writeln!(out, "{i},fila")?;
                if i == 20_000 {
                    token.cancel();
                }
                c.check()?;
            }
            Ok(())
        })
        .expect("taken");
        assert!(body_of(response).await.is_err());
    }

    #[tokio::test]
    async fn a_client_leaving_stops_the_export_and_frees_the_thread() {
        let (pool, stats) = pool();
        let response = stream_csv(&pool, Cancel::with_deadline(None), "x.csv", |c, out| {
            // Endless unless stopped: by the client going away or by the token.
            loop {
                writeln!(out, "fila")?;
                c.check()?;
            }
        })
        .expect("taken");
        let mut body = response.into_body();
        let first = body.frame().await.expect("a frame").expect("data");
        assert!(first.is_data());
        drop(body);
        // The thread is free again once the writer noticed; the next job runs.
        let next = pool
            .try_run(Lane::Bulk, Cancel::never(), || 1)
            .expect("queued behind the stopped export");
        assert!(matches!(next.await, Ok(crate::api::Outcome::Done(1))));
        assert_eq!(stats.busy.load(std::sync::atomic::Ordering::Relaxed), 0);
    }
}
