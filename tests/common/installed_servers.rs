//! The servers installed for the tests (scripts/install-test-tools.sh) and the directive
//! catalogue each one is the evidence for. Shared by tests/catalogue_drift.rs and
//! tests/differential.rs through `#[path]`; each uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use model::directives::{catalogue, Catalogue, Server};
use testkit::{free_port, repo_root, tool, ServerProcess, Tool};

/// An installed server binary and its catalogue.
pub struct Installed {
    /// `redis-server 7.0.15`.
    pub label: &'static str,
    /// The binary.
    pub binary: PathBuf,
    /// Its Sentinel (the same binary under the Sentinel name).
    pub sentinel: PathBuf,
    /// Its `--server-version` for chartlint.
    pub server_version: &'static str,
    /// Its server family.
    pub server: Server,
    /// Its catalogue version.
    pub version: &'static str,
    /// Its catalogue file stem under crates/model/data/directives.
    pub file: &'static str,
}

impl Installed {
    /// Its committed catalogue.
    pub fn catalogue(&self) -> &'static Catalogue {
        catalogue(self.server, self.version).expect("committed catalogue")
    }

    /// Starts this server on 127.0.0.1 (a free port, no RDB saves, data in `dir`) with extra
    /// config arguments, once it is ready to accept connections.
    pub fn start(&self, dir: &Path, args: &[&str]) -> ServerProcess {
        let port = free_port();
        let mut cmd = Command::new(&self.binary);
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .arg("--dir")
        .arg(dir)
        .args(args);
        ServerProcess::start(
            cmd,
            port,
            "Ready to accept connections",
            Duration::from_secs(20),
        )
    }
}

/// Debian's redis-server 7.0.15, Redis 8.2.3 and Valkey 9.1.2; a missing one fails the test.
pub fn installed() -> Vec<Installed> {
    let servers = repo_root().join(".tools").join("servers");
    let need = |p: PathBuf| {
        assert!(
            p.is_file(),
            "{} is missing: run scripts/install-test-tools.sh",
            p.display()
        );
        p
    };
    vec![
        Installed {
            label: "redis-server 7.0.15",
            binary: tool(Tool::RedisServer),
            sentinel: tool(Tool::RedisSentinel),
            server_version: "redis:7.0.15",
            server: Server::Redis,
            version: "7.0",
            file: "redis-7.0",
        },
        Installed {
            label: "redis-server 8.2.3",
            binary: need(servers.join("redis8").join("redis-server")),
            sentinel: need(servers.join("redis8").join("redis-sentinel")),
            server_version: "redis:8.2.3",
            server: Server::Redis,
            version: "8.2",
            file: "redis-8.2",
        },
        Installed {
            label: "valkey-server 9.1.2",
            binary: need(servers.join("valkey9").join("valkey-server")),
            sentinel: need(servers.join("valkey9").join("valkey-sentinel")),
            server_version: "valkey:9.1.2",
            server: Server::Valkey,
            version: "9",
            file: "valkey-9",
        },
    ]
}
