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
