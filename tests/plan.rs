//! `chartgen plan`: every consequence kind, the JSON shape of the issue, the effect rules held
//! against what `helm template` really changes, the in-place resize (its patches validated
//! against the Kubernetes 1.35 and 1.37 schemas) and when it does not apply, a fleet against a
//! git revision, and lint errors reported before any plan.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use testkit::{run, tool, Tool, TOOL_TIMEOUT};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chartgen(dir: &Path, args: &[&str]) -> testkit::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    cmd.current_dir(dir).arg("--root").arg(root()).args(args);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// A fleet of one instance `a` (namespace `default`) of `size` with these values (YAML, indented
/// under `values:`), plus `extra` instances as YAML list items.
fn fleet(size: &str, values: &str, extra: &str) -> String {
    let values = if values.is_empty() {
        String::new()
    } else {
        let indented: String = values.lines().map(|l| format!("      {l}\n")).collect();
        format!("    values:\n{indented}")
    };
    format!(
        "charts:\n  repository: ../generated-charts\ninstances:\n  - name: a\n    size: {size}\n{values}{extra}"
    )
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = testkit::temp_dir();
        std::os::unix::fs::symlink(
            root().join("generated-charts"),
            dir.path().join("generated-charts"),
        )
        .expect("symlink");
        Scratch { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> String {
        testkit::write_file(self.path(), name, text)
            .display()
            .to_string()
    }

    fn plan(&self, old: &str, new: &str, extra: &[&str]) -> testkit::Output {
        let old = self.write("old.yaml", old);
        let new = self.write("new.yaml", new);
        let mut args = vec!["plan", &old, &new];
        args.extend_from_slice(extra);
        chartgen(self.path(), &args)
    }

    fn plan_json(&self, old: &str, new: &str) -> Value {
        let o = self.plan(old, new, &["--format", "json"]);
        assert!(o.success(), "{}", o.describe());
        serde_json::from_str(&o.stdout).expect("JSON")
    }

    /// `helm template` of every instance of a fleet, by release name.
    fn render(&self, name: &str, text: &str) -> BTreeMap<String, Vec<Value>> {
        let fleet = self.write(&format!("{name}.yaml"), text);
        let out = self.path().join(format!("out-{name}"));
        let o = chartgen(
            self.path(),
            &["fleet", &fleet, "--out", &out.display().to_string()],
        );
        assert!(o.success(), "{}", o.describe());
        let helmfile = helm_values::json::load(
            "helmfile.yaml",
            &std::fs::read_to_string(out.join("helmfile.yaml")).expect("read"),
        )
        .expect("YAML");
        let mut rendered = BTreeMap::new();
        for r in helmfile["releases"].as_array().expect("releases") {
            let mut cmd = Command::new(tool(Tool::Helm3));
            cmd.args(["template", r["name"].as_str().expect("name")])
                .arg("--namespace")
                .arg(r["namespace"].as_str().expect("namespace"))
                .arg(out.join(r["chart"].as_str().expect("chart")))
                .arg("-f")
                .arg(out.join(r["values"][0].as_str().expect("values")));
            let o = run(&mut cmd, TOOL_TIMEOUT);
            assert!(o.success(), "{}", o.describe());
            rendered.insert(
                r["name"].as_str().expect("name").to_string(),
                helm_values::json::load_all("manifest", &o.stdout).expect("YAML"),
            );
        }
        rendered
    }
}

fn kinds(plan: &Value, instance: &str) -> BTreeSet<String> {
    plan["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter(|i| i["name"] == instance)
        .flat_map(|i| i["consequences"].as_array().cloned().unwrap_or_default())
        .map(|c| c["kind"].as_str().expect("kind").to_string())
        .collect()
}

#[test]
fn every_kind_and_the_json_shape() {
    let s = Scratch::new();
    let old = fleet(
        "redis-1g",
        "",
        "  - name: same\n    size: redis-1g\n  - name: gone\n    size: redis-512m\n  - name: disk\n    size: redis-1g\n  - name: class\n    size: redis-1g\n  - name: pdb\n    size: redis-1g\n",
    );
    let new = fleet(
        "redis-1g",
        "redis:\n  config:\n    maxmemory-policy: noeviction",
        "  - name: same\n    size: redis-1g\n  - name: fresh\n    size: redis-512m\n  - name: disk\n    size: redis-1g\n    values:\n      persistentVolume:\n        size: 6Gi\n  - name: class\n    size: redis-1g\n    values:\n      persistentVolume:\n        storageClass: fast\n  - name: pdb\n    size: redis-1g\n    values:\n      serviceAnnotations:\n        team: shop\n",
    );
    let plan = s.plan_json(&old, &new);
    for (instance, expected) in [
        ("a", "rolling-restart"),
        ("same", "none"),
        ("fresh", "new"),
        ("gone", "removed"),
        ("disk", "pvc-expand"),
        ("class", "immutable"),
        ("pdb", "live"),
    ] {
        assert!(
            kinds(&plan, instance).contains(expected),
            "{instance}: {:?}, expected {expected}\n{plan:#}",
            kinds(&plan, instance)
        );
    }
    // Exactly the shape.
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&plan), ["instances"]);
    for i in plan["instances"].as_array().expect("instances") {
        assert_eq!(keys(i), ["name", "changes", "consequences"]);
        for c in i["changes"].as_array().expect("changes") {
            assert_eq!(keys(c), ["path", "from", "to"]);
        }
        for c in i["consequences"].as_array().expect("consequences") {
            assert_eq!(keys(c), ["kind", "detail"]);
        }
    }
    let a = &plan["instances"][0];
    assert_eq!(
        a["changes"],
        json!([{"path": "redis.config.maxmemory-policy", "from": "allkeys-lru", "to": "noeviction"}])
    );
    let disk = plan["instances"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["name"] == "disk"))
        .expect("disk");
    let detail = disk["consequences"][0]["detail"].as_str().expect("detail");
    assert!(detail.contains("allowVolumeExpansion"), "{detail}");
    assert!(
        detail.contains(
            "kubectl -n default delete statefulset disk-redis-ha-server --cascade=orphan"
        ),
        "{detail}"
    );
}

