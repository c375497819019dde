//! The one catalogue of redis.conf directives (Redis 7.x) and `sentinel <option> <group>`
//! options that the rules check names and values against.
//!
//! Kinds follow Redis's `config.c`: yes/no booleans, memory values (`memtoull`), integers
//! (`string2ll`, with the lower bound Redis enforces), enums (case-insensitive), and
//! free-form or multi-argument directives (`Other`), whose values are not checked here.

/// What a directive's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `yes` or `no` (case-insensitive).
    YesNo,
    /// A Redis memory value: digits with an optional unit b, k, kb, m, mb, g, gb.
    Memory,
    /// An integer of at least this value.
    Int(i64),
    /// One of these words (case-insensitive).
    Enum(&'static [&'static str]),
    /// Anything else (paths, lists, multi-argument values).
    Other,
}

/// One directive.
#[derive(Debug)]
pub(crate) struct Entry {
    /// Canonical name.
    pub name: &'static str,
    /// Older names Redis still accepts (`slave-*`, `*-ziplist-*`).
    pub aliases: &'static [&'static str],
    /// Value kind.
    pub kind: Kind,
}

const fn e(name: &'static str, kind: Kind) -> Entry {
    Entry {
        name,
        aliases: &[],
        kind,
    }
}

const fn a(name: &'static str, aliases: &'static [&'static str], kind: Kind) -> Entry {
    Entry {
        name,
        aliases,
        kind,
    }
}

use Kind::{Enum, Int, Memory, Other, YesNo};

const SHUTDOWN_FLAGS: &[&str] = &["default", "save", "nosave", "now", "force"];
const ENABLE_COMMAND: &[&str] = &["no", "yes", "local"];

/// The maxmemory-policy values (redis-facts §B.6).
pub(crate) const MAXMEMORY_POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

/// redis.conf directives of Redis 7.x.
pub(crate) static REDIS: &[Entry] = &[
    // general
    e("include", Other),
    e("loadmodule", Other),
    e("bind", Other),
    e("bind-source-addr", Other),
    e("protected-mode", YesNo),
    e("enable-protected-configs", Enum(ENABLE_COMMAND)),
    e("enable-debug-command", Enum(ENABLE_COMMAND)),
    e("enable-module-command", Enum(ENABLE_COMMAND)),
    e("port", Int(0)),
    e("tcp-backlog", Int(0)),
    e("unixsocket", Other),
    e("unixsocketperm", Other),
    e("timeout", Int(0)),
    e("tcp-keepalive", Int(0)),
    e("socket-mark-id", Int(0)),
    e("daemonize", YesNo),
    e("supervised", Enum(&["upstart", "systemd", "auto", "no"])),
    e("pidfile", Other),
    e(
        "loglevel",
        Enum(&["debug", "verbose", "notice", "warning", "nothing"]),
    ),
    e("logfile", Other),
    e("syslog-enabled", YesNo),
    e("syslog-ident", Other),
    e(
        "syslog-facility",
        Enum(&[
            "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ]),
    ),
    e("crash-log-enabled", YesNo),
    e("crash-memcheck-enabled", YesNo),
    e("databases", Int(1)),
    e("always-show-logo", YesNo),
    e("set-proc-title", YesNo),
    e("proc-title-template", Other),
    e("locale-collate", Other),
    // snapshots
    e("save", Other),
    e("stop-writes-on-bgsave-error", YesNo),
    e("rdbcompression", YesNo),
    e("rdbchecksum", YesNo),
    e("sanitize-dump-payload", Enum(&["no", "yes", "clients"])),
    e("dbfilename", Other),
    e("rdb-del-sync-files", YesNo),
    e("dir", Other),
    // replication
    a("replicaof", &["slaveof"], Other),
    e("masterauth", Other),
    e("masteruser", Other),
    a(
        "replica-serve-stale-data",
        &["slave-serve-stale-data"],
        YesNo,
    ),
    a("replica-read-only", &["slave-read-only"], YesNo),
    e("repl-diskless-sync", YesNo),
    e("repl-diskless-sync-delay", Int(0)),
    e("repl-diskless-sync-max-replicas", Int(0)),
    e(
        "repl-diskless-load",
        Enum(&["disabled", "on-empty-db", "swapdb"]),
    ),
    a(
        "repl-ping-replica-period",
        &["repl-ping-slave-period"],
        Int(1),
    ),
    e("repl-timeout", Int(1)),
    e("repl-disable-tcp-nodelay", YesNo),
    e("repl-backlog-size", Memory),
    e("repl-backlog-ttl", Int(0)),
    a("replica-priority", &["slave-priority"], Int(0)),
    e(
        "propagation-error-behavior",
        Enum(&["ignore", "panic", "panic-on-replicas"]),
    ),
    e("replica-ignore-disk-write-errors", YesNo),
    e("replica-announced", YesNo),
    a("min-replicas-to-write", &["min-slaves-to-write"], Int(0)),
    a("min-replicas-max-lag", &["min-slaves-max-lag"], Int(0)),
    a("replica-announce-ip", &["slave-announce-ip"], Other),
    a("replica-announce-port", &["slave-announce-port"], Int(0)),
    // keys tracking, security
    e("tracking-table-max-keys", Int(0)),
    e("acllog-max-len", Int(0)),
    e("aclfile", Other),
    e("requirepass", Other),
    e(
        "acl-pubsub-default",
        Enum(&["allchannels", "resetchannels"]),
    ),
    e("rename-command", Other),
    e("user", Other),
    // clients and memory
    e("maxclients", Int(1)),
    e("maxmemory", Memory),
    e("maxmemory-policy", Enum(MAXMEMORY_POLICIES)),
    e("maxmemory-samples", Int(1)),
    e("maxmemory-eviction-tenacity", Int(0)),
    a(
        "replica-ignore-maxmemory",
        &["slave-ignore-maxmemory"],
        YesNo,
    ),
    e("active-expire-effort", Int(1)),
    e("maxmemory-clients", Other),
    // lazy freeing
    e("lazyfree-lazy-eviction", YesNo),
    e("lazyfree-lazy-expire", YesNo),
    e("lazyfree-lazy-server-del", YesNo),
    a("replica-lazy-flush", &["slave-lazy-flush"], YesNo),
    e("lazyfree-lazy-user-del", YesNo),
    e("lazyfree-lazy-user-flush", YesNo),
    // threads, kernel
    e("io-threads", Int(1)),
    e("io-threads-do-reads", YesNo),
    e(
        "oom-score-adj",
        Enum(&["no", "yes", "relative", "absolute"]),
    ),
    e("oom-score-adj-values", Other),
    e("disable-thp", YesNo),
    // append only file
    e("appendonly", YesNo),
    e("appendfilename", Other),
    e("appenddirname", Other),
    e("appendfsync", Enum(&["always", "everysec", "no"])),
    e("no-appendfsync-on-rewrite", YesNo),
    e("auto-aof-rewrite-percentage", Int(0)),
    e("auto-aof-rewrite-min-size", Memory),
    e("aof-load-truncated", YesNo),
    e("aof-use-rdb-preamble", YesNo),
    e("aof-timestamp-enabled", YesNo),
    e("aof-rewrite-incremental-fsync", YesNo),
    e("rdb-save-incremental-fsync", YesNo),
    // shutdown, scripting
    e("shutdown-timeout", Int(0)),
    e("shutdown-on-sigint", Enum(SHUTDOWN_FLAGS)),
    e("shutdown-on-sigterm", Enum(SHUTDOWN_FLAGS)),
    a("busy-reply-threshold", &["lua-time-limit"], Int(0)),
    // cluster
    e("cluster-enabled", YesNo),
    e("cluster-config-file", Other),
    e("cluster-node-timeout", Int(0)),
    e("cluster-port", Int(0)),
    a(
        "cluster-replica-validity-factor",
        &["cluster-slave-validity-factor"],
        Int(0),
    ),
    e("cluster-migration-barrier", Int(0)),
    e("cluster-allow-replica-migration", YesNo),
    e("cluster-require-full-coverage", YesNo),
    a(
        "cluster-replica-no-failover",
        &["cluster-slave-no-failover"],
        YesNo,
    ),
    e("cluster-allow-reads-when-down", YesNo),
    e("cluster-allow-pubsubshard-when-down", YesNo),
    e("cluster-link-sendbuf-limit", Memory),
    e("cluster-announce-hostname", Other),
    e("cluster-announce-human-nodename", Other),
    e(
        "cluster-preferred-endpoint-type",
        Enum(&["ip", "hostname", "unknown-endpoint"]),
    ),
    e("cluster-announce-ip", Other),
    e("cluster-announce-port", Int(0)),
    e("cluster-announce-bus-port", Int(0)),
    e("cluster-announce-tls-port", Int(0)),
    // monitoring
    e("slowlog-log-slower-than", Int(-1)),
    e("slowlog-max-len", Int(0)),
    e("latency-monitor-threshold", Int(0)),
    e("latency-tracking", YesNo),
    e("latency-tracking-info-percentiles", Other),
    e("notify-keyspace-events", Other),
    // data structures
    a(
        "hash-max-listpack-entries",
        &["hash-max-ziplist-entries"],
        Int(0),
    ),
    a(
        "hash-max-listpack-value",
        &["hash-max-ziplist-value"],
        Memory,
    ),
    a(
        "list-max-listpack-size",
        &["list-max-ziplist-size"],
        Int(i64::MIN),
    ),
    e("list-compress-depth", Int(0)),
    e("set-max-intset-entries", Int(0)),
    e("set-max-listpack-entries", Int(0)),
    e("set-max-listpack-value", Memory),
    a(
        "zset-max-listpack-entries",
        &["zset-max-ziplist-entries"],
        Int(0),
    ),
    a(
        "zset-max-listpack-value",
        &["zset-max-ziplist-value"],
        Memory,
    ),
    e("hll-sparse-max-bytes", Memory),
    e("stream-node-max-bytes", Memory),
    e("stream-node-max-entries", Int(0)),
    e("activerehashing", YesNo),
    e("client-output-buffer-limit", Other),
    e("client-query-buffer-limit", Memory),
    e("proto-max-bulk-len", Memory),
    e("max-new-connections-per-cycle", Int(1)),
    e("max-new-tls-connections-per-cycle", Int(1)),
    e("hz", Int(0)),
    e("dynamic-hz", YesNo),
    e("lfu-log-factor", Int(0)),
    e("lfu-decay-time", Int(0)),
    // defragmentation
    e("activedefrag", YesNo),
    e("active-defrag-ignore-bytes", Memory),
    e("active-defrag-threshold-lower", Int(0)),
    e("active-defrag-threshold-upper", Int(0)),
    e("active-defrag-cycle-min", Int(1)),
    e("active-defrag-cycle-max", Int(1)),
    e("active-defrag-max-scan-fields", Int(1)),
    e("jemalloc-bg-thread", YesNo),
    e("server_cpulist", Other),
    e("bio_cpulist", Other),
    e("aof_rewrite_cpulist", Other),
    e("bgsave_cpulist", Other),
    e("ignore-warnings", Other),
    // TLS
    e("tls-port", Int(0)),
    e("tls-cert-file", Other),
    e("tls-key-file", Other),
    e("tls-key-file-pass", Other),
    e("tls-client-cert-file", Other),
    e("tls-client-key-file", Other),
    e("tls-client-key-file-pass", Other),
    e("tls-dh-params-file", Other),
    e("tls-ca-cert-file", Other),
    e("tls-ca-cert-dir", Other),
    e("tls-auth-clients", Enum(&["no", "yes", "optional"])),
    e("tls-replication", YesNo),
    e("tls-cluster", YesNo),
    e("tls-protocols", Other),
    e("tls-ciphers", Other),
    e("tls-ciphersuites", Other),
    e("tls-prefer-server-ciphers", YesNo),
    e("tls-session-caching", YesNo),
    e("tls-session-cache-size", Int(0)),
    e("tls-session-cache-timeout", Int(0)),
];

/// The redis.conf entry of a directive or one of its aliases (case-insensitive, as Redis).
pub(crate) fn redis(name: &str) -> Option<&'static Entry> {
    // Looked up for every directive by many rules: index the catalogue once per process by
    // ASCII-lowercased name (the same match as `eq_ignore_ascii_case`; the first entry wins).
    type Index = std::collections::HashMap<String, usize, foldhash::fast::RandomState>;
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        // An entry matches by its name or an alias, and the first matching entry wins: walk the
        // entries in order and keep the first one per spelling.
        let mut first = Index::default();
        for (i, e) in REDIS.iter().enumerate() {
            for n in std::iter::once(e.name).chain(e.aliases.iter().copied()) {
                first.entry(n.to_ascii_lowercase()).or_insert(i);
            }
        }
        first
    });
    // Names are almost always written in lower case: copy only when they are not.
    let found = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        index.get(&name.to_ascii_lowercase())
    } else {
        index.get(name)
    };
    found.map(|&i| &REDIS[i])
}

