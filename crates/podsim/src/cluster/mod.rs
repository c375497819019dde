//! The simulated cluster: pods of the redis StatefulSet and the HAProxy Deployment, each in
//! its own namespaces, a supervisor that restarts exited containers (restartPolicy Always),
//! and Service names mapped to pod addresses through each pod's hosts file.

mod facts;
mod faults;
mod hosts;
mod lifecycle;
mod prober;
mod queries;
mod supervisor;
mod volumes;

pub use facts::{parse_vars, Facts};
pub use lifecycle::skip_reason;

use crate::error::{io, Error, Result};
use crate::manifest::{as_uint, ContainerPlan, Manifest, WorkloadKind};
use crate::netns::Network;
use crate::process::Proc;
use crate::sandbox::Sandbox;
use crate::server::{Emulation, ImageFamily, Server, ServerKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
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
    /// The server behind the image's redis/valkey binaries.
    pub server: ServerKind,
    /// Enforce the rendered NetworkPolicies with nftables in each pod's namespace.
    pub network_policies: bool,
    /// Give a Prometheus a network namespace of its own, as a pod of this Kubernetes
    /// namespace (the policies see it there); see [`Cluster::prometheus_host`].
    pub prometheus_namespace: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            init_timeout: Duration::from_secs(120),
            ready_timeout: Duration::from_secs(120),
            restart_backoff: Duration::from_secs(2),
            keep_dir: false,
            hooks_before_sigterm: false,
            server: ServerKind::default(),
            network_policies: true,
            prometheus_namespace: None,
        }
    }
}

/// Where a harness-run Prometheus lives: its own network namespace, as a pod of another
/// Kubernetes namespace.
#[derive(Debug, Clone)]
pub struct PrometheusHost {
    /// The network namespace (`ip netns exec` name).
    pub netns: String,
    pub addr: Ipv4Addr,
    /// Its pod as the NetworkPolicies see it.
    pub pod: crate::netpol::PodInfo,
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
    probes: prober::ProbeState,
}

