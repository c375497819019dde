//! A real Prometheus (Debian's `prometheus` 2.42) on the podsim network, configured from the
//! chart's rendered monitoring objects as the Prometheus Operator would configure it: scrape
//! jobs from the ServiceMonitors ([`scrape`]), the PrometheusRules as its rule file, and the
//! Grafana dashboard's queries ([`dashboard`]) asked through its HTTP API.
//!
//! It runs in a network namespace of its own, as a pod of another Kubernetes namespace
//! ([`crate::cluster::Options::prometheus_namespace`]), so the chart's NetworkPolicies decide
//! whether it may scrape the exporters. The harness asks it over HTTP from the client
//! namespace.

pub mod dashboard;
pub mod scrape;

use crate::cluster::{Cluster, PodState};
use crate::error::{io, Error, Result};
use crate::netns::in_netns;
use crate::process::Proc;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Prometheus's port (the `web` port of its pod).
pub const PORT: u16 = 9090;
/// Debian's Prometheus server.
pub const BIN: &str = "/usr/bin/prometheus";

/// One alert as `/api/v1/alerts` lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alert {
    pub name: String,
    /// The `pod` label, when the alert has one.
    pub pod: Option<String>,
    /// `pending` or `firing`.
    pub state: String,
    /// When its expression first held in this episode (Unix seconds, Prometheus's clock).
    pub active_at: f64,
}

