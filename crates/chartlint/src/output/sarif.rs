//! SARIF 2.1.0, hand-rolled: the handful of fields code-scanning platforms read.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users read about the tool; SARIF requires an absolute URI.
const INFORMATION_URI: &str = "https://helm.sh/docs/chart_template_guide/values_files/";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'a str,
    results: Vec<ResultObj>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'a str,
    rules: Vec<RuleDesc<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDesc<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: DefaultConfig<'a>,
    properties: RuleProps<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct DefaultConfig<'a> {
    level: &'a str,
}

#[derive(Serialize)]
struct RuleProps<'a> {
    category: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultObj {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path (spaces, `#`, `%` ... percent-encoded).
pub fn sarif_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(line: usize, column: usize, end_line: usize, end_column: usize) -> Region {
    let (end_line, mut end_column) = if (end_line, end_column) < (line, column) {
        (line, column)
    } else {
        (end_line, end_column)
    };
    if end_line == line && end_column <= column {
        end_column = column + 1;
    }
    Region {
        start_line: line,
        start_column: column,
        end_line,
        end_column,
    }
}

/// SARIF 2.1.0 log with every rule's metadata and one result per diagnostic.
pub fn render_sarif(diags: &[Diagnostic]) -> String {
    let rules: Vec<RuleDesc<'_>> = registry()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleDesc {
                id: m.id,
                name: m.name,
                short_description: Text {
                    text: m.summary.to_string(),
                },
                full_description: Text {
                    text: m.summary.to_string(),
                },
                help: Help {
                    text: m.doc.trim().to_string(),
                    markdown: m.doc.trim().to_string(),
                },
                default_configuration: DefaultConfig {
                    level: level(m.severity),
                },
                properties: RuleProps {
                    category: m.category.as_str(),
                },
            }
        })
        .collect();
    let results = diags
        .iter()
        .map(|d| {
            let rule_index = registry()
                .iter()
                .position(|r| r.meta().id == d.rule)
                .unwrap_or(0);
            // SARIF has one message per result: the notes follow the message as sentences of
            // their own, then the help (locations of the notes are relatedLocations).
            let mut text = d.message.clone();
            for n in &d.notes {
                text.push_str(&format!("\nNote: {n}"));
            }
            if let Some(h) = &d.help {
                text.push_str(&format!("\nHelp: {h}"));
            }
            ResultObj {
                rule_id: d.rule.clone(),
                rule_index,
                level: level(d.severity),
                message: Text { text },
                locations: vec![Location {
                    id: None,
                    physical_location: Physical {
                        artifact_location: Artifact {
                            uri: sarif_uri(&d.file),
                        },
                        region: region(d.line, d.column, d.end_line, d.end_column),
                    },
                    message: None,
                }],
                related_locations: d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| Location {
                        id: Some(i),
                        physical_location: Physical {
                            artifact_location: Artifact {
                                uri: sarif_uri(&r.file),
                            },
                            region: region(r.line, r.column, r.end_line, r.end_column),
                        },
                        message: Some(Text {
                            text: r.message.clone(),
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "chartlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(sarif_uri("values/a b.yaml"), "values/a%20b.yaml");
        assert_eq!(sarif_uri("--set #1"), "--set%20%231");
        assert_eq!(sarif_uri("/abs/x.yaml"), "file:///abs/x.yaml");
    }
}
