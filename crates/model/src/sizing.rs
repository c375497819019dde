//! How much memory, CPU and disk a Redis of a given `maxmemory` needs, and why.
//!
//! This is the one place that knows it: chartgen sizes the variants (redis-512m … redis-16g)
//! with [`size`], chartlint judges hand-written values with [`judge`], and both print the same
//! terms, so a generated variant passes the lint by construction.
//!
//! # The memory formula
//!
//! ```text
//! limit = request = round_up_64Mi( max( dataset + fragmentation + copy-on-write
//!                                        + replica output buffers + swapdb load
//!                                        + process baseline,
//!                                        maxmemory / 0.8 ) )
//! ```
//! where
//! - dataset = `maxmemory` (what Redis fills before it evicts or refuses writes);
//! - fragmentation = [`FRAGMENTATION_PERCENT`] of the dataset;
//! - copy-on-write = [`COW_PERCENT`] of the dataset whenever Redis forks (RDB save, AOF
//!   rewrite, or a full sync to a replica);
//! - replica output buffers = the `client-output-buffer-limit replica` hard limit (once with
//!   Redis ≥ 7's shared replication buffer, once per replica before), when replicas exist;
//! - a second dataset while a replica loads a full sync with `repl-diskless-load swapdb`;
//! - process baseline = [`BASELINE_BYTES`].
//!
//! The replication backlog is not a term: `maxmemory` counts it (evict.c leaves out only the
//! AOF buffer and the replication buffer beyond the backlog).
//!
//! With the chart defaults (2 replicas per master, 256mb replica hard limit, 1mb backlog, RDB
//! on) `maxmemory` ends up at 42% (512mb) to 60% (16gb) of the limit. The anchors:
//! - Redis's admin guide: a write-heavy instance may use up to 2× its memory during an RDB save
//!   or AOF rewrite; with 10 GB free, set maxmemory to 8 or 9 GB.
//! - Measured here: a save while every key is rewritten duplicates most of the dataset
//!   (tests/sizing_evidence.rs, docs/evidence.md).
//! - AWS ElastiCache reserves 25% of a node's memory for non-data use by default
//!   (`reserved-memory-percent`: replica output buffers, fragmentation, fork CoW), and up to
//!   50% on its smallest nodes; its Redis 2.8.22+ saves avoid most of the fork CoW that
//!   open-source Redis pays, so a fork-based Redis needs more than that default.
//!
//! In Kubernetes the price of being short is a SIGKILL (OOMKilled, exit 137) of the master at
//! the worst moment, not swapping, so the budget sits between ElastiCache's default and the
//! documented 2× worst case, and `maxmemory` never exceeds 80% of the limit (the low end of
//! the admin guide's 80–90%).
//!
//! All arithmetic is on integer bytes (`u64`, `u128` for intermediate products), saturating,
//! so user input of any size cannot panic.

use crate::units::{
    format_binary_bytes, format_millicores, format_redis_memory, parse_redis_memory,
    RedisMemoryError, GIB, MIB,
};

/// Allocator fragmentation and RSS above `used_memory`, as a percentage of the dataset.
///
/// Why 15%: Redis's admin guide sizes maxmemory at 80–90% of the free memory to leave room for
/// overhead and fragmentation ("10 GB free → 8 or 9"), and its memory optimization guide says to
/// provision for the peak because RSS does not shrink after deletes.
pub const FRAGMENTATION_PERCENT: u64 = 15;

/// Copy-on-write budget while a forked child (BGSAVE, AOF rewrite, full sync) runs, as a
/// percentage of the dataset. The write-rate assumption of this chart.
///
/// Why 50%: every page the parent writes during the child's life is duplicated. Redis's admin
/// guide warns of up to 2× memory (100% CoW) for write-heavy instances, and a save measured
/// while every key is rewritten duplicates most of the dataset (`rdb_last_cow_size`,
/// tests/sizing_evidence.rs). Budgeting 100% for a 16 GB instance doubles its cost for a worst case that
/// needs every key rewritten during one save; 50% assumes that at most half of the pages are
/// written while a child runs. Instances that rewrite their whole dataset faster than a save
/// takes should raise this (or turn persistence off on the master).
pub const COW_PERCENT: u64 = 50;

/// Memory of the Redis process with an empty dataset plus normal clients' buffers and Lua.
///
/// Why 64 MiB: an empty server's RSS is a small part of it (measured on Redis 7.0.15, 8.2.3 and
/// Valkey 9.1.2 by tests/sizing_evidence.rs); the rest covers client query and output buffers of normal
/// clients (unlimited by default: `client-output-buffer-limit normal 0 0 0`), pub/sub clients
/// and scripts, none of which `maxmemory` counts.
pub const BASELINE_BYTES: u64 = 64 * MIB;

/// The memory limit is rounded up to a multiple of this step (readable, and at most 63 MiB
/// above the requirement).
pub const LIMIT_STEP_BYTES: u64 = 64 * MIB;

