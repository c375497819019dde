//! Network namespaces: one hub namespace holding a bridge, one namespace per pod joined to it
//! by a veth pair. The private subnet exists only inside these namespaces.

use crate::error::{io, Error, Result};
use crate::process::host;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;

/// The private /24 used inside the harness's namespaces (never configured on the host).
pub const SUBNET_PREFIX: [u8; 3] = [10, 213, 7];

/// Hub namespace with a bridge; removing it (Drop) removes the pod namespaces too.
#[derive(Debug)]
pub struct Network {
    run: String,
    hub: String,
    members: Vec<String>,
}

impl Network {
    pub fn new(run: &str) -> Result<Network> {
        let hub = format!("podsim-{run}-hub");
        host(&["ip", "netns", "add", &hub])?;
        crate::cleanup::add_namespace(&hub);
        let net = Network {
            run: run.to_string(),
            hub: hub.clone(),
            members: Vec::new(),
        };
        host(&["ip", "-n", &hub, "link", "add", "br0", "type", "bridge"])?;
        host(&["ip", "-n", &hub, "link", "set", "br0", "up"])?;
        host(&["ip", "-n", &hub, "link", "set", "lo", "up"])?;
        Ok(net)
    }

    /// Creates namespace `podsim-<run>-<name>` with `eth0` at `10.213.7.<host_octet>/24`.
    pub fn add(&mut self, name: &str, host_octet: u8) -> Result<(String, Ipv4Addr)> {
        let ns = format!("podsim-{}-{}", self.run, name);
        host(&["ip", "netns", "add", &ns])?;
        crate::cleanup::add_namespace(&ns);
        self.members.push(ns.clone());
        let [a, b, c] = SUBNET_PREFIX;
        let addr = Ipv4Addr::new(a, b, c, host_octet);
        let port = format!("v{host_octet}");
        host(&[
            "ip", "-n", &self.hub, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
            "netns", &ns,
        ])?;
        host(&[
            "ip", "-n", &self.hub, "link", "set", &port, "master", "br0", "up",
        ])?;
        host(&[
            "ip",
            "-n",
            &ns,
            "addr",
            "add",
            &format!("{addr}/24"),
            "dev",
            "eth0",
        ])?;
        host(&["ip", "-n", &ns, "link", "set", "eth0", "up"])?;
        host(&["ip", "-n", &ns, "link", "set", "lo", "up"])?;
        Ok((ns, addr))
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for ns in self.members.iter().chain(std::iter::once(&self.hub)) {
            let _ = host(&["ip", "netns", "del", ns]);
            crate::cleanup::remove_namespace(ns);
        }
    }
}

/// Runs `f` on a new thread that has entered network namespace `ns`; sockets it opens live
/// in that namespace. setns(CLONE_NEWNET) affects only the calling thread.
pub fn in_netns<T, F>(ns: &str, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let handle = spawn_in_netns(ns, f)?;
    handle
        .join()
        .map_err(|_| Error::Scenario(format!("thread in netns {ns} panicked")))?
}

/// Like [`in_netns`] but returns the join handle (for long-running clients).
pub fn spawn_in_netns<T, F>(ns: &str, f: F) -> Result<std::thread::JoinHandle<Result<T>>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let path = format!("/run/netns/{ns}");
    let file = std::fs::File::open(&path).map_err(io(&path))?;
    let ns_name = ns.to_string();
    Ok(std::thread::spawn(move || {
        // SAFETY: setns(2) on a valid namespace fd; only this thread changes namespace.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        if rc != 0 {
            return Err(Error::Command {
                cmd: format!("setns {ns_name}"),
                detail: std::io::Error::last_os_error().to_string(),
            });
        }
        drop(file);
        Ok(f())
    }))
}
