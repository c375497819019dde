//! The Redis server container and redis.conf (`redis.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{AnyList, DocKey, DocMap, FreeMap, MapDoc, ScriptProbe, StringOrBool};

/// Schema of a redis.conf / sentinel.conf directive value given as a number or a string;
/// `null` removes a default directive.
pub(crate) fn number_directive_schema() -> serde_json::Value {
    json!({ "type": ["integer", "string", "null"] })
}

/// Schema of a yes/no directive: a string, or a boolean that this chart renders as yes/no.
fn yes_no_directive_schema() -> serde_json::Value {
    json!({ "type": ["string", "boolean", "null"] })
}

/// The documented default directives of `redis.config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedisConfigDoc;

impl MapDoc for RedisConfigDoc {
    const NAME: &'static str = "RedisConfig";
    fn keys() -> Vec<DocKey> {
        vec![
            DocKey::new(
                "min-replicas-to-write",
                "The master refuses writes while fewer replicas than this are connected with at most min-replicas-max-lag seconds of lag. Above `replicas - 1` every write fails with NOREPLICAS; equal to it, losing one replica stops writes. 0 turns the check off.",
                json!(1),
                number_directive_schema(),
            ),
            DocKey::new(
                "min-replicas-max-lag",
                "Seconds since a replica's last acknowledgement after which it no longer counts for min-replicas-to-write.",
                json!(5),
                number_directive_schema(),
            ),
            DocKey::new(
                "maxmemory",
                "Memory limit of the Redis dataset, e.g. `\"1gb\"` (1024^3 bytes) or `\"1g\"` (10^9 bytes); `\"0\"` means unlimited. Keep the container memory limit well above it (fork copy-on-write and replication buffers). Plain numbers are rendered as digits, never as 1e+09.",
                json!("0"),
                json!({ "type": ["string", "integer", "null"] }),
            ),
            DocKey::new(
                "maxmemory-policy",
                "What Redis evicts when maxmemory is reached: `noeviction`, `allkeys-lru`, `allkeys-lfu`, `allkeys-random`, `volatile-lru`, `volatile-lfu`, `volatile-random` or `volatile-ttl`. The volatile-* policies only evict keys that have a TTL: without any, writes fail with OOM errors as with `noeviction`. No effect while maxmemory is 0.",
                json!("volatile-lru"),
                json!({ "type": ["string", "null"] }),
            ),
            DocKey::new(
                "save",
                "RDB snapshot schedule as `\"<seconds> <changes>\"`; a list renders one `save` line per entry and `\"\"` turns snapshots off.",
                json!("900 1"),
                json!({ "type": ["string", "array", "null"], "items": { "type": "string" } }),
            ),
            DocKey::new(
                "repl-diskless-sync",
                "Send the RDB to replicas over the socket instead of writing it to disk first. The public chart needs a quoted \"yes\"/\"no\" (unquoted yes renders `true`, which Redis refuses); this chart renders booleans as yes/no.",
                json!("yes"),
                yes_no_directive_schema(),
            ),
            DocKey::new(
                "rdbcompression",
                "Compress string objects in RDB files with LZF (\"yes\"/\"no\"; booleans are rendered as yes/no).",
                json!("yes"),
                yes_no_directive_schema(),
            ),
            DocKey::new(
                "rdbchecksum",
                "Append a CRC64 checksum to RDB files (\"yes\"/\"no\"; booleans are rendered as yes/no).",
                json!("yes"),
                yes_no_directive_schema(),
            ),
        ]
    }
}

/// The documented default of `redis.lifecycle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedisLifecycleDoc;

impl MapDoc for RedisLifecycleDoc {
    const NAME: &'static str = "RedisLifecycle";
    fn keys() -> Vec<DocKey> {
        vec![DocKey::new(
            "preStop.exec.command",
            "Command run before the redis container stops: the default asks Sentinel to fail over when this pod is the master, so clients move before it goes away. Set `preStop: null` to remove it.",
            json!(["/bin/sh", "/readonly-config/trigger-failover-if-master.sh"]),
            json!({ "type": "array", "items": { "type": "string" } }),
        )]
    }
}

/// The documented default of `redis.updateStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateStrategyDoc;

impl MapDoc for UpdateStrategyDoc {
    const NAME: &'static str = "StatefulSetUpdateStrategy";
    fn keys() -> Vec<DocKey> {
        vec![DocKey::new(
            "type",
            "`RollingUpdate` replaces pods one at a time from the highest index; `OnDelete` only when you delete them.",
            json!("RollingUpdate"),
            json!({ "type": "string" }),
        )]
    }
}

