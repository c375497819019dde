//! The measurements model::sizing rests on, repeated on the installed servers (Redis 7.0.15,
//! Redis 8.2.3, Valkey 9.1.2): an empty server's RSS is a small part of the process baseline,
//! a save while every key is rewritten duplicates most of the dataset (copy-on-write), and a
//! replica with `save ""` and the default `repl-diskless-load disabled` still writes the RDB of
//! a full sync to its disk (so the PVC is sized for it). docs/evidence.md lists them.

use std::time::{Duration, Instant};

use model::sizing::{BASELINE_BYTES, COW_PERCENT};
use testkit::{resp_command, temp_dir, Resp};

#[path = "common/installed_servers.rs"]
mod installed_servers;
use installed_servers::installed;

fn cmd(port: u16, args: &[&str]) -> Resp {
    match resp_command(port, args) {
        Ok(r) => r,
        Err(e) => panic!("{args:?} on port {port}: {e}"),
    }
}

/// One field of `INFO <section>`.
fn info(port: u16, section: &str, field: &str) -> String {
    let text = match cmd(port, &["INFO", section]) {
        r @ Resp::Bulk(Some(_)) => r.text().unwrap_or_default(),
        other => panic!("INFO {section}: {other:?}"),
    };
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {field} in INFO {section}:\n{text}"))
}

/// Poll `check` every 20 ms until it holds, at most `limit`.
fn wait_until(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        // Poll interval of a bounded wait on the server's own state.
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn empty_server_rss_is_a_small_part_of_the_baseline() {
    for s in installed() {
        let dir = temp_dir();
        let server = s.start(dir.path(), &[]);
        let rss: u64 = info(server.port, "memory", "used_memory_rss")
            .parse()
            .expect("rss");
        assert!(
            rss < BASELINE_BYTES / 2,
            "{}: an empty server's RSS is {rss} bytes, not below half the {BASELINE_BYTES} baseline",
            s.label
        );
    }
}

#[test]
fn a_save_while_every_key_is_rewritten_duplicates_most_of_the_dataset() {
    const KEYS: u32 = 20_000;
    for s in installed() {
        let dir = temp_dir();
        // rdb-key-save-delay (microseconds per key, a hidden setting) keeps the child saving
        // for ~2 s, long enough to rewrite every key meanwhile.
        let server = s.start(
            dir.path(),
            &["--rdb-key-save-delay", "100", "--appendonly", "no"],
        );
        let port = server.port;
        let fill = format!(
            "for i=0,{} do redis.call('SET','key:'..i,string.rep(ARGV[1],1000)) end return 1",
            KEYS - 1
        );
        cmd(port, &["EVAL", &fill, "0", "a"]);
        let dataset: u64 = info(port, "memory", "used_memory_dataset")
            .parse()
            .expect("dataset");
        assert!(
            matches!(cmd(port, &["BGSAVE"]), Resp::Status(_)),
            "{}: BGSAVE",
            s.label
        );
        wait_until(Duration::from_secs(10), "the save to start", || {
            info(port, "persistence", "rdb_bgsave_in_progress") == "1"
        });
        cmd(port, &["EVAL", &fill, "0", "b"]);
        wait_until(Duration::from_secs(60), "the save to end", || {
            info(port, "persistence", "rdb_bgsave_in_progress") == "0"
        });
        let cow: u64 = info(port, "persistence", "rdb_last_cow_size")
            .parse()
            .expect("cow");
        assert!(
            cow * 100 >= dataset * COW_PERCENT,
            "{}: copy-on-write {cow} bytes for a {dataset}-byte dataset rewritten during the save \
             is below the {COW_PERCENT}% budget",
            s.label
        );
        println!("{}: copy-on-write {cow} of {dataset} bytes", s.label);
    }
}

#[test]
fn a_replica_writes_the_full_sync_rdb_without_save() {
    for s in installed() {
        let master_dir = temp_dir();
        let replica_dir = temp_dir();
        let master = s.start(master_dir.path(), &["--repl-diskless-sync-delay", "0"]);
        cmd(master.port, &["SET", "k", "v"]);
        let master_port = master.port.to_string();
        let replica = s.start(
            replica_dir.path(),
            &[
                "--repl-diskless-load",
                "disabled",
                "--replicaof",
                "127.0.0.1",
                &master_port,
            ],
        );
        wait_until(Duration::from_secs(20), "the replica's link", || {
            info(replica.port, "replication", "master_link_status") == "up"
        });
        let files: Vec<String> = std::fs::read_dir(replica_dir.path())
            .expect("replica dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".rdb"))
            .collect();
        assert!(
            !files.is_empty(),
            "{}: the replica (save \"\", repl-diskless-load disabled) wrote no RDB",
            s.label
        );
    }
}
