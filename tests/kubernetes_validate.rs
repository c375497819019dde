//! Every rendered object of every (chart, helm, values) case passes kubernetes-validate
//! `--strict` for Kubernetes 1.29.0 and 1.37.0. The tool may skip (no schema) only the
//! Prometheus-operator kinds ServiceMonitor and PrometheusRule.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use integration::{
    charts, par_map, render, render_uncached, run, standard_cases, temp_dir, tool, write_file,
    Case, Chart, Failures, Helm, Rendered, Tool, TOOL_TIMEOUT, WORKERS,
};

/// Kinds the tool has no schema for; nothing else may be skipped.
const MAY_SKIP: &[&str] = &["ServiceMonitor", "PrometheusRule"];

/// One manifest file to validate and what it must contain.
struct Input {
    /// Every (chart / helm / case) that rendered this exact manifest.
    label: String,
    file: std::path::PathBuf,
    /// Lower-cased `kind/name` of every document.
    docs: Vec<(String, String)>,
}

fn validate(version: &str) {
    let validator = tool(Tool::KubernetesValidate);
    let dir = temp_dir();
    // Render everything (cached per binary); identical manifests are validated once.
    let mut combos = Vec::new();
    for chart in charts() {
        for helm in Helm::ALL {
            for case in standard_cases() {
                combos.push((chart.clone(), helm, case));
            }
        }
    }
    let mut rendered: Vec<(String, Arc<Rendered>)> =
        par_map(&combos, WORKERS, |(chart, helm, case)| {
            let label = format!("{} / {} / {}", chart.name, helm.label(), case.name);
            (label, render(*helm, chart, case))
        });
    // Also rendered for the validated Kubernetes version itself (capability-dependent parts,
    // e.g. the PDB apiVersion, follow --kube-version).
    let matched: Vec<(Chart, Case)> = charts()
        .into_iter()
        .flat_map(|c| [(c.clone(), Case::defaults()), (c, Case::kitchen_sink())])
        .collect();
    rendered.extend(par_map(&matched, WORKERS, |(chart, case)| {
        let label = format!(
            "{} / helm4 --kube-version {version} / {}",
            chart.name, case.name
        );
        let extra = ["--kube-version".to_string(), version.to_string()];
        let r = render_uncached(Helm::V4, chart, case, &extra)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        (label, r)
    }));
    let mut by_text: BTreeMap<String, Input> = BTreeMap::new();
    for (label, r) in &rendered {
        let n = by_text.len();
        let input = by_text.entry(r.manifest.clone()).or_insert_with(|| Input {
            file: write_file(dir.path(), &format!("m{n:03}.yaml"), &r.manifest),
            docs: r
                .docs
                .iter()
                .map(|d| (d.kind().to_string(), d.name().to_string()))
                .collect(),
            label: String::new(),
        });
        if !input.label.is_empty() {
            input.label.push_str(", ");
        }
        input.label.push_str(label);
    }
    let inputs: Vec<Input> = by_text.into_values().collect();

    // One process per chunk of files keeps the Python start-up cost low.
    let chunks: Vec<&[Input]> = inputs.chunks(12).collect();
    let outputs = par_map(&chunks, 2, |chunk| {
        let mut cmd = Command::new(&validator);
        cmd.arg("--strict").arg("-k").arg(version);
        for i in chunk.iter() {
            cmd.arg(&i.file);
        }
        run(&mut cmd, TOOL_TIMEOUT * 3)
    });

    let mut failures = Failures::new();
    for (chunk, out) in chunks.iter().zip(&outputs) {
        failures.check(!out.timed_out, || out.describe());
        let text = format!("{}\n{}", out.stdout, out.stderr);
        for input in chunk.iter() {
            let path = input.file.to_string_lossy().into_owned();
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.split_whitespace().nth(1) == Some(path.as_str()))
                .collect();
            for l in &lines {
                failures.check(!l.starts_with("ERROR"), || {
                    format!("{} (k8s {version}): {l}", input.label)
                });
            }
            for (kind, name) in &input.docs {
                let passed = lines.iter().any(|l| {
                    l.starts_with("INFO")
                        && l.ends_with(&format!(
                            "passed for resource {}/{} against version {}",
                            kind.to_lowercase(),
                            name,
                            short(version)
                        ))
                });
                let skipped = lines.iter().any(|l| {
                    l.starts_with("WARN")
                        && l.contains(&format!("Couldn't find schema for kind {kind} "))
                });
                failures.check(passed || (skipped && MAY_SKIP.contains(&kind.as_str())), || {
                    format!(
                        "{} (k8s {version}): {kind}/{name} did not pass{}; tool output for this file:\n{}",
                        input.label,
                        if skipped { " (skipped: no schema, only ServiceMonitor/PrometheusRule may be)" } else { "" },
                        lines.join("\n")
                    )
                });
            }
        }
    }
    failures.assert_none(&format!("kubernetes-validate --strict -k {version}"));
}

/// The tool reports "against version 1.29" for `-k 1.29.0`.
fn short(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

#[test]
fn kubernetes_1_29_strict() {
    validate("1.29.0");
}

#[test]
fn kubernetes_1_37_strict() {
    validate("1.37.0");
}

/// kubernetes-validate has no schema for PrometheusRule, so its rules are checked by the
/// Prometheus tool itself: `promtool check rules` on every rendered PrometheusRule's spec.
#[test]
fn prometheus_rules_pass_promtool() {
    let promtool = tool(Tool::Promtool);
    let mut failures = Failures::new();
    let mut checked = 0;
    for chart in charts() {
        for case in standard_cases() {
            let r = render(Helm::V4, &chart, &case);
            for d in r.docs.iter().filter(|d| d.kind() == "PrometheusRule") {
                let dir = temp_dir();
                // JSON is YAML: the spec ({groups: [...]}) is a Prometheus rule file.
                let spec = d.value.get("spec").cloned().unwrap_or_default();
                let file = write_file(dir.path(), "rules.yaml", &spec.to_string());
                let mut cmd = Command::new(&promtool);
                cmd.arg("check").arg("rules").arg(&file);
                let out = run(&mut cmd, TOOL_TIMEOUT);
                checked += 1;
                failures.check(out.success(), || {
                    format!(
                        "{} / {} / {}:\n{}",
                        chart.name,
                        case.name,
                        d.name(),
                        out.describe()
                    )
                });
            }
        }
    }
    failures.check(checked > 0, || {
        "no PrometheusRule rendered (the kitchen sink enables one)".to_string()
    });
    failures.assert_none("promtool check rules");
}
