//! Every script of every generated chart passes `shellcheck -s sh` and `dash -n`, both as the
//! plain file in `files/` and as rendered into the ConfigMaps (where it sits next to the
//! values-dependent `vars.sh` that it sources).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use testkit::{
    charts, render, run, temp_dir, tool, write_file, Case, Failures, Helm, Tool, TOOL_TIMEOUT,
};

/// The scripts the chart ships in its ConfigMaps (chart-src/files).
const EXPECTED: &[&str] = &[
    "init.sh",
    "lib.sh",
    "fix-split-brain.sh",
    "trigger-failover-if-master.sh",
    "redis_liveness.sh",
    "redis_readiness.sh",
    "sentinel_liveness.sh",
    "haproxy_init.sh",
    "restore_s3.sh",
    "restore_ssh.sh",
    "restore_redis.sh",
];

fn scripts_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "sh") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn shellcheck(files: &[PathBuf], cwd: &Path) -> testkit::Output {
    let mut cmd = Command::new(tool(Tool::Shellcheck));
    cmd.current_dir(cwd)
        .args(["-s", "sh", "-f", "gcc"])
        .args(files);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// vars.sh is data: plain assignments sourced by the other scripts, so "appears unused"
/// (SC2034) is the only finding that does not apply to it.
fn shellcheck_vars(file: &Path, cwd: &Path) -> testkit::Output {
    let mut cmd = Command::new(tool(Tool::Shellcheck));
    cmd.current_dir(cwd)
        .args(["-s", "sh", "-f", "gcc", "-e", "SC2034"])
        .arg(file);
    run(&mut cmd, TOOL_TIMEOUT)
}

fn dash_n(file: &Path) -> testkit::Output {
    let mut cmd = Command::new(tool(Tool::Dash));
    cmd.arg("-n").arg(file);
    run(&mut cmd, TOOL_TIMEOUT)
}

#[test]
fn chart_files_are_the_expected_plain_posix_scripts() {
    let mut failures = Failures::new();
    for chart in charts() {
        let files = scripts_in(&chart.dir.join("files"));
        for name in EXPECTED {
            failures.check(files.iter().any(|f| f.ends_with(name)), || {
                format!("{}: files/{name} is missing", chart.name)
            });
        }
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            failures.check(!text.contains("{{"), || {
                format!(
                    "{}: contains template syntax (scripts are plain files)",
                    f.display()
                )
            });
            let code_uses_double_bracket = text
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .any(|l| l.contains("[["));
            failures.check(!code_uses_double_bracket, || {
                format!("{}: uses `[[` (not POSIX sh)", f.display())
            });
        }
    }
    failures.assert_none("chart files");
}

#[test]
fn shellcheck_and_dash_pass_on_every_chart_script() {
    let mut failures = Failures::new();
    for chart in charts() {
        let dir = chart.dir.join("files");
        let files = scripts_in(&dir);
        failures.check(!files.is_empty(), || {
            format!("{}: no scripts in files/", chart.name)
        });
        let out = shellcheck(&files, &dir);
        failures.check(out.success(), || {
            format!("{}:\n{}", chart.name, out.describe())
        });
        for f in &files {
            let out = dash_n(f);
            failures.check(out.success(), || out.describe());
        }
    }
    failures.assert_none("shellcheck/dash on files/");
}

/// The scripts as mounted in the pods: every `*.sh` key of the rendered ConfigMaps (including
/// the rendered vars.sh), for the defaults and the kitchen sink.
#[test]
fn shellcheck_and_dash_pass_on_rendered_configmap_scripts() {
    let mut failures = Failures::new();
    for chart in charts() {
        for case in [Case::defaults(), Case::kitchen_sink()] {
            let r = render(Helm::V4, &chart, &case);
            for d in r.docs.iter().filter(|d| d.kind() == "ConfigMap") {
                let Some(Value::Object(data)) = d.value.get("data") else {
                    continue;
                };
                let dir = temp_dir();
                let mut files = Vec::new();
                let mut vars = None;
                for (k, v) in data {
                    if let (true, Value::String(s)) = (k.ends_with(".sh"), v) {
                        let p = write_file(dir.path(), k, s);
                        if k == "vars.sh" {
                            vars = Some(p.clone());
                        } else {
                            files.push(p.clone());
                        }
                    }
                }
                let label = format!("{} / {} / ConfigMap {}", chart.name, case.name, d.name());
                if !files.is_empty() {
                    let out = shellcheck(&files, dir.path());
                    failures.check(out.success(), || format!("{label}:\n{}", out.describe()));
                }
                if let Some(v) = &vars {
                    let out = shellcheck_vars(v, dir.path());
                    failures.check(out.success(), || format!("{label}:\n{}", out.describe()));
                    files.push(v.clone());
                }
                for f in &files {
                    let out = dash_n(f);
                    failures.check(out.success(), || format!("{label}:\n{}", out.describe()));
                }
            }
            // Both ConfigMaps carry vars.sh (scripts source it from their own directory).
            for cm in ["configmap", "health-configmap"] {
                let name = r
                    .docs
                    .iter()
                    .find(|d| d.kind() == "ConfigMap" && d.name().ends_with(&format!("-{cm}")))
                    .map(|d| d.name().to_string());
                failures.check(
                    name.as_ref().is_some_and(|n| {
                        r.get("ConfigMap", n)
                            .value
                            .pointer("/data/vars.sh")
                            .is_some()
                    }),
                    || {
                        format!(
                            "{} / {}: ConfigMap *-{cm} has no vars.sh key",
                            chart.name, case.name
                        )
                    },
                );
            }
        }
    }
    failures.assert_none("shellcheck/dash on rendered ConfigMap scripts");
}
