//! The HTTP face: an axum router over the search core, the search page, and `serve`.
//!
//! Owns routing, parameter decoding, error responses, metrics and the hot swap of the index;
//! every answer comes from `search` (handlers parse, call the core on the search pool, render).
//! Search work runs on a fixed pool with a bounded queue (`pool`), under the request's
//! deadline, and is cancelled when the deadline passes or the client goes away.
//! Routes (all JSON but the page):
//! ```text
//! GET  /api/search      q, year*, province*, policy*, limit, offset
//! GET  /api/suggest     q
//! GET  /api/facets
//! GET  /api/reports     GET /api/reports/{id}?q=
//! GET  /api/figures     q, filters, min, max, kind, limit, offset, format=json|csv
//! POST /api/figures/batch   body: one figure or phrase a line (or CSV with a query column)
//! GET  /healthz /readyz /metrics /openapi.json
//! GET  /  /informe/{id}  /assets/app.js  /assets/app.css   the search page
//! ```

mod error;
mod figures;
mod handlers;
mod metrics;
mod openapi;
mod page;
mod params;
mod pool;
pub mod render;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use self::error::ApiError;
pub use self::metrics::Metrics;
pub use self::openapi::openapi_json;
pub use self::params::Params;
pub use self::pool::{Lane, Outcome, PoolStats, Rejected, SearchPool};
use crate::index::{Engine, IndexDir};
use crate::search::cache::ByteLru;
use crate::search::export::BatchLimits;
use crate::search::report::TextCache;
use crate::search::{Cancel, RequestKey, SearchError};

/// Largest request body accepted.
const BODY_LIMIT: usize = 1 << 20;
/// How often the index folder is checked for a new generation.
const RELOAD_EVERY: Duration = Duration::from_millis(500);

/// What handlers share: the current index (swapped on rebuild), settings, metrics.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    engine: ArcSwap<Engine>,
    index_dir: IndexDir,
    metrics: Metrics,
    timeout: Duration,
    pool: SearchPool,
    texts: TextCache,
    /// Search responses by index generation and request.
    results: ByteLru<ResultKey, render::SearchBody>,
    /// Facet counts over the whole index, by index generation (the page's first view).
    facets: ByteLru<std::path::PathBuf, crate::search::Facets>,
    batch: BatchLimits,
}

/// Room for the whole index's facet counts of a few generations.
const FACETS_CACHE_BYTES: usize = 1 << 20;

/// The key of a kept search response: the generation folder that answered, and the request.
pub(crate) type ResultKey = (std::path::PathBuf, RequestKey);

/// Settings of the HTTP face.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Origins allowed by CORS; empty = same origin only.
    pub cors_origins: Vec<String>,
    /// Longest time a request may take, exports included; its work is stopped then.
    pub timeout: Duration,
    /// Threads answering searches.
    pub search_threads: usize,
    /// Searches that may wait for a thread; more are refused with 429.
    pub search_queue: usize,
    /// Bytes of search responses kept for requests asked again; 0 keeps none.
    pub result_cache_bytes: usize,
    /// Bytes of report text kept for report views.
    pub report_cache_bytes: usize,
    /// Limits of one `POST /api/figures/batch`.
    pub batch: BatchLimits,
}

impl Default for ServeOptions {
    fn default() -> Self {
        let threads = crate::config::cores();
        ServeOptions {
            cors_origins: Vec::new(),
            timeout: Duration::from_secs(10),
            search_threads: threads,
            search_queue: 4 * threads,
            result_cache_bytes: 32 << 20,
            report_cache_bytes: 64 << 20,
            batch: BatchLimits::default(),
        }
    }
}

impl AppState {
    /// The state for `engine`, with its search pool started. Fails only when the pool's
    /// threads cannot be started.
    pub fn new(
        engine: Engine,
        index_dir: IndexDir,
        options: &ServeOptions,
    ) -> std::io::Result<AppState> {
        let metrics = Metrics::default();
        let pool = SearchPool::new(
            options.search_threads,
            options.search_queue,
            Arc::clone(&metrics.pool),
        )?;
        let state = AppState {
            inner: Arc::new(Shared {
                engine: ArcSwap::from_pointee(engine),
                index_dir,
                metrics,
                timeout: options.timeout,
                pool,
                texts: TextCache::new(options.report_cache_bytes),
                results: ByteLru::new(options.result_cache_bytes),
                facets: ByteLru::new(if options.result_cache_bytes > 0 {
                    FACETS_CACHE_BYTES
                } else {
                    0
                }),
                batch: options.batch,
            }),
        };
        state.update_index_gauges(&state.engine());
        warm_in_background(state.engine());
        Ok(state)
    }

