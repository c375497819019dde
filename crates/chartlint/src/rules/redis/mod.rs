//! Rules that know Redis, Sentinel, HAProxy and Kubernetes: they read the merged values (chart
//! defaults plus the user's files) the way the chart renders them, and judge memory with the
//! model crate's sizing (the same formula that sizes the generated variants).
//!
//! Facts behind the rules: the public documents in each doc block's "References", and the
//! observations of real servers collected in docs/evidence.md with the tests that repeat them.

use std::cell::OnceCell;

use super::{Context, RuleMeta};
use crate::diagnostic::Diagnostic;
use crate::values::{Value, ValueKind, View};
use crate::yaml::HelmScalar;

mod sentinel_options;

rule_modules! {
    too_few_sentinels,
    sentinel_even_count,
    quorum_invalid,
    quorum_above_majority,
    min_replicas_to_write_blocks_writes,
    min_replicas_to_write_no_slack,
    min_replicas_to_write_disabled,
    min_replicas_max_lag_zero,
    ro_replicas_no_promotable,
    ro_replicas_unknown_index,
    master_group_name_invalid,
    sentinel_down_after_out_of_range,
    failover_timeout_too_short,
    parallel_syncs_out_of_range,
    sentinel_time_not_milliseconds,
    sentinel_hostnames_without_resolve,
    unknown_sentinel_option,
    maxmemory_not_below_limit,
    maxmemory_above_eighty_percent,
    memory_limit_below_sizing,
    maxmemory_unlimited_with_limit,
    memory_request_not_limit,
    invalid_redis_memory_value,
    redis_decimal_memory_unit,
    invalid_kubernetes_quantity,
    volatile_policy_without_ttl,
    eviction_policy_without_maxmemory,
    client_output_buffer_limit_invalid,
    replica_buffer_below_backlog,
    pvc_too_small,
    unknown_redis_directive,
    invalid_enum_value,
    invalid_yes_no_value,
    invalid_integer_value,
    save_without_persistent_volume,
    persistence_off_auto_restart,
    single_redis_pod,
    soft_anti_affinity,
    haproxy_soft_anti_affinity,
    haproxy_single_replica,
    pdb_missing,
    pdb_both_fields,
    pdb_blocks_drains,
    pdb_allows_majority_loss,
    haproxy_check_slower_than_failover,
    termination_grace_too_short,
    auth_disabled,
    plaintext_password,
    two_password_sources,
    tls_half_configured,
    haproxy_tls_without_secret,
    privileged_sysctl_init,
    pod_security_restricted,
    image_tag_unpinned,
    network_policy_disabled,
    invalid_directive_arguments,
    repl_timeout_not_above_ping,
    io_threads_above_cpu_limit,
    haproxy_idle_timeout_below_keepalive,
    auth_in_redis_config,
    ignored_setting,
    needed_command_disabled,
    replica_priority_zero,
    peers_shut_out,
    invalid_sentinel_value,
}

pub(crate) use super::read::{
    at, diag, diag_key, int, int_at, present, related, suggest, text, truthy, user_first, value_at,
};

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

/// The text the chart writes into redis.conf / sentinel.conf for one value: the model's
/// renderer ([`model::conf`]), with Helm's float64 and int64 kept apart.
pub(super) fn conf_text(v: &Value) -> String {
    match v.as_scalar() {
        Some(s) => model::conf::scalar_text(conf_scalar(s)),
        None => model::conf::value_text(&helm_json(v)),
    }
}

fn conf_scalar(s: &HelmScalar) -> model::conf::Scalar<'_> {
    match s {
        HelmScalar::Null => model::conf::Scalar::Null,
        HelmScalar::Bool(b) => model::conf::Scalar::Bool(*b),
        HelmScalar::Float(f) => model::conf::Scalar::Float(*f),
        HelmScalar::Int(i) => model::conf::Scalar::Int(*i),
        HelmScalar::Str(s) => model::conf::Scalar::Str(s),
    }
}

