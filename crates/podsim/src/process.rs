//! Child processes tracked by PID (each in its own process group) and stopped by PID.

use crate::error::{io, Error, Result};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A process started by the harness. It leads its own process group so that helper children
/// (a script's `sleep`, `redis-cli`) are signalled with it. Dropping it kills the group.
#[derive(Debug)]
pub struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
    status: Option<ExitStatus>,
}

impl Proc {
    /// Starts `cmd` with stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> Result<Proc> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(io(log))?;
        let err = out.try_clone().map_err(io(log))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .process_group(0);
        let child = cmd.spawn().map_err(|e| Error::Command {
            cmd: format!("{cmd:?}"),
            detail: e.to_string(),
        })?;
        crate::cleanup::add_group(child.id() as i32);
        Ok(Proc {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            status: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The exit status if the process has exited (reaps it).
    pub fn poll_exit(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            if let Ok(Some(st)) = self.child.try_wait() {
                self.status = Some(st);
            }
        }
        self.status
    }

    pub fn is_running(&mut self) -> bool {
        self.poll_exit().is_none()
    }

    /// Sends `sig` to the process's group (SIGSTOP/SIGCONT freeze it, SIGTERM asks it to stop).
    pub fn signal_group(&self, sig: libc::c_int) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group we created for this
        // child (process_group(0) made the child's pid its pgid).
        unsafe {
            libc::kill(-pgid, sig);
        }
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(st) = self.poll_exit() {
                return Some(st);
            }
            if start.elapsed() >= limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGKILL to the whole group, then reap.
    pub fn kill_hard(&mut self) {
        self.signal_group(libc::SIGKILL);
        if self.status.is_none() {
            if let Ok(st) = self.child.wait() {
                self.status = Some(st);
            }
        }
    }

    /// SIGTERM to the group, up to `grace` for the leader to exit, then SIGKILL to the group
    /// (which also ends leftovers such as a script's `sleep`).
    pub fn stop(&mut self, grace: Duration) {
        if self.is_running() {
            self.signal_group(libc::SIGTERM);
            self.wait_exit(grace);
        }
        self.kill_hard();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill_hard();
        crate::cleanup::remove_group(self.child.id() as i32);
    }
}

/// Runs a command to completion within `limit`; returns its status and combined output.
pub fn run_bounded(mut cmd: Command, limit: Duration, log: &Path) -> Result<(ExitStatus, String)> {
    let name = format!("{:?}", cmd.get_program());
    std::fs::write(log, "").map_err(io(log))?;
    cmd.stdin(Stdio::null());
    let mut p = Proc::spawn(&name, cmd, log)?;
    match p.wait_exit(limit) {
        Some(st) => {
            let out = std::fs::read_to_string(log).unwrap_or_default();
            Ok((st, out))
        }
        None => {
            p.kill_hard();
            Err(Error::Timeout {
                what: format!("{name} to exit (log {})", log.display()),
                ms: limit.as_millis(),
            })
        }
    }
}

/// Runs a short host command (ip, mount helpers) and fails with its stderr if it fails.
pub fn host(args: &[&str]) -> Result<String> {
    let (prog, rest) = args.split_first().ok_or_else(|| Error::Command {
        cmd: String::new(),
        detail: "empty command".into(),
    })?;
    let out = Command::new(prog)
        .args(rest)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Command {
            cmd: args.join(" "),
            detail: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(Error::Command {
            cmd: args.join(" "),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