/// `maxmemory` may be at most this percentage of the memory limit, whatever the terms say.
pub const MAX_MAXMEMORY_PERCENT_OF_LIMIT: u64 = 80;

/// Extra disk beyond the data files, as a percentage of them.
///
/// Why 10%: ext4 reserves 5% of the blocks for root by default and the Redis container runs as
/// a non-root user, so that 5% is not usable; the rest covers filesystem metadata and logs.
pub const FILESYSTEM_HEADROOM_PERCENT: u64 = 10;

/// The smallest PVC this chart requests.
pub const PVC_FLOOR_BYTES: u64 = GIB;

/// Redis's default `client-output-buffer-limit replica` hard limit (256mb, observed CONFIG GET).
pub const DEFAULT_REPLICA_HARD_LIMIT: u64 = 256 * MIB;

/// Redis's default `repl-backlog-size` (1mb, observed CONFIG GET).
pub const DEFAULT_REPL_BACKLOG: u64 = MIB;

/// Citations used by the terms: public documents, and the tests that measure what this
/// crate's numbers rest on (docs/evidence.md lists them).
mod source {
    pub const ADMIN: &str = "Redis administration, memory (set maxmemory for overhead and \
        fragmentation, '10 GB free -> 8 or 9'; up to 2x memory during an RDB save or AOF \
        rewrite): https://redis.io/docs/latest/operate/oss_and_stack/management/admin/";
    pub const COW_MEASURED: &str = "a save while every key is rewritten duplicates most of \
        the dataset (rdb_last_cow_size): tests/sizing_evidence.rs; Redis persistence: \
        https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/";
    pub const FRAGMENTATION: &str = "Redis memory optimization (provision for peak RSS): \
        https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/";
    pub const MAXMEMORY: &str = "maxmemory counts used_memory less the AOF buffer and the \
        replication buffer beyond the backlog (freeMemoryGetNotCountedMemory): \
        https://github.com/redis/redis/blob/7.2.6/src/evict.c";
    pub const REPLICA_BUFFERS: &str = "redis.conf client-output-buffer-limit replica (default \
        256mb hard), not counted by maxmemory: https://github.com/redis/redis/blob/7.2.6/redis.conf";
    pub const SWAPDB: &str = "redis.conf repl-diskless-load swapdb keeps the current dataset in \
        memory while the new one loads: https://github.com/redis/redis/blob/7.2.6/redis.conf";
    pub const BASELINE: &str = "an empty server's RSS, measured on Redis 7.0.15, 8.2.3 and \
        Valkey 9.1.2 by tests/sizing_evidence.rs; client-output-buffer-limit normal 0 0 0 \
        (unlimited) by default";
    pub const EIGHTY: &str = "the low end of the admin guide's 80-90% of free memory: \
        https://redis.io/docs/latest/operate/oss_and_stack/management/admin/";
    pub const RDB_FILES: &str = "Redis writes temp-<pid>.rdb beside dump.rdb and renames it \
        when the save ends; a replica with repl-diskless-load disabled writes the full sync's \
        RDB to disk even with save \"\" (tests/sizing_evidence.rs)";
    pub const AOF_FILES: &str = "Redis 7 multi-part AOF: base + incr grow to \
        auto-aof-rewrite-percentage 100 (2x base), and a rewrite writes a new base beside them";
    pub const FILESYSTEM: &str = "mke2fs default: 5% of ext4 blocks reserved for root; Redis \
        runs as a non-root user";
}

/// What the memory need depends on besides `maxmemory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizingInput {
    /// `maxmemory` in bytes; 0 means unlimited, which cannot be sized.
    pub maxmemory: u64,
    /// Replicas attached to one master (`replicas` − 1 in the chart).
    pub replicas_per_master: u32,
    /// `client-output-buffer-limit replica` hard limit in bytes; 0 means unlimited.
    pub replica_buffer_hard_limit: u64,
    /// `repl-backlog-size` in bytes.
    pub repl_backlog_size: u64,
    /// RDB snapshots on (`save` not empty).
    pub rdb: bool,
    /// AOF on (`appendonly yes`).
    pub aof: bool,
    /// `repl-diskless-sync yes`: full syncs stream the RDB to replicas instead of writing it.
    pub diskless_sync: bool,
    /// `repl-diskless-load` of replicas: how a replica loads a full sync.
    pub diskless_load: DisklessLoad,
    /// Redis ≥ 7: replicas share one replication buffer, so the replica output buffers cost
    /// one hard limit in total instead of one per replica.
    pub shared_replication_buffer: bool,
}