/// The JSON form of a value with every float64 kept a JSON float (the renderer prints nested
/// floats as Go does: `1e+06`).
fn helm_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match &v.kind {
        ValueKind::Scalar(HelmScalar::Float(f)) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        ValueKind::Scalar(s) => crate::values::scalar_json(s),
        ValueKind::List(items) => Json::Array(items.iter().map(helm_json).collect()),
        ValueKind::Map(m) => Json::Object(
            m.iter()
                .map(|(k, e)| (k.clone(), helm_json(&e.value)))
                .collect(),
        ),
    }
}

/// One `<key> <value>` line the chart writes from a config map (or that `customConfig`
/// holds).
#[derive(Debug, Clone)]
pub(super) struct Directive {
    /// The key as written in values.
    pub key: String,
    /// The value as rendered.
    pub value: String,
    /// JSON pointer of the value (of the list item for list values; of `customConfig` for
    /// its lines).
    pub ptr: String,
    /// The directive's canonical name in any catalogue (`None` for a name no supported
    /// version knows).
    pub canonical: Option<&'static str>,
}

impl Directive {
    /// The line as the server reads it.
    pub fn line(&self) -> String {
        format!("{} {}", self.key, self.value)
    }
}

/// The canonical name of a directive or alias in any catalogue (case-insensitive).
pub(super) fn canonical(name: &str) -> Option<&'static str> {
    type Index = std::collections::HashMap<String, &'static str>;
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut map = Index::new();
        for c in model::directives::catalogues() {
            for d in &c.directives {
                for n in std::iter::once(&d.name).chain(&d.aliases) {
                    map.entry(n.to_ascii_lowercase()).or_insert(d.name.as_str());
                }
            }
        }
        map
    });
    index.get(&name.to_ascii_lowercase()).copied()
}

/// Knowledge derived from the merged values that several rules read, computed once per lint
/// on first use (rules run in sequence on one thread).
#[derive(Default)]
pub(crate) struct Facts {
    redis: OnceCell<Vec<Directive>>,
    sentinel: OnceCell<Vec<Directive>>,
    sizing: OnceCell<Option<model::sizing::SizingInput>>,
    judgement: OnceCell<Option<(model::sizing::Judgement, String)>>,
    servers: OnceCell<model::directives::Candidates>,
    readings: OnceCell<Vec<Reading>>,
}

/// The lines rendered from `redis.config` (`/redis/config`) or `sentinel.config`, in the order
/// the chart writes them (Go templates range over map keys in sorted order; a list gives one
/// line per item); with `customConfig`, the lines it holds instead.
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
        return match at(cx, &custom) {
            Some(View::String(text)) => custom_directives(text, &custom, which),
            _ => Vec::new(),
        };
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
        let canonical = if which == "redis" { canonical(k) } else { None };
        match &v.kind {
            ValueKind::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push(Directive {
                        key: k.clone(),
                        value: conf_text(item),
                        ptr: format!("{ptr}/{i}"),
                        canonical,
                    });
                }
            }
            _ => out.push(Directive {
                key: k.clone(),
                value: conf_text(v),
                ptr,
                canonical,
            }),
        }
    }
    out
}

/// The directive lines of a `customConfig` text (the chart writes it through `tpl`: lines
/// with a template action are left out). For sentinel.conf, `sentinel <option> <group>
/// <value>` and `sentinel <option> <value>` lines give the option and its value.
fn custom_directives(text: &str, ptr: &str, which: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.contains("{{") {
            continue;
        }
        let Some(args) = model::directives::split_args(line) else {
            continue;
        };
        let (key, value) = if which == "redis" {
            let Some((k, _)) = line.split_once(char::is_whitespace) else {
                out.push(Directive {
                    key: line.to_string(),
                    value: String::new(),
                    ptr: ptr.to_string(),
                    canonical: canonical(line),
                });
                continue;
            };
            (k.to_string(), line[k.len()..].trim().to_string())
        } else {
            match args.as_slice() {
                [s, opt, _group, rest @ ..] if s == "sentinel" && !rest.is_empty() => {
                    (opt.clone(), rest.join(" "))
                }
                [s, opt, value] if s == "sentinel" => (opt.clone(), value.clone()),
                _ => continue,
            }
        };
        let canonical = if which == "redis" {
            canonical(&key)
        } else {
            None
        };
        out.push(Directive {
            key,
            value,
            ptr: ptr.to_string(),
            canonical,
        });
    }
    out
}

