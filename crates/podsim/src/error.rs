//! Error type of the harness.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("command `{cmd}` failed: {detail}")]
    Command { cmd: String, detail: String },
    #[error("required tool missing: {0}")]
    MissingTool(String),
    #[error("podsim must run as root (network and mount namespaces)")]
    NotRoot,
    #[error("manifest: {0}")]
    Manifest(String),
    #[error("timed out after {ms} ms waiting for {what}")]
    Timeout { what: String, ms: u128 },
    #[error("redis protocol: {0}")]
    Resp(String),
    #[error("scenario: {0}")]
    Scenario(String),
    #[error("plot: {0}")]
    Plot(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Wraps an I/O error with the path it concerns.
pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