impl ContainerRt {
    fn new(plan: ContainerPlan, proc: Proc) -> ContainerRt {
        let probes = prober::ProbeState::new(&plan);
        ContainerRt {
            plan,
            proc: Some(proc),
            exited_at: None,
            restarts: 0,
            probes,
        }
    }
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

pub struct Cluster {
    inner: Arc<Mutex<Inner>>,
    stop: Arc<AtomicBool>,
    supervisor: Option<std::thread::JoinHandle<()>>,
    prober: Option<std::thread::JoinHandle<()>>,
    pub client_ns: String,
    pub dir: PathBuf,
    pub facts: Facts,
    /// The server the pods run.
    pub server: Server,
    /// Pods whose network namespace filters traffic by the rendered NetworkPolicies.
    pub policed_pods: Vec<String>,
    /// The Prometheus's place, when [`Options::prometheus_namespace`] asked for one.
    pub prometheus_host: Option<PrometheusHost>,
    manifest: Arc<Manifest>,
    opts: Options,
}

/// Last octet of the harness's client namespace (the "node": probes, observer, writer).
const CLIENT_OCTET: u8 = 250;
/// Last octet of a harness-run Prometheus.
const PROMETHEUS_OCTET: u8 = 240;

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic in another thread must not stop cleanup: take the data anyway.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Checks that the harness can work: root, and the tools it starts (the servers are checked
/// by [`Server::locate`]).
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
        "redis-cli",
        "haproxy",
        "nft",
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

impl Cluster {
    /// Plans every pod of `manifest`, creates namespaces and volumes. Starts nothing.
    pub fn new(manifest: Manifest, opts: Options) -> Result<Cluster> {
        preflight()?;
        let server = Server::locate(opts.server)?;
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
        let (client_ns, _) = net.add("client", CLIENT_OCTET)?;
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
                let emulation = Emulation::for_pod(&pod_images(&w.template), &server);
                let sandbox = Sandbox::new(&name, &name, &ns, addr, &pdir, &[], &emulation)?;
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
        if inner
            .pods
            .iter()
            .any(|p| pod_images(&p.template).contains(&ImageFamily::RedisExporter))
        {
            let bin = Path::new("/usr/bin").join(crate::server::EXPORTER_BIN);
            if !bin.exists() {
                return Err(Error::MissingTool(format!(
                    "{}: the redis_exporter sidecar runs Debian's prometheus-redis-exporter; \
                     apt-get install prometheus-redis-exporter, or run scripts/install-test-tools.sh",
                    bin.display()
                )));
            }
        }
        let prometheus_host = match &opts.prometheus_namespace {
            Some(namespace) => {
                let (netns, addr) = inner.net.add("prom", PROMETHEUS_OCTET)?;
                let pod = crate::netpol::PodInfo {
                    name: "prometheus-podsim-0".into(),
                    namespace: namespace.clone(),
                    addr,
                    labels: BTreeMap::from([(
                        "app.kubernetes.io/name".to_string(),
                        "prometheus".to_string(),
                    )]),
                    ports: BTreeMap::from([("web".to_string(), crate::monitoring::PORT)]),
                };
                Some(PrometheusHost { netns, addr, pod })
            }
            None => None,
        };
        let policed_pods = if opts.network_policies && !manifest.network_policies.is_empty() {
            let mut pods = pod_infos(&inner, &manifest.namespace);
            pods.extend(prometheus_host.iter().map(|h| h.pod.clone()));
            enforce_network_policies(&manifest, &inner, &pods, &dir)?
        } else {
            Vec::new()
        };
        let facts = facts::facts(&manifest, &sts, &inner)?;
        let inner = Arc::new(Mutex::new(inner));
        let stop = Arc::new(AtomicBool::new(false));
        let manifest = Arc::new(manifest);
        let mut c = Cluster {
            inner: inner.clone(),
            stop: stop.clone(),
            supervisor: None,
            prober: None,
            client_ns,
            dir,
            facts,
            server,
            policed_pods,
            prometheus_host,
            manifest: manifest.clone(),
            opts: opts.clone(),
        };
        c.write_hosts()?;
        let (i2, s2, ns2) = (inner.clone(), stop.clone(), c.client_ns.clone());
        c.prober = Some(std::thread::spawn(move || prober::probe_loop(i2, s2, ns2)));
        let backoff = opts.restart_backoff;
        c.supervisor = Some(std::thread::spawn(move || {
            supervisor::supervise(inner, manifest, stop, backoff)
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

    /// Every pod as the NetworkPolicies and ServiceMonitors see it: name, namespace, address,
    /// labels and named container ports.
    pub fn pod_infos(&self) -> Vec<crate::netpol::PodInfo> {
        pod_infos(&lock(&self.inner), &self.manifest.namespace)
    }

    /// The rendered objects the cluster runs.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn pod_state(&self, name: &str) -> Option<PodState> {
        lock(&self.inner)
            .pods
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.state)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.supervisor.take() {
            let _ = h.join();
        }
        if let Some(h) = self.prober.take() {
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

fn pod_infos(inner: &Inner, namespace: &str) -> Vec<crate::netpol::PodInfo> {
    inner
        .pods
        .iter()
        .map(|p| crate::netpol::PodInfo {
            name: p.name.clone(),
            namespace: namespace.to_string(),
            addr: p.addr,
            labels: p.labels.clone(),
            ports: container_ports(&p.template),
        })
        .collect()
}

/// Loads each pod's nftables ruleset (crate::netpol) into its network namespace; the rules are
/// kept in `<run>/<pod>/netpol.nft` for the logs. `pods` are every pod there is (the
/// release's first, in `inner`'s order), the peers the rules name.
fn enforce_network_policies(
    m: &Manifest,
    inner: &Inner,
    pods: &[crate::netpol::PodInfo],
    dir: &Path,
) -> Result<Vec<String>> {
    let node = Ipv4Addr::new(
        crate::netns::SUBNET_PREFIX[0],
        crate::netns::SUBNET_PREFIX[1],
        crate::netns::SUBNET_PREFIX[2],
        CLIENT_OCTET,
    );
    let mut policed = Vec::new();
    for (p, info) in inner.pods.iter().zip(pods) {
        let Some(rules) =
            crate::netpol::ruleset(info, pods, &m.network_policies, &m.namespace, node)?
        else {
            continue;
        };
        let file = dir.join(&p.name).join("netpol.nft");
        std::fs::write(&file, &rules).map_err(io(&file))?;
        crate::process::host(&[
            "ip",
            "netns",
            "exec",
            &p.sandbox.ns,
            "nft",
            "-f",
            &file.to_string_lossy(),
        ])?;
        policed.push(p.name.clone());
    }
    Ok(policed)
}

/// Named container ports of a pod template (every container).
fn container_ports(template: &Value) -> BTreeMap<String, u16> {
    let mut out = BTreeMap::new();
    let spec = template.get("spec").unwrap_or(&Value::Null);
    for c in spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for p in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(n), Some(port)) = (
                p.get("name").and_then(Value::as_str),
                p.get("containerPort").and_then(as_uint),
            ) {
                out.insert(n.to_string(), port as u16);
            }
        }
    }
    out
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

/// The image families of a pod template's containers podsim can run (the redis or valkey
/// image of the StatefulSet and its exporter sidecar, haproxy of the Deployment).
fn pod_images(template: &Value) -> Vec<ImageFamily> {
    template
        .get("spec")
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .filter_map(ImageFamily::of)
        .collect()
}
