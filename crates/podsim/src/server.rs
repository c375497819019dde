//! The Redis-compatible servers podsim runs (`--server redis7|redis8|valkey9`) and how a pod's
//! image is emulated with them: which binary names the image provides (the official `redis`
//! image: `redis-server`, `redis-sentinel`, `redis-cli`; `valkey/valkey`: `valkey-server`,
//! `valkey-sentinel`, `valkey-cli`) and which host binary stands behind each name.
//!
//! Binaries: Debian's redis 7.0.15 from /usr/bin; Redis 8.2.3 and Valkey 9.1.2 from the
//! repository's `.tools/servers/` (unpacked by scripts/install-test-tools.sh). The CLI behind
//! every name is Debian's redis-cli 7.0.15, which speaks to all three servers.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Which server implementation backs the pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    /// Debian's redis-server 7.0.15 (/usr/bin).
    #[default]
    Redis7,
    /// Redis 8.2.3 (.tools/servers/redis8).
    Redis8,
    /// Valkey 9.1.2 (.tools/servers/valkey9).
    Valkey9,
}

impl ServerKind {
    pub const ALL: [ServerKind; 3] = [ServerKind::Redis7, ServerKind::Redis8, ServerKind::Valkey9];

    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Redis7 => "redis7",
            ServerKind::Redis8 => "redis8",
            ServerKind::Valkey9 => "valkey9",
        }
    }
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ServerKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        ServerKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown server `{s}`; expected redis7, redis8 or valkey9"))
    }
}

/// A located server: the host directory holding its binaries and their file names.
#[derive(Debug, Clone)]
pub struct Server {
    pub kind: ServerKind,
    /// Host directory with the server binary (mounted read-only at [`SERVER_DIR`] in pods).
    pub dir: PathBuf,
    /// File name of the server binary in `dir`.
    pub server: &'static str,
    /// File name of the sentinel entry point in `dir` (a name the binary starts Sentinel
    /// for, as `redis-sentinel` does).
    pub sentinel: &'static str,
    /// `x.y.z` from `--version`.
    pub version: String,
}

/// Where a pod sees the server's directory.
pub const SERVER_DIR: &str = "/podsim-server";
/// Where a pod sees the host's /usr/bin (for the CLI, which an image may name differently).
pub const HOST_BIN_DIR: &str = "/podsim-host-bin";
/// The CLI behind `redis-cli` and `valkey-cli` in every pod, inside the pod.
pub const POD_CLI: &str = "/podsim-host-bin/redis-cli";

/// The repository root: the first ancestor of the current directory, then of this crate's
/// source directory, that holds `chart-src/`.
pub fn repo_root() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok();
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    cwd.iter()
        .chain(std::iter::once(&here))
        .flat_map(|p| p.ancestors())
        .find(|p| p.join("chart-src").is_dir())
        .map(Path::to_path_buf)
}

impl Server {
    /// Finds the binaries of `kind` and reads their version. A missing binary is an error that
    /// names the installer.
    pub fn locate(kind: ServerKind) -> Result<Server> {
        let (dir, server, sentinel) = match kind {
            ServerKind::Redis7 => (PathBuf::from("/usr/bin"), "redis-server", "redis-sentinel"),
            ServerKind::Redis8 | ServerKind::Valkey9 => {
                let root = repo_root().ok_or_else(|| {
                    Error::MissingTool(format!(
                        "{kind}: no repository root (a directory with chart-src/) above the \
                         current directory; run podsim from the repository"
                    ))
                })?;
                let (sub, server, sentinel) = if kind == ServerKind::Redis8 {
                    ("redis8", "redis-server", "redis-sentinel")
                } else {
                    ("valkey9", "valkey-server", "valkey-sentinel")
                };
                (root.join(".tools/servers").join(sub), server, sentinel)
            }
        };
        for bin in [server, sentinel] {
            if !dir.join(bin).exists() {
                let install = if kind == ServerKind::Redis7 {
                    "apt-get install redis-server redis-sentinel, or run scripts/install-test-tools.sh"
                } else {
                    "run scripts/install-test-tools.sh"
                };
                return Err(Error::MissingTool(format!(
                    "{kind}: {} is missing; {install}",
                    dir.join(bin).display()
                )));
            }
        }
        let version = version_of(&dir.join(server))?;
        Ok(Server {
            kind,
            dir,
            server,
            sentinel,
            version,
        })
    }
}

