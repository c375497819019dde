//! What the harness asks the pods: redis and sentinel state over RESP from the client
//! namespace, bounded polling, and log tails.

use super::{lock, no_pod, tail, Cluster};
use crate::error::{Error, Result};
use crate::netns::in_netns;
use crate::resp;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

impl Cluster {
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

    /// `SENTINEL <sub> <master group>` to a pod's sentinel, None if unreachable.
    fn sentinel_group_cmd(&self, pod: &str, sub: &'static str) -> Option<resp::Reply> {
        let a = SocketAddr::from((self.pod_addr(pod)?, self.facts.sentinel_port));
        let pw = self.facts.sentinel_auth.clone();
        let group = self.facts.master_group.clone();
        self.client(move || {
            resp::once(
                a,
                pw.as_deref(),
                &["SENTINEL", sub, &group],
                Duration::from_millis(500),
            )
        })
        .ok()?
        .ok()
    }

    /// The master address a pod's sentinel reports, None if unreachable or unknown.
    pub fn sentinel_master(&self, pod: &str) -> Option<String> {
        match self.sentinel_group_cmd(pod, "get-master-addr-by-name")? {
            resp::Reply::Array(Some(v)) => v.first().and_then(resp::Reply::text),
            _ => None,
        }
    }

    /// Flags of the replica at `addr` in a pod's sentinel table (`SENTINEL REPLICAS`), None if
    /// that sentinel does not list it or is unreachable.
    pub fn sentinel_replica_flags(&self, pod: &str, addr: &str) -> Option<String> {
        let resp::Reply::Array(Some(replicas)) = self.sentinel_group_cmd(pod, "REPLICAS")? else {
            return None;
        };
        replicas.iter().find_map(|rep| {
            let fields = rep.pairs();
            let field = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v);
            (field("ip").map(String::as_str) == Some(addr))
                .then(|| field("flags").cloned().unwrap_or_default())
        })
    }

    /// How many other sentinels a pod's sentinel knows (`SENTINEL SENTINELS`).
    pub fn sentinel_peers(&self, pod: &str) -> Option<usize> {
        match self.sentinel_group_cmd(pod, "SENTINELS")? {
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

    /// The pod's events.log (container exits, restarts and why, faults injected).
    pub fn events(&self, pod: &str) -> String {
        std::fs::read_to_string(self.dir.join(pod).join("logs").join("events.log"))
            .unwrap_or_default()
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
