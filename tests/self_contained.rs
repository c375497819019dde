//! The repository stands on its own: no file in it names a path outside the repository or a
//! document that is not in it. Users read these texts (rule docs, READMEs, `chartgen explain`,
//! man pages) and the tests read these paths; both must work on a clone in an empty folder.

use std::path::{Path, PathBuf};

use testkit::repo_root;

/// Texts that point outside the repository: the folders beside it, absolute paths of this
/// development machine, and documents only the developers had.
const OUTSIDE: &[&str] = &[
    "../shared",
    "shared/realworld",
    "shared/reference",
    "/work/",
    "redis-facts",
    "redis-ha-interface",
    "helm-yaml-and-crates",
    "scratch-values",
    "CHART.md",
];

/// Directories that are not the repository's own content.
const SKIP_DIRS: &[&str] = &[".git", "target", ".tools", "node_modules"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        // `.git` is a file in a git worktree.
        if SKIP_DIRS.contains(&name.as_str()) || name.starts_with(".chartgen-build-") {
            continue;
        }
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn repository_files() -> Vec<(PathBuf, String)> {
    let root = repo_root();
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?; // binary files hold no references
            let rel = p.strip_prefix(&root).ok()?.to_path_buf();
            Some((rel, text))
        })
        .collect()
}

#[test]
fn no_file_points_outside_the_repository() {
    let this_file = Path::new("tests/self_contained.rs");
    let mut found = Vec::new();
    for (rel, text) in repository_files() {
        if rel == this_file {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            for needle in OUTSIDE {
                if line.contains(needle) {
                    found.push(format!(
                        "{}:{}: `{needle}` in: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
            // A section sign cites a section of some document; the project cites URLs or tests.
            if line.contains('§') {
                found.push(format!(
                    "{}:{}: `§` in: {}",
                    rel.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} references outside the repository:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn relative_markdown_links_point_at_files_in_the_repository() {
    let root = repo_root();
    let mut broken = Vec::new();
    for (rel, text) in repository_files() {
        if rel.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let dir = rel.parent().unwrap_or(Path::new(""));
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                rest = &rest[at + 2..];
                let Some(end) = rest.find(')') else { break };
                let target = &rest[..end];
                rest = &rest[end..];
                let target = target.split('#').next().unwrap_or_default();
                if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                if !root.join(dir).join(target).exists() {
                    broken.push(format!("{}:{}: {target}", rel.display(), n + 1));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to files that do not exist:\n{}",
        broken.join("\n")
    );
}
