//! Service names as each pod's /etc/hosts: ClusterIP names map to the planned pod address,
//! headless names to the pods that are listed (ready, or not yet dropped after a loss).

use super::{lock, Cluster, Inner, PodRt, PodState};
use crate::error::Result;
use crate::manifest::Manifest;
use std::net::Ipv4Addr;
use std::time::Instant;

impl Cluster {
    /// Rewrites every pod's hosts file from the current pod states.
    pub(super) fn write_hosts(&self) -> Result<()> {
        let inner = lock(&self.inner);
        write_hosts_locked(&self.manifest, &inner)
    }
}

pub(super) fn write_hosts_locked(m: &Manifest, inner: &Inner) -> Result<()> {
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
