//! The simulated cluster: pods of the redis StatefulSet and the HAProxy Deployment, each in
//! its own namespaces, a supervisor that restarts exited containers (restartPolicy Always),
//! and Service names mapped to pod addresses through each pod's hosts file.

use crate::error::{io, Error, Result};
use crate::manifest::{
    as_uint, container_plan, str_at, ContainerPlan, Manifest, Probe, WorkloadKind,
};
use crate::netns::{in_netns, Network};
use crate::process::{run_bounded, Proc};
use crate::resp;
use crate::sandbox::{Mount, Sandbox};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Timing knobs of the harness itself (not of the chart).
#[derive(Debug, Clone)]
pub struct Options {
    /// Bound for each init container.
    pub init_timeout: Duration,
    /// Bound for a pod to pass its readiness probes after its containers started.
    pub ready_timeout: Duration,
    /// Delay before an exited container is restarted (kubelet uses 10 s doubling).
    pub restart_backoff: Duration,
    /// Keep the run directory (logs) after the cluster is dropped.
    pub keep_dir: bool,
    /// Graceful stop: run every preStop hook to completion before any container gets
    /// SIGTERM. Kubernetes does NOT do this (each container runs its own hook, then gets
    /// SIGTERM, all in parallel); this is for comparison only.
    pub hooks_before_sigterm: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            init_timeout: Duration::from_secs(120),
            ready_timeout: Duration::from_secs(120),
            restart_backoff: Duration::from_secs(2),
            keep_dir: false,
            hooks_before_sigterm: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodState {
    /// Not created yet, or deleted after a graceful stop.
    Absent,
    /// Init containers / containers starting, not ready.
    Starting,
    Ready,
    /// All processes SIGKILLed (node loss); still listed by Services until `gone_at`.
    Lost,
}

#[derive(Debug)]
struct ContainerRt {
    plan: ContainerPlan,
    proc: Option<Proc>,
    exited_at: Option<Instant>,
    restarts: u32,
}

#[derive(Debug)]
pub struct PodRt {
    pub name: String,
    pub kind: WorkloadKind,
    pub addr: Ipv4Addr,
    labels: BTreeMap<String, String>,
    template: Value,
    claims: Vec<String>,
    sandbox: Sandbox,
    containers: Vec<ContainerRt>,
    pub state: PodState,
    /// When a lost pod stops being listed by the headless Service (readiness failing).
    gone_at: Option<Instant>,
    unready_after: Duration,
    grace: Duration,
    log_dir: PathBuf,
}

struct Inner {
    // Field order matters for Drop: pods (processes) go before the network.
    pods: Vec<PodRt>,
    net: Network,
}

/// Facts read from the chart's vars.sh and env, needed to talk to the pods.
#[derive(Debug, Clone)]
pub struct Facts {
    pub fullname: String,
    pub namespace: String,
    pub master_group: String,
    pub redis_port: u16,
    pub sentinel_port: u16,
    pub quorum: u32,
    /// `sentinel down-after-milliseconds` from the rendered sentinel.conf.
    pub down_after_ms: u64,
    pub auth: Option<String>,
    pub sentinel_auth: Option<String>,
    /// HAProxy frontend address (pod 0 of the HAProxy Deployment), if HAProxy is enabled.
    pub haproxy: Option<SocketAddr>,
}

pub struct Cluster {
    inner: Arc<Mutex<Inner>>,
    stop: Arc<AtomicBool>,
    supervisor: Option<std::thread::JoinHandle<()>>,
    pub client_ns: String,
    pub dir: PathBuf,
    pub facts: Facts,
    manifest: Arc<Manifest>,
    opts: Options,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic in another thread must not stop cleanup: take the data anyway.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Checks that the harness can work: root, and the tools it starts.
pub fn preflight() -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(Error::NotRoot);
    }
    for t in [
        "ip",
        "unshare",
        "chroot",
        "mount",
        "redis-server",
        "redis-sentinel",
        "redis-cli",
        "haproxy",
    ] {
        let found = std::env::var("PATH")
            .unwrap_or_default()
            .split(':')
            .chain(["/usr/sbin", "/sbin"])
            .any(|d| Path::new(d).join(t).exists());
        if !found {
            return Err(Error::MissingTool(t.to_string()));
        }
    }
    Ok(())
}

/// Parses `NAME='value'` lines of vars.sh (single-quoted with '\'' escapes, or bare).
pub fn parse_vars(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || k.is_empty() {
            continue;
        }
        let mut val = String::new();
        let mut rest = v;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('\'') {
                let end = r.find('\'').unwrap_or(r.len());
                val.push_str(&r[..end]);
                rest = r.get(end + 1..).unwrap_or("");
            } else if let Some(r) = rest.strip_prefix("\\'") {
                val.push('\'');
                rest = r;
            } else if let Some(r) = rest.strip_prefix('"') {
                let end = r.find('"').unwrap_or(r.len());
                val.push_str(&r[..end]);
                rest = r.get(end + 1..).unwrap_or("");
            } else {
                let end = rest.find(['\'', '"', ' ', '#']).unwrap_or(rest.len());
                if end == 0 {
                    break;
                }
                val.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
        out.insert(k.to_string(), val);
    }
    out
}

