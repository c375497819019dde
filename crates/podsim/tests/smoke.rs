use podsim::netns::{in_netns, Network};
use podsim::process::Proc;
use podsim::sandbox::{Mount, Sandbox};
use std::time::Duration;

#[test]
fn sandbox_runs_redis() {
    let run = format!("t{}", std::process::id());
    let base = std::env::temp_dir().join(format!("podsim-{run}"));
    std::fs::create_dir_all(base.join("p0/data")).unwrap();
    let mut net = Network::new(&run).unwrap();
    let (ns, addr) = net.add("p0", 10).unwrap();
    let (cns, _) = net.add("client", 250).unwrap();
    let sb = Sandbox::new(
        "p0",
        "x-server-3",
        &ns,
        addr,
        &base.join("p0"),
        &[
            Mount {
                target: "/data".into(),
                source: base.join("p0/data"),
                read_only: false,
            },
            Mount {
                target: "/usr/local/etc/haproxy".into(),
                source: base.join("p0/data"),
                read_only: true,
            },
        ],
    )
    .unwrap();
    let cmd = sb.command(&["sh".into(), "-c".into(), "hostname; cat /proc/sys/kernel/hostname; ls /usr/local/etc/haproxy; touch /data/hello; exec redis-server --port 6379 --protected-mode no".into()], &[], "/data");
    let mut p = Proc::spawn("redis", cmd, &base.join("p0/redis.log")).unwrap();
    let a = std::net::SocketAddr::from((addr, 6379));
    let r = in_netns(&cns, move || {
        for _ in 0..200 {
            if let Ok(r) = podsim::resp::once(a, None, &["PING"], Duration::from_millis(200)) {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    })
    .unwrap();
    p.stop(Duration::from_secs(2));
    println!(
        "{}",
        std::fs::read_to_string(base.join("p0/redis.log")).unwrap()
    );
    assert!(base.join("p0/data/hello").exists());
    assert_eq!(r, Some(podsim::resp::Reply::Status("PONG".into())));
    drop(net);
    std::fs::remove_dir_all(&base).unwrap();
}
