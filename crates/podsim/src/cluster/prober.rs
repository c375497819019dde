//! startupProbe and livenessProbe as kubelet runs them: the startup probe first (after its
//! initialDelaySeconds, every periodSeconds), then the liveness probe; failureThreshold
//! failures in a row kill the container (SIGTERM, SIGKILL after the pod's grace period), and
//! the supervisor restarts it. Readiness is polled by `Cluster::wait_ready` at pod start.

use super::lifecycle::{container_command, http_ok};
use super::supervisor::append;
use super::{lock, Inner, PodState};
use crate::manifest::{ContainerPlan, Probe, TimedProbe};
use crate::netns::in_netns;
use crate::process::run_bounded;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Probe bookkeeping of one container run (reset at every (re)start).
#[derive(Debug)]
pub(super) struct ProbeState {
    started: Instant,
    startup_passed: bool,
    failures: u64,
    next_at: Instant,
    in_flight: bool,
    /// When a container that failed its probe is SIGKILLed if SIGTERM did not end it.
    kill_at: Option<Instant>,
}

impl ProbeState {
    pub(super) fn new(plan: &ContainerPlan) -> ProbeState {
        let now = Instant::now();
        let first = plan
            .startup
            .as_ref()
            .or(plan.liveness.as_ref())
            .map_or(0, |p| p.initial_delay_s);
        ProbeState {
            started: now,
            startup_passed: plan.startup.is_none(),
            failures: 0,
            next_at: now + Duration::from_secs(first),
            in_flight: false,
            kill_at: None,
        }
    }
}

enum Check {
    Exec(std::process::Command, std::path::PathBuf),
    Net(SocketAddr, Option<String>),
}

struct Job {
    pod: String,
    container: String,
    pid: u32,
    startup: bool,
    timeout: Duration,
    check: Check,
}

/// The prober thread: runs due probes in their own threads and applies the results.
pub(super) fn probe_loop(inner: Arc<Mutex<Inner>>, stop: Arc<AtomicBool>, client_ns: String) {
    let (tx, rx) = mpsc::channel::<(String, String, u32, bool, Option<String>)>();
    while !stop.load(Ordering::SeqCst) {
        let mut jobs = Vec::new();
        {
            let mut g = lock(&inner);
            let now = Instant::now();
            while let Ok((pod, cname, pid, startup, failure)) = rx.try_recv() {
                apply(&mut g, &pod, &cname, pid, startup, failure, now);
            }
            for pod in &mut g.pods {
                if !matches!(pod.state, PodState::Ready | PodState::Starting) {
                    continue;
                }
                let (addr, log_dir) = (pod.addr, pod.log_dir.clone());
                let mut due = Vec::new();
                for (i, c) in pod.containers.iter_mut().enumerate() {
                    let Some(p) = c.proc.as_mut() else { continue };
                    if !p.is_running() {
                        continue;
                    }
                    if let Some(at) = c.probes.kill_at {
                        if now >= at {
                            p.signal_group(libc::SIGKILL);
                        }
                        continue;
                    }
                    let st = &c.probes;
                    if st.in_flight || now < st.next_at {
                        continue;
                    }
                    let startup = !st.startup_passed;
                    let probe = if startup {
                        c.plan.startup.clone()
                    } else {
                        c.plan.liveness.clone()
                    };
                    if let Some(tp) = probe {
                        due.push((i, p.pid(), startup, tp));
                    }
                }
                for (i, pid, startup, tp) in due {
                    let TimedProbe {
                        probe, timeout_s, ..
                    } = tp;
                    let plan = pod.containers[i].plan.clone();
                    let check = match probe {
                        Probe::Exec(argv) => {
                            let mut p = plan.clone();
                            p.argv = argv;
                            let Ok(cmd) = container_command(pod, &p) else {
                                continue;
                            };
                            let kind = if startup { "startup" } else { "liveness" };
                            Check::Exec(
                                cmd,
                                log_dir.join(format!("probe-{kind}-{}.log", plan.name)),
                            )
                        }
                        Probe::Tcp(port) => Check::Net(SocketAddr::from((addr, port)), None),
                        Probe::Http { port, path } => {
                            Check::Net(SocketAddr::from((addr, port)), Some(path))
                        }
                    };
                    pod.containers[i].probes.in_flight = true;
                    jobs.push(Job {
                        pod: pod.name.clone(),
                        container: plan.name.clone(),
                        pid,
                        startup,
                        timeout: Duration::from_secs(timeout_s),
                        check,
                    });
                }
            }
        }
        for job in jobs {
            let tx = tx.clone();
            let ns = client_ns.clone();
            std::thread::spawn(move || {
                // None: passed; Some(why): failed.
                let failure = match job.check {
                    Check::Exec(cmd, log) => match run_bounded(cmd, job.timeout, &log) {
                        Ok((st, _)) if st.success() => None,
                        Ok((st, out)) => Some(format!("{st}: {}", out.trim())),
                        Err(e) => Some(e.to_string()),
                    },
                    Check::Net(a, path) => {
                        let ok = in_netns(&ns, move || match path {
                            Some(p) => http_ok(a, &p),
                            None => {
                                std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1))
                                    .is_ok()
                            }
                        })
                        .unwrap_or(false);
                        (!ok).then(|| format!("no answer on {a}"))
                    }
                };
                let _ = tx.send((job.pod, job.container, job.pid, job.startup, failure));
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One probe result (`failure`: None when it passed): reset or count the failures; at the
/// threshold, kill the container.
fn apply(
    g: &mut Inner,
    pod: &str,
    cname: &str,
    pid: u32,
    startup: bool,
    failure: Option<String>,
    now: Instant,
) {
    let Some(p) = g.pods.iter_mut().find(|p| p.name == pod) else {
        return;
    };
    let (grace, log_dir) = (p.grace, p.log_dir.clone());
    let Some(c) = p
        .containers
        .iter_mut()
        .find(|c| c.plan.name == cname && c.proc.as_ref().is_some_and(|x| x.pid() == pid))
    else {
        return; // the container was restarted meanwhile: a stale result
    };
    let probe = if startup {
        c.plan.startup.clone()
    } else {
        c.plan.liveness.clone()
    };
    let Some(tp) = probe else { return };
    let st = &mut c.probes;
    st.in_flight = false;
    st.next_at = now + Duration::from_secs(tp.period_s);
    let Some(why) = failure else {
        st.failures = 0;
        if startup {
            st.startup_passed = true;
            let live_delay = c.plan.liveness.as_ref().map_or(0, |l| l.initial_delay_s);
            st.next_at = st.next_at.max(st.started + Duration::from_secs(live_delay));
        }
        return;
    };
    st.failures += 1;
    if st.failures >= tp.failure_threshold {
        let kind = if startup { "startup" } else { "liveness" };
        let _ = append(
            &log_dir.join("events.log"),
            &format!(
                "container {cname}: {kind} probe failed {} times in a row; killing it (kubelet restarts it); last failure: {why}\n",
                st.failures
            ),
        );
        st.kill_at = Some(now + grace);
        if let Some(p) = c.proc.as_ref() {
            p.signal_group(libc::SIGTERM);
        }
    }
}