impl SizingInput {
    /// The chart's defaults for a given `maxmemory`: 3 pods (2 replicas per master), Redis
    /// defaults for buffers and backlog, RDB on (`save "900 1"`), AOF off, diskless sync on,
    /// Redis ≥ 7.
    pub fn chart_defaults(maxmemory: u64) -> SizingInput {
        SizingInput {
            maxmemory,
            replicas_per_master: 2,
            replica_buffer_hard_limit: DEFAULT_REPLICA_HARD_LIMIT,
            repl_backlog_size: DEFAULT_REPL_BACKLOG,
            rdb: true,
            aof: false,
            diskless_sync: true,
            diskless_load: DisklessLoad::Disabled,
            shared_replication_buffer: true,
        }
    }

    /// Read the sizing input from `redis.conf` directives as the chart's `redis.config` map
    /// holds them (`get("maxmemory")` → `Some("1gb")`; `None` when the key is absent), for a
    /// StatefulSet of `pods` Redis pods running Redis `redis_major` (see
    /// [`redis_major_version`]; `None` = unknown, assumed ≥ 7 like the chart's image).
    ///
    /// Absent directives take Redis's defaults: `save` on (RDB), `appendonly no`,
    /// `repl-diskless-sync yes` from Redis 7 (`no` before), replica hard limit 256mb,
    /// backlog 1mb, `maxmemory 0`.
    pub fn from_redis_config(
        pods: u32,
        redis_major: Option<u32>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<SizingInput, ConfigError> {
        let memory = |key: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(key) {
                Some(value) => parse_redis_memory(value.trim())
                    .map_err(|source| ConfigError::Memory { key, source }),
                None => Ok(default),
            }
        };
        let yes = |key: &str, default: bool| -> bool {
            match get(key) {
                Some(value) => value.trim().eq_ignore_ascii_case("yes"),
                None => default,
            }
        };
        let modern = redis_major.is_none_or(|major| major >= 7);
        let rdb = match get("save") {
            Some(value) => {
                let value = value.trim();
                !(value.is_empty() || value == "\"\"" || value == "''")
            }
            None => true,
        };
        let replica_buffer_hard_limit = match get("client-output-buffer-limit") {
            Some(value) => replica_hard_limit(&value)?,
            None => None,
        }
        .unwrap_or(DEFAULT_REPLICA_HARD_LIMIT);
        Ok(SizingInput {
            maxmemory: memory("maxmemory", 0)?,
            replicas_per_master: pods.saturating_sub(1),
            replica_buffer_hard_limit,
            repl_backlog_size: memory("repl-backlog-size", DEFAULT_REPL_BACKLOG)?,
            rdb,
            aof: yes("appendonly", false),
            diskless_sync: yes("repl-diskless-sync", modern),
            diskless_load: match get("repl-diskless-load") {
                Some(v) if v.trim().eq_ignore_ascii_case("swapdb") => DisklessLoad::Swapdb,
                Some(v) if v.trim().eq_ignore_ascii_case("on-empty-db") => DisklessLoad::OnEmptyDb,
                _ => DisklessLoad::Disabled,
            },
            shared_replication_buffer: modern,
        })
    }

    /// True when Redis forks a child: RDB saves, AOF rewrites, or full syncs to replicas
    /// (diskless sync forks too: the child streams the RDB to the socket).
    pub fn forks(&self) -> bool {
        self.rdb || self.aof || self.replicas_per_master > 0
    }
}

/// How a replica loads a full sync (`repl-diskless-load`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisklessLoad {
    /// `disabled` (the default): the RDB is written to the replica's disk, then loaded.
    Disabled,
    /// `on-empty-db`: loaded from the socket when the replica's dataset is empty.
    OnEmptyDb,
    /// `swapdb`: loaded from the socket while the current dataset stays in memory.
    Swapdb,
}

/// A `redis.config` directive that the sizing cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A memory directive that is not a Redis memory value.
    #[error("{key}: {source}")]
    Memory {
        /// The directive.
        key: &'static str,
        /// Why its value is wrong.
        #[source]
        source: RedisMemoryError,
    },
    /// `client-output-buffer-limit` that is not groups of `<class> <hard> <soft> <seconds>`.
    #[error(
        "client-output-buffer-limit: `{value}` is not groups of <class> <hard> <soft> <seconds>"
    )]
    BufferLimit {
        /// The value as written.
        value: String,
    },
}

/// The replica class's hard limit in a `client-output-buffer-limit` value (which may hold
/// several classes: `normal 0 0 0 replica 256mb 64mb 60`); `None` if the replica class is not
/// set there.
fn replica_hard_limit(value: &str) -> Result<Option<u64>, ConfigError> {
    let bad = || ConfigError::BufferLimit {
        value: value.to_string(),
    };
    let tokens: Vec<&str> = value.split_whitespace().collect();
    let groups = tokens.chunks_exact(4);
    if tokens.is_empty() || !groups.remainder().is_empty() {
        return Err(bad());
    }
    let mut found = None;
    for group in groups {
        let class = group[0].to_ascii_lowercase();
        if !matches!(class.as_str(), "normal" | "replica" | "slave" | "pubsub") {
            return Err(bad());
        }
        let hard = parse_redis_memory(group[1]).map_err(|source| ConfigError::Memory {
            key: "client-output-buffer-limit",
            source,
        })?;
        if class == "replica" || class == "slave" {
            found = Some(hard);
        }
    }
    Ok(found)
}

