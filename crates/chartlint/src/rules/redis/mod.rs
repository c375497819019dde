//! Rules that know Redis, Sentinel, HAProxy and Kubernetes: they read the merged values (chart
//! defaults plus the user's files) the way the chart renders them, and judge memory with the
//! model crate's sizing (the same formula that sizes the generated variants).
//!
//! Facts and observations behind the rules: /work/shared/reference/redis-facts.md §B (cited in
//! each rule's doc block as "redis-facts §B.n").

use std::cell::OnceCell;

use super::{Context, Rule, RuleMeta};
use crate::diagnostic::Diagnostic;
use crate::source::Loc;
use crate::values::{dotted_path, Value, View};

pub(crate) mod catalogue;

mod auth_disabled;
mod client_output_buffer_limit_invalid;
mod eviction_policy_without_maxmemory;
mod failover_timeout_too_short;
mod haproxy_check_slower_than_failover;
mod haproxy_single_replica;
mod haproxy_soft_anti_affinity;
mod haproxy_tls_without_secret;
mod image_tag_unpinned;
mod invalid_enum_value;
mod invalid_integer_value;
mod invalid_kubernetes_quantity;
mod invalid_redis_memory_value;
mod invalid_yes_no_value;
mod master_group_name_invalid;
mod maxmemory_above_eighty_percent;
mod maxmemory_not_below_limit;
mod maxmemory_unlimited_with_limit;
mod memory_limit_below_sizing;
mod memory_request_not_limit;
mod min_replicas_max_lag_zero;
mod min_replicas_to_write_blocks_writes;
mod min_replicas_to_write_disabled;
mod min_replicas_to_write_no_slack;
mod network_policy_disabled;
mod parallel_syncs_out_of_range;
mod pdb_allows_majority_loss;
mod pdb_blocks_drains;
mod pdb_both_fields;
mod pdb_missing;
mod persistence_off_auto_restart;
mod plaintext_password;
mod pod_security_restricted;
mod privileged_sysctl_init;
mod pvc_too_small;
mod quorum_above_majority;
mod quorum_invalid;
mod redis_decimal_memory_unit;
mod replica_buffer_below_backlog;
mod ro_replicas_no_promotable;
mod ro_replicas_unknown_index;
mod save_without_persistent_volume;
mod sentinel_down_after_out_of_range;
mod sentinel_even_count;
mod sentinel_hostnames_without_resolve;
mod sentinel_time_not_milliseconds;
mod single_redis_pod;
mod soft_anti_affinity;
mod termination_grace_too_short;
mod tls_half_configured;
mod too_few_sentinels;
mod two_password_sources;
mod unknown_redis_directive;
mod unknown_sentinel_option;
mod volatile_policy_without_ttl;

