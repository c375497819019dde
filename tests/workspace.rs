//! The workspace's declared minimum Rust version is true: no locked dependency needs a newer
//! compiler, and every member inherits the one declared value (cargo reads it per package).

use std::process::Command;

use serde_json::Value;

/// `1.89` and `1.89.0` are the same version: compare three components.
fn version(v: &str) -> [u64; 3] {
    let mut out = [0; 3];
    for (slot, part) in out.iter_mut().zip(v.split('.')) {
        *slot = part.parse().unwrap_or(0);
    }
    out
}

#[test]
fn rust_version_covers_every_locked_dependency_and_every_member_inherits_it() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let packages = meta["packages"].as_array().expect("packages");
    let declared = env!("CARGO_PKG_RUST_VERSION");
    assert!(
        !declared.is_empty(),
        "the root package declares no rust-version"
    );

    let mut failures = Vec::new();
    for p in packages {
        let id = p["id"].as_str().unwrap_or_default();
        let name = p["name"].as_str().unwrap_or_default();
        let needs = p["rust_version"].as_str();
        if members.contains(&id) {
            if needs != Some(declared) {
                failures.push(format!(
                    "member {name} declares rust-version {needs:?}, not the workspace's {declared} \
                     (use `rust-version.workspace = true`)"
                ));
            }
        } else if let Some(needs) = needs {
            if version(needs) > version(declared) {
                failures.push(format!(
                    "{name} {} needs Rust {needs}, above the declared {declared}",
                    p["version"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// scripts/test.sh runs each phase with explicit `-p` lists; a new crate must be in one of them.
#[test]
fn every_workspace_member_is_tested_by_the_test_script() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join("scripts/test.sh")).expect("scripts/test.sh");
    let tested: Vec<&str> = script
        .lines()
        .filter(|l| l.contains("cargo test"))
        .flat_map(|l| l.split(" -p ").skip(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let mut missing = vec![];
    // The root package, then each member directory's package name.
    let mut names = vec!["chartgen".to_string()];
    for member in manifest
        .split("members = [")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
    {
        let text = std::fs::read_to_string(root.join(member).join("Cargo.toml")).expect("member");
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .and_then(|l| l.strip_suffix('"'))
            .expect("package name");
        names.push(name.to_string());
    }
    for name in &names {
        if !tested.contains(&name.as_str()) {
            missing.push(name.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "workspace members no phase of scripts/test.sh tests: {missing:?} (tested: {tested:?})"
    );
}
