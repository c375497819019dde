//! Writing the generated files atomically, and comparing them with what is on disk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::{Error, Result};

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOut {
    pub contents: Vec<u8>,
    pub executable: bool,
}

impl FileOut {
    pub fn text(s: String) -> Self {
        FileOut {
            contents: s.into_bytes(),
            executable: false,
        }
    }
    pub fn bytes(contents: Vec<u8>, executable: bool) -> Self {
        FileOut {
            contents,
            executable,
        }
    }
}

/// Every generated file, keyed by its path relative to the repository root. Paths under one of
/// the `owned` directories make up those directories entirely (a file on disk there that is not
/// generated is stale); any other path is a single file (such as README.md, whose marked
/// sections are generated).
pub struct Output {
    pub files: BTreeMap<PathBuf, FileOut>,
    /// Directories (relative to the root) that the generator owns entirely.
    pub owned: Vec<PathBuf>,
}

/// A difference between the generated output and the files on disk.
#[derive(Debug)]
pub struct Stale {
    pub path: PathBuf,
    /// Unified diff from the file on disk to the generated file (empty for binary files).
    pub diff: String,
}

/// Writes `output` under `root`: everything is first written to a build directory inside
/// `root`, then each owned directory is swapped in by rename, so an interrupted run leaves
/// either the old or the new tree, never a half-written chart.
pub fn write(root: &Path, output: &Output) -> Result<()> {
    stage(root, output)?.commit()
}

/// Output written to its build directory, not yet swapped in: [`Staged::commit`] swaps it in,
/// dropping it removes it (nothing written). Callers stage while they still check the output
/// (`chartgen fleet` lints while the files are created).
pub struct Staged<'a> {
    build: tempfile::TempDir,
    root: PathBuf,
    output: &'a Output,
}

/// Writes every file of `output` to a build directory inside `root`.
pub fn stage<'a>(root: &Path, output: &'a Output) -> Result<Staged<'a>> {
    let build = tempfile::Builder::new()
        .prefix(".chartgen-build-")
        .tempdir_in(root)
        .map_err(|source| Error::Io {
            path: root.to_path_buf(),
            source,
        })?;
    let parents: BTreeSet<PathBuf> = output
        .files
        .keys()
        .filter_map(|rel| build.path().join(rel).parent().map(Path::to_path_buf))
        .collect();
    for parent in &parents {
        std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
    }
    // Creating a file is a journal round trip on most file systems: a fleet writes a thousand,
    // so they are written from every core.
    {
        use rayon::prelude::*;
        output.files.par_iter().try_for_each(|(rel, file)| {
            let path = build.path().join(rel);
            std::fs::write(&path, &file.contents).map_err(|source| io(&path, source))?;
            set_mode(&path, file.executable)
        })?;
    }
    Ok(Staged {
        build,
        root: root.to_path_buf(),
        output,
    })
}

impl Staged<'_> {
    /// Swaps the staged output in: each owned directory by one rename, then the single files.
    pub fn commit(self) -> Result<()> {
        let Staged {
            build,
            root,
            output,
        } = self;
        let root = root.as_path();
        for (i, dir) in output.owned.iter().enumerate() {
            let fresh = build.path().join(dir);
            if !fresh.exists() {
                std::fs::create_dir_all(&fresh).map_err(|source| io(&fresh, source))?;
            }
            let target = root.join(dir);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
            }
            let old = build.path().join(format!(".old-{i}"));
            if target.exists() {
                std::fs::rename(&target, &old).map_err(|source| io(&target, source))?;
            }
            std::fs::rename(&fresh, &target).map_err(|source| io(&target, source))?;
        }
        for rel in output.files.keys().filter(|p| !output.is_owned(p)) {
            let (from, to) = (build.path().join(rel), root.join(rel));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
            }
            std::fs::rename(&from, &to).map_err(|source| io(&to, source))?;
        }
        // The build directory (with the old trees) is removed when `build` drops.
        Ok(())
    }
}

/// Compares `output` with the files under `root`'s owned directories. Returns every file that
/// differs, is missing, or exists on disk without being generated.
pub fn check(root: &Path, output: &Output) -> Result<Vec<Stale>> {
    let mut stale = Vec::new();
    let mut on_disk = BTreeSet::new();
    for dir in &output.owned {
        let top = root.join(dir);
        if !top.exists() {
            continue;
        }
        for entry in WalkDir::new(&top).sort_by_file_name() {
            let entry = entry.map_err(|e| io(&top, e.into()))?;
            if entry.file_type().is_file() {
                if let Ok(rel) = entry.path().strip_prefix(root) {
                    on_disk.insert(rel.to_path_buf());
                }
            }
        }
    }
    for (rel, file) in &output.files {
        let path = root.join(rel);
        let current = if on_disk.contains(rel) || (!output.is_owned(rel) && path.is_file()) {
            Some(std::fs::read(&path).map_err(|source| io(&path, source))?)
        } else {
            None
        };
        if current.as_deref() != Some(file.contents.as_slice()) {
            let old = current
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let new = String::from_utf8_lossy(&file.contents);
            let name = rel.display().to_string();
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name} (generated)"))
                .to_string();
            stale.push(Stale {
                path: rel.clone(),
                diff,
            });
        }
    }
    for rel in on_disk {
        if !output.files.contains_key(&rel) {
            stale.push(Stale {
                diff: format!(
                    "--- a/{0}\n+++ /dev/null\n(not generated: remove it)\n",
                    rel.display()
                ),
                path: rel,
            });
        }
    }
    Ok(stale)
}

impl Output {
    fn is_owned(&self, rel: &Path) -> bool {
        self.owned.iter().any(|d| rel.starts_with(d))
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, executable: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|s| io(path, s))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: bool) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(p, c)| (PathBuf::from(p), FileOut::text(c.to_string())))
                .collect(),
            owned: crate::OWNED_DIRS.iter().map(PathBuf::from).collect(),
        }
    }

    #[test]
    fn write_then_check_is_clean_and_edits_are_found() {
        let root = tempfile::tempdir().expect("tempdir");
        let out = output(&[
            ("generated-charts/c/a.txt", "one\n"),
            ("schemas/s.json", "{}\n"),
        ]);
        write(root.path(), &out).expect("write");
        assert!(check(root.path(), &out).expect("check").is_empty());

        std::fs::write(root.path().join("generated-charts/c/a.txt"), "edited\n").expect("edit");
        std::fs::write(root.path().join("generated-charts/c/extra.txt"), "x\n").expect("extra");
        let stale = check(root.path(), &out).expect("check");
        let paths: Vec<String> = stale.iter().map(|s| s.path.display().to_string()).collect();
        assert_eq!(
            paths,
            ["generated-charts/c/a.txt", "generated-charts/c/extra.txt"]
        );
        assert!(stale[0].diff.contains("-edited\n+one\n"));

        // Rewriting replaces the whole tree: the extra file is gone, no build dir is left.
        write(root.path(), &out).expect("rewrite");
        assert!(check(root.path(), &out).expect("check").is_empty());
        let leftovers: Vec<_> = std::fs::read_dir(root.path())
            .expect("read_dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with(".chartgen-build-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
