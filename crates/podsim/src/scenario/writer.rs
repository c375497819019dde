//! The scenarios' client: `SET podsim:<prefix>:<n> 1` every 10 ms over one connection
//! (reconnecting on error), and every [`WAIT_EVERY`]th write a `WAIT 1` that confirms the
//! connection's writes reached a replica. At the end it reads the acknowledged keys back from
//! the final master: acknowledged writes lost (async replication may lose them) and
//! replicated writes lost (confirmed by `WAIT 1`; the chart must never lose those).

use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::resp::{self, Reply};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One write in this many is followed by `WAIT 1`.
pub const WAIT_EVERY: u64 = 5;
/// `WAIT 1` timeout, ms: below the client's 300 ms read timeout, so a master without replicas
/// answers 0 instead of dropping the connection.
const WAIT_TIMEOUT_MS: u64 = 100;

/// Result of a write stream around a fault.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outage {
    /// Longest gap between two acknowledged writes after the fault, ms.
    pub unavailable_ms: u64,
    pub writes_acked: u64,
    pub writes_failed: u64,
    /// Writes whose `WAIT 1` (on the same connection, after them) reported a replica.
    pub writes_replicated: u64,
    /// Acknowledged writes absent from the final master.
    pub acked_writes_lost: u64,
    /// Writes confirmed by `WAIT 1` absent from the final master.
    pub replicated_writes_lost: u64,
    /// When the last write was acknowledged, ms after the fault (None: none after it).
    pub last_ack_after_fault_ms: Option<u64>,
    /// What the writer saw from the fault on, condensed: (ms after the fault, event), one
    /// entry per change (an error different from the previous one, or the first success after
    /// errors).
    pub timeline: Vec<(u64, String)>,
}

/// A client writing through HAProxy (or straight to one address) from the client namespace.
pub struct Writer {
    seen: Arc<Seen>,
    handle: Option<std::thread::JoinHandle<Result<()>>>,
    prefix: String,
}

/// What the writer thread records, shared with the scenario.
#[derive(Default)]
struct Seen {
    stop: AtomicBool,
    /// (write number, when acknowledged).
    acked: Mutex<Vec<(u64, Instant)>>,
    /// Write numbers confirmed by `WAIT 1`.
    replicated: Mutex<Vec<u64>>,
    failed: Mutex<u64>,
    last_error: Mutex<String>,
    /// Every change between success and a given error: (time, "ok" or the error).
    changes: Mutex<Vec<(Instant, String)>>,
}

impl Writer {
    /// A writer through the chart's HAProxy.
    pub fn start(c: &Cluster, prefix: &str) -> Result<Writer> {
        let ha = c
            .facts
            .haproxy
            .ok_or_else(|| Error::Scenario("HAProxy is not enabled".into()))?;
        Writer::start_at(c, ha, prefix)
    }

    /// A writer straight to `addr` (a pod's redis, as a client on its side of a partition).
    pub fn start_at(c: &Cluster, addr: SocketAddr, prefix: &str) -> Result<Writer> {
        let pw = c.facts.auth.clone();
        let seen = Arc::new(Seen::default());
        let (seen2, prefix2) = (seen.clone(), prefix.to_string());
        let handle = crate::netns::spawn_in_netns(&c.client_ns, move || {
            write_loop(addr, pw, &prefix2, &seen2);
        })?;
        Ok(Writer {
            seen,
            handle: Some(handle),
            prefix: prefix.to_string(),
        })
    }

    /// The last failed write's error (reply or I/O).
    pub fn last_error(&self) -> String {
        self.seen
            .last_error
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }

    pub fn acked_count(&self) -> usize {
        self.seen.acked.lock().map(|a| a.len()).unwrap_or(0)
    }

    pub fn replicated_count(&self) -> usize {
        self.seen.replicated.lock().map(|a| a.len()).unwrap_or(0)
    }

    /// Time of the last acknowledged write.
    pub fn last_ack(&self) -> Option<Instant> {
        self.seen
            .acked
            .lock()
            .ok()
            .and_then(|a| a.last().map(|x| x.1))
    }

    /// Waits (bounded) until `n` more writes are acknowledged and, if `replicated`, until as
    /// many more are confirmed by `WAIT 1`.
    pub fn wait_more(
        &self,
        c: &Cluster,
        n: usize,
        replicated: bool,
        limit: Duration,
    ) -> Result<()> {
        let (a0, r0) = (self.acked_count(), self.replicated_count());
        c.wait_for(&format!("{n} more acknowledged writes"), limit, |_| {
            let ok =
                self.acked_count() >= a0 + n && (!replicated || self.replicated_count() >= r0 + n);
            ok.then_some(())
        })
        .map_err(|e| Error::Scenario(format!("{e}; last write error: {}", self.last_error())))
    }