/// The Redis major version of an image tag (`6.2.5-alpine` → 6, `8` → 8, `v7.2` → 7); `None`
/// for tags such as `latest` or a digest.
pub fn redis_major_version(tag: &str) -> Option<u32> {
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

/// One named addend of a requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Short name, e.g. `copy-on-write`.
    pub name: &'static str,
    /// Bytes this term needs.
    pub bytes: u64,
    /// One sentence saying why, with the numbers used.
    pub reason: String,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// CPU and memory of one container. Requests equal limits everywhere so that the pod gets the
/// Guaranteed QoS class (Kubernetes requires it of every container, init containers included):
/// memory is not compressible, a request below the limit lets the scheduler overcommit the
/// node, and under node pressure a Burstable pod is evicted or OOM-killed before Guaranteed
/// ones (oom_score_adj −997 for Guaranteed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    /// CPU request in millicores.
    pub cpu_request_millis: u64,
    /// CPU limit in millicores.
    pub cpu_limit_millis: u64,
    /// Memory request in bytes.
    pub memory_request: u64,
    /// Memory limit in bytes.
    pub memory_limit: u64,
}

impl Resources {
    const fn guaranteed(cpu_millis: u64, memory: u64) -> Resources {
        Resources {
            cpu_request_millis: cpu_millis,
            cpu_limit_millis: cpu_millis,
            memory_request: memory,
            memory_limit: memory,
        }
    }

    /// `cpu` / `memory` rendered as Kubernetes quantities: (request cpu, request memory,
    /// limit cpu, limit memory).
    pub fn quantities(&self) -> (String, String, String, String) {
        (
            format_millicores(self.cpu_request_millis),
            format_binary_bytes(self.memory_request),
            format_millicores(self.cpu_limit_millis),
            format_binary_bytes(self.memory_limit),
        )
    }
}

/// A fixed-size container of the chart, with why it is sized so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Container name as in the chart.
    pub name: &'static str,
    /// Its resources.
    pub resources: Resources,
    /// Why.
    pub reason: &'static str,
}

/// Sentinel: RSS 12 MB measured here (redis-sentinel 7.0.15); the rest covers connections from
/// clients asking for the master (maxclients 10000 in the chart).
pub const SENTINEL: Resources = Resources::guaranteed(100, 64 * MIB);
/// HAProxy: an idle haproxy 2.6 with `maxconn 4096` measured 15 MB RSS here; each proxied
/// connection holds up to two 16 KiB buffers (`tune.bufsize`), so 128 MiB covers a few thousand
/// concurrent client connections.
pub const HAPROXY: Resources = Resources::guaranteed(250, 128 * MIB);
/// redis_exporter: a small Go process reading INFO on each scrape (not measured here).
pub const EXPORTER: Resources = Resources::guaranteed(100, 64 * MIB);
/// split-brain-fix: a shell loop running redis-cli once a minute.
pub const SPLIT_BRAIN_FIX: Resources = Resources::guaranteed(50, 32 * MIB);
/// Init containers (config-init, restore-*, hostpath-chown, sysctl): short shell scripts with
/// redis-cli; they count towards the pod's QoS like the others.
pub const INIT: Resources = Resources::guaranteed(100, 64 * MIB);
/// HAProxy's config-init container: renders haproxy.cfg with a shell script.
pub const HAPROXY_INIT: Resources = Resources::guaranteed(50, 32 * MIB);

/// The fixed-size containers, for tables.
pub fn components() -> [Component; 6] {
    [
        Component {
            name: "sentinel",
            resources: SENTINEL,
            reason: "RSS 12 MB measured (redis-sentinel 7.0.15) plus client connections",
        },
        Component {
            name: "haproxy",
            resources: HAPROXY,
            reason: "RSS 15 MB measured (haproxy 2.6, idle) plus two 16 KiB buffers per \
                     proxied connection",
        },
        Component {
            name: "exporter",
            resources: EXPORTER,
            reason: "redis_exporter, a Go process reading INFO on each scrape",
        },
        Component {
            name: "split-brain-fix",
            resources: SPLIT_BRAIN_FIX,
            reason: "a shell loop calling redis-cli once per interval",
        },
        Component {
            name: "init containers",
            resources: INIT,
            reason: "short shell scripts with redis-cli; they count for the QoS class too",
        },
        Component {
            name: "haproxy init",
            resources: HAPROXY_INIT,
            reason: "renders haproxy.cfg with a shell script",
        },
    ]
}

/// Why an input cannot be sized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizingError {
    /// `maxmemory 0`: Redis grows until the container is OOM-killed; nothing to size from.
    #[error("maxmemory is 0 (unlimited): Redis grows until the container is OOM-killed, so no memory limit can be derived; set maxmemory")]
    NoMaxmemory,
}

