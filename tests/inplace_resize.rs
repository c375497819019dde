//! The Redis half of `chartgen plan --in-place`, on real processes (podsim's public API; needs
//! root, fails without it): a running group whose master is full (`noeviction`, writes refused
//! with OOM) takes the planned `CONFIG SET maxmemory` raise on every pod with no restart (same
//! run ids, same master, every pod ready) and no lost write, and writes flow again. The
//! Kubernetes half (the patches) is validated in tests/plan.rs.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use podsim::cluster::{Cluster, Options, PodState};
use podsim::manifest::{Manifest, WorkloadKind};
use podsim::resp::{info_field, Reply};
use podsim::scenario::{bootstrap, Writer};
use testkit::{run, TOOL_TIMEOUT};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One instance `cache`, sized by a Redis memory size; writes are refused when full.
fn fleet(size: &str) -> String {
    format!(
        "charts:\n  repository: ../generated-charts\ninstances:\n  - name: cache\n    size: {size}\n    values:\n      redis:\n        config:\n          maxmemory-policy: noeviction\n      haproxy:\n        replicas: 1\n"
    )
}

fn must<T>(c: &Cluster, r: podsim::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            let logs: String = c
                .pod_names(WorkloadKind::StatefulSet)
                .iter()
                .map(|p| c.logs(p, 15))
                .collect();
            panic!("{e}\n{logs}")
        }
    }
}

fn run_id(c: &Cluster, pod: &str) -> String {
    let info = must(c, c.redis_cmd(pod, &["INFO", "server"]));
    info.text()
        .and_then(|t| info_field(&t, "run_id"))
        .unwrap_or_else(|| panic!("no run_id from {pod}: {info:?}"))
}

