use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cuentas::api::{self, AppState, ServeOptions};
use cuentas::index::{Engine, IndexDir};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{build, corpus, index_dir};

fn app() -> Router {
    let dir = IndexDir::new(index_dir());
    let engine = Engine::open(&dir).expect("opens");
    let options = ServeOptions::default();
    api::router(
        AppState::new(engine, dir, &options).expect("state"),
        &options,
    )
}

/// GETs `uri` in-process; returns status, headers' content-type and the body.
pub async fn get(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let req = Request::get(uri).body(Body::empty()).expect("request");
    let (status, ctype, bytes) = send(app, req).await;
    (status, ctype, String::from_utf8_lossy(&bytes).into_owned())
}

/// Sends `req` in-process; returns status, content-type and the whole body.
async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String, axum::body::Bytes) {
    let res = app.clone().oneshot(req).await.expect("answers");
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = res
        .into_body()
        .collect()
        .await
        .expect("the whole body")
        .to_bytes();
    (status, ctype, bytes)
}

async fn get_json(app: &Router, uri: &str) -> (StatusCode, Value) {
    let (status, ctype, body) = get(app, uri).await;
    assert!(
        ctype.starts_with("application/json"),
        "{uri}: content-type {ctype}"
    );
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}")),
    )
}

/// Asserts `uri` is a 4xx JSON error whose message mentions `needle`.
async fn assert_error(app: &Router, uri: &str, status: StatusCode, needle: &str) {
    let (got, json) = get_json(app, uri).await;
    assert_eq!(got, status, "{uri}: {json}");
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(json["error"]["code"].is_string(), "{uri}: {json}");
    assert!(
        message.contains(needle),
        "{uri}: {message:?} should mention {needle:?}"
    );
}

#[tokio::test]
async fn search_filters_by_province_without_accents_and_marks_the_original_word() {
    let app = app();
    let (status, json) = get_json(&app, "/api/search?q=rendicion&province=manabi").await;
    assert_eq!(status, StatusCode::OK);
    let hits = json["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["province"] == "Manabí"), "{json}");
    assert!(
        hits.iter().any(|h| h["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>Rendición</mark>"))),
        "{json}"
    );
    // The year facet counts the filtered hits; the province facet leaves its own filter out,
    // so a portal can still offer the other provinces.
    let total = json["total"].as_u64().expect("total");
    assert_eq!(
        json["facets"]["year"].as_array().map(Vec::len),
        Some(1),
        "{json}"
    );
    assert_eq!(json["facets"]["year"][0]["count"].as_u64(), Some(total));
    let provinces: Vec<&str> = json["facets"]["province"]
        .as_array()
        .expect("provinces")
        .iter()
        .filter_map(|v| v["value"].as_str())
        .collect();
    assert!(
        provinces.contains(&"Manabí") && provinces.contains(&"Bolívar"),
        "{provinces:?}"
    );
    assert!(json["took_ms"].is_number());
}

#[tokio::test]
async fn search_finds_a_figure_written_another_way() {
    let (status, json) = get_json(&app(), "/api/search?q=4803665.69").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["hits"][0]["province"], "Bolívar");
    assert!(json["hits"][0]["text"]
        .as_str()
        .is_some_and(|t| t.contains("4'803.665,69")));
}

#[tokio::test]
async fn repeated_filters_combine() {
    let (_, json) = get_json(&app(), "/api/search?q=salud&year=2020&year=2021&limit=100").await;
    let (_, only) = get_json(&app(), "/api/search?q=salud&year=2021&limit=100").await;
    assert!(json["total"].as_u64() > only["total"].as_u64());
}

