//! What `protected-mode` and `bind` do to clients that connect from another address, as the
//! replicas and Sentinels of other pods do: in a network namespace of its own (`unshare -n`)
//! the test gives the loopback interface a second, non-127 address (10.213.9.1), starts each
//! installed server, and connects to that address with redis-cli.
//! - `protected-mode yes` without a password: the reply is `DENIED ...`;
//! - `bind 127.0.0.1`: the connection is refused;
//! - `protected-mode no`: `PONG` (the control).
//!
//! chartlint's RHA163 rests on this (docs/evidence.md).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use testkit::{run, temp_dir, write_file, INSTALL_HINT};

#[path = "common/installed_servers.rs"]
mod installed_servers;
use installed_servers::installed;

/// Start the server inside the namespace, wait (bounded) for it on 127.0.0.1, then PING it on
/// the namespace's second address; the server is stopped by its PID.
const SCRIPT: &str = r#"set -eu
server=$1; cli=$2; dir=$3; shift 3
ip link set lo up
ip addr add 10.213.9.1/32 dev lo
"$server" --port 7001 --save "" --dir "$dir" "$@" >"$dir/server.log" 2>&1 &
pid=$!
i=0
until "$cli" -h 127.0.0.1 -p 7001 PING >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 200 ]; then kill "$pid"; echo "no server"; exit 1; fi
    sleep 0.05
done
reply=$("$cli" -h 10.213.9.1 -p 7001 PING 2>&1 || true)
kill "$pid"
wait "$pid" 2>/dev/null || true
echo "reply: $reply"
"#;

fn redis_cli() -> PathBuf {
    let p = PathBuf::from("/usr/bin/redis-cli");
    assert!(p.is_file(), "redis-cli is not installed: {INSTALL_HINT}");
    p
}

fn ping_from_another_address(binary: &std::path::Path, args: &[&str]) -> String {
    let dir = temp_dir();
    let script = write_file(dir.path(), "ns.sh", SCRIPT);
    let mut cmd = Command::new("unshare");
    cmd.args(["-n", "sh"])
        .arg(&script)
        .arg(binary)
        .arg(redis_cli())
        .arg(dir.path())
        .args(args);
    let out = run(&mut cmd, Duration::from_secs(30));
    assert!(out.success(), "{}", out.describe());
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("reply: "))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn protected_mode_and_bind_shut_out_other_addresses() {
    let mut failures = Vec::new();
    for s in installed() {
        let denied = ping_from_another_address(&s.binary, &["--protected-mode", "yes"]);
        if !denied.starts_with("DENIED") {
            failures.push(format!(
                "{}: protected-mode yes answered {denied:?}",
                s.label
            ));
        }
        let bound = ping_from_another_address(
            &s.binary,
            &["--bind", "127.0.0.1", "--protected-mode", "no"],
        );
        if !bound.contains("Connection refused") {
            failures.push(format!("{}: bind 127.0.0.1 answered {bound:?}", s.label));
        }
        let open = ping_from_another_address(&s.binary, &["--protected-mode", "no"]);
        if open != "PONG" {
            failures.push(format!("{}: the control answered {open:?}", s.label));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