/// What changes between two renders of one release: the Redis pod template, the HAProxy pod
/// template, the volumeClaimTemplates, the StatefulSet's name, any object at all.
#[derive(Debug, Default, PartialEq)]
struct Rendered {
    redis_pods: bool,
    haproxy_pods: bool,
    claims: bool,
    names: bool,
    anything: bool,
}

/// A render without what differs between any two renders: the generated password (`auth`
/// is on; on a cluster the chart looks the installed one up) and the checksum over it.
fn without_random(docs: &[Value]) -> Vec<Value> {
    docs.iter()
        .map(|d| {
            let mut d = d.clone();
            if d["kind"] == "Secret" {
                d["data"] = Value::Null;
            }
            if let Some(a) = d["spec"]["template"]["metadata"]["annotations"].as_object_mut() {
                a.remove("checksum/secret");
            }
            d
        })
        .collect()
}

fn compare(old: &[Value], new: &[Value]) -> Rendered {
    let (old, new) = (&without_random(old)[..], &without_random(new)[..]);
    let find = |docs: &[Value], kind: &str| -> Option<Value> {
        docs.iter().find(|d| d["kind"] == kind).cloned()
    };
    let (os, ns) = (
        find(old, "StatefulSet").expect("sts"),
        find(new, "StatefulSet").expect("sts"),
    );
    let (od, nd) = (
        find(old, "Deployment").unwrap_or_default(),
        find(new, "Deployment").unwrap_or_default(),
    );
    let by_id = |docs: &[Value]| -> BTreeMap<String, Value> {
        docs.iter()
            .map(|d| {
                (
                    format!("{}/{}", d["kind"], d["metadata"]["name"]),
                    d.clone(),
                )
            })
            .collect()
    };
    Rendered {
        redis_pods: os["spec"]["template"] != ns["spec"]["template"],
        haproxy_pods: od["spec"]["template"] != nd["spec"]["template"],
        claims: os["spec"]["volumeClaimTemplates"] != ns["spec"]["volumeClaimTemplates"],
        names: os["metadata"]["name"] != ns["metadata"]["name"],
        anything: by_id(old) != by_id(new),
    }
}