impl Cluster {
    /// Plans every pod of `manifest`, creates namespaces and volumes. Starts nothing.
    pub fn new(manifest: Manifest, opts: Options) -> Result<Cluster> {
        preflight()?;
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let run = format!(
            "{}x{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let dir = std::env::temp_dir().join(format!("podsim-{run}"));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        if !opts.keep_dir {
            crate::cleanup::add_dir(&dir);
        }
        let mut net = Network::new(&run)?;
        let (client_ns, _) = net.add("client", 250)?;
        let mut inner = Inner {
            pods: Vec::new(),
            net,
        };
        let sts = manifest.statefulset()?.clone();
        let mut workloads = vec![sts.clone()];
        if let Some(h) = manifest.haproxy() {
            workloads.push(h.clone());
        }
        let mut octet: u8 = 10;
        for w in &workloads {
            let labels0 = match w.template.get("metadata").and_then(|m| m.get("labels")) {
                Some(Value::Object(o)) => o
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str()
                                .map(String::from)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect::<BTreeMap<_, _>>(),
                _ => BTreeMap::new(),
            };
            let spec = w.template.get("spec").cloned().unwrap_or(Value::Null);
            let grace = spec
                .get("terminationGracePeriodSeconds")
                .and_then(as_uint)
                .unwrap_or(30);
            for i in 0..w.replicas {
                let name = match w.kind {
                    WorkloadKind::StatefulSet => format!("{}-{i}", w.name),
                    // Deployment pods get a random suffix in Kubernetes; a fixed one here.
                    WorkloadKind::Deployment => format!("{}-podsim-{i}", w.name),
                };
                let mut labels = labels0.clone();
                if w.kind == WorkloadKind::StatefulSet {
                    labels.insert("statefulset.kubernetes.io/pod-name".into(), name.clone());
                }
                let short = format!(
                    "{}{i}",
                    if w.kind == WorkloadKind::StatefulSet {
                        "r"
                    } else {
                        "h"
                    }
                );
                let (ns, addr) = inner.net.add(&short, octet)?;
                octet = octet.saturating_add(1);
                let pdir = dir.join(&name);
                let log_dir = pdir.join("logs");
                std::fs::create_dir_all(&log_dir).map_err(io(&log_dir))?;
                let unready_after = redis_unready_after(&spec);
                // The sandbox's mount list is built per container at start; here only the base.
                let sandbox = Sandbox::new(&name, &name, &ns, addr, &pdir, &[])?;
                inner.pods.push(PodRt {
                    name,
                    kind: w.kind,
                    addr,
                    labels,
                    template: w.template.clone(),
                    claims: w.claims.clone(),
                    sandbox,
                    containers: Vec::new(),
                    state: PodState::Absent,
                    gone_at: None,
                    unready_after,
                    grace: Duration::from_secs(grace),
                    log_dir,
                });
            }
        }
        let facts = facts(&manifest, &sts, &inner)?;
        let inner = Arc::new(Mutex::new(inner));
        let stop = Arc::new(AtomicBool::new(false));
        let manifest = Arc::new(manifest);
        let mut c = Cluster {
            inner: inner.clone(),
            stop: stop.clone(),
            supervisor: None,
            client_ns,
            dir,
            facts,
            manifest: manifest.clone(),
            opts: opts.clone(),
        };
        c.write_hosts()?;
        let backoff = opts.restart_backoff;
        c.supervisor = Some(std::thread::spawn(move || {
            supervise(inner, manifest, stop, backoff)
        }));
        Ok(c)
    }