/// The Redis-aware rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &too_few_sentinels::TooFewSentinels,
    &sentinel_even_count::SentinelEvenCount,
    &quorum_invalid::QuorumInvalid,
    &quorum_above_majority::QuorumAboveMajority,
    &min_replicas_to_write_blocks_writes::MinReplicasToWriteBlocksWrites,
    &min_replicas_to_write_no_slack::MinReplicasToWriteNoSlack,
    &min_replicas_to_write_disabled::MinReplicasToWriteDisabled,
    &min_replicas_max_lag_zero::MinReplicasMaxLagZero,
    &ro_replicas_no_promotable::RoReplicasNoPromotable,
    &ro_replicas_unknown_index::RoReplicasUnknownIndex,
    &master_group_name_invalid::MasterGroupNameInvalid,
    &sentinel_down_after_out_of_range::SentinelDownAfterOutOfRange,
    &failover_timeout_too_short::FailoverTimeoutTooShort,
    &parallel_syncs_out_of_range::ParallelSyncsOutOfRange,
    &sentinel_time_not_milliseconds::SentinelTimeNotMilliseconds,
    &sentinel_hostnames_without_resolve::SentinelHostnamesWithoutResolve,
    &unknown_sentinel_option::UnknownSentinelOption,
    &maxmemory_not_below_limit::MaxmemoryNotBelowLimit,
    &maxmemory_above_eighty_percent::MaxmemoryAboveEightyPercent,
    &memory_limit_below_sizing::MemoryLimitBelowSizing,
    &maxmemory_unlimited_with_limit::MaxmemoryUnlimitedWithLimit,
    &memory_request_not_limit::MemoryRequestNotLimit,
    &invalid_redis_memory_value::InvalidRedisMemoryValue,
    &redis_decimal_memory_unit::RedisDecimalMemoryUnit,
    &invalid_kubernetes_quantity::InvalidKubernetesQuantity,
    &volatile_policy_without_ttl::VolatilePolicyWithoutTtl,
    &eviction_policy_without_maxmemory::EvictionPolicyWithoutMaxmemory,
    &client_output_buffer_limit_invalid::ClientOutputBufferLimitInvalid,
    &replica_buffer_below_backlog::ReplicaBufferBelowBacklog,
    &pvc_too_small::PvcTooSmall,
    &unknown_redis_directive::UnknownRedisDirective,
    &invalid_enum_value::InvalidEnumValue,
    &invalid_yes_no_value::InvalidYesNoValue,
    &invalid_integer_value::InvalidIntegerValue,
    &save_without_persistent_volume::SaveWithoutPersistentVolume,
    &persistence_off_auto_restart::PersistenceOffAutoRestart,
    &single_redis_pod::SingleRedisPod,
    &soft_anti_affinity::SoftAntiAffinity,
    &haproxy_soft_anti_affinity::HaproxySoftAntiAffinity,
    &haproxy_single_replica::HaproxySingleReplica,
    &pdb_missing::PdbMissing,
    &pdb_both_fields::PdbBothFields,
    &pdb_blocks_drains::PdbBlocksDrains,
    &pdb_allows_majority_loss::PdbAllowsMajorityLoss,
    &haproxy_check_slower_than_failover::HaproxyCheckSlowerThanFailover,
    &termination_grace_too_short::TerminationGraceTooShort,
    &auth_disabled::AuthDisabled,
    &plaintext_password::PlaintextPassword,
    &two_password_sources::TwoPasswordSources,
    &tls_half_configured::TlsHalfConfigured,
    &haproxy_tls_without_secret::HaproxyTlsWithoutSecret,
    &privileged_sysctl_init::PrivilegedSysctlInit,
    &pod_security_restricted::PodSecurityRestricted,
    &image_tag_unpinned::ImageTagUnpinned,
    &network_policy_disabled::NetworkPolicyDisabled,
];

// ------------------------------------------------------------------------------------------
// Reading the merged values
// ------------------------------------------------------------------------------------------

/// The merged value at a JSON pointer, in Helm's JSON view.
pub(super) fn at<'a>(cx: &'a Context<'_>, ptr: &str) -> Option<View<'a>> {
    value_at(cx, ptr).map(Value::view)
}

/// The merged value at a JSON pointer.
pub(super) fn value_at<'a>(cx: &'a Context<'_>, ptr: &str) -> Option<&'a Value> {
    cx.merged.tree.pointer(ptr)
}

/// True when the merged values hold `ptr`, or a user `null` removed it. Rules about a value
/// whose absence means "off" only speak when the chart (or the user) has the key, so charts
/// of another shape are not judged by keys they do not have.
pub(super) fn present(cx: &Context<'_>, ptr: &str) -> bool {
    let dotted = ptr.trim_start_matches('/').replace('/', ".");
    at(cx, ptr).is_some() || cx.merged.deletions.iter().any(|d| d.path == dotted)
}

/// Where the value at `ptr` is written; for a missing key, where its nearest existing parent
/// is written (so "add X here" points at the right map).
pub(super) fn loc(cx: &Context<'_>, ptr: &str) -> Loc {
    let mut p = ptr.to_string();
    loop {
        if let Some((_, v)) = cx.merged.find(&p) {
            return v.loc.clone();
        }
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => return cx.merged.tree.loc.clone(),
        }
    }
}

