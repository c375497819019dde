//! Chart generator.