    /// The pool every piece of search work runs on.
    pub fn pool(&self) -> &SearchPool {
        &self.inner.pool
    }

    /// Report texts already read, for report views.
    pub(crate) fn texts(&self) -> &TextCache {
        &self.inner.texts
    }

    /// The key of `request`'s response on the generation serving now.
    pub(crate) fn result_key(&self, request: &crate::search::Request) -> ResultKey {
        (self.inner.engine.load().path.clone(), request.key())
    }

    /// The response kept for `key`, if any; counted in metrics.
    pub(crate) fn cached_search(&self, key: &ResultKey) -> Option<Arc<render::SearchBody>> {
        let results = &self.inner.results;
        if !results.enabled() {
            return None;
        }
        let found = results.get(key);
        let counter = if found.is_some() {
            &self.inner.metrics.result_cache_hits
        } else {
            &self.inner.metrics.result_cache_misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `body`, the response to `key` computed on `engine`. Not kept when `engine` is not
    /// the generation of `key` (a rebuild was picked up in between).
    pub(crate) fn keep_search(
        &self,
        engine: &Engine,
        key: ResultKey,
        body: &Arc<render::SearchBody>,
    ) {
        let results = &self.inner.results;
        if !results.enabled() || key.0 != engine.path {
            return;
        }
        results.insert(key, Arc::clone(body), body.bytes());
        let bytes = results.bytes() as u64;
        self.inner
            .metrics
            .result_cache_bytes
            .store(bytes, Ordering::Relaxed);
    }

    /// The facet counts over the whole index serving now, when counted before.
    pub(crate) fn kept_facets(&self) -> Option<Arc<crate::search::Facets>> {
        self.inner.facets.get(&self.inner.engine.load().path)
    }

    /// Keeps `facets`, counted over the whole of `engine`.
    pub(crate) fn keep_facets(&self, engine: &Engine, facets: &crate::search::Facets) {
        let values = facets.year.len() + facets.province.len() + facets.policy.len();
        self.inner.facets.insert(
            engine.path.clone(),
            Arc::new(facets.clone()),
            64 * values + 64,
        );
    }

    /// Limits of a batch lookup.
    pub(crate) fn batch_limits(&self) -> &BatchLimits {
        &self.inner.batch
    }

    /// A token for one request: set at its deadline, or by the guard when the request is
    /// dropped (its client went away).
    pub(crate) fn request_token(&self) -> Cancel {
        Cancel::with_deadline(Instant::now().checked_add(self.inner.timeout))
    }

    /// Runs `work` in `lane` of the search pool against the current index, within the
    /// request's deadline: 429 at once when the queue is full, 503 when the deadline passes
    /// (the work is then stopped), and the work stopped too when the caller goes away (this
    /// future is dropped).
    pub(crate) async fn run<T, F>(&self, lane: Lane, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine, &Cancel) -> Result<T, SearchError> + Send + 'static,
    {
        let engine = self.engine();
        let cancel = self.request_token();
        let guard = cancel.guard();
        let token = cancel.clone();
        let answer = self
            .pool()
            .try_run(lane, cancel.clone(), move || work(&engine, &token))
            .map_err(|Rejected| ApiError::Overloaded)?;
        let outcome = tokio::time::timeout(self.inner.timeout, answer).await;
        match outcome {
            Ok(Ok(Outcome::Done(result))) => {
                guard.disarm();
                Ok(result?)
            }
            Ok(Ok(Outcome::Skipped)) | Err(_) => Err(ApiError::Timeout),
            Ok(Ok(Outcome::Panicked) | Err(_)) => {
                Err(ApiError::Internal("a search job failed".into()))
            }
        }
    }

    /// The index serving now; a request keeps the one it started with.
    pub fn engine(&self) -> Arc<Engine> {
        self.inner.engine.load_full()
    }

    /// The counters `/metrics` reports.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    fn update_index_gauges(&self, engine: &Engine) {
        let m = &self.inner.metrics;
        m.index_bytes.store(engine.size_bytes(), Ordering::Relaxed);
        m.index_built_at
            .store(engine.manifest.built_at, Ordering::Relaxed);
        m.index_reports
            .store(engine.report_count() as u64, Ordering::Relaxed);
    }

    /// Opens the published generation if it is not the one serving, and swaps it in.
    /// Returns whether a swap happened. Requests in flight finish on the old one.
    pub fn reload_if_changed(&self) -> Result<bool, crate::index::IndexError> {
        let Some(current) = self.inner.index_dir.current()? else {
            return Ok(false);
        };
        if self.engine().path == current {
            return Ok(false);
        }
        let engine = Engine::open_generation(&current)?;
        self.update_index_gauges(&engine);
        let engine = Arc::new(engine);
        self.inner.engine.store(Arc::clone(&engine));
        warm_in_background(engine);
        // Responses of the old generation are never asked for again.
        self.inner.results.clear();
        self.inner.facets.clear();
        self.inner
            .metrics
            .result_cache_bytes
            .store(0, Ordering::Relaxed);
        self.inner.metrics.reloads.fetch_add(1, Ordering::Relaxed);
        tracing::info!(generation = %current.display(), "serving a new index generation");
        Ok(true)
    }
}

/// Reads what `engine` would read on its first search of several words, on a thread of its
/// own: the server answers meanwhile, and a search that needs them first waits for the same
/// reading rather than starting another.
fn warm_in_background(engine: Arc<Engine>) {
    let spawned = std::thread::Builder::new()
        .name("warm-index".into())
        .spawn(move || engine.warm());
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start reading the index ahead");
    }
}

