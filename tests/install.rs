//! Installing the tools the way Rust and pre-commit users do, from a snapshot of this working
//! tree committed to a scratch git repository (what a clone holds):
//! - `cargo install --path . --root TMP` installs chartgen, chartlint and podsim, and they run;
//! - real pre-commit in a consumer repository whose config points at that repository: the
//!   chartlint hook builds itself (`language: rust`), reports the seed file's two errors with
//!   exit status 1, passes a clean values file, and leaves a vendored chart's values.yaml alone.
//!
//! Both builds share `target/install` (release profile at opt-level 0: what is tested is that
//! cargo and pre-commit find and build the binaries, not how fast they run; a full optimised
//! build would add minutes to every CI run).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testkit::{repo_root, run, tool, Output, Tool};

/// A cold build of the whole package on two cores takes a few minutes.
const BUILD_TIMEOUT: Duration = Duration::from_secs(1800);

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = run(
        Command::new(tool(Tool::Git))
            .args([
                "-c",
                "user.name=chartgen tests",
                "-c",
                "user.email=tests@localhost",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir),
        Duration::from_secs(120),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    out
}

fn copy(from: &Path, to: &Path) {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}

/// The working tree's files (tracked, and new ones not ignored) committed to a fresh repository.
fn snapshot_repository(dir: &Path) -> String {
    let root = repo_root();
    let listed = git(&root, &["ls-files", "-z", "-co", "--exclude-standard"]);
    for rel in listed.stdout.split('\0').filter(|r| !r.is_empty()) {
        let from = root.join(rel);
        if from.is_file() {
            copy(&from, &dir.join(rel));
        }
    }
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "snapshot"]);
    git(dir, &["rev-parse", "HEAD"]).stdout.trim().to_string()
}

/// Environment for the builds cargo install and pre-commit run.
fn build_env(cmd: &mut Command) -> &mut Command {
    cmd.env("CARGO_TARGET_DIR", repo_root().join("target/install"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
}

fn cargo() -> PathBuf {
    PathBuf::from(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
}

#[test]
fn cargo_install_and_the_pre_commit_hook_work_from_a_clone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let source = tmp.path().join("source");
    std::fs::create_dir_all(&source).expect("source dir");
    let rev = snapshot_repository(&source);

    // cargo install --path .
    let prefix = tmp.path().join("prefix");
    let out = run(
        build_env(Command::new(cargo()).args(["install", "--path", "."]))
            .arg("--root")
            .arg(&prefix)
            .current_dir(&source),
        BUILD_TIMEOUT,
    );
    assert_eq!(out.code, Some(0), "cargo install --path . failed: {out:?}");
    for bin in ["chartgen", "chartlint", "podsim"] {
        let out = run(
            Command::new(prefix.join("bin").join(bin)).arg("--help"),
            Duration::from_secs(30),
        );
        assert_eq!(out.code, Some(0), "{bin} --help: {out:?}");
    }
    let rules = run(
        Command::new(prefix.join("bin/chartlint")).arg("--list-rules"),
        Duration::from_secs(30),
    );
    assert!(rules.stdout.contains("RHA100"), "{rules:?}");

    // A consumer repository: a vendored chart and two values files.
    let consumer = tmp.path().join("consumer");
    let chart_src = repo_root().join("generated-charts/redis-1g");
    for entry in walkdir::WalkDir::new(&chart_src) {
        let entry = entry.expect("walk chart");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&chart_src).expect("prefix");
            copy(entry.path(), &consumer.join("charts/redis-1g").join(rel));
        }
    }
    copy(
        &testkit::realworld_dir().join("seed-redis-1g.yaml"),
        &consumer.join("deploy/seed/values.yaml"),
    );
    std::fs::create_dir_all(consumer.join("deploy/orders")).expect("orders dir");
    std::fs::write(
        consumer.join("deploy/orders/values.yaml"),
        "# orders: the redis-1g variant as generated, evicting nothing\n\
         redis:\n  config:\n    maxmemory-policy: noeviction\n",
    )
    .expect("orders values");
    std::fs::write(
        consumer.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: chartlint\n        \
             args: [charts/redis-1g, --each]\n",
            source.display()
        ),
    )
    .expect("pre-commit config");
    git(&consumer, &["init", "-q"]);
    git(&consumer, &["add", "-A"]);

    let pre_commit = |consumer: &Path| {
        run(
            build_env(&mut Command::new(tool(Tool::PreCommit)))
                .args(["run", "--all-files", "--color", "never"])
                .env("PRE_COMMIT_HOME", tmp.path().join("pre-commit-home"))
                .current_dir(consumer),
            BUILD_TIMEOUT,
        )
    };

    // The seed file: the hook installs itself and fails on the seed's two errors.
    let out = pre_commit(&consumer);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.code,
        Some(1),
        "pre-commit must fail on the seed file:\n{text}"
    );
    assert!(text.contains("error[RHA100]"), "{text}");
    assert!(text.contains("error[RHA117]"), "{text}");
    assert!(text.contains("deploy/seed/values.yaml:8:11"), "{text}");
    assert!(text.contains("2 errors"), "{text}");
    // Two inputs (the seed and orders files); the vendored chart's values.yaml is not one.
    assert!(text.contains("in 2 inputs"), "{text}");
    assert!(
        text.contains("skipping charts/redis-1g/values.yaml"),
        "{text}"
    );

    // Without the seed file the clean values pass.
    git(&consumer, &["rm", "-q", "-f", "deploy/seed/values.yaml"]);
    let out = pre_commit(&consumer);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.code,
        Some(0),
        "pre-commit must pass the clean values:\n{text}"
    );
    assert!(text.contains("Passed"), "{text}");
}
