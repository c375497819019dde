//! The chartgen binary on a copy of the repository's sources: determinism, `--check`, the
//! `.Values` reference check, `explain` and `new-variant`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary repository holding a copy of chart-src/ and README.md (no generated output).
fn scratch_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(
        &repo_root().join("chart-src"),
        &dir.path().join("chart-src"),
    );
    std::fs::copy(repo_root().join("README.md"), dir.path().join("README.md")).expect("README");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under the generated directories and README.md, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in ["generated-charts", "schemas"] {
        for entry in walkdir::WalkDir::new(root.join(dir)) {
            let entry = entry.expect("walk");
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_path_buf();
                out.insert(rel, std::fs::read(entry.path()).expect("read"));
            }
        }
    }
    out.insert(
        "README.md".into(),
        std::fs::read(root.join("README.md")).expect("README"),
    );
    out
}

fn chartgen(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chartgen"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("run chartgen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[test]
fn regenerating_twice_gives_identical_bytes_and_check_is_clean() {
    let repo = scratch_repo();
    let first = chartgen(repo.path(), &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let a = snapshot(repo.path());
    assert!(a.keys().any(|p| p.ends_with("redis-ha/values.schema.json")));
    assert!(a.keys().any(|p| p.ends_with("redis-1g/values.yaml")));

    let second = chartgen(repo.path(), &[]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(a, snapshot(repo.path()), "second run changed bytes");

    let check = chartgen(repo.path(), &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(check.stdout.is_empty());
}

#[test]
fn check_fails_with_a_diff_after_a_hand_edit_and_writes_nothing() {
    let repo = scratch_repo();
    assert!(chartgen(repo.path(), &[]).status.success());
    let edited = repo.path().join("generated-charts/redis-ha/values.yaml");
    let original = std::fs::read_to_string(&edited).expect("read");
    let hand_edit = original.replacen("replicas: 3", "replicas: 5", 1);
    assert_ne!(hand_edit, original, "the edit must change the file");
    std::fs::write(&edited, &hand_edit).expect("edit");
    std::fs::write(repo.path().join("generated-charts/redis-ha/extra.txt"), "x").expect("extra");

    let check = chartgen(repo.path(), &["--check"]);
    assert_eq!(check.status.code(), Some(1));
    let diff = text(&check.stdout);
    assert!(
        diff.contains("--- a/generated-charts/redis-ha/values.yaml"),
        "{diff}"
    );
    assert!(diff.contains("-replicas: 5\n+replicas: 3\n"), "{diff}");
    assert!(
        diff.contains("generated-charts/redis-ha/extra.txt"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&edited).expect("read"), hand_edit);

    // A regeneration repairs both.
    assert!(chartgen(repo.path(), &[]).status.success());
    assert_eq!(chartgen(repo.path(), &["--check"]).status.code(), Some(0));
}

#[test]
fn unknown_values_reference_is_refused_and_leaves_the_output_alone() {
    let repo = scratch_repo();
    assert!(chartgen(repo.path(), &[]).status.success());
    let before = snapshot(repo.path());
    std::fs::write(
        repo.path().join("chart-src/templates/typo.yaml"),
        "# a typo\n{{- if .Values.haproxy.enabel }}\nkind: ConfigMap\n{{- end }}\n",
    )
    .expect("write template");
    let out = chartgen(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("chart-src/templates/typo.yaml:2: .Values.haproxy.enabel"),
        "{err}"
    );
    assert_eq!(before, snapshot(repo.path()));
}

#[test]
fn the_unused_key_of_the_public_chart_is_listed() {
    let repo = scratch_repo();
    let out = chartgen(repo.path(), &["--check"]);
    // Nothing generated yet: every file is missing, so the check fails; the note is printed.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not referenced by any chart source: haproxy.annotations"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn explain_prints_every_term_for_each_variant() {
    let repo = scratch_repo();
    for name in testkit::variant_names() {
        let out = chartgen(repo.path(), &["explain", &name]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let s = text(&out.stdout);
        for term in [
            "dataset",
            "fragmentation",
            "copy-on-write",
            "replica output buffers",
            "swapdb load",
            "process baseline",
            "limit = request",
            "RDB files",
        ] {
            assert!(s.contains(term), "{name}: no {term} in\n{s}");
        }
    }
    let out = chartgen(repo.path(), &["explain", "redis-3g"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no such variant"));
}

#[test]
fn new_variant_adds_a_sized_chart() {
    let repo = scratch_repo();
    let out = chartgen(
        repo.path(),
        &["new-variant", "--name", "redis-3g", "--maxmemory", "3gb"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let values = std::fs::read_to_string(repo.path().join("generated-charts/redis-3g/values.yaml"))
        .expect("redis-3g generated");
    assert!(values.contains("maxmemory: \"3gb\""), "{values}");
    let readme = std::fs::read_to_string(repo.path().join("README.md")).expect("README");
    assert!(readme.contains("| `redis-3g` | `3gb` |"), "{readme}");
    assert!(chartgen(repo.path(), &["explain", "redis-3g"])
        .status
        .success());

    for (name, mem) in [("redis-3g", "4gb"), ("Redis_X", "1gb"), ("redis-x", "1Gi")] {
        let out = chartgen(
            repo.path(),
            &["new-variant", "--name", name, "--maxmemory", mem],
        );
        assert_eq!(out.status.code(), Some(2), "{name} {mem} must be refused");
    }
}

#[test]
fn chart_yaml_points_at_the_project_only_when_the_spec_names_it() {
    let repo = scratch_repo();
    let out = chartgen(repo.path(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let chart = std::fs::read_to_string(repo.path().join("generated-charts/redis-1g/Chart.yaml"))
        .expect("Chart.yaml");
    assert!(
        !chart.contains("home:") && !chart.contains("sources:"),
        "{chart}"
    );

    let spec_path = repo.path().join("chart-src/variants.yaml");
    let spec = std::fs::read_to_string(&spec_path).expect("variants.yaml");
    let spec = spec.replacen(
        "appVersion:",
        "home: https://example.org/factory\nsources: [https://example.org/factory.git]\nappVersion:",
        1,
    );
    std::fs::write(&spec_path, spec).expect("write variants.yaml");
    let out = chartgen(repo.path(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let chart = std::fs::read_to_string(repo.path().join("generated-charts/redis-1g/Chart.yaml"))
        .expect("Chart.yaml");
    assert!(
        chart.contains(
            "home: https://example.org/factory\nsources:\n  - https://example.org/factory.git\n"
        ),
        "{chart}"
    );
}
