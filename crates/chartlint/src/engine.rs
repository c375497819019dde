//! One lint run: load the chart once, then lint any number of values inputs against it.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::rules::{self, Context};
use crate::schema::Schema;
use crate::source::{SourceFile, SourceKind, Src};
use crate::values::{self, Inputs, Value};
use crate::yaml::{self, Document, Limits, LoadError};

/// A chart directory, loaded once: its values.yaml and its compiled values.schema.json.
#[derive(Debug)]
pub struct Chart {
    /// The directory.
    pub dir: PathBuf,
    /// values.yaml as a value tree (empty map if the chart has none).
    pub values: Value,
    /// The compiled schema, if the chart has one.
    pub schema: Option<Schema>,
}

impl Chart {
    /// Load `dir/values.yaml` and `dir/values.schema.json`.
    pub fn load(dir: &Path, limits: &Limits) -> Result<Chart, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError {
                path: dir.display().to_string(),
                line: 1,
                column: 1,
                message: "chart directory not found".to_string(),
            });
        }
        // The schema compiles while values.yaml loads: both are needed before any file is linted.
        let schema_path = dir.join("values.schema.json");
        let (values, schema) = rayon::join(
            || Chart::load_values(dir, limits),
            || Schema::load(&schema_path),
        );
        let (values, mut schema) = (values?, schema?);
        if let Some(schema) = &mut schema {
            schema.check_defaults(&values);
        }
        Ok(Chart {
            dir: dir.to_path_buf(),
            values,
            schema,
        })
    }

    /// `dir/values.yaml` as a value tree (an empty map when the chart has none).
    fn load_values(dir: &Path, limits: &Limits) -> Result<Value, LoadError> {
        let values_path = dir.join("values.yaml");
        let doc = if values_path.exists() {
            yaml::load_file(&values_path, SourceKind::ChartValues, limits)?
        } else {
            yaml::load_str(
                SourceFile::new(
                    values_path.display().to_string(),
                    "",
                    SourceKind::ChartValues,
                ),
                limits,
            )?
        };
        Ok(values::from_document(&doc))
    }

    /// The chart's values.yaml source.
    pub fn values_source(&self) -> Src {
        self.values.loc.src.clone()
    }
}

/// What to lint: Helm's `-f` / `--set` / `--set-string` arguments.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `-f` files, merged in order.
    pub files: Vec<PathBuf>,
    /// `--set` arguments.
    pub set: Vec<String>,
    /// `--set-string` arguments.
    pub set_string: Vec<String>,
    /// `--server-version` (`redis:7.2`, `valkey:9`): judge redis.conf for this server
    /// instead of the one `image.repository`/`image.tag` name.
    pub server_version: Option<String>,
}

/// Check a `--server-version` value (`redis:7.2`, `valkey:9`, `8.2.3`).
pub fn validate_server_version(s: &str) -> Result<(), String> {
    match model::directives::parse_server_version(s) {
        Some(_) => Ok(()),
        None => Err(format!(
            "invalid --server-version `{s}`: expected SERVER:VERSION such as redis:7.2, redis:8.2.3 or valkey:9"
        )),
    }
}

/// The result of linting one request.
#[derive(Debug, Clone)]
pub struct Report {
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Every source a diagnostic may point into (for snippets).
    pub sources: Vec<Src>,
}

/// Lint one request against a loaded chart.
pub fn lint(
    chart: &Chart,
    req: &Request,
    config: &Config,
    limits: &Limits,
) -> Result<Report, LoadError> {
    let docs = req
        .files
        .iter()
        .map(|p| yaml::load_file(p, SourceKind::ValuesFile, limits))
        .collect::<Result<Vec<Document>, LoadError>>()?;
    lint_documents_for(
        chart,
        &docs,
        &req.set,
        &req.set_string,
        config,
        req.server_version.as_deref(),
    )
}

/// Whether `path` is a chart's own defaults (`values.yaml` beside a `Chart.yaml`) rather than
/// a file to install a chart with. `--each` over a repository (as a pre-commit hook does) skips
/// them: linted as a user's file, a vendored chart's defaults only produce noise.
pub fn is_chart_defaults(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "values.yaml")
        && path
            .parent()
            .is_some_and(|dir| dir.join("Chart.yaml").is_file())
}

/// Lints each of `files` on its own against the chart (`chartlint --each`): every file is
/// merged after `base.files` and before `base`'s `--set` values. Files are independent, so they
/// are linted on all cores; the results come back in input order, one per file, so that one
/// unreadable file does not hide the findings of the others.
pub fn lint_each(
    chart: &Chart,
    base: &Request,
    files: &[PathBuf],
    config: &Config,
    limits: &Limits,
) -> Vec<Result<Report, LoadError>> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|file| {
            let mut req = base.clone();
            req.files.push(file.clone());
            lint(chart, &req, config, limits)
        })
        .collect()
}

/// Lint already loaded documents (used by tests and by callers that hold the text in memory).
pub fn lint_documents(
    chart: &Chart,
    docs: &[Document],
    set: &[String],
    set_string: &[String],
    config: &Config,
) -> Result<Report, LoadError> {
    lint_documents_for(chart, docs, set, set_string, config, None)
}

/// [`lint_documents`] judging redis.conf for a given server version (`redis:7.2`) instead of
/// the image's.
pub fn lint_documents_for(
    chart: &Chart,
    docs: &[Document],
    set: &[String],
    set_string: &[String],
    config: &Config,
    server_version: Option<&str>,
) -> Result<Report, LoadError> {
    let merged = values::merge(
        &chart.values,
        &Inputs {
            files: docs,
            set,
            set_string,
        },
    )?;
    let cx = Context::new(&merged, docs, chart.schema.as_ref()).with_server_version(server_version);
    let raw = rules::run_all(&cx);
    let mut diagnostics: Vec<Diagnostic> = crate::suppress::apply(raw, docs)
        .into_iter()
        .filter_map(|d| config.apply(d))
        .collect();
    diagnostics.sort_by_key(Diagnostic::sort_key);
    diagnostics.dedup();
    let mut sources: Vec<Src> = docs.iter().map(|d| d.src.clone()).collect();
    sources.push(chart.values_source());
    sources.extend(merged.arg_sources.iter().cloned());
    Ok(Report {
        diagnostics,
        sources,
    })
}
