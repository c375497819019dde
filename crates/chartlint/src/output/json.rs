use serde::Serialize;

use crate::diagnostic::{Diagnostic, Summary};

#[derive(Serialize)]
struct Out<'a> {
    diagnostics: &'a [Diagnostic],
    summary: &'a Summary,
}

/// `{"diagnostics":[...],"summary":{"errors","warnings","infos","files"}}`, pretty-printed.
pub fn render_json(diags: &[Diagnostic], summary: &Summary) -> String {
    let mut s = render_parts(diags, summary).unwrap_or_else(|| {
        serde_json::to_string_pretty(&Out {
            diagnostics: diags,
            summary,
        })
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    });
    s.push('\n');
    s
}

/// The same text as serde_json's pretty printer gives for [`Out`], with the diagnostics
/// serialized on all cores (a `--each` run over a fleet has thousands). Each part is printed on
/// its own and indented to its depth in the document; JSON strings escape line breaks, so
/// every line break in a part is the printer's. `None` on a serialization error.
fn render_parts(diags: &[Diagnostic], summary: &Summary) -> Option<String> {
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
    let summary = serde_json::to_string_pretty(summary).ok()?;
    let mut out =
        String::with_capacity(parts.iter().flatten().map(String::len).sum::<usize>() + 256);
    out.push_str("{\n  \"diagnostics\": [\n");
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(&part?);
    }
    out.push_str("\n  ],\n  \"summary\": ");
    push_indented(&mut out, &summary, "  ");
    out.push_str("\n}");
    Some(out)
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