/// The first pointer whose value a user file (or `--set`) wrote, else the first one: a
/// finding that involves several values points at the one the user changed.
pub(super) fn user_first(cx: &Context<'_>, ptrs: &[&str]) -> String {
    ptrs.iter()
        .find(|p| cx.merged.find(p).is_some_and(|(_, v)| v.loc.src.is_user()))
        .or(ptrs.first())
        .map_or_else(String::new, |p| p.to_string())
}

/// Dotted values path of a pointer (`/redis/config/maxmemory` → `redis.config.maxmemory`).
pub(super) fn path(cx: &Context<'_>, ptr: &str) -> String {
    dotted_path(&cx.merged.tree, ptr)
}

/// A finding of `meta` at the value of `ptr`.
pub(super) fn diag(
    meta: &RuleMeta,
    cx: &Context<'_>,
    ptr: &str,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(meta, &loc(cx, ptr), path(cx, ptr), message)
}

/// A finding of `meta` at the key of `ptr` (for unknown names).
pub(super) fn diag_key(
    meta: &RuleMeta,
    cx: &Context<'_>,
    ptr: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let at = match cx.merged.find(ptr) {
        Some((Some(key), _)) => key.clone(),
        _ => loc(cx, ptr),
    };
    Diagnostic::new(meta, &at, path(cx, ptr), message)
}

/// Add a related location for `ptr` (when it is written somewhere).
pub(super) fn related(d: Diagnostic, cx: &Context<'_>, ptr: &str, message: &str) -> Diagnostic {
    match cx.merged.find(ptr) {
        Some((_, v)) => d.with_related(&v.loc, message),
        None => d,
    }
}

