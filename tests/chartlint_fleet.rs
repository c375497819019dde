//! `chartlint --fleet`: every instance linted as it will be installed with its findings located
//! in the fleet file (the same findings as linting the values file `chartgen fleet` writes for
//! it), the fleet rules, and the printed totals against what `helm template` renders.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use testkit::{run, tool, Tool, TOOL_TIMEOUT};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chartlint(args: &[&str]) -> testkit::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartlint"));
    cmd.current_dir(root())
        .args(args)
        .args(["--color", "never"]);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// A fleet with a problem in every instance, and two fleet-rule violations.
const BAD_FLEET: &str = "\
charts:
  repository: ../generated-charts
defaults:
  size: redis-1g
  values:
    redis:
      masterGroupName: shared
instances:
  - name: orders
    values:
      replicas: 2
      redis:
        resources:
          limits:
            memory: 1Gi
  - name: carts
    size: 3gb
  - name: orders
    values:
      redis:
        config:
          appendonly: yes
";

#[test]
fn findings_are_located_in_the_fleet_file() {
    let dir = testkit::temp_dir();
    let fleet = testkit::write_file(dir.path(), "fleet.yaml", BAD_FLEET);
    let o = chartlint(&["--fleet", &fleet.display().to_string()]);
    assert_eq!(o.code, Some(1), "{}", o.describe());
    let shown = fleet.display().to_string();
    for (rule, line_col, text) in [
        (
            "RHA100",
            "11:17",
            "default/orders: 2 Redis pods run 2 Sentinels",
        ),
        (
            "RHA117",
            "15:21",
            "default/orders: maxmemory 1gb is not below",
        ),
        ("RHA004", "22:23", "default/orders: `appendonly: yes`"),
        (
            "RHA900",
            "18:11",
            "release `orders` is already defined in namespace `default`",
        ),
        (
            "RHA901",
            "16:11",
            "`orders` and `carts` in namespace `default` both name their Sentinel master `shared`",
        ),
    ] {
        let header = o
            .stdout
            .lines()
            .position(|l| l.contains(&format!("[{rule}]")) && l.contains(text))
            .unwrap_or_else(|| panic!("no {rule} with {text:?} in:\n{}", o.stdout));
        let location = o.stdout.lines().nth(header + 1).unwrap_or_default();
        assert!(
            location.ends_with(&format!("{shown}:{line_col}")),
            "{rule} at {location:?}, expected {shown}:{line_col}"
        );
    }
    assert!(o.stdout.contains("3 errors"), "{}", o.stdout);

    let json = chartlint(&["--fleet", &fleet.display().to_string(), "--format", "json"]);
    assert_eq!(json.code, Some(1), "{}", json.describe());
    let report: Value = serde_json::from_str(&json.stdout).expect("one JSON document on stdout");
    assert_eq!(report["summary"]["errors"], 3, "{}", json.stdout);
    assert!(
        json.stderr.contains("requests of 3 instances"),
        "{}",
        json.stderr
    );
}

#[test]
fn suppressions_in_the_fleet_file_apply_and_the_example_is_clean() {
    let o = chartlint(&["--fleet", "docs/examples/fleet.yaml"]);
    assert_eq!(o.code, Some(0), "{}", o.describe());
    assert!(o.stdout.contains("0 errors, 0 warnings"), "{}", o.stdout);
    assert!(
        !o.stdout.contains("RHA135"),
        "the ignore comment did not apply:\n{}",
        o.stdout
    );
}

#[test]
fn explain_and_list_know_the_fleet_rules() {
    let o = chartlint(&["--explain", "RHA900"]);
    assert!(o.success(), "{}", o.describe());
    assert!(o.stdout.contains("duplicate-release"), "{}", o.stdout);
    let o = chartlint(&["--list-rules"]);
    assert!(
        o.stdout.contains("RHA901  shared-master-group-name"),
        "{}",
        o.stdout
    );
}

/// The rule ids found per instance (`namespace/name`), from a JSON report whose messages start
/// with the instance names (fleet) or from one file's report (`instance` given).
fn rules_by_instance(report: &Value, instance: Option<&str>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        let rule = d["rule"].as_str().expect("rule").to_string();
        if rule.starts_with("RHA9") {
            continue; // fleet rules have no per-file counterpart
        }
        let message = d["message"].as_str().expect("message");
        match instance {
            Some(name) => {
                out.entry(name.to_string()).or_default().insert(rule);
            }
            None => {
                let (names, _) = message.split_once(": ").expect("instance prefix");
                for name in names.split(", ") {
                    out.entry(name.to_string())
                        .or_default()
                        .insert(rule.clone());
                }
            }
        }
    }
    out
}

