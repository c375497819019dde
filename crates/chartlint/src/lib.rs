//! chartlint: lint Helm values files for the redis-ha chart with Helm's own semantics.
//!
//! Pipeline: [`yaml`] (positional tree with Helm's typing) → [`values`] (Helm's merge order,
//! `--set` via [`strvals`]) → [`schema`] (values.schema.json) → [`rules`] → [`suppress`] and
//! [`config`] → [`diagnostic`] → [`output`] (human, JSON, SARIF).
//!
//! ```no_run
//! use chartlint::{config::Config, engine, yaml::Limits};
//! let limits = Limits::default();
//! let chart = engine::Chart::load("generated-charts/redis-ha".as_ref(), &limits)?;
//! let req = engine::Request { files: vec!["orders.yaml".into()], ..Default::default() };
//! let report = engine::lint(&chart, &req, &Config::default(), &limits)?;
//! for d in &report.diagnostics {
//!     println!("{}:{}:{}: {} [{}]", d.file, d.line, d.column, d.message, d.rule);
//! }
//! # Ok::<(), chartlint::yaml::LoadError>(())
//! ```

pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod fleet;
pub mod instance;
pub mod output;
pub mod rules;
pub mod schema;
mod schema_keys;
pub mod suppress;

pub use rules::rules_markdown;

// Helm's values semantics live in the helm-values crate; the linter's modules and users reach
// them under the names they had when they lived here.
pub use helm_values::{source, strvals, values, yaml};
