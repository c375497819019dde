//! The sandbox alone: hostname, bind mounts (top-level and nested under a host directory),
//! and a redis reachable from the client namespace only.

use podsim::netns::{in_netns, Network};
use podsim::process::Proc;
use podsim::sandbox::{Mount, Sandbox};
use podsim::server::{Emulation, ImageFamily, Server, ServerKind};
use std::path::PathBuf;
use std::time::Duration;

/// Removes the test's directory even when an assertion fails.
struct Dir(PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn sandbox_runs_redis_with_hostname_and_mounts() {
    let run = format!("s{}", std::process::id());
    let base = Dir(std::env::temp_dir().join(format!("podsim-{run}")));
    let pod_dir = base.0.join("p0");
    std::fs::create_dir_all(pod_dir.join("data")).unwrap();
    std::fs::create_dir_all(pod_dir.join("cfg")).unwrap();
    std::fs::write(pod_dir.join("cfg/marker"), "cfg").unwrap();
    let mut net = Network::new(&run).unwrap();
    let (ns, addr) = net.add("p0", 10).unwrap();
    let (cns, _) = net.add("client", 250).unwrap();
    let mounts = [
        Mount {
            target: "/data".into(),
            source: pod_dir.join("data"),
            read_only: false,
        },
        Mount {
            target: "/usr/local/etc/haproxy".into(),
            source: pod_dir.join("cfg"),
            read_only: true,
        },
    ];
    let server = Server::locate(ServerKind::Redis7).unwrap();
    let emulation = Emulation::for_image(ImageFamily::Redis, &server);
    let sb = Sandbox::new("p0", "x-server-3", &ns, addr, &pod_dir, &mounts, &emulation).unwrap();
    let script = "cat /proc/sys/kernel/hostname > /data/hostname; \
                  cat /usr/local/etc/haproxy/marker > /data/marker; \
                  exec redis-server --port 6379";
    let cmd = sb.command(&["sh".into(), "-c".into(), script.into()], &[], "/data");
    let mut p = Proc::spawn("redis", cmd, &pod_dir.join("redis.log")).unwrap();
    let a = std::net::SocketAddr::from((addr, 6379));
    let reply = in_netns(&cns, move || {
        for _ in 0..250 {
            if let Ok(r) = podsim::resp::once(a, None, &["PING"], Duration::from_millis(200)) {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    })
    .unwrap();
    p.stop(Duration::from_secs(2));
    drop(net);
    assert_eq!(reply, Some(podsim::resp::Reply::Status("PONG".into())));
    assert_eq!(
        std::fs::read_to_string(pod_dir.join("data/hostname"))
            .unwrap()
            .trim(),
        "x-server-3"
    );
    assert_eq!(
        std::fs::read_to_string(pod_dir.join("data/marker")).unwrap(),
        "cfg"
    );
    // Nothing leaked to the host's tree.
    assert!(!std::path::Path::new("/usr/local/etc/haproxy/marker").exists());
}
