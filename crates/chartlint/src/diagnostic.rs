//! The diagnostic record every rule produces and every output format renders.

use serde::{Deserialize, Serialize};

use crate::rules::RuleMeta;
use crate::source::Loc;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Likely a mistake; fails with `--strict`.
    Warning,
    /// Will break or be ignored at deploy time; fails the run.
    Error,
}

impl Severity {
    /// Lower-case name (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parse `error`, `warning`/`warn` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// A second location that explains a finding (the anchor, the first duplicate, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// File path (or `--set #N`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive).
    pub end_column: usize,
    /// What this location shows.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `RHA002`.
    pub rule: String,
    /// Kebab-case rule name, e.g. `unknown-key`.
    pub name: String,
    /// Effective severity (after configuration).
    pub severity: Severity,
    /// What is wrong, in a short sentence.
    pub message: String,
    /// Why it matters: the reasons behind the message, one per line (rustc's `= note:`).
    pub notes: Vec<String>,
    /// File path as given (or `--set #N` for a command-line value).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive).
    pub end_column: usize,
    /// Dotted values path (`haproxy.enabled`), empty for the document itself.
    pub path: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other locations that explain the finding.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A finding of `rule` at `loc`, with the rule's default severity.
    pub fn new(
        rule: &RuleMeta,
        loc: &Loc,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column, end_line, end_column) = coords(loc);
        Diagnostic {
            rule: rule.id.to_string(),
            name: rule.name.to_string(),
            severity: rule.severity,
            message: message.into(),
            notes: Vec::new(),
            file: loc.src.path.clone(),
            line,
            column,
            end_line,
            end_column,
            path: path.into(),
            help: None,
            related: Vec::new(),
        }
    }

    /// Add a reason (a `= note:` line).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Add a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a related location.
    pub fn with_related(mut self, loc: &Loc, message: impl Into<String>) -> Self {
        let (line, column, end_line, end_column) = coords(loc);
        self.related.push(Related {
            file: loc.src.path.clone(),
            line,
            column,
            end_line,
            end_column,
            message: message.into(),
        });
        self
    }

    /// Sort key: file, position, rule.
    pub fn sort_key(&self) -> (String, usize, usize, String) {
        (self.file.clone(), self.line, self.column, self.rule.clone())
    }
}

/// Line/column range of a location, never 0 (a missing span points at the file start).
fn coords(loc: &Loc) -> (usize, usize, usize, usize) {
    let s = loc.span;
    if s.start.line == 0 {
        return (1, 1, 1, 1);
    }
    let (mut el, mut ec) = (s.end.line, s.end.column);
    if (el, ec) < (s.start.line, s.start.column) {
        (el, ec) = (s.start.line, s.start.column);
    }
    (s.start.line, s.start.column, el, ec)
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Error count.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
    /// Info count.
    pub infos: usize,
    /// Number of linted values inputs.
    pub files: usize,
}

impl Summary {
    /// Count a list of diagnostics.
    pub fn of(diags: &[Diagnostic], files: usize) -> Summary {
        let mut s = Summary {
            files,
            ..Summary::default()
        };
        for d in diags {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}
