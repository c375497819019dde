//! insta file snapshots of the three output formats (human, JSON, SARIF) on fixture inputs.

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chartlint");
    let o = Command::new(env!("CARGO_BIN_EXE_chartlint"))
        .args(args)
        .args(["--config", "engine.chartlint.yaml"])
        .current_dir(dir)
        .output()
        .expect("run chartlint");
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 output")
}

const ALL: [&str; 6] = [
    "values/typo.yaml",
    "values/invalid.yaml",
    "values/redis-config.yaml",
    "values/suppressed.yaml",
    "values/anchors.yaml",
    "values/clean.yaml",
];

#[test]
fn human_output() {
    for f in ALL {
        let name = Path::new(f).file_stem().unwrap().to_str().unwrap();
        insta::assert_snapshot!(
            format!("human_{name}"),
            run(&["chart", "-f", f, "--color", "never"])
        );
    }
}

#[test]
fn human_output_with_set() {
    insta::assert_snapshot!(
        "human_set",
        run(&[
            "chart",
            "-f",
            "values/clean.yaml",
            "--set",
            "haproxy.enabel=true,replicas=0",
            "--set-string",
            "sentinel.quorum=2",
            "--color",
            "never"
        ])
    );
}

#[test]
fn json_output() {
    let out = run(&[
        "chart",
        "-f",
        "values/invalid.yaml",
        "-f",
        "values/redis-config.yaml",
        "--set",
        "image.tga=x",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::assert_json_snapshot!("json_invalid_redis_config", v);
}

#[test]
fn sarif_output() {
    let out = run(&["chart", "--each", "values", "--format", "sarif"]);
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Keep the engine's rule descriptors only: the Redis rules' texts have their own owners.
    let rules = &mut v["runs"][0]["tool"]["driver"]["rules"];
    let all = rules.as_array().unwrap().len();
    assert!(all >= 9);
    rules
        .as_array_mut()
        .unwrap()
        .retain(|r| r["id"].as_str().unwrap() < "RHA100");
    insta::assert_json_snapshot!("sarif_all_values", v);
}
