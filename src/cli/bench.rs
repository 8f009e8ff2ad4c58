//! Hidden commands that time the search core and extraction for `benches/run.sh`.

use anyhow::{Context, Result};

use super::{open, BenchArgs, BenchExtractArgs, Outcome};
use crate::config::Config;
use crate::extract::Extractor;
use crate::search::{self, Request};

/// Reads and extracts every report of a folder on `threads` threads; prints MB/s. The same
/// pool and the same reading as `index`, without the index.
pub fn bench_extract(args: BenchExtractArgs) -> Result<Outcome> {
    let walk = crate::ingest::walk(std::slice::from_ref(&args.corpus), &[])?;
    let extractor = Extractor::builtin();
    let reader = crate::ingest::Reader::default();
    let no_overrides = std::collections::HashMap::new();
    let started = std::time::Instant::now();
    let (mut bytes, mut passages, mut figures) = (0usize, 0usize, 0usize);
    crate::index::pool::run(
        &walk.files,
        args.threads,
        || (),
        |_, file| crate::index::build::read_and_extract(file, &reader, &extractor, &no_overrides),
        |_, result| {
            if let Ok((report, _)) = result {
                bytes += report.text.len();
                passages += report.passages.len();
                figures += report
                    .passages
                    .iter()
                    .map(|p| p.figures.len())
                    .sum::<usize>();
            }
        },
    );
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "threads": args.threads, "seconds": secs, "mb": bytes as f64 / 1e6,
            "mb_per_s": bytes as f64 / 1e6 / secs, "passages": passages, "figures": figures,
        })
    );
    Ok(Outcome::Success)
}

/// Runs every query `reps` times after one warm-up pass; prints latency percentiles and QPS.
pub fn bench_queries(config: &Config, args: BenchArgs) -> Result<Outcome> {
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("cannot read {}", args.queries.display()))?;
    // Refused past `MAX_LIMIT`, as the API refuses it.
    let limit = search::parse_count(
        "limit",
        Some(&args.limit.to_string()),
        search::DEFAULT_LIMIT,
        search::MAX_LIMIT,
    )?;
    let requests: Vec<Request> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .filter_map(|q| Request::new(q.trim()).ok())
        .map(|mut r| {
            r.limit = limit;
            r
        })
        .collect();
    if args.reps == 0 {
        anyhow::bail!("--reps must be at least 1: it is how many times each query is timed");
    }
    if requests.is_empty() {
        anyhow::bail!(
            "no query in {}: one query a line, lines starting with # skipped",
            args.queries.display()
        );
    }
    let engine = open(config)?;
    let mut hits = 0usize;
    for r in &requests {
        hits += search::run(&engine, r)?.total;
    }
    let mut latencies = Vec::with_capacity(requests.len() * args.reps);
    let mut worst: Vec<(f64, &str)> = Vec::new();
    let started = std::time::Instant::now();
    for _ in 0..args.reps {
        for r in &requests {
            let t = std::time::Instant::now();
            search::run(&engine, r)?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            latencies.push(ms);
            worst.push((ms, r.query.as_str()));
        }
    }
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    worst.truncate(args.slowest);
    let wall = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).copied().unwrap_or(0.0)
    };
    let report = serde_json::json!({
        "queries": requests.len(), "reps": args.reps, "total_hits": hits,
        "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
        "mean_ms": latencies.iter().sum::<f64>() / latencies.len().max(1) as f64,
        "qps": latencies.len() as f64 / wall.max(1e-9),
        "slowest": worst,
    });
    println!("{report}");
    Ok(Outcome::Success)
}