#[test]
fn consequences_match_what_helm_renders() {
    let s = Scratch::new();
    let cases = [
        (
            "redis:\n  config:\n    maxmemory-policy: noeviction",
            "redis config",
        ),
        (
            "sentinel:\n  config:\n    down-after-milliseconds: 5000",
            "sentinel config",
        ),
        (
            "haproxy:\n  resources:\n    requests: {cpu: 300m}\n    limits: {cpu: 300m}",
            "haproxy resources",
        ),
        ("haproxy:\n  replicas: 5", "haproxy replicas"),
        (
            "replicas: 5\nsentinel:\n  quorum: 3",
            "redis replicas with quorum",
        ),
        ("podDisruptionBudget:\n  maxUnavailable: 2", "pdb"),
        ("serviceAnnotations:\n  team: shop", "service annotations"),
        ("networkPolicy:\n  enabled: true", "network policy"),
        (
            "redis:\n  updateStrategy:\n    type: OnDelete",
            "update strategy",
        ),
        ("persistentVolume:\n  size: 6Gi", "pvc size"),
        ("persistentVolume:\n  storageClass: fast", "storage class"),
        ("nameOverride: other", "names"),
        (
            "redis:\n  resources:\n    requests: {memory: 3Gi}\n    limits: {memory: 3Gi}",
            "redis memory",
        ),
    ];
    let old = fleet("redis-1g", "", "");
    let base = s.render("base", &old);
    let mut failures = testkit::Failures::new();
    for (values, label) in cases {
        let new = fleet("redis-1g", values, "");
        let r = compare(&base["a"], &s.render("case", &new)["a"]);
        let plan = s.plan_json(&old, &new);
        let consequences = plan["instances"][0]["consequences"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let has = |kind: &str, text: &str| {
            consequences
                .iter()
                .any(|c| c["kind"] == kind && c["detail"].as_str().unwrap_or("").contains(text))
        };
        let said = Rendered {
            redis_pods: has("rolling-restart", "Redis pod template"),
            haproxy_pods: has("rolling-restart", "HAProxy pod template"),
            claims: has("pvc-expand", "") || has("immutable", "volumeClaimTemplates"),
            names: has("immutable", "renamed"),
            anything: !has("none", ""),
        };
        // A rename replaces every object: the template comparisons say nothing then.
        let rendered = if r.names {
            Rendered {
                redis_pods: false,
                haproxy_pods: false,
                claims: false,
                ..r
            }
        } else {
            r
        };
        failures.check(said == rendered, || {
            format!("{label}: helm renders {rendered:?}, the plan says {said:?}: {consequences:#?}")
        });
        let only_live = consequences.iter().all(|c| c["kind"] == "live");
        failures.check(
            !only_live || !(rendered.redis_pods || rendered.haproxy_pods),
            || format!("{label}: planned as live but helm changes a pod template"),
        );
    }
    failures.assert_none("plan against helm template");
}

/// The in-place resize of `a` from redis-1g to redis-2g with its disk kept, as planned by the
/// library (for its patches).
fn in_place_plan(kube: (u32, u32), new_values: &str) -> generator::plan::InstancePlan {
    plan_in_place(
        kube,
        &fleet("redis-1g", "", ""),
        &fleet("redis-2g", new_values, ""),
    )
}

/// The library's in-place plan of the one instance of two fleet files.
fn plan_in_place(kube: (u32, u32), old: &str, new: &str) -> generator::plan::InstancePlan {
    let catalog = generator::fleet::Catalog::load(&root()).expect("catalog");
    let resolve = |name: &str, text: &str| {
        let file = generator::fleet::parse(name, text).expect("parse");
        generator::fleet::resolve(&file, &catalog).expect("resolve")
    };
    let plan = generator::plan::plan(
        &resolve("old.yaml", old),
        &resolve("new.yaml", new),
        &generator::fleet::ChartSource::parse("../generated-charts"),
        generator::plan::Options {
            in_place: true,
            kube_version: kube,
        },
    );
    plan.instances.into_iter().next().expect("one instance")
}

/// The index of the first step of an in-place plan that contains `needle`.
fn step_with(ip: &generator::plan::InPlace, needle: &str) -> usize {
    ip.steps
        .iter()
        .position(|s| s.contains(needle))
        .unwrap_or_else(|| panic!("no step with {needle:?}: {:#?}", ip.steps))
}

const KEEP_DISK: &str = "persistentVolume:\n  size: 3Gi";

/// RFC 7386 merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

fn kubernetes_validate(doc: &Value, version: &str) -> testkit::Output {
    let dir = testkit::temp_dir();
    let file = testkit::write_file(dir.path(), "doc.json", &doc.to_string());
    let mut cmd = Command::new(tool(Tool::KubernetesValidate));
    cmd.args(["--strict", "--kubernetes-version", version])
        .arg(&file);
    run(&mut cmd, TOOL_TIMEOUT)
}

#[test]
fn in_place_resize_patches_validate_against_kubernetes() {
    let p = in_place_plan((1, 35), KEEP_DISK);
    let ip = p
        .in_place
        .clone()
        .unwrap_or_else(|| panic!("no in-place plan: {p:#?}"));
    assert_eq!(
        p.consequences.iter().map(|c| c.kind).collect::<Vec<_>>(),
        [generator::plan::Kind::Live]
    );
    assert_eq!(ip.memory_limit, "3712Mi");
    assert_eq!(ip.maxmemory, "2gb");
    assert_eq!(
        ip.pods,
        [
            "a-redis-ha-server-0",
            "a-redis-ha-server-1",
            "a-redis-ha-server-2"
        ]
    );
    // The order of the issue: OnDelete, then the resize, then CONFIG SET.
    let step = |needle: &str| step_with(&ip, needle);
    assert!(step("OnDelete") < step("--subresource resize"));
    assert!(step("--subresource resize") < step("wait pod"));
    assert!(step("wait pod") < step("CONFIG SET maxmemory 2gb"));
    assert!(step("CONFIG SET maxmemory 2gb") < step("controller-revision-hash"));

    let s = Scratch::new();
    let rendered = s.render("new", &fleet("redis-2g", KEEP_DISK, ""));
    let mut sts = rendered["a"]
        .iter()
        .find(|d| d["kind"] == "StatefulSet")
        .cloned()
        .expect("sts");
    merge_patch(&mut sts, &ip.strategy_patch);
    assert_eq!(sts["spec"]["updateStrategy"], json!({"type": "OnDelete"}));
    // The pod as the StatefulSet creates it, then the resize patch (strategic: containers by name).
    let template = &sts["spec"]["template"];
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": ip.pods[0], "namespace": "default", "labels": template["metadata"]["labels"]},
        "spec": template["spec"],
    });
    let patch_container = &ip.pod_patch["spec"]["containers"][0];
    let containers = pod["spec"]["containers"]
        .as_array_mut()
        .expect("containers");
    let redis = containers
        .iter_mut()
        .find(|c| c["name"] == patch_container["name"])
        .expect("the patch names a container of the pod");
    merge_patch(redis, patch_container);
    assert_eq!(redis["resources"]["limits"]["memory"], "3712Mi");
    for version in ["1.35.0", "1.37.0"] {
        for doc in [&sts, &pod] {
            let o = kubernetes_validate(doc, version);
            assert!(o.success(), "{version} {}: {}", doc["kind"], o.describe());
        }
    }
    // The validator can fail: a resize patch with a misspelt field is refused (--strict).
    let mut bad = pod.clone();
    bad["spec"]["containers"][0]["resources"]["limts"] = json!({"memory": "3712Mi"});
    assert!(!kubernetes_validate(&bad, "1.35.0").success());
}

