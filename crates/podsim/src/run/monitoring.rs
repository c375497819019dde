//! `podsim monitoring CHART [-f FILE]...`: the chart's alerts and dashboard on a live group.
//!
//! The pods run as in every scenario, with the redis_exporter sidecars (Debian's
//! prometheus-redis-exporter) and HAProxy's own Prometheus endpoint; a real Prometheus in a pod
//! of another namespace (`monitoring`, which the chart's NetworkPolicies must admit) scrapes
//! them with jobs taken from the rendered ServiceMonitors and evaluates the rendered
//! PrometheusRule. A watcher polls `/api/v1/alerts` every [`POLL`] throughout. Then:
//!
//! 1. healthy: no alert fires for longer than the longest `for:` of the rules;
//! 2. every dashboard panel's queries (variables resolved from live data) return data;
//! 3. a replica's node is lost: RedisDown fires for it, and resolves when it is back;
//! 4. the master's node is lost (a writer through HAProxy measures the outage and the writes
//!    lost): RedisDown fires for it, HaproxyNoMasterBackend while no master is routable, and
//!    RedisFailover for the promoted pod; the HAProxy alert resolves after the failover,
//!    RedisDown when the old master is back, and RedisFailover one eventWindow after the
//!    promotion (checked last);
//! 5. memory is filled past `maxmemory` on the master: RedisMemoryNearMaxmemory fires, and
//!    resolves when the keys are deleted.
//!
//! Every expected alert must be seen firing within its `for:` plus one scrape interval and
//! two evaluation intervals (the failing scrape, the evaluation that starts the `for:`, the
//! one that fires it) of its cause, plus the watcher's poll period and [`TOLERANCE`]; and no
//! alert outside a phase's expected and allowed set may fire. The report keeps the measured
//! figures, and `--png` plots every panel's series over the whole run.

use super::scenario_err;
use crate::cluster::{Cluster, Options};
use crate::error::{Error, Result};
use crate::manifest::{Manifest, WorkloadKind};
use crate::monitoring::{dashboard, Alert, Prometheus};
use crate::resp::{self, Reply};
use crate::scenario::{self, Loss, Outage};
use crate::server::ServerKind;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often the watcher asks Prometheus for its alerts (and refreshes the target files).
pub const POLL: Duration = Duration::from_millis(250);
/// Slack for scheduling on a loaded machine, added to every latency bound.
pub const TOLERANCE: Duration = Duration::from_secs(1);

/// How to run the monitoring scenario.
#[derive(Debug, Clone)]
pub struct MonitoringOptions {
    pub server: ServerKind,
    pub release: String,
    pub keep: bool,
    /// Prometheus's global scrape and evaluation interval (a ServiceMonitor's or rule group's
    /// own interval wins).
    pub interval: Duration,
    /// The Kubernetes namespace of Prometheus's pod.
    pub prometheus_namespace: String,
    /// Write a PNG of every panel's series here.
    pub png: Option<PathBuf>,
}

impl Default for MonitoringOptions {
    fn default() -> Self {
        MonitoringOptions {
            server: ServerKind::default(),
            release: "podsim".into(),
            keep: false,
            interval: Duration::from_secs(1),
            prometheus_namespace: "monitoring".into(),
            png: None,
        }
    }
}

/// One expected alert of a phase, measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AlertCheck {
    pub phase: String,
    /// `Alert/pod` (or `Alert` for any pod).
    pub alert: String,
    /// Its `for:` in the rule file, ms.
    pub for_ms: u64,
    /// From its cause to Prometheus's `activeAt` (the evaluation that first saw it), ms.
    pub active_after_ms: Option<i64>,
    /// From its cause to the watcher seeing it firing, ms.
    pub fired_after_ms: Option<u64>,
    /// The bound `fired_after_ms` must meet.
    pub bound_ms: u64,
    /// From its recovery (for RedisFailover: the promotion) to the watcher seeing it gone,
    /// ms.
    pub resolved_after_ms: Option<u64>,
}

/// One dashboard panel's data at the check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PanelData {
    pub title: String,
    /// Series returned by each of its queries.
    pub series: Vec<usize>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MonitoringReport {
    pub chart: String,
    pub values: Vec<String>,
    pub server: ServerKind,
    pub server_version: String,
    pub prometheus_version: String,
    /// Targets up per scrape job once the group was healthy.
    pub targets: BTreeMap<String, usize>,
    /// Pods whose traffic the rendered NetworkPolicies filtered (Prometheus scrapes through
    /// them).
    pub network_policy_pods: usize,
    pub interval_ms: u64,
    /// The dashboard's variables as resolved from live data.
    pub variables: BTreeMap<String, String>,
    /// How long the healthy group was watched with no alert firing, ms.
    pub healthy_window_ms: u64,
    pub alerts: Vec<AlertCheck>,
    /// Every alert seen firing during the run, with the phase it fired in.
    pub fired: Vec<(String, String)>,
    pub panels: Vec<PanelData>,
    /// The writer through HAProxy during the master's loss.
    pub master_loss: Option<Outage>,
    pub png: Option<String>,
    pub passed: bool,
    pub failures: Vec<String>,
}

