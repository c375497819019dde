use std::collections::HashMap;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::source::Src;

/// rustc-style text: `error[RHA001]: ...`, ` --> file:line:col`, the source line with a caret,
/// related locations in the same report, and `help:`. `color` selects ANSI styling.
pub fn render_human(
    diags: &[Diagnostic],
    sources: &[Src],
    summary: &Summary,
    color: bool,
) -> String {
    let by_path: HashMap<&str, &Src> = sources.iter().map(|s| (s.path.as_str(), s)).collect();
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let mut group =
            Group::with_title(level.primary_title(d.message.as_str()).id(d.rule.as_str()));
        match snippet(
            &by_path,
            &d.file,
            d.line,
            d.column,
            d.end_line,
            d.end_column,
        ) {
            Some((text, line_start, range)) => {
                group = group.element(
                    Snippet::source(text)
                        .line_start(line_start)
                        .path(d.file.as_str())
                        .annotation(AnnotationKind::Primary.span(range)),
                );
            }
            None => {
                group = group.element(
                    annotate_snippets::Origin::path(d.file.as_str())
                        .line(d.line)
                        .char_column(d.column - 1),
                );
            }
        }
        for r in &d.related {
            if let Some((text, line_start, range)) = snippet(
                &by_path,
                &r.file,
                r.line,
                r.column,
                r.end_line,
                r.end_column,
            ) {
                group = group.element(
                    Snippet::source(text)
                        .line_start(line_start)
                        .path(r.file.as_str())
                        .annotation(
                            AnnotationKind::Context
                                .span(range)
                                .label(r.message.as_str()),
                        ),
                );
            } else {
                group = group.element(
                    Level::NOTE
                        .message(format!("{}:{}:{}: {}", r.file, r.line, r.column, r.message)),
                );
            }
        }
        for n in &d.notes {
            group = group.element(Level::NOTE.message(n.as_str()));
        }
        if let Some(h) = &d.help {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        group = group.element(Level::NOTE.message(format!(
            "rule `{}`; details: chartlint --explain {}",
            d.name, d.rule
        )));
        let report: Vec<Group<'_>> = vec![group];
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "{} error{}, {} warning{}, {} info{} in {} input{}\n",
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.infos,
        plural(summary.infos),
        summary.files,
        plural(summary.files)
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The source line of a location and the byte range to underline (first line only, at least one
/// character when the line has one).
fn snippet<'a>(
    by_path: &HashMap<&str, &'a Src>,
    file: &str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
) -> Option<(&'a str, usize, std::ops::Range<usize>)> {
    let src = by_path.get(file)?;
    let text = src.line_text(line);
    if text.is_empty() && line > src.text.split('\n').count() {
        return None;
    }
    let byte_at = |col: usize| {
        text.char_indices()
            .nth(col.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(text.len())
    };
    let start = byte_at(column);
    let mut end = if end_line == line {
        byte_at(end_column)
    } else {
        text.len()
    };
    if end <= start {
        end = text[start..]
            .chars()
            .next()
            .map(|c| start + c.len_utf8())
            .unwrap_or(start);
    }
    Some((text, line, start..end))
}