/// An integer written as a number or a string of digits (`3`, `"3"`, `3.0`).
pub(super) fn int(v: View<'_>) -> Option<i64> {
    match v {
        View::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        View::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An integer at a pointer.
pub(super) fn int_at(cx: &Context<'_>, ptr: &str) -> Option<i64> {
    at(cx, ptr).and_then(int)
}

/// Helm's truthiness of a value in `{{ if }}`: false, 0, "", null, empty maps and lists are
/// false.
pub(super) fn truthy(v: Option<View<'_>>) -> bool {
    match v {
        None | Some(View::Null) => false,
        Some(View::Bool(b)) => b,
        Some(View::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(View::String(s)) => !s.is_empty(),
        Some(View::Array(a)) => !a.is_empty(),
        Some(View::Object(o)) => !o.is_empty(),
    }
}

/// A non-empty string value.
pub(super) fn text<'a>(cx: &'a Context<'_>, ptr: &str) -> Option<&'a str> {
    at(cx, ptr)
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty())
}

/// Number of Redis pods (`replicas`), when it is a count.
pub(super) fn replicas(cx: &Context<'_>) -> Option<u32> {
    int_at(cx, "/replicas").and_then(|n| u32::try_from(n).ok())
}

/// The majority of `n` sentinels.
pub(super) fn majority(n: u32) -> u32 {
    n / 2 + 1
}

/// `sentinel.quorum`, when it is a number.
pub(super) fn quorum(cx: &Context<'_>) -> Option<i64> {
    int_at(cx, "/sentinel/quorum")
}

/// The text the chart writes into redis.conf / sentinel.conf for one value (the chart's
/// `redis-ha.confValue`): booleans as yes/no, whole numbers as digits, null and "" as `""`.
pub(super) fn conf_text(v: &Value) -> String {
    match v.view() {
        View::Bool(b) => if b { "yes" } else { "no" }.to_string(),
        View::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e19 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        View::Null => "\"\"".to_string(),
        View::String("") => "\"\"".to_string(),
        View::String(s) => s.to_string(),
        View::Array(_) | View::Object(_) => v.to_json().to_string(),
    }
}

/// One `<key> <value>` line the chart writes from a config map.
#[derive(Debug, Clone)]
pub(super) struct Directive {
    /// The key as written in values.
    pub key: String,
    /// The value as rendered.
    pub value: String,
    /// JSON pointer of the value (of the list item for list values).
    pub ptr: String,
    /// The catalogue entry of the key (`None` for a name Redis does not know).
    pub entry: Option<&'static catalogue::Entry>,
}

/// Knowledge derived from the merged values that several rules read, computed once per lint
/// on first use (rules run in sequence on one thread).
#[derive(Default)]
pub(crate) struct Facts {
    redis: OnceCell<Vec<Directive>>,
    sentinel: OnceCell<Vec<Directive>>,
    sizing: OnceCell<Option<model::sizing::SizingInput>>,
    judgement: OnceCell<Option<(model::sizing::Judgement, String)>>,
}

/// The lines rendered from `redis.config` (`/redis/config`) or `sentinel.config`, in the order
/// the chart writes them (Go templates range over map keys in sorted order; a list gives one
/// line per item). Empty when the file is replaced by `customConfig`.
pub(super) fn directives<'c>(cx: &'c Context<'_>, which: &str) -> &'c [Directive] {
    let cell = if which == "redis" {
        &cx.facts.redis
    } else {
        &cx.facts.sentinel
    };
    cell.get_or_init(|| render_directives(cx, which))
}

fn render_directives(cx: &Context<'_>, which: &str) -> Vec<Directive> {
    let custom = format!("/{which}/customConfig");
    if truthy(at(cx, &custom)) {
        return Vec::new();
    }
    let base = format!("/{which}/config");
    let Some(View::Object(map)) = at(cx, &base) else {
        return Vec::new();
    };
    let mut entries: Vec<(&String, &Value)> = map.iter().map(|(k, e)| (k, &*e.value)).collect();
    entries.sort_by_key(|(k, _)| *k);
    let mut out = Vec::new();
    for (k, v) in entries {
        let mut ptr = base.clone();
        crate::values::push_pointer_token(&mut ptr, k);
        // Looked up once here: rules ask for directives by name many times per file.
        let entry = if which == "redis" {
            catalogue::redis(k)
        } else {
            None
        };
        match &v.kind {
            crate::values::ValueKind::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push(Directive {
                        key: k.clone(),
                        value: conf_text(item),
                        ptr: format!("{ptr}/{i}"),
                        entry,
                    });
                }
            }
            _ => out.push(Directive {
                key: k.clone(),
                value: conf_text(v),
                ptr,
                entry,
            }),
        }
    }
    out
}

/// The effective redis.conf directive among a name and its aliases (`min-replicas-to-write`,
/// `min-slaves-to-write`): the last line wins, as when Redis reads the file.
pub(super) fn redis_directive<'c>(cx: &'c Context<'_>, name: &str) -> Option<&'c Directive> {
    let entry = catalogue::redis(name);
    let is_name = |d: &Directive| match entry {
        // The same entry: the name or one of its aliases, in any case.
        Some(e) => d.entry.is_some_and(|de| std::ptr::eq(de, e)),
        None => d.key.eq_ignore_ascii_case(name),
    };
    directives(cx, "redis").iter().rev().find(|d| is_name(d))
}

/// The effective value of a sentinel.config option.
pub(super) fn sentinel_option<'c>(cx: &'c Context<'_>, name: &str) -> Option<&'c Directive> {
    directives(cx, "sentinel")
        .iter()
        .rev()
        .find(|d| d.key == name)
}

/// Strip one pair of surrounding double quotes (`""` → empty), as Redis's argument splitter.
pub(super) fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(t)
}

/// The Redis major version of the image (`None` for `latest` or unknown tags).
pub(super) fn redis_major(cx: &Context<'_>) -> Option<u32> {
    let tag = at(cx, "/image/tag")?;
    let tag = match tag {
        View::String(s) => s.to_string(),
        View::Number(n) => n.to_string(),
        _ => return None,
    };
    model::sizing::redis_major_version(&tag)
}

