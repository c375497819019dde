//! The chart generator behind `chartgen`: turns the typed values model (crates/model) and the chart sources (chart-src/)
//! into complete Helm charts under generated-charts/ and JSON Schemas under schemas/.
//!
//! The pipeline is one way: model → schema + values → files in memory ([`generate`]); then
//! either written atomically ([`output::write`]) or compared with what is on disk
//! ([`output::check`]).

pub mod fleet;
pub mod output;
pub mod package;
pub mod plan;
pub mod readme;
pub mod refs;
pub mod spec;
pub mod values_yaml;
pub mod variants;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use serde_json::{json, Value};
use walkdir::WalkDir;

pub use output::{FileOut, Output};

/// Everything that can stop a generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Spec { path: PathBuf, message: String },
    #[error("chart-src/chart/{name}: {message}")]
    Template { name: String, message: String },
    #[error("variant {name}: {message}")]
    Variant { name: String, message: String },
    /// A fleet file that cannot be used, with every located problem.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Fleet(Vec<helm_values::yaml::LoadError>),
    #[error("chart sources reference values the model does not have:\n{0}")]
    UnknownValues(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Directories under the repository root that the chart generator owns entirely.
pub const OWNED_DIRS: [&str; 2] = ["generated-charts", "schemas"];

/// The result of a generation: the files, plus notes for the user.
pub struct Generated {
    pub output: Output,
    /// Documented values paths that no chart source references.
    pub unused_values: Vec<String>,
}

/// Generates every output file in memory from the sources under `root`.
pub fn generate(root: &Path) -> Result<Generated> {
    let src = root.join("chart-src");
    let spec = spec::load(&src.join("variants.yaml"))?;
    let schema = model::schema::values_schema();
    let defaults = model::schema::defaults();

    let sources = read_tree(&src, &["templates", "files"])?;
    let references: Vec<refs::Reference> = sources
        .iter()
        .filter_map(|(rel, f)| {
            let text = std::str::from_utf8(&f.contents).ok()?;
            Some(refs::scan(&format!("chart-src/{}", rel.display()), text))
        })
        .flatten()
        .collect();
    let unknown = refs::unknown(&schema, &references);
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|r| format!("  {}:{}: .Values.{}", r.file, r.line, r.path))
            .collect();
        return Err(Error::UnknownValues(list.join("\n")));
    }
    let unused_values = refs::unused(&schema, &references);

    let hb = handlebars(&src.join("chart"))?;
    let helmignore = read_file(&src.join("chart/.helmignore"))?;
    let schema_text = pretty_json(&schema);

    let sized: Vec<variants::SizedVariant> = spec
        .variants
        .iter()
        .map(|v| variants::size_variant(&spec, v, &defaults))
        .collect::<Result<_>>()?;
    let variants_table = variants::table(&sized);
    let mut charts = vec![ChartSource {
        name: spec.base.name.clone(),
        description: spec.base.description.clone(),
        values: defaults.clone(),
        sizing: None,
    }];
    charts.extend(sized.into_iter().map(|v| ChartSource {
        name: v.name,
        description: v.description,
        values: v.values,
        sizing: Some(format!(
            "{}\n{}",
            model::sizing::explain(&v.sizing),
            model::timing::explain(&v.timing)
        )),
    }));

    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("schemas/values.schema.json"),
        FileOut::text(schema_text.clone()),
    );
    files.insert(
        PathBuf::from("schemas/fleet.schema.json"),
        FileOut::text(pretty_json(&model::fleet::fleet_schema())),
    );
    for chart in &charts {
        let dir = PathBuf::from("generated-charts").join(&chart.name);
        let ctx = json!({
            "name": chart.name,
            "version": spec.version,
            "appVersion": spec.app_version,
            "home": spec.home,
            "sources": spec.sources,
            "description": chart.description,
            "description_json": Value::String(chart.description.clone()).to_string(),
            "parameters": readme::parameters_table(&schema, &chart.values),
            "sizing": chart.sizing,
            "variants_table": variants_table,
        });
        let render = |name: &str| -> Result<String> {
            hb.render(name, &ctx).map_err(|e| Error::Template {
                name: format!("{name}.hbs"),
                message: e.to_string(),
            })
        };
        files.insert(dir.join("Chart.yaml"), FileOut::text(render("Chart.yaml")?));
        files.insert(dir.join("README.md"), FileOut::text(render("README.md")?));
        files.insert(
            dir.join(".helmignore"),
            FileOut::bytes(helmignore.clone(), false),
        );
        files.insert(
            dir.join("values.schema.json"),
            FileOut::text(schema_text.clone()),
        );
        let header = format!(
            "Values of the {} chart. Generated by chartgen from the typed model (crates/model):\n\
             do not edit; change the model or chart-src/variants.yaml and run `cargo run -p chartgen`.",
            chart.name
        );
        files.insert(
            dir.join("values.yaml"),
            FileOut::text(values_yaml::render(&schema, &chart.values, &header)),
        );
        for (rel, f) in &sources {
            files.insert(dir.join(rel), f.clone());
        }
    }
    let readme_path = root.join("README.md");
    let readme = String::from_utf8_lossy(&read_file(&readme_path)?).to_string();
    let readme = replace_section(&readme, "variants", &variants_table).ok_or_else(|| Error::Spec {
        path: readme_path,
        message: "missing the <!-- BEGIN generated: variants --> / <!-- END generated: variants --> markers".into(),
    })?;
    files.insert(PathBuf::from("README.md"), FileOut::text(readme));
    Ok(Generated {
        output: Output {
            files,
            owned: OWNED_DIRS.iter().map(PathBuf::from).collect(),
        },
        unused_values,
    })
}

