//! Every rendered object of every (chart, helm, values) case passes kubernetes-validate
//! `--strict` for Kubernetes 1.29.0 and 1.37.0. The tool may skip (no schema) only the
//! Prometheus-operator kinds ServiceMonitor and PrometheusRule.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use testkit::{
    charts, par_map, render, render_uncached, run, standard_cases, temp_dir, tool, write_file,
    Case, Chart, Failures, Helm, Rendered, Tool, TOOL_TIMEOUT, WORKERS,
};

/// Kinds the tool has no schema for; nothing else may be skipped.
const MAY_SKIP: &[&str] = &["ServiceMonitor", "PrometheusRule"];

/// One file to validate: distinct documents whose (kind, name) pairs are unique in the file,
/// so that each line of the tool's report maps back to one document.
struct Input {
    file: std::path::PathBuf,
    docs: Vec<DocInfo>,
}

/// (kind, name, every chart / helm / case that rendered the document).
type DocInfo = (String, String, Vec<String>);

/// Documents per validator input file.
const DOCS_PER_FILE: usize = 60;

fn validate(version: &str) {
    let validator = tool(Tool::KubernetesValidate);
    let dir = temp_dir();
    // Render everything (cached per binary).
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

    // Most objects are identical across cases (RBAC, Services, ...): validate each distinct
    // document once and report every case that rendered it.
    let mut unique: BTreeMap<String, DocInfo> = BTreeMap::new();
    for (label, r) in &rendered {
        for d in &r.docs {
            let entry = unique
                .entry(d.text.clone())
                .or_insert_with(|| (d.kind().to_string(), d.name().to_string(), Vec::new()));
            if !entry.2.contains(label) {
                entry.2.push(label.clone());
            }
        }
    }
    let mut files: Vec<(Vec<String>, Vec<DocInfo>)> = Vec::new();
    for (text, (kind, name, labels)) in unique {
        let slot = files.iter().position(|(_, docs)| {
            docs.len() < DOCS_PER_FILE && !docs.iter().any(|(k, n, _)| *k == kind && *n == name)
        });
        let idx = match slot {
            Some(i) => i,
            None => {
                files.push((Vec::new(), Vec::new()));
                files.len() - 1
            }
        };
        files[idx].0.push(text);
        files[idx].1.push((kind, name, labels));
    }
    let inputs: Vec<Input> = files
        .into_iter()
        .enumerate()
        .map(|(i, (texts, docs))| Input {
            file: write_file(
                dir.path(),
                &format!("d{i:03}.yaml"),
                &texts
                    .iter()
                    .map(|t| format!("---\n{t}"))
                    .collect::<String>(),
            ),
            docs,
        })
        .collect();

    // One process per chunk of files keeps the Python start-up cost low.
    let chunks: Vec<&[Input]> = inputs.chunks(4).collect();
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
            for (kind, name, labels) in &input.docs {
                let resource = format!("resource {}/{} ", kind.to_lowercase(), name);
                let mine: Vec<&&str> = lines.iter().filter(|l| l.contains(&resource)).collect();
                let passed = mine.iter().any(|l| {
                    l.starts_with("INFO")
                        && l.ends_with(&format!(
                            "passed for {resource}against version {}",
                            short(version)
                        ))
                });
                let errors: Vec<&&&str> = mine.iter().filter(|l| l.starts_with("ERROR")).collect();
                let skipped = lines.iter().any(|l| {
                    l.starts_with("WARN")
                        && l.contains(&format!("Couldn't find schema for kind {kind} "))
                });
                failures.check(
                    errors.is_empty() && (passed || (skipped && MAY_SKIP.contains(&kind.as_str()))),
                    || {
                        format!(
                            "{kind}/{name} (k8s {version}) did not pass{}, rendered by: {}\n{}",
                            if skipped {
                                " (skipped: no schema; only ServiceMonitor/PrometheusRule may be)"
                            } else {
                                ""
                            },
                            labels.join(", "),
                            if mine.is_empty() {
                                lines.join("\n")
                            } else {
                                mine.iter()
                                    .map(|l| l.to_string())
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            }
                        )
                    },
                );
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
        for case in standard_cases().into_iter().chain([Case::monitoring_api()]) {
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
