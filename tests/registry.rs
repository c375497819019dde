//! `chartgen package` and a real OCI registry: Debian's docker-registry 2.8 started on a
//! loopback port by the test, `helm push` of the packages (Helm 3 and 4), `helm template
//! oci://...` equal to the local render, `helm pull` equal to the chart, helmfile rendering a
//! fleet whose charts come from the registry; the index against `helm repo index`; a changed
//! chart without a new version refused.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use testkit::{run, tool, Helm, ServerProcess, Tool, TOOL_TIMEOUT};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chartgen(root: &Path, args: &[&str]) -> testkit::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    cmd.arg("--root").arg(root).args(args);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// A registry on 127.0.0.1 with its storage and config in a temp dir; stopped on drop.
struct Registry {
    _dir: tempfile::TempDir,
    _server: ServerProcess,
    port: u16,
}

impl Registry {
    fn start() -> Registry {
        let dir = testkit::temp_dir();
        let port = testkit::free_port();
        let config = testkit::write_file(
            dir.path(),
            "config.yml",
            &format!(
                "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("data").display()
            ),
        );
        let mut cmd = Command::new(tool(Tool::DockerRegistry));
        cmd.arg("serve").arg(config);
        let server = ServerProcess::start(
            cmd,
            port,
            &format!("listening on 127.0.0.1:{port}"),
            Duration::from_secs(20),
        );
        Registry {
            _dir: dir,
            _server: server,
            port,
        }
    }

    fn url(&self) -> String {
        format!("oci://127.0.0.1:{}/charts", self.port)
    }
}

/// Helm with its configuration, cache and registry credentials in a temp dir.
fn helm(h: Helm, home: &Path) -> Command {
    let mut cmd = Command::new(h.binary());
    for (var, sub) in [
        ("HELM_CONFIG_HOME", "config"),
        ("HELM_CACHE_HOME", "cache"),
        ("HELM_DATA_HOME", "data"),
    ] {
        cmd.env(var, home.join(sub));
    }
    cmd.env("HELM_REGISTRY_CONFIG", home.join("registry.json"));
    cmd
}

fn package(root: &Path, repo: &Path) -> testkit::Output {
    chartgen(
        root,
        &[
            "package",
            "--out",
            &repo.display().to_string(),
            "--helm",
            &tool(Tool::Helm3).display().to_string(),
        ],
    )
}

#[test]
fn oci_round_trip() {
    let dir = testkit::temp_dir();
    let repo = dir.path().join("repo");
    let o = package(&root(), &repo);
    assert!(o.success(), "{}", o.describe());
    let registry = Registry::start();
    let home = dir.path().join("helm-home");
    // A fixed password: otherwise every render generates its own.
    let set = ["--set", "redisPassword=round-trip"];
    for (h, chart) in [(Helm::V3, "redis-1g"), (Helm::V4, "redis-2g")] {
        let archive = repo.join(format!("{chart}-5.0.0.tgz"));
        let o = run(
            helm(h, &home)
                .arg("push")
                .arg(&archive)
                .arg(registry.url())
                .arg("--plain-http"),
            TOOL_TIMEOUT,
        );
        assert!(o.success(), "{}", o.describe());
        for reader in Helm::ALL {
            let remote = run(
                helm(reader, &home)
                    .args(["template", "rel"])
                    .arg(format!("{}/{chart}", registry.url()))
                    .args(["--version", "5.0.0", "--plain-http"])
                    .args(set),
                TOOL_TIMEOUT,
            );
            assert!(remote.success(), "{}", remote.describe());
            let local = run(
                helm(reader, &home)
                    .args(["template", "rel"])
                    .arg(root().join("generated-charts").join(chart))
                    .args(set),
                TOOL_TIMEOUT,
            );
            assert!(local.success(), "{}", local.describe());
            assert!(remote.stdout.contains("kind: StatefulSet"));
            assert_eq!(
                remote.stdout,
                local.stdout,
                "{chart} pushed by {}, rendered by {}",
                h.label(),
                reader.label()
            );
        }
        // What the registry serves is the chart, file for file.
        let pulled = dir.path().join(format!("pulled-{chart}"));
        std::fs::create_dir_all(&pulled).expect("mkdir");
        let o = run(
            helm(h, &home)
                .arg("pull")
                .arg(format!("{}/{chart}", registry.url()))
                .args(["--version", "5.0.0", "--plain-http", "--destination"])
                .arg(&pulled),
            TOOL_TIMEOUT,
        );
        assert!(o.success(), "{}", o.describe());
        let files = generator::package::archive_files(&pulled.join(format!("{chart}-5.0.0.tgz")))
            .expect("pulled archive");
        let local = generator::package::dir_files(&root().join("generated-charts").join(chart))
            .expect("chart");
        assert!(generator::package::differing(&files, &local).is_empty());
    }

    // helmfile.yaml can take its charts from the registry.
    let fleet = testkit::write_file(
        dir.path(),
        "fleet.yaml",
        &format!(
            "charts:\n  repository: {}\ninstances:\n  - name: sessions\n    size: redis-1g\n  - name: orders\n    size: redis-2g\n",
            registry.url()
        ),
    );
    let out = dir.path().join("deploy");
    let o = chartgen(
        &root(),
        &[
            "fleet",
            &fleet.display().to_string(),
            "--out",
            &out.display().to_string(),
        ],
    );
    assert!(o.success(), "{}", o.describe());
    let mut cmd = Command::new(tool(Tool::Helmfile));
    cmd.current_dir(&out)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_REGISTRY_CONFIG", home.join("registry.json"))
        .arg("--helm-binary")
        .arg(tool(Tool::Helm3))
        .args(["template", "--skip-deps"]);
    let o = run(&mut cmd, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());
    let docs = helm_values::json::load_all("helmfile", &o.stdout).expect("YAML");
    let statefulsets: Vec<&str> = docs
        .iter()
        .filter(|d| d["kind"] == "StatefulSet")
        .filter_map(|d| d["metadata"]["name"].as_str())
        .collect();
    assert_eq!(
        statefulsets,
        ["sessions-redis-ha-server", "orders-redis-ha-server"]
    );
    assert!(
        o.stderr.contains(&format!(
            "Pulling 127.0.0.1:{}/charts/redis-1g:5.0.0",
            registry.port
        )),
        "{}",
        o.stderr
    );
}