/// The sizing derivation of the variant `name`, as `chartgen explain` prints it.
pub fn explain(root: &Path, name: &str) -> Result<String> {
    let spec = spec::load(&root.join("chart-src/variants.yaml"))?;
    let variant = spec
        .variants
        .iter()
        .find(|v| v.name == name)
        .ok_or_else(|| Error::Variant {
            name: name.to_string(),
            message: format!(
                "no such variant; known: {}",
                spec.variants
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let sized = variants::size_variant(&spec, variant, &model::schema::defaults())?;
    Ok(format!(
        "{name}: maxmemory {}, {} Redis pods\n\n{}\n{}",
        variant.maxmemory,
        sized.values["replicas"],
        model::sizing::explain(&sized.sizing),
        model::timing::explain(&sized.timing)
    ))
}

/// Appends a variant to chart-src/variants.yaml (as text, so its comments stay), after
/// checking that the name is new and valid and that the variant can be sized.
pub fn add_variant(root: &Path, name: &str, maxmemory: &str) -> Result<()> {
    let path = root.join("chart-src/variants.yaml");
    let spec = spec::load(&path)?;
    let bad = |message: String| Error::Variant {
        name: name.to_string(),
        message,
    };
    let valid_name = !name.is_empty()
        && name.len() <= 53
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-');
    if !valid_name {
        return Err(bad(
            "a chart name is lowercase letters, digits and '-', starts with a letter, at most 53 characters".into(),
        ));
    }
    if name == spec.base.name || spec.variants.iter().any(|v| v.name == name) {
        return Err(bad("a chart of that name already exists".into()));
    }
    let variant = spec::Variant {
        name: name.to_string(),
        maxmemory: maxmemory.to_string(),
        description: None,
        overrides: Value::Null,
    };
    variants::size_variant(&spec, &variant, &model::schema::defaults())?;
    let mut text = String::from_utf8_lossy(&read_file(&path)?).to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("  - name: {name}\n    maxmemory: {maxmemory}\n"));
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, &path).map_err(|source| Error::Io { path, source })
}

/// One chart to generate.
struct ChartSource {
    name: String,
    description: String,
    values: Value,
    /// The sizing derivation of a variant (`chartgen explain`), shown in its README.
    sizing: Option<String>,
}

/// Replaces the text between `<!-- BEGIN generated: NAME -->` and `<!-- END generated: NAME -->`
/// in a hand-written document; `None` when the markers are missing.
pub fn replace_section(doc: &str, name: &str, content: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN generated: {name} -->");
    let end = format!("<!-- END generated: {name} -->");
    let start = doc.find(&begin)? + begin.len();
    let stop = start + doc[start..].find(&end)?;
    Some(format!("{}\n{}{}", &doc[..start], content, &doc[stop..]))
}

fn pretty_json(v: &Value) -> String {
    // Serializing a serde_json::Value cannot fail.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn handlebars(dir: &Path) -> Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    for name in ["Chart.yaml", "README.md"] {
        let path = dir.join(format!("{name}.hbs"));
        let text = String::from_utf8(read_file(&path)?).map_err(|e| Error::Spec {
            path: path.clone(),
            message: e.to_string(),
        })?;
        hb.register_template_string(name, text)
            .map_err(|e| Error::Template {
                name: format!("{name}.hbs"),
                message: e.to_string(),
            })?;
    }
    Ok(hb)
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the files under `base/<dir>` for each `dir`, keyed by their path relative to `base`,
/// in sorted order (deterministic output).
fn read_tree(base: &Path, dirs: &[&str]) -> Result<BTreeMap<PathBuf, FileOut>> {
    let mut out = BTreeMap::new();
    for dir in dirs {
        let top = base.join(dir);
        for entry in WalkDir::new(&top).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Io {
                path: top.clone(),
                source: e.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(base)
                .map_err(|e| Error::Spec {
                    path: entry.path().to_path_buf(),
                    message: e.to_string(),
                })?
                .to_path_buf();
            let contents = read_file(entry.path())?;
            out.insert(rel, FileOut::bytes(contents, is_executable(entry.path())));
        }
    }
    Ok(out)
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}

/// The repository root: the nearest ancestor of `start` that holds `chart-src/`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|p| p.join("chart-src").is_dir())
        .map(Path::to_path_buf)
}
