//! What Sentinel does when the replicas cannot be promoted, on Redis 7.0.15, 8.2.3 and Valkey
//! 9.1.2: one master, one replica and one Sentinel (quorum 1) on 127.0.0.1; the master is
//! killed and the Sentinel's log read until it switches the master or gives up.
//! - the control fails over (`+switch-master`);
//! - with `CONFIG` disabled on the servers (`rename-command CONFIG ""`, what
//!   `redis.disableCommands: [CONFIG]` renders) the promotion never completes
//!   (`-failover-abort-slave-timeout`): Sentinel promotes inside MULTI with CONFIG REWRITE;
//! - with `replica-priority 0` on every pod no replica is eligible
//!   (`-failover-abort-no-good-slave`).
//!
//! chartlint's RHA161 and RHA162 rest on this (docs/evidence.md).
//!
//! And what the preStop hook's hand-over (files/trigger-failover-if-master.sh) rests on: a
//! master whose writes are paused still appends a PING to its replication stream every
//! `repl-ping-replica-period` seconds, unless the period is raised.

use std::process::Command;
use std::time::{Duration, Instant};

use testkit::{free_port, par_map, resp_command, temp_dir, write_file, ServerProcess};

#[path = "common/installed_servers.rs"]
mod installed_servers;
use installed_servers::{installed, Installed};

const OUTCOMES: &[&str] = &[
    "+switch-master",
    "-failover-abort-slave-timeout",
    "-failover-abort-no-good-slave",
    "-failover-abort-not-elected",
];

fn server(s: &Installed, dir: &std::path::Path, port: u16, extra: &[&str]) -> ServerProcess {
    let mut conf = format!(
        "port {port}\nbind 127.0.0.1\ndir \"{}\"\nsave \"\"\n",
        dir.display()
    );
    for line in extra {
        conf.push_str(line);
        conf.push('\n');
    }
    let path = write_file(dir, "redis.conf", &conf);
    let mut cmd = Command::new(&s.binary);
    cmd.arg(path);
    ServerProcess::start(
        cmd,
        port,
        "Ready to accept connections",
        Duration::from_secs(20),
    )
}

