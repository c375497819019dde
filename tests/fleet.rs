//! `chartgen fleet` on the example fleet (docs/examples/fleet.yaml): golden files, the
//! real helmfile rendering every release, the ApplicationSet against Argo CD's CRD schema, every
//! instance through `helm template` (Helm 3 and 4) and chartlint, `--check`, and bad fleet files
//! refused with a located error and nothing written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::{run, tool, Tool, TOOL_TIMEOUT};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("docs/examples/fleet.yaml")
}

fn chartgen(args: &[&str]) -> testkit::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    cmd.arg("--root").arg(root()).args(args);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// A scratch directory laid out like a deployment repository: `generated-charts` (a link to
/// this repository's charts, which the example fleet names as `../generated-charts`) and the
/// output in `deploy/`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = testkit::temp_dir();
    std::os::unix::fs::symlink(
        root().join("generated-charts"),
        dir.path().join("generated-charts"),
    )
    .expect("symlink");
    let out = dir.path().join("deploy");
    (dir, out)
}

fn generate(fleet: &Path, out: &Path) -> testkit::Output {
    chartgen(&[
        "fleet",
        &fleet.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("prefix");
            (
                rel.display().to_string(),
                std::fs::read_to_string(e.path()).expect("read"),
            )
        })
        .collect()
}

#[test]
fn golden_output_of_the_example_fleet() {
    let (_dir, out) = workspace();
    let o = generate(&example(), &out);
    assert!(o.success(), "{}", o.describe());
    let written = files(&out);
    assert_eq!(
        written.keys().cloned().collect::<Vec<_>>(),
        [
            "applicationset.yaml",
            "helmfile.yaml",
            "values/edge/rate-limits.yaml",
            "values/shop/catalog.yaml",
            "values/shop/orders.yaml",
            "values/shop/sessions.yaml"
        ]
    );
    for (name, text) in &written {
        insta::assert_snapshot!(format!("fleet__{}", name.replace('/', "__")), text);
    }
}

