//! The typed values model of the redis-ha chart: the one place that knows the values' names,
//! types, defaults and documentation (`values`, `schema`), Redis and Kubernetes memory units
//! (`units`), and how much memory, CPU and disk a Redis of a given size needs (`sizing`).

pub mod fleet;
pub mod schema;
pub mod schema_nav;
pub mod sizing;
pub mod units;
pub mod values;

pub use values::Values;