/// `x.y.z` from `<bin> --version` ("Redis server v=8.2.3 sha=...").
fn version_of(bin: &Path) -> Result<String> {
    let out = Command::new(bin)
        .arg("--version")
        .output()
        .map_err(|e| Error::MissingTool(format!("{}: {e}", bin.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("v="))
        .map(String::from)
        .ok_or_else(|| Error::Command {
            cmd: format!("{} --version", bin.display()),
            detail: format!("no v=<version> in {text:?}"),
        })
}

/// The image a container runs, as far as podsim emulates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFamily {
    /// The official `redis` image (any registry prefix).
    Redis,
    /// `valkey/valkey` (any registry prefix).
    Valkey,
    /// haproxy images.
    Haproxy,
    /// `oliver006/redis_exporter` (any registry prefix): Debian's prometheus-redis-exporter
    /// stands in for the image's binary.
    RedisExporter,
}

/// The host binary behind the exporter image's `redis_exporter` (Debian's
/// prometheus-redis-exporter 1.45, the same upstream program as the image's).
pub const EXPORTER_BIN: &str = "prometheus-redis-exporter";

impl ImageFamily {
    /// The family of an image reference, or None for images podsim has no binaries for.
    pub fn of(image: &str) -> Option<ImageFamily> {
        let last = image.rsplit('/').next().unwrap_or(image);
        let repo = last.split(['@', ':']).next().unwrap_or(last);
        match repo {
            "redis" => Some(ImageFamily::Redis),
            "valkey" => Some(ImageFamily::Valkey),
            "redis_exporter" => Some(ImageFamily::RedisExporter),
            r if r.starts_with("haproxy") => Some(ImageFamily::Haproxy),
            _ => None,
        }
    }
}

/// What a pod's root holds for its image: shim scripts first in PATH, and host binaries hidden
/// because the image does not have them.
#[derive(Debug, Clone, Default)]
pub struct Emulation {
    /// (file name, sh script) written to the pod's shim directory.
    pub shims: Vec<(String, String)>,
    /// (path inside the pod, host directory) mounted read-only: the server's directory at
    /// [`SERVER_DIR`], the host's /usr/bin at [`HOST_BIN_DIR`].
    pub mounts: Vec<(String, PathBuf)>,
    /// Absolute paths inside the pod covered by an empty, non-executable file.
    pub hidden: Vec<String>,
}

/// The official images are built with protected-mode defaulting to "no" (their Dockerfiles
/// patch config.c); the binaries here default to "yes", which refuses every non-loopback
/// client of a password-less server. The shim restores the image default unless the config
/// file sets the option.
fn server_shim(target: &str) -> String {
    format!(
        "#!/bin/sh\n# podsim: the image's server, with its compiled-in default protected-mode no\n\
         if [ -f \"${{1:-}}\" ] && grep -qi '^[[:space:]]*protected-mode' \"$1\"; then\n    \
         exec {target} \"$@\"\nfi\nexec {target} \"$@\" --protected-mode no\n"
    )
}

fn exec_shim(target: &str) -> String {
    format!("#!/bin/sh\n# podsim: image binary backed by the host's\nexec {target} \"$@\"\n")
}

impl Emulation {
    /// The binaries `family` provides, backed by `server`.
    pub fn for_image(family: ImageFamily, server: &Server) -> Emulation {
        let server_bin = format!("{SERVER_DIR}/{}", server.server);
        let sentinel_bin = format!("{SERVER_DIR}/{}", server.sentinel);
        let names = match family {
            ImageFamily::Redis => Some(("redis-server", "redis-sentinel", "redis-cli")),
            ImageFamily::Valkey => Some(("valkey-server", "valkey-sentinel", "valkey-cli")),
            ImageFamily::Haproxy | ImageFamily::RedisExporter => None,
        };
        let mut e = Emulation::default();
        if family == ImageFamily::RedisExporter {
            e.add_exporter();
        }
        if let Some((s, sen, cli)) = names {
            e.shims = vec![
                (s.to_string(), server_shim(&server_bin)),
                (sen.to_string(), exec_shim(&sentinel_bin)),
                (cli.to_string(), exec_shim(POD_CLI)),
            ];
            e.mounts = vec![
                (SERVER_DIR.to_string(), server.dir.clone()),
                (HOST_BIN_DIR.to_string(), PathBuf::from("/usr/bin")),
            ];
        }
        // The host's redis binaries are visible through the bound /usr; an image that does
        // not ship them must not find them (so the chart's scripts are shown to find the
        // image's own names). The shims reach the host CLI through HOST_BIN_DIR, a separate
        // mount that the covering files do not affect.
        if family != ImageFamily::Redis {
            e.hidden = [
                "redis-server",
                "redis-sentinel",
                "redis-cli",
                "redis-check-rdb",
                "redis-check-aof",
                "redis-benchmark",
            ]
            .iter()
            .map(|b| format!("/usr/bin/{b}"))
            .filter(|p| Path::new(p).exists())
            .collect();
        }
        e
    }

    /// The emulation of a pod whose containers run `families` (one root for all of them): the
    /// first server or HAProxy image decides, and a redis_exporter sidecar adds its binary.
    pub fn for_pod(families: &[ImageFamily], server: &Server) -> Emulation {
        let main = families
            .iter()
            .copied()
            .find(|f| *f != ImageFamily::RedisExporter)
            .unwrap_or(ImageFamily::Redis);
        let mut e = Emulation::for_image(main, server);
        if main != ImageFamily::RedisExporter && families.contains(&ImageFamily::RedisExporter) {
            e.add_exporter();
        }
        e
    }

    /// The exporter image's binary, backed by the host's (through [`HOST_BIN_DIR`]).
    fn add_exporter(&mut self) {
        self.shims.push((
            "redis_exporter".to_string(),
            exec_shim(&format!("{HOST_BIN_DIR}/{EXPORTER_BIN}")),
        ));
        if !self.mounts.iter().any(|(p, _)| p == HOST_BIN_DIR) {
            self.mounts
                .push((HOST_BIN_DIR.to_string(), PathBuf::from("/usr/bin")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_families() {
        assert_eq!(ImageFamily::of("redis:8.2"), Some(ImageFamily::Redis));
        assert_eq!(
            ImageFamily::of("docker.io/valkey/valkey:9"),
            Some(ImageFamily::Valkey)
        );
        assert_eq!(ImageFamily::of("redis@sha256:ab"), Some(ImageFamily::Redis));
        assert_eq!(ImageFamily::of("haproxy:2.6"), Some(ImageFamily::Haproxy));
        assert_eq!(
            ImageFamily::of("quay.io/oliver006/redis_exporter:v1.86.0"),
            Some(ImageFamily::RedisExporter)
        );
        assert_eq!(ImageFamily::of("busybox:1.36"), None);
    }

    #[test]
    fn server_names_parse() {
        for k in ServerKind::ALL {
            assert_eq!(k.name().parse::<ServerKind>(), Ok(k));
        }
        assert!("redis6".parse::<ServerKind>().is_err());
    }
}
