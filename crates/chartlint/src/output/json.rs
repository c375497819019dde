use std::io::Write;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Summary};

#[derive(Serialize)]
struct Out<'a> {
    diagnostics: &'a [Diagnostic],
    summary: &'a Summary,
}

/// `{"diagnostics":[...],"summary":{"errors","warnings","infos","files"}}`, pretty-printed.
pub fn render_json(diags: &[Diagnostic], summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(&Out {
        diagnostics: diags,
        summary,
    })
    .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// [`render_json`] written to `w` by serde_json's pretty printer, through a buffer (with
/// `--each` the report can be megabytes).
pub fn write_json(
    w: &mut impl std::io::Write,
    diags: &[Diagnostic],
    summary: &Summary,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(
        &mut w,
        &Out {
            diagnostics: diags,
            summary,
        },
    )
    .map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
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
            notes: if i % 4 == 1 {
                vec!["a reason".into()]
            } else {
                Vec::new()
            },
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
    fn written_and_rendered_reports_are_the_same_json() {
        let diags: Vec<Diagnostic> = (0..300)
            .map(|i| diag(i, i % 2 == 0, (i % 3 == 0).then_some("fix it")))
            .collect();
        let summary = Summary::of(&diags, 300);
        let mut written = Vec::new();
        write_json(&mut written, &diags, &summary).expect("write");
        let text = render_json(&diags, &summary);
        assert_eq!(String::from_utf8(written).expect("utf-8"), text);
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed["diagnostics"].as_array().map(Vec::len), Some(300));
        assert_eq!(parsed["diagnostics"][1]["notes"][0], "a reason");
    }
}