/// The effective redis.conf directive among a name and its aliases (`min-replicas-to-write`,
/// `min-slaves-to-write`): the last line wins, as when Redis reads the file.
pub(super) fn redis_directive<'c>(cx: &'c Context<'_>, name: &str) -> Option<&'c Directive> {
    let wanted = canonical(name);
    let is_name = |d: &Directive| match wanted {
        // The same directive: the name or one of its aliases, in any case.
        Some(c) => d.canonical == Some(c),
        None => d.key.eq_ignore_ascii_case(name),
    };
    directives(cx, "redis").iter().rev().find(|d| is_name(d))
}

/// The server versions the image may run: `--server-version`, else `image.repository` and
/// `image.tag`.
pub(super) fn servers<'c>(cx: &'c Context<'_>) -> &'c model::directives::Candidates {
    cx.facts.servers.get_or_init(|| {
        if let Some((server, version)) = cx
            .server_version
            .and_then(model::directives::parse_server_version)
        {
            let repo = match server {
                model::directives::Server::Redis => "redis",
                model::directives::Server::Valkey => "valkey",
            };
            return model::directives::candidates(repo, &version);
        }
        let text = |ptr: &str| value_at(cx, ptr).map(conf_text).unwrap_or_default();
        model::directives::candidates(&text("/image/repository"), &text("/image/tag"))
    })
}

/// How the versions the image may run read one redis.conf line.
pub(super) struct Reading {
    /// The versions that refuse it, with why.
    pub refused: Vec<(
        &'static model::directives::Catalogue,
        model::directives::Refusal,
    )>,
    /// The versions that accept it.
    pub accepted: Vec<&'static model::directives::Catalogue>,
}

impl Reading {
    /// Every version the image may run refuses the line.
    pub fn all_refuse(&self) -> bool {
        self.accepted.is_empty() && !self.refused.is_empty()
    }

