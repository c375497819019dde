//! chartlint: lint Helm values files for the redis-ha chart with Helm's own semantics.
//!
//! Pipeline: [`yaml`] (positional tree with Helm's typing) → [`values`] (Helm's merge order)
//! → [`schema`] (values.schema.json) → [`rules`] → [`diagnostic`] → [`output`].

pub mod diagnostic;
pub mod rules;
pub mod schema;
pub mod source;
pub mod strvals;
pub mod values;
pub mod yaml;

pub use rules::rules_markdown;
pub mod config;
pub mod engine;
pub mod output;
pub mod suppress;