/// Every redis.conf directive name, aliases included (for suggestions).
pub(crate) fn redis_names() -> impl Iterator<Item = &'static str> {
    REDIS
        .iter()
        .flat_map(|e| std::iter::once(e.name).chain(e.aliases.iter().copied()))
}

/// Options that `sentinel.config` may hold: the chart writes each as
/// `sentinel <option> <group> <value>` (Sentinel's per-master options), except `maxclients`,
/// which it writes as a plain line.
pub(crate) static SENTINEL: &[Entry] = &[
    e("down-after-milliseconds", Int(1)),
    e("failover-timeout", Int(1)),
    e("parallel-syncs", Int(0)),
    e("master-reboot-down-after-period", Int(0)),
    e("notification-script", Other),
    e("client-reconfig-script", Other),
    e("auth-pass", Other),
    e("auth-user", Other),
    e("rename-command", Other),
    e("maxclients", Int(1)),
];

/// Sentinel options that are global (`sentinel <option> <value>`, no group), with the chart
/// value that sets them; under `sentinel.config` the chart would add the group name and
/// Sentinel refuses the line.
pub(crate) static SENTINEL_GLOBAL: &[(&str, &str)] = &[
    ("resolve-hostnames", "sentinel.resolveHostnames"),
    ("announce-hostnames", "sentinel.announceHostnames"),
    ("announce-ip", "the pod's announce Service (set by init.sh)"),
    (
        "announce-port",
        "the pod's announce Service (set by init.sh)",
    ),
    ("deny-scripts-reconfig", "sentinel.customConfig"),
    ("sentinel-user", "sentinel.customConfig"),
    ("sentinel-pass", "sentinel.customConfig"),
    (
        "monitor",
        "init.sh, from redis.masterGroupName and sentinel.quorum",
    ),
    ("myid", "init.sh (stable ids per pod)"),
    ("quorum", "sentinel.quorum"),
    ("bind", "sentinel.bind"),
    ("port", "sentinel.port"),
];

/// The sentinel.config entry of an option.
pub(crate) fn sentinel(name: &str) -> Option<&'static Entry> {
    SENTINEL.iter().find(|e| e.name == name)
}
