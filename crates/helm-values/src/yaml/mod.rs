//! A positional YAML tree with Helm's typing, built iteratively from `granit-parser` events.
//!
//! Every key and scalar keeps its span and quoting style, so rules can tell `yes` from `"yes"`
//! and diagnostics can point at the exact line and column.

pub mod resolve;

use std::collections::HashMap;

use granit_parser::{Event, Marker, Parser, ScalarStyle};

pub use resolve::HelmScalar;

use crate::source::{Pos, SourceFile, SourceKind, Span, Src};

/// Comments are collected only from texts holding a linter directive (`# chartlint: ignore ...`):
/// nothing else reads comments, and comment events make parsing slower.
pub const DIRECTIVE_MARKER: &str = "chartlint:";

/// Resource limits that keep hostile input bounded in time and memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of collections (aliases included).
    pub max_depth: usize,
    /// Most nodes that alias expansion may copy in one document.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Real values files are far below this (upstream's own is ~40 KB); it bounds memory.
            max_bytes: 2 * 1024 * 1024,
            max_depth: 128,
            max_alias_nodes: 200_000,
        }
    }
}

/// A file that cannot be loaded, with the position that explains why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct LoadError {
    /// File path as given.
    pub path: String,
    /// 1-based line (1 when the whole file is at fault).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// An error at a position of a file.
    pub fn at(path: &str, pos: Pos, message: impl Into<String>) -> Self {
        LoadError {
            path: path.to_string(),
            line: pos.line.max(1),
            column: pos.column.max(1),
            message: message.into(),
        }
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: the only style Helm's resolver types.
    Plain,
    /// `'...'`
    SingleQuoted,
    /// `"..."`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

impl From<ScalarStyle> for Style {
    fn from(s: ScalarStyle) -> Self {
        match s {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::SingleQuoted,
            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        }
    }
}

/// A scalar with both its text and Helm's typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// Helm's view of the scalar.
    pub value: HelmScalar,
    /// The scalar text after YAML escape processing.
    pub text: String,
    /// How it was written.
    pub style: Style,
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Content.
    pub kind: NodeKind,
    /// Where the node is written (for alias copies: where the anchored node is written).
    pub span: Span,
    /// For a copy made by an alias: where the `*alias` is written.
    pub alias: Option<Span>,
    /// Number of nodes in this subtree (used for the alias budget).
    pub size: usize,
    /// Collection nesting below this node (0 for scalars).
    pub height: usize,
}

/// Node content.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, keys already resolved and de-duplicated (last wins).
    Map(Vec<Entry>),
}

/// One mapping entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as Helm sees it (`y` becomes `true`).
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The key's scalar (text and style as written).
    pub key_scalar: Scalar,
    /// The value.
    pub value: Node,
    /// True when the entry came in through a `<<` merge key.
    pub from_merge: bool,
}

/// A key written twice in one mapping (Helm silently keeps the last one).
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    /// Dotted values path of the key.
    pub path: String,
    /// First occurrence (ignored by Helm).
    pub first: Span,
    /// Last occurrence (the one Helm keeps).
    pub last: Span,
}

/// A comment, kept for inline suppressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Text after `#`.
    pub text: String,
    /// Where the `#` is.
    pub span: Span,
    /// True when only whitespace precedes the comment on its line.
    pub own_line: bool,
}

/// A loaded values document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The source it came from.
    pub src: Src,
    /// The top-level mapping (`None` for an empty document or a top-level null).
    pub root: Option<Node>,
    /// Keys written more than once.
    pub duplicates: Vec<DuplicateKey>,
    /// The comments of the first document, when it may hold inline directives: only a text
    /// containing `chartlint:` has its comments collected (the parser reads others faster
    /// without them, and only `# chartlint: ...` comments mean anything here).
    pub comments: Vec<Comment>,
    /// Positions of `<<` merge keys.
    pub merge_keys: Vec<Span>,
    /// Positions of `*alias` uses.
    pub aliases: Vec<Span>,
}

