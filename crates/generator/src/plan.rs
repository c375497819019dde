//! `chartgen plan`: what a fleet change will do, instance by instance, before it is applied: the
//! values that change, the objects that change, and the consequence of each change.
//!
//! The consequences follow from how the chart renders (verified against `helm template` in
//! tests/plan.rs for every rule below):
//! - the Redis pod template carries `checksum/init-config` over redis.conf, sentinel.conf and
//!   the scripts, so any Redis or Sentinel setting, like any pod setting, rolls the StatefulSet
//!   (one graceful hand-over per master restart);
//! - HAProxy settings roll only the HAProxy Deployment;
//! - Services, disruption budgets, monitors, network policies and replica counts are applied
//!   to the running objects, no pod restarts;
//! - `volumeClaimTemplates` (the `persistentVolume` settings) and the selector and names
//!   (`nameOverride`, `fullnameOverride`) cannot change on an existing StatefulSet.
//!
//! With [`Options::in_place`], a memory increase that changes nothing else is planned as a
//! zero-restart resize (Kubernetes 1.35 in-place pod resize, KEP-1287) with its exact steps.
//! What the size brings along is taken too: the Redis settings it sizes are set live with the
//! new `maxmemory`, and the pod's time budgets (fields a resize cannot change) apply when each
//! pod is next recreated, which the plan says.

use std::collections::BTreeSet;

use model::units::{parse_cpu_quantity, parse_memory_quantity, parse_redis_memory};
use serde::Serialize;
use serde_json::{json, Value};

use crate::fleet::{ChartSource, Resolved};

/// What a change does to a running instance. The JSON names are the plan's `kind`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Applied to the running objects (or the running Redis) without restarting a pod.
    Live,
    /// Pods are replaced one by one.
    RollingRestart,
    /// PersistentVolumeClaims grow (the StorageClass must allow volume expansion).
    PvcExpand,
    /// Kubernetes refuses the change on the existing StatefulSet: manual steps.
    Immutable,
    /// A release to install.
    New,
    /// A release to uninstall.
    Removed,
    /// Nothing changes.
    None,
}

/// One consequence of an instance's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consequence {
    pub kind: Kind,
    pub detail: String,
}

/// One changed value (dotted path; `null` for absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub path: String,
    pub from: Value,
    pub to: Value,
}

/// The plan of one instance.
#[derive(Debug, Clone, Serialize)]
pub struct InstancePlan {
    pub name: String,
    #[serde(skip)]
    pub namespace: String,
    pub changes: Vec<Change>,
    pub consequences: Vec<Consequence>,
    /// Objects that change (`kind name: what`), for the human output.
    #[serde(skip)]
    pub objects: Vec<String>,
    /// The zero-restart resize, when asked for and applicable.
    #[serde(skip)]
    pub in_place: Option<InPlace>,
    /// Why the zero-restart resize does not apply, when asked for and it does not.
    #[serde(skip)]
    pub in_place_refused: Option<String>,
}

/// The whole plan (`--format json` prints exactly this).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub instances: Vec<InstancePlan>,
}

/// Plan options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Plan memory increases as in-place pod resizes.
    pub in_place: bool,
    /// The cluster's Kubernetes minor version (`1.35` is `(1, 35)`).
    pub kube_version: (u32, u32),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            in_place: false,
            kube_version: IN_PLACE_SINCE,
        }
    }
}

/// In-place pod resize is stable (on by default, restartPolicy honoured) since Kubernetes 1.35.
pub const IN_PLACE_SINCE: (u32, u32) = (1, 35);

