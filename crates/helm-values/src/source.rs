//! Source files and positions shared by the loader, the merge and the diagnostics.

use std::sync::Arc;

/// One input text: a values file, the chart's values.yaml, or a `--set` argument.
#[derive(Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Path as given by the user (or `--set #N` for command-line values).
    pub path: String,
    /// Full text; `--set` arguments are stored as their argument text.
    pub text: String,
    /// What kind of input this is (decides e.g. whether null deletes a chart default).
    pub kind: SourceKind,
}

/// Where a source came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// The chart's own values.yaml.
    ChartValues,
    /// A user `-f` values file.
    ValuesFile,
    /// A `--set` argument (Helm's strvals typing).
    Set,
    /// A `--set-string` argument (everything is a string).
    SetString,
}

impl SourceFile {
    /// Wrap a text in a shared source.
    pub fn new(path: impl Into<String>, text: impl Into<String>, kind: SourceKind) -> Src {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            kind,
        })
    }

    /// The text of a 1-based line, without its line break (empty when out of range).
    pub fn line_text(&self, line: usize) -> &str {
        self.text
            .split('\n')
            .nth(line.saturating_sub(1))
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or("")
    }

    /// True when the values come from the user (not from the chart's defaults).
    pub fn is_user(&self) -> bool {
        self.kind != SourceKind::ChartValues
    }
}

/// Shared handle on a source.
pub type Src = Arc<SourceFile>;

/// A position: 1-based line and column (columns count characters), plus the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 0-based byte offset in the source text.
    pub offset: usize,
}

/// A half-open range of source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// One past the last character.
    pub end: Pos,
}

impl Span {
    /// The raw source text covered by the span.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start.offset..self.end.offset).unwrap_or("")
    }
}

/// A span inside a particular source.
#[derive(Debug, Clone)]
pub struct Loc {
    /// The source file.
    pub src: Src,
    /// The range.
    pub span: Span,
}

impl Loc {
    /// `path:line:col` for messages.
    pub fn display(&self) -> String {
        format!(
            "{}:{}:{}",
            self.src.path, self.span.start.line, self.span.start.column
        )
    }
}