impl Alert {
    /// `Name` or `Name/pod`.
    pub fn key(&self) -> String {
        match &self.pod {
            Some(p) => format!("{}/{p}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A running Prometheus and the files it reads.
pub struct Prometheus {
    // Dropped first: the process goes before anything it reads.
    proc: Proc,
    addr: SocketAddr,
    client_ns: String,
    jobs: Vec<scrape::Job>,
    files: std::sync::Mutex<scrape::TargetFiles>,
    namespace: String,
    pub scrape_interval: Duration,
    pub evaluation_interval: Duration,
    pub dir: PathBuf,
}

impl Prometheus {
    /// Writes the configuration of `c`'s rendered ServiceMonitors and PrometheusRules and
    /// starts Prometheus in the cluster's Prometheus namespace; waits (bounded) until it
    /// answers `/-/ready`.
    pub fn start(
        c: &Cluster,
        scrape_interval: Duration,
        evaluation_interval: Duration,
    ) -> Result<Prometheus> {
        let host = c.prometheus_host.clone().ok_or_else(|| {
            Error::Scenario(
                "the cluster has no Prometheus namespace (Options::prometheus_namespace)".into(),
            )
        })?;
        if !Path::new(BIN).exists() {
            return Err(Error::MissingTool(format!(
                "{BIN}: apt-get install prometheus, or run scripts/install-test-tools.sh"
            )));
        }
        let m = c.manifest();
        if m.service_monitors.is_empty() {
            return Err(Error::Scenario(
                "the rendered chart has no ServiceMonitor: nothing to scrape".into(),
            ));
        }
        let dir = c.dir.join("prometheus");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let jobs = scrape::jobs(m)?;
        let mut files = scrape::TargetFiles::new(&dir.join("targets"))?;
        files.sync(&jobs, &m.namespace, &present_pods(c))?;
        let rules = dir.join("rules.json");
        write_json(&rules, &scrape::rule_file(m))?;
        let config = dir.join("prometheus.json");
        write_json(
            &config,
            &scrape::config(&jobs, &files, &rules, scrape_interval, evaluation_interval),
        )?;
        let mut cmd = std::process::Command::new("ip");
        cmd.args(["netns", "exec", &host.netns, BIN])
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=0.0.0.0:{PORT}"))
            .current_dir(&dir);
        let proc = Proc::spawn("prometheus", cmd, &dir.join("prometheus.log"))?;
        let p = Prometheus {
            proc,
            addr: SocketAddr::from((host.addr, PORT)),
            client_ns: c.client_ns.clone(),
            jobs,
            files: std::sync::Mutex::new(files),
            namespace: m.namespace.clone(),
            scrape_interval,
            evaluation_interval,
            dir,
        };
        let start = Instant::now();
        let limit = Duration::from_secs(60);
        while p.get("/-/ready").is_err() {
            if start.elapsed() > limit {
                return Err(Error::Timeout {
                    what: format!("Prometheus ready (log {})", p.proc.log().display()),
                    ms: limit.as_millis(),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(p)
    }

    /// Rewrites the target files for the pods that exist now (Endpoints list a pod from its
    /// creation to its deletion).
    pub fn sync_targets(&self, c: &Cluster) -> Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.sync(&self.jobs, &self.namespace, &present_pods(c))
    }

    /// The scrape jobs (one per ServiceMonitor endpoint).
    pub fn jobs(&self) -> &[scrape::Job] {
        &self.jobs
    }

    /// `GET path` from the client namespace; the body of a 200 answer.
    pub fn get(&self, path: &str) -> Result<String> {
        let (addr, path2) = (self.addr, path.to_string());
        let r = in_netns(&self.client_ns, move || http_get(addr, &path2))?;
        r.map_err(|e| Error::Command {
            cmd: format!("GET http://{}{path}", self.addr),
            detail: e,
        })
    }

    fn api(&self, path: &str) -> Result<Value> {
        let body = self.get(path)?;
        let v: Value = serde_json::from_str(&body).map_err(|e| Error::Command {
            cmd: format!("GET {path}"),
            detail: format!("{e}: {body}"),
        })?;
        if v["status"] != "success" {
            return Err(Error::Command {
                cmd: format!("GET {path}"),
                detail: body,
            });
        }
        Ok(v["data"].clone())
    }

    /// An instant query's result (a vector's samples).
    pub fn query(&self, q: &str) -> Result<Vec<Value>> {
        let d = self.api(&format!("/api/v1/query?query={}", enc(q)))?;
        Ok(d["result"].as_array().cloned().unwrap_or_default())
    }

    /// A range query's result (one matrix row per series), `start`/`end` in Unix seconds.
    pub fn query_range(&self, q: &str, start: f64, end: f64, step: Duration) -> Result<Vec<Value>> {
        let d = self.api(&format!(
            "/api/v1/query_range?query={}&start={start:.3}&end={end:.3}&step={}",
            enc(q),
            step.as_secs_f64()
        ))?;
        Ok(d["result"].as_array().cloned().unwrap_or_default())
    }

    /// Values of `label` on the series `matcher` selects (Grafana's `label_values`).
    pub fn label_values(&self, matcher: &str, label: &str) -> Result<Vec<String>> {
        let d = self.api(&format!(
            "/api/v1/label/{}/values?match[]={}",
            enc(label),
            enc(matcher)
        ))?;
        Ok(d.as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect())
    }

    /// Pending and firing alerts.
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        let d = self.api("/api/v1/alerts")?;
        let mut out = Vec::new();
        for a in d["alerts"].as_array().into_iter().flatten() {
            let active_at = a["activeAt"].as_str().and_then(rfc3339_unix).unwrap_or(0.0);
            out.push(Alert {
                name: a["labels"]["alertname"].as_str().unwrap_or("?").to_string(),
                pod: a["labels"]["pod"].as_str().map(String::from),
                state: a["state"].as_str().unwrap_or("?").to_string(),
                active_at,
            });
        }
        out.sort_by_key(Alert::key);
        Ok(out)
    }

    /// Prometheus's version (`/api/v1/status/buildinfo`).
    pub fn version(&self) -> Result<String> {
        Ok(self.api("/api/v1/status/buildinfo")?["version"]
            .as_str()
            .unwrap_or("?")
            .to_string())
    }

    /// The last lines of Prometheus's log.
    pub fn log_tail(&self, lines: usize) -> String {
        crate::cluster::tail(
            &std::fs::read_to_string(self.proc.log()).unwrap_or_default(),
            lines,
        )
    }
}

fn present_pods(c: &Cluster) -> Vec<crate::netpol::PodInfo> {
    c.pod_infos()
        .into_iter()
        .filter(|p| !matches!(c.pod_state(&p.name), Some(PodState::Absent) | None))
        .collect()
}

fn write_json(path: &Path, v: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::Command {
        cmd: format!("write {}", path.display()),
        detail: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(io(path))
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// `GET path` on Prometheus; the body of a 200 answer.
fn http_get(addr: SocketAddr, path: &str) -> std::result::Result<String, String> {
    match crate::http::get(addr, path, Duration::from_secs(2), Duration::from_secs(10))? {
        (200, body) => Ok(body),
        (status, body) => Err(format!("HTTP {status}: {}", body.trim())),
    }
}

/// Prometheus's `activeAt` (RFC 3339) as Unix seconds.
fn rfc3339_unix(s: &str) -> Option<f64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp() as f64 + f64::from(t.nanosecond()) / 1e9)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_to_unix() {
        assert_eq!(super::rfc3339_unix("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            super::rfc3339_unix("2026-12-07T16:30:01.5Z"),
            Some(1_796_661_001.5)
        );
        assert_eq!(
            super::rfc3339_unix("2026-12-07T16:30:01.25+00:00"),
            Some(1_796_661_001.25)
        );
        assert_eq!(super::rfc3339_unix("2026-12-07"), None);
    }
}
