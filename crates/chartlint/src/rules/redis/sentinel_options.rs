//! The `sentinel.config` keys the chart can render into a sentinel.conf that Sentinel reads:
//! its per-master options (`sentinel <option> <group> <value>`), `maxclients` (a plain line)
//! and the global options the chart writes without a group. Sentinel's options are the same
//! on every supported version (sentinel.c's `sentinelHandleConfiguration`).

/// Per-master options: the chart writes `sentinel <option> <group> <value>`.
pub(crate) const PER_MASTER: &[&str] = &[
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "master-reboot-down-after-period",
    "notification-script",
    "client-reconfig-script",
    "auth-pass",
    "auth-user",
    "rename-command",
];

/// Global options the chart writes as `sentinel <option> <value>` (no group).
pub(crate) const CHART_GLOBAL: &[&str] = &[
    "resolve-hostnames",
    "announce-hostnames",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
];

/// Plain sentinel.conf lines the chart writes from `sentinel.config`.
pub(crate) const PLAIN: &[&str] = &["maxclients"];

/// Sentinel options that the chart renders with a group (Sentinel then refuses the line),
/// with the chart value or script that sets them.
pub(crate) const SET_ELSEWHERE: &[(&str, &str)] = &[
    ("announce-ip", "the pod's announce Service (set by init.sh)"),
    (
        "announce-port",
        "the pod's announce Service (set by init.sh)",
    ),
    (
        "monitor",
        "init.sh, from redis.masterGroupName and sentinel.quorum",
    ),
    ("myid", "init.sh (stable ids per pod)"),
    ("quorum", "sentinel.quorum"),
    ("bind", "sentinel.bind"),
    ("port", "sentinel.port"),
];

/// True when the chart renders `key` into a line Sentinel reads.
pub(crate) fn known(key: &str) -> bool {
    PER_MASTER.contains(&key) || CHART_GLOBAL.contains(&key) || PLAIN.contains(&key)
}

/// Every key the chart renders into a line Sentinel reads (for suggestions).
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    PER_MASTER.iter().chain(CHART_GLOBAL).chain(PLAIN).copied()
}