/// The Redis server container and redis.conf (`redis.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Redis {
    /// Plain-text Redis port (container port `redis`, Services, probes, redis.conf `port`).
    /// 0 turns plain text off (TLS only, needs `tlsPort`).
    pub port: u16,
    /// Name of the master group that Sentinel monitors (rendered with `tpl`). Must match
    /// `^[\w-\.]+$`; changing it on a running release makes Sentinel lose the old group.
    pub master_group_name: String,
    /// Replaces the redis container command (default `redis-server`).
    pub custom_command: AnyList,
    /// Replaces the redis container arguments (default `/data/conf/redis.conf`).
    pub custom_args: AnyList,
    /// envFrom entries (ConfigMaps/Secrets as environment) of the redis container.
    pub env_from: AnyList,
    /// Seconds a new Redis pod must be ready before the StatefulSet counts it as available;
    /// 0 omits the field.
    pub min_ready_seconds: u32,
    /// TLS port of Redis. Setting it adds the port to the container and Services, mounts the
    /// certificates at `/tls-certs`, writes the TLS directives into redis.conf and generates a
    /// certificate Secret unless `tls.secretName` is set.
    pub tls_port: Option<u16>,
    /// Replicate over TLS (`tls-replication yes`); replicas then connect to `tlsPort`.
    pub tls_replication: Option<bool>,
    /// `"no"` stops Redis from requiring client certificates (`tls-auth-clients no`).
    /// Unquoted `no` (a boolean) is accepted as well.
    pub auth_clients: StringOrBool,
    /// Seconds Kubernetes waits for a stopping Redis pod before killing it: the preStop hook
    /// waits up to half of it for replicas that are catching up, the rest is for the hand-over
    /// and the RDB save at shutdown. Raise it for large datasets (the sized variants derive it
    /// from maxmemory: `chartgen explain`); 0 omits the field (Kubernetes default 30).
    pub termination_grace_period_seconds: u32,
    /// Liveness probe of the redis container (`/health/redis_liveness.sh`, a PING).
    pub liveness_probe: ScriptProbe,
    /// Readiness probe of the redis container (`/health/redis_readiness.sh`: ready once
    /// loading and syncing with the master are done).
    pub readiness_probe: ScriptProbe,
    /// Startup probe of the redis container (`/health/redis_startup.sh`: passes once ready, and
    /// while a load or a full sync from the master progresses); the other probes start once it
    /// passes. initialDelaySeconds + periodSeconds × failureThreshold is what a start may take
    /// without progress (the sized variants derive it from maxmemory: `chartgen explain`).
    pub startup_probe: ScriptProbe,
    /// Commands disabled with `rename-command <CMD> ""` in redis.conf.
    pub disable_commands: Vec<String>,
    /// redis.conf directives: each key becomes a line `<key> <value>` (a list: one line per
    /// item). Add any directive; set a default one to `null` to remove it. Booleans render as
    /// yes/no and whole numbers as plain digits.
    pub config: DocMap<RedisConfigDoc>,
    /// Complete redis.conf (rendered with `tpl`) used instead of the generated one: `config`,
    /// `disableCommands`, TLS and auth directives are then not generated.
    pub custom_config: Option<String>,
    /// Resources (requests/limits) of the redis container. The memory limit must leave room
    /// above `config.maxmemory` for forks and replication buffers.
    pub resources: FreeMap,
    /// Lifecycle hooks of the redis container, copied as they are.
    pub lifecycle: DocMap<RedisLifecycleDoc>,
    /// Annotations on the StatefulSet; also added to the generated auth Secret.
    pub annotations: FreeMap,
    /// Annotations on the Redis pods.
    pub pod_annotations: FreeMap,
    /// updateStrategy of the StatefulSet, copied as it is.
    pub update_strategy: DocMap<UpdateStrategyDoc>,
    /// Extra volumeMounts of the redis container (volumes come from `extraVolumes`).
    pub extra_volume_mounts: AnyList,
}

impl Default for Redis {
    fn default() -> Self {
        Redis {
            port: 6379,
            master_group_name: "mymaster".into(),
            custom_command: AnyList::new(),
            custom_args: AnyList::new(),
            env_from: AnyList::new(),
            min_ready_seconds: 0,
            tls_port: None,
            tls_replication: None,
            auth_clients: StringOrBool::default(),
            termination_grace_period_seconds: 60,
            liveness_probe: ScriptProbe::new(30, 15, 15, 1, 5),
            readiness_probe: ScriptProbe::new(30, 15, 15, 1, 5),
            startup_probe: ScriptProbe::new(30, 15, 15, 1, 5),
            disable_commands: vec!["FLUSHDB".into(), "FLUSHALL".into()],
            config: DocMap::default(),
            custom_config: None,
            resources: FreeMap::new(),
            lifecycle: DocMap::default(),
            annotations: FreeMap::new(),
            pod_annotations: FreeMap::new(),
            update_strategy: DocMap::default(),
            extra_volume_mounts: AnyList::new(),
        }
    }
}
