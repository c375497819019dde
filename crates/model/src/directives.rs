//! The redis.conf directives each supported server version accepts, and how it reads their
//! values: one catalogue per version (Redis 7.0, 7.2, 7.4, 8.0, 8.2, 8.4+, Valkey 8, 9) in
//! `data/directives/*.json`, with the parser Redis applies to a config-file line.
//!
//! Every catalogue says where it comes from (`basis`): derived from a real server binary
//! (`CONFIG GET *` for the names, probes of a config file for kinds, ranges and enums; the
//! integration test `tests/catalogue_drift.rs` re-derives them from the installed servers and
//! fails on any difference), from the `config.c` of a released tag (scripts/
//! catalogue-from-source.py), or assumed equal to another version when no release of it is
//! within reach. Which versions an image may run is read from its repository and tag
//! ([`candidates`]).
//!
//! The line parser mirrors `loadServerConfigFromString` in config.c: `sdssplitargs` splits
//! the line, the name is matched case-insensitively (aliases included), a single-argument
//! directive needs exactly one argument, a multi-argument one given a single argument splits
//! it again, then the type's parser: `yesnotoi`, enum names, `string2ll`, `memtoull` (units
//! b/k/kb/m/mb/g/gb), percentages, octal, and the bounds check.

use serde::{Deserialize, Serialize};

/// Which server family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Server {
    /// Redis (redis.io).
    Redis,
    /// Valkey (valkey.io).
    Valkey,
}

impl Server {
    /// `Redis` or `Valkey`.
    pub fn title(self) -> &'static str {
        match self {
            Server::Redis => "Redis",
            Server::Valkey => "Valkey",
        }
    }
}

/// How a catalogue was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Probed on a real server binary.
    Binary,
    /// Read from a released config.c.
    Source,
    /// No release within reach: taken from the version named in `derived_from`.
    Assumed,
}

/// How a directive's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `yes` or `no`, any case.
    Bool,
    /// An integer (`string2ll`: digits, optional `-`, no leading zeros or `+`) within bounds.
    Int,
    /// A memory value (`memtoull`: digits and an optional unit) within bounds.
    Memory,
    /// A memory value or a percentage (`10%`).
    MemoryPercent,
    /// An octal number within bounds.
    Octal,
    /// One of `values`, any case.
    Enum,
    /// One or more of `values`, any case.
    Flags,
    /// Any text.
    String,
    /// Parsed by its own function in config.c (save, bind, client-output-buffer-limit, ...).
    Special,
    /// Handled by the file reader itself (include, rename-command, user, loadmodule).
    FileOnly,
    /// Accepted and ignored, with `min`..=`max` arguments.
    Deprecated,
}

/// One directive of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    /// Canonical name.
    pub name: String,
    /// Other names the server accepts for it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// How its value is read.
    pub kind: Kind,
    /// Lower bound (numbers) or least argument count (deprecated names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i128>,
    /// Upper bound (numbers) or most argument count (deprecated names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i128>,
    /// Accepted words (enums and flags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Takes several arguments.
    #[serde(default, skip_serializing_if = "is_false")]
    pub multi: bool,
    /// Not listed by `CONFIG GET *`, accepted in a config file.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The directives of one server version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Server family.
    pub server: Server,
    /// Catalogue version (`7.2`, `8.4+`, `9`).
    pub version: String,
    /// The release the catalogue was derived from (`7.2.6`), or the assumption.
    pub release: String,
    /// How it was obtained.
    pub basis: Basis,
    /// Where: the binary and how it was probed, or the URL of the config.c read.
    pub derived_from: String,
    /// The directives, sorted by name.
    pub directives: Vec<Directive>,
}

impl Catalogue {
    /// `Redis 7.2`, `Valkey 9`.
    pub fn label(&self) -> String {
        format!("{} {}", self.server.title(), self.version)
    }

