//! Output formats: rustc-style text, JSON and SARIF 2.1.0.

mod human;
mod json;
mod sarif;

pub use human::render_human;
pub use json::{render_json, write_json};
pub use sarif::{render_sarif, sarif_uri};
