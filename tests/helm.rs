//! Real Helm 3.17 and Helm 4.1 against every generated chart: `helm lint --strict` passes and
//! `helm template` renders for the defaults, every top-level realworld values file and the
//! kitchen sink; files in realworld/invalid are refused by the schema with the key named.

use serde_json::Value;
use testkit::{
    charts, helm_lint, helm_template, invalid_files, par_map, standard_cases, try_render, Case,
    Chart, Failures, Helm, WORKERS,
};

/// The key each invalid realworld file gets wrong; the refusal must name it.
/// A new file in realworld/invalid must be added here.
const INVALID_KEYS: &[(&str, &str)] = &[("zenko-legacy-replicas-map-values.yaml", "replicas")];

/// Every (chart, values case) pair.
fn combos() -> Vec<(Chart, Case)> {
    let cases = standard_cases();
    let mut v = Vec::new();
    for chart in charts() {
        for case in &cases {
            v.push((chart.clone(), case.clone()));
        }
    }
    v
}

fn lint_all(helm: Helm) {
    let items = combos();
    let results = par_map(&items, WORKERS, |(chart, case)| {
        // `helm lint` has no --api-versions flag: only the values file is passed.
        let mut args = Vec::new();
        if let Some(v) = &case.values {
            args.push("-f".to_string());
            args.push(v.to_string_lossy().into_owned());
        }
        (
            chart.name.clone(),
            case.name.clone(),
            helm_lint(helm, chart, &args),
        )
    });
    let mut failures = Failures::new();
    for (chart, case, out) in results {
        // --strict turns warnings into a non-zero exit; also refuse any [ERROR]/[WARNING] line.
        let noisy = out
            .stdout
            .lines()
            .chain(out.stderr.lines())
            .any(|l| l.contains("[ERROR]") || l.contains("[WARNING]"));
        failures.check(out.success() && !noisy, || {
            format!(
                "{} lint --strict {chart} / {case}:\n{}",
                helm.label(),
                out.describe()
            )
        });
    }
    failures.assert_none(&format!("{} lint --strict", helm.label()));
}

fn template_all(helm: Helm) {
    let items = combos();
    let results = par_map(&items, WORKERS, |(chart, case)| {
        (
            chart.name.clone(),
            case.name.clone(),
            try_render(helm, chart, case),
        )
    });
    let mut failures = Failures::new();
    for (chart, case, r) in results {
        match r {
            Err(e) => failures.push(format!("{} template {chart} / {case}: {e}", helm.label())),
            Ok(r) => {
                failures.check(!r.docs.is_empty(), || {
                    format!("{} template {chart} / {case}: no documents", helm.label())
                });
                for d in &r.docs {
                    let api = d.value.get("apiVersion").and_then(Value::as_str);
                    failures.check(
                        api.is_some_and(|a| !a.is_empty()) && !d.kind().is_empty() && !d.name().is_empty(),
                        || {
                            format!(
                                "{} template {chart} / {case}: document from {:?} lacks apiVersion/kind/metadata.name:\n{}",
                                helm.label(),
                                d.source,
                                d.text
                            )
                        },
                    );
                }
            }
        }
    }
    failures.assert_none(&format!("{} template", helm.label()));
}

#[test]
fn helm3_lint_strict_passes_for_every_case() {
    lint_all(Helm::V3);
}

#[test]
fn helm4_lint_strict_passes_for_every_case() {
    lint_all(Helm::V4);
}

#[test]
fn helm3_template_renders_every_case() {
    template_all(Helm::V3);
}

#[test]
fn helm4_template_renders_every_case() {
    template_all(Helm::V4);
}

/// realworld/invalid files are written for an older interface: the chart's values.schema.json
/// must make Helm refuse them (template and lint), naming the offending key.
#[test]
fn invalid_values_files_are_refused_naming_the_key() {
    let mut failures = Failures::new();
    let files = invalid_files();
    let mut items = Vec::new();
    for chart in charts() {
        for helm in Helm::ALL {
            for f in &files {
                items.push((chart.clone(), helm, f.clone()));
            }
        }
    }
    let results = par_map(&items, WORKERS, |(chart, helm, file)| {
        let args = vec!["-f".to_string(), file.to_string_lossy().into_owned()];
        (
            helm_template(*helm, chart, &args),
            helm_lint(*helm, chart, &args),
        )
    });
    for ((chart, helm, file), (tpl, lint)) in items.iter().zip(results) {
        let fname = file
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((_, key)) = INVALID_KEYS.iter().find(|(f, _)| *f == fname) else {
            failures.push(format!(
                "realworld/invalid/{fname} has no expected key in INVALID_KEYS: add it"
            ));
            continue;
        };
        for (what, out) in [("template", &tpl), ("lint --strict", &lint)] {
            let text = format!("{}\n{}", out.stderr, out.stdout);
            failures.check(!out.success(), || {
                format!(
                    "{} {what} {} accepted invalid/{fname} (must be refused):\n{}",
                    helm.label(),
                    chart.name,
                    out.describe()
                )
            });
            // Helm 3: "- replicas: Invalid type. ..."; Helm 4: "- at '/replicas': got object".
            let names_key = text.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("- ")
                    && (l.contains(&format!("- {key}:")) || l.contains(&format!("'/{key}'")))
            });
            let schema_error = text.contains("values don't meet the specifications of the schema");
            failures.check(
                schema_error && names_key,
                || {
                    format!(
                        "{} {what} {} refused invalid/{fname} without a schema error naming `{key}`:\n{}",
                        helm.label(),
                        chart.name,
                        out.describe()
                    )
                },
            );
        }
    }
    failures.assert_none("invalid values files");
}

/// yamllint on each chart's own YAML (values.yaml, Chart.yaml) and on the test fixtures:
/// well-formed, no duplicate keys, and no unquoted YAML 1.1 truthy words (`yes`, `on`, ...)
/// that Helm would turn into booleans.
#[test]
fn chart_yaml_files_pass_yamllint() {
    const CONFIG: &str =
        "{extends: default, rules: {line-length: disable, document-start: disable, \
        comments: {min-spaces-from-content: 1}, comments-indentation: disable, \
        truthy: {allowed-values: [\"true\", \"false\"], check-keys: true}}}";
    let mut files = Vec::new();
    for chart in charts() {
        files.push(chart.dir.join("values.yaml"));
        files.push(chart.dir.join("Chart.yaml"));
    }
    files.push(testkit::fixtures_dir().join("kitchen-sink.yaml"));
    let mut cmd = std::process::Command::new(testkit::tool(testkit::Tool::Yamllint));
    cmd.args(["-s", "-f", "parsable", "-d", CONFIG])
        .args(&files);
    let out = testkit::run(&mut cmd, testkit::TOOL_TIMEOUT);
    assert!(out.success(), "{}", out.describe());
}
