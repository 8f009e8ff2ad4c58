//! Load shedding and cancellation (issue 11): a full search queue is refused at once, work
//! whose deadline passed or whose client left is stopped and gives its thread back, batches
//! have limits, an export that cannot finish never ends as a clean file, and a search answered
//! before is answered again from the result cache without waiting.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cuentas::api::{self, AppState, Lane, Outcome, ServeOptions};
use cuentas::index::{Engine, IndexDir};
use cuentas::search::export::BatchLimits;
use cuentas::search::{self, Cancel, FigureRequest, RawFigureRequest, RawRequest, SearchError};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{engine, index_dir};

/// An app over the shared index with `options`, and its state.
fn app_with(options: ServeOptions) -> (Router, AppState) {
    let dir = IndexDir::new(index_dir());
    let engine = Engine::open(&dir).expect("opens");
    let state = AppState::new(engine, dir, &options).expect("state");
    (api::router(state.clone(), &options), state)
}

/// Occupies the only thread of `lane` until the returned sender is used or dropped.
fn hold_the_thread(state: &AppState, lane: Lane) -> mpsc::Sender<()> {
    let (release, wait) = mpsc::channel::<()>();
    let (started, running) = mpsc::channel::<()>();
    let answer = state
        .pool()
        .try_run(lane, Cancel::never(), move || {
            let _ = started.send(());
            let _ = wait.recv();
        })
        .expect("the pool takes the blocker");
    drop(answer);
    running.recv().expect("the blocker runs");
    release
}

/// One value of `/metrics`.
async fn metric(app: &Router, name: &str) -> u64 {
    let (_, _, text) = crate::api::get(app, "/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in {text}"))
}

/// GETs `uri` in-process and returns the response whole, body unread.
async fn call(app: &Router, uri: &str) -> axum::response::Response {
    app.clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("answers")
}

/// Waits (bounded) until `name` reaches `want`; returns the last value seen.
async fn wait_for_metric(app: &Router, name: &str, want: u64) -> u64 {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let v = metric(app, name).await;
        if v >= want || Instant::now() > until {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn json_of(res: axum::response::Response) -> Value {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("json")
}

fn one_thread(queue: usize, timeout: Duration) -> ServeOptions {
    ServeOptions {
        search_threads: 1,
        search_queue: queue,
        timeout,
        ..ServeOptions::default()
    }
}

#[tokio::test]
async fn a_full_queue_is_refused_at_once_with_retry_after_while_health_still_answers() {
    let (app, state) = app_with(one_thread(1, Duration::from_secs(10)));
    let mut releases = Vec::new();
    let mut queued = Vec::new();
    for lane in [Lane::Interactive, Lane::Bulk] {
        releases.push(hold_the_thread(&state, lane));
        // The queue's one place taken by a second blocker.
        let (release, wait) = mpsc::channel::<()>();
        queued.push(
            state
                .pool()
                .try_run(lane, Cancel::never(), move || {
                    let _ = wait.recv();
                })
                .expect("queued"),
        );
        releases.push(release);
    }
    for uri in [
        "/api/search?q=salud",
        "/api/figures?min=0",
        "/api/figures?format=csv",
        "/api/facets",
    ] {
        let res = call(&app, uri).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{uri}");
        assert_eq!(
            res.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1"),
            "{uri}"
        );
        let json = json_of(res).await;
        assert_eq!(json["error"]["code"], "overloaded", "{uri}: {json}");
    }
    for uri in ["/healthz", "/readyz", "/", "/api/reports"] {
        let res = call(&app, uri).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{uri} does not wait for the pool"
        );
    }
    assert_eq!(metric(&app, "cuentas_search_rejected_total").await, 4);
    drop(releases);
    for answer in queued {
        assert!(matches!(answer.await, Ok(Outcome::Done(()))));
    }
    let (status, _) = {
        let res = call(&app, "/api/search?q=salud").await;
        (res.status(), ())
    };
    assert_eq!(status, StatusCode::OK, "served again once there is room");
}

#[tokio::test]
async fn a_search_asked_before_is_answered_from_the_result_cache_while_the_pool_is_full() {
    let (app, state) = app_with(one_thread(1, Duration::from_secs(10)));
    let res = call(&app, "/api/search?q=salud&limit=3").await;
    assert_eq!(res.status(), StatusCode::OK);
    let first = json_of(res).await;
    let release = hold_the_thread(&state, Lane::Interactive);
    let (unblock, wait) = mpsc::channel::<()>();
    let queued = state
        .pool()
        .try_run(Lane::Interactive, Cancel::never(), move || {
            let _ = wait.recv();
        })
        .expect("the queue's one place");
    let res = call(&app, "/api/search?q=salud&limit=3").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a kept answer needs no thread"
    );
    let mut again = json_of(res).await;
    again["took_ms"] = first["took_ms"].clone();
    assert_eq!(again, first);
    let res = call(&app, "/api/search?q=salud&limit=4").await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a search not asked before still needs the pool"
    );
    drop(release);
    drop(unblock);
    assert!(matches!(queued.await, Ok(Outcome::Done(()))));
}