    /// The directive of a name or alias (case-insensitive, as Redis matches).
    pub fn get(&self, name: &str) -> Option<&Directive> {
        // The committed catalogues are looked up for every line by several rules: index them
        // once by lower-case name; other catalogues (built by tests) are scanned.
        if let Some(i) = catalogues().iter().position(|c| std::ptr::eq(c, self)) {
            let lower;
            let key = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                lower = name.to_ascii_lowercase();
                lower.as_str()
            } else {
                name
            };
            return index()[i].get(key).map(|&j| &self.directives[j]);
        }
        self.directives.iter().find(|d| {
            d.name.eq_ignore_ascii_case(name)
                || d.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }

    /// Every name and alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.directives.iter().flat_map(|d| {
            std::iter::once(d.name.as_str()).chain(d.aliases.iter().map(String::as_str))
        })
    }

    /// Judge one redis.conf line as this version reads it.
    pub fn check_line(&self, line: &str) -> Result<(), Refusal> {
        let args = split_args(line).ok_or(Refusal::UnbalancedQuotes)?;
        let Some((name, args)) = args.split_first() else {
            return Ok(());
        };
        self.check(name, &args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Judge a directive with its (already split) arguments.
    pub fn check(&self, name: &str, args: &[&str]) -> Result<(), Refusal> {
        let Some(d) = self.get(name) else {
            return Err(Refusal::UnknownName);
        };
        check_directive(d, args)
    }
}

/// Why a server refuses a line (the reason it prints, in its words where it has them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// "Unbalanced quotes in configuration line".
    UnbalancedQuotes,
    /// "Bad directive or wrong number of arguments" (or, on Redis 8, an unresolved
    /// configuration after loading).
    UnknownName,
    /// "wrong number of arguments".
    WrongArity,
    /// "argument must be 'yes' or 'no'".
    NotYesNo,
    /// "argument(s) must be one of the following: ...".
    NotOneOf(Vec<String>),
    /// "argument couldn't be parsed into an integer".
    NotInteger,
    /// "argument must be a memory value".
    NotMemory,
    /// "argument must be a memory or percent value".
    NotMemoryOrPercent,
    /// "argument couldn't be parsed as an octal number".
    NotOctal,
    /// "argument must be between MIN and MAX inclusive".
    OutOfRange {
        /// Lower bound.
        min: i128,
        /// Upper bound.
        max: i128,
    },
    /// Refused by the directive's own parser, with its message.
    Invalid(&'static str),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::UnbalancedQuotes => f.write_str("Unbalanced quotes in configuration line"),
            Refusal::UnknownName => f.write_str("Bad directive or wrong number of arguments"),
            Refusal::WrongArity => f.write_str("wrong number of arguments"),
            Refusal::NotYesNo => f.write_str("argument must be 'yes' or 'no'"),
            Refusal::NotOneOf(v) => write!(
                f,
                "argument(s) must be one of the following: {}",
                v.join(", ")
            ),
            Refusal::NotInteger => f.write_str("argument couldn't be parsed into an integer"),
            Refusal::NotMemory => f.write_str("argument must be a memory value"),
            Refusal::NotMemoryOrPercent => {
                f.write_str("argument must be a memory or percent value")
            }
            Refusal::NotOctal => f.write_str("argument couldn't be parsed as an octal number"),
            Refusal::OutOfRange { min, max } => {
                write!(f, "argument must be between {min} and {max} inclusive")
            }
            Refusal::Invalid(m) => f.write_str(m),
        }
    }
}