/// A zero-restart memory increase of one instance: the patches and commands, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct InPlace {
    /// The StatefulSet's name.
    pub statefulset: String,
    /// Merge patch that keeps the StatefulSet from replacing pods on the upgrade.
    pub strategy_patch: Value,
    /// Strategic merge patch for each pod's `resize` subresource.
    pub pod_patch: Value,
    /// Pod names, in the order they are resized.
    pub pods: Vec<String>,
    /// The new memory limit of the redis container (what `kubectl wait` waits for).
    pub memory_limit: String,
    /// The new maxmemory, as Redis writes it.
    pub maxmemory: String,
    /// Every `CONFIG SET` of step 4, in order (`maxmemory` first): the directives the size
    /// changes that Redis takes live.
    pub live_config: Vec<(String, String)>,
    /// Pod fields the size changes that a resize cannot: the running pods keep the old value
    /// until each is recreated.
    pub deferred: Vec<Change>,
    /// The shell steps, with comments.
    pub steps: Vec<String>,
}

/// Plans the change from `old` to `new` (instances matched by namespace and name; `new`'s
/// order, then the removed ones). `source` is where the charts come from (for the commands).
pub fn plan(old: &[Resolved], new: &[Resolved], source: &ChartSource, opts: Options) -> Plan {
    let key = |r: &'_ Resolved| (r.namespace.clone(), r.name.clone());
    let old_by_key: std::collections::HashMap<_, &Resolved> =
        old.iter().map(|o| (key(o), o)).collect();
    let new_keys: std::collections::HashSet<_> = new.iter().map(key).collect();
    let mut instances = Vec::new();
    for n in new {
        let before = old_by_key.get(&key(n)).copied();
        instances.push(match before {
            None => InstancePlan {
                name: n.name.clone(),
                namespace: n.namespace.clone(),
                changes: Vec::new(),
                consequences: vec![Consequence {
                    kind: Kind::New,
                    detail: format!(
                        "install release {} in namespace {} (chart {} {}): {} Redis pods start and elect their first master",
                        n.name,
                        n.namespace,
                        n.chart,
                        n.version,
                        n.merged["replicas"]
                    ),
                }],
                objects: vec![format!("+ every object of chart {}", n.chart)],
                in_place: None,
                in_place_refused: None,
            },
            Some(o) => plan_instance(o, n, source, opts),
        });
    }
    for o in old {
        if !new_keys.contains(&key(o)) {
            let full = fullname(o);
            instances.push(InstancePlan {
                name: o.name.clone(),
                namespace: o.namespace.clone(),
                changes: Vec::new(),
                consequences: vec![Consequence {
                    kind: Kind::Removed,
                    detail: format!(
                        "uninstall release {} from namespace {}: its pods stop and clients lose the group; the PersistentVolumeClaims data-{full}-server-* stay (Kubernetes keeps a StatefulSet's claims) until deleted with `kubectl -n {} delete pvc -l release={}`",
                        o.name, o.namespace, o.namespace, o.name
                    ),
                }],
                objects: vec![format!("- every object of release {}", o.name)],
                in_place: None,
                in_place_refused: None,
            });
        }
    }
    Plan { instances }
}

/// Where a changed value lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Effect {
    /// Objects other than pods (Services, PDBs, monitors, policies) or the replica counts.
    Objects,
    /// The HAProxy Deployment's pod template.
    HaproxyPods,
    /// The Redis StatefulSet's pod template (and the ConfigMap for configuration).
    RedisPods,
    /// `persistentVolume.size`.
    PvcSize,
    /// Another `volumeClaimTemplates` field.
    ClaimTemplate,
    /// The selector and the names of every object.
    Names,
}

/// Paths (prefixes) whose change reaches no pod template.
const OBJECT_ONLY: [&str; 14] = [
    "replicas",
    "haproxy.replicas",
    "podDisruptionBudget",
    "haproxy.podDisruptionBudget",
    "serviceLabels",
    "serviceAnnotations",
    "exporter.serviceMonitor",
    "haproxy.metrics.serviceMonitor",
    "prometheusRule",
    "networkPolicy",
    "haproxy.networkPolicy",
    "haproxy.service",
    "redis.updateStrategy",
    "haproxy.annotations",
];