#[test]
fn output_is_deterministic_and_check_reports_drift() {
    let (_dir, out) = workspace();
    assert!(generate(&example(), &out).success());
    let first = files(&out);
    let o = generate(&example(), &out);
    assert!(o.success(), "{}", o.describe());
    assert_eq!(files(&out), first, "a second run changed the output");

    let check = |out: &Path| {
        chartgen(&[
            "fleet",
            &example().display().to_string(),
            "--out",
            &out.display().to_string(),
            "--check",
        ])
    };
    let o = check(&out);
    assert!(o.success(), "{}", o.describe());

    std::fs::write(out.join("values/shop/orders.yaml"), "edited: true\n").expect("edit");
    std::fs::write(out.join("values/stray.yaml"), "x: 1\n").expect("stray");
    let o = check(&out);
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(
        o.stdout
            .contains("+++ b/deploy/values/shop/orders.yaml (generated)"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("-edited: true"), "{}", o.stdout);
    assert!(
        o.stdout.contains("deploy/values/stray.yaml"),
        "{}",
        o.stdout
    );
    assert_eq!(
        std::fs::read_to_string(out.join("values/shop/orders.yaml")).expect("read"),
        "edited: true\n",
        "--check wrote"
    );

    // A regeneration replaces the whole directory: the stray file goes.
    assert!(generate(&example(), &out).success());
    assert_eq!(files(&out), first);
}

#[test]
fn helmfile_renders_every_release() {
    let (_dir, out) = workspace();
    assert!(generate(&example(), &out).success());
    // helmfile 0.166 asks `helm version --client`, a flag Helm 4 no longer has: Helm 3 only.
    let mut cmd = Command::new(tool(Tool::Helmfile));
    cmd.current_dir(&out)
        .arg("--helm-binary")
        .arg(tool(Tool::Helm3))
        .args(["template", "--skip-deps"]);
    let o = run(&mut cmd, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());
    let docs = helm_values::json::load_all("helmfile template", &o.stdout).expect("YAML");
    let statefulsets: Vec<(String, String)> = docs
        .iter()
        .filter(|d| d["kind"] == "StatefulSet")
        .map(|d| {
            (
                d["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                d["metadata"]["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // Names stay on the base chart's name whatever the size (nameOverride in every file).
    assert_eq!(
        statefulsets,
        [
            ("shop".into(), "sessions-redis-ha-server".into()),
            ("shop".into(), "orders-redis-ha-server".into()),
            ("shop".into(), "catalog-redis-ha-server".into()),
            ("edge".into(), "rate-limits-redis-ha-server".into()),
        ],
        "helm 3"
    );
    // The 3gb instance got its own sizing on top of the redis-4g chart.
    let catalog = docs
        .iter()
        .find(|d| d["kind"] == "StatefulSet" && d["metadata"]["name"] == "catalog-redis-ha-server")
        .expect("catalog");
    let redis = catalog["spec"]["template"]["spec"]["containers"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "redis"))
        .expect("redis container");
    assert_eq!(redis["resources"]["limits"]["memory"], "5440Mi");
}

#[test]
fn every_instance_renders_with_helm_and_passes_chartlint() {
    let (_dir, out) = workspace();
    assert!(generate(&example(), &out).success());
    let helmfile = helm_values::json::load(
        "helmfile.yaml",
        &std::fs::read_to_string(out.join("helmfile.yaml")).expect("read"),
    )
    .expect("YAML");
    let releases = helmfile["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), 4);
    for r in releases {
        let chart = out.join(r["chart"].as_str().expect("chart"));
        let values = out.join(r["values"][0].as_str().expect("values"));
        for helm in [Tool::Helm3, Tool::Helm4] {
            let mut cmd = Command::new(tool(helm));
            cmd.args(["template", r["name"].as_str().expect("name"), "--namespace"])
                .arg(r["namespace"].as_str().expect("namespace"))
                .arg(&chart)
                .arg("-f")
                .arg(&values);
            let o = run(&mut cmd, TOOL_TIMEOUT);
            assert!(o.success(), "{}", o.describe());
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartlint"));
        cmd.arg(&chart).arg("-f").arg(&values);
        let o = run(&mut cmd, TOOL_TIMEOUT);
        assert_eq!(o.code, Some(0), "{}", o.describe());
        assert!(o.stdout.contains("0 errors"), "{}", o.stdout);
    }
}

/// Validates a YAML document with `new ApplicationSet(obj).validate()` of the npm package
/// `@kubernetes-models/argo-cd`; `Err` holds what the validator said.
fn validate_application_set(doc: &serde_json::Value) -> Result<(), String> {
    let dir = testkit::temp_dir();
    let file = dir.path().join("appset.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let script = r#"
        import { readFileSync } from "node:fs";
        import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1";
        const obj = JSON.parse(readFileSync(process.env.APPSET_FILE, "utf8"));
        try {
          new ApplicationSet(obj).validate();
          console.log("valid");
        } catch (e) {
          console.log(e.message);
          process.exit(1);
        }
    "#;
    let mut cmd = Command::new(tool(Tool::Node));
    cmd.current_dir(testkit::argo_cd_models())
        .env("APPSET_FILE", &file)
        .args(["--input-type=module", "-e", script]);
    let o = run(&mut cmd, TOOL_TIMEOUT);
    match o.code {
        Some(0) if o.stdout.trim() == "valid" => Ok(()),
        Some(1) => Err(o.stdout),
        _ => panic!("{}", o.describe()),
    }
}

#[test]
fn application_set_validates_against_the_argo_cd_crd() {
    let (_dir, out) = workspace();
    assert!(generate(&example(), &out).success());
    let text = std::fs::read_to_string(out.join("applicationset.yaml")).expect("read");
    let doc = helm_values::json::load("applicationset.yaml", &text).expect("YAML");
    validate_application_set(&doc).expect("the generated ApplicationSet is valid");
    assert_eq!(
        doc["spec"]["generators"][0]["list"]["elements"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    // The validator can fail: a source without repoURL is refused, with the path.
    let mut broken = doc.clone();
    broken["spec"]["template"]["spec"]["sources"][0]
        .as_object_mut()
        .expect("source")
        .remove("repoURL");
    let err = validate_application_set(&broken).expect_err("missing repoURL");
    assert!(err.contains("repoURL"), "{err}");
}

#[test]
fn oci_repository_gives_a_helmfile_repository_and_multi_source_applications() {
    let dir = testkit::temp_dir();
    let text = std::fs::read_to_string(example()).expect("read").replace(
        "repository: ../generated-charts",
        "repository: oci://127.0.0.1:5000/charts",
    );
    let fleet = testkit::write_file(dir.path(), "fleet.yaml", &text);
    let out = dir.path().join("out");
    assert!(generate(&fleet, &out).success());
    let helmfile = std::fs::read_to_string(out.join("helmfile.yaml")).expect("read");
    assert!(
        helmfile.contains(
            "repositories:\n  - name: redis-ha-charts\n    url: \"127.0.0.1:5000/charts\"\n    oci: true\n"
        ),
        "{helmfile}"
    );
    assert!(
        helmfile.contains("chart: redis-ha-charts/redis-2g\n"),
        "{helmfile}"
    );
    let appset = helm_values::json::load(
        "applicationset.yaml",
        &std::fs::read_to_string(out.join("applicationset.yaml")).expect("read"),
    )
    .expect("YAML");
    let sources = &appset["spec"]["template"]["spec"]["sources"];
    assert_eq!(sources[0]["repoURL"], "127.0.0.1:5000/charts");
    assert_eq!(sources[0]["chart"], "{{.chart}}");
    assert_eq!(sources[1]["ref"], "values");
    validate_application_set(&appset).expect("valid");
}

/// A bad fleet file: exit 2, every message located in the fleet file, nothing written (a new
/// output directory is not created, an existing one is left as it was).
fn assert_refused(fleet_text: &str, expected: &[&str]) {
    let dir = testkit::temp_dir();
    let fleet = testkit::write_file(dir.path(), "fleet.yaml", fleet_text);
    let out = dir.path().join("out");
    let o = generate(&fleet, &out);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    for e in expected {
        assert!(o.stderr.contains(e), "expected {e:?} in:\n{}", o.stderr);
    }
    assert!(!out.exists(), "output written for a bad fleet");

    // An existing output stays as it was.
    let good = testkit::write_file(
        dir.path(),
        "good.yaml",
        "charts: {repository: ../charts}\ninstances:\n  - {name: a, size: redis-1g}\n",
    );
    assert!(generate(&good, &out).success());
    let before = files(&out);
    let o = generate(&fleet, &out);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert_eq!(files(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".chartgen-build-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unknown_size_is_located() {
    assert_refused(
        "charts: {repository: ../charts}\ninstances:\n  - name: a\n    size: redis-3gg\n",
        &["fleet.yaml:4:11: unknown size `redis-3gg`", "redis-1g"],
    );
}

#[test]
fn duplicate_release_in_a_namespace_is_located() {
    assert_refused(
        "charts: {repository: ../charts}\ndefaults: {size: redis-1g}\ninstances:\n  - name: a\n  - name: b\n  - name: a\n    namespace: default\n",
        &["fleet.yaml:6:11: duplicate release `a` in namespace `default`: instances[0] (line 4)"],
    );
}

#[test]
fn bad_yaml_is_located() {
    assert_refused(
        "charts: {repository: ../charts}\ninstances:\n  - name: a\n    size: [redis-1g\n",
        &["fleet.yaml:4:11: invalid YAML: unclosed bracket"],
    );
}

#[test]
fn schema_violations_are_located() {
    assert_refused(
        "charts: {repository: ../charts}\ninstances:\n  - name: Orders_1\n    size: redis-1g\n    sise: redis-2g\n  - size: redis-1g\n",
        &[
            "fleet.yaml:3:11: `instances[0].name`",
            "fleet.yaml:5:5: unknown key `sise` in `instances[0]`",
            "fleet.yaml:6:5: `instances[1]`: \"name\" is a required property",
        ],
    );
}

#[test]
fn a_directory_of_other_files_is_never_replaced() {
    let dir = testkit::temp_dir();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("precious.txt"), "keep\n").expect("write");
    let o = generate(&example(), &out);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(
        o.stderr.contains("not written by chartgen fleet"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).expect("read"),
        "keep\n"
    );
}