fn check_directive(d: &Directive, args: &[&str]) -> Result<(), Refusal> {
    match d.kind {
        Kind::FileOnly => {
            // include <file>, rename-command <old> <new>, user <name> [rules], loadmodule <path>.
            let ok = match d.name.as_str() {
                "include" => args.len() == 1,
                "rename-command" => args.len() == 2,
                _ => !args.is_empty(),
            };
            return if ok {
                Ok(())
            } else {
                Err(Refusal::UnknownName)
            };
        }
        Kind::Deprecated => {
            let n = args.len() as i128;
            let ok = d.min.is_none_or(|m| n >= m) && d.max.is_none_or(|m| n <= m);
            return if ok {
                Ok(())
            } else {
                Err(Refusal::UnknownName)
            };
        }
        _ => {}
    }
    let resplit;
    let args: Vec<&str> = if d.multi {
        // A multi-argument directive given one non-empty argument splits it again.
        if args.len() == 1 && !args[0].is_empty() {
            resplit = split_args(args[0]).ok_or(Refusal::UnbalancedQuotes)?;
            resplit.iter().map(String::as_str).collect()
        } else {
            args.to_vec()
        }
    } else {
        if args.len() != 1 {
            return Err(Refusal::WrongArity);
        }
        args.to_vec()
    };
    match d.kind {
        Kind::Bool => match args[0].to_ascii_lowercase().as_str() {
            "yes" | "no" => Ok(()),
            _ => Err(Refusal::NotYesNo),
        },
        Kind::Enum | Kind::Flags => {
            for a in &args {
                if !d.values.iter().any(|v| v.eq_ignore_ascii_case(a)) {
                    return Err(Refusal::NotOneOf(d.values.clone()));
                }
            }
            Ok(())
        }
        Kind::Int => {
            let v = string2ll(args[0]).ok_or(Refusal::NotInteger)?;
            bounds(d, i128::from(v))
        }
        Kind::Memory => {
            // A directive with a negative lower bound (Valkey's `-1` = off) reads a sign.
            if let Some(neg) = args[0]
                .strip_prefix('-')
                .filter(|_| d.min.is_some_and(|m| m < 0))
            {
                let v = memtoull(neg).ok_or(Refusal::NotMemory)?;
                return bounds(d, -i128::from(v));
            }
            let v = memtoull(args[0]).ok_or(Refusal::NotMemory)?;
            bounds(d, memory_as_stored(d, v))
        }
        Kind::MemoryPercent => {
            let v = match memtoull(args[0]) {
                // A signed value: what wraps negative reads as a percentage of maxmemory.
                Some(v) if (v as i64) < 0 => {
                    if -i128::from(v as i64) > 100 {
                        return Err(Refusal::Invalid(
                            "percentage argument must be less or equal to 100",
                        ));
                    }
                    return Ok(());
                }
                Some(v) => i128::from(v),
                None => {
                    let p = args[0]
                        .strip_suffix('%')
                        .filter(|p| !p.is_empty())
                        .and_then(string2ll)
                        .filter(|p| *p >= 0)
                        .ok_or(Refusal::NotMemoryOrPercent)?;
                    if p > 100 {
                        return Err(Refusal::Invalid(
                            "percentage argument must be less or equal to 100",
                        ));
                    }
                    return Ok(());
                }
            };
            bounds(d, v)
        }
        Kind::Octal => {
            let a = args[0];
            if a.is_empty() || !a.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(Refusal::NotOctal);
            }
            let v = i128::from_str_radix(a, 8).map_err(|_| Refusal::NotOctal)?;
            bounds(d, v)
        }
        Kind::String => string(&d.name, args[0]),
        Kind::FileOnly | Kind::Deprecated => Ok(()),
        Kind::Special => special(&d.name, &args),
    }
}

/// A memory value as the directive's C type holds it: a signed type (upper bound at most
/// `i64::MAX`) reads values from 2^63 up as negative, as the cast in config.c does.
fn memory_as_stored(d: &Directive, v: u64) -> i128 {
    if d.max.is_some_and(|m| m <= i128::from(i64::MAX)) {
        i128::from(v as i64)
    } else {
        i128::from(v)
    }
}

/// Bounds of a numeric directive, compared as the server compares them (unsigned types hold
/// values above `i64::MAX`; a memory value is never negative).
fn bounds(d: &Directive, v: i128) -> Result<(), Refusal> {
    let (min, max) = (d.min.unwrap_or(i128::MIN), d.max.unwrap_or(i128::MAX));
    if v < min || v > max {
        return Err(Refusal::OutOfRange { min, max });
    }
    Ok(())
}