impl MonitoringReport {
    pub fn human(&self) -> String {
        let mut out = format!(
            "monitoring on {} {} under Prometheus {}: {}\n",
            self.server,
            self.server_version,
            self.prometheus_version,
            if self.passed { "PASSED" } else { "FAILED" }
        );
        for (job, n) in &self.targets {
            out += &format!("  {job}: {n} targets up\n");
        }
        out += &format!(
            "  healthy for {} ms with no alert; interval {} ms\n",
            self.healthy_window_ms, self.interval_ms
        );
        for a in &self.alerts {
            out += &format!(
                "  {}: {} (for {} ms) active after {} ms, firing after {} ms (bound {} ms){}\n",
                a.phase,
                a.alert,
                a.for_ms,
                a.active_after_ms.map_or("-".into(), |v| v.to_string()),
                a.fired_after_ms.map_or("-".into(), |v| v.to_string()),
                a.bound_ms,
                a.resolved_after_ms
                    .map(|r| format!(", resolved {r} ms after recovery"))
                    .unwrap_or_default()
            );
        }
        for p in &self.panels {
            out += &format!("  panel {:?}: series {:?}\n", p.title, p.series);
        }
        if let Some(o) = &self.master_loss {
            out += &format!(
                "  master loss: unavailable {} ms, writes acknowledged {} (lost {}), confirmed by WAIT 1 {} (lost {})\n",
                o.unavailable_ms, o.writes_acked, o.acked_writes_lost, o.writes_replicated, o.replicated_writes_lost
            );
        }
        if let Some(p) = &self.png {
            out += &format!("  panels plotted to {p}\n");
        }
        for f in &self.failures {
            out += &format!("  promise broken: {f}\n");
        }
        out
    }
}

/// Renders `chart` with `values` (with the monitoring.coreos.com/v1 API announced, as a
/// cluster with the Prometheus Operator has it) and runs the scenario.
pub fn monitoring(
    chart: &Path,
    values: &[PathBuf],
    opts: &MonitoringOptions,
) -> Result<MonitoringReport> {
    let yaml = crate::render::helm_template_with(
        chart,
        values,
        &opts.release,
        &["--api-versions", "monitoring.coreos.com/v1"],
    )?;
    let manifest = Manifest::parse(&yaml)?;
    let cluster = Cluster::new(
        manifest,
        Options {
            keep_dir: opts.keep,
            server: opts.server,
            prometheus_namespace: Some(opts.prometheus_namespace.clone()),
            ..Options::default()
        },
    )?;
    eprintln!(
        "podsim: monitoring on {} {} (run directory {})",
        cluster.server.kind,
        cluster.server.version,
        cluster.dir.display()
    );
    let mut r = run(&cluster, opts)?;
    r.chart = chart.display().to_string();
    r.values = values.iter().map(|v| v.display().to_string()).collect();
    Ok(r)
}

/// What the watcher saw: each poll's alerts, kept when they changed.
#[derive(Default)]
struct Seen {
    polls: Vec<(Instant, Vec<Alert>)>,
    last_poll: Option<Instant>,
    error: Option<String>,
}

struct Watch {
    seen: Arc<Mutex<Seen>>,
}

impl Watch {
    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first poll at or after `since` where an alert matching `key` fires.
    fn first_firing(&self, key: &str, since: Instant) -> Option<(Instant, Alert)> {
        let seen = self.lock();
        // Polls are kept on change only: the last one at or before `since` is the state then.
        let start = seen.polls.partition_point(|(t, _)| *t <= since);
        let from = start.saturating_sub(1);
        seen.polls[from..].iter().find_map(|(t, alerts)| {
            alerts
                .iter()
                .find(|a| a.state == "firing" && matches(key, a))
                .map(|a| ((*t).max(since), a.clone()))
        })
    }

    /// The first poll after `since` listing no alert matching `key` (pending or firing).
    fn gone(&self, key: &str, since: Instant) -> Option<Instant> {
        let seen = self.lock();
        let start = seen.polls.partition_point(|(t, _)| *t <= since);
        let from = start.saturating_sub(1);
        let mut found = seen.polls[from..]
            .iter()
            .find(|(_, alerts)| !alerts.iter().any(|a| matches(key, a)))
            .map(|(t, _)| (*t).max(since));
        // Nothing changed since the last kept poll, and that one lacks it.
        if found.is_none()
            && seen
                .polls
                .last()
                .is_none_or(|(_, a)| !a.iter().any(|a| matches(key, a)))
        {
            found = seen.last_poll;
        }
        found
    }

