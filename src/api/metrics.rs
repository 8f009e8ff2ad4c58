//! Request counts and latency histograms by route, and index gauges, in the Prometheus text
//! format. Small enough to keep without a metrics crate: one mutex over a map, held for a few
//! additions per request.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::pool::PoolStats;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct RouteStats {
    /// Requests by status code.
    by_status: BTreeMap<u16, u64>,
    /// Cumulative counts per bucket, then +Inf.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

/// Everything `/metrics` reports.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    /// Size of the served index on disk, in bytes.
    pub index_bytes: AtomicU64,
    /// Unix seconds when the served index was built.
    pub index_built_at: AtomicU64,
    /// Reports in the served index.
    pub index_reports: AtomicU64,
    /// Times a new index generation was picked up while serving.
    pub reloads: AtomicU64,
    /// Searches answered from the result cache.
    pub result_cache_hits: AtomicU64,
    /// Searches looked up in the result cache and not found there.
    pub result_cache_misses: AtomicU64,
    /// Bytes held by the result cache.
    pub result_cache_bytes: AtomicU64,
    /// The search pool's threads, queue, refusals and cancellations.
    pub pool: Arc<PoolStats>,
    /// Threads of the HTTP runtime, as read when the metrics are asked for.
    pub http_threads: AtomicU64,
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, route: &str, status: u16, latency: Duration) {
        let secs = latency.as_secs_f64();
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let stats = routes.entry(route.to_string()).or_default();
        *stats.by_status.entry(status).or_default() += 1;
        let bucket = BUCKETS
            .iter()
            .position(|&b| secs <= b)
            .unwrap_or(BUCKETS.len());
        stats.buckets[bucket] += 1;
        stats.sum += secs;
        stats.count += 1;
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_routes(&mut out);
        self.render_gauges(&mut out);
        out
    }

    /// Request counts and durations, by route.
    fn render_routes(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP cuentas_http_requests_total HTTP requests answered, by route and status."
        );
        let _ = writeln!(out, "# TYPE cuentas_http_requests_total counter");
        let routes = match self.routes.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (route, s) in routes.iter() {
            for (status, n) in &s.by_status {
                let _ = writeln!(
                    out,
                    "cuentas_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP cuentas_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(
            out,
            "# TYPE cuentas_http_request_duration_seconds histogram"
        );
        for (route, s) in routes.iter() {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(
                    out,
                    "cuentas_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += s.buckets[BUCKETS.len()];
            let _ = writeln!(out, "cuentas_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}");
            let _ = writeln!(
                out,
                "cuentas_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "cuentas_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                s.count
            );
        }
    }

    /// The index's and the search pool's gauges and counters.
    fn render_gauges(&self, out: &mut String) {
        let gauges = [
            (
                "cuentas_index_size_bytes",
                "Size of the served index on disk.",
                &self.index_bytes,
                "gauge",
            ),
            (
                "cuentas_index_reports",
                "Reports in the served index.",
                &self.index_reports,
                "gauge",
            ),
            (
                "cuentas_index_last_rebuild_timestamp_seconds",
                "When the served index was built (Unix time).",
                &self.index_built_at,
                "gauge",
            ),
            (
                "cuentas_index_reloads_total",
                "New index generations picked up while serving.",
                &self.reloads,
                "counter",
            ),
            (
                "cuentas_result_cache_hits_total",
                "Searches answered from the result cache.",
                &self.result_cache_hits,
                "counter",
            ),
            (
                "cuentas_result_cache_misses_total",
                "Searches not found in the result cache, run on the search pool.",
                &self.result_cache_misses,
                "counter",
            ),
            (
                "cuentas_result_cache_bytes",
                "Bytes of search responses held by the result cache.",
                &self.result_cache_bytes,
                "gauge",
            ),
            (
                "cuentas_http_threads",
                "Threads of the HTTP runtime (reading requests, writing responses).",
                &self.http_threads,
                "gauge",
            ),
            (
                "cuentas_search_threads",
                "Threads of the search pool.",
                &self.pool.threads,
                "gauge",
            ),
            (
                "cuentas_search_queue_capacity",
                "Places in the search queue.",
                &self.pool.capacity,
                "gauge",
            ),
            (
                "cuentas_search_queued",
                "Search jobs waiting for a thread.",
                &self.pool.queued,
                "gauge",
            ),
            (
                "cuentas_search_busy",
                "Search jobs running.",
                &self.pool.busy,
                "gauge",
            ),
            (
                "cuentas_search_rejected_total",
                "Requests refused at once because the search queue was full (answered 429).",
                &self.pool.rejected,
                "counter",
            ),
            (
                "cuentas_search_cancelled_total",
                "Search jobs stopped by their deadline or by their client going away.",
                &self.pool.cancelled,
                "counter",
            ),
            (
                "cuentas_search_completed_total",
                "Search jobs run to their end.",
                &self.pool.completed,
                "counter",
            ),
        ];
        for (name, help, value, kind) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.record("/api/search", 200, Duration::from_micros(300));
        m.record("/api/search", 200, Duration::from_millis(3));
        m.record("/api/search", 400, Duration::from_secs(10));
        let text = m.render();
        assert!(
            text.contains("cuentas_http_requests_total{route=\"/api/search\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(text.contains("le=\"0.0005\"} 1"), "{text}");
        assert!(text.contains("le=\"0.005\"} 2"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 3"), "{text}");
        assert!(text.contains("cuentas_index_size_bytes 0"));
    }
}
