//! podsim: runs the pods of a rendered redis-ha chart (`helm template` output) as real
//! redis-server, redis-sentinel and haproxy processes, one network/UTS/mount namespace set per
//! pod, without Kubernetes. See README.md for the model and its limits.

pub mod error;
pub mod http;
pub mod netns;
pub mod process;
pub mod resp;
pub mod sandbox;
pub mod server;

pub use error::{Error, Result};
pub mod cleanup;
pub mod cluster;
pub mod manifest;
pub mod monitoring;
pub mod netpol;
pub mod plot;
pub mod render;
pub mod run;
pub mod scenario;