/// The derived requirements of one Redis size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizing {
    /// What was sized.
    pub input: SizingInput,
    /// The memory terms, in order.
    pub memory_terms: Vec<Term>,
    /// Sum of the memory terms.
    pub memory_sum: u64,
    /// The least limit with `maxmemory` ≤ 80% of it.
    pub eighty_percent_floor: u64,
    /// `max(memory_sum, eighty_percent_floor)`: what a limit must at least be.
    pub memory_required: u64,
    /// The Redis container's resources (memory rounded up to [`LIMIT_STEP_BYTES`]).
    pub redis: Resources,
    /// Why the CPU is what it is.
    pub cpu_reason: &'static str,
    /// The disk terms, in order.
    pub pvc_terms: Vec<Term>,
    /// The PVC size in bytes (whole GiB, at least [`PVC_FLOOR_BYTES`]).
    pub pvc: u64,
}

fn percent_ceil(bytes: u64, percent: u64) -> u64 {
    let product = u128::from(bytes) * u128::from(percent);
    u64::try_from(product.div_ceil(100)).unwrap_or(u64::MAX)
}

fn round_up(bytes: u64, step: u64) -> u64 {
    bytes.div_ceil(step).saturating_mul(step)
}

fn sum(terms: &[Term]) -> u64 {
    terms
        .iter()
        .fold(0u64, |acc, t| acc.saturating_add(t.bytes))
}

fn mi(bytes: u64) -> String {
    format!("{}Mi", bytes.div_ceil(MIB))
}

/// The memory terms for an input (shared by [`size`] and [`judge`]).
pub fn memory_terms(input: &SizingInput) -> Vec<Term> {
    let dataset = input.maxmemory;
    let replicas = input.replicas_per_master;

    let cow = if input.forks() {
        percent_ceil(dataset, COW_PERCENT)
    } else {
        0
    };
    let forks_because = match (input.rdb, input.aof) {
        (true, true) => "RDB saves and AOF rewrites",
        (true, false) => "RDB saves",
        (false, true) => "AOF rewrites",
        (false, false) => "full syncs to replicas",
    };
    let cow_reason = if input.forks() {
        format!(
            "{forks_because} fork a child whose pages are duplicated as the parent writes; \
             {COW_PERCENT}% of the dataset is the write-rate assumption (a write-heavy save can \
             duplicate 100%)"
        )
    } else {
        "no RDB, no AOF and no replicas: Redis never forks".to_string()
    };

    let effective_hard = if input.replica_buffer_hard_limit == 0 {
        dataset
    } else {
        input.replica_buffer_hard_limit.max(input.repl_backlog_size)
    };
    let buffer_count = if replicas == 0 {
        0
    } else if input.shared_replication_buffer {
        1
    } else {
        u64::from(replicas)
    };
    let buffers = effective_hard.saturating_mul(buffer_count);
    let buffers_reason = if replicas == 0 {
        "no replicas: no replica output buffers".to_string()
    } else {
        let limit_text = if input.replica_buffer_hard_limit == 0 {
            "the hard limit is 0 (unlimited), so one dataset's worth is budgeted".to_string()
        } else {
            format!(
                "hard limit {}",
                format_redis_memory(input.replica_buffer_hard_limit)
            )
        };
        let sharing = if input.shared_replication_buffer {
            format!("shared by the {replicas} replica(s) since Redis 7")
        } else {
            format!("one per replica ({replicas}) before Redis 7")
        };
        format!(
            "writes queued for replicas during a full sync, up to the client-output-buffer-limit \
             replica {limit_text}, {sharing}; not counted by maxmemory"
        )
    };

    let swapdb = replicas > 0 && input.diskless_load == DisklessLoad::Swapdb;
    let swapdb_reason = if swapdb {
        "repl-diskless-load swapdb: a replica keeps its current dataset in memory while it loads \
         the new one from the socket (and it may be promoted to master)"
            .to_string()
    } else {
        "no second dataset: replicas load a full sync after dropping the old one".to_string()
    };

    vec![
        Term {
            name: "dataset",
            bytes: dataset,
            reason: format!(
                "maxmemory {}: what Redis fills before it evicts or refuses writes",
                format_redis_memory(dataset)
            ),
            source: source::MAXMEMORY,
        },
        Term {
            name: "fragmentation",
            bytes: percent_ceil(dataset, FRAGMENTATION_PERCENT),
            reason: format!(
                "{FRAGMENTATION_PERCENT}% of the dataset for allocator fragmentation and peak RSS \
                 above used_memory, which maxmemory does not count"
            ),
            source: source::FRAGMENTATION,
        },
        Term {
            name: "copy-on-write",
            bytes: cow,
            reason: cow_reason,
            source: if input.forks() {
                source::COW_MEASURED
            } else {
                source::ADMIN
            },
        },
        Term {
            name: "replica output buffers",
            bytes: buffers,
            reason: buffers_reason,
            source: source::REPLICA_BUFFERS,
        },
        Term {
            name: "swapdb load",
            bytes: if swapdb { dataset } else { 0 },
            reason: swapdb_reason,
            source: source::SWAPDB,
        },
        Term {
            name: "process baseline",
            bytes: BASELINE_BYTES,
            reason: "the Redis process itself, normal clients' buffers and Lua, which maxmemory \
                     does not count"
                .to_string(),
            source: source::BASELINE,
        },
    ]
}

