//! Pod lifecycle: creation (init containers, containers, readiness), node loss and graceful
//! deletion with preStop hooks, as kubelet does them.

use super::hosts::write_hosts_locked;
use super::supervisor::append;
use super::volumes::{prepare_volumes, volume_source};
use super::{find, lock, no_pod, tail, Cluster, ContainerRt, PodRt, PodState};
use crate::error::{Error, Result};
use crate::manifest::{container_plan, str_at, ContainerPlan, Probe, WorkloadKind};
use crate::netns::in_netns;
use crate::process::{run_bounded, Proc};
use crate::sandbox::{Mount, Sandbox};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl Cluster {
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
                pod.containers.push(ContainerRt::new(c, p));
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
}

/// Containers the harness does not run: images it has no local binary for, and init-sysctl,
/// which would change the host's kernel settings.
pub fn skip_reason(name: &str, image: &str) -> Option<&'static str> {
    if name == "init-sysctl" {
        return Some("changes host kernel settings");
    }
    match crate::server::ImageFamily::of(image) {
        Some(_) => None,
        None => Some("no local binary for this image"),
    }
}

/// An httpGet probe: a 2xx or 3xx answer within kubelet-like timeouts.
pub(super) fn http_ok(a: SocketAddr, path: &str) -> bool {
    crate::http::get(
        a,
        path,
        Duration::from_millis(500),
        Duration::from_millis(1000),
    )
    .is_ok_and(|(status, _)| (200..400).contains(&status))
}

/// The command that runs a container (or a probe/hook with the container's env and mounts).
pub(super) fn container_command(pod: &PodRt, c: &ContainerPlan) -> Result<std::process::Command> {
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