/// Read a file from disk and load it, refusing binary, non-UTF-8 and oversized input first.
pub fn load_file(
    path: &std::path::Path,
    kind: SourceKind,
    limits: &Limits,
) -> Result<Document, LoadError> {
    let shown = path.display().to_string();
    let err = |msg: String| LoadError {
        path: shown.clone(),
        line: 1,
        column: 1,
        message: msg,
    };
    // One open and one fstat per file (`--each` reads thousands), rather than a stat by path
    // and then a read by path.
    let mut file = std::fs::File::open(path).map_err(|e| err(format!("cannot read file: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| err(format!("cannot read file: {e}")))?;
    if meta.is_dir() {
        return Err(err("is a directory, not a values file".to_string()));
    }
    if meta.len() > limits.max_bytes as u64 {
        return Err(err(format!(
            "file is {} bytes, larger than the {} byte limit for a values file",
            meta.len(),
            limits.max_bytes
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    std::io::Read::read_to_end(&mut file, &mut bytes)
        .map_err(|e| err(format!("cannot read file: {e}")))?;
    load_bytes(&shown, &bytes, kind, limits)
}

/// Check encoding and size, then load.
pub fn load_bytes(
    path: &str,
    bytes: &[u8],
    kind: SourceKind,
    limits: &Limits,
) -> Result<Document, LoadError> {
    if bytes.len() > limits.max_bytes {
        return Err(LoadError::at(
            path,
            Pos::default(),
            format!(
                "file is {} bytes, larger than the {} byte limit for a values file",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(LoadError::at(
            path,
            Pos::default(),
            "file is UTF-16 encoded; Helm reads values files as UTF-8",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                String::from_utf8_lossy(good.rsplit(|&b| b == b'\n').next().unwrap_or(&[]))
                    .chars()
                    .count()
                    + 1;
            let msg = if bytes.contains(&0) {
                "binary file (contains NUL bytes), not a YAML values file".to_string()
            } else {
                format!(
                    "file is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                )
            };
            return Err(LoadError {
                path: path.to_string(),
                line,
                column,
                message: msg,
            });
        }
    };
    if let Some(i) = text.find('\0') {
        let line = text[..i].matches('\n').count() + 1;
        return Err(LoadError {
            path: path.to_string(),
            line,
            column: 1,
            message: "binary file (contains NUL bytes), not a YAML values file".to_string(),
        });
    }
    load_str(SourceFile::new(path, text, kind), limits)
}

/// Load the first YAML document of a source into a positional tree.
pub fn load_str(src: Src, limits: &Limits) -> Result<Document, LoadError> {
    let mut b = Builder {
        path: src.path.clone(),
        limits: *limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
        duplicates: Vec::new(),
        merge_keys: Vec::new(),
        aliases: Vec::new(),
    };
    let text: &str = &src.text;
    let mut comments = Vec::new();
    // Byte offsets where lines start, made on the first comment (for `own_line`).
    let mut line_starts: Vec<usize> = Vec::new();
    // Parser nesting limits sit above ours so that our own, clearer depth error comes first.
    let options = granit_parser::options! {
        emit_comments: text.contains(DIRECTIVE_MARKER),
        max_buffered_comment_events: 1 << 20,
        flow_nesting_limit: limits.max_depth + 8,
        block_nesting_limit: limits.max_depth + 8,
    };
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let at = pos(text, e.marker());
                if matches!(e.kind(), granit_parser::ErrorKind::RecursionLimitExceeded) {
                    return Err(b.too_deep(at));
                }
                return Err(LoadError::at(
                    &b.path,
                    at,
                    format!("invalid YAML: {}", e.info()),
                ));
            }
        };
        let span = to_span(text, &span);
        match event {
            Event::StreamStart | Event::DocumentStart(..) | Event::Anchor(..) => {}
            Event::StreamEnd => break,
            // Helm (go-yaml v2 Unmarshal) reads only the first document.
            Event::DocumentEnd => break,
            Event::Comment(c, _) => {
                let line = line_text(text, &mut line_starts, span.start.line);
                let before: String = line.chars().take(span.start.column - 1).collect();
                comments.push(Comment {
                    text: c.into_owned(),
                    span,
                    own_line: before.trim().is_empty(),
                });
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = Style::from(style);
                let typed = type_scalar(&value, style, tag.as_deref())
                    .map_err(|m| LoadError::at(&b.path, span.start, m))?;
                let node = Node {
                    kind: NodeKind::Scalar(Scalar {
                        value: typed,
                        text: value.into_owned(),
                        style,
                    }),
                    span,
                    alias: None,
                    size: 1,
                    height: 0,
                };
                if anchor != 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.push_node(node)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                b.open(span, anchor, FrameKind::Seq(Vec::new()))?
            }
            Event::MappingStart(_, anchor, _) => b.open(
                span,
                anchor,
                FrameKind::Map {
                    entries: Vec::new(),
                    index: HashMap::new(),
                    key: None,
                },
            )?,
            Event::SequenceEnd | Event::MappingEnd => b.close(span)?,
            Event::Alias(id) => {
                b.aliases.push(span);
                let Some(target) = b.anchors.get(&id) else {
                    return Err(LoadError::at(
                        &b.path,
                        span.start,
                        "alias refers to its own enclosing anchor (recursive alias)",
                    ));
                };
                b.alias_nodes += target.size;
                if b.alias_nodes > b.limits.max_alias_nodes {
                    return Err(LoadError::at(
                        &b.path,
                        span.start,
                        format!(
                            "document contains excessive aliasing (alias expansion exceeds {} nodes)",
                            b.limits.max_alias_nodes
                        ),
                    ));
                }
                if b.stack.len() + target.height > b.limits.max_depth {
                    return Err(b.too_deep(span.start));
                }
                let mut node = target.clone();
                node.alias = Some(span);
                b.push_node(node)?;
            }
            Event::UnresolvedAlias(name) => {
                return Err(LoadError::at(
                    &b.path,
                    span.start,
                    format!("unknown anchor `{name}`"),
                ))
            }
            // Future presentation-only events carry no values.
            _ => {}
        }
    }
    let root = match b.root.take() {
        None => None,
        Some(n) => match &n.kind {
            NodeKind::Map(_) => Some(n),
            NodeKind::Scalar(Scalar {
                value: HelmScalar::Null,
                ..
            }) => None,
            NodeKind::Scalar(_) => {
                return Err(LoadError::at(
                    &b.path,
                    n.span.start,
                    "values must be a mapping of keys to values, found a scalar",
                ))
            }
            NodeKind::Seq(_) => {
                return Err(LoadError::at(
                    &b.path,
                    n.span.start,
                    "values must be a mapping of keys to values, found a list",
                ))
            }
        },
    };
    Ok(Document {
        src,
        root,
        duplicates: b.duplicates,
        comments,
        merge_keys: b.merge_keys,
        aliases: b.aliases,
    })
}

/// Mappings up to this many keys are searched by a scan; larger ones get a hash index.
const SMALL_MAP: usize = 16;

/// Position of `key` among a mapping's entries (keys are unique). Most mappings of a values
/// file are small: a scan costs less than hashing and copying every key into an index.
fn key_position(entries: &[Entry], index: &HashMap<String, usize>, key: &str) -> Option<usize> {
    if entries.len() <= SMALL_MAP {
        entries.iter().position(|e| e.key == key)
    } else {
        index.get(key).copied()
    }
}

/// Append a new key's entry, keeping the index of a large mapping complete.
fn push_entry(entries: &mut Vec<Entry>, index: &mut HashMap<String, usize>, entry: Entry) {
    entries.push(entry);
    if entries.len() <= SMALL_MAP {
        return;
    }
    if index.is_empty() {
        index.extend(entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)));
    } else {
        index.insert(entries[entries.len() - 1].key.clone(), entries.len() - 1);
    }
}

/// [`SourceFile::line_text`] of `text`, with the line starts computed once per document
/// instead of splitting the whole text for every comment.
fn line_text<'t>(text: &'t str, starts: &mut Vec<usize>, line: usize) -> &'t str {
    if starts.is_empty() {
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    }
    let Some(&start) = starts.get(line.saturating_sub(1)) else {
        return "";
    };
    let l = &text[start..];
    let l = l.find('\n').map_or(l, |end| &l[..end]);
    l.strip_suffix('\r').unwrap_or(l)
}

fn pos(text: &str, m: &Marker) -> Pos {
    let offset = m.byte_offset().unwrap_or_else(|| {
        // Fall back to counting characters when the parser gave no byte offset.
        text.char_indices()
            .nth(m.index())
            .map(|(i, _)| i)
            .unwrap_or(text.len())
    });
    Pos {
        line: m.line(),
        column: m.col() + 1,
        offset,
    }
}

fn to_span(text: &str, s: &granit_parser::Span) -> Span {
    Span {
        start: pos(text, &s.start),
        end: pos(text, &s.end),
    }
}

/// Type a scalar as Helm does: only plain scalars are resolved; explicit core tags win.
fn type_scalar(
    value: &str,
    style: Style,
    tag: Option<&granit_parser::Tag>,
) -> Result<HelmScalar, String> {
    if let Some(tag) = tag {
        if let Some(suffix) = tag.core_suffix() {
            match suffix {
                "str" | "binary" | "timestamp" => return Ok(HelmScalar::Str(value.to_string())),
                "null" => return Ok(HelmScalar::Null),
                "bool" | "int" | "float" => {
                    return match resolve::resolve_plain(value) {
                        Ok(v @ (HelmScalar::Bool(_) | HelmScalar::Float(_))) => Ok(v),
                        _ => Err(format!("cannot read `{value}` as !!{suffix}")),
                    }
                }
                _ => {}
            }
        }
    }
    if style != Style::Plain {
        return Ok(HelmScalar::Str(value.to_string()));
    }
    resolve::resolve_plain(value).map_err(|_| {
        format!("`{value}` is not a finite number: Helm fails to load it (JSON has no infinity or NaN); quote it if a string is meant")
    })
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        index: HashMap<String, usize>,
        // Boxed: a pending key is rare compared to the frames it would bloat.
        key: Option<Box<Node>>,
    },
}

struct Frame {
    kind: FrameKind,
    start: Span,
    anchor: usize,
}

struct Builder {
    path: String,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    root: Option<Node>,
    duplicates: Vec<DuplicateKey>,
    merge_keys: Vec<Span>,
    aliases: Vec<Span>,
}

impl Builder {
    fn too_deep(&self, at: Pos) -> LoadError {
        LoadError::at(
            &self.path,
            at,
            format!("nesting is deeper than {} levels", self.limits.max_depth),
        )
    }

    fn open(&mut self, span: Span, anchor: usize, kind: FrameKind) -> Result<(), LoadError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.too_deep(span.start));
        }
        self.stack.push(Frame {
            kind,
            start: span,
            anchor,
        });
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), LoadError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let span = Span {
            start: frame.start.start,
            end: end.end.max(frame.start.end),
        };
        let node = match frame.kind {
            FrameKind::Seq(items) => {
                let size = 1 + items.iter().map(|n| n.size).sum::<usize>();
                let height = 1 + items.iter().map(|n| n.height).max().unwrap_or(0);
                Node {
                    kind: NodeKind::Seq(items),
                    span,
                    alias: None,
                    size,
                    height,
                }
            }
            FrameKind::Map { entries, key, .. } => {
                if let Some(k) = key {
                    // The parser always pairs keys; a dangling key means a parser bug, not user input.
                    return Err(LoadError::at(
                        &self.path,
                        k.span.start,
                        "mapping key without a value",
                    ));
                }
                let size = 1 + entries.iter().map(|e| e.value.size + 1).sum::<usize>();
                let height = 1 + entries.iter().map(|e| e.value.height).max().unwrap_or(0);
                Node {
                    kind: NodeKind::Map(entries),
                    span,
                    alias: None,
                    size,
                    height,
                }
            }
        };
        if frame.anchor != 0 {
            self.anchors.insert(frame.anchor, node.clone());
        }
        self.push_node(node)
    }

    fn current_path(&self) -> String {
        let mut path = String::new();
        for f in &self.stack[..self.stack.len().saturating_sub(1)] {
            match &f.kind {
                FrameKind::Seq(items) => path.push_str(&format!("[{}]", items.len())),
                FrameKind::Map { key, .. } => {
                    if let Some(NodeKind::Scalar(s)) = key.as_deref().map(|k| &k.kind) {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(&resolve::key_string(&s.value));
                    }
                }
            }
        }
        path
    }

    fn push_node(&mut self, node: Node) -> Result<(), LoadError> {
        let mut dup: Option<(String, Span, Span)> = None;
        let Some(top) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        match &mut top.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map {
                entries,
                index,
                key,
            } => {
                let Some(k) = key.take() else {
                    *key = Some(Box::new(node));
                    return Ok(());
                };
                let k = *k;
                let NodeKind::Scalar(ks) = k.kind else {
                    return Err(LoadError::at(
                        &self.path,
                        k.span.start,
                        "a mapping or list used as a key: Helm values keys must be scalars",
                    ));
                };
                if ks.style == Style::Plain && ks.text == "<<" {
                    self.merge_keys.push(k.span);
                    let sources: Vec<&Node> = match &node.kind {
                        NodeKind::Map(_) => vec![&node],
                        // Earlier maps take precedence, so apply them last (go-yaml v2 order).
                        NodeKind::Seq(items) => items.iter().rev().collect(),
                        NodeKind::Scalar(_) => Vec::new(),
                    };
                    if sources.is_empty() && !matches!(node.kind, NodeKind::Seq(_)) {
                        return Err(LoadError::at(
                            &self.path,
                            node.alias.unwrap_or(node.span).start,
                            "the value of a `<<` merge key must be a mapping or a list of mappings",
                        ));
                    }
                    for src in sources {
                        let NodeKind::Map(src_entries) = &src.kind else {
                            return Err(LoadError::at(
                                &self.path,
                                src.alias.unwrap_or(src.span).start,
                                "the value of a `<<` merge key must be a mapping or a list of mappings",
                            ));
                        };
                        for e in src_entries {
                            let mut e = e.clone();
                            e.from_merge = true;
                            match key_position(entries, index, &e.key) {
                                Some(i) => entries[i] = e,
                                None => push_entry(entries, index, e),
                            }
                        }
                    }
                    return Ok(());
                }
                let entry = Entry {
                    key: resolve::key_string(&ks.value),
                    key_span: k.span,
                    key_scalar: ks,
                    value: node,
                    from_merge: false,
                };
                match key_position(entries, index, &entry.key) {
                    Some(i) => {
                        if !entries[i].from_merge {
                            dup = Some((entry.key.clone(), entries[i].key_span, entry.key_span));
                        }
                        entries[i] = entry;
                    }
                    None => push_entry(entries, index, entry),
                }
            }
        }
        if let Some((key, first, last)) = dup {
            let prefix = self.current_path();
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            self.duplicates.push(DuplicateKey { path, first, last });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