#[test]
fn a_running_group_takes_the_planned_maxmemory_raise_live() {
    podsim::cluster::preflight().expect("podsim needs root and its tools");

    // The plan: 16mb -> 32mb, in place.
    let catalog = generator::fleet::Catalog::load(&root()).expect("catalog");
    let resolve = |text: &str| {
        generator::fleet::resolve(
            &generator::fleet::parse("fleet.yaml", text).expect("parse"),
            &catalog,
        )
        .expect("resolve")
    };
    let (old, new) = (resolve(&fleet("16mb")), resolve(&fleet("32mb")));
    let plan = generator::plan::plan(
        &old,
        &new,
        &generator::fleet::ChartSource::parse("../generated-charts"),
        generator::plan::Options {
            in_place: true,
            kube_version: (1, 35),
        },
    );
    let instance = &plan.instances[0];
    let ip = instance
        .in_place
        .clone()
        .unwrap_or_else(|| panic!("in-place does not apply: {:?}", instance.in_place_refused));
    assert_eq!(ip.maxmemory, "32mb");

    // The group as installed from the old fleet, run by podsim.
    let dir = testkit::temp_dir();
    std::os::unix::fs::symlink(
        root().join("generated-charts"),
        dir.path().join("generated-charts"),
    )
    .expect("symlink");
    let fleet_path = testkit::write_file(dir.path(), "fleet.yaml", &fleet("16mb"));
    let out = dir.path().join("deploy");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    cmd.arg("--root")
        .arg(root())
        .arg("fleet")
        .arg(&fleet_path)
        .arg("--out")
        .arg(&out);
    let o = run(&mut cmd, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());
    let r = &old[0];
    let yaml = podsim::render::helm_template(
        &out.join("../generated-charts").join(&r.chart),
        &[out.join(r.values_path())],
        &r.name,
    )
    .expect("helm template");
    let c = Cluster::new(
        Manifest::parse(&yaml).expect("manifest"),
        Options::default(),
    )
    .expect("cluster");
    let master = must(&c, bootstrap(&c));
    let pods = c.pod_names(WorkloadKind::StatefulSet);
    assert_eq!(pods, ip.pods, "the plan names the pods podsim runs");

    // Fill the master until Redis refuses writes, even small ones (a big SET is refused while
    // its own argument still counts as used memory).
    let mut filled = 0;
    for size in [512 * 1024, 16 * 1024, 512, 16] {
        let chunk = "x".repeat(size);
        loop {
            match must(
                &c,
                c.redis_cmd(&master, &["SET", &format!("fill:{filled}"), &chunk]),
            ) {
                Reply::Status(_) => filled += 1,
                Reply::Error(e) if e.contains("OOM") => break,
                other => panic!("SET fill:{filled}: {other:?}"),
            }
            assert!(filled < 20_000, "16mb never filled");
        }
    }
    let before: Vec<(String, String)> = pods.iter().map(|p| (p.clone(), run_id(&c, p))).collect();

    let writer = must(&c, Writer::start(&c, "podsim:resize"));
    let refused = c.wait_for(
        "the writer refused with OOM",
        Duration::from_secs(20),
        |_| writer.last_error().contains("OOM").then_some(()),
    );
    if let Err(e) = refused {
        let memory = c.redis_cmd(&master, &["INFO", "memory"]).ok();
        panic!(
            "{e} after {filled} fills: last error {:?}, {:?}",
            writer.last_error(),
            memory
                .and_then(|r| r.text())
                .and_then(|t| info_field(&t, "used_memory"))
        );
    }

    // The plan's step 4 on every pod, in its order.
    let full_syncs = c.full_syncs();
    let raised_at = Instant::now();
    let acked_before = writer.acked_count();
    for pod in &ip.pods {
        let reply = must(
            &c,
            c.redis_cmd(pod, &["CONFIG", "SET", "maxmemory", &ip.maxmemory]),
        );
        assert_eq!(reply, Reply::Status("OK".into()), "{pod}");
        let got = must(&c, c.redis_cmd(pod, &["CONFIG", "GET", "maxmemory"]));
        assert_eq!(
            got,
            Reply::Array(Some(vec![
                Reply::Bulk(Some(b"maxmemory".to_vec())),
                Reply::Bulk(Some(b"33554432".to_vec()))
            ])),
            "{pod}"
        );
    }
    // Writes flow again: 200 more acknowledged through HAProxy.
    must(
        &c,
        c.wait_for(
            "writes acknowledged after the raise",
            Duration::from_secs(30),
            |_| (writer.acked_count() >= acked_before + 200).then_some(()),
        ),
    );
    let outage = must(&c, writer.finish(&c, &master, raised_at));
    // Refused with OOM until the raise on the master: the first acknowledged write after it.
    let first_ack_ms = outage
        .timeline
        .iter()
        .find(|(_, event)| event == "ok")
        .map(|(ms, _)| *ms);
    let full_syncs = c.full_syncs() - full_syncs;
    println!(
        "in-place raise on {} {}: first write acknowledged {first_ack_ms:?} ms after the first CONFIG SET; writes {} acknowledged ({} confirmed by WAIT 1), lost {} ({} confirmed), full syncs {full_syncs}",
        c.server.kind,
        c.server.version,
        outage.writes_acked,
        outage.writes_replicated,
        outage.acked_writes_lost,
        outage.replicated_writes_lost
    );
    assert_eq!(outage.acked_writes_lost, 0, "{outage:?}");
    assert_eq!(outage.replicated_writes_lost, 0, "{outage:?}");
    assert_eq!(full_syncs, 0, "a live raise resynchronises no replica");

    // Nothing restarted, nothing failed over.
    for (pod, id) in &before {
        assert_eq!(&run_id(&c, pod), id, "{pod} restarted");
        assert_eq!(c.pod_state(pod), Some(PodState::Ready), "{pod}");
    }
    assert_eq!(c.role(&master).as_deref(), Some("master"));
    for pod in &pods {
        assert_eq!(
            c.sentinel_master(pod)
                .and_then(|a| c.pod_by_addr(&a))
                .as_deref(),
            Some(master.as_str()),
            "sentinel of {pod}"
        );
    }
    // The upgrade's ConfigMap holds the same maxmemory, so a later restart keeps it.
    assert_eq!(new[0].values_file["redis"]["config"]["maxmemory"], "32mb");
}