fn has_prefix(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

fn effect(path: &str) -> Effect {
    if path == "persistentVolume.size" {
        Effect::PvcSize
    } else if has_prefix(path, "persistentVolume") {
        Effect::ClaimTemplate
    } else if path == "nameOverride" || path == "fullnameOverride" {
        Effect::Names
    } else if OBJECT_ONLY.iter().any(|p| has_prefix(path, p)) {
        Effect::Objects
    } else if has_prefix(path, "haproxy") {
        Effect::HaproxyPods
    } else {
        Effect::RedisPods
    }
}

/// The chart's base name of every object (its `redis-ha.fullname` helper).
pub fn fullname(r: &Resolved) -> String {
    let v = &r.merged;
    let trunc = |s: &str| {
        s.chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string()
    };
    if let Some(f) = v["fullnameOverride"].as_str().filter(|s| !s.is_empty()) {
        return trunc(f);
    }
    let name = v["nameOverride"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or(&r.chart);
    if r.name.contains(name) {
        trunc(&r.name)
    } else {
        trunc(&format!("{}-{name}", r.name))
    }
}

/// Every leaf that differs between two values trees (lists compare whole).
pub fn changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff(old, new, &mut Vec::new(), &mut out);
    out
}

/// Equal subtrees are skipped whole, and a path is spelled out only for a difference: a
/// thousand instances hold a thousand nodes each, and almost all of them are equal.
fn diff<'a>(old: &'a Value, new: &'a Value, path: &mut Vec<&'a str>, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
            for k in keys {
                path.push(k);
                diff(
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                    path,
                    out,
                );
                path.pop();
            }
        }
        _ => out.push(Change {
            path: path.join("."),
            from: old.clone(),
            to: new.clone(),
        }),
    }
}