/// The directives with their own parser: the checks this catalogue can make without the pod
/// (files, addresses and commands are the server's business at run time).
fn special(name: &str, args: &[&str]) -> Result<(), Refusal> {
    match name {
        "save" => {
            if args.len() == 1 && args[0].is_empty() {
                return Ok(());
            }
            let bad = Refusal::Invalid("Invalid save parameters");
            if args.len() % 2 == 1 {
                return Err(bad);
            }
            for (i, a) in args.iter().enumerate() {
                let v = strtoll_full(a).ok_or(bad.clone())?;
                if (i % 2 == 0 && v < 1) || v < 0 {
                    return Err(bad);
                }
            }
            Ok(())
        }
        "client-output-buffer-limit" => {
            if !args.len().is_multiple_of(4) {
                return Err(Refusal::Invalid(
                    "Wrong number of arguments in buffer limit configuration.",
                ));
            }
            for g in args.chunks(4) {
                let class = g[0].to_ascii_lowercase();
                if !matches!(class.as_str(), "normal" | "replica" | "slave" | "pubsub") {
                    return Err(Refusal::Invalid(
                        "Invalid client class specified in buffer limit configuration.",
                    ));
                }
                let secs = strtoll_full(g[3]);
                if memtoull(g[1]).is_none()
                    || memtoull(g[2]).is_none()
                    || secs.is_none_or(|s| s < 0)
                {
                    return Err(Refusal::Invalid(
                        "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
                    ));
                }
            }
            Ok(())
        }
        "replicaof" => {
            if args.len() != 2 {
                return Err(Refusal::WrongArity);
            }
            if args[0].eq_ignore_ascii_case("no") && args[1].eq_ignore_ascii_case("one") {
                return Ok(());
            }
            match strtoll_full(args[1]) {
                Some(p) if (0..=65535).contains(&p) => Ok(()),
                _ => Err(Refusal::Invalid("Invalid master port")),
            }
        }
        "oom-score-adj-values" => {
            if args.len() != 3 {
                return Err(Refusal::Invalid("wrong number of arguments"));
            }
            for a in args {
                match strtoll_full(a) {
                    Some(v) if (-2000..=2000).contains(&v) => {}
                    _ => return Err(Refusal::Invalid("Invalid oom-score-adj-values")),
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The free-text directives whose own check is known: `proc-title-template` must expand
/// (known `{variables}` only) to something that is not empty when the title is empty
/// (server.c `validateProcTitleTemplate`).
fn string(name: &str, value: &str) -> Result<(), Refusal> {
    if name != "proc-title-template" {
        return Ok(());
    }
    const VARIABLES: &[&str] = &[
        "title",
        "listen-addr",
        "server-mode",
        "port",
        "tls-port",
        "unixsocket",
        "config-file",
    ];
    let invalid = Refusal::Invalid("template format is invalid or contains unknown variables");
    let mut rest = value;
    let mut expands_to_text = false;
    while let Some(open) = rest.find('{') {
        expands_to_text |= open > 0;
        let close = rest[open..].find('}').ok_or(invalid.clone())? + open;
        let var = &rest[open + 1..close];
        if !VARIABLES.contains(&var) {
            return Err(invalid);
        }
        expands_to_text |= var != "title";
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err(invalid);
    }
    if expands_to_text || !rest.is_empty() {
        Ok(())
    } else {
        Err(invalid)
    }
}

/// Judge one `sentinel ...` line of a sentinel.conf as Sentinel's config reader
/// (`sentinelHandleConfiguration` in sentinel.c, the same on every supported version) does,
/// for the master group the chart monitors: `sentinel <option> <group> <value>` for per-master
/// options, `sentinel <option> <value>` for global ones. Times are read with `atoi`. Script
/// paths are the pod's business and are not judged.
pub fn check_sentinel_line(line: &str) -> Result<(), Refusal> {
    let args = split_args(line).ok_or(Refusal::UnbalancedQuotes)?;
    let unrecognized = Refusal::Invalid("Unrecognized sentinel configuration statement.");
    let Some((first, rest)) = args.split_first() else {
        return Ok(());
    };
    if !first.eq_ignore_ascii_case("sentinel") {
        return Ok(());
    }
    let Some((option, rest)) = rest.split_first() else {
        return Err(unrecognized);
    };
    let option = option.to_ascii_lowercase();
    let per_master = |n: usize| rest.len() == n;
    let time = |v: &str, zero_ok: bool| -> Result<(), Refusal> {
        let t = atoi(v);
        match (t, zero_ok) {
            (t, false) if t <= 0 => Err(Refusal::Invalid("negative or zero time parameter.")),
            (t, true) if t < 0 => Err(Refusal::Invalid("negative time parameter.")),
            _ => Ok(()),
        }
    };
    let yes_no = |v: &str, msg: &'static str| match v.to_ascii_lowercase().as_str() {
        "yes" | "no" => Ok(()),
        _ => Err(Refusal::Invalid(msg)),
    };
    match option.as_str() {
        "down-after-milliseconds" | "failover-timeout" if per_master(2) => time(&rest[1], false),
        "master-reboot-down-after-period" if per_master(2) => time(&rest[1], true),
        "parallel-syncs"
        | "notification-script"
        | "client-reconfig-script"
        | "auth-pass"
        | "auth-user"
            if per_master(2) =>
        {
            Ok(())
        }
        "rename-command" if per_master(3) => Ok(()),
        "monitor" if per_master(4) => {
            if atoi(&rest[3]) <= 0 {
                Err(Refusal::Invalid("Quorum must be 1 or greater."))
            } else {
                Ok(())
            }
        }
        "resolve-hostnames" if rest.len() == 1 => yes_no(
            &rest[0],
            "Please specify yes or no for the resolve-hostnames option.",
        ),
        "announce-hostnames" if rest.len() == 1 => yes_no(
            &rest[0],
            "Please specify yes or no for the announce-hostnames option.",
        ),
        "deny-scripts-reconfig" if rest.len() == 1 => yes_no(
            &rest[0],
            "Please specify yes or no for the deny-scripts-reconfig options.",
        ),
        "sentinel-user" | "sentinel-pass" | "announce-ip" | "announce-port" | "myid"
        | "current-epoch"
            if rest.len() == 1 =>
        {
            Ok(())
        }
        _ => Err(unrecognized),
    }
}

/// C's `atoi`: leading blanks, an optional sign, then digits up to the first other character;
/// 0 when there are none (saturated instead of C's undefined overflow).
pub fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let v: i64 = digits[..end]
        .parse()
        .unwrap_or(if end == 0 { 0 } else { i64::MAX });
    if neg {
        -v
    } else {
        v
    }
}

/// Redis's `string2ll`: optional `-`, digits without leading zeros (`0` alone), within i64.
pub fn string2ll(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
        || (s.starts_with('-') && digits == "0")
    {
        return None;
    }
    s.parse().ok()
}

/// `strtoll(s, &end, 10)` that must consume the whole string (leading blanks and a sign
/// allowed, an empty string reads as 0), saturating as strtoll does.
fn strtoll_full(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if s.is_empty() {
        return Some(0);
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = digits.parse().unwrap_or(i128::MAX);
    let v = if neg { -v } else { v };
    Some(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// Redis's `memtoull`: digits and an optional unit (b, k, kb, m, mb, g, gb; any case); no
/// sign, no decimals; the empty string is 0.
pub fn memtoull(s: &str) -> Option<u64> {
    if s.starts_with('-') {
        return None;
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.len() >= 128 {
        return None;
    }
    let v: u64 = if digits.is_empty() {
        0
    } else {
        // strtoull saturates at ULLONG_MAX (ERANGE is not checked by memtoull).
        digits.parse().unwrap_or(u64::MAX)
    };
    Some(v.wrapping_mul(mul))
}

/// Redis's `sdssplitargs`: blanks separate arguments; "double quotes" with \n \r \t \b \a \\
/// \" \xHH escapes and 'single quotes' (\' only) group them; a closing quote must be followed
/// by a blank. `None` for unbalanced quotes.
pub fn split_args(line: &str) -> Option<Vec<String>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let mut cur: Vec<u8> = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            if inq {
                if i >= b.len() {
                    return None;
                }
                if b[i] == b'\\' && i + 3 < b.len() && b[i + 1] == b'x' {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).ok();
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        cur.push(v);
                        i += 4;
                        continue;
                    }
                }
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                    cur.push(match b[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        c => c,
                    });
                } else if b[i] == b'"' {
                    if i + 1 < b.len() && !b[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    inq = false;
                    i += 1;
                    break;
                } else {
                    cur.push(b[i]);
                }
            } else if insq {
                if i >= b.len() {
                    return None;
                }
                if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if b[i] == b'\'' {
                    if i + 1 < b.len() && !b[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    insq = false;
                    i += 1;
                    break;
                } else {
                    cur.push(b[i]);
                }
            } else {
                if i >= b.len() {
                    break;
                }
                match b[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        let _ = (inq, insq);
        out.push(String::from_utf8_lossy(&cur).into_owned());
    }
}

macro_rules! catalogue_files {
    ($($file:literal),* $(,)?) => {
        &[$(include_str!(concat!("../data/directives/", $file, ".json"))),*]
    };
}

/// The committed catalogues, oldest first per server.
const FILES: &[&str] = catalogue_files!(
    "redis-7.0",
    "redis-7.2",
    "redis-7.4",
    "redis-8.0",
    "redis-8.2",
    "redis-8.4",
    "valkey-8",
    "valkey-9",
);

/// Every catalogue, parsed once.
pub fn catalogues() -> &'static [Catalogue] {
    static ALL: std::sync::OnceLock<Vec<Catalogue>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|text| {
                // The files are committed and checked by this module's tests.
                serde_json::from_str(text).unwrap_or_else(|e| panic!("bad catalogue: {e}"))
            })
            .collect()
    })
}

/// Per committed catalogue (in [`catalogues`] order), its directives by lower-case name and
/// alias.
fn index() -> &'static [std::collections::HashMap<String, usize>] {
    static INDEX: std::sync::OnceLock<Vec<std::collections::HashMap<String, usize>>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        catalogues()
            .iter()
            .map(|c| {
                let mut map = std::collections::HashMap::new();
                for (i, d) in c.directives.iter().enumerate() {
                    for n in std::iter::once(&d.name).chain(&d.aliases) {
                        map.entry(n.to_ascii_lowercase()).or_insert(i);
                    }
                }
                map
            })
            .collect()
    })
}

