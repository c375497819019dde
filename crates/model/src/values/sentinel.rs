//! The Sentinel container and sentinel.conf (`sentinel.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{AnyList, DocKey, DocMap, FreeMap, MapDoc, ScriptProbe, StringOrBool};
use super::redis::number_directive_schema;

/// The documented default directives of `sentinel.config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SentinelConfigDoc;

impl MapDoc for SentinelConfigDoc {
    const NAME: &'static str = "SentinelConfig";
    fn keys() -> Vec<DocKey> {
        vec![
            DocKey::new(
                "down-after-milliseconds",
                "Milliseconds without a valid reply before a Sentinel considers the master down; a failover starts about this long after a crash. Too low causes spurious failovers. Whole milliseconds only: Sentinel reads `5s` as 5 ms.",
                json!(10000),
                number_directive_schema(),
            ),
            DocKey::new(
                "failover-timeout",
                "Milliseconds a failover may take; twice this is the wait before the same master is failed over again.",
                json!(180000),
                number_directive_schema(),
            ),
            DocKey::new(
                "parallel-syncs",
                "Replicas re-synced with the new master at the same time after a failover; lower keeps more replicas serving reads meanwhile.",
                json!(5),
                number_directive_schema(),
            ),
            DocKey::new(
                "maxclients",
                "Maximum number of simultaneous clients of Sentinel; rendered as a plain `maxclients` line (the other keys become `sentinel <key> <group> <value>`).",
                json!(10000),
                number_directive_schema(),
            ),
        ]
    }
}

/// The Sentinel container and sentinel.conf (`sentinel.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Sentinel {
    /// Plain-text Sentinel port (container port `sentinel`, Services, sentinel.conf `port`).
    /// 0 turns plain text off (TLS only, needs `tlsPort`).
    pub port: u16,
    /// Addresses Sentinel listens on (`bind` line), e.g. `0.0.0.0`; unset listens everywhere.
    pub bind: Option<String>,
    /// TLS port of Sentinel. Setting it adds the port to the container and Services and
    /// writes the TLS directives into sentinel.conf.
    pub tls_port: Option<u16>,
    /// `tls-replication yes|no` in sentinel.conf: Sentinel then talks to Redis over TLS on
    /// `redis.tlsPort`.
    pub tls_replication: Option<bool>,
    /// `"no"` stops Sentinel from requiring client certificates (`tls-auth-clients no`) and
    /// drops the client certificate from the chart's redis-cli TLS calls. Unquoted `no` (a
    /// boolean) is accepted as well.
    pub auth_clients: StringOrBool,
    /// Require a password on Sentinel (`requirepass` in sentinel.conf); the containers get it
    /// as SENTINELAUTH. Without `password` or `existingSecret` a random one is generated once.
    pub auth: bool,
    /// Sentinel password stored in the generated `<fullname>-sentinel` Secret. Ignored when
    /// `existingSecret` is set.
    pub password: Option<String>,
    /// `sentinel resolve-hostnames yes`: Sentinel and the scripts use the announce Services'
    /// DNS names (`<fullname>-announce-<i>.<namespace>.svc`) instead of IP addresses.
    pub resolve_hostnames: Option<bool>,
    /// `sentinel announce-hostnames yes`: each pod announces its announce Service's DNS name
    /// instead of its IP (needs `resolveHostnames`).
    pub announce_hostnames: Option<bool>,
    /// Name of an existing Secret holding the Sentinel password under `authKey` (rendered
    /// with `tpl`); no Sentinel Secret is generated then.
    pub existing_secret: String,
    /// Key of the Sentinel password inside the Sentinel Secret.
    pub auth_key: String,
    /// Replaces the sentinel container command (default `redis-sentinel`).
    pub custom_command: AnyList,
    /// Replaces the sentinel container arguments (default `/data/conf/sentinel.conf`).
    pub custom_args: AnyList,
    /// Liveness probe of the sentinel container (`/health/sentinel_liveness.sh`, a PING).
    pub liveness_probe: ScriptProbe,
    /// Readiness probe of the sentinel container (same PING script).
    pub readiness_probe: ScriptProbe,
    /// Startup probe of the sentinel container (same PING script).
    pub startup_probe: ScriptProbe,
    /// Number of Sentinels that must agree the master is down before a failover starts. A
    /// failover also needs a majority of all Sentinels, so keep it at most the majority of
    /// `replicas` (2 for 3 pods); above `replicas` no failover can ever happen.
    pub quorum: u32,
    /// sentinel.conf settings: each key `k` becomes `sentinel k <group> <value>` (except
    /// `maxclients`). Add any; set a default one to `null` to remove it. Whole numbers are
    /// rendered as plain digits.
    pub config: DocMap<SentinelConfigDoc>,
    /// Complete sentinel.conf (rendered with `tpl`) used instead of the generated one; the
    /// `sentinel monitor` line with the quorum is still added at start-up.
    pub custom_config: String,
    /// Resources (requests/limits) of the sentinel container.
    pub resources: FreeMap,
    /// Lifecycle hooks of the sentinel container, copied as they are.
    pub lifecycle: FreeMap,
    /// Extra volumeMounts of the sentinel container (volumes come from `extraVolumes`).
    pub extra_volume_mounts: AnyList,
}

impl Default for Sentinel {
    fn default() -> Self {
        Sentinel {
            port: 26379,
            bind: None,
            tls_port: None,
            tls_replication: None,
            auth_clients: StringOrBool::default(),
            auth: false,
            password: None,
            resolve_hostnames: None,
            announce_hostnames: None,
            existing_secret: String::new(),
            auth_key: "sentinel-password".into(),
            custom_command: AnyList::new(),
            custom_args: AnyList::new(),
            liveness_probe: ScriptProbe::new(30, 15, 15, 1, 5),
            readiness_probe: ScriptProbe::new(30, 15, 15, 3, 5),
            startup_probe: ScriptProbe::new(5, 10, 15, 1, 3),
            quorum: 2,
            config: DocMap::default(),
            custom_config: String::new(),
            resources: FreeMap::new(),
            lifecycle: FreeMap::new(),
            extra_volume_mounts: AnyList::new(),
        }
    }
}