fn plan_instance(o: &Resolved, n: &Resolved, source: &ChartSource, opts: Options) -> InstancePlan {
    let mut all_changes = Vec::new();
    if o.chart != n.chart {
        all_changes.push(Change {
            path: "chart".into(),
            from: json!(o.chart),
            to: json!(n.chart),
        });
    }
    if o.version != n.version {
        all_changes.push(Change {
            path: "chartVersion".into(),
            from: json!(o.version),
            to: json!(n.version),
        });
    }
    let value_changes = changes(&o.merged, &n.merged);
    all_changes.extend(value_changes.iter().cloned());

    let full = fullname(n);
    let old_full = fullname(o);
    let ns = &n.namespace;
    let sts = format!("{full}-server");
    let pods = count(&n.merged["replicas"]);
    let mut effects: BTreeSet<Effect> = value_changes.iter().map(|c| effect(&c.path)).collect();
    // HAProxy's configuration lists one backend server per Redis pod.
    let haproxy_on = n.merged["haproxy"]["enabled"] == Value::Bool(true);
    if haproxy_on && value_changes.iter().any(|c| c.path == "replicas") {
        effects.insert(Effect::HaproxyPods);
    }
    let mut objects = Vec::new();
    let mut consequences = Vec::new();
    // "a, b change" / "a changes": the paths with that effect, as the subject of a sentence.
    let paths = |e: Effect| -> String {
        let list: Vec<&str> = value_changes
            .iter()
            .filter(|c| {
                effect(&c.path) == e
                    || (e == Effect::HaproxyPods && c.path == "replicas" && haproxy_on)
            })
            .map(|c| c.path.as_str())
            .collect();
        match list.len() {
            0..=4 => list.join(", "),
            k => format!("{} and {} more", list[..3].join(", "), k - 3),
        }
    };
    let verb = |e: Effect| -> &'static str {
        let n = value_changes
            .iter()
            .filter(|c| effect(&c.path) == e)
            .count();
        if n == 1 {
            "changes"
        } else {
            "change"
        }
    };

    if effects.contains(&Effect::Names) {
        consequences.push(Consequence {
            kind: Kind::Immutable,
            detail: format!(
                "every object is renamed ({old_full} -> {full}): Helm deletes the old StatefulSet and creates {sts} with new, empty PersistentVolumeClaims, so the group starts without its data. Keep the old names: set `nameOverride`/`fullnameOverride` back in the instance's values; to move the data anyway, back it up (`redis-cli --rdb`), upgrade, and restore it into the new master"
            ),
        });
        objects.push(format!("- every object named {old_full}-*"));
        objects.push(format!("+ every object named {full}-*"));
    }
    if effects.contains(&Effect::ClaimTemplate) {
        consequences.push(Consequence {
            kind: Kind::Immutable,
            detail: format!(
                "{} {} the StatefulSet's volumeClaimTemplates, which Kubernetes refuses on an existing StatefulSet (the upgrade fails); the running pods keep their claims as they are, and only claims made afterwards follow the new template. Steps:\n\
                 kubectl -n {ns} delete statefulset {sts} --cascade=orphan   # the pods keep running\n\
                 then upgrade the release: the StatefulSet is recreated and adopts the pods",
                paths(Effect::ClaimTemplate),
                verb(Effect::ClaimTemplate),
            ),
        });
        objects.push(format!(
            "~ StatefulSet {sts}: volumeClaimTemplates (refused)"
        ));
    }
    if effects.contains(&Effect::PvcSize) {
        let (from, to) = value_changes
            .iter()
            .find(|c| c.path == "persistentVolume.size")
            .map(|c| (c.from.clone(), c.to.clone()))
            .unwrap_or_default();
        let bytes = |v: &Value| v.as_str().and_then(|s| parse_memory_quantity(s).ok());
        let from_s = from.as_str().unwrap_or("?");
        let to_s = to.as_str().unwrap_or("?");
        if bytes(&to) < bytes(&from) {
            consequences.push(Consequence {
                kind: Kind::Immutable,
                detail: format!(
                    "persistentVolume.size shrinks {from_s} -> {to_s}: a PersistentVolumeClaim never shrinks, and Kubernetes refuses the new volumeClaimTemplates on the existing StatefulSet. Keep `persistentVolume.size: {from_s}` in the instance's values"
                ),
            });
        } else {
            let claims: Vec<String> = (0..pods).map(|i| format!("data-{sts}-{i}")).collect();
            consequences.push(Consequence {
                kind: Kind::PvcExpand,
                detail: format!(
                    "the claims {} grow {from_s} -> {to_s}; their StorageClass needs `allowVolumeExpansion: true`. Kubernetes refuses a new size in an existing StatefulSet's volumeClaimTemplates, so before the upgrade:\n\
                     kubectl get storageclass $(kubectl -n {ns} get pvc {} -o jsonpath='{{.spec.storageClassName}}') -o jsonpath='{{.allowVolumeExpansion}}'   # must print true\n\
                     for i in {}; do kubectl -n {ns} patch pvc data-{sts}-$i -p '{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"{to_s}\"}}}}}}}}'; done\n\
                     kubectl -n {ns} delete statefulset {sts} --cascade=orphan   # the pods keep running\n\
                     then upgrade the release: the StatefulSet is recreated from the new template and adopts the pods",
                    claims.join(", "),
                    claims.first().map(String::as_str).unwrap_or(""),
                    (0..pods).map(|i| i.to_string()).collect::<Vec<_>>().join(" "),
                ),
            });
            for c in &claims {
                objects.push(format!("~ PersistentVolumeClaim {c}: {from_s} -> {to_s}"));
            }
            objects.push(format!(
                "~ StatefulSet {sts}: volumeClaimTemplates (recreated, pods kept)"
            ));
        }
    }

    // The zero-restart resize replaces the rolling restart when everything allows it.
    let mut in_place = None;
    let mut in_place_refused = None;
    let resizes = value_changes
        .iter()
        .any(|c| RESIZABLE.contains(&c.path.as_str()));
    if opts.in_place && resizes {
        match in_place_resize(o, n, &value_changes, &effects, source, opts) {
            Ok(ip) => in_place = Some(ip),
            Err(why) => in_place_refused = Some(why),
        }
    }
    if effects.contains(&Effect::RedisPods) {
        let config = value_changes
            .iter()
            .any(|c| has_prefix(&c.path, "redis.config") || has_prefix(&c.path, "sentinel.config"));
        if config {
            objects.push(format!(
                "~ ConfigMap {full}-configmap: redis.conf / sentinel.conf"
            ));
        }
        objects.push(format!(
            "~ StatefulSet {sts}: pod template ({})",
            paths(Effect::RedisPods)
        ));
        match &in_place {
            Some(ip) => consequences.push(Consequence {
                kind: Kind::Live,
                detail: format!(
                    "resized in place, no pod restarts: the StatefulSet is switched to OnDelete for the upgrade, each pod's redis container gets memory limit {} through the resize subresource, then `{}` raises Redis once the new limit is in effect{}. Steps:\n{}",
                    ip.memory_limit,
                    ip.live_config
                        .iter()
                        .map(|(k, v)| format!("CONFIG SET {k} {v}"))
                        .collect::<Vec<_>>()
                        .join("`, `"),
                    if ip.deferred.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; the running pods keep their time budgets ({}: pod fields a resize cannot change) until each is next recreated, so until then a stop or start of a pod holding more than the old size has the old, shorter budgets",
                            deferred_text(&ip.deferred)
                        )
                    },
                    ip.steps.join("\n")
                ),
            }),
            None => consequences.push(Consequence {
                kind: Kind::RollingRestart,
                detail: format!(
                    "{} {} the Redis pod template{}: the StatefulSet replaces its {pods} pods one at a time, the highest ordinal first; each restart of the pod that is master at that moment is one graceful hand-over by its preStop hook (up to {pods} in one roll, as Sentinel may promote a pod not replaced yet; podsim measures a longest write gap of about 0.7 s per hand-over for the sized charts, no acknowledged write lost), and each replica restart a resync{}",
                    paths(Effect::RedisPods),
                    verb(Effect::RedisPods),
                    if config { " and the ConfigMap (checksum/init-config)" } else { "" },
                    match &in_place_refused {
                        Some(why) => format!(". In-place resize does not apply: {why}"),
                        None => String::new(),
                    }
                ),
            }),
        }
    }
    if effects.contains(&Effect::HaproxyPods) {
        objects.push(format!(
            "~ Deployment {full}-haproxy: pod template ({})",
            paths(Effect::HaproxyPods)
        ));
        consequences.push(Consequence {
            kind: Kind::RollingRestart,
            detail: format!(
                "{} {} the HAProxy pod template: the Deployment replaces its {} pods one at a time; clients connected through a replaced HAProxy reconnect, Redis itself is not restarted",
                paths(Effect::HaproxyPods),
                if paths(Effect::HaproxyPods).contains(", ") { "change" } else { "changes" },
                count(&n.merged["haproxy"]["replicas"])
            ),
        });
    }
    if effects.contains(&Effect::Objects) {
        objects.push(format!(
            "~ objects without pods ({})",
            paths(Effect::Objects)
        ));
        consequences.push(Consequence {
            kind: Kind::Live,
            detail: format!(
                "{} {} objects that Kubernetes updates in place (Services, disruption budgets, monitors, network policies, replica counts): no pod restarts",
                paths(Effect::Objects),
                verb(Effect::Objects),
            ),
        });
    }
    if o.chart != n.chart && value_changes.is_empty() && o.version == n.version {
        consequences.push(Consequence {
            kind: Kind::Live,
            detail: format!(
                "only the `chart` labels change ({} -> {}): applied in place",
                o.chart, n.chart
            ),
        });
    }
    if o.version != n.version && !effects.contains(&Effect::RedisPods) {
        consequences.push(Consequence {
            kind: Kind::RollingRestart,
            detail: format!(
                "chart version {} -> {}: its templates or scripts may change the pod templates (compare `helm template` of both versions); count on a rolling restart",
                o.version, n.version
            ),
        });
    }
    if consequences.is_empty() {
        consequences.push(Consequence {
            kind: Kind::None,
            detail: "nothing changes".into(),
        });
    }
    InstancePlan {
        name: n.name.clone(),
        namespace: n.namespace.clone(),
        changes: all_changes,
        consequences,
        objects,
        in_place,
        in_place_refused,
    }
}