#[tokio::test]
async fn a_search_past_its_1ms_deadline_is_a_json_503_and_never_holds_the_thread() {
    let (app, state) = app_with(one_thread(4, Duration::from_millis(1)));
    let release = hold_the_thread(&state, Lane::Bulk);
    let res = call(&app, "/api/figures?min=0&limit=100").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(json_of(res).await["error"]["code"], "timeout");
    drop(release);
    // The timed-out search is dropped when its turn comes, without running.
    assert_eq!(
        wait_for_metric(&app, "cuentas_search_cancelled_total", 1).await,
        1
    );
    let next = state
        .pool()
        .try_run(Lane::Bulk, Cancel::never(), || 2)
        .expect("room in the pool");
    assert!(matches!(next.await, Ok(Outcome::Done(2))));
    assert_eq!(metric(&app, "cuentas_search_busy").await, 0);
}

#[tokio::test]
async fn a_client_that_leaves_mid_search_cancels_its_work() {
    let (app, state) = app_with(one_thread(4, Duration::from_secs(10)));
    let release = hold_the_thread(&state, Lane::Interactive);
    let request = app.clone().oneshot(
        Request::get("/api/search?q=salud")
            .body(Body::empty())
            .expect("request"),
    );
    // The client gives up: the handler's future is dropped, as the server does on a closed
    // connection.
    assert!(tokio::time::timeout(Duration::from_millis(20), request)
        .await
        .is_err());
    drop(release);
    assert_eq!(
        wait_for_metric(&app, "cuentas_search_cancelled_total", 1).await,
        1
    );
    assert_eq!(
        metric(&app, "cuentas_search_completed_total").await,
        1,
        "only the blocker"
    );
}

#[test]
fn a_cancelled_token_stops_every_kind_of_search_work() {
    let cancelled = Cancel::with_deadline(None);
    cancelled.cancel();
    let mut request = search::Request::new("salud").expect("valid");
    request.cancel = cancelled.clone();
    assert!(matches!(
        search::run(engine(), &request),
        Err(SearchError::Cancelled)
    ));
    let mut figures = FigureRequest::from_raw(&RawFigureRequest {
        search: RawRequest::default(),
        min: Some("0".into()),
        ..RawFigureRequest::default()
    })
    .expect("valid");
    figures.search.cancel = cancelled.clone();
    assert!(matches!(
        search::run_figures(engine(), &figures),
        Err(SearchError::Cancelled)
    ));
    let mut out = Vec::new();
    assert!(search::export::write_figures_csv(engine(), &figures, &mut out).is_err());
    let lines = search::export::batch_queries("salud\n4803665.69\n");
    let result = search::export::run_batch(
        engine(),
        &lines,
        &RawFigureRequest::default(),
        &BatchLimits::default(),
        &cancelled,
        &mut |_| Ok(()),
    );
    assert!(matches!(result, Err(SearchError::Cancelled)));
    // The same work with a live token runs.
    request.cancel = Cancel::with_deadline(None);
    assert!(search::run(engine(), &request).expect("runs").total > 0);
}

#[tokio::test]
async fn a_batch_over_its_limits_is_refused_or_answered_with_errors_per_line() {
    let options = ServeOptions {
        batch: BatchLimits {
            max_lines: 3,
            max_figures: 2,
        },
        ..ServeOptions::default()
    };
    let (app, _) = app_with(options);
    let post = |body: &'static str| {
        app.clone().oneshot(
            Request::post("/api/figures/batch")
                .body(Body::from(body))
                .expect("request"),
        )
    };
    let res = post("1\n2\n3\n4\n").await.expect("answers");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let json = json_of(res).await;
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 3")),
        "{json}"
    );
    let res = post("\"mora patronal\"\n11852096\n")
        .await
        .expect("answers");
    assert_eq!(res.status(), StatusCode::OK);
    let json = json_of(res).await;
    let queries = json["queries"].as_array().expect("queries");
    assert_eq!(queries.len(), 2, "{json}");
    assert_eq!(
        queries[0]["figures"].as_array().map(Vec::len),
        Some(2),
        "{json}"
    );
    assert!(
        queries[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("limit of 2")),
        "{json}"
    );
    assert_eq!(queries[1]["count"], 0, "{json}");
    assert!(
        queries[1]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("not run")),
        "{json}"
    );
}

#[tokio::test]
async fn an_export_that_could_not_run_in_time_is_a_broken_stream_not_an_empty_file() {
    let (app, state) = app_with(one_thread(4, Duration::from_millis(1)));
    let release = hold_the_thread(&state, Lane::Bulk);
    let res = call(&app, "/api/figures?format=csv").await;
    assert_eq!(res.status(), StatusCode::OK, "the export was queued");
    // Its deadline passes while it waits; then the thread is released and it is skipped.
    tokio::time::sleep(Duration::from_millis(5)).await;
    drop(release);
    assert!(
        res.into_body().collect().await.is_err(),
        "the body must end in an error"
    );
}

#[tokio::test]
async fn reports_page_with_limit_and_offset_and_give_the_total() {
    let (app, _) = app_with(ServeOptions::default());
    let all = json_of(call(&app, "/api/reports").await).await;
    let total = all["total"].as_u64().expect("total");
    assert_eq!(
        all["reports"].as_array().map(Vec::len),
        Some(total as usize)
    );
    let page = json_of(call(&app, "/api/reports?limit=1&offset=1").await).await;
    assert_eq!(page["total"].as_u64(), Some(total));
    assert_eq!(page["reports"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["reports"][0], all["reports"][1]);
    let bad = call(&app, "/api/reports?limit=-1").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