    /// Keys of the alerts seen firing between `from` and `to`.
    fn fired_between(&self, from: Instant, to: Instant) -> BTreeSet<String> {
        let seen = self.lock();
        let start = seen
            .polls
            .partition_point(|(t, _)| *t <= from)
            .saturating_sub(1);
        seen.polls[start..]
            .iter()
            .filter(|(t, _)| *t <= to)
            .flat_map(|(_, alerts)| {
                alerts
                    .iter()
                    .filter(|a| a.state == "firing")
                    .map(Alert::key)
            })
            .collect()
    }

    /// Keys of the alerts of the last poll (pending or firing).
    fn current(&self) -> Vec<String> {
        self.lock()
            .polls
            .last()
            .map(|(_, a)| {
                a.iter()
                    .map(|a| format!("{} ({})", a.key(), a.state))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits (bounded) until `cond` holds on the watcher's record.
    fn wait<T>(
        &self,
        what: &str,
        limit: Duration,
        mut cond: impl FnMut(&Watch) -> Option<T>,
    ) -> Result<T> {
        let start = Instant::now();
        loop {
            if let Some(e) = self.lock().error.clone() {
                return Err(Error::Scenario(format!("alert watcher: {e}")));
            }
            if let Some(v) = cond(self) {
                return Ok(v);
            }
            if start.elapsed() > limit {
                return Err(Error::Timeout {
                    what: format!("{what} (alerts now: {:?})", self.current()),
                    ms: limit.as_millis(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `Name/pod` matches that alert on that pod; `Name` matches it on any pod.
fn matches(key: &str, a: &Alert) -> bool {
    match key.split_once('/') {
        Some((name, pod)) => a.name == name && a.pod.as_deref() == Some(pod),
        None => a.name == key,
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The wall-clock time (Unix seconds, Prometheus's clock) of a past instant.
fn unix_of(t: Instant) -> f64 {
    unix_now() - t.elapsed().as_secs_f64()
}

/// A Prometheus duration (`500ms`, `5s`, `1m`, `1h`, `1m30s`).
fn duration(s: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: u64 = rest[..digits].parse().ok()?;
        let unit_end = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| digits + i);
        total += match &rest[digits..unit_end] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            "d" => Duration::from_secs(n * 86_400),
            _ => return None,
        };
        rest = &rest[unit_end..];
    }
    Some(total)
}

/// The rule file's alerts and their `for:`, and the longest evaluation interval of a group.
fn alert_rules(m: &Manifest, global: Duration) -> (BTreeMap<String, Duration>, Duration) {
    let mut fors = BTreeMap::new();
    let mut eval = global;
    let file = crate::monitoring::scrape::rule_file(m);
    for g in file["groups"].as_array().into_iter().flatten() {
        if let Some(i) = g["interval"].as_str().and_then(duration) {
            eval = eval.max(i);
        }
        for r in g["rules"].as_array().into_iter().flatten() {
            if let Some(name) = r["alert"].as_str() {
                let f = r["for"]
                    .as_str()
                    .and_then(duration)
                    .unwrap_or(Duration::ZERO);
                fors.insert(name.to_string(), f);
            }
        }
    }
    (fors, eval)
}

/// The scenario's state shared by its phases.
struct Ctx<'a> {
    c: &'a Cluster,
    prom: &'a Prometheus,
    watch: Watch,
    fors: BTreeMap<String, Duration>,
    eval: Duration,
    scrape: Duration,
    checks: Vec<AlertCheck>,
    fired: Vec<(String, String)>,
    failures: Vec<String>,
    /// (when, label) of each fault and recovery, for the plot.
    markers: Vec<(Instant, String)>,
}

impl Ctx<'_> {
    fn bound(&self, alert: &str) -> Duration {
        let name = alert.split('/').next().unwrap_or(alert);
        self.fors.get(name).copied().unwrap_or_default()
            + self.scrape
            + self.eval * 2
            + POLL
            + TOLERANCE
    }

    /// Waits for `alert` to fire after `cause` and records the figures; an alert the rules do
    /// not have is a failure.
    fn expect_firing(&mut self, phase: &str, alert: &str, cause: Instant) -> Option<AlertCheck> {
        let cause_unix = unix_of(cause);
        let name = alert.split('/').next().unwrap_or(alert).to_string();
        let Some(for_) = self.fors.get(&name).copied() else {
            self.failures
                .push(format!("{phase}: the rule file has no alert {name}"));
            return None;
        };
        let bound = self.bound(alert);
        let limit = bound + Duration::from_secs(30);
        let got = self.watch.wait(&format!("{alert} firing"), limit, |w| {
            w.first_firing(alert, cause)
        });
        let (fired_after, active_after) = match got {
            Ok((t, a)) => (
                Some(t.duration_since(cause).as_millis() as u64),
                Some(((a.active_at - cause_unix) * 1000.0).round() as i64),
            ),
            Err(e) => {
                self.failures.push(format!("{phase}: {e}"));
                (None, None)
            }
        };
        if let Some(f) = fired_after {
            if f > bound.as_millis() as u64 {
                self.failures.push(format!(
                    "{phase}: {alert} fired {f} ms after its cause, over the bound of {} ms \
                     (for: {} ms + scrape {} ms + 2 evaluations of {} ms + poll + tolerance)",
                    bound.as_millis(),
                    for_.as_millis(),
                    self.scrape.as_millis(),
                    self.eval.as_millis()
                ));
            }
        }
        let check = AlertCheck {
            phase: phase.to_string(),
            alert: alert.to_string(),
            for_ms: for_.as_millis() as u64,
            active_after_ms: active_after,
            fired_after_ms: fired_after,
            bound_ms: bound.as_millis() as u64,
            resolved_after_ms: None,
        };
        self.checks.push(check.clone());
        Some(check)
    }

    /// Waits for `alert` to be gone after `recovery`; records the figure on its last check.
    fn expect_resolved(&mut self, phase: &str, alert: &str, recovery: Instant, limit: Duration) {
        // Gone after it was seen firing (the alert may still be pending at `recovery`).
        let from = self
            .watch
            .first_firing(alert, recovery)
            .map_or(recovery, |(t, _)| t);
        match self
            .watch
            .wait(&format!("{alert} resolved"), limit, |w| w.gone(alert, from))
        {
            Ok(t) => {
                let ms = t.duration_since(recovery).as_millis() as u64;
                if let Some(c) = self
                    .checks
                    .iter_mut()
                    .rev()
                    .find(|c| c.alert == alert && c.phase == phase)
                {
                    c.resolved_after_ms = Some(ms);
                }
            }
            Err(e) => self.failures.push(format!("{phase}: {e}")),
        }
    }

    /// Alerts that fired between `from` and now: recorded, and a failure unless their name is
    /// in `allowed`.
    fn only_allowed(&mut self, phase: &str, from: Instant, allowed: &[&str]) {
        for key in self.watch.fired_between(from, Instant::now()) {
            let name = key.split('/').next().unwrap_or(&key).to_string();
            if !self.fired.iter().any(|(p, k)| p == phase && *k == key) {
                self.fired.push((phase.to_string(), key.clone()));
            }
            if !allowed.contains(&name.as_str()) {
                self.failures
                    .push(format!("{phase}: unexpected alert {key} fired"));
            }
        }
    }

    fn mark(&mut self, label: &str) -> Instant {
        let t = Instant::now();
        self.markers.push((t, label.to_string()));
        t
    }
}

fn run(c: &Cluster, opts: &MonitoringOptions) -> Result<MonitoringReport> {
    let pods = c.pod_names(WorkloadKind::StatefulSet);
    if pods.len() < 3 {
        return Err(Error::Scenario(format!(
            "the monitoring scenario needs 3 Redis pods (a failover), the chart has {}",
            pods.len()
        )));
    }
    let master = scenario::bootstrap(c).map_err(|e| scenario_err("bootstrap", e))?;
    let prom = Prometheus::start(c, opts.interval, opts.interval)?;
    // The plot's origin: Prometheus's first scrapes.
    let (started, started_unix) = (Instant::now(), unix_now());
    let (fors, eval) = alert_rules(c.manifest(), opts.interval);
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let traffic = start_traffic(c, stop.clone())?;
    let result = std::thread::scope(|s| {
        let (seen2, stop2, prom2) = (seen.clone(), stop.clone(), &prom);
        s.spawn(move || watch_loop(c, prom2, &seen2, &stop2));
        let mut ctx = Ctx {
            c,
            prom: &prom,
            watch: Watch { seen: seen.clone() },
            fors,
            eval,
            scrape: opts.interval,
            checks: Vec::new(),
            fired: Vec::new(),
            failures: Vec::new(),
            markers: Vec::new(),
        };
        let r = phases(&mut ctx, &master, opts, started);
        stop.store(true, Ordering::SeqCst);
        r.map(|r| (r, ctx))
    });
    stop.store(true, Ordering::SeqCst);
    let _ = traffic.join();
    let (mut report, ctx) = result?;
    report.failures.extend(ctx.failures);
    report.alerts = ctx.checks;
    report.fired = ctx.fired;
    report.passed = report.failures.is_empty();
    if let Some(path) = &opts.png {
        let markers: Vec<(f64, String)> = ctx
            .markers
            .iter()
            .map(|(t, l)| (t.duration_since(started).as_secs_f64(), l.clone()))
            .collect();
        plot_panels(
            &prom,
            c.manifest(),
            &report.variables,
            opts.interval,
            started_unix,
            &markers,
            path,
        )?;
        report.png = Some(path.display().to_string());
    }
    if !report.passed {
        eprintln!("podsim: Prometheus log:\n{}", prom.log_tail(20));
    }
    Ok(report)
}

/// The watcher: refreshes the target files from the pods' states and records the alerts.
fn watch_loop(c: &Cluster, prom: &Prometheus, seen: &Mutex<Seen>, stop: &AtomicBool) {
    let mut failures = 0;
    while !stop.load(Ordering::SeqCst) {
        let t = Instant::now();
        let r = prom.sync_targets(c).and_then(|_| prom.alerts());
        let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
        match r {
            Ok(alerts) => {
                failures = 0;
                if s.polls.last().is_none_or(|(_, last)| *last != alerts) {
                    s.polls.push((t, alerts));
                }
                s.last_poll = Some(t);
            }
            // Prometheus answers within milliseconds; several failures in a row are an error.
            Err(e) => {
                failures += 1;
                if failures >= 20 {
                    s.error = Some(e.to_string());
                }
            }
        }
        drop(s);
        std::thread::sleep(POLL.saturating_sub(t.elapsed()));
    }
}

/// Reads through HAProxy every 20 ms, one key that exists and one that does not, so the
/// dashboard's hit ratio and command rate have data.
fn start_traffic(
    c: &Cluster,
    stop: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<Result<()>>> {
    let ha = c
        .facts
        .haproxy
        .ok_or_else(|| Error::Scenario("HAProxy is not enabled".into()))?;
    let pw = c.facts.auth.clone();
    crate::netns::spawn_in_netns(&c.client_ns, move || {
        let mut conn: Option<resp::Conn> = None;
        while !stop.load(Ordering::SeqCst) {
            if conn.is_none() {
                conn = resp::Conn::open(ha, pw.as_deref(), Duration::from_millis(300)).ok();
            }
            if let Some(cn) = conn.as_mut() {
                let ok = cn.cmd(&["GET", "podsim:bootstrap"]).is_ok()
                    && cn.cmd(&["GET", "podsim:monitoring:absent"]).is_ok();
                if !ok {
                    conn = None;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}

fn phases(
    ctx: &mut Ctx,
    master: &str,
    opts: &MonitoringOptions,
    started: Instant,
) -> Result<MonitoringReport> {
    let c = ctx.c;
    let prom = ctx.prom;
    let pods = c.pod_names(WorkloadKind::StatefulSet);
    let long = Duration::from_secs(60);
    // Every target up and the replicas' links up, as Prometheus sees them.
    let total_targets: usize = prom
        .jobs()
        .iter()
        .map(|j| {
            crate::monitoring::scrape::target_groups(j, &c.manifest().namespace, &c.pod_infos())
                .len()
        })
        .sum();
    c.wait_for("every target up in Prometheus", long, |_| {
        let up = prom.query("up == 1").ok()?.len();
        let linked = prom.query("redis_master_link_up == 1").ok()?.len();
        (up == total_targets && linked == pods.len() - 1).then_some(())
    })
    .map_err(|e| {
        Error::Scenario(format!(
            "{e}; targets: {:?}; Prometheus log:\n{}",
            prom.query("up").unwrap_or_default(),
            prom.log_tail(10)
        ))
    })?;
    let mut targets = BTreeMap::new();
    for s in prom.query("up == 1")? {
        let job = s["metric"]["job"].as_str().unwrap_or("?").to_string();
        *targets.entry(job).or_insert(0) += 1;
    }

    // 1. Healthy: longer than the longest `for:` plus a scrape and two evaluations, no alert
    // fires (anything true from the start would have fired by then).
    let longest = ctx.fors.values().copied().max().unwrap_or_default();
    let window = longest + ctx.scrape + ctx.eval * 2 + POLL;
    let healthy_from = Instant::now();
    std::thread::sleep(window);
    ctx.only_allowed("healthy", healthy_from, &[]);

    // 2. The dashboard: variables from live data, then every panel's queries have data.
    let (variables, panels) = check_panels(ctx, started)?;

    // 3. A replica's node is lost, then the pod is recreated.
    let replica = pods
        .iter()
        .rev()
        .find(|p| p.as_str() != master)
        .cloned()
        .ok_or_else(|| Error::Scenario("no replica".into()))?;
    let phase = "replica lost";
    let t = ctx.mark(&format!("{replica} lost"));
    c.kill_pod(&replica)?;
    let down = format!("RedisDown/{replica}");
    ctx.expect_firing(phase, &down, t);
    let back = ctx.mark(&format!("{replica} back"));
    scenario::rejoin(c, &replica, long).map_err(|e| scenario_err("replica rejoin", e))?;
    ctx.expect_resolved(phase, &down, back, long);
    ctx.only_allowed(
        phase,
        t,
        &[
            "RedisDown",
            "RedisTooFewPods",
            "RedisReplicationBroken",
            "RedisFullResync",
        ],
    );

    // 4. The master's node is lost under a writer through HAProxy.
    let phase = "master lost";
    let report =
        scenario::lose_master(c, Loss::Hard, long).map_err(|e| scenario_err("master loss", e))?;
    let (kill_at, new_master, seen_at) = match (
        report.lost_at,
        &report.new_master,
        report.new_master_seen_at,
    ) {
        (Some(k), Some(m), Some(seen)) => (k, m.clone(), seen),
        _ => {
            return Err(Error::Scenario(format!(
                "no failover after the master's loss: {:?}",
                report.reason
            )))
        }
    };
    ctx.markers.push((kill_at, format!("{master} lost")));
    ctx.markers
        .push((seen_at, format!("{new_master} promoted")));
    ctx.expect_firing(phase, &format!("RedisDown/{master}"), kill_at);
    ctx.expect_firing(phase, "HaproxyNoMasterBackend", kill_at);
    ctx.expect_firing(phase, &format!("RedisFailover/{new_master}"), seen_at);
    ctx.expect_resolved(phase, "HaproxyNoMasterBackend", seen_at, long);
    let back = ctx.mark(&format!("{master} back"));
    scenario::rejoin(c, master, long).map_err(|e| scenario_err("old master rejoin", e))?;
    ctx.expect_resolved(phase, &format!("RedisDown/{master}"), back, long);
    ctx.only_allowed(
        phase,
        kill_at,
        &[
            "RedisDown",
            "RedisTooFewPods",
            "RedisNoMaster",
            "RedisReplicationBroken",
            "RedisFailover",
            "RedisFullResync",
            "HaproxyNoMasterBackend",
        ],
    );
    let master_loss = report.outage.clone();

    // 5. Memory filled past maxmemory on the master, then freed.
    let phase = "memory filled";
    let t = ctx.mark("memory filled");
    let keys = fill_memory(c, &new_master)?;
    ctx.expect_firing(phase, &format!("RedisMemoryNearMaxmemory/{new_master}"), t);
    let freed = ctx.mark("keys deleted");
    free_memory(c, &new_master, &keys)?;
    ctx.expect_resolved(
        phase,
        &format!("RedisMemoryNearMaxmemory/{new_master}"),
        freed,
        long,
    );
    ctx.only_allowed(
        phase,
        t,
        &[
            "RedisMemoryNearMaxmemory",
            "RedisMemoryNearLimit",
            "RedisEvictingKeys",
            "RedisFailover",
            "RedisFullResync",
            "RedisReplicaLagging",
        ],
    );

    // The failover alert resolves on its own one eventWindow after the promotion.
    ctx.expect_resolved(
        "master lost",
        &format!("RedisFailover/{new_master}"),
        seen_at,
        long,
    );

    Ok(MonitoringReport {
        chart: String::new(),
        values: Vec::new(),
        server: c.server.kind,
        server_version: c.server.version.clone(),
        prometheus_version: prom.version().unwrap_or_default(),
        targets,
        network_policy_pods: c.policed_pods.len(),
        interval_ms: opts.interval.as_millis() as u64,
        variables,
        healthy_window_ms: window.as_millis() as u64,
        alerts: Vec::new(),
        fired: Vec::new(),
        panels,
        master_loss,
        png: None,
        passed: false,
        failures: Vec::new(),
    })
}

/// Writes 1 MiB values to `pod` until it holds more than its `maxmemory` (evicting, or
/// refusing with OOM under noeviction), bounded by twice `maxmemory`; returns the keys.
fn fill_memory(c: &Cluster, pod: &str) -> Result<Vec<String>> {
    let max = match c.redis_cmd(pod, &["CONFIG", "GET", "maxmemory"])? {
        Reply::Array(Some(items)) => items
            .get(1)
            .and_then(Reply::text)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0),
        other => return Err(Error::Scenario(format!("CONFIG GET maxmemory: {other:?}"))),
    };
    if max == 0 || max > 512 << 20 {
        return Err(Error::Scenario(format!(
            "maxmemory of {pod} is {max} bytes: the scenario fills memory, give it a small \
             maxmemory (redis.config.maxmemory, e.g. 64mb)"
        )));
    }
    let value = "x".repeat(1 << 20);
    let n = max.div_ceil(1 << 20) * 2;
    let mut keys = Vec::new();
    for i in 0..n {
        let key = format!("podsim:monitoring:fill:{i}");
        match c.redis_cmd(pod, &["SET", &key, &value])? {
            Reply::Status(_) => keys.push(key),
            Reply::Error(e) if e.starts_with("OOM") => break,
            other => return Err(Error::Scenario(format!("SET {key}: {other:?}"))),
        }
        let used = c
            .redis_cmd(pod, &["INFO", "memory"])?
            .text()
            .and_then(|t| resp::info_field(&t, "used_memory"))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        // Past maxmemory by a few values: evictions happened (or writes were refused).
        if i > max / (1 << 20) + 4 && used * 100 >= max * 95 {
            break;
        }
    }
    Ok(keys)
}

/// Deletes `keys` on `pod` (FLUSHALL is among the commands the chart disables).
fn free_memory(c: &Cluster, pod: &str, keys: &[String]) -> Result<()> {
    for chunk in keys.chunks(100) {
        let mut args = vec!["DEL"];
        args.extend(chunk.iter().map(String::as_str));
        match c.redis_cmd(pod, &args)? {
            Reply::Int(_) => {}
            other => return Err(Error::Scenario(format!("DEL: {other:?}"))),
        }
    }
    Ok(())
}

/// Resolves the dashboard's variables from live data and checks that every query of every
/// panel returns data.
fn check_panels(
    ctx: &mut Ctx,
    started: Instant,
) -> Result<(BTreeMap<String, String>, Vec<PanelData>)> {
    let (c, prom) = (ctx.c, ctx.prom);
    let dashboards = c.manifest().dashboards();
    let Some((name, dash)) = dashboards.first() else {
        ctx.failures
            .push("the rendered chart has no Grafana dashboard".into());
        return Ok((BTreeMap::new(), Vec::new()));
    };
    let variables = resolve_variables(prom, dash)?;
    let mut out = Vec::new();
    let panels = dashboard::panels(dash);
    if panels.is_empty() {
        ctx.failures
            .push(format!("dashboard {name} has no panel with a query"));
    }
    for p in panels {
        let mut series = Vec::new();
        for (expr, _) in &p.targets {
            let q = dashboard::substitute(expr, &variables, ctx.scrape, started.elapsed());
            // Rates need a few scrapes of traffic: wait (bounded) for data.
            let got = c.wait_for(
                &format!("panel {:?}: {q}", p.title),
                Duration::from_secs(30),
                |_| {
                    let r = prom.query(&q).ok()?;
                    let finite = r.iter().any(|s| {
                        s["value"][1]
                            .as_str()
                            .and_then(|v| v.parse::<f64>().ok())
                            .is_some_and(f64::is_finite)
                    });
                    finite.then_some(r.len())
                },
            );
            match got {
                Ok(n) => series.push(n),
                Err(e) => {
                    ctx.failures.push(format!("no data: {e}"));
                    series.push(0);
                }
            }
        }
        out.push(PanelData {
            title: p.title.clone(),
            series,
        });
    }
    Ok((variables, out))
}

/// Each `label_values` variable from live data: the first value, as Grafana preselects it
/// (one release scraped here, so one value).
fn resolve_variables(prom: &Prometheus, dash: &Value) -> Result<BTreeMap<String, String>> {
    let mut vars = BTreeMap::new();
    for v in dashboard::variables(dash) {
        let Some((sel, label)) = dashboard::label_values_query(&v.query) else {
            return Err(Error::Scenario(format!(
                "dashboard variable {}: podsim resolves label_values(...) only, not {:?}",
                v.name, v.query
            )));
        };
        let sel =
            dashboard::substitute(&sel, &vars, Duration::from_secs(1), Duration::from_secs(1));
        let values = prom.label_values(&sel, &label)?;
        let first = values.first().cloned().ok_or_else(|| {
            Error::Scenario(format!(
                "dashboard variable {}: no value for {label} on {sel}",
                v.name
            ))
        })?;
        vars.insert(v.name, first);
    }
    Ok(vars)
}

/// Every panel's series over the whole run, plotted to `out`.
fn plot_panels(
    prom: &Prometheus,
    m: &Manifest,
    variables: &BTreeMap<String, String>,
    step: Duration,
    started_unix: f64,
    markers: &[(f64, String)],
    out: &Path,
) -> Result<()> {
    use crate::plot;
    let Some((_, dash)) = m.dashboards().into_iter().next() else {
        return Ok(());
    };
    let end = unix_now();
    let range = Duration::from_secs_f64((end - started_unix).max(1.0));
    let release = variables.get("release").cloned().unwrap_or_default();
    // Pod names without the release's prefix: `server-0`, not `rel-redis-1g-server-0`.
    let prefix = format!("{release}-");
    let short = |s: &str| {
        if release.is_empty() {
            s.to_string()
        } else {
            s.replace(&prefix, "")
        }
    };
    let mut panels = Vec::new();
    for p in dashboard::panels(&dash) {
        let mut series = Vec::new();
        for (expr, legend) in &p.targets {
            let q = dashboard::substitute(expr, variables, step, range);
            for row in prom.query_range(&q, started_unix, end, step)? {
                let labels = row["metric"].as_object().cloned().unwrap_or_default();
                let mut points: Vec<(f64, f64)> = Vec::new();
                for v in row["values"].as_array().into_iter().flatten() {
                    let (Some(t), Some(y)) = (
                        v[0].as_f64(),
                        v[1].as_str().and_then(|y| y.parse::<f64>().ok()),
                    ) else {
                        continue;
                    };
                    let t = t - started_unix;
                    // A missing sample (a pod down) is a gap, not a line across it.
                    if points
                        .last()
                        .is_some_and(|(p, _)| t - p > step.as_secs_f64() * 1.5)
                    {
                        points.push((t - step.as_secs_f64(), f64::NAN));
                    }
                    points.push((t, y));
                }
                series.push(plot::Series {
                    label: short(&dashboard::legend(legend, &labels)),
                    points,
                });
            }
        }
        let unit = match p.unit.as_str() {
            "bytes" => plot::Unit::Bytes,
            "percent" => plot::Unit::Percent,
            "percentunit" => plot::Unit::Ratio,
            "ops" | "reqps" => plot::Unit::PerSecond,
            _ => plot::Unit::Count,
        };
        panels.push(plot::Panel {
            title: p.title.clone(),
            unit,
            series,
        });
    }
    let markers: Vec<plot::Marker> = markers
        .iter()
        .map(|(at, label)| plot::Marker {
            at: *at,
            label: label.clone(),
        })
        .collect();
    // Numbered markers with their key in the title: seven labels side by side do not fit.
    let key: Vec<String> = markers
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {}", i + 1, short(&m.label)))
        .collect();
    let markers: Vec<plot::Marker> = markers
        .iter()
        .enumerate()
        .map(|(i, m)| plot::Marker {
            at: m.at,
            label: (i + 1).to_string(),
        })
        .collect();
    let title = format!(
        "{release} under podsim (x: seconds; dashed lines: {})",
        key.join(", ")
    );
    plot::render_png(&title, &panels, &markers, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_durations() {
        assert_eq!(duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(duration(""), None);
        assert_eq!(duration("5x"), None);
    }

    #[test]
    fn the_watch_reads_firing_and_resolution_from_polls_kept_on_change() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let alert = |state: &str| Alert {
            name: "RedisFailover".into(),
            pod: Some("p-1".into()),
            state: state.into(),
            active_at: 0.0,
        };
        let seen = Seen {
            polls: vec![
                (at(0), vec![]),
                (at(1000), vec![alert("firing")]),
                (at(21_000), vec![]),
            ],
            last_poll: Some(at(30_000)),
            error: None,
        };
        let w = Watch {
            seen: Arc::new(Mutex::new(seen)),
        };
        let key = "RedisFailover/p-1";
        // Caused at 500 ms: seen firing at the 1000 ms poll.
        assert_eq!(w.first_firing(key, at(500)).map(|(t, _)| t), Some(at(1000)));
        // Still firing at 5 s: firing "since" then.
        assert_eq!(
            w.first_firing(key, at(5000)).map(|(t, _)| t),
            Some(at(5000))
        );
        // Gone after it fired (asked from the very poll it fired at): at 21 s.
        assert_eq!(w.gone(key, at(1000)), Some(at(21_000)));
        assert_eq!(w.gone(key, at(500)), Some(at(500)));
        assert_eq!(
            w.fired_between(at(1000), at(2000)),
            BTreeSet::from([key.to_string()])
        );
        assert!(w.fired_between(at(21_000), at(25_000)).is_empty());
    }

    #[test]
    fn alert_keys_match_name_and_pod() {
        let a = Alert {
            name: "RedisDown".into(),
            pod: Some("p-0".into()),
            state: "firing".into(),
            active_at: 0.0,
        };
        assert!(matches("RedisDown", &a));
        assert!(matches("RedisDown/p-0", &a));
        assert!(!matches("RedisDown/p-1", &a));
        assert!(!matches("RedisFailover", &a));
    }
}
