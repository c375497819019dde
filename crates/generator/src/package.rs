//! `chartgen package`: every generated chart packaged with `helm package`, plus an `index.yaml`,
//! in a chart repository directory.
//!
//! Chart versions follow content: a published `<name>-<version>.tgz` is never replaced. When a
//! chart's files differ from the package of the same version already in the directory, the
//! run fails and names the files, as chart-testing's version-increment check does; a chart
//! whose package is unchanged keeps its archive byte for byte (Helm's archives hold packaging
//! timestamps, so repackaging would change every digest in the index).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::{yaml as yaml_out, Error, Result};

/// A chart's files: relative path → bytes (the archive's `<name>/` prefix removed).
pub type Files = BTreeMap<String, Vec<u8>>;

/// What happened to one chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Packaged anew (its version was not in the directory).
    Packaged,
    /// Its package in the directory already holds exactly these files.
    Unchanged,
}

/// One chart of a packaging run.
#[derive(Debug, Clone)]
pub struct Packaged {
    pub name: String,
    pub version: String,
    /// `<name>-<version>.tgz`.
    pub archive: String,
    pub outcome: Outcome,
}

/// A chart whose files changed while its version did not.
#[derive(Debug, Clone)]
pub struct VersionConflict {
    pub name: String,
    pub version: String,
    /// Files that differ, are new, or are gone.
    pub files: Vec<String>,
}

/// The files of a chart directory (`.helmignore` honoured only for what chartgen never writes:
/// a generated chart has nothing to ignore).
pub fn dir_files(dir: &Path) -> Result<Files> {
    let mut out = Files::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .map_err(|e| Error::Spec {
                    path: entry.path().to_path_buf(),
                    message: e.to_string(),
                })?
                .to_string_lossy()
                .to_string();
            out.insert(rel, crate::read_file(entry.path())?);
        }
    }
    Ok(out)
}

/// The files of a packaged chart (`<name>/...` inside a .tgz).
pub fn archive_files(tgz: &Path) -> Result<Files> {
    let bad = |message: String| Error::Spec {
        path: tgz.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(tgz).map_err(|source| Error::Io {
        path: tgz.to_path_buf(),
        source,
    })?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = Files::new();
    for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(|e| bad(e.to_string()))?.to_path_buf();
        let rel: PathBuf = path.components().skip(1).collect();
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| bad(e.to_string()))?;
        out.insert(rel.to_string_lossy().to_string(), bytes);
    }
    Ok(out)
}

/// The paths whose content differs between two file sets. Chart.yaml compares as data: `helm
/// package` rewrites it from its parsed form (key order, quoting, no comments).
pub fn differing(a: &Files, b: &Files) -> Vec<String> {
    let same = |k: &str, x: &[u8], y: &[u8]| {
        if k == "Chart.yaml" {
            let parse = |t: &[u8]| helm_values::json::load(k, &String::from_utf8_lossy(t)).ok();
            parse(x).is_some() && parse(x) == parse(y)
        } else {
            x == y
        }
    };
    let mut out: Vec<String> = a
        .iter()
        .filter(|(k, v)| !b.get(*k).is_some_and(|w| same(k, v, w)))
        .map(|(k, _)| k.clone())
        .chain(b.keys().filter(|k| !a.contains_key(*k)).cloned())
        .collect();
    out.sort();
    out
}

/// A chart's name and version from its Chart.yaml.
fn name_version(chart_yaml: &[u8], shown: &Path) -> Result<(String, String, Value)> {
    let text = String::from_utf8_lossy(chart_yaml);
    let meta =
        helm_values::json::load(&shown.display().to_string(), &text).map_err(|e| Error::Spec {
            path: shown.to_path_buf(),
            message: e.to_string(),
        })?;
    let field = |k: &str| meta[k].as_str().map(str::to_string);
    match (field("name"), field("version")) {
        (Some(n), Some(v)) => Ok((n, v, meta)),
        _ => Err(Error::Spec {
            path: shown.to_path_buf(),
            message: "Chart.yaml needs a name and a version".into(),
        }),
    }
}