fn count(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Paths an in-place resize can take: the redis container's resources and maxmemory.
const RESIZABLE: [&str; 5] = [
    "redis.resources.requests.memory",
    "redis.resources.limits.memory",
    "redis.resources.requests.cpu",
    "redis.resources.limits.cpu",
    "redis.config.maxmemory",
];

/// Redis settings that a size derives besides `maxmemory` (model::timing) and that Redis takes
/// with `CONFIG SET`: set live after the new limit is in effect.
const LIVE_CONFIG: [&str; 1] = ["redis.config.repl-backlog-size"];

/// Pod fields that a size derives (model::timing's budgets) and that Kubernetes cannot change
/// on a running pod: an in-place resize leaves them to each pod's next recreation.
const DEFERRED: [&str; 2] = [
    "redis.terminationGracePeriodSeconds",
    "redis.startupProbe.failureThreshold",
];

fn in_place_resize(
    o: &Resolved,
    n: &Resolved,
    value_changes: &[Change],
    effects: &BTreeSet<Effect>,
    source: &ChartSource,
    opts: Options,
) -> Result<InPlace, String> {
    if opts.kube_version < IN_PLACE_SINCE {
        return Err(format!(
            "in-place pod resize is stable from Kubernetes {}.{} (KEP-1287); this cluster is {}.{}",
            IN_PLACE_SINCE.0, IN_PLACE_SINCE.1, opts.kube_version.0, opts.kube_version.1
        ));
    }
    if effects.contains(&Effect::PvcSize) || effects.contains(&Effect::ClaimTemplate) {
        let size = value_changes
            .iter()
            .find(|c| has_prefix(&c.path, "persistentVolume"))
            .map(|c| format!("{} {} -> {}", c.path, c.from, c.to))
            .unwrap_or_default();
        return Err(format!(
            "the PVC changes too ({size}), which recreates the StatefulSet; keep `persistentVolume.size: {}` in the instance's values to resize memory in place now, and grow the disk separately",
            o.merged["persistentVolume"]["size"].as_str().unwrap_or("?")
        ));
    }
    if effects.contains(&Effect::Names) {
        return Err("the object names change".into());
    }
    let taken = |path: &str| {
        RESIZABLE.contains(&path) || LIVE_CONFIG.contains(&path) || DEFERRED.contains(&path)
    };
    let other: Vec<&str> = value_changes
        .iter()
        .filter(|c| effect(&c.path) == Effect::RedisPods && !taken(&c.path))
        .map(|c| c.path.as_str())
        .collect();
    if !other.is_empty() {
        return Err(format!(
            "{} also change the pods, which takes new pods",
            other.join(", ")
        ));
    }
    let res = |v: &Resolved, path: &str| -> Option<u64> {
        let mut cur = &v.merged["redis"]["resources"];
        for p in path.split('.') {
            cur = &cur[p];
        }
        let s = match cur {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        if path.ends_with("memory") {
            parse_memory_quantity(&s).ok()
        } else {
            parse_cpu_quantity(&s).ok()
        }
    };
    for path in [
        "requests.memory",
        "limits.memory",
        "requests.cpu",
        "limits.cpu",
    ] {
        match (res(o, path), res(n, path)) {
            (Some(a), Some(b)) if b < a => {
                return Err(format!(
                    "redis.resources.{path} decreases: a running Redis may hold more than the smaller limit; resize down with a rolling restart after lowering maxmemory"
                ))
            }
            (Some(_), Some(_)) => {}
            _ => {
                return Err(format!(
                    "redis.resources.{path} is not set on both sides: the pod's QoS class would change, which a resize cannot do"
                ))
            }
        }
    }
    if res(n, "requests.memory") != res(n, "limits.memory")
        || res(n, "requests.cpu") != res(n, "limits.cpu")
    {
        return Err("requests differ from limits: the Guaranteed QoS class would change, which a resize cannot do".into());
    }
    let mm = |v: &Resolved| {
        v.merged["redis"]["config"]["maxmemory"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                v.merged["redis"]["config"]["maxmemory"]
                    .as_u64()
                    .map(|b| b.to_string())
            })
    };
    let (old_mm, new_mm) = (mm(o), mm(n));
    let bytes = |s: &Option<String>| s.as_deref().and_then(|s| parse_redis_memory(s).ok());
    if bytes(&new_mm) < bytes(&old_mm) {
        return Err("maxmemory decreases: Redis would evict down to it at once; lower it with a rolling restart".into());
    }
    let disabled = n.merged["redis"]["disableCommands"]
        .as_array()
        .is_some_and(|l| {
            l.iter()
                .any(|c| c.as_str().is_some_and(|c| c.eq_ignore_ascii_case("CONFIG")))
        });
    if disabled {
        return Err(
            "redis.disableCommands renames CONFIG away, so maxmemory cannot be raised live".into(),
        );
    }
    let port = count(&n.merged["redis"]["port"]);
    if port == 0 {
        return Err(
            "Redis listens only on its TLS port; run the CONFIG SET by hand with redis-cli --tls"
                .into(),
        );
    }

    let ns = &n.namespace;
    let full = fullname(n);
    let sts = format!("{full}-server");
    let pods: Vec<String> = (0..count(&n.merged["replicas"]))
        .map(|i| format!("{sts}-{i}"))
        .collect();
    let r = &n.merged["redis"]["resources"];
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let memory_limit = text(&r["limits"]["memory"]);
    let maxmemory = new_mm.unwrap_or_default();
    // maxmemory first: a bigger backlog then never pushes Redis into evicting.
    let mut live_config = vec![("maxmemory".to_string(), maxmemory.clone())];
    live_config.extend(
        value_changes
            .iter()
            .filter(|c| LIVE_CONFIG.contains(&c.path.as_str()))
            .filter_map(|c| {
                let directive = c.path.strip_prefix("redis.config.")?;
                let text = model::conf::effective(&c.to)?;
                Some((
                    directive.to_string(),
                    model::conf::unquote(&text).to_string(),
                ))
            }),
    );
    let deferred: Vec<Change> = value_changes
        .iter()
        .filter(|c| DEFERRED.contains(&c.path.as_str()))
        .cloned()
        .collect();
    let strategy_patch =
        json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}}});
    let pod_patch = json!({"spec": {"containers": [{
        "name": "redis",
        "resources": {
            "requests": {"cpu": text(&r["requests"]["cpu"]), "memory": text(&r["requests"]["memory"])},
            "limits": {"cpu": text(&r["limits"]["cpu"]), "memory": memory_limit},
        },
    }]}});
    let chart = match source {
        ChartSource::Oci(url) => format!("oci://{url}/{}", n.chart),
        ChartSource::Http(url) => format!("{} --repo {url}", n.chart),
        ChartSource::Dir(dir) => format!("{dir}/{}", n.chart),
    };
    let upgrade = format!(
        "helm upgrade {} {chart} --version {} --namespace {ns} -f {}",
        n.name,
        n.version,
        n.values_path()
    );
    let mut steps = vec![
        "# Run from the output directory of `chartgen fleet`, with the new fleet generated.".to_string(),
        "# 1. Keep the StatefulSet from replacing pods when the upgrade changes its pod template.".into(),
        format!("kubectl -n {ns} patch statefulset {sts} --type merge -p '{strategy_patch}'"),
        "# 2. Upgrade with the strategy kept at OnDelete: ConfigMap and pod template get the new size, no pod restarts.".into(),
        format!("{upgrade} --set redis.updateStrategy.type=OnDelete"),
        "# 3. Resize each pod's redis container in place, and wait until the kubelet runs it with the new limit.".into(),
    ];
    for p in &pods {
        steps.push(format!(
            "kubectl -n {ns} patch pod {p} --subresource resize --type strategic -p '{pod_patch}'"
        ));
        steps.push(format!(
            "kubectl -n {ns} wait pod {p} --for=jsonpath='{{.status.containerStatuses[?(@.name==\"redis\")].resources.limits.memory}}'={memory_limit} --timeout=300s"
        ));
    }
    let names: Vec<&str> = live_config.iter().map(|(k, _)| k.as_str()).collect();
    steps.push(format!(
        "# 4. Only now raise {} in each running Redis (the limit has room for it): no restart, no lost write.",
        names.join(" and ")
    ));
    let sets: Vec<String> = live_config
        .iter()
        .map(|(k, v)| format!("redis-cli -p {port} CONFIG SET {k} {v} && "))
        .collect();
    for p in &pods {
        steps.push(format!(
            "kubectl -n {ns} exec {p} -c redis -- sh -c 'if [ -n \"$AUTH\" ]; then export REDISCLI_AUTH=\"$AUTH\"; fi; {}redis-cli -p {port} CONFIG GET maxmemory'",
            sets.concat()
        ));
    }
    if deferred.is_empty() {
        steps.push("# 5. Mark the pods as running the new template (they do), then restore the rolling strategy: nothing restarts.".into());
    } else {
        steps.push(format!(
            "# 5. Mark the pods as running the new template, then restore the rolling strategy: nothing restarts. They run it except for {}, which a running pod cannot change: each pod takes them when it is next recreated (a later roll, an eviction, a node drain).",
            deferred_text(&deferred)
        ));
    }
    steps.push(format!(
        "kubectl -n {ns} label pod {} controller-revision-hash=$(kubectl -n {ns} get statefulset {sts} -o jsonpath='{{.status.updateRevision}}') --overwrite",
        pods.join(" ")
    ));
    steps.push(upgrade);
    Ok(InPlace {
        statefulset: sts,
        strategy_patch,
        pod_patch,
        pods,
        memory_limit,
        maxmemory,
        live_config,
        deferred,
        steps,
    })
}