#[test]
fn index_matches_helm_repo_index_and_is_stable() {
    let dir = testkit::temp_dir();
    let repo = dir.path().join("repo");
    assert!(package(&root(), &repo).success());
    let ours = std::fs::read(repo.join("index.yaml")).expect("index");
    // A second run keeps every archive and writes the same index.
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(&repo)
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    let o = package(&root(), &repo);
    assert!(o.success(), "{}", o.describe());
    assert!(o.stderr.contains("0 packaged, 7 unchanged"), "{}", o.stderr);
    for (name, bytes) in &before {
        assert_eq!(
            &std::fs::read(repo.join(name)).expect("read"),
            bytes,
            "{name} changed"
        );
    }
    let o = chartgen(
        &root(),
        &["package", "--check", "--out", &repo.display().to_string()],
    );
    assert!(o.success(), "{}", o.describe());

    // helm repo index over a copy gives the same entries, but for its timestamps.
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).expect("mkdir");
    for (name, bytes) in before.iter().filter(|(n, _)| n.ends_with(".tgz")) {
        std::fs::write(copy.join(name), bytes).expect("copy");
    }
    let home = dir.path().join("helm-home");
    let o = run(
        helm(Helm::V3, &home).args(["repo", "index"]).arg(&copy),
        TOOL_TIMEOUT,
    );
    assert!(o.success(), "{}", o.describe());
    let load = |p: &Path| -> Value {
        helm_values::json::load("index.yaml", &std::fs::read_to_string(p).expect("read"))
            .expect("YAML")
    };
    let mut theirs = load(&copy.join("index.yaml"));
    for versions in theirs["entries"]
        .as_object_mut()
        .expect("entries")
        .values_mut()
    {
        for v in versions.as_array_mut().expect("versions") {
            v.as_object_mut().expect("entry").remove("created");
        }
    }
    let ours =
        helm_values::json::load("index.yaml", &String::from_utf8_lossy(&ours)).expect("YAML");
    assert_eq!(ours["entries"], theirs["entries"]);
}

/// A scratch repository with chart-src/ and README.md copied, generated by chartgen.
fn scratch_repo() -> tempfile::TempDir {
    let dir = testkit::temp_dir();
    for entry in walkdir::WalkDir::new(root().join("chart-src")) {
        let entry = entry.expect("walk");
        let target = dir.path().join("chart-src").join(
            entry
                .path()
                .strip_prefix(root().join("chart-src"))
                .expect("prefix"),
        );
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
    std::fs::copy(root().join("README.md"), dir.path().join("README.md")).expect("README");
    let o = chartgen(dir.path(), &[]);
    assert!(o.success(), "{}", o.describe());
    dir
}

#[test]
fn a_changed_chart_needs_a_new_version() {
    let scratch = scratch_repo();
    let repo = scratch.path().join("published");
    assert!(package(scratch.path(), &repo).success());

    // Change what every chart renders, keep the version: refused, nothing written.
    let notes = scratch.path().join("chart-src/templates/NOTES.txt");
    let mut text = std::fs::read_to_string(&notes).expect("NOTES");
    text.push_str("\nChanged.\n");
    std::fs::write(&notes, text).expect("write");
    let index_before = std::fs::read(repo.join("index.yaml")).expect("index");
    let o = package(scratch.path(), &repo);
    assert_eq!(
        o.code,
        Some(2),
        "stale charts are refused first: {}",
        o.describe()
    );
    assert!(
        o.stderr.contains("generated-charts/ is stale"),
        "{}",
        o.stderr
    );
    assert!(chartgen(scratch.path(), &[]).success());
    let o = package(scratch.path(), &repo);
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(
        o.stderr.contains("redis-1g 5.0.0 is already packaged")
            && o.stderr.contains("templates/NOTES.txt"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("raise `version` in chart-src/variants.yaml"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read(repo.join("index.yaml")).expect("index"),
        index_before
    );

    // A new version is packaged beside the old one; the index lists the newest first.
    let variants = scratch.path().join("chart-src/variants.yaml");
    let text = std::fs::read_to_string(&variants).expect("variants");
    std::fs::write(&variants, text.replace("version: 5.0.0", "version: 5.0.1")).expect("write");
    assert!(chartgen(scratch.path(), &[]).success());
    let o = package(scratch.path(), &repo);
    assert!(o.success(), "{}", o.describe());
    assert!(repo.join("redis-1g-5.0.0.tgz").is_file() && repo.join("redis-1g-5.0.1.tgz").is_file());
    let index = helm_values::json::load(
        "index.yaml",
        &std::fs::read_to_string(repo.join("index.yaml")).expect("read"),
    )
    .expect("YAML");
    let versions: Vec<&str> = index["entries"]["redis-1g"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["version"].as_str())
        .collect();
    assert_eq!(versions, ["5.0.1", "5.0.0"]);
}