/// The sizing input the model reads from redis.config, for the current replicas; `None` when
/// the config cannot be read (other rules report why) or there is no generated redis.conf.
pub(super) fn sizing_input<'c>(cx: &'c Context<'_>) -> Option<&'c model::sizing::SizingInput> {
    cx.facts
        .sizing
        .get_or_init(|| {
            if truthy(at(cx, "/redis/customConfig")) {
                return None;
            }
            let pods = replicas(cx)?;
            model::sizing::SizingInput::from_redis_config(pods, redis_major(cx), |key| {
                redis_directive(cx, key).map(|d| unquote(&d.value).to_string())
            })
            .ok()
        })
        .as_ref()
}

/// A memory quantity of a container's resources (`kind` = `limits` or `requests`), in bytes;
/// `None` when unset or invalid (invalid quantities have their own rule).
pub(super) fn memory_bytes(cx: &Context<'_>, resources: &str, kind: &str) -> Option<u64> {
    let v = at(cx, &format!("{resources}/{kind}/memory"))?;
    quantity_bytes(v)
}

/// A JSON value as a Kubernetes memory quantity in bytes.
pub(super) fn quantity_bytes(v: View<'_>) -> Option<u64> {
    match v {
        View::String(s) => model::units::parse_memory_quantity(s.trim()).ok(),
        View::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        _ => None,
    }
}

/// The memory limit of the redis container, with its pointer.
pub(super) fn redis_memory_limit(cx: &Context<'_>) -> Option<u64> {
    memory_bytes(cx, "/redis/resources", "limits")
}

/// True when RDB and AOF are both off (`save ""` and `appendonly no`).
pub(super) fn persistence_off(cx: &Context<'_>) -> bool {
    let rdb_off = match redis_directive(cx, "save") {
        Some(d) => unquote(&d.value).is_empty(),
        None => false,
    };
    let aof_on = redis_directive(cx, "appendonly")
        .is_some_and(|d| unquote(&d.value).eq_ignore_ascii_case("yes"));
    rdb_off && !aof_on
}

/// A Sentinel time parameter in milliseconds, read strictly (digits only).
pub(super) fn sentinel_millis(cx: &Context<'_>, name: &str, default: i64) -> Option<i64> {
    match sentinel_option(cx, name) {
        Some(d) => d.value.trim().parse().ok(),
        None => Some(default),
    }
}