/// The whole application: routes, page and middleware.
pub fn router(state: AppState, options: &ServeOptions) -> Router {
    let api = Router::new()
        .route("/api/search", get(handlers::search))
        .route("/api/suggest", get(handlers::suggest))
        .route("/api/facets", get(handlers::facets))
        .route("/api/reports", get(handlers::reports))
        .route("/api/reports/{id}", get(handlers::report))
        .route("/api/figures", get(figures::figures))
        .route("/api/figures/batch", axum::routing::post(figures::batch))
        .route("/healthz", get(handlers::healthz))
        .route("/readyz", get(handlers::readyz))
        .route("/metrics", get(handlers::metrics))
        .route("/openapi.json", get(handlers::openapi));
    let app = api
        .merge(page::routes())
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_metrics,
        ))
        .with_state(state);

    let mut app = app
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            options.timeout + Duration::from_secs(1),
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ));
    if let Some(cors) = cors(&options.cors_origins) {
        app = app.layer(cors);
    }
    // Outermost: log method, path (never the query string), status and latency.
    app.layer(
        TraceLayer::new_for_http()
            .make_span_with(|req: &Request| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            })
            .on_request(())
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// CORS for the configured origins; none configured means same origin only (no CORS headers).
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    (!list.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT])
    })
}

async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    state
        .metrics()
        .record(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Serves `state` on `listener` until SIGINT or SIGTERM; requests in flight finish first. A
/// background task picks up new index generations published by `cuentas index`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: &ServeOptions,
) -> std::io::Result<()> {
    let watcher = tokio::spawn(watch_index(state.clone()));
    let app = router(state, options);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    watcher.abort();
    result
}

async fn watch_index(state: AppState) {
    let mut last_error: Option<String> = None;
    loop {
        tokio::time::sleep(RELOAD_EVERY).await;
        let s = state.clone();
        match tokio::task::spawn_blocking(move || s.reload_if_changed()).await {
            Ok(Ok(_)) => last_error = None,
            Ok(Err(e)) => {
                let msg = e.to_string();
                if last_error.as_deref() != Some(msg.as_str()) {
                    tracing::warn!(error = %msg, "a new index could not be opened; still serving the previous one");
                    last_error = Some(msg);
                }
            }
            Err(e) => tracing::warn!(error = %e, "index watcher task failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