/// The catalogue of a server and catalogue version (`7.2`, `8.4+`, `9`).
pub fn catalogue(server: Server, version: &str) -> Option<&'static Catalogue> {
    catalogues()
        .iter()
        .find(|c| c.server == server && c.version == version)
}

/// The catalogue versions an image may run, and how sure that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidates {
    /// The catalogues (at least one).
    pub catalogues: Vec<&'static Catalogue>,
    /// True when the tag names no version (`latest`, a digest, a custom tag): every known
    /// version of the server family (or of both) may run.
    pub unknown: bool,
}

impl Candidates {
    /// `Redis 7.0, Redis 7.2`.
    pub fn labels(&self) -> String {
        self.catalogues
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The server family of an image repository (`public.ecr.aws/docker/library/redis`,
/// `bitnami/valkey`, `valkey/valkey`), if its last path segment names one.
pub fn server_of_repository(repository: &str) -> Option<Server> {
    let repo = repository.split('@').next().unwrap_or(repository);
    let last = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
    // The name before a `:tag` written into the repository.
    let last = last.split(':').next().unwrap_or(&last);
    if last.contains("valkey") {
        Some(Server::Valkey)
    } else if last.contains("redis") && !last.contains("exporter") {
        Some(Server::Redis)
    } else {
        None
    }
}

/// The release numbers a tag names: `7.2.4-alpine` → [7, 2, 4], `8` → [8],
/// `7.2.4-debian-12-r9` (Bitnami) → [7, 2, 4]; `latest`, `alpine`, a digest → empty.
pub fn tag_version(tag: &str) -> Vec<u32> {
    let tag = tag.split('@').next().unwrap_or(tag).trim();
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let head = tag.split(['-', '_']).next().unwrap_or("");
    let mut out = Vec::new();
    for part in head.split('.') {
        match part.parse::<u32>() {
            Ok(n) if !part.is_empty() => out.push(n),
            _ => return if out.is_empty() { Vec::new() } else { out },
        }
    }
    out
}

/// The catalogue versions of a server family that a version prefix may be: `7` → 7.0, 7.2,
/// 7.4; `7.2.4` → 7.2; `8.8` → 8.4+ (every later Redis 8); an unknown prefix → none.
fn versions_for(server: Server, v: &[u32]) -> Vec<&'static Catalogue> {
    let all: Vec<&'static Catalogue> = catalogues().iter().filter(|c| c.server == server).collect();
    let key = |c: &Catalogue| -> (u32, u32, bool) {
        let open = c.version.ends_with('+');
        let mut it = c.version.trim_end_matches('+').split('.');
        let major = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let minor = it.next().and_then(|s| s.parse().ok()).unwrap_or(u32::MAX);
        (major, minor, open)
    };
    match v {
        [] => all,
        [major] => all.into_iter().filter(|c| key(c).0 == *major).collect(),
        [major, minor, ..] => {
            let same_major: Vec<&'static Catalogue> =
                all.into_iter().filter(|c| key(c).0 == *major).collect();
            // A catalogue per major (Valkey 8) covers every minor; otherwise the exact minor,
            // or the open-ended one (8.4+) at or below it.
            if let [only] = same_major.as_slice() {
                if key(only).1 == u32::MAX {
                    return vec![*only];
                }
            }
            if let Some(c) = same_major.iter().find(|c| key(c).1 == *minor && !key(c).2) {
                return vec![*c];
            }
            same_major
                .into_iter()
                .filter(|c| key(c).2 && key(c).1 <= *minor)
                .collect()
        }
    }
}

/// The catalogues an image may run, from its repository and tag (a `--server-version`
/// override is passed as `server` and `tag`). Valkey 7.2 is the Redis 7.2 code base and reads
/// its catalogue.
pub fn candidates(repository: &str, tag: &str) -> Candidates {
    let server = server_of_repository(repository);
    let version = tag_version(tag);
    let families = match server {
        Some(s) => vec![s],
        None => vec![Server::Redis, Server::Valkey],
    };
    let mut found: Vec<&'static Catalogue> = Vec::new();
    if !version.is_empty() {
        for s in &families {
            if *s == Server::Valkey && version[0] == 7 {
                found.extend(versions_for(Server::Redis, &[7, 2]));
            } else {
                found.extend(versions_for(*s, &version));
            }
        }
    }
    let unknown = found.is_empty() || server.is_none();
    if found.is_empty() {
        for s in families {
            found.extend(versions_for(s, &[]));
        }
    }
    found.dedup_by(|a, b| std::ptr::eq(*a, *b));
    Candidates {
        catalogues: found,
        unknown,
    }
}

/// Parse a `--server-version` value: `redis:7.2`, `valkey:9`, `redis-8.2.3`, `7.2` (Redis).
pub fn parse_server_version(s: &str) -> Option<(Server, String)> {
    let s = s.trim();
    let (server, version) = match s.split_once([':', '-', ' ']) {
        Some((name, v)) => match name.to_ascii_lowercase().as_str() {
            "redis" => (Server::Redis, v),
            "valkey" => (Server::Valkey, v),
            _ => return None,
        },
        None => (Server::Redis, s),
    };
    if tag_version(version).is_empty() {
        return None;
    }
    Some((server, version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_load_and_are_sorted() {
        assert_eq!(catalogues().len(), FILES.len());
        for c in catalogues() {
            assert!(!c.directives.is_empty(), "{}", c.label());
            let names: Vec<&str> = c.directives.iter().map(|d| d.name.as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                names,
                sorted,
                "{} is not sorted or has duplicates",
                c.label()
            );
        }
    }

    #[test]
    fn value_parsers_follow_redis() {
        assert_eq!(string2ll("0"), Some(0));
        assert_eq!(string2ll("-5"), Some(-5));
        for bad in ["", "+5", "007", "-0", "1.0", "1e3", " 1", "5s"] {
            assert_eq!(string2ll(bad), None, "{bad}");
        }
        assert_eq!(memtoull("1gb"), Some(1 << 30));
        assert_eq!(memtoull("1G"), Some(1_000_000_000));
        assert_eq!(memtoull("512mB"), Some(512 << 20));
        assert_eq!(memtoull(""), Some(0));
        for bad in ["1Gi", "1.5gb", "1e9", "-1", "+5mb", "1t", "1gb "] {
            assert_eq!(memtoull(bad), None, "{bad}");
        }
        assert_eq!(
            split_args(r#"save "900 1" 'a b' x"#),
            Some(vec![
                "save".into(),
                "900 1".into(),
                "a b".into(),
                "x".into()
            ])
        );
        assert_eq!(split_args(r#"k """#), Some(vec!["k".into(), "".into()]));
        assert_eq!(split_args(r#"k "a"b"#), None);
        assert_eq!(split_args(r#"k "a"#), None);
    }

    #[test]
    fn sentinel_lines_read_as_sentinel_does() {
        assert_eq!(
            check_sentinel_line("sentinel down-after-milliseconds m 10000"),
            Ok(())
        );
        assert_eq!(
            check_sentinel_line("sentinel down-after-milliseconds m 5s"),
            Ok(())
        );
        assert!(check_sentinel_line("sentinel down-after-milliseconds m 0").is_err());
        assert!(check_sentinel_line("sentinel failover-timeout m abc").is_err());
        assert!(check_sentinel_line("sentinel down-after-milisecond m 1").is_err());
        assert!(check_sentinel_line("sentinel parallel-syncs m 1 2").is_err());
        assert_eq!(
            check_sentinel_line("sentinel master-reboot-down-after-period m 0"),
            Ok(())
        );
        assert!(check_sentinel_line("sentinel master-reboot-down-after-period m -1").is_err());
        assert_eq!(
            check_sentinel_line("sentinel resolve-hostnames YES"),
            Ok(())
        );
        assert!(check_sentinel_line("sentinel deny-scripts-reconfig maybe").is_err());
        assert!(check_sentinel_line("sentinel announce-ip m 10.0.0.1").is_err());
        assert_eq!(atoi("1e+06"), 1);
        assert_eq!(atoi("-5x"), -5);
        assert_eq!(atoi(""), 0);
    }

    #[test]
    fn tags_name_versions() {
        assert_eq!(tag_version("7.2.4-alpine"), [7, 2, 4]);
        assert_eq!(tag_version("7.2.4-debian-12-r9"), [7, 2, 4]);
        assert_eq!(tag_version("8"), [8]);
        assert_eq!(tag_version("v8.0.1"), [8, 0, 1]);
        assert!(tag_version("latest").is_empty());
        assert!(tag_version("alpine").is_empty());
        assert_eq!(tag_version("7.2@sha256:abc"), [7, 2]);
        assert_eq!(server_of_repository("bitnami/valkey"), Some(Server::Valkey));
        assert_eq!(
            server_of_repository("public.ecr.aws/docker/library/redis"),
            Some(Server::Redis)
        );
        assert_eq!(server_of_repository("oliver006/redis_exporter"), None);
        let labels = |r: &str, t: &str| candidates(r, t).labels();
        assert_eq!(labels("redis", "7"), "Redis 7.0, Redis 7.2, Redis 7.4");
        assert_eq!(labels("redis", "7.2.5-alpine"), "Redis 7.2");
        assert_eq!(labels("redis", "8.8.0"), "Redis 8.4+");
        assert_eq!(labels("redis", "8"), "Redis 8.0, Redis 8.2, Redis 8.4+");
        assert_eq!(labels("valkey/valkey", "8.1.2"), "Valkey 8");
        assert_eq!(labels("valkey/valkey", "7.2.8"), "Redis 7.2");
        assert!(candidates("redis", "latest").unknown);
        assert_eq!(candidates("redis", "latest").catalogues.len(), 6);
        assert!(candidates("mirror.example/cache", "7.2").unknown);
        assert_eq!(
            parse_server_version("valkey:9"),
            Some((Server::Valkey, "9".into()))
        );
        assert_eq!(
            parse_server_version("7.2"),
            Some((Server::Redis, "7.2".into()))
        );
    }
}
