//! Restoring `/data/dump.rdb` before Redis starts (`restore.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::StringOrBool;

/// Restore an RDB dump before Redis starts (`restore.*`). Set at most one source; a value
/// of the wrong form disables the restore silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Restore {
    /// Seconds the download may take before the restore init container gives up.
    pub timeout: u32,
    /// `true`: the restore init containers read their credentials (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, SSH_KEY) from the top-level `existingSecret` instead of the
    /// generated `<fullname>-secret`.
    pub existing_secret: bool,
    /// Restore from S3.
    pub s3: RestoreS3,
    /// Restore over SSH (scp).
    pub ssh: RestoreSsh,
    /// Restore from a running Redis.
    pub redis: RestoreRedis,
}

impl Default for Restore {
    fn default() -> Self {
        Restore {
            timeout: 600,
            existing_secret: false,
            s3: RestoreS3::default(),
            ssh: RestoreSsh::default(),
            redis: RestoreRedis::default(),
        }
    }
}

/// Restore from S3 (`restore.s3.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default)]
pub struct RestoreS3 {
    /// Object to restore, `s3://bucket/path/dump.rdb`; empty (or `false`, as in older
    /// values files) disables it. Runs at every start of every pod and replaces the local
    /// dump: remove it once the data is restored.
    pub source: StringOrBool,
    /// AWS access key ID, stored in `<fullname>-secret` (unless `restore.existingSecret`).
    pub access_key: String,
    /// AWS secret access key, stored in `<fullname>-secret` (unless `restore.existingSecret`).
    pub secret_key: String,
    /// AWS region passed to s3cmd; empty uses s3cmd's default.
    pub region: String,
}

/// Restore over SSH (`restore.ssh.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default)]
pub struct RestoreSsh {
    /// File to copy, `user@host:/path/dump.rdb`; empty (or `false`) disables it. Runs at
    /// every start of every pod and replaces the local dump: remove it once restored.
    pub source: StringOrBool,
    /// Private key, on one line with `\n` for the line breaks; stored in
    /// `<fullname>-secret` (unless `restore.existingSecret`).
    pub key: String,
}

/// Restore from a running Redis (`restore.redis.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default)]
pub struct RestoreRedis {
    /// Redis to copy from, `redis://[user[:password]@]host[:port][/db]` (fetched with
    /// `redis-cli --rdb`); empty (or `false`) disables it. Only pod 0 restores, and only when
    /// it has no dump yet. The URI, password included, is visible in the pod spec.
    pub source: StringOrBool,
}