/// `a 200 -> 320, b 11 -> 19`.
fn deferred_text(deferred: &[Change]) -> String {
    deferred
        .iter()
        .map(|c| format!("{} {} -> {}", c.path, c.from, c.to))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan as `chartgen plan` prints it.
pub fn render_human(plan: &Plan) -> String {
    let mut out = String::new();
    let mut counts: std::collections::BTreeMap<Kind, usize> = Default::default();
    for p in &plan.instances {
        out.push_str(&format!("{}/{}:\n", p.namespace, p.name));
        if !p.changes.is_empty() {
            out.push_str("  values:\n");
            for c in &p.changes {
                out.push_str(&format!("    {}: {} -> {}\n", c.path, c.from, c.to));
            }
        }
        if !p.objects.is_empty() {
            out.push_str("  objects:\n");
            for o in &p.objects {
                out.push_str(&format!("    {o}\n"));
            }
        }
        out.push_str("  consequences:\n");
        for c in &p.consequences {
            *counts.entry(c.kind).or_default() += 1;
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut lines = c.detail.lines();
            out.push_str(&format!(
                "    {kind}: {}\n",
                lines.next().unwrap_or_default()
            ));
            for line in lines {
                out.push_str(&format!("      {line}\n"));
            }
        }
        out.push('\n');
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|(k, n)| {
            let kind = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{n} {kind}")
        })
        .collect();
    out.push_str(&format!(
        "{} instances: {}\n",
        plan.instances.len(),
        summary.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_by_path() {
        assert_eq!(effect("persistentVolume.size"), Effect::PvcSize);
        assert_eq!(
            effect("persistentVolume.storageClass"),
            Effect::ClaimTemplate
        );
        assert_eq!(effect("replicas"), Effect::Objects);
        assert_eq!(effect("replicasX"), Effect::RedisPods);
        assert_eq!(effect("haproxy.resources.limits.cpu"), Effect::HaproxyPods);
        assert_eq!(effect("haproxy.service.type"), Effect::Objects);
        assert_eq!(effect("redis.config.maxmemory"), Effect::RedisPods);
        assert_eq!(effect("nameOverride"), Effect::Names);
    }

    #[test]
    fn changes_list_leaves_and_whole_lists() {
        let old = json!({"a": {"b": 1, "c": [1, 2]}, "gone": true});
        let new = json!({"a": {"b": 2, "c": [1]}, "new": "x"});
        let paths: Vec<String> = changes(&old, &new).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["a.b", "a.c", "new", "gone"]);
    }
}
