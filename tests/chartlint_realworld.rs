//! Acceptance on real deployments: the chartlint binary on every values file of
//! tests/fixtures/realworld against the generated redis-ha chart, and on each sized variant's own
//! defaults. Broken deployments (realworld/README.md) get their error-level findings at the
//! right place; the others get none.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn realworld() -> PathBuf {
    root().join("tests/fixtures/realworld")
}

/// Run chartlint with JSON output and return its diagnostics.
fn lint(chart: &Path, values: Option<&Path>) -> Vec<Value> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartlint"));
    cmd.arg(chart)
        .args(["--format", "json", "--color", "never"]);
    if let Some(v) = values {
        cmd.arg("-f").arg(v);
    }
    let out = cmd.output().expect("chartlint runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "chartlint failed on {values:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    json["diagnostics"].as_array().cloned().unwrap_or_default()
}

fn errors(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d["rule"], d["line"], d["column"], d["message"]
            )
        })
        .collect()
}

/// The finding of `rule` in `file` (by file name), with its line and column.
fn find<'a>(diags: &'a [Value], rule: &str, file: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["rule"] == rule && d["file"].as_str().is_some_and(|f| f.ends_with(file)))
        .unwrap_or_else(|| panic!("{rule} not reported in {file}: {diags:#?}"))
}

fn assert_at(d: &Value, severity: &str, line: u64, column: u64, words: &[&str]) {
    assert_eq!(d["severity"], severity, "{d:#}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(line), Some(column)),
        "{d:#}"
    );
    // The message and its notes (the reasons).
    let mut message = d["message"].as_str().unwrap_or_default().to_string();
    for n in d["notes"].as_array().into_iter().flatten() {
        message.push('\n');
        message.push_str(n.as_str().unwrap_or_default());
    }
    for w in words {
        assert!(message.contains(w), "`{w}` missing in: {message}");
    }
}

#[test]
fn seed_redis_1g() {
    let chart = root().join("generated-charts/redis-ha");
    let file = "seed-redis-1g.yaml";
    let d = lint(&chart, Some(&realworld().join(file)));
    // replicas: 2 (line 8): no Sentinel majority after losing the master's pod.
    assert_at(
        find(&d, "RHA100", file),
        "error",
        8,
        11,
        &["2 Sentinels", "majority", "no failover"],
    );
    // maxmemory "1024mb" (line 103) = limit 1024Mi (line 114): OOM-killed, with the formula.
    let mem = find(&d, "RHA117", file);
    assert_at(
        mem,
        "error",
        103,
        16,
        &[
            "maxmemory",
            "1Gi",
            "OOM-killed",
            "copy-on-write",
            "fragmentation",
        ],
    );
    assert_eq!(
        mem["related"][0]["line"], 114,
        "the limit is shown too: {mem:#}"
    );
    // requests 64Mi vs limits 1024Mi (line 111): Burstable QoS.
    assert_at(
        find(&d, "RHA121", file),
        "warning",
        111,
        15,
        &["64Mi", "1024Mi", "Guaranteed"],
    );
    // sysctlImage.enabled: true (line 71): privileged init container.
    assert_at(find(&d, "RHA151", file), "warning", 71, 12, &["privileged"]);
    // hardAntiAffinity: false (line 157) and haproxy.hardAntiAffinity: false (line 62).
    assert_at(find(&d, "RHA137", file), "warning", 157, 19, &["majority"]);
    assert_at(find(&d, "RHA138", file), "warning", 62, 21, &["HAProxy"]);
    let errs = errors(&d);
    assert_eq!(errs.len(), 2, "{errs:#?}");
}

#[test]
fn broken_deployments_get_their_errors() {
    let chart = root().join("generated-charts/redis-ha");
    let cases: &[(&str, &[&str])] = &[
        // 2 pods, quorum 1 (maxmemory 4g, 95% of the 4000Mi limit, is RHA118's warning).
        ("kubeasz-redis-cluster-values.yaml", &["RHA100"]),
        // min-slaves-to-write 3 with 3 pods: NOREPLICAS on every write.
        ("matomo-kubernetes-values.yaml", &["RHA104"]),
        // 1 pod with the default min-replicas-to-write 1: every write refused (no failover,
        // RHA136, is a warning).
        ("status-list-server-tls-values.yaml", &["RHA104"]),
        // replicas is a map.
        ("invalid/zenko-legacy-replicas-map-values.yaml", &["RHA001"]),
    ];
    for (file, rules) in cases {
        let d = lint(&chart, Some(&realworld().join(file)));
        for rule in *rules {
            let hit = d
                .iter()
                .find(|x| x["rule"] == *rule && x["severity"] == "error")
                .unwrap_or_else(|| panic!("{file}: no error {rule}: {:#?}", errors(&d)));
            assert!(hit["line"].as_u64().unwrap_or(0) >= 1);
        }
    }
    let kubeasz = lint(
        &chart,
        Some(&realworld().join("kubeasz-redis-cluster-values.yaml")),
    );
    let mem = find(&kubeasz, "RHA118", "kubeasz-redis-cluster-values.yaml");
    assert_at(mem, "warning", 15, 16, &["maxmemory 4g", "80%", "4000Mi"]);
    let matomo = lint(
        &chart,
        Some(&realworld().join("matomo-kubernetes-values.yaml")),
    );
    assert_at(
        find(&matomo, "RHA104", "matomo-kubernetes-values.yaml"),
        "error",
        10,
        26,
        &["min-slaves-to-write 3", "NOREPLICAS"],
    );
}

#[test]
fn other_real_files_get_no_error() {
    let chart = root().join("generated-charts/redis-ha");
    let broken = [
        "seed-redis-1g.yaml",
        "kubeasz-redis-cluster-values.yaml",
        "matomo-kubernetes-values.yaml",
        "status-list-server-tls-values.yaml",
    ];
    let mut files: Vec<PathBuf> = std::fs::read_dir(realworld())
        .expect("tests/fixtures/realworld exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !broken.iter().any(|b| p.ends_with(b)))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let errs = errors(&lint(&chart, Some(f)));
        if !errs.is_empty() {
            failures.push(format!("{}: {errs:#?}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sized_variants_are_clean_with_their_own_defaults() {
    for v in testkit::variant_names() {
        let d = lint(&root().join("generated-charts").join(&v), None);
        let loud: Vec<&Value> = d.iter().filter(|x| x["severity"] != "info").collect();
        assert!(loud.is_empty(), "{v}: {loud:#?}");
    }
}
