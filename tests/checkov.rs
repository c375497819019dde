//! Checkov 3.3.30 (the infrastructure-as-code scanner platform teams gate charts with), run as a
//! new user would: `helm template` of every sized variant into a namespace, then
//! `checkov -d DIR --framework kubernetes`. No check fails; what the chart cannot satisfy by
//! itself is skipped by Checkov's own annotation on the resource, with a reason, and at most
//! two distinct checks are skipped in all. The base chart with the public chart's defaults is
//! scanned too and must fail checks (the scan finds what it should; the README lists them),
//! and the base chart with a variant's values.yaml must pass like that variant (every
//! hardening is reachable through values).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use testkit::{
    base_chart, charts, par_map, run, temp_dir, tool, write_file, Chart, Failures, Helm, Tool,
    TOOL_TIMEOUT,
};

/// A namespace other than `default` (CKV_K8S_21 flags objects in the default namespace).
const NAMESPACE: &str = "redis";
const CHECKOV_TIMEOUT: Duration = Duration::from_secs(180);
const MAX_DISTINCT_SKIPS: usize = 2;

/// The scan of one chart: (check id, resource) failed, and (check id, resource, reason) skipped.
struct Scan {
    failed: Vec<(String, String)>,
    skipped: Vec<(String, String, String)>,
    passed: u64,
}

/// Renders `chart` (with `values`, if any) into [`NAMESPACE`] and scans it.
fn scan(chart: &Chart, values: Option<&Path>, dir: &Path) -> Scan {
    let mut helm = Command::new(Helm::V4.binary());
    helm.args(["template", "r"])
        .arg(&chart.dir)
        .args(["--namespace", NAMESPACE]);
    let label = match values {
        Some(v) => {
            helm.arg("-f").arg(v);
            format!("{}-with-values", chart.name)
        }
        None => chart.name.clone(),
    };
    let out = run(&mut helm, TOOL_TIMEOUT);
    assert!(out.success(), "{label}: {}", out.describe());
    let chart_dir = dir.join(&label);
    write_file(&chart_dir, "manifest.yaml", &out.stdout);
    let home = dir.join(format!("{label}-home"));
    std::fs::create_dir_all(&home).unwrap_or_else(|e| panic!("{e}"));
    let out = run(
        Command::new(tool(Tool::Checkov))
            .arg("-d")
            .arg(&chart_dir)
            .args([
                "--framework",
                "kubernetes",
                "--output",
                "json",
                "--skip-download",
            ])
            // Checkov keeps state under $HOME; no network (--skip-download).
            .env("HOME", &home),
        CHECKOV_TIMEOUT,
    );
    // Exit status 1 means "checks failed"; anything else but 0 is a tool error.
    assert!(
        !out.timed_out && matches!(out.code, Some(0) | Some(1)),
        "{}: {}",
        chart.name,
        out.describe()
    );
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: checkov printed no JSON ({e}): {}",
            chart.name,
            out.describe()
        )
    });
    // One framework gives one object; Checkov prints a list for several.
    let reports: Vec<Value> = match report {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut s = Scan {
        failed: Vec::new(),
        skipped: Vec::new(),
        passed: 0,
    };
    for r in &reports {
        let summary = &r["summary"];
        assert_eq!(
            summary["parsing_errors"], 0,
            "{}: checkov could not parse the manifest",
            chart.name
        );
        s.passed += summary["passed"].as_u64().unwrap_or(0);
        let list =
            |key: &str| -> Vec<Value> { r["results"][key].as_array().cloned().unwrap_or_default() };
        for c in list("failed_checks") {
            s.failed.push((
                c["check_id"].as_str().unwrap_or_default().to_string(),
                c["resource"].as_str().unwrap_or_default().to_string(),
            ));
        }
        for c in list("skipped_checks") {
            s.skipped.push((
                c["check_id"].as_str().unwrap_or_default().to_string(),
                c["resource"].as_str().unwrap_or_default().to_string(),
                c["check_result"]["suppress_comment"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
    }
    s
}

#[test]
fn every_variant_fails_no_checkov_check_and_skips_at_most_two_with_reasons() {
    let dir = temp_dir();
    let variants: Vec<Chart> = charts()
        .into_iter()
        .filter(|c| c.name != base_chart().name)
        .collect();
    assert!(!variants.is_empty(), "no variant chart generated");
    let scans = par_map(&variants, 2, |chart| scan(chart, None, dir.path()));
    let labels: Vec<String> = variants.iter().map(|c| c.name.clone()).collect();
    assert_clean(&labels, &scans);
}

/// Every failed check, every skip without a reason and more than two distinct skipped checks
/// are failures.
fn assert_clean(labels: &[String], scans: &[Scan]) {
    let mut failures = Failures::new();
    let mut skipped_ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (label, s) in labels.iter().zip(scans) {
        failures.check(s.passed > 0, || format!("{label}: checkov passed no check"));
        for (id, resource) in &s.failed {
            failures.push(format!("{label}: {id} fails on {resource}"));
        }
        for (id, resource, reason) in &s.skipped {
            failures.check(reason.trim().len() > 20, || {
                format!("{label}: {id} skipped on {resource} without a reason ({reason:?})")
            });
            skipped_ids
                .entry(id.clone())
                .or_default()
                .insert(label.clone());
        }
    }
    failures.check(skipped_ids.len() <= MAX_DISTINCT_SKIPS, || {
        format!(
            "{} distinct checks skipped (at most {MAX_DISTINCT_SKIPS}): {:?}",
            skipped_ids.len(),
            skipped_ids.keys().collect::<Vec<_>>()
        )
    });
    failures.assert_none("checkov");
}

/// `redis-ha` keeps the public chart's defaults, and reaches the variants' posture through
/// values alone: with a variant's values.yaml it passes like that variant.
#[test]
fn redis_ha_with_a_variant_values_file_fails_no_checkov_check() {
    let dir = temp_dir();
    let variant = testkit::variant_names()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("chart-src/variants.yaml declares no variant"));
    let values = testkit::repo_root()
        .join("generated-charts")
        .join(&variant)
        .join("values.yaml");
    let s = scan(&base_chart(), Some(&values), dir.path());
    assert_clean(&[format!("redis-ha -f {variant}/values.yaml")], &[s]);
}

/// The control: the same scan of the base chart (the public chart's defaults) fails checks,
/// so a clean variant scan means the variants are hardened, not that the scan saw nothing.
#[test]
fn the_public_defaults_fail_checkov_checks() {
    let dir = temp_dir();
    let s = scan(&base_chart(), None, dir.path());
    let ids: BTreeSet<&str> = s.failed.iter().map(|(id, _)| id.as_str()).collect();
    for expected in ["CKV2_K8S_6", "CKV_K8S_22", "CKV_K8S_40"] {
        assert!(
            ids.contains(expected),
            "redis-ha defaults: {expected} (no NetworkPolicy / writable root / low UID) not reported; failed: {ids:?}"
        );
    }
    assert!(s.skipped.is_empty(), "redis-ha defaults skip nothing");
}
