//! End-to-end tests of the `chartlint` binary on fixture charts and values files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chartlint")
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run the binary from the fixtures directory, so that paths in the output are relative and stable.
fn run_in(dir: &Path, args: &[&str]) -> Out {
    let mut args = args.to_vec();
    let engine_cfg = fixtures().join("engine.chartlint.yaml");
    // Judge only the engine's rules unless a test brings its own configuration.
    if !args.contains(&"--config")
        && !dir.join(".chartlint.yaml").exists()
        && !args.contains(&"--no-engine-config")
    {
        args.extend(["--config", engine_cfg.to_str().unwrap()]);
    }
    args.retain(|a| *a != "--no-engine-config");
    let o = Command::new(env!("CARGO_BIN_EXE_chartlint"))
        .args(&args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run chartlint");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Out {
    run_in(&fixtures(), args)
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let o = run(&all);
    let v = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", o.stdout, o.stderr));
    (o.code, v)
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn clean_file_exits_zero() {
    let (code, v) = json(&["chart", "-f", "values/clean.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"],
        serde_json::json!({"errors": 0, "warnings": 0, "infos": 0, "files": 1})
    );
}

#[test]
fn warnings_fail_only_with_strict() {
    assert_eq!(run(&["chart", "-f", "values/typo.yaml"]).code, 0);
    assert_eq!(
        run(&["chart", "-f", "values/typo.yaml", "--strict"]).code,
        1
    );
}

#[test]
fn schema_errors_exit_one_and_point_at_lines() {
    let (code, v) = json(&["chart", "-f", "values/invalid.yaml"]);
    assert_eq!(code, 1);
    let d = &v["diagnostics"];
    let at: Vec<(String, u64, u64, String)> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().into(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        at.contains(&("RHA001".into(), 1, 1, "replicas".into())),
        "{at:?}"
    );
    assert!(
        at.contains(&("RHA001".into(), 4, 8, "image.tag".into())),
        "{at:?}"
    );
    assert!(
        at.contains(&("RHA001".into(), 7, 11, "haproxy.service.type".into())),
        "{at:?}"
    );
    assert!(
        at.contains(&("RHA001".into(), 11, 11, "sentinel.quorum".into())),
        "{at:?}"
    );
    assert!(
        at.contains(&("RHA003".into(), 9, 3, "haproxy.replicas".into())),
        "{at:?}"
    );
}

#[test]
fn unknown_key_suggestion() {
    let (_, v) = json(&["chart", "-f", "values/typo.yaml"]);
    let d = &v["diagnostics"][0];
    assert_eq!(d["path"], "haproxy.enabel");
    assert_eq!(d["help"], "did you mean `haproxy.enabled`?");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(3))
    );
    // Free-form maps (labels) are not checked inside.
    assert!(!v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["path"].as_str().unwrap().starts_with("labels")));
}

#[test]
fn several_files_merge_in_order_and_set_is_located() {
    // typo.yaml sets haproxy.enabel; --set fixes nothing but adds its own typo, located in the argument.
    let (_, v) = json(&[
        "chart",
        "-f",
        "values/clean.yaml",
        "-f",
        "values/typo.yaml",
        "--set",
        "image.tga=x,replicas=0",
    ]);
    let diags = v["diagnostics"].as_array().unwrap();
    let set_typo = diags
        .iter()
        .find(|d| d["path"] == "image.tga")
        .expect("image.tga");
    assert_eq!(set_typo["file"], "--set #1");
    assert_eq!(set_typo["column"], 1);
    assert_eq!(set_typo["help"], "did you mean `image.tag`?");
    // replicas=0 is an int64 from --set and violates minimum 1.
    let min = diags
        .iter()
        .find(|d| d["path"] == "replicas")
        .expect("replicas");
    assert_eq!(
        (min["file"].as_str(), min["column"].as_u64()),
        (Some("--set #1"), Some(22))
    );
    assert_eq!(v["summary"]["files"], 1);
}

#[test]
fn set_string_and_set_typing() {
    // --set replicas=3 is an int (valid); --set-string makes it a string (invalid).
    assert_eq!(json(&["chart", "--set", "replicas=3"]).0, 0);
    let (code, v) = json(&["chart", "--set-string", "replicas=3"]);
    assert_eq!(code, 1);
    assert_eq!(v["diagnostics"][0]["file"], "--set-string #1");
    // --set x=yes stays a string: no YAML 1.1 boolean warning for it.
    let (_, v) = json(&["chart", "--set", "redis.config.appendonly=yes"]);
    assert!(rules_of(&v).is_empty(), "{v}");
    let (_, v) = json(&["chart", "--set", "redis.config.appendonly=true"]);
    assert_eq!(rules_of(&v), ["RHA004"]);
    // Without any -f file, unknown keys from --set are still found.
    let (_, v) = json(&["chart", "--set", "haproxy.enabel=true"]);
    assert_eq!(rules_of(&v), ["RHA002"]);
}