#[tokio::test]
async fn caller_mistakes_are_400_with_a_message() {
    let app = app();
    assert_error(
        &app,
        "/api/search?q=x&year=abc",
        StatusCode::BAD_REQUEST,
        "year",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=x&limit=100000",
        StatusCode::BAD_REQUEST,
        "at most 100",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=x&offset=-5",
        StatusCode::BAD_REQUEST,
        "negative",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=%22rendicion",
        StatusCode::BAD_REQUEST,
        "quote",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=%zz",
        StatusCode::BAD_REQUEST,
        "percent-encoding",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=%C3%28",
        StatusCode::BAD_REQUEST,
        "percent-encoding",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=x&province=narnia",
        StatusCode::BAD_REQUEST,
        "province",
    )
    .await;
    assert_error(
        &app,
        "/api/search?q=x&policy=deporte",
        StatusCode::BAD_REQUEST,
        "policy",
    )
    .await;
    assert_error(
        &app,
        "/api/search?query=x",
        StatusCode::BAD_REQUEST,
        "unknown parameter",
    )
    .await;
    let long = "a".repeat(10_000);
    assert_error(
        &app,
        &format!("/api/search?q={long}"),
        StatusCode::BAD_REQUEST,
        "longer",
    )
    .await;
    assert_error(&app, "/api/reports/nope", StatusCode::NOT_FOUND, "nope").await;
    assert_error(&app, "/api/nothing-here", StatusCode::NOT_FOUND, "route").await;
}