/// A size brings its backlog and time budgets along (model::timing): the backlog is set live
/// after maxmemory, the grace period and startup probe wait for each pod's next recreation,
/// and the plan says so.
#[test]
fn in_place_resize_takes_what_the_size_brings_along() {
    let p = plan_in_place(
        (1, 35),
        &fleet("redis-2g", "", ""),
        &fleet("redis-4g", "persistentVolume:\n  size: 5Gi", ""),
    );
    let ip = p
        .in_place
        .clone()
        .unwrap_or_else(|| panic!("no in-place plan: {p:#?}"));
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        ip.live_config,
        [pair("maxmemory", "4gb"), pair("repl-backlog-size", "48mb")]
    );
    let deferred: Vec<&str> = ip.deferred.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        deferred,
        [
            "redis.terminationGracePeriodSeconds",
            "redis.startupProbe.failureThreshold"
        ]
    );
    let step = |needle: &str| step_with(&ip, needle);
    assert!(
        step("wait pod")
            < step(
                "CONFIG SET maxmemory 4gb && redis-cli -p 6379 CONFIG SET repl-backlog-size 48mb"
            )
    );
    assert!(step("terminationGracePeriodSeconds 320 -> 640") > step("CONFIG SET maxmemory"));
    let live = &p.consequences[0];
    assert_eq!(live.kind, generator::plan::Kind::Live);
    assert!(
        live.detail.contains("until each is next recreated"),
        "{}",
        live.detail
    );
}