#[test]
fn redis_config_rules() {
    let (code, v) = json(&["chart", "-f", "values/redis-config.yaml"]);
    assert_eq!(code, 0);
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().into(),
                d["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("RHA004".into(), "redis.config.appendonly".into()),
            ("RHA005".into(), "redis.config.maxmemory".into()),
            ("RHA004".into(), "sentinel.config.resolve-hostnames".into()),
            (
                "RHA005".into(),
                "sentinel.config.down-after-milliseconds".into()
            ),
        ]
    );
}

#[test]
fn inline_suppressions() {
    let (_, v) = json(&["chart", "-f", "values/suppressed.yaml"]);
    let found: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().into(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Line 2 and 4 are suppressed with reasons; line 7 is suppressed but has no reason;
    // line 8 names a rule that does not exist, so the finding stays.
    assert_eq!(
        found,
        [
            ("RHA008".into(), 7),
            ("RHA002".into(), 8),
            ("RHA009".into(), 8)
        ]
    );
}

#[test]
fn config_file_changes_severity_and_scopes() {
    let dir = fixtures();
    let cfg = dir.join("config/.chartlint.yaml");
    let cfg = cfg.to_str().unwrap();
    let (code, v) = json(&["chart", "-f", "values/typo.yaml", "--config", cfg]);
    // unknown-key became an error, except under podSecurityPolicy (override).
    assert_eq!(code, 1);
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["haproxy.enabel", "replica"]);
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "error"));
    // RHA006 is off.
    let (_, v) = json(&["chart", "-f", "values/anchors.yaml", "--config", cfg]);
    assert!(!rules_of(&v).contains(&"RHA006".to_string()));
    // A .chartlint.yaml in the current directory is picked up without --config.
    let o = run_in(
        &dir.join("config"),
        &["../chart", "-f", "../values/typo.yaml", "--format", "json"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    // A broken config is an input error.
    let o = run(&["chart", "--config", "values/typo.yaml"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown key `haproxy`"), "{}", o.stderr);
}

#[test]
fn each_lints_files_separately() {
    let (code, v) = json(&["chart", "--each", "each"]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["files"], 3);
    let files: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["each/b.yml", "each/nested/c.yaml"]);
    // One unreadable file: exit 2, the others are still reported.
    let o = run(&["chart", "--each", "each/a.yaml", "missing.yaml"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("missing.yaml"), "{}", o.stderr);
}

#[test]
fn list_and_explain() {
    let o = run(&["--list-rules"]);
    assert_eq!(o.code, 0);
    let first = o.stdout.lines().next().unwrap();
    assert!(first.starts_with("RHA001  schema-violation"), "{first}");
    assert!(first.ends_with("error"));
    assert_eq!(
        o.stdout.lines().count(),
        chartlint::rules::registry().len() + chartlint::fleet::RULES.len()
    );
    // The severities form one column, long names included.
    let columns: BTreeSet<usize> = o
        .stdout
        .lines()
        .filter_map(|l| l.rfind(' ').map(|i| i + 1))
        .collect();
    assert_eq!(columns.len(), 1, "{}", o.stdout);
    let o = run(&["--explain", "RHA002"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("### Why it matters"));
    assert_eq!(run(&["--explain", "RHA999"]).code, 2);
}

#[test]
fn usage_and_input_errors_exit_two() {
    let o = run(&["chart", "-f", "values/nope.yaml"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("values/nope.yaml") && o.stderr.contains("cannot read file"),
        "{}",
        o.stderr
    );
    assert_eq!(run(&["no-such-chart"]).code, 2);
    assert_eq!(run(&["chart", "--format", "xml"]).code, 2);
    let o = run(&["chart", "--set", "a.b"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--set #1:1:1"), "{}", o.stderr);
}

fn tmp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

/// Hostile inputs end in a located exit-2 error, quickly (limit is generous for loaded CI machines;
/// each case takes a few milliseconds in practice).
#[test]
fn hostile_inputs_fail_fast() {
    let dir = tempfile::tempdir().unwrap();
    let mut laughs = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        laughs.push_str(&format!("a{i}: &a{i} [{}]\n", [p.as_str(); 9].join(", ")));
    }
    // `a:\n  - - - ... 1`: 10,000 nested block sequences on one line.
    let deep_block = format!("a:\n  {}1\n", "- ".repeat(10_000));
    let deep_map = format!("a: {}1{}\n", "{k: ".repeat(10_000), "}".repeat(10_000));
    let mut big = "a: 1\n".repeat(10_500_000).into_bytes();
    big.truncate(50 * 1024 * 1024);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "latin1.yaml",
            b"name: caf\xe9\n".to_vec(),
            "not valid UTF-8",
        ),
        (
            "binary.yaml",
            b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec(),
            "binary file",
        ),
        ("big.yaml", big, "byte limit"),
        (
            "deep.yaml",
            format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            "nesting is deeper",
        ),
        (
            "deepblock.yaml",
            deep_block.into_bytes(),
            "nesting is deeper",
        ),
        ("deepmap.yaml", deep_map.into_bytes(), "nesting is deeper"),
        ("laughs.yaml", laughs.into_bytes(), "excessive aliasing"),
        ("syntax.yaml", b"a: [1, 2\nb: 3\n".to_vec(), "invalid YAML"),
        ("inf.yaml", b"x: .inf\n".to_vec(), "not a finite number"),
    ];
    for (name, bytes, expect) in cases {
        let path = tmp_file(&dir, name, &bytes);
        let t = Instant::now();
        let o = run(&["chart", "-f", &path]);
        let took = t.elapsed();
        assert_eq!(o.code, 2, "{name}: {}", o.stderr);
        assert!(o.stderr.contains(expect), "{name}: {}", o.stderr);
        assert!(
            o.stderr.contains(&format!("{path}:")),
            "{name} is not located: {}",
            o.stderr
        );
        assert!(!o.stderr.contains("panicked"), "{name}: {}", o.stderr);
        assert!(took < Duration::from_secs(3), "{name} took {took:?}");
    }
}

#[test]
fn realworld_files_load_against_generated_chart() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chart = root.join("generated-charts/redis-ha");
    let realworld = root.join("tests/fixtures/realworld");
    assert!(
        chart.join("values.schema.json").exists(),
        "generated-charts/redis-ha is missing: run `cargo run -p chartgen`"
    );
    assert!(realworld.exists(), "{} is missing", realworld.display());
    for entry in std::fs::read_dir(&realworld).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let o = run_in(
            root,
            &[
                chart.to_str().unwrap(),
                "-f",
                p.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        assert_ne!(o.code, 2, "{}: {}", p.display(), o.stderr);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        let schema_errors: Vec<&serde_json::Value> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "RHA001")
            .collect();
        assert!(
            schema_errors.is_empty(),
            "{}: {schema_errors:?}",
            p.display()
        );
    }
    let invalid = realworld.join("invalid/zenko-legacy-replicas-map-values.yaml");
    let o = run_in(
        root,
        &[
            chart.to_str().unwrap(),
            "-f",
            invalid.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(o.code, 1);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["rule"].as_str(), d["path"].as_str()),
        (Some("RHA001"), Some("replicas"))
    );
    let line = std::fs::read_to_string(&invalid)
        .unwrap()
        .lines()
        .nth(d["line"].as_u64().unwrap() as usize - 1)
        .unwrap()
        .to_string();
    assert!(line.starts_with("replicas:"), "{line}");
}

/// `--server-version` judges redis.conf for the named server instead of the image's, and a
/// value that names none is a usage error (exit 2).
#[test]
fn server_version_overrides_the_image() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chart = root.join("generated-charts/redis-ha");
    let dir = tempfile::tempdir().expect("temp dir");
    let values = dir.path().join("v.yaml");
    std::fs::write(
        &values,
        "image: {tag: 8.2.3}\nredis:\n  config:\n    hide-user-data-from-log: \"yes\"\n",
    )
    .expect("write values");
    let args = |extra: &[&str]| {
        let mut a = vec![
            chart.to_str().unwrap().to_string(),
            "-f".into(),
            values.to_str().unwrap().to_string(),
            "--no-engine-config".into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let image = run_in(
        dir.path(),
        &args(&[]).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(!image.stdout.contains("RHA130"), "{}", image.stdout);
    let old = run_in(
        dir.path(),
        &args(&["--server-version", "redis:7.0"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(old.code, 1, "{}{}", old.stdout, old.stderr);
    assert!(old.stdout.contains("error[RHA130]"), "{}", old.stdout);
    assert!(
        old.stdout.contains("Redis 7.0 refuses to start"),
        "{}",
        old.stdout
    );
    let bad = run_in(
        dir.path(),
        &args(&["--server-version", "memcached:1"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(bad.code, 2, "{}{}", bad.stdout, bad.stderr);
    assert!(
        bad.stderr.contains("invalid --server-version"),
        "{}",
        bad.stderr
    );
}
