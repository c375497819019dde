//! The sized variants as rendered by Helm: the memory math of model::sizing reaches the
//! rendered redis.conf and pod specs, every pod is Guaranteed QoS, and every container meets the
//! Pod Security Standards "restricted" profile.

use model::sizing;
use model::units::{format_binary_bytes, parse_memory_quantity, parse_redis_memory};
use serde_json::Value;
use testkit::{charts, parse_values, render, Case, Chart, Doc, Failures, Helm};

fn variants() -> Vec<Chart> {
    let v: Vec<Chart> = charts()
        .into_iter()
        .filter(|c| c.name != "redis-ha")
        .collect();
    let names: Vec<&str> = v.iter().map(|c| c.name.as_str()).collect();
    for expected in testkit::variant_names() {
        assert!(
            names.contains(&expected.as_str()),
            "{expected} missing: {names:?}"
        );
    }
    v
}

fn chart_values(chart: &Chart) -> Value {
    let text = std::fs::read_to_string(chart.dir.join("values.yaml")).expect("values.yaml");
    parse_values(&text).expect("values.yaml parses")
}

/// Pod specs of the workloads and test pods, with their owner's id.
fn pod_specs(docs: &[Doc]) -> Vec<(String, &Value)> {
    docs.iter()
        .filter_map(|d| {
            let spec = match d.kind() {
                "StatefulSet" | "Deployment" => d.value.pointer("/spec/template/spec"),
                "Pod" => d.value.get("spec"),
                _ => None,
            }?;
            Some((d.id(), spec))
        })
        .collect()
}

fn containers(spec: &Value) -> Vec<&Value> {
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_array))
        .flatten()
        .collect()
}

#[test]
fn redis_conf_and_limits_follow_the_sizing_module() {
    let mut failures = Failures::new();
    for chart in variants() {
        let values = chart_values(&chart);
        let maxmemory = values["redis"]["config"]["maxmemory"]
            .as_str()
            .expect("maxmemory is a string")
            .to_string();
        let size_from_name = chart
            .name
            .trim_start_matches("redis-")
            .replace('m', "mb")
            .replace('g', "gb");
        failures.check(maxmemory == size_from_name, || {
            format!(
                "{}: maxmemory {maxmemory}, name says {size_from_name}",
                chart.name
            )
        });
        let input = generator::variants::sizing_input(&values).expect("sizing input");
        let sized = sizing::size(&input).expect("sizable");

        let rendered = render(Helm::V4, &chart, &Case::defaults());
        let full = format!("rel-{}", chart.name);
        let conf = rendered.configmap_key(&format!("{full}-configmap"), "redis.conf");
        failures.check(
            conf.lines()
                .any(|l| l.trim() == format!("maxmemory {maxmemory}")),
            || {
                format!(
                    "{}: redis.conf has no `maxmemory {maxmemory}`:\n{conf}",
                    chart.name
                )
            },
        );

        let sts = rendered.get("StatefulSet", &format!("{full}-server"));
        let redis = containers(sts.value.pointer("/spec/template/spec").expect("pod spec"))
            .into_iter()
            .find(|c| c["name"] == "redis")
            .expect("redis container");
        let limit = redis["resources"]["limits"]["memory"]
            .as_str()
            .unwrap_or("");
        failures.check(
            limit == format_binary_bytes(sized.redis.memory_limit),
            || {
                format!(
                    "{}: redis memory limit {limit}, sizing says {}",
                    chart.name,
                    format_binary_bytes(sized.redis.memory_limit)
                )
            },
        );
        let limit_bytes = parse_memory_quantity(limit).unwrap_or(0);
        let max_bytes = parse_redis_memory(&maxmemory).unwrap_or(u64::MAX);
        failures.check(max_bytes * 100 <= limit_bytes * 80, || {
            format!("{}: maxmemory {maxmemory} above 80% of {limit}", chart.name)
        });
        let pvc = sts
            .value
            .pointer("/spec/volumeClaimTemplates/0/spec/resources/requests/storage")
            .and_then(Value::as_str)
            .unwrap_or("");
        failures.check(pvc == format_binary_bytes(sized.pvc), || {
            format!(
                "{}: PVC {pvc}, sizing says {}",
                chart.name,
                format_binary_bytes(sized.pvc)
            )
        });
    }
    failures.assert_none("variant sizing");
}

