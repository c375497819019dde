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
    match write_json(&mut out, diags, summary) {
        Ok(()) => String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        // Only a serialization error gets here (writing to a Vec does not fail).
        Err(_) => whole(diags, summary),
    }
}

/// The document in one piece by serde_json's pretty printer (the reference for the parts).
fn whole(diags: &[Diagnostic], summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(&Out {
        diagnostics: diags,
        summary,
    })
    .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// Diagnostics per part of the output: small enough that the parts' buffers are reused
/// rather than a fleet's megabytes being held (and paged in) at once.
const PART: usize = 128;

/// [`render_json`] written to `w` as it is produced: the diagnostics are serialized on all
/// cores in parts of [`PART`], and written in order. The text is serde_json's pretty printer's
/// for [`Out`]: each diagnostic is printed on its own and indented to its depth in the
/// document (JSON strings escape line breaks, so every line break in a part is the printer's).
pub fn write_json(
    w: &mut impl std::io::Write,
    diags: &[Diagnostic],
    summary: &Summary,
) -> std::io::Result<()> {
    if diags.is_empty() {
        return w.write_all(whole(diags, summary).as_bytes());
    }
    let unserializable =
        |e: serde_json::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let summary = serde_json::to_string_pretty(summary).map_err(unserializable)?;
    let parts: Vec<&[Diagnostic]> = diags.chunks(PART).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(parts.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    w.write_all(b"{\n  \"diagnostics\": [\n")?;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let (tx, next, parts) = (tx.clone(), &next, &parts);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(part) = parts.get(i) else { break };
                // The receiver is gone only when writing failed: stop.
                if tx.send((i, render_items(part))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut wanted = 0;
        for (i, text) in rx {
            waiting.insert(i, text);
            while let Some(text) = waiting.remove(&wanted) {
                let text = text.map_err(unserializable)?;
                if wanted > 0 {
                    w.write_all(b",\n")?;
                }
                w.write_all(text.as_bytes())?;
                wanted += 1;
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    w.write_all(b"\n  ],\n  \"summary\": ")?;
    let mut tail = String::new();
    push_indented(&mut tail, &summary, "  ");
    tail.push_str("\n}\n");
    w.write_all(tail.as_bytes())
}

/// Diagnostics as elements of the `diagnostics` array (two levels deep), separated by `,\n`.
fn render_items(diags: &[Diagnostic]) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(diags.len() * 640);
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Nested::at(2));
        serde::Serialize::serialize(d, &mut ser)?;
    }
    // serde_json writes UTF-8.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// serde_json's pretty printer (two-space indent) for a value nested `depth` levels deep in
/// the document, so that a part prints exactly as it does inside the whole document.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn at(depth: usize) -> Nested {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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
    fn parts_match_serde_pretty_printer() {
        for n in [0, 1, 2, 3, PART - 1, PART, PART + 1, 700] {
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
