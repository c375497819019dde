//! The directive catalogues of the servers installed for the tests are derived from the
//! binaries, and this test re-derives them: `CONFIG GET *` for the names, then one
//! config-file probe per question (is the name known, how does it read a bogus value, where
//! are its bounds), judged by what the server prints when it stops. It fails when a committed
//! catalogue (crates/model/data/directives/{redis-7.0,redis-8.2,valkey-9}.json) differs from
//! what the installed server does; `CATALOGUE_UPDATE=1` rewrites them instead.
//!
//! A probe writes `port 0`, `dir <tmp>`, `save ""`, the probed line, then a line no server
//! knows, and starts the server on it: it always exits. The probed line was refused when the
//! server names it (`>>> '<line>'` after "FATAL CONFIG FILE ERROR", or in Redis 8's
//! "Unresolved Configuration(s) Detected" list, printed only after loading); otherwise the
//! server read it and stopped at the unknown line.
//!
//! What probes cannot tell (which names are aliases, which special parser a directive has,
//! the words of a multi-word flag set) is carried over from the committed catalogue, which
//! started from the release's config.c (scripts/catalogue-from-source.py); aliases are kept
//! only when the server accepts them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use model::directives::{Basis, Catalogue, Directive, Kind};
use testkit::{par_map, repo_root, resp_command, run, temp_dir, write_file, Resp};

#[path = "common/installed_servers.rs"]
mod installed_servers;
use installed_servers::{installed, Installed};

/// What a server did with a probed line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Unknown,
    Refused(String),
}

struct Prober {
    binary: PathBuf,
    dir: tempfile::TempDir,
}

const END: &str = "zzz-chartlint-probe-end yes";

impl Prober {
    fn new(binary: &Path) -> Prober {
        Prober {
            binary: binary.to_path_buf(),
            dir: temp_dir(),
        }
    }

    fn probe(&self, line: &str) -> Outcome {
        let work = tempfile::Builder::new()
            .prefix("probe-")
            .tempdir_in(self.dir.path())
            .expect("probe dir");
        let conf = format!(
            "port 0\ndir \"{}\"\nsave \"\"\n{line}\n{END}\n",
            work.path().display()
        );
        let path = write_file(work.path(), "probe.conf", &conf);
        let out = run(
            Command::new(&self.binary)
                .arg(&path)
                .current_dir(work.path()),
            Duration::from_secs(20),
        );
        assert!(
            !out.timed_out,
            "probe kept running: {line:?}: {}",
            out.describe()
        );
        let text = format!("{}\n{}", out.stdout, out.stderr);
        classify(&text, line)
    }
}

/// Read a stopped server's output for the probed line.
fn classify(text: &str, line: &str) -> Outcome {
    let marker = format!(">>> '{line}'");
    let lines: Vec<&str> = text.lines().collect();
    if text.contains("FATAL CONFIG FILE ERROR") {
        if let Some(i) = lines.iter().position(|l| l.trim() == marker) {
            let reason = lines.get(i + 1).map_or("", |l| l.trim()).to_string();
            return if reason == "Bad directive or wrong number of arguments" {
                Outcome::Unknown
            } else {
                Outcome::Refused(reason)
            };
        }
        return Outcome::Accepted;
    }
    // Redis 8 lists unknown names after loading ("# >>> 'line'" log lines).
    if text.contains("Unresolved Configuration") && lines.iter().any(|l| l.ends_with(&marker)) {
        return Outcome::Unknown;
    }
    Outcome::Accepted
}

/// Bounds a refusal states: `argument must be between X and Y inclusive`, `argument must be
/// greater or equal to X` (Redis 8), `... less or equal to Y`; octal directives print octal.
fn bounds_of(reason: &str, radix: u32) -> (Option<i128>, Option<i128>) {
    let num = |s: &str| i128::from_str_radix(s.trim(), radix).ok();
    if let Some(rest) = reason.strip_prefix("argument must be between ") {
        if let Some((lo, rest)) = rest.split_once(" and ") {
            if let Some(hi) = rest.strip_suffix(" inclusive") {
                return (num(lo), num(hi));
            }
        }
    }
    if let Some(lo) = reason.strip_prefix("argument must be greater or equal to ") {
        return (num(lo), None);
    }
    if let Some(hi) = reason.strip_prefix("argument must be less or equal to ") {
        return (None, num(hi));
    }
    (None, None)
}

