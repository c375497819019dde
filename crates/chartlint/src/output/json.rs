use serde::Serialize;

use crate::diagnostic::{Diagnostic, Summary};

#[derive(Serialize)]
struct Out<'a> {
    diagnostics: &'a [Diagnostic],
    summary: &'a Summary,
}

/// `{"diagnostics":[...],"summary":{"errors","warnings","infos","files"}}`, pretty-printed.
pub fn render_json(diags: &[Diagnostic], summary: &Summary) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_json(&mut out, diags, summary);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`render_json`] written to `w` part by part (a fleet's report is megabytes: no copy of it
/// all in one string).
pub fn write_json(
    w: &mut impl std::io::Write,
    diags: &[Diagnostic],
    summary: &Summary,
) -> std::io::Result<()> {
    match render_parts(diags, summary) {
        Some((parts, summary)) => {
            w.write_all(b"{\n  \"diagnostics\": [\n")?;
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",\n")?;
                }
                w.write_all(part.as_bytes())?;
            }
            w.write_all(b"\n  ],\n  \"summary\": ")?;
            let mut tail = String::new();
            push_indented(&mut tail, &summary, "  ");
            tail.push_str("\n}\n");
            w.write_all(tail.as_bytes())
        }
        None => {
            let mut s = serde_json::to_string_pretty(&Out {
                diagnostics: diags,
                summary,
            })
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
            s.push('\n');
            w.write_all(s.as_bytes())
        }
    }
}

/// The diagnostics as serde_json's pretty printer prints them inside [`Out`], serialized on
/// all cores (a `--each` run over a fleet has thousands), in chunks joined by `,\n`, plus the
/// summary's own pretty text. Each diagnostic is printed on its own and indented to its depth
/// in the document; JSON strings escape line breaks, so every line break in a part is the
/// printer's. `None` without diagnostics or on a serialization error.
fn render_parts(diags: &[Diagnostic], summary: &Summary) -> Option<(Vec<String>, String)> {
    if diags.is_empty() {
        return None;
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(diags.len().div_ceil(256));
    let chunk = diags.len().div_ceil(threads.max(1));
    let parts: Vec<Option<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = diags
            .chunks(chunk)
            .map(|part| scope.spawn(move || render_items(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let parts: Option<Vec<String>> = parts.into_iter().collect();
    Some((parts?, serde_json::to_string_pretty(summary).ok()?))
}

/// Diagnostics as elements of the `diagnostics` array (two levels deep), separated by `,\n`.
fn render_items(diags: &[Diagnostic]) -> Option<String> {
    let mut out = String::with_capacity(diags.len() * 640);
    let mut one = Vec::with_capacity(1024);
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        one.clear();
        serde_json::to_writer_pretty(&mut one, d).ok()?;
        out.push_str("    ");
        push_indented(&mut out, std::str::from_utf8(&one).ok()?, "    ");
    }
    Some(out)
}

/// Append `text`, with `indent` after every line break.
fn push_indented(out: &mut String, text: &str, indent: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(indent);
        }
        out.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn diag(i: usize, related: bool, help: Option<&str>) -> Diagnostic {
        Diagnostic {
            rule: "RHA002".into(),
            name: "unknown-key".into(),
            severity: Severity::Warning,
            message: format!("line \"{i}\"\nsecond line\tand a tab"),
            file: format!("f{i}.yaml"),
            line: i,
            column: 2,
            end_line: i,
            end_column: 7,
            path: "a.b".into(),
            help: help.map(str::to_string),
            related: if related {
                vec![crate::diagnostic::Related {
                    file: "values.yaml".into(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 3,
                    message: "here".into(),
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn parts_match_serde_pretty_printer() {
        for n in [0, 1, 2, 3, 700] {
            let diags: Vec<Diagnostic> = (0..n)
                .map(|i| diag(i, i % 2 == 0, (i % 3 == 0).then_some("fix it")))
                .collect();
            let summary = Summary::of(&diags, n);
            let mut expected = serde_json::to_string_pretty(&Out {
                diagnostics: &diags,
                summary: &summary,
            })
            .unwrap();
            expected.push('\n');
            assert_eq!(render_json(&diags, &summary), expected, "{n} diagnostics");
        }
    }
}