/// Poll the Sentinel's log until `pattern` shows, at most `limit`.
fn wait_log(sentinel: &ServerProcess, pattern: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if sentinel.log().contains(pattern) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        // Poll interval of a bounded wait on the Sentinel's own log.
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kill the master and return the first outcome the Sentinel logs.
fn failover(s: &Installed, both: &[&str], replica_only: &[&str]) -> String {
    let (mdir, rdir, sdir) = (temp_dir(), temp_dir(), temp_dir());
    let (mport, rport, sport) = (free_port(), free_port(), free_port());
    let master = server(s, mdir.path(), mport, both);
    let mut replica_conf: Vec<String> = both.iter().map(|l| l.to_string()).collect();
    replica_conf.extend(replica_only.iter().map(|l| l.to_string()));
    replica_conf.push(format!("replicaof 127.0.0.1 {mport}"));
    let replica_refs: Vec<&str> = replica_conf.iter().map(String::as_str).collect();
    let replica = server(s, rdir.path(), rport, &replica_refs);
    let sconf = format!(
        "port {sport}\nbind 127.0.0.1\ndir \"{}\"\n\
         sentinel monitor m 127.0.0.1 {mport} 1\n\
         sentinel down-after-milliseconds m 1000\n\
         sentinel failover-timeout m 6000\n",
        sdir.path().display()
    );
    let spath = write_file(sdir.path(), "sentinel.conf", &sconf);
    let mut cmd = Command::new(&s.sentinel);
    cmd.arg(spath);
    let sentinel = ServerProcess::start(cmd, sport, "+monitor master m", Duration::from_secs(20));
    assert!(
        wait_log(
            &sentinel,
            &format!("+slave slave 127.0.0.1:{rport}"),
            Duration::from_secs(30)
        ),
        "{}: Sentinel never saw the replica:\n{}",
        s.label,
        sentinel.log()
    );
    drop(master);
    let deadline = Instant::now() + Duration::from_secs(40);
    let outcome = loop {
        let log = sentinel.log();
        if let Some(o) = OUTCOMES.iter().find(|o| log.contains(*o)) {
            break o.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "{}: no failover outcome in 40 s:\n{log}",
            s.label
        );
        // Poll interval of a bounded wait on the Sentinel's own log.
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(replica);
    outcome
}

#[test]
fn sentinel_cannot_promote_without_config_or_with_priority_zero() {
    let servers = installed();
    let results = par_map(&servers, 2, |s| {
        (
            s.label,
            failover(s, &[], &[]),
            failover(s, &["rename-command CONFIG \"\""], &[]),
            failover(s, &["replica-priority 0"], &[]),
        )
    });
    let mut failures = Vec::new();
    for (label, control, no_config, priority_zero) in results {
        if control != "+switch-master" {
            failures.push(format!("{label}: the control ended with {control}"));
        }
        if no_config != "-failover-abort-slave-timeout" {
            failures.push(format!("{label}: with CONFIG disabled: {no_config}"));
        }
        if priority_zero != "-failover-abort-no-good-slave" {
            failures.push(format!("{label}: with replica-priority 0: {priority_zero}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `master_repl_offset` of the server on `port`.
fn repl_offset(port: u16) -> u64 {
    let info = resp_command(port, &["INFO", "replication"])
        .ok()
        .and_then(|r| r.text())
        .unwrap_or_default();
    podsim::resp::info_field(&info, "master_repl_offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no master_repl_offset on {port}: {info}"))
}

/// A master paused with `CLIENT PAUSE ... WRITE` still writes a PING (14 bytes) into its
/// replication stream every `repl-ping-replica-period` seconds: one sent after the hand-over's
/// offset check reaches the replicas still attached but not the one being promoted, which then
/// cannot serve them a partial resync (podsim's rolling restart saw 2 full syncs from it).
/// With the period raised to its maximum, as the preStop hook does, the stream stays still.
#[test]
fn a_paused_master_pings_its_replicas_until_the_ping_period_is_raised() {
    let servers = installed();
    let results = par_map(&servers, 3, |s| {
        let (mdir, rdir) = (temp_dir(), temp_dir());
        let master = s.start(mdir.path(), &["--repl-ping-replica-period", "1"]);
        let mport = master.port.to_string();
        let _replica = s.start(rdir.path(), &["--replicaof", "127.0.0.1", &mport]);
        let linked = Instant::now() + Duration::from_secs(20);
        while !resp_command(master.port, &["INFO", "replication"])
            .ok()
            .and_then(|r| r.text())
            .is_some_and(|t| t.contains("connected_slaves:1"))
        {
            assert!(
                Instant::now() < linked,
                "{}: the replica never attached",
                s.label
            );
            // Poll interval of a bounded wait for the replica to attach.
            std::thread::sleep(Duration::from_millis(50));
        }
        let pause = resp_command(master.port, &["CLIENT", "PAUSE", "20000", "WRITE"]);
        assert_eq!(pause.ok().and_then(|r| r.text()).as_deref(), Some("OK"));
        // Paused: the offset still moves, by PINGs (14 bytes each), within a few periods.
        let before = repl_offset(master.port);
        let deadline = Instant::now() + Duration::from_secs(5);
        let moved = loop {
            let now = repl_offset(master.port);
            if now != before || Instant::now() > deadline {
                break now - before;
            }
            // Poll interval of a bounded wait for the next PING.
            std::thread::sleep(Duration::from_millis(50));
        };
        // Raised to its maximum: nothing enters the stream for three old periods.
        let set = resp_command(
            master.port,
            &["CONFIG", "SET", "repl-ping-replica-period", "2147483647"],
        );
        assert_eq!(set.ok().and_then(|r| r.text()).as_deref(), Some("OK"));
        let still = repl_offset(master.port);
        // An observation window of three old periods (nothing to wait for: nothing may come).
        std::thread::sleep(Duration::from_secs(3));
        let after = repl_offset(master.port) - still;
        (s.label, moved, after)
    });
    let mut failures = Vec::new();
    for (label, moved, after) in results {
        if moved == 0 || moved % 14 != 0 {
            failures.push(format!(
                "{label}: paused with a 1 s ping period, the offset moved by {moved} bytes \
                 (expected PINGs of 14 bytes)"
            ));
        }
        if after != 0 {
            failures.push(format!(
                "{label}: with the period at its maximum the offset still moved by {after}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
