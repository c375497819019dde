//! The typed values model of the redis-ha chart: the one place that knows the values' names,
//! types, defaults and documentation (`values`, `schema`), Redis and Kubernetes memory units
//! (`units`), the text the chart writes into redis.conf for a value (`conf`), how much memory,
//! CPU and disk a Redis of a given size needs (`sizing`), and how long it takes to save, load
//! and sync (`timing`).

pub mod conf;
pub mod directives;
pub mod fleet;
pub mod gates;
pub mod schema;
pub mod schema_nav;
pub mod sizing;
pub mod timing;
pub mod units;
pub mod values;

pub use values::Values;