/// The kind a bogus value reveals (`None`: accepted, or a parser of its own).
fn kind_of(outcome: &Outcome) -> Option<(Kind, Vec<String>)> {
    let Outcome::Refused(r) = outcome else {
        return None;
    };
    let simple = |k| Some((k, Vec::new()));
    match r.as_str() {
        "argument must be 'yes' or 'no'" => simple(Kind::Bool),
        "argument couldn't be parsed into an integer" => simple(Kind::Int),
        "argument must be a memory value" => simple(Kind::Memory),
        "argument must be a memory or percent value" => simple(Kind::MemoryPercent),
        "argument couldn't be parsed as an octal number" => simple(Kind::Octal),
        _ => {
            let list = r.strip_prefix("argument(s) must be one of the following: ")?;
            Some((Kind::Enum, list.split(", ").map(str::to_string).collect()))
        }
    }
}

/// Probe the bounds of a numeric directive: the tightest its refusals state, else the type's.
fn numeric_bounds(p: &Prober, name: &str, kind: Kind) -> (Option<i128>, Option<i128>) {
    let probes: &[&str] = match kind {
        Kind::Int => &["-9223372036854775808", "9223372036854775807", "0"],
        Kind::Octal => &["0", "77777777777"],
        _ => &["0", "9223372036854775808", "18446744073709551615"],
    };
    let radix = if kind == Kind::Octal { 8 } else { 10 };
    let (mut lo, mut hi): (Option<i128>, Option<i128>) = (None, None);
    let mut above_i64_refused = false;
    for v in probes {
        if let Outcome::Refused(r) = p.probe(&format!("{name} {v}")) {
            let (l, h) = bounds_of(&r, radix);
            // Redis 8 states a generic `>= 0` for unsigned types before the real bounds.
            lo = match (lo, l) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            hi = match (hi, h) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if v.len() >= 19 && v.parse::<i128>().is_ok_and(|n| n > i128::from(i64::MAX)) {
                above_i64_refused = true;
            }
        }
    }
    // Bounds no refusal states are the type's: every probed extreme was read, except that
    // a signed memory type refuses what wraps past i64::MAX.
    let (type_lo, type_hi) = match kind {
        Kind::Int => (i128::from(i64::MIN), i128::from(i64::MAX)),
        Kind::Octal => (0, 0o77777777777),
        Kind::Memory if above_i64_refused => (0, i128::from(i64::MAX)),
        _ => (0, i128::from(u64::MAX)),
    };
    (Some(lo.unwrap_or(type_lo)), Some(hi.unwrap_or(type_hi)))
}