/// Plans a packaging run: for every chart directory under `charts_dir`, whether its version is
/// already packaged in `repo_dir` (unchanged) or must be packaged; version conflicts fail it.
pub fn plan(
    charts_dir: &Path,
    repo_dir: &Path,
) -> Result<std::result::Result<Vec<Packaged>, Vec<VersionConflict>>> {
    let mut out = Vec::new();
    let mut conflicts = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(charts_dir)
        .map_err(|source| Error::Io {
            path: charts_dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let files = dir_files(&dir)?;
        let chart_yaml = files.get("Chart.yaml").cloned().unwrap_or_default();
        let (name, version, _) = name_version(&chart_yaml, &dir.join("Chart.yaml"))?;
        let archive = format!("{name}-{version}.tgz");
        let existing = repo_dir.join(&archive);
        let outcome = if existing.is_file() {
            let diff = differing(&files, &archive_files(&existing)?);
            if !diff.is_empty() {
                conflicts.push(VersionConflict {
                    name,
                    version,
                    files: diff,
                });
                continue;
            }
            Outcome::Unchanged
        } else {
            Outcome::Packaged
        };
        out.push(Packaged {
            name,
            version,
            archive,
            outcome,
        });
    }
    Ok(if conflicts.is_empty() {
        Ok(out)
    } else {
        Err(conflicts)
    })
}

/// Runs `helm package` for the charts to package into a fresh directory beside `repo_dir`,
/// then moves each new archive in and writes `index.yaml` last (through a temporary file), so
/// that a failure leaves the repository as it was.
pub fn write(helm: &Path, charts_dir: &Path, repo_dir: &Path, planned: &[Packaged]) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(repo_dir).map_err(io(repo_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".chartgen-package-")
        .tempdir_in(repo_dir)
        .map_err(io(repo_dir))?;
    for p in planned.iter().filter(|p| p.outcome == Outcome::Packaged) {
        let out = Command::new(helm)
            .arg("package")
            .arg(charts_dir.join(&p.name))
            .arg("--destination")
            .arg(staging.path())
            .output()
            .map_err(io(helm))?;
        if !out.status.success() {
            return Err(Error::Spec {
                path: charts_dir.join(&p.name),
                message: format!(
                    "helm package failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        // helm package writes what Chart.yaml says: check it is what was planned.
        let built = staging.path().join(&p.archive);
        let differ = differing(
            &dir_files(&charts_dir.join(&p.name))?,
            &archive_files(&built)?,
        );
        if !differ.is_empty() {
            return Err(Error::Spec {
                path: built,
                message: format!(
                    "the package differs from the chart in {}",
                    differ.join(", ")
                ),
            });
        }
    }
    let index = index(repo_dir, staging.path())?;
    for p in planned.iter().filter(|p| p.outcome == Outcome::Packaged) {
        let to = repo_dir.join(&p.archive);
        std::fs::rename(staging.path().join(&p.archive), &to).map_err(io(&to))?;
    }
    let tmp = staging.path().join("index.yaml");
    std::fs::write(&tmp, index).map_err(io(&tmp))?;
    let target = repo_dir.join("index.yaml");
    std::fs::rename(&tmp, &target).map_err(io(&target))
}

/// The repository index of every archive in `repo_dir` and `staged` (the new ones): Helm's
/// `index.yaml` format, entries by name, newest version first, without the timestamps `helm
/// repo index` adds (so that the same archives give the same bytes).
pub fn index(repo_dir: &Path, staged: &Path) -> Result<String> {
    let mut archives: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in [repo_dir, staged] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with(".tgz") {
                archives.insert(name, e.path());
            }
        }
    }
    let mut entries: BTreeMap<String, Vec<(semver_key::Key, Value)>> = BTreeMap::new();
    for (file, path) in &archives {
        let files = archive_files(path)?;
        let chart_yaml = files.get("Chart.yaml").ok_or_else(|| Error::Spec {
            path: path.clone(),
            message: "no Chart.yaml in the archive".into(),
        })?;
        let (name, version, meta) = name_version(chart_yaml, path)?;
        let bytes = crate::read_file(path)?;
        let mut entry: Map<String, Value> = meta.as_object().cloned().unwrap_or_default();
        entry.insert("urls".into(), json!([file]));
        entry.insert(
            "digest".into(),
            json!(format!("{:x}", Sha256::digest(&bytes))),
        );
        entries
            .entry(name)
            .or_default()
            .push((semver_key::Key::parse(&version), Value::Object(entry)));
    }
    let mut by_name = Map::new();
    for (name, mut versions) in entries {
        versions.sort_by(|a, b| b.0.cmp(&a.0));
        by_name.insert(
            name,
            Value::Array(versions.into_iter().map(|(_, v)| v).collect()),
        );
    }
    let mut out = String::from(
        "# Chart repository index written by `chartgen package`: one entry per archive here.\n",
    );
    yaml_out::write_block(
        &mut out,
        0,
        &json!({ "apiVersion": "v1", "entries": by_name }),
    );
    Ok(out)
}

/// Version ordering for the index: numeric `MAJOR.MINOR.PATCH`, a pre-release before its
/// release (SemVer 2.0.0 precedence, enough for chart versions).
mod semver_key {
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    pub struct Key(Vec<u64>, bool, String);

    impl Key {
        pub fn parse(v: &str) -> Key {
            let v = v.split('+').next().unwrap_or(v);
            let (core, pre) = match v.split_once('-') {
                Some((c, p)) => (c, Some(p)),
                None => (v, None),
            };
            let nums = core
                .split('.')
                .map(|p| p.parse().unwrap_or(0))
                .collect::<Vec<u64>>();
            Key(nums, pre.is_none(), pre.unwrap_or("").to_string())
        }
    }

    #[test]
    fn prereleases_sort_before_releases() {
        assert!(Key::parse("5.0.0-rc.1") < Key::parse("5.0.0"));
        assert!(Key::parse("5.0.0") < Key::parse("5.0.1"));
        assert!(Key::parse("5.10.0") > Key::parse("5.9.0"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_yaml_compares_as_data() {
        let a: Files = [(
            "Chart.yaml".to_string(),
            b"# c\nname: x\nversion: \"1.0.0\"\n".to_vec(),
        )]
        .into();
        let b: Files = [(
            "Chart.yaml".to_string(),
            b"version: 1.0.0\nname: x\n".to_vec(),
        )]
        .into();
        assert!(differing(&a, &b).is_empty());
        let c: Files = [(
            "Chart.yaml".to_string(),
            b"version: 1.0.1\nname: x\n".to_vec(),
        )]
        .into();
        assert_eq!(differing(&a, &c), ["Chart.yaml"]);
    }

    #[test]
    fn differing_files_both_ways() {
        let a: Files = [
            ("a".to_string(), b"1".to_vec()),
            ("b".into(), b"2".to_vec()),
        ]
        .into();
        let b: Files = [
            ("a".to_string(), b"1".to_vec()),
            ("c".into(), b"3".to_vec()),
        ]
        .into();
        assert_eq!(differing(&a, &b), ["b", "c"]);
        assert!(differing(&a, &a).is_empty());
    }
}