/// The least memory limit with `maxmemory` ≤ [`MAX_MAXMEMORY_PERCENT_OF_LIMIT`]% of it.
pub fn eighty_percent_floor(maxmemory: u64) -> u64 {
    let product = u128::from(maxmemory) * 100;
    let floor = product.div_ceil(u128::from(MAX_MAXMEMORY_PERCENT_OF_LIMIT));
    u64::try_from(floor).unwrap_or(u64::MAX)
}

/// CPU (request = limit) by size, in millicores: whole cores.
///
/// Redis executes commands on one thread, so one core is the most the main thread uses; the
/// forked child (RDB serialisation with LZF compression, full syncs) needs up to one more while
/// it runs, and a bigger dataset keeps it running longer. The limit is a whole number of cores:
/// a fractional CFS quota is shared by the main thread and the fork child, so a save throttles
/// the commands of every client for as long as it runs.
pub fn redis_cpu_millis(maxmemory: u64) -> (u64, &'static str) {
    if maxmemory <= 2 * GIB {
        (
            1000,
            "up to 2 GiB: one whole core for the command thread (a fractional quota would \
             throttle it together with the fork child)",
        )
    } else {
        (
            2000,
            "above 2 GiB: one core for the command thread and one for the forked child, whose \
             saves and full syncs run longer",
        )
    }
}

/// The disk terms for an input.
pub fn pvc_terms(input: &SizingInput) -> Vec<Term> {
    let dataset = input.maxmemory;
    // A replica that does not load from the socket writes the full sync's RDB to its disk,
    // whatever `save` says (and any pod may be a replica).
    let replica_writes_rdb =
        input.replicas_per_master > 0 && input.diskless_load == DisklessLoad::Disabled;
    let master_writes_rdb = input.replicas_per_master > 0 && !input.diskless_sync;
    let rdb_files_needed = input.rdb || replica_writes_rdb || master_writes_rdb;
    let rdb = if rdb_files_needed {
        dataset.saturating_mul(2)
    } else {
        0
    };
    let rdb_reason = if input.rdb {
        "dump.rdb plus the temp file of the next save, each at most the dataset (RDB encoding is \
         usually smaller)"
            .to_string()
    } else if replica_writes_rdb {
        "persistence off, but a replica with repl-diskless-load disabled writes each full sync's \
         RDB (and its temp file) to disk"
            .to_string()
    } else if rdb_files_needed {
        "persistence off, but full syncs without diskless sync still write an RDB and its temp \
         file"
            .to_string()
    } else {
        "no RDB saves and diskless full syncs: no RDB file".to_string()
    };
    let aof = if input.aof {
        dataset.saturating_mul(3)
    } else {
        0
    };
    let aof_reason = if input.aof {
        "AOF base plus increments growing to twice the base before a rewrite, plus the new base \
         a rewrite writes"
            .to_string()
    } else {
        "AOF off".to_string()
    };
    let files = rdb.saturating_add(aof);
    vec![
        Term {
            name: "RDB files",
            bytes: rdb,
            reason: rdb_reason,
            source: source::RDB_FILES,
        },
        Term {
            name: "AOF files",
            bytes: aof,
            reason: aof_reason,
            source: source::AOF_FILES,
        },
        Term {
            name: "filesystem headroom",
            bytes: percent_ceil(files, FILESYSTEM_HEADROOM_PERCENT),
            reason: format!(
                "{FILESYSTEM_HEADROOM_PERCENT}% for blocks reserved for root and metadata"
            ),
            source: source::FILESYSTEM,
        },
    ]
}

/// The PVC size for an input: the disk terms rounded up to whole GiB, at least
/// [`PVC_FLOOR_BYTES`].
pub fn required_pvc(input: &SizingInput) -> u64 {
    round_up(sum(&pvc_terms(input)), GIB).max(PVC_FLOOR_BYTES)
}

