//! The supervisor thread: restartPolicy Always for exited containers, and lost pods leaving
//! the headless Service once their readiness would have failed.

use super::hosts::write_hosts_locked;
use super::lifecycle::container_command;
use super::{lock, Inner, PodState};
use crate::error::{io, Result};
use crate::manifest::Manifest;
use crate::process::Proc;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Restarts exited containers of started pods, and drops lost pods from Services once their
/// readiness would have failed.
pub(super) fn supervise(
    inner: Arc<Mutex<Inner>>,
    m: Arc<Manifest>,
    stop: Arc<AtomicBool>,
    backoff: Duration,
) {
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
                            c.probes = super::prober::ProbeState::new(&plan);
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

pub(super) fn append(p: &Path, s: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .map_err(io(p))?;
    f.write_all(s.as_bytes()).map_err(io(p))
}