#[test]
fn every_workload_pod_of_a_variant_is_guaranteed_qos() {
    let mut failures = Failures::new();
    for chart in variants() {
        let rendered = render(Helm::V4, &chart, &Case::defaults());
        for (owner, spec) in pod_specs(&rendered.docs) {
            if owner.starts_with("Pod/") {
                continue; // helm test hooks are short-lived and not scheduled with the group
            }
            for c in containers(spec) {
                let name = c["name"].as_str().unwrap_or("?");
                let r = &c["resources"];
                for res in ["cpu", "memory"] {
                    let (req, lim) = (&r["requests"][res], &r["limits"][res]);
                    failures.check(!lim.is_null() && req == lim, || {
                        format!(
                            "{}: {owner} container {name}: {res} request {req} != limit {lim}",
                            chart.name
                        )
                    });
                }
            }
        }
    }
    failures.assert_none("Guaranteed QoS");
}

/// The checks of the Pod Security Standards "restricted" profile that a pod spec can fail.
fn restricted_violations(spec: &Value) -> Vec<String> {
    let mut v = Vec::new();
    let pod_sc = &spec["securityContext"];
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if spec[key] == Value::Bool(true) {
            v.push(format!("{key} is true"));
        }
    }
    let allowed_volumes = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    for vol in spec["volumes"].as_array().into_iter().flatten() {
        let kinds: Vec<&String> = vol
            .as_object()
            .map(|o| o.keys().filter(|k| *k != "name").collect())
            .unwrap_or_default();
        for k in kinds {
            if !allowed_volumes.contains(&k.as_str()) {
                v.push(format!("volume {} of type {k}", vol["name"]));
            }
        }
    }
    for c in containers(spec) {
        let name = c["name"].as_str().unwrap_or("?");
        let sc = &c["securityContext"];
        if sc["privileged"] == Value::Bool(true) {
            v.push(format!("{name}: privileged"));
        }
        if sc["allowPrivilegeEscalation"] != Value::Bool(false) {
            v.push(format!("{name}: allowPrivilegeEscalation is not false"));
        }
        let non_root = sc["runAsNonRoot"] == Value::Bool(true)
            || (sc["runAsNonRoot"].is_null() && pod_sc["runAsNonRoot"] == Value::Bool(true));
        if !non_root {
            v.push(format!("{name}: runAsNonRoot is not true"));
        }
        if sc["runAsUser"] == 0 || (sc["runAsUser"].is_null() && pod_sc["runAsUser"] == 0) {
            v.push(format!("{name}: runAsUser 0"));
        }
        let seccomp = if sc["seccompProfile"]["type"].is_null() {
            &pod_sc["seccompProfile"]["type"]
        } else {
            &sc["seccompProfile"]["type"]
        };
        if !(seccomp == "RuntimeDefault" || seccomp == "Localhost") {
            v.push(format!("{name}: seccompProfile is {seccomp}"));
        }
        let drops = sc["capabilities"]["drop"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !drops.iter().any(|d| d == "ALL") {
            v.push(format!("{name}: capabilities do not drop ALL"));
        }
        for add in sc["capabilities"]["add"].as_array().into_iter().flatten() {
            if add != "NET_BIND_SERVICE" {
                v.push(format!("{name}: adds capability {add}"));
            }
        }
    }
    v
}

#[test]
fn every_container_of_every_variant_meets_the_restricted_profile() {
    let mut failures = Failures::new();
    for chart in variants() {
        let rendered = render(Helm::V4, &chart, &Case::defaults());
        let specs = pod_specs(&rendered.docs);
        failures.check(specs.len() >= 3, || {
            format!(
                "{}: expected the StatefulSet, the Deployment and test pods",
                chart.name
            )
        });
        for (owner, spec) in specs {
            for problem in restricted_violations(spec) {
                failures.push(format!("{}: {owner}: {problem}", chart.name));
            }
        }
    }
    failures.assert_none("Pod Security Standards restricted");
}

#[test]
fn the_restricted_check_catches_the_opt_in_root_containers() {
    // The check must be able to fail: the privileged sysctl init container is refused.
    let chart = variants().remove(0);
    let dir = testkit::temp_dir();
    let case = Case::file(
        "sysctl",
        testkit::write_file(
            dir.path(),
            "sysctl.yaml",
            "sysctlImage:\n  enabled: true\n  command: [sysctl, -w, net.core.somaxconn=10000]\n",
        ),
    );
    let rendered = render(Helm::V4, &chart, &case);
    let problems: Vec<String> = pod_specs(&rendered.docs)
        .into_iter()
        .flat_map(|(_, spec)| restricted_violations(spec))
        .collect();
    assert!(
        problems.iter().any(|p| p.contains("init-sysctl")),
        "{problems:?}"
    );
}