    /// The refusing versions that `pick` selects, with why.
    pub fn picked<'r>(
        &'r self,
        pick: &'r impl Fn(&model::directives::Catalogue, &model::directives::Refusal) -> bool,
    ) -> impl Iterator<
        Item = &'r (
            &'static model::directives::Catalogue,
            model::directives::Refusal,
        ),
    > {
        self.refused.iter().filter(move |(c, r)| pick(c, r))
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// How every version the image may run reads one rendered redis.conf line (`d` is one of
/// [`directives`]`(cx, "redis")`): judged once per lint, read by several rules.
pub(super) fn read_line<'c>(cx: &'c Context<'_>, d: &Directive) -> &'c Reading {
    let readings = cx.facts.readings.get_or_init(|| {
        directives(cx, "redis")
            .iter()
            .map(|d| judge_line(cx, d))
            .collect()
    });
    let all = directives(cx, "redis");
    match all.iter().position(|x| std::ptr::eq(x, d)) {
        Some(i) => &readings[i],
        None => &NOT_A_LINE,
    }
}

/// The reading of a directive that is not one of the file's lines (none is asked for).
static NOT_A_LINE: Reading = Reading {
    refused: Vec::new(),
    accepted: Vec::new(),
};

fn judge_line(cx: &Context<'_>, d: &Directive) -> Reading {
    let line = d.line();
    let mut reading = Reading {
        refused: Vec::new(),
        accepted: Vec::new(),
    };
    for c in &servers(cx).catalogues {
        match c.check_line(&line) {
            Ok(()) => reading.accepted.push(c),
            Err(r) => reading.refused.push((c, r)),
        }
    }
    reading
}

/// A finding of `meta` about the versions that refuse a line for the reasons `pick` selects:
/// an error when every version the image may run refuses the line, else a warning that names
/// the versions. At the key (`at_key`, for names) or the value. `None` when no version refuses
/// it for those reasons.
pub(super) fn refusal_finding(
    meta: &RuleMeta,
    cx: &Context<'_>,
    d: &Directive,
    reading: &Reading,
    pick: impl Fn(&model::directives::Catalogue, &model::directives::Refusal) -> bool,
    what: &str,
    at_key: bool,
) -> Option<Diagnostic> {
    let picked: Vec<_> = reading.picked(&pick).collect();
    let (catalogue, reason) = picked.first()?;
    let refusing: Vec<String> = picked.iter().map(|(c, _)| c.label()).collect();
    let verb = if refusing.len() == 1 {
        "refuses"
    } else {
        "refuse"
    };
    let message = format!(
        "`{}`: {what}; {} {verb} to start",
        d.line().trim(),
        join_and(&refusing)
    );
    let key_ptr = key_pointer(d);
    let mut diag = if at_key {
        diag_key(meta, cx, &key_ptr, message)
    } else {
        diag(meta, cx, &d.ptr, message)
    }
    .with_note(format!("{} stops with \"{reason}\"", catalogue.label()));
    // Say when a verdict rests on an assumed catalogue (a version no release was read for).
    for (c, _) in &picked {
        if c.basis == model::directives::Basis::Assumed {
            diag = diag.with_note(format!("{}: {}", c.label(), c.derived_from));
        }
    }
    if !reading.all_refuse() {
        diag.severity = crate::diagnostic::Severity::Warning;
        let accepting: Vec<String> = reading.accepted.iter().map(|c| c.label()).collect();
        diag = diag.with_note(format!(
            "{} {} it; the image may run any of these versions (pin the tag, or pass --server-version)",
            join_and(&accepting),
            if accepting.len() == 1 { "accepts" } else { "accept" }
        ));
    } else if servers(cx).unknown {
        diag = diag.with_note(format!(
            "the image names no version chartlint knows: every supported version refuses it ({})",
            servers(cx).labels()
        ));
    }
    Some(diag)
}

/// The pointer of a directive's key: its map entry (not a list item), or `customConfig`.
fn key_pointer(d: &Directive) -> String {
    let mut ptr = d.ptr.clone();
    if let Some((head, last)) = ptr.rsplit_once('/') {
        if last.parse::<usize>().is_ok() && head.ends_with(&crate::values::escape_pointer(&d.key)) {
            ptr = head.to_string();
        }
    }
    ptr
}

/// True when some supported version reads `name` as a memory value.
pub(crate) fn is_memory_directive(name: &str) -> bool {
    model::directives::catalogues().iter().any(|c| {
        c.get(name).is_some_and(|d| {
            matches!(
                d.kind,
                model::directives::Kind::Memory | model::directives::Kind::MemoryPercent
            )
        })
    })
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
    model::conf::unquote(s)
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

/// A Kubernetes CPU quantity (`500m`, `2`, `1.5`) in millicores.
pub(super) fn cpu_millis(v: View<'_>) -> Option<u64> {
    match v {
        View::String(s) => model::units::parse_cpu_quantity(s.trim()).ok(),
        View::Number(n) => n.as_f64().map(|f| (f * 1000.0).ceil() as u64),
        _ => None,
    }
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
    // maxmemory as written (`4g`), not as the model formats it (`3906250kb`).
    let headline = match redis_directive(cx, "maxmemory") {
        Some(d) => j.headline_as(unquote(&d.value)),
        None => j.headline(),
    };
    let mut d = diag(meta, cx, &at_ptr, headline);
    for n in j.notes() {
        d = d.with_note(n);
    }
    let d = d.with_help(help);
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
        assert_eq!(conf_text(&val("[a, 1e6]")), "[a 1e+06]");
    }

    #[test]
    fn haproxy_times() {
        assert_eq!(haproxy_millis(val("2s").view()), Some(2000));
        assert_eq!(haproxy_millis(val("500ms").view()), Some(500));
        assert_eq!(haproxy_millis(val("250").view()), Some(250));
        assert_eq!(haproxy_millis(val("1x").view()), None);
    }
}