    /// Stops the client and checks the acknowledged keys on `master` (a pod name). Gaps and
    /// the timeline count from `since` (the fault).
    pub fn finish(mut self, c: &Cluster, master: &str, since: Instant) -> Result<Outage> {
        self.seen.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        let acked = self
            .seen
            .acked
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default();
        let replicated: std::collections::BTreeSet<u64> = self
            .seen
            .replicated
            .lock()
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default();
        let failed = self.seen.failed.lock().map(|f| *f).unwrap_or(0);
        let mut gap = Duration::ZERO;
        for w in acked.windows(2) {
            if w[1].1 >= since {
                gap = gap.max(w[1].1.duration_since(w[0].1.max(since)));
            }
        }
        let (mut lost, mut lost_replicated) = (0u64, 0u64);
        for chunk in acked.chunks(200) {
            let keys: Vec<String> = chunk
                .iter()
                .map(|(n, _)| format!("{}:{n}", self.prefix))
                .collect();
            let mut args = vec!["MGET"];
            args.extend(keys.iter().map(String::as_str));
            match c.redis_cmd(master, &args)? {
                Reply::Array(Some(v)) => {
                    for ((n, _), r) in chunk.iter().zip(&v) {
                        if matches!(r, Reply::Bulk(None)) {
                            lost += 1;
                            if replicated.contains(n) {
                                lost_replicated += 1;
                            }
                        }
                    }
                }
                other => return Err(Error::Scenario(format!("MGET on {master}: {other:?}"))),
            }
        }
        let timeline = self
            .seen
            .changes
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|(t, _)| *t >= since)
                    .map(|(t, e)| (t.duration_since(since).as_millis() as u64, e.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Outage {
            unavailable_ms: gap.as_millis() as u64,
            writes_acked: acked.len() as u64,
            writes_failed: failed,
            writes_replicated: replicated.len() as u64,
            acked_writes_lost: lost,
            replicated_writes_lost: lost_replicated,
            last_ack_after_fault_ms: acked
                .last()
                .filter(|(_, t)| *t >= since)
                .map(|(_, t)| t.duration_since(since).as_millis() as u64),
            timeline,
        })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.seen.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn write_loop(to: SocketAddr, pw: Option<String>, prefix: &str, seen: &Seen) {
    let timeout = Duration::from_millis(300);
    let mut conn: Option<resp::Conn> = None;
    // Acknowledged writes of the current connection not yet confirmed by WAIT.
    let mut pending: Vec<u64> = Vec::new();
    let mut n: u64 = 0;
    let mut next = Instant::now();
    while !seen.stop.load(Ordering::SeqCst) {
        n += 1;
        if conn.is_none() {
            conn = resp::Conn::open(to, pw.as_deref(), timeout).ok();
            pending.clear();
        }
        let key = format!("{prefix}:{n}");
        let (ok, err) = match conn.as_mut().map(|c| c.cmd(&["SET", &key, "1"])) {
            Some(Ok(Reply::Status(s))) if s == "OK" => (true, String::new()),
            Some(Ok(other)) => (false, format!("{other:?}")),
            Some(Err(e)) => {
                conn = None;
                (false, e.to_string())
            }
            None => (false, "cannot connect".to_string()),
        };
        let event = if ok { "ok" } else { err.as_str() };
        if let Ok(mut c) = seen.changes.lock() {
            // The first event, then each change (an ok run is one entry).
            if c.last().is_none_or(|(_, last)| last != event) {
                c.push((Instant::now(), event.to_string()));
            }
        }
        if ok {
            if let Ok(mut a) = seen.acked.lock() {
                a.push((n, Instant::now()));
            }
            pending.push(n);
        } else {
            if let Ok(mut e) = seen.last_error.lock() {
                *e = err;
            }
            if let Ok(mut f) = seen.failed.lock() {
                *f += 1;
            }
        }
        if ok && n.is_multiple_of(WAIT_EVERY) {
            let wait = WAIT_TIMEOUT_MS.to_string();
            match conn.as_mut().map(|c| c.cmd(&["WAIT", "1", &wait])) {
                // WAIT covers every earlier write of this connection.
                Some(Ok(Reply::Int(k))) if k >= 1 => {
                    if let Ok(mut r) = seen.replicated.lock() {
                        r.append(&mut pending);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) => conn = None,
                None => {}
            }
        }
        next += Duration::from_millis(10);
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else {
            next = now;
        }
    }
}
