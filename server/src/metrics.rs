//! `/metrics` in the Prometheus text format (version 0.0.4): requests by
//! method, route pattern and status; request latency histograms by route
//! pattern; document job durations; the database pool. Routes are labelled
//! by their pattern (`/contracts/{id}`), never the raw path, so the number
//! of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}", self.buckets[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → latency.
    latency: BTreeMap<String, Histogram>,
    /// job kind → duration; (kind, outcome) → count.
    jobs: BTreeMap<String, Histogram>,
    job_outcomes: BTreeMap<(String, &'static str), u64>,
}

/// The process's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process-wide registry.
pub fn global() -> &'static Metrics {
    &METRICS
}

/// Escapes a label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// One request answered.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.with(|m| {
            *m.requests.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
            m.latency.entry(route.to_owned()).or_default().observe(took.as_secs_f64());
        });
    }

    /// One background job finished (`ok`) or failed.
    pub fn job(&self, kind: &str, ok: bool, took: Duration) {
        self.with(|m| {
            m.jobs.entry(kind.to_owned()).or_default().observe(took.as_secs_f64());
            *m.job_outcomes.entry((kind.to_owned(), if ok { "ok" } else { "failed" })).or_default() += 1;
        });
    }

    /// The text exposition, with the pool's state (connections, idle).
    pub fn render(&self, pool: (u32, u32)) -> String {
        let mut out = String::new();
        self.with(|m| {
            out.push_str(
                "# HELP gouzhu_http_requests_total Requests answered, by method, route pattern and status.\n",
            );
            out.push_str("# TYPE gouzhu_http_requests_total counter\n");
            for ((method, route, status), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "gouzhu_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    label(method),
                    label(route)
                );
            }
            out.push_str("# HELP gouzhu_http_request_duration_seconds Time to answer, by route pattern.\n");
            out.push_str("# TYPE gouzhu_http_request_duration_seconds histogram\n");
            for (route, h) in &m.latency {
                h.write(
                    &mut out,
                    "gouzhu_http_request_duration_seconds",
                    &format!("route=\"{}\"", label(route)),
                );
            }
            out.push_str("# HELP gouzhu_job_duration_seconds Background document jobs, by kind.\n");
            out.push_str("# TYPE gouzhu_job_duration_seconds histogram\n");
            for (kind, h) in &m.jobs {
                h.write(&mut out, "gouzhu_job_duration_seconds", &format!("kind=\"{}\"", label(kind)));
            }
            out.push_str("# HELP gouzhu_jobs_total Background jobs finished, by kind and outcome.\n");
            out.push_str("# TYPE gouzhu_jobs_total counter\n");
            for ((kind, outcome), n) in &m.job_outcomes {
                let _ =
                    writeln!(out, "gouzhu_jobs_total{{kind=\"{}\",outcome=\"{outcome}\"}} {n}", label(kind));
            }
        });
        out.push_str("# HELP gouzhu_db_pool_connections Database connections open.\n");
        out.push_str("# TYPE gouzhu_db_pool_connections gauge\n");
        let _ = writeln!(out, "gouzhu_db_pool_connections {}", pool.0);
        out.push_str("# HELP gouzhu_db_pool_idle_connections Database connections open and idle.\n");
        out.push_str("# TYPE gouzhu_db_pool_idle_connections gauge\n");
        let _ = writeln!(out, "gouzhu_db_pool_idle_connections {}", pool.1);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_requests_buckets_latency_and_escapes_labels() {
        let m = Metrics::default();
        m.request("GET", "/contracts/{id}", 200, Duration::from_millis(3));
        m.request("GET", "/contracts/{id}", 200, Duration::from_millis(30));
        m.request("POST", "/api/x\"y", 403, Duration::from_millis(1));
        m.job("pay_slips", true, Duration::from_secs(2));
        let text = m.render((3, 2));
        assert!(text.contains(
            "gouzhu_http_requests_total{method=\"GET\",route=\"/contracts/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains("route=\"/api/x\\\"y\",status=\"403\"} 1"));
        assert!(text.contains(
            "gouzhu_http_request_duration_seconds_bucket{route=\"/contracts/{id}\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "gouzhu_http_request_duration_seconds_bucket{route=\"/contracts/{id}\",le=\"0.05\"} 2"
        ));
        assert!(text.contains("gouzhu_http_request_duration_seconds_count{route=\"/contracts/{id}\"} 2"));
        assert!(text.contains("gouzhu_jobs_total{kind=\"pay_slips\",outcome=\"ok\"} 1"));
        assert!(text.contains("gouzhu_db_pool_connections 3"));
        assert!(text.contains("gouzhu_db_pool_idle_connections 2"));
    }
}
