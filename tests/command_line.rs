use std::process::Command;

use crate::support::corpus;

fn cuentas(index: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cuentas"))
        .arg("--index")
        .arg(index)
        .args(args)
        .env_remove("CUENTAS_CONFIG")
        .output()
        .expect("runs")
}

#[test]
fn index_then_search_from_the_command_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let corpus = corpus();
    let out = cuentas(
        &index,
        &["index", "--corpus", corpus.to_str().expect("utf-8 path")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("indexed 3 reports"), "{stderr}");

    let out = cuentas(&index, &["search", "mora", "patronal", "--year", "2021"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[mora] [patronal]"), "{stdout}");
    assert!(stdout.contains("Bolívar"), "{stdout}");

    let out = cuentas(&index, &["search", "4.803.665,69", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(json["hits"][0]["text"]
        .as_str()
        .is_some_and(|t| t.contains("4'803.665,69")));
    assert!(json["facets"]["year"].is_array());

    let out = cuentas(&index, &["reports", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["reports"].as_array().map(Vec::len), Some(3));
    let manabi = json["reports"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["province"] == "Manabí"))
        .expect("Manabí");
    let year = &manabi["evidence"]["year"];
    assert_eq!(year["quote"], "Rendición de Cuentas 2020", "{manabi}");
    assert!(year["span"][1].as_u64() > year["span"][0].as_u64());
    assert!(year["confidence"].as_f64().is_some_and(|c| c > 0.9));

    // Issue 13: reports whose metadata rests on weak cues, with the line to correct them.
    let out = cuentas(&index, &["reports", "--review"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("000_7392a04fe1206fbf.txt") && stdout.contains("check province"),
        "the Bolívar report names its province only in a partner's name: {stdout}"
    );
    assert!(
        stdout.contains("cuentas.csv: 000_7392a04fe1206fbf.txt,2021,Bolívar,"),
        "{stdout}"
    );
    assert!(!stdout.contains("004_a8a0011ab6fa9785.txt"), "{stdout}");

    let out = cuentas(&index, &["search", "zzzzqqq"]);
    assert_eq!(out.status.code(), Some(1), "no hits exits 1");

    // The largest amounts first, and a reader that stops reading is no error.
    let out = cuentas(
        &index,
        &[
            "figures", "--kind", "usd", "--sort", "largest", "--limit", "2", "--format", "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["sort"], "largest");
    let texts: Vec<&str> = json["figures"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["text"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(texts, ["USD 1.193.703.286", "USD 1.029.539.608"], "{json}");
    // The same page as CSV: the header and the rows asked for, not every figure.
    let page = |extra: &[&str]| {
        let mut args = vec![
            "figures", "--kind", "usd", "--sort", "largest", "--format", "csv",
        ];
        args.extend_from_slice(extra);
        let out = cuentas(&index, &args);
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        text.lines()
            .skip(1)
            .map(|row| row.split(',').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        page(&["--limit", "2"]),
        ["USD 1.193.703.286", "USD 1.029.539.608"]
    );
    let all = page(&[]);
    assert!(all.len() > 3, "{all:?}");
    assert_eq!(page(&["--limit", "1", "--offset", "1"]), all[1..2]);
    assert_eq!(page(&["--offset", "2"]), all[2..]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cuentas"))
        .arg("--index")
        .arg(&index)
        .args(["figures", "--format", "csv"])
        .env_remove("CUENTAS_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // The benchmark of a query set: timings as JSON; no reps or no query is an error.
    let queries = tmp.path().join("queries.txt");
    std::fs::write(
        &queries,
        "# a comment\nmora patronal\tmulti\n\"seguro social\"\n",
    )
    .expect("writes");
    let file = queries.to_str().expect("utf-8 path");
    let out = cuentas(&index, &["bench-queries", "--queries", file, "--reps", "2"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (json["queries"].as_u64(), json["reps"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(json["p50_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{json}");
    let out = cuentas(&index, &["bench-queries", "--queries", file, "--reps", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--reps"));
    std::fs::write(&queries, "# only a comment\n").expect("writes");
    let out = cuentas(&index, &["bench-queries", "--queries", file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no query in"));
}

#[test]
fn a_table_row_lists_first_the_figures_under_the_headers_asked_for() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = crate::support::one_report(
        tmp.path(),
        "loja-2022.txt",
        "Rendición de Cuentas 2022\nDirección Provincial de Loja\n\n\
         Descripción\tCodificado\tComprometido\tDevengado\n\
         Total Remuneraciones\t4.662.038,11\t2.500.000,00\t2.403.544,30\n",
    );
    let index = tmp.path().join("index");
    let out = cuentas(
        &index,
        &["index", "--corpus", corpus.to_str().expect("utf-8")],
    );
    assert!(out.status.success());
    let out = cuentas(&index, &["search", "remuneraciones devengado"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "figures: 2.403.544,30 = 2403544.3 usd [Devengado] · 4.662.038,11 = 4662038.11 usd \
             [Codificado]"
        ),
        "{stdout}"
    );
}

#[test]
fn errors_are_one_line_and_exit_two() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = cuentas(&tmp.path().join("none"), &["search", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("cuentas: ") && stderr.contains("cuentas index"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");

    let out = cuentas(&tmp.path().join("none"), &["search", "x", "--year", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("year"));
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let mut child = Stopped(
        Command::new(env!("CARGO_BIN_EXE_cuentas"))
            .arg("--index")
            .arg(&index)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--http-threads",
                "3",
                "--corpus",
            ])
            .arg(corpus())
            .env_remove("CUENTAS_CONFIG")
            .env("CUENTAS_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts"),
    );
    let child = &mut child.0;
    // With no index, serve builds one first, then says where it listens.
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("http://")
                .nth(1)
                .map(|a| a.split('/').next().unwrap_or("").to_string())
        })
        .expect("a serving line");
    let addr: std::net::SocketAddr = addr.parse().expect("an address");
    let (status, body) = crate::api::http_get(addr, "/api/search?q=rendicion").expect("answers");
    assert_eq!(status, 200, "{body}");
    assert!(
        index.join("CURRENT").exists(),
        "the index was built on first run"
    );
    let (status, metrics) = crate::api::http_get(addr, "/metrics").expect("answers");
    assert_eq!(status, 200, "{metrics}");
    assert!(
        metrics.lines().any(|l| l == "cuentas_http_threads 3"),
        "the runtime has the threads asked for: {metrics}"
    );
    // The process keeps its heap off transparent huge pages (src/main.rs), where the kernel
    // reports the setting.
    let huge_pages = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("THP_enabled:"))
                .map(str::to_string)
        });
    if let Some(line) = huge_pages {
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
    }

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exits 0 on SIGTERM, got {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The logs went to a pipe, not a terminal: plain text, without colour codes.
    let logs: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(logs.iter().any(|l| l.contains("shutting down")), "{logs:?}");
    assert!(logs.iter().all(|l| !l.contains('\u{1b}')), "{logs:?}");
}

/// A child process killed when dropped, so that a failing assertion leaves no server running
/// (a server left behind keeps the test run's pipes open, and the run never ends).
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