/// Size a Redis: memory terms, limit = request, CPU and PVC.
pub fn size(input: &SizingInput) -> Result<Sizing, SizingError> {
    if input.maxmemory == 0 {
        return Err(SizingError::NoMaxmemory);
    }
    let memory_terms = memory_terms(input);
    let memory_sum = sum(&memory_terms);
    let eighty_percent_floor = eighty_percent_floor(input.maxmemory);
    let memory_required = memory_sum.max(eighty_percent_floor);
    let memory_limit = round_up(memory_required, LIMIT_STEP_BYTES);
    let (cpu, cpu_reason) = redis_cpu_millis(input.maxmemory);
    let pvc_terms = pvc_terms(input);
    let pvc = round_up(sum(&pvc_terms), GIB).max(PVC_FLOOR_BYTES);
    Ok(Sizing {
        input: *input,
        memory_terms,
        memory_sum,
        eighty_percent_floor,
        memory_required,
        redis: Resources::guaranteed(cpu, memory_limit),
        cpu_reason,
        pvc_terms,
        pvc,
    })
}

/// The terms joined as a one-line formula: `dataset 1024Mi + fragmentation 154Mi + ... = 2011Mi`.
pub fn formula(terms: &[Term]) -> String {
    let parts: Vec<String> = terms
        .iter()
        .filter(|t| t.bytes > 0)
        .map(|t| format!("{} {}", t.name, mi(t.bytes)))
        .collect();
    format!("{} = {}", parts.join(" + "), mi(sum(terms)))
}

fn yes_no(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// A human table of the derivation, for `chartgen explain`.
pub fn explain(sizing: &Sizing) -> String {
    let input = &sizing.input;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "Sizing for maxmemory {} ({})",
        format_redis_memory(input.maxmemory),
        mi(input.maxmemory)
    ));
    line(format!(
        "  config: {} replica(s) per master, client-output-buffer-limit replica hard {}, \
         repl-backlog-size {}, RDB {}, AOF {}, diskless sync {}, diskless load {}, shared \
         replication buffer {}",
        input.replicas_per_master,
        if input.replica_buffer_hard_limit == 0 {
            "0 (unlimited)".to_string()
        } else {
            format_redis_memory(input.replica_buffer_hard_limit)
        },
        format_redis_memory(input.repl_backlog_size),
        yes_no(input.rdb),
        yes_no(input.aof),
        yes_no(input.diskless_sync),
        match input.diskless_load {
            DisklessLoad::Disabled => "disabled",
            DisklessLoad::OnEmptyDb => "on-empty-db",
            DisklessLoad::Swapdb => "swapdb",
        },
        yes_no(input.shared_replication_buffer),
    ));
    line(String::new());
    line(
        "Memory of each Redis container (any pod can become master, so all are sized alike)".into(),
    );
    let mut sources: Vec<&'static str> = Vec::new();
    let mut source_ref = |s: &'static str| -> usize {
        match sources.iter().position(|x| *x == s) {
            Some(i) => i + 1,
            None => {
                sources.push(s);
                sources.len()
            }
        }
    };
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for term in &sizing.memory_terms {
        let n = source_ref(term.source);
        rows.push((
            term.name.to_string(),
            mi(term.bytes),
            format!("{} [{n}]", term.reason),
        ));
    }
    rows.push((
        "sum".into(),
        mi(sizing.memory_sum),
        "sum of the terms above".into(),
    ));
    let n = source_ref(source::EIGHTY);
    rows.push((
        "80% floor".into(),
        mi(sizing.eighty_percent_floor),
        format!("maxmemory may be at most 80% of the limit [{n}]"),
    ));
    rows.push((
        "limit = request".into(),
        mi(sizing.redis.memory_limit),
        format!(
            "max(sum, 80% floor) rounded up to {}; requests equal limits (Guaranteed QoS)",
            mi(LIMIT_STEP_BYTES)
        ),
    ));
    for (name, value, reason) in &rows {
        line(format!("  {name:<24}{value:>9}  {reason}"));
    }
    line(format!(
        "  maxmemory is {}% of the limit",
        u128::from(input.maxmemory) * 100 / u128::from(sizing.redis.memory_limit.max(1))
    ));
    line(String::new());
    line(format!(
        "CPU of the Redis container: {} (request = limit): {}",
        format_millicores(sizing.redis.cpu_limit_millis),
        sizing.cpu_reason
    ));
    line(String::new());
    line("Persistent volume (PVC `data`)".into());
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for term in &sizing.pvc_terms {
        let n = source_ref(term.source);
        rows.push((
            term.name.to_string(),
            mi(term.bytes),
            format!("{} [{n}]", term.reason),
        ));
    }
    rows.push((
        "size".into(),
        format_binary_bytes(sizing.pvc),
        format!(
            "sum rounded up to whole Gi, at least {}",
            format_binary_bytes(PVC_FLOOR_BYTES)
        ),
    ));
    for (name, value, reason) in &rows {
        line(format!("  {name:<24}{value:>9}  {reason}"));
    }
    line(String::new());
    line("Other containers (request = limit)".into());
    for c in components() {
        line(format!(
            "  {:<24}{:>9}  {:>5}  {}",
            c.name,
            format_binary_bytes(c.resources.memory_limit),
            format_millicores(c.resources.cpu_limit_millis),
            c.reason
        ));
    }
    line(String::new());
    line("Sources".into());
    for (i, s) in sources.iter().enumerate() {
        line(format!("  [{}] {s}", i + 1));
    }
    out
}