    pub fn pod_names(&self, kind: WorkloadKind) -> Vec<String> {
        lock(&self.inner)
            .pods
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.name.clone())
            .collect()
    }

    pub fn pod_addr(&self, name: &str) -> Option<Ipv4Addr> {
        lock(&self.inner)
            .pods
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.addr)
    }

    pub fn pod_state(&self, name: &str) -> Option<PodState> {
        lock(&self.inner)
            .pods
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.state)
    }

    /// Rewrites every pod's hosts file from the current pod states.
    fn write_hosts(&self) -> Result<()> {
        let inner = lock(&self.inner);
        write_hosts_locked(&self.manifest, &inner)
    }

    /// Starts all pods: the StatefulSet in order (OrderedReady), then HAProxy.
    pub fn start_all(&self) -> Result<()> {
        for kind in [WorkloadKind::StatefulSet, WorkloadKind::Deployment] {
            for name in self.pod_names(kind) {
                self.start_pod(&name)?;
            }
        }
        Ok(())
    }

    /// (Re)creates a pod: fresh emptyDirs, init containers in order, then containers; waits
    /// until every readiness probe passes.
    pub fn start_pod(&self, name: &str) -> Result<()> {
        let (init, mains) = {
            let mut inner = lock(&self.inner);
            let pod = find(&mut inner, name)?;
            pod.state = PodState::Starting;
            pod.gone_at = None;
            prepare_volumes(&self.manifest, pod)?;
            let spec = pod.template.get("spec").cloned().unwrap_or(Value::Null);
            let plans = |key: &str| -> Result<Vec<ContainerPlan>> {
                let mut out = Vec::new();
                for c in spec
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let image = str_at(c, &["image"]).unwrap_or_default();
                    let cname = str_at(c, &["name"]).unwrap_or_default();
                    if let Some(why) = skip_reason(&cname, &image) {
                        let _ = append(
                            &pod.log_dir.join("events.log"),
                            &format!("skipped container {cname} ({image}): {why}\n"),
                        );
                        continue;
                    }
                    out.push(container_plan(
                        &self.manifest,
                        c,
                        &pod.name,
                        &pod.addr.to_string(),
                    )?);
                }
                Ok(out)
            };
            (plans("initContainers")?, plans("containers")?)
        };
        self.write_hosts()?;
        for c in &init {
            let cmd = {
                let inner = lock(&self.inner);
                let pod = inner
                    .pods
                    .iter()
                    .find(|p| p.name == name)
                    .ok_or_else(|| no_pod(name))?;
                container_command(pod, c)?
            };
            let log = self.log_path(name, &format!("init-{}", c.name));
            let (st, out) = run_bounded(cmd, self.opts.init_timeout, &log)?;
            if !st.success() {
                return Err(Error::Scenario(format!(
                    "pod {name}: init container {} failed ({st}); log {}:\n{}",
                    c.name,
                    log.display(),
                    tail(&out, 30)
                )));
            }
        }
        {
            let mut inner = lock(&self.inner);
            let pod = find(&mut inner, name)?;
            pod.containers.clear();
            for c in mains {
                let cmd = container_command(pod, &c)?;
                let p = Proc::spawn(&c.name, cmd, &pod.log_dir.join(format!("{}.log", c.name)))?;
                pod.containers.push(ContainerRt {
                    plan: c,
                    proc: Some(p),
                    exited_at: None,
                    restarts: 0,
                });
            }
        }
        self.wait_ready(name)?;
        let mut inner = lock(&self.inner);
        find(&mut inner, name)?.state = PodState::Ready;
        write_hosts_locked(&self.manifest, &inner)
    }

    fn log_path(&self, pod: &str, what: &str) -> PathBuf {
        self.dir.join(pod).join("logs").join(format!("{what}.log"))
    }

    /// Polls every container's readiness probe until all pass (bounded).
    fn wait_ready(&self, name: &str) -> Result<()> {
        let probes: Vec<(String, Probe, ContainerPlan)> = {
            let inner = lock(&self.inner);
            let pod = inner
                .pods
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| no_pod(name))?;
            pod.containers
                .iter()
                .filter_map(|c| {
                    c.plan
                        .readiness
                        .clone()
                        .map(|p| (c.plan.name.clone(), p, c.plan.clone()))
                })
                .collect()
        };
        let start = Instant::now();
        for (cname, probe, plan) in probes {
            loop {
                if self.probe_once(name, &probe, &plan)? {
                    break;
                }
                if start.elapsed() > self.opts.ready_timeout {
                    return Err(Error::Timeout {
                        what: format!(
                            "readiness of {name}/{cname} (logs in {})",
                            self.dir.join(name).join("logs").display()
                        ),
                        ms: self.opts.ready_timeout.as_millis(),
                    });
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Ok(())
    }

    /// Runs one readiness probe of a container; true when it passes.
    pub fn probe_once(&self, pod: &str, probe: &Probe, plan: &ContainerPlan) -> Result<bool> {
        let addr = self.pod_addr(pod).ok_or_else(|| no_pod(pod))?;
        match probe {
            Probe::Exec(argv) => {
                let mut p = plan.clone();
                p.argv = argv.clone();
                let cmd = {
                    let inner = lock(&self.inner);
                    let pr = inner
                        .pods
                        .iter()
                        .find(|x| x.name == pod)
                        .ok_or_else(|| no_pod(pod))?;
                    container_command(pr, &p)?
                };
                let log = self.log_path(pod, &format!("probe-{}", plan.name));
                match run_bounded(cmd, Duration::from_secs(10), &log) {
                    Ok((st, _)) => Ok(st.success()),
                    Err(Error::Timeout { .. }) => Ok(false),
                    Err(e) => Err(e),
                }
            }
            Probe::Tcp(port) => {
                let a = SocketAddr::from((addr, *port));
                in_netns(&self.client_ns, move || {
                    std::net::TcpStream::connect_timeout(&a, Duration::from_millis(500)).is_ok()
                })
            }
            Probe::Http { port, path } => {
                let a = SocketAddr::from((addr, *port));
                let path = path.clone();
                in_netns(&self.client_ns, move || http_ok(a, &path))
            }
        }
    }

    /// Node loss: SIGKILL every process of the pod at once. The pod is not restarted.
    pub fn kill_pod(&self, name: &str) -> Result<()> {
        let mut inner = lock(&self.inner);
        let pod = find(&mut inner, name)?;
        for c in &mut pod.containers {
            if let Some(p) = c.proc.as_mut() {
                p.kill_hard();
            }
        }
        pod.state = PodState::Lost;
        pod.gone_at = Some(Instant::now() + pod.unready_after);
        Ok(())
    }

    /// Pod deletion as kubelet does it: the pod leaves the Service endpoints at once; each
    /// container in parallel runs its preStop hook (if any) then gets SIGTERM; SIGKILL after
    /// terminationGracePeriodSeconds. Returns the preStop outputs.
    pub fn stop_pod_graceful(&self, name: &str) -> Result<Vec<String>> {
        let (taken, grace, cmds) = {
            let mut inner = lock(&self.inner);
            let pod = find(&mut inner, name)?;
            pod.state = PodState::Absent;
            let grace = pod.grace;
            let mut taken = Vec::new();
            let mut cmds = Vec::new();
            for i in 0..pod.containers.len() {
                let plan = pod.containers[i].plan.clone();
                let hook = match &plan.pre_stop {
                    Some(argv) => {
                        let mut p = plan.clone();
                        p.argv = argv.clone();
                        Some(container_command(pod, &p)?)
                    }
                    None => None,
                };
                cmds.push((plan.name.clone(), hook));
                taken.push(pod.containers[i].proc.take());
            }
            write_hosts_locked(&self.manifest, &inner)?;
            (taken, grace, cmds)
        };
        let deadline = Instant::now() + grace;
        let mut handles = Vec::new();
        // Comparison mode: a barrier every container passes after its hook.
        let barrier = Arc::new(std::sync::Barrier::new(cmds.len()));
        let hooks_first = self.opts.hooks_before_sigterm;
        for ((cname, hook), proc) in cmds.into_iter().zip(taken) {
            let log = self.log_path(name, &format!("prestop-{cname}"));
            let barrier = barrier.clone();
            handles.push(std::thread::spawn(move || -> Result<String> {
                let mut out = String::new();
                if let Some(cmd) = hook {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match run_bounded(cmd, left, &log) {
                        Ok((st, o)) => out = format!("{cname} preStop ({st}):\n{o}"),
                        Err(e) => out = format!("{cname} preStop: {e}"),
                    }
                }
                if hooks_first {
                    barrier.wait();
                }
                if let Some(mut p) = proc {
                    p.stop(deadline.saturating_duration_since(Instant::now()));
                }
                Ok(out)
            }));
        }
        let mut outs = Vec::new();
        for h in handles {
            match h.join() {
                Ok(Ok(o)) if !o.is_empty() => outs.push(o),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => outs.push(e.to_string()),
                Err(_) => outs.push("stop thread panicked".into()),
            }
        }
        let mut inner = lock(&self.inner);
        find(&mut inner, name)?.containers.clear();
        Ok(outs)
    }

    /// Runs `f` in the client namespace (where the harness's own clients live).
    pub fn client<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        in_netns(&self.client_ns, f)
    }

    /// One command to a pod's redis.
    pub fn redis_cmd(&self, pod: &str, args: &[&str]) -> Result<resp::Reply> {
        let a = SocketAddr::from((
            self.pod_addr(pod).ok_or_else(|| no_pod(pod))?,
            self.facts.redis_port,
        ));
        let pw = self.facts.auth.clone();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        self.client(move || {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            resp::once(a, pw.as_deref(), &refs, Duration::from_millis(500))
        })?
    }

    /// `role` of a pod's redis from INFO replication ("master", "slave"), None if unreachable.
    pub fn role(&self, pod: &str) -> Option<String> {
        let r = self.redis_cmd(pod, &["INFO", "replication"]).ok()?;
        resp::info_field(&r.text()?, "role")
    }

    /// The master address a pod's sentinel reports, None if unreachable or unknown.
    pub fn sentinel_master(&self, pod: &str) -> Option<String> {
        let a = SocketAddr::from((self.pod_addr(pod)?, self.facts.sentinel_port));
        let pw = self.facts.sentinel_auth.clone();
        let group = self.facts.master_group.clone();
        let r = self
            .client(move || {
                resp::once(
                    a,
                    pw.as_deref(),
                    &["SENTINEL", "get-master-addr-by-name", &group],
                    Duration::from_millis(500),
                )
            })
            .ok()?
            .ok()?;
        match r {
            resp::Reply::Array(Some(v)) => v.first().and_then(resp::Reply::text),
            _ => None,
        }
    }

    /// Flags of the replica at `addr` in a pod's sentinel table (`SENTINEL REPLICAS`), None if
    /// that sentinel does not list it or is unreachable.
    pub fn sentinel_replica_flags(&self, pod: &str, addr: &str) -> Option<String> {
        let a = SocketAddr::from((self.pod_addr(pod)?, self.facts.sentinel_port));
        let pw = self.facts.sentinel_auth.clone();
        let group = self.facts.master_group.clone();
        let r = self
            .client(move || {
                resp::once(
                    a,
                    pw.as_deref(),
                    &["SENTINEL", "REPLICAS", &group],
                    Duration::from_millis(500),
                )
            })
            .ok()?
            .ok()?;
        let resp::Reply::Array(Some(replicas)) = r else {
            return None;
        };
        replicas.iter().find_map(|rep| {
            let resp::Reply::Array(Some(kv)) = rep else {
                return None;
            };
            let texts: Vec<String> = kv.iter().map(|x| x.text().unwrap_or_default()).collect();
            let field = |k: &str| {
                texts
                    .chunks(2)
                    .find(|c| c.len() == 2 && c[0] == k)
                    .map(|c| c[1].clone())
            };
            (field("ip").as_deref() == Some(addr)).then(|| field("flags").unwrap_or_default())
        })
    }

    /// How many other sentinels a pod's sentinel knows (`SENTINEL SENTINELS`).
    pub fn sentinel_peers(&self, pod: &str) -> Option<usize> {
        let a = SocketAddr::from((self.pod_addr(pod)?, self.facts.sentinel_port));
        let pw = self.facts.sentinel_auth.clone();
        let group = self.facts.master_group.clone();
        match self
            .client(move || {
                resp::once(
                    a,
                    pw.as_deref(),
                    &["SENTINEL", "SENTINELS", &group],
                    Duration::from_millis(500),
                )
            })
            .ok()?
            .ok()?
        {
            resp::Reply::Array(Some(v)) => Some(v.len()),
            _ => None,
        }
    }

    /// The pod whose address is `addr`.
    pub fn pod_by_addr(&self, addr: &str) -> Option<String> {
        lock(&self.inner)
            .pods
            .iter()
            .find(|p| p.addr.to_string() == addr)
            .map(|p| p.name.clone())
    }

    /// Polls `cond` every 100 ms until it returns Some, at most `limit`.
    pub fn wait_for<T>(
        &self,
        what: &str,
        limit: Duration,
        mut cond: impl FnMut(&Cluster) -> Option<T>,
    ) -> Result<T> {
        let start = Instant::now();
        loop {
            if let Some(v) = cond(self) {
                return Ok(v);
            }
            if start.elapsed() > limit {
                return Err(Error::Timeout {
                    what: what.to_string(),
                    ms: limit.as_millis(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Last lines of every log of a pod (for failure messages).
    pub fn logs(&self, pod: &str, lines: usize) -> String {
        let dir = self.dir.join(pod).join("logs");
        let mut out = String::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            out += &format!("==> {} <==\n{}\n", f.display(), tail(&text, lines));
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.supervisor.take() {
            let _ = h.join();
        }
        let mut inner = lock(&self.inner);
        for pod in &mut inner.pods {
            for c in &mut pod.containers {
                if let Some(p) = c.proc.as_mut() {
                    p.stop(Duration::from_secs(2));
                }
            }
            pod.containers.clear();
        }
        drop(inner);
        // The network (namespaces) goes with the last Arc; the supervisor has been joined.
        if !self.opts.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
            crate::cleanup::remove_dir(&self.dir);
        }
    }
}

/// Containers the harness does not run: images it has no local binary for, and init-sysctl,
/// which would change the host's kernel settings.
pub fn skip_reason(name: &str, image: &str) -> Option<&'static str> {
    let base = image.rsplit('/').next().unwrap_or(image);
    if name == "init-sysctl" {
        return Some("changes host kernel settings");
    }
    if base.starts_with("redis:")
        || base.starts_with("redis@")
        || base == "redis"
        || base.starts_with("haproxy")
    {
        return None;
    }
    Some("no local binary for this image")
}

fn no_pod(name: &str) -> Error {
    Error::Scenario(format!("no pod named {name}"))
}

fn find<'a>(inner: &'a mut Inner, name: &str) -> Result<&'a mut PodRt> {
    inner
        .pods
        .iter_mut()
        .find(|p| p.name == name)
        .ok_or_else(|| no_pod(name))
}

pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// How long a lost pod stays behind the headless Service: readiness period × failureThreshold
/// of the redis container (what kubelet needs to mark it unready).
fn redis_unready_after(spec: &Value) -> Duration {
    let probe = spec
        .get("containers")
        .and_then(Value::as_array)
        .and_then(|cs| cs.first())
        .and_then(|c| c.get("readinessProbe"));
    let period = probe
        .and_then(|p| p.get("periodSeconds"))
        .and_then(as_uint)
        .unwrap_or(10);
    let threshold = probe
        .and_then(|p| p.get("failureThreshold"))
        .and_then(as_uint)
        .unwrap_or(3);
    Duration::from_secs(period * threshold)
}

fn http_ok(a: SocketAddr, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&a, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(1000)));
    if s.write_all(format!("GET {path} HTTP/1.0\r\nHost: podsim\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split_whitespace()
        .nth(1)
        .is_some_and(|code| code.starts_with('2') || code.starts_with('3'))
}

/// Materialises the pod's volumes under its directory: ConfigMaps and Secrets as files,
/// emptyDirs fresh at every (re)creation, volumeClaimTemplates persistent per pod.
fn prepare_volumes(m: &Manifest, pod: &mut PodRt) -> Result<()> {
    let vol_root = pod.sandbox.dir.join("vol");
    if vol_root.exists() {
        std::fs::remove_dir_all(&vol_root).map_err(io(&vol_root))?;
    }
    std::fs::create_dir_all(&vol_root).map_err(io(&vol_root))?;
    let spec = pod.template.get("spec").cloned().unwrap_or(Value::Null);
    for v in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let vname = str_at(v, &["name"]).unwrap_or_default();
        let dir = vol_root.join(&vname);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        if let Some(cm) = v.get("configMap") {
            let cname = str_at(cm, &["name"]).unwrap_or_default();
            let mode = file_mode(cm.get("defaultMode"));
            let data = m.config_maps.get(&cname).ok_or_else(|| {
                Error::Manifest(format!(
                    "pod {} volume {vname}: ConfigMap {cname} not rendered",
                    pod.name
                ))
            })?;
            for (k, text) in data {
                write_file(&dir.join(k), text.as_bytes(), mode)?;
            }
        } else if let Some(sec) = v.get("secret") {
            let sname = str_at(sec, &["secretName"]).unwrap_or_default();
            let mode = file_mode(sec.get("defaultMode"));
            if let Some(data) = m.secrets.get(&sname) {
                for (k, bytes) in data {
                    write_file(&dir.join(k), bytes, mode)?;
                }
            } else if sec.get("optional").and_then(Value::as_bool) != Some(true) {
                return Err(Error::Manifest(format!(
                    "pod {} volume {vname}: Secret {sname} not rendered",
                    pod.name
                )));
            }
        } else if v.get("emptyDir").is_some() {
            set_mode(&dir, 0o777)?;
        } else if v.get("persistentVolumeClaim").is_some() {
            // Treated like a claim template: persistent per pod.
        } else {
            return Err(Error::Manifest(format!(
                "pod {} volume {vname}: unsupported volume type",
                pod.name
            )));
        }
    }
    for c in &pod.claims {
        let dir = pod.sandbox.dir.join("pvc").join(c);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    Ok(())
}

/// A volume's defaultMode. Kubernetes reads `0755` as YAML 1.1 octal (493); a YAML 1.2
/// parser yields 755, so a value above 0o777 made only of octal digits is read as octal.
fn file_mode(v: Option<&Value>) -> u32 {
    let text = match v {
        Some(Value::Number(n)) => match n.as_f64() {
            // serde-saphyr reads `0755` as the float 755.0.
            Some(f) if f.fract() == 0.0 && f >= 0.0 => format!("{}", f as u64),
            _ => n.to_string(),
        },
        Some(Value::String(s)) => s.trim().to_string(),
        _ => return 0o644,
    };
    let octal = text
        .strip_prefix("0o")
        .or_else(|| text.strip_prefix('0').filter(|r| !r.is_empty()));
    match octal {
        Some(o) => u32::from_str_radix(o, 8).unwrap_or(0o644),
        None => match text.parse::<u32>() {
            Ok(n) if n > 0o777 && text.chars().all(|c| ('0'..='7').contains(&c)) => {
                u32::from_str_radix(&text, 8).unwrap_or(0o644)
            }
            Ok(n) => n,
            Err(_) => 0o644,
        },
    }
}

fn set_mode(p: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).map_err(io(p))
}

fn write_file(p: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    std::fs::write(p, bytes).map_err(io(p))?;
    set_mode(p, mode)
}

/// The host directory behind a volume name of this pod.
fn volume_source(pod: &PodRt, vname: &str) -> PathBuf {
    if pod.claims.iter().any(|c| c == vname) {
        pod.sandbox.dir.join("pvc").join(vname)
    } else {
        pod.sandbox.dir.join("vol").join(vname)
    }
}

/// The command that runs a container (or a probe/hook with the container's env and mounts).
fn container_command(pod: &PodRt, c: &ContainerPlan) -> Result<std::process::Command> {
    let mut mounts = Vec::new();
    for (vname, path, ro, sub) in &c.mounts {
        let mut src = volume_source(pod, vname);
        if !src.exists() {
            return Err(Error::Manifest(format!(
                "pod {} container {}: volume {vname} not defined",
                pod.name, c.name
            )));
        }
        if let Some(s) = sub {
            src = src.join(s);
        }
        mounts.push(Mount {
            target: path.clone(),
            source: src,
            read_only: *ro,
        });
    }
    let script = pod.sandbox.dir.join(format!("enter-{}.sh", c.name));
    let sb = Sandbox::with_script(&pod.sandbox, &mounts, &script)?;
    let wd = c.working_dir.clone().unwrap_or_else(|| "/".into());
    Ok(sb.command(&c.argv, &c.env, &wd))
}

fn write_hosts_locked(m: &Manifest, inner: &Inner) -> Result<()> {
    let ns = &m.namespace;
    let mut lines: Vec<(Ipv4Addr, Vec<String>)> = Vec::new();
    let now = Instant::now();
    for svc in &m.services {
        if svc.selector.is_empty() {
            continue;
        }
        let matching: Vec<&PodRt> = inner
            .pods
            .iter()
            .filter(|p| svc.selector.iter().all(|(k, v)| p.labels.get(k) == Some(v)))
            .collect();
        let names = |n: &str| {
            vec![
                n.to_string(),
                format!("{n}.{ns}"),
                format!("{n}.{ns}.svc"),
                format!("{n}.{ns}.svc.cluster.local"),
            ]
        };
        if svc.headless {
            for p in &matching {
                let listed = match p.state {
                    PodState::Ready => true,
                    PodState::Starting => svc.publish_not_ready,
                    PodState::Lost => svc.publish_not_ready || p.gone_at.is_some_and(|g| now < g),
                    PodState::Absent => false,
                };
                if listed {
                    lines.push((p.addr, names(&svc.name)));
                }
                // Per-pod DNS of a StatefulSet's governing Service.
                if p.state != PodState::Absent {
                    lines.push((p.addr, names(&format!("{}.{}", p.name, svc.name))));
                }
            }
        } else if let Some(p) = matching.first() {
            // A ClusterIP exists whether or not pods do: map it to the (planned) pod address.
            lines.push((p.addr, names(&svc.name)));
        }
    }
    for pod in &inner.pods {
        let mut content =
            String::from("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        content += &format!("{}\t{}\n", pod.addr, pod.name);
        for (a, n) in &lines {
            content += &format!("{a}\t{}\n", n.join(" "));
        }
        pod.sandbox.write_hosts(&content)?;
    }
    Ok(())
}

/// Restarts exited containers of started pods, and drops lost pods from Services once their
/// readiness would have failed.
fn supervise(inner: Arc<Mutex<Inner>>, m: Arc<Manifest>, stop: Arc<AtomicBool>, backoff: Duration) {
    let mut listed_lost: Vec<String> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        {
            let mut g = lock(&inner);
            let mut rewrite = false;
            let now = Instant::now();
            for pod in &mut g.pods {
                if pod.state == PodState::Lost {
                    let gone = pod.gone_at.is_some_and(|t| now >= t);
                    if gone && !listed_lost.contains(&pod.name) {
                        listed_lost.push(pod.name.clone());
                        rewrite = true;
                    }
                    continue;
                }
                listed_lost.retain(|n| n != &pod.name);
                if !matches!(pod.state, PodState::Ready | PodState::Starting) {
                    continue;
                }
                let log_dir = pod.log_dir.clone();
                let mut restart = Vec::new();
                for (i, c) in pod.containers.iter_mut().enumerate() {
                    let Some(p) = c.proc.as_mut() else { continue };
                    if let Some(st) = p.poll_exit() {
                        let at = *c.exited_at.get_or_insert_with(|| {
                            let _ = append(
                                &log_dir.join("events.log"),
                                &format!("container {} exited: {st}\n", c.plan.name),
                            );
                            now
                        });
                        if now.duration_since(at) >= backoff {
                            restart.push(i);
                        }
                    }
                }
                for i in restart {
                    let plan = pod.containers[i].plan.clone();
                    if let Ok(cmd) = container_command(pod, &plan) {
                        if let Ok(p) = Proc::spawn(
                            &plan.name,
                            cmd,
                            &log_dir.join(format!("{}.log", plan.name)),
                        ) {
                            let c = &mut pod.containers[i];
                            c.proc = Some(p);
                            c.exited_at = None;
                            c.restarts += 1;
                            let _ = append(
                                &log_dir.join("events.log"),
                                &format!("container {} restarted\n", plan.name),
                            );
                        }
                    }
                }
            }
            if rewrite {
                let _ = write_hosts_locked(&m, &g);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn append(p: &Path, s: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .map_err(io(p))?;
    f.write_all(s.as_bytes()).map_err(io(p))
}

fn facts(m: &Manifest, sts: &crate::manifest::Workload, inner: &Inner) -> Result<Facts> {
    let vars_text = m
        .config_maps
        .iter()
        .find_map(|(n, d)| {
            if n.ends_with("-configmap") && !n.ends_with("-health-configmap") {
                d.get("vars.sh")
            } else {
                None
            }
        })
        .ok_or_else(|| Error::Manifest("no vars.sh in the chart's ConfigMap".into()))?;
    let vars = parse_vars(vars_text);
    let get = |k: &str| {
        vars.get(k)
            .cloned()
            .ok_or_else(|| Error::Manifest(format!("vars.sh lacks {k}")))
    };
    let port = |k: &str| -> Result<u16> {
        get(k)?
            .parse()
            .map_err(|_| Error::Manifest(format!("vars.sh {k} is not a port")))
    };
    let spec = sts.template.get("spec").cloned().unwrap_or(Value::Null);
    let pod0 = inner
        .pods
        .first()
        .ok_or_else(|| Error::Manifest("StatefulSet has no replicas".into()))?;
    let env_of = |cname: &str, key: &str| -> Result<Option<String>> {
        for c in spec
            .get("containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if str_at(c, &["name"]).as_deref() == Some(cname) {
                let plan = container_plan(m, c, &pod0.name, &pod0.addr.to_string())?;
                return Ok(plan
                    .env
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .filter(|v| !v.is_empty()));
            }
        }
        Ok(None)
    };
    let haproxy = inner
        .pods
        .iter()
        .find(|p| p.kind == WorkloadKind::Deployment)
        .and_then(|p| {
            let hs = m
                .services
                .iter()
                .find(|s| s.name.ends_with("-haproxy") && !s.headless)?;
            let (_, target) = hs.ports.first()?;
            let c = p
                .template
                .get("spec")?
                .get("containers")?
                .as_array()?
                .first()?;
            let cport = c
                .get("ports")?
                .as_array()?
                .iter()
                .find(|x| {
                    str_at(x, &["name"]).as_deref() == Some(target.as_str())
                        || str_at(x, &["containerPort"]).as_deref() == Some(target.as_str())
                })
                .and_then(|x| as_uint(x.get("containerPort")?))? as u16;
            Some(SocketAddr::from((p.addr, cport)))
        });
    Ok(Facts {
        fullname: get("SERVICE")?,
        namespace: m.namespace.clone(),
        master_group: get("MASTER_GROUP")?,
        redis_port: port("REDIS_PORT")?,
        sentinel_port: port("SENTINEL_PORT")?,
        quorum: get("QUORUM")?.parse().unwrap_or(2),
        down_after_ms: m
            .config_maps
            .values()
            .filter_map(|d| d.get("sentinel.conf"))
            .flat_map(|t| t.lines())
            .find_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                (w.len() == 4 && w[0] == "sentinel" && w[1] == "down-after-milliseconds")
                    .then(|| w[3].parse().ok())
                    .flatten()
            })
            .unwrap_or(30_000),
        auth: env_of("redis", "AUTH")?,
        sentinel_auth: env_of("sentinel", "SENTINELAUTH")?,
        haproxy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_sh_values_are_unquoted() {
        let v = parse_vars("# c\nSERVICE='rel-redis-ha'\nPW='it'\\''s'\nPORT=6379\n");
        assert_eq!(v.get("SERVICE").map(String::as_str), Some("rel-redis-ha"));
        assert_eq!(v.get("PW").map(String::as_str), Some("it's"));
        assert_eq!(v.get("PORT").map(String::as_str), Some("6379"));
    }

    #[test]
    fn default_mode_reads_yaml11_octal() {
        assert_eq!(file_mode(Some(&serde_json::json!(755.0))), 0o755);
        assert_eq!(file_mode(Some(&serde_json::json!(493))), 0o755);
        assert_eq!(file_mode(Some(&serde_json::json!("0644"))), 0o644);
        assert_eq!(file_mode(None), 0o644);
    }
}