#[test]
fn the_fleet_lint_equals_linting_the_generated_values_files() {
    let dir = testkit::temp_dir();
    // The bad fleet without its duplicate (chartgen refuses those), with the boolean quoted
    // (YAML-level findings exist only where the YAML is written).
    let text = BAD_FLEET.replace("  - name: orders\n    values:\n      redis:\n        config:\n          appendonly: yes\n", "  - name: baskets\n    namespace: shop\n    values:\n      redis:\n        config:\n          appendonly: \"yes\"\n");
    let fleet = testkit::write_file(dir.path(), "fleet.yaml", &text);
    std::os::unix::fs::symlink(
        root().join("generated-charts"),
        dir.path().join("generated-charts"),
    )
    .expect("symlink");
    let out = dir.path().join("deploy");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    cmd.arg("--root")
        .arg(root())
        .arg("fleet")
        .arg(&fleet)
        .arg("--out")
        .arg(&out)
        .arg("--no-lint");
    let o = run(&mut cmd, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());

    let o = chartlint(&["--fleet", &fleet.display().to_string(), "--format", "json"]);
    let fleet_report: Value = serde_json::from_str(&o.stdout).expect("JSON");
    let from_fleet = rules_by_instance(&fleet_report, None);

    let helmfile = helm_values::json::load(
        "helmfile.yaml",
        &std::fs::read_to_string(out.join("helmfile.yaml")).expect("read"),
    )
    .expect("YAML");
    let mut from_files = BTreeMap::new();
    for r in helmfile["releases"].as_array().expect("releases") {
        let chart = out.join(r["chart"].as_str().expect("chart"));
        let values = out.join(r["values"][0].as_str().expect("values"));
        let o = chartlint(&[
            &chart.display().to_string(),
            "-f",
            &values.display().to_string(),
            "--format",
            "json",
        ]);
        let report: Value = serde_json::from_str(&o.stdout).expect("JSON");
        let name = format!(
            "{}/{}",
            r["namespace"].as_str().unwrap_or(""),
            r["name"].as_str().unwrap_or("")
        );
        from_files.extend(rules_by_instance(&report, Some(&name)));
    }
    assert_eq!(from_fleet, from_files);
    assert!(
        from_fleet["default/orders"].contains("RHA117"),
        "{from_fleet:?}"
    );
}

/// Sums the container requests of every StatefulSet and Deployment that `helm template`
/// renders (× replicas), as (memory bytes, millicores).
fn rendered_requests(chart: &Path, values: &Path, name: &str) -> (u64, u64) {
    let mut cmd = Command::new(tool(Tool::Helm3));
    cmd.args(["template", name])
        .arg(chart)
        .arg("-f")
        .arg(values);
    let o = run(&mut cmd, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());
    let mut memory = 0;
    let mut cpu = 0;
    for doc in helm_values::json::load_all("manifest", &o.stdout).expect("YAML") {
        if doc["kind"] != "StatefulSet" && doc["kind"] != "Deployment" {
            continue;
        }
        let replicas = doc["spec"]["replicas"].as_u64().expect("replicas");
        for c in doc["spec"]["template"]["spec"]["containers"]
            .as_array()
            .expect("containers")
        {
            let r = &c["resources"]["requests"];
            memory += replicas
                * model::units::parse_memory_quantity(r["memory"].as_str().expect("memory"))
                    .expect("quantity");
            cpu += replicas
                * model::units::parse_cpu_quantity(r["cpu"].as_str().expect("cpu"))
                    .expect("quantity");
        }
    }
    (memory, cpu)
}

#[test]
fn totals_equal_the_rendered_requests() {
    let dir = testkit::temp_dir();
    std::os::unix::fs::symlink(
        root().join("generated-charts"),
        dir.path().join("generated-charts"),
    )
    .expect("symlink");
    let out = dir.path().join("deploy");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    cmd.arg("--root")
        .arg(root())
        .arg("fleet")
        .arg(root().join("docs/examples/fleet.yaml"))
        .arg("--out")
        .arg(&out);
    let o = run(&mut cmd, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());
    let helmfile = helm_values::json::load(
        "helmfile.yaml",
        &std::fs::read_to_string(out.join("helmfile.yaml")).expect("read"),
    )
    .expect("YAML");
    let mut per_namespace: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in helmfile["releases"].as_array().expect("releases") {
        let (m, c) = rendered_requests(
            &out.join(r["chart"].as_str().expect("chart")),
            &out.join(r["values"][0].as_str().expect("values")),
            r["name"].as_str().expect("name"),
        );
        let e = per_namespace
            .entry(r["namespace"].as_str().expect("namespace").to_string())
            .or_default();
        e.0 += m;
        e.1 += c;
    }
    let o = chartlint(&["--fleet", "docs/examples/fleet.yaml"]);
    let gib = |b: u64| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64);
    let cores = |m: u64| format!("{:.2} cores", m as f64 / 1000.0);
    let (mut tm, mut tc) = (0, 0);
    for (ns, (m, c)) in &per_namespace {
        let line = o
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("namespace {ns} ")))
            .unwrap_or_else(|| panic!("no line for {ns}:\n{}", o.stdout));
        let squeezed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squeezed.contains(&gib(*m)),
            "{ns}: {squeezed} vs {}",
            gib(*m)
        );
        assert!(
            squeezed.contains(&cores(*c)),
            "{ns}: {squeezed} vs {}",
            cores(*c)
        );
        tm += m;
        tc += c;
    }
    let total = o
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("total "))
        .expect("total line");
    let squeezed = total.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squeezed.contains(&gib(tm)) && squeezed.contains(&cores(tc)),
        "{squeezed}"
    );
}