#[test]
fn in_place_resize_says_when_it_does_not_apply() {
    for (kube, values, reason) in [
        ((1, 34), KEEP_DISK, "stable from Kubernetes 1.35"),
        ((1, 35), "", "the PVC changes too"),
        (
            (1, 35),
            "persistentVolume:\n  size: 3Gi\nredis:\n  config:\n    maxmemory-policy: noeviction",
            "maxmemory-policy also change",
        ),
        (
            (1, 35),
            "persistentVolume:\n  size: 3Gi\nredis:\n  disableCommands: [CONFIG]",
            "disableCommands",
        ),
    ] {
        let p = in_place_plan(kube, values);
        assert!(p.in_place.is_none(), "{values}");
        let why = p.in_place_refused.clone().unwrap_or_default();
        assert!(why.contains(reason), "{values}: {why}");
        assert!(
            p.consequences
                .iter()
                .any(|c| c.kind == generator::plan::Kind::RollingRestart
                    && c.detail.contains("In-place resize does not apply")),
            "{:#?}",
            p.consequences
        );
    }
    // A decrease: 2g -> 1g.
    let p = plan_in_place(
        (1, 35),
        &fleet("redis-2g", "persistentVolume:\n  size: 3Gi", ""),
        &fleet("redis-1g", "", ""),
    );
    let why = p.in_place_refused.clone().unwrap_or_default();
    assert!(why.contains("decreases"), "{why}");
}

#[test]
fn a_fleet_against_a_git_revision() {
    let s = Scratch::new();
    let git = |args: &[&str]| {
        let mut cmd = Command::new(tool(Tool::Git));
        cmd.current_dir(s.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args);
        let o = run(&mut cmd, TOOL_TIMEOUT);
        assert!(o.success(), "{}", o.describe());
    };
    git(&["init", "-q"]);
    s.write("fleet.yaml", &fleet("redis-1g", "", ""));
    git(&["add", "fleet.yaml"]);
    git(&["commit", "-q", "-m", "fleet"]);
    s.write(
        "fleet.yaml",
        &fleet("redis-1g", "replicas: 5\nsentinel:\n  quorum: 3", ""),
    );
    let o = chartgen(s.path(), &["plan", "fleet.yaml", "--git-rev", "HEAD"]);
    assert!(o.success(), "{}", o.describe());
    assert!(o.stdout.contains("replicas: 3 -> 5"), "{}", o.stdout);
    let o = chartgen(
        s.path(),
        &["plan", "fleet.yaml", "--git-rev", "no-such-rev"],
    );
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(o.stderr.contains("no-such-rev"), "{}", o.stderr);
}

#[test]
fn lint_errors_in_the_new_fleet_come_before_any_plan() {
    let s = Scratch::new();
    let o = s.plan(
        &fleet("redis-1g", "", ""),
        &fleet(
            "redis-1g",
            "redis:\n  resources:\n    limits: {memory: 1Gi}\n    requests: {memory: 1Gi}",
            "",
        ),
        &[],
    );
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(o.stderr.contains("error[RHA117]"), "{}", o.stderr);
    assert!(o.stderr.contains("new.yaml:9:"), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "a plan was printed: {}", o.stdout);

    // chartgen fleet writes nothing for such a fleet either.
    let bad = s.write(
        "bad.yaml",
        &fleet(
            "redis-1g",
            "redis:\n  resources:\n    limits: {memory: 1Gi}\n    requests: {memory: 1Gi}",
            "",
        ),
    );
    let out = s.path().join("out");
    let o = chartgen(
        s.path(),
        &["fleet", &bad, "--out", &out.display().to_string()],
    );
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(!out.exists());
    let leftovers: Vec<String> = std::fs::read_dir(s.path())
        .expect("read_dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".chartgen-build-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
