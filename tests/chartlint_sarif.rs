//! SARIF output checked by Microsoft's validator (`Sarif.Multitool validate`).
//!
//! scripts/install-test-tools.sh installs it into .tools/sarif (the npm package
//! @microsoft/sarif-multitool-linux); a missing validator fails the test. Override the location
//! with `SARIF_MULTITOOL`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn multitool() -> PathBuf {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        p.exists(),
        "Sarif.Multitool is missing at {}: run scripts/test.sh (it installs the test tools)",
        p.display()
    );
    p
}

#[test]
fn sarif_passes_microsoft_validator() {
    let tool = multitool();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chartlint");
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 3] = [
        &["chart", "--each", "values", "--format", "sarif"],
        &[
            "chart",
            "-f",
            "values/invalid.yaml",
            "--set",
            "image.tga=1",
            "--set-string",
            "replicas=x",
            "--format",
            "sarif",
        ],
        &["chart", "-f", "values/clean.yaml", "--format", "sarif"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let o = Command::new(env!("CARGO_BIN_EXE_chartlint"))
            .args(*args)
            .args(["--config", "engine.chartlint.yaml"])
            .current_dir(&fixtures)
            .output()
            .unwrap();
        assert!(o.status.code().is_some_and(|c| c < 2));
        let log = dir.path().join(format!("case{i}.sarif"));
        std::fs::write(&log, &o.stdout).unwrap();
        let report = dir.path().join(format!("case{i}.validation.sarif"));
        let v = Command::new(&tool)
            // No ICU needed: a fresh Debian machine may not have libicu.
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .arg("validate")
            .arg(&log)
            .arg("-o")
            .arg(&report)
            .output()
            .expect("run Sarif.Multitool");
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
        // The validator exits 0 even when it finds problems: read its own SARIF report.
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let results = r["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            results.is_empty(),
            "case {i}: validator findings: {results:#?}"
        );
    }
}