/// How a hand-written memory limit compares with the requirement, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `maxmemory` is 0 (unlimited): Redis grows until the OOM killer stops it.
    NoMaxmemory,
    /// `maxmemory` ≥ the limit: OOM-killed before eviction ever starts.
    MaxmemoryAtOrAboveLimit,
    /// `maxmemory` > 80% of the limit.
    AboveEightyPercent,
    /// Below the sum of the terms.
    BelowRequired,
    /// Enough.
    Sufficient,
}

/// The result of [`judge`]: the numbers a lint message quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The configuration judged.
    pub input: SizingInput,
    /// The container's memory limit in bytes.
    pub memory_limit: u64,
    /// The memory terms.
    pub terms: Vec<Term>,
    /// `max(sum of terms, 80% floor)`, not rounded: the least acceptable limit.
    pub required: u64,
    /// The verdict.
    pub verdict: Verdict,
}

impl Judgement {
    /// Bytes missing to reach the requirement (0 when sufficient).
    pub fn shortfall(&self) -> u64 {
        self.required.saturating_sub(self.memory_limit)
    }

    /// The limit this chart would set: the requirement rounded up to [`LIMIT_STEP_BYTES`].
    pub fn suggested_limit(&self) -> u64 {
        round_up(self.required, LIMIT_STEP_BYTES)
    }

    /// One paragraph for a lint message: the verdict, the formula and the fix.
    pub fn message(&self) -> String {
        let mut s = self.headline();
        let mut parts = self.notes();
        if !matches!(self.verdict, Verdict::NoMaxmemory | Verdict::Sufficient) {
            parts.push(format!(
                "set the memory limit (and request) to at least {}",
                format_binary_bytes(self.suggested_limit())
            ));
        }
        for (i, n) in parts.iter().enumerate() {
            s.push_str(if i == 0 { ": " } else { "; " });
            s.push_str(n);
        }
        s
    }

    /// The verdict in one short sentence (a diagnostic's message).
    pub fn headline(&self) -> String {
        self.headline_as(&format_redis_memory(self.input.maxmemory))
    }

    /// [`Judgement::headline`] with maxmemory shown as the user wrote it (`4g`).
    pub fn headline_as(&self, maxmemory: &str) -> String {
        let limit = format_binary_bytes(self.memory_limit);
        match self.verdict {
            Verdict::NoMaxmemory => {
                format!("maxmemory is 0 (unlimited) with a memory limit of {limit}")
            }
            Verdict::MaxmemoryAtOrAboveLimit => {
                format!("maxmemory {maxmemory} is not below the memory limit {limit}")
            }
            Verdict::AboveEightyPercent => {
                format!("maxmemory {maxmemory} is more than 80% of the memory limit {limit}")
            }
            Verdict::BelowRequired => format!(
                "memory limit {limit} is {} short of what maxmemory {maxmemory} needs",
                mi(self.shortfall())
            ),
            Verdict::Sufficient => format!("memory limit {limit} covers maxmemory {maxmemory}"),
        }
    }

    /// The reasons behind the verdict: what happens and the formula (a diagnostic's notes).
    pub fn notes(&self) -> Vec<String> {
        let formula = format!("needed: {}", formula(&self.terms));
        match self.verdict {
            Verdict::NoMaxmemory => vec![
                "Redis grows until the container is OOM-killed instead of evicting".to_string(),
                "set maxmemory to at most 80% of the limit, less the fork and buffer terms"
                    .to_string(),
            ],
            Verdict::MaxmemoryAtOrAboveLimit => vec![
                "the container is OOM-killed before Redis starts evicting, at the latest on the \
                 first fork or full sync"
                    .to_string(),
                formula,
            ],
            Verdict::AboveEightyPercent | Verdict::BelowRequired => vec![formula],
            Verdict::Sufficient => vec![formula],
        }
    }
}

/// Judge a hand-written memory limit (bytes; call it only when a limit is set) against the
/// requirement of the same formula that sizes the variants.
pub fn judge(input: &SizingInput, memory_limit: u64) -> Judgement {
    let terms = memory_terms(input);
    let required = sum(&terms).max(eighty_percent_floor(input.maxmemory));
    let verdict = if input.maxmemory == 0 {
        Verdict::NoMaxmemory
    } else if input.maxmemory >= memory_limit {
        Verdict::MaxmemoryAtOrAboveLimit
    } else if u128::from(input.maxmemory) * 100
        > u128::from(memory_limit) * u128::from(MAX_MAXMEMORY_PERCENT_OF_LIMIT)
    {
        Verdict::AboveEightyPercent
    } else if memory_limit < required {
        Verdict::BelowRequired
    } else {
        Verdict::Sufficient
    };
    Judgement {
        input: *input,
        memory_limit,
        terms,
        required,
        verdict,
    }
}