/// Derive the catalogue of one installed server, with `seed` for what probes cannot tell.
fn derive(s: &Installed, seed: &Catalogue) -> Catalogue {
    let dir = temp_dir();
    let running = s.start(dir.path(), &[]);
    let port = running.port;
    let listed: Vec<String> = match resp_command(port, &["CONFIG", "GET", "*"]) {
        Ok(r @ Resp::Array(_)) => r.pairs().into_iter().map(|(k, _)| k).collect(),
        other => panic!("CONFIG GET * on {}: {other:?}", s.binary.display()),
    };
    drop(running);
    let prober = Prober::new(&s.binary);
    let seed_alias: BTreeMap<String, String> = seed
        .directives
        .iter()
        .flat_map(|d| d.aliases.iter().map(move |a| (a.clone(), d.name.clone())))
        .collect();
    // Names: every listed name that is not an alias, and the seed's unlisted ones.
    let mut names: Vec<(String, bool)> = listed
        .iter()
        .filter(|n| !seed_alias.contains_key(*n))
        .map(|n| (n.clone(), false))
        .collect();
    // Names no CONFIG GET lists may still be read (hidden, deprecated, file-only): try every
    // name of every committed catalogue.
    for c in model::directives::catalogues()
        .iter()
        .chain(std::iter::once(seed))
    {
        for d in &c.directives {
            if !listed.contains(&d.name) && !seed_alias.contains_key(&d.name) {
                names.push((d.name.clone(), true));
            }
        }
    }
    names.sort();
    names.dedup();
    let derived: Vec<Option<Directive>> = par_map(&names, 2, |(name, unlisted)| {
        // What probes cannot tell comes from this version's committed catalogue, else from the
        // nearest other catalogue that has the name.
        let seed_d = seed.get(name).filter(|d| d.name == *name).or_else(|| {
            model::directives::catalogues()
                .iter()
                .filter(|c| c.server == s.server)
                .chain(model::directives::catalogues())
                .find_map(|c| c.get(name).filter(|d| d.name == *name))
        });
        let bogus = prober.probe(&format!("{name} zzbogus"));
        if *unlisted && bogus == Outcome::Unknown {
            return None;
        }
        let mut d = Directive {
            name: name.clone(),
            aliases: Vec::new(),
            kind: Kind::String,
            min: None,
            max: None,
            values: Vec::new(),
            multi: seed_d.is_some_and(|d| d.multi),
            hidden: *unlisted,
        };
        match (kind_of(&bogus), seed_d) {
            // A flag set reads like an enum to one bogus word: the seed says which.
            (Some((Kind::Enum, values)), Some(sd)) if sd.kind == Kind::Flags => {
                d.kind = Kind::Flags;
                d.values = values;
            }
            (Some((kind, values)), _) => {
                d.kind = kind;
                d.values = values;
            }
            // A typed directive that reads a bogus word without complaint is kept only for
            // compatibility: accepted and ignored.
            (None, Some(sd))
                if bogus == Outcome::Accepted
                    && !matches!(
                        sd.kind,
                        Kind::String | Kind::Special | Kind::FileOnly | Kind::Deprecated
                    ) =>
            {
                d.kind = Kind::Deprecated;
                d.min = Some(1);
                if prober.probe(&format!("{name} a b")) == Outcome::Unknown {
                    d.max = Some(1);
                }
            }
            (None, Some(sd)) => {
                d.kind = sd.kind;
                d.values = sd.values.clone();
                if matches!(sd.kind, Kind::Deprecated) {
                    d.min = sd.min;
                    d.max = sd.max;
                }
            }
            (None, None) => {
                d.kind = if bogus == Outcome::Accepted {
                    Kind::String
                } else {
                    Kind::Special
                };
            }
        }
        if matches!(
            d.kind,
            Kind::Int | Kind::Memory | Kind::MemoryPercent | Kind::Octal
        ) {
            (d.min, d.max) = numeric_bounds(&prober, name, d.kind);
        }
        if let Some(sd) = seed_d {
            for a in &sd.aliases {
                if prober.probe(&format!("{a} zzbogus")) != Outcome::Unknown {
                    d.aliases.push(a.clone());
                }
            }
        }
        Some(d)
    });
    let mut directives: Vec<Directive> = derived.into_iter().flatten().collect();
    directives.sort_by(|a, b| a.name.cmp(&b.name));
    let version_line = run(
        Command::new(&s.binary).arg("--version"),
        Duration::from_secs(10),
    );
    let release = version_line
        .stdout
        .split_whitespace()
        .find_map(|w| w.strip_prefix("v="))
        .unwrap_or("?")
        .to_string();
    Catalogue {
        server: s.server,
        version: s.version.to_string(),
        release: release.clone(),
        basis: Basis::Binary,
        derived_from: format!(
            "{} {release}: CONFIG GET * and config-file probes (tests/catalogue_drift.rs)",
            s.binary
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
        ),
        directives,
    }
}

fn catalogue_path(file: &str) -> PathBuf {
    repo_root()
        .join("crates/model/data/directives")
        .join(format!("{file}.json"))
}

#[test]
fn committed_catalogues_match_the_installed_servers() {
    let update = std::env::var_os("CATALOGUE_UPDATE").is_some();
    let mut failures = Vec::new();
    for s in installed() {
        let path = catalogue_path(s.file);
        let text = std::fs::read_to_string(&path).expect("committed catalogue");
        let committed: Catalogue = serde_json::from_str(&text).expect("catalogue parses");
        let derived = derive(&s, &committed);
        if update {
            let mut out = serde_json::to_string_pretty(&derived).expect("serializes");
            out.push('\n');
            std::fs::write(&path, out).expect("write catalogue");
            continue;
        }
        if derived != committed {
            let c: BTreeMap<&str, &Directive> = committed
                .directives
                .iter()
                .map(|d| (d.name.as_str(), d))
                .collect();
            let d: BTreeMap<&str, &Directive> = derived
                .directives
                .iter()
                .map(|d| (d.name.as_str(), d))
                .collect();
            let mut diff = Vec::new();
            for (name, dd) in &d {
                match c.get(name) {
                    None => diff.push(format!("  + {dd:?}")),
                    Some(cd) if cd != dd => diff.push(format!("  ~ {cd:?}\n    {dd:?}")),
                    _ => {}
                }
            }
            for name in c.keys().filter(|n| !d.contains_key(*n)) {
                diff.push(format!("  - {name}"));
            }
            if committed.release != derived.release || committed.basis != derived.basis {
                diff.push(format!(
                    "  release/basis {} {:?} -> {} {:?}",
                    committed.release, committed.basis, derived.release, derived.basis
                ));
            }
            failures.push(format!(
                "{} drifted from {} (CATALOGUE_UPDATE=1 rewrites it):\n{}",
                path.display(),
                s.binary.display(),
                diff.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