/// An HAProxy time (`2s`, `500ms`, `1m`, plain digits = ms) in milliseconds.
pub(super) fn haproxy_millis(v: View<'_>) -> Option<u64> {
    let s = match v {
        View::Number(n) => return n.as_u64(),
        View::String(s) => s.trim(),
        _ => return None,
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let factor = match unit {
        "" | "ms" => 1,
        "us" => return Some(n / 1000),
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// The "did you mean" candidate closest to `word` (edit distance ≤ 3), if any.
pub(super) fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .map(|c| (levenshtein(&word, c), c))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// HAProxy is deployed.
pub(super) fn haproxy_enabled(cx: &Context<'_>) -> bool {
    truthy(at(cx, "/haproxy/enabled"))
}

/// The memory judgement of the redis container: the model's [`model::sizing::judge`] on the
/// merged redis.config and the container's memory limit, with the maxmemory directive's
/// pointer (or `/redis/config` when maxmemory is not set). `None` without a memory limit or
/// when the config cannot be read.
pub(super) fn memory_judgement<'c>(
    cx: &'c Context<'_>,
) -> Option<&'c (model::sizing::Judgement, String)> {
    cx.facts
        .judgement
        .get_or_init(|| {
            let input = sizing_input(cx)?;
            let limit = redis_memory_limit(cx)?;
            let ptr = redis_directive(cx, "maxmemory")
                .map_or_else(|| "/redis/config".to_string(), |d| d.ptr.clone());
            Some((model::sizing::judge(input, limit), ptr))
        })
        .as_ref()
}

/// Push a memory finding at maxmemory with the limit as related location.
pub(super) fn push_memory(
    meta: &RuleMeta,
    cx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    j: &model::sizing::Judgement,
    ptr: &str,
) {
    let help = if j.verdict == model::sizing::Verdict::NoMaxmemory {
        "set redis.config.maxmemory (e.g. \"1gb\" for a 2Gi limit: the sized variants show matching pairs)".to_string()
    } else {
        format!(
            "set redis.resources.limits.memory and requests.memory to at least {}, or lower maxmemory",
            model::units::format_binary_bytes(j.suggested_limit())
        )
    };
    let limit = "/redis/resources/limits/memory";
    let at_ptr = user_first(cx, &[ptr, limit]);
    let written = redis_directive(cx, "maxmemory")
        .map(|d| format!("`maxmemory {}`: ", unquote(&d.value)))
        .unwrap_or_default();
    let d = diag(meta, cx, &at_ptr, format!("{written}{}", j.message())).with_help(help);
    let (other, what) = if at_ptr == limit {
        (ptr, "maxmemory is set here")
    } else {
        (limit, "the memory limit is set here")
    };
    out.push(related(d, cx, other, what));
}

/// Disruptions a PodDisruptionBudget allows for `pods` pods (`None` when it sets neither field
/// or a field is not a count or percentage).
pub(super) fn pdb_allowed(cx: &Context<'_>, base: &str, pods: u32) -> Option<(u32, String)> {
    let count = |v: View<'_>, round_up: bool| -> Option<u32> {
        match v {
            View::String(s) if s.trim().ends_with('%') => {
                let p: u64 = s.trim().trim_end_matches('%').parse().ok()?;
                let scaled = u64::from(pods).saturating_mul(p);
                let n = if round_up {
                    scaled.div_ceil(100)
                } else {
                    scaled / 100
                };
                u32::try_from(n).ok()
            }
            other => int(other).and_then(|n| u32::try_from(n).ok()),
        }
    };
    let max_ptr = format!("{base}/maxUnavailable");
    let min_ptr = format!("{base}/minAvailable");
    if let Some(v) = at(cx, &max_ptr).filter(|v| !v.is_null()) {
        return count(v, true).map(|n| (n.min(pods), max_ptr));
    }
    if let Some(v) = at(cx, &min_ptr).filter(|v| !v.is_null()) {
        return count(v, true).map(|n| (pods.saturating_sub(n), min_ptr));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `v` in a one-key YAML document, typed as Helm types it.
    fn val(yaml: &str) -> Value {
        let src = crate::source::SourceFile::new(
            "t.yaml",
            format!("v: {yaml}\n"),
            crate::source::SourceKind::ValuesFile,
        );
        let doc = crate::yaml::load_str(src, &crate::yaml::Limits::default()).unwrap();
        let tree = crate::values::from_document(&doc);
        tree.pointer("/v").unwrap().clone()
    }

    #[test]
    fn conf_text_matches_the_chart() {
        assert_eq!(conf_text(&val("true")), "yes");
        assert_eq!(conf_text(&val("1000000")), "1000000");
        assert_eq!(conf_text(&val("1e9")), "1000000000");
        assert_eq!(conf_text(&val("\"\"")), "\"\"");
        assert_eq!(conf_text(&val("~")), "\"\"");
        assert_eq!(conf_text(&val("[a, 1]")), "[\"a\",1]");
    }

    #[test]
    fn haproxy_times() {
        assert_eq!(haproxy_millis(val("2s").view()), Some(2000));
        assert_eq!(haproxy_millis(val("500ms").view()), Some(500));
        assert_eq!(haproxy_millis(val("250").view()), Some(250));
        assert_eq!(haproxy_millis(val("1x").view()), None);
    }

    #[test]
    fn suggestions() {
        let c = ["maxmemory-policy", "maxmemory"];
        assert_eq!(
            suggest("maxmemory-polcy", c.into_iter()),
            Some("maxmemory-policy")
        );
        assert_eq!(suggest("zzzzzzzzzzzz", c.into_iter()), None);
    }
}