#[tokio::test]
async fn a_bad_parameter_is_named_in_the_error() {
    let app = app();
    for (uri, parameter, value) in [
        ("/api/suggest?q=rendi&limit=0", "limit", "0"),
        ("/api/suggest?q=rendi&limit=11", "limit", "11"),
        ("/api/figures?q=salud&min=abc", "min", "abc"),
        ("/api/figures?q=salud&format=xml", "format", "xml"),
        ("/api/search?q=x&year=abc", "year", "abc"),
    ] {
        let (status, json) = get_json(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {json}");
        let error = &json["error"];
        assert_eq!(error["code"], "bad_request", "{uri}: {json}");
        assert_eq!(error["parameter"], parameter, "{uri}: {json}");
        assert_eq!(error["value"], value, "{uri}: {json}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("invalid {parameter} ")),
            "{uri}: {message}"
        );
    }
    let (_, json) = get_json(&app, "/api/search?query=x").await;
    assert!(json["error"].get("parameter").is_none(), "{json}");
    let (status, json) = get_json(&app, "/api/suggest?q=rendi&limit=2").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(
        json["suggestions"].as_array().is_some_and(|s| s.len() <= 2),
        "{json}"
    );
}

#[tokio::test]
async fn odd_queries_are_answered_not_failed() {
    let app = app();
    for q in [
        "rendicion%20AND%20(",
        "nofield%3Ax",
        "%2B",
        "-",
        "%26%26",
        "*",
        "a%20OR",
        "((",
        "%5C",
    ] {
        let (status, _) = get_json(&app, &format!("/api/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
    }
}

#[tokio::test]
async fn a_misspelt_query_is_answered_for_the_closest_word() {
    let (status, json) = get_json(&app(), "/api/search?q=envejecimeinto").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["corrected_query"], "envejecimiento", "{json}");
    assert!(json["total"].as_u64().is_some_and(|t| t > 0));
    assert!(json["hits"][0]["snippet"]
        .as_str()
        .is_some_and(|s| s.contains("<mark>")));
}

#[tokio::test]
async fn a_word_the_reports_use_only_in_another_form_is_answered_for_that_form() {
    // The sample reports write "ejecución presupuestaria", never "presupuesto": stemming keeps
    // the noun and its adjective apart, and no spelling is one edit away.
    let app = app();
    for (q, meant) in [
        ("presupuesto", "presupuestaria"),
        ("presupuesto%20ejecutado", "presupuestaria"),
    ] {
        let (status, json) = get_json(&app, &format!("/api/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json["corrected_query"], meant, "{json}");
        assert!(json["hits"][0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>presupuestaria</mark>")));
    }
    // A word the reports use is never replaced.
    let (_, json) = get_json(&app, "/api/search?q=afiliados").await;
    assert!(json.get("corrected_query").is_none(), "{json}");
}

#[tokio::test]
async fn suggest_completes_the_last_word_without_accents() {
    let (status, json) = get_json(&app(), "/api/suggest?q=programa%20envej").await;
    assert_eq!(status, StatusCode::OK);
    let first = &json["suggestions"][0];
    assert_eq!(first["word"], "envejecimiento", "{json}");
    assert_eq!(first["text"], "programa envejecimiento");
    let (_, json) = get_json(&app(), "/api/suggest?q=rendi").await;
    assert!(
        json["suggestions"]
            .as_array()
            .is_some_and(|s| s.iter().any(|w| w["word"] == "rendición")),
        "{json}"
    );
}

#[tokio::test]
async fn facets_cover_the_whole_index() {
    let (status, json) = get_json(&app(), "/api/facets").await;
    assert_eq!(status, StatusCode::OK);
    let provinces: Vec<&str> = json["province"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["value"].as_str())
        .collect();
    for p in ["Bolívar", "Manabí", "Nacional"] {
        assert!(provinces.contains(&p), "{provinces:?}");
    }
    assert!(json["policy"].as_array().is_some_and(|p| !p.is_empty()));
}

#[tokio::test]
async fn reports_list_and_one_report_with_highlighted_passages() {
    let app = app();
    let (status, json) = get_json(&app, "/api/reports").await;
    assert_eq!(status, StatusCode::OK);
    let reports = json["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 3);
    let manabi = reports
        .iter()
        .find(|r| r["province"] == "Manabí")
        .expect("Manabí");
    assert!(manabi["passages"].as_u64().is_some_and(|n| n > 3));
    let unit = &manabi["evidence"]["unit"];
    assert_eq!(
        unit["quote"], "Dirección Provincial IESS Manabí",
        "{manabi}"
    );
    assert!(unit["span"].is_array() && unit["confidence"].is_number());
    let id = manabi["report_id"].as_str().expect("id");

    let (status, json) = get_json(&app, &format!("/api/reports/{id}?q=convenios")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json["text"].as_str().is_some_and(|t| t.contains("Manabí")));
    let passages = json["passages"].as_array().expect("passages");
    assert_eq!(
        passages.len() as u64,
        manabi["passages"].as_u64().unwrap_or(0)
    );
    let matched: Vec<&Value> = passages.iter().filter(|p| p["matched"] == true).collect();
    assert!(!matched.is_empty());
    assert!(matched
        .iter()
        .all(|p| p["html"].as_str().is_some_and(|h| h.contains("<mark>"))));
    let text = json["text"].as_str().unwrap_or_default();
    let chars: Vec<char> = text.chars().collect();
    for p in passages {
        let (s, e) = (
            p["span"][0].as_u64().unwrap_or(0) as usize,
            p["span"][1].as_u64().unwrap_or(0) as usize,
        );
        assert!(s < e && e <= chars.len(), "span {s}..{e} outside the text");
    }

    // An amount as the press rounds it marks the figure that rounds to it.
    let bolivar = reports
        .iter()
        .find(|r| r["province"] == "Bolívar")
        .and_then(|r| r["report_id"].as_str())
        .expect("Bolívar");
    let url = format!("/api/reports/{bolivar}?q=4%2C8%20millones");
    let (status, json) = get_json(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    let marked: Vec<&str> = json["passages"]
        .as_array()
        .expect("passages")
        .iter()
        .filter(|p| p["matched"] == true)
        .filter_map(|p| p["html"].as_str())
        .collect();
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert!(
        marked[0].contains("USD <mark>4&#x27;803.665,69</mark>"),
        "{marked:?}"
    );
}

#[tokio::test]
async fn health_readiness_metrics_and_openapi() {
    let app = app();
    let (status, _) = get_json(&app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, json) = get_json(&app, "/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["reports"], 3);
    get_json(&app, "/api/search?q=salud").await;
    let (status, ctype, text) = get(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/plain"));
    assert!(
        text.contains("cuentas_http_requests_total{route=\"/api/search\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("cuentas_http_request_duration_seconds_bucket{route=\"/api/search\""));
    assert!(text.contains("cuentas_index_size_bytes"));
    assert!(text.contains("cuentas_index_last_rebuild_timestamp_seconds"));
    let (status, json) = get_json(&app, "/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/search",
        "/api/suggest",
        "/api/facets",
        "/api/reports",
        "/api/reports/{id}",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            json["paths"][path].is_object(),
            "{path} missing from openapi.json"
        );
    }
    // Flattened fields make a schema an `allOf` of its parts.
    let hit = &json["components"]["schemas"]["Hit"];
    let parts = hit["allOf"].as_array().cloned().unwrap_or_default();
    assert!(
        hit["properties"]["snippet"].is_object()
            || parts.iter().any(|p| p["properties"]["snippet"].is_object()),
        "no snippet in the Hit schema: {hit}"
    );
}

#[tokio::test]
async fn the_page_is_served_with_security_headers() {
    let app = app();
    for uri in ["/", "/informe/abc", "/assets/app.js", "/assets/app.css"] {
        let req = Request::get(uri).body(Body::empty()).expect("request");
        let res = app.clone().oneshot(req).await.expect("answers");
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        let csp = res
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
        assert_eq!(
            res.headers()
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff")
        );
    }
    let (_, ctype, html) = get(&app, "/").await;
    assert!(ctype.starts_with("text/html"));
    assert!(html.contains("lang=\"es\""));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must not load anything from elsewhere"
    );
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let req = Request::post("/api/search")
        .body(Body::empty())
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// A plain HTTP/1.1 GET over a socket; returns the status code and body.
pub fn http_get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

#[test]
fn a_rebuild_while_clients_search_fails_no_request() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    build(&[corpus()], &index).expect("first build");
    let dir = IndexDir::new(&index);
    let first_generation = Engine::open(&dir).expect("opens").path;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds port 0");
    let addr = listener.local_addr().expect("addr");
    let state = AppState::new(
        Engine::open(&dir).expect("opens"),
        dir.clone(),
        &ServeOptions::default(),
    )
    .expect("state");
    let server_state = state.clone();
    runtime.spawn(async move {
        let _ = api::serve(listener, server_state, &ServeOptions::default()).await;
    });

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let (mut ok, mut failed) = (0, Vec::new());
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
                match http_get(addr, "/api/search?q=mora+patronal") {
                    Ok((200, body)) if body.contains("patronal") => ok += 1,
                    other => failed.push(format!("{other:?}")),
                }
            }
            (ok, failed)
        })
    };
    for _ in 0..2 {
        build(&[corpus()], &index).expect("rebuild");
        std::thread::sleep(Duration::from_millis(1200));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (ok, failed) = client.join().expect("client thread");
    assert!(
        failed.is_empty(),
        "{} failed requests: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(ok > 10, "the client ran ({ok} requests)");
    assert_ne!(
        state.engine().path,
        first_generation,
        "the server picked up the new index"
    );
    let (status, metrics) = http_get(addr, "/metrics").expect("metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("cuentas_index_reloads_total 2"),
        "{metrics}"
    );
    runtime.shutdown_timeout(Duration::from_secs(2));
}

#[tokio::test]
async fn figures_as_json_with_their_citation() {
    let (status, json) = get_json(&app(), "/api/figures?kind=usd&min=1e9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["total"], 2, "{json}");
    assert_eq!(json["mode"], "all");
    let f = &json["figures"][0];
    for field in [
        "text",
        "value",
        "kind",
        "label",
        "report_id",
        "source",
        "title",
        "year",
        "province",
        "unit",
        "passage_id",
        "span",
        "sentence",
    ] {
        assert!(f.get(field).is_some(), "{field} missing: {f}");
    }
    // The smallest first.
    let (_, json) = get_json(&app(), "/api/figures?kind=usd&sort=smallest&limit=3").await;
    assert_eq!(json["sort"], "smallest", "{json}");
    let values: Vec<f64> = json["figures"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["value"].as_f64()).collect())
        .unwrap_or_default();
    assert!(values.len() == 3 && values.is_sorted(), "{json}");
    let (_, json) = get_json(&app(), "/api/figures?q=%224%27803.665%2C69%22").await;
    assert_eq!(
        (json["mode"].as_str(), json["total"].as_u64()),
        (Some("exact"), Some(1)),
        "{json}"
    );
    assert!(json.get("corrected_query").is_none(), "{json}");
    // A query that finds nothing is run spelt as the reports spell it, and says so.
    let (_, json) = get_json(&app(), "/api/figures?q=discapasidad").await;
    assert_eq!(
        (json["query"].as_str(), json["corrected_query"].as_str()),
        (Some("discapasidad"), Some("discapacidad")),
        "{json}"
    );
    assert!(json["total"].as_u64() > Some(0), "{json}");
}

#[tokio::test]
async fn figures_as_csv_stream_every_row_even_compressed() {
    for encoding in ["identity", "gzip"] {
        let req = Request::get("/api/figures?q=mora+patronal&format=csv")
            .header("accept-encoding", encoding)
            .body(Body::empty())
            .expect("request");
        let (status, ctype, body) = send(&app(), req).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ctype.starts_with("text/csv"), "{ctype}");
        assert!(!body.is_empty());
        if encoding == "identity" {
            let text = String::from_utf8(body.to_vec()).expect("utf-8");
            assert!(text.starts_with("\u{feff}figure,value,kind"), "{text}");
            assert!(text.contains("USD 4'803.665,69"), "{text}");
        }
    }
    let req = Request::get("/api/figures?q=mora")
        .header("accept", "text/csv")
        .body(Body::empty())
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/csv")));
}

#[tokio::test]
async fn a_batch_answers_every_line_and_reports_bad_ones() {
    let body = "4803665.69\n\"mora patronal\"\n\"sin cerrar\n11852096\n";
    let req = Request::post("/api/figures/batch")
        .body(Body::from(body))
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let json: Value = serde_json::from_slice(&bytes).expect("json");
    let queries = json["queries"].as_array().expect("queries");
    assert_eq!(queries.len(), 4, "{json}");
    assert_eq!(queries[0]["count"], 1);
    assert!(queries[1]["count"].as_u64().is_some_and(|n| n >= 3));
    assert!(
        queries[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("quote")),
        "{json}"
    );
    assert_eq!(queries[3]["figures"][0]["text"], "11.852.096");
    // The order asked for holds within each query's figures.
    let req = Request::post("/api/figures/batch?sort=largest")
        .body(Body::from("mora patronal\nsalud\n"))
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let json: Value = serde_json::from_slice(&bytes).expect("json");
    for q in json["queries"].as_array().expect("queries") {
        let values: Vec<f64> = q["figures"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["value"].as_f64()).collect())
            .unwrap_or_default();
        assert!(
            values.len() > 1 && values.is_sorted_by(|a, b| a >= b),
            "{q}"
        );
    }
    let req = Request::post("/api/figures/batch?format=csv")
        .body(Body::from(body))
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    let text = String::from_utf8(
        res.into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec(),
    )
    .expect("utf-8");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid csv")).collect();
    assert!(
        rows.iter().any(|r| r[0] == *"3" && !r[3].is_empty()),
        "the bad line has its error"
    );
}

#[tokio::test]
async fn figure_parameters_are_checked() {
    let app = app();
    assert_error(
        &app,
        "/api/figures?min=mucho",
        StatusCode::BAD_REQUEST,
        "min",
    )
    .await;
    assert_error(
        &app,
        "/api/figures?kind=euros",
        StatusCode::BAD_REQUEST,
        "kind",
    )
    .await;
    assert_error(
        &app,
        "/api/figures?min=10&max=1",
        StatusCode::BAD_REQUEST,
        "max",
    )
    .await;
    assert_error(
        &app,
        "/api/figures?format=xml",
        StatusCode::BAD_REQUEST,
        "format",
    )
    .await;
    assert_error(
        &app,
        "/api/figures?sort=value",
        StatusCode::BAD_REQUEST,
        "sort",
    )
    .await;
    let req = Request::post("/api/figures/batch")
        .body(Body::from(""))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("answers");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let dir = IndexDir::new(index_dir());
    let options = ServeOptions {
        cors_origins: vec!["https://portal.example.ec".into()],
        ..ServeOptions::default()
    };
    let portal = api::router(
        AppState::new(Engine::open(&dir).expect("opens"), dir, &options).expect("state"),
        &options,
    );
    let allowed = |origin: &'static str| {
        let app = portal.clone();
        async move {
            let req = Request::get("/api/search?q=salud")
                .header("origin", origin)
                .body(Body::empty())
                .expect("request");
            let res = app.oneshot(req).await.expect("answers");
            res.headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        }
    };
    assert_eq!(
        allowed("https://portal.example.ec").await.as_deref(),
        Some("https://portal.example.ec")
    );
    assert_eq!(allowed("https://elsewhere.example").await, None);
    // By default, same origin only: no CORS headers at all.
    let req = Request::get("/api/search?q=salud")
        .header("origin", "https://portal.example.ec")
        .body(Body::empty())
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let body = "4803665.69\n".repeat(120_000); // about 1.3 MB
    let req = Request::post("/api/figures/batch")
        .body(Body::from(body))
        .expect("request");
    let res = app().oneshot(req).await.expect("answers");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// The JSON of `uri` without `took_ms`, which differs between two answers.
async fn json_without_time(app: &Router, uri: &str) -> Value {
    let (status, mut json) = get_json(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {json}");
    assert!(json["took_ms"].is_number(), "{uri}: {json}");
    json["took_ms"] = Value::Null;
    json
}

/// The value of metric `name` in `/metrics`.
async fn metric(app: &Router, name: &str) -> u64 {
    let (_, _, text) = get(app, "/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[tokio::test]
async fn a_search_asked_again_is_answered_the_same_from_the_result_cache() {
    let app = app();
    let uris = [
        "/api/search?q=salud&province=manabi&limit=3",
        "/api/search?q=salud&limit=3",
        "/api/search?q=salud&limit=3&offset=3",
        "/api/search?q=saludd",
    ];
    let mut first = Vec::new();
    for uri in uris {
        first.push(json_without_time(&app, uri).await);
    }
    assert_eq!(metric(&app, "cuentas_result_cache_hits_total").await, 0);
    assert_eq!(metric(&app, "cuentas_result_cache_misses_total").await, 4);
    assert!(metric(&app, "cuentas_result_cache_bytes").await > 0);
    for (uri, before) in uris.iter().zip(&first) {
        assert_eq!(&json_without_time(&app, uri).await, before, "{uri}");
    }
    assert_eq!(metric(&app, "cuentas_result_cache_hits_total").await, 4);
    assert_ne!(first[1], first[2], "another page is another response");
    assert_eq!(first[3]["corrected_query"], "salud", "{}", first[3]);

    // Turned off, every search runs again and gives the same.
    let dir = IndexDir::new(index_dir());
    let options = ServeOptions {
        result_cache_bytes: 0,
        ..ServeOptions::default()
    };
    let state = AppState::new(Engine::open(&dir).expect("opens"), dir, &options).expect("state");
    let uncached = api::router(state, &options);
    for (uri, before) in uris.iter().zip(&first) {
        assert_eq!(&json_without_time(&uncached, uri).await, before, "{uri}");
    }
    assert_eq!(
        metric(&uncached, "cuentas_result_cache_hits_total").await,
        0
    );
    assert_eq!(
        metric(&uncached, "cuentas_result_cache_misses_total").await,
        0
    );
}

#[tokio::test]
async fn a_rebuilt_index_is_never_answered_from_the_old_ones_results() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (one, index) = (tmp.path().join("one"), tmp.path().join("index"));
    std::fs::create_dir(&one).expect("mkdir");
    std::fs::copy(
        corpus().join("000_7392a04fe1206fbf.txt"),
        one.join("000_7392a04fe1206fbf.txt"),
    )
    .expect("copy");
    build(&[one], &index).expect("build of one report");
    let dir = IndexDir::new(&index);
    let options = ServeOptions::default();
    let state = AppState::new(Engine::open(&dir).expect("opens"), dir, &options).expect("state");
    let app = api::router(state.clone(), &options);
    let uri = "/api/search?q=salud&limit=1";
    let before = json_without_time(&app, uri).await;
    assert_eq!(json_without_time(&app, uri).await, before);
    assert_eq!(metric(&app, "cuentas_result_cache_hits_total").await, 1);
    let (_, facets_before) = get_json(&app, "/api/facets").await;
    assert_eq!(get_json(&app, "/api/facets").await.1, facets_before);

    build(&[corpus()], &index).expect("build of three reports");
    assert!(state.reload_if_changed().expect("reloads"));
    assert_eq!(metric(&app, "cuentas_result_cache_bytes").await, 0);
    let after = json_without_time(&app, uri).await;
    assert!(
        after["total"].as_u64() > before["total"].as_u64(),
        "{} then {}",
        before["total"],
        after["total"]
    );
    assert_eq!(metric(&app, "cuentas_result_cache_hits_total").await, 1);
    let (_, facets_after) = get_json(&app, "/api/facets").await;
    assert_ne!(
        facets_after, facets_before,
        "the whole index's counts are counted again"
    );
    let provinces = |f: &Value| f["province"].as_array().map_or(0, Vec::len);
    assert!(provinces(&facets_after) > provinces(&facets_before));
}
