//! Faults below the pod level: one container killed and restarted (OOMKill, liveness kill,
//! crash), a container frozen (a replica that stops applying its stream), a network partition
//! between pods, and a pod's persistent volume emptied.

use super::supervisor::append;
use super::{find, lock, Cluster, PodState};
use crate::error::{io, Error, Result};
use crate::process::{host, Proc};

impl Cluster {
    /// SIGKILL to one container of a pod, then its restart at once, as kubelet does after the
    /// first crash: only that container; init containers do not run again. With
    /// `drop_data_in`, the data files (dump.rdb, AOF) of that claim are deleted in between
    /// (its conf/ stays), so the server comes back empty.
    pub fn restart_container(
        &self,
        pod: &str,
        container: &str,
        drop_data_in: Option<&str>,
    ) -> Result<()> {
        let mut inner = lock(&self.inner);
        let p = find(&mut inner, pod)?;
        let log_dir = p.log_dir.clone();
        let i = p
            .containers
            .iter()
            .position(|c| c.plan.name == container)
            .ok_or_else(|| Error::Scenario(format!("pod {pod} has no container {container}")))?;
        if let Some(mut old) = p.containers[i].proc.take() {
            old.kill_hard();
        }
        if let Some(claim) = drop_data_in {
            let dir = p.sandbox.dir.join("pvc").join(claim);
            for f in ["dump.rdb", "appendonly.aof"] {
                let _ = std::fs::remove_file(dir.join(f));
            }
            let _ = std::fs::remove_dir_all(dir.join("appendonlydir"));
        }
        let _ = append(
            &log_dir.join("events.log"),
            &format!("container {container} killed (SIGKILL) and restarted at once\n"),
        );
        let plan = p.containers[i].plan.clone();
        let cmd = super::lifecycle::container_command(p, &plan)?;
        let proc = Proc::spawn(&plan.name, cmd, &log_dir.join(format!("{container}.log")))?;
        let c = &mut p.containers[i];
        c.probes = super::prober::ProbeState::new(&plan);
        c.proc = Some(proc);
        c.exited_at = None;
        c.restarts += 1;
        Ok(())
    }

    /// SIGSTOP (`frozen`) or SIGCONT to one container's processes.
    pub fn freeze_container(&self, pod: &str, container: &str, frozen: bool) -> Result<()> {
        let mut inner = lock(&self.inner);
        let p = find(&mut inner, pod)?;
        let c = p
            .containers
            .iter()
            .find(|c| c.plan.name == container)
            .ok_or_else(|| Error::Scenario(format!("pod {pod} has no container {container}")))?;
        if let Some(proc) = c.proc.as_ref() {
            proc.signal_group(if frozen { libc::SIGSTOP } else { libc::SIGCONT });
        }
        Ok(())
    }

    /// Cuts `pod` off from every other pod (both directions, blackhole routes in each
    /// namespace) while the client namespace still reaches it; `cut == false` heals it.
    pub fn partition(&self, pod: &str, cut: bool) -> Result<()> {
        let inner = lock(&self.inner);
        let me = inner
            .pods
            .iter()
            .find(|p| p.name == pod)
            .ok_or_else(|| Error::Scenario(format!("no pod named {pod}")))?;
        let verb = if cut { "add" } else { "del" };
        for other in inner.pods.iter().filter(|p| p.name != pod) {
            for (ns, to) in [(&me.sandbox.ns, other.addr), (&other.sandbox.ns, me.addr)] {
                let dest = format!("{to}/32");
                host(&["ip", "-n", ns, "route", verb, "blackhole", &dest])?;
            }
        }
        let _ = append(
            &me.log_dir.join("events.log"),
            &format!(
                "network: {}\n",
                if cut {
                    "cut off from every other pod"
                } else {
                    "partition healed"
                }
            ),
        );
        Ok(())
    }

    /// Empties a stopped pod's persistent volume `claim` (a new PVC after the old one was
    /// deleted).
    pub fn wipe_claim(&self, pod: &str, claim: &str) -> Result<()> {
        let inner = lock(&self.inner);
        let p = inner
            .pods
            .iter()
            .find(|p| p.name == pod)
            .ok_or_else(|| Error::Scenario(format!("no pod named {pod}")))?;
        if p.state != PodState::Absent {
            return Err(Error::Scenario(format!(
                "pod {pod} must be stopped before its volume is emptied"
            )));
        }
        let dir = p.sandbox.dir.join("pvc").join(claim);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let _ = append(
            &p.log_dir.join("events.log"),
            &format!("volume {claim} emptied\n"),
        );
        Ok(())
    }

    /// How often a container was restarted (crash, probe failure, or a fault).
    pub fn restarts(&self, pod: &str, container: &str) -> u32 {
        lock(&self.inner)
            .pods
            .iter()
            .find(|p| p.name == pod)
            .and_then(|p| p.containers.iter().find(|c| c.plan.name == container))
            .map_or(0, |c| c.restarts)
    }

    /// Full resynchronisations so far: the line a replica logs when it loads the RDB of a full
    /// sync ("MASTER <-> REPLICA sync: Loading DB in memory" in Redis 7 and 8, "PRIMARY <->
    /// REPLICA ..." in Valkey 9), counted in every pod's redis log.
    pub fn full_syncs(&self) -> u64 {
        let dirs: Vec<_> = lock(&self.inner)
            .pods
            .iter()
            .map(|p| p.log_dir.join("redis.log"))
            .collect();
        dirs.iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .map(|t| {
                t.lines()
                    .filter(|l| l.contains("REPLICA sync: Loading DB in memory"))
                    .count() as u64
            })
            .sum()
    }
}

impl Cluster {
    /// How long kubelet lets a container that makes no progress start: its startup probe's
    /// initialDelaySeconds + periodSeconds × failureThreshold (the liveness probe's when it
    /// has no startup probe). None when it has neither or the container is not running.
    pub fn stalled_start_budget(&self, pod: &str, container: &str) -> Option<std::time::Duration> {
        let inner = lock(&self.inner);
        let c = inner
            .pods
            .iter()
            .find(|p| p.name == pod)?
            .containers
            .iter()
            .find(|c| c.plan.name == container)?;
        let p = c.plan.startup.as_ref().or(c.plan.liveness.as_ref())?;
        Some(std::time::Duration::from_secs(
            p.initial_delay_s + p.period_s * p.failure_threshold,
        ))
    }

    /// The persistent volume claims of a pod (volumeClaimTemplates).
    pub fn claims(&self, pod: &str) -> Vec<String> {
        lock(&self.inner)
            .pods
            .iter()
            .find(|p| p.name == pod)
            .map(|p| p.claims.clone())
            .unwrap_or_default()
    }
}
