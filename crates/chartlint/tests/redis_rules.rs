//! Every Redis-aware rule (RHA100 and up) with at least one values file that triggers it and one
//! that does not. The chart is the generated `redis-1g` variant, whose own defaults are clean,
//! so each fixture changes only what it is about.

use std::path::PathBuf;

use chartlint::config::Config;
use chartlint::diagnostic::{Diagnostic, Severity};
use chartlint::engine::{self, Chart};
use chartlint::source::{SourceFile, SourceKind};
use chartlint::yaml::{self, Limits};

fn chart(name: &str) -> Chart {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../generated-charts")
        .join(name);
    Chart::load(&dir, &Limits::default()).expect("generated chart loads")
}

fn lint(chart: &Chart, values: &str) -> Vec<Diagnostic> {
    let limits = Limits::default();
    let doc = yaml::load_str(
        SourceFile::new("fixture.yaml", values, SourceKind::ValuesFile),
        &limits,
    )
    .expect("fixture parses");
    engine::lint_documents(chart, &[doc], &[], &[], &Config::default())
        .expect("lint runs")
        .diagnostics
}

use Severity::{Error as E, Info as I, Warning as W};

/// (rule, severity of the finding, values that trigger it, values that do not).
const CASES: &[(&str, Severity, &str, &str)] = &[
    ("RHA100", E, "replicas: 2\n", "replicas: 3\n"),
    ("RHA101", I, "replicas: 4\n", "replicas: 5\n"),
    ("RHA102", E, "sentinel: {quorum: 0}\n", "sentinel: {quorum: 2}\n"),
    ("RHA102", E, "sentinel: {quorum: 4}\n", "sentinel: {quorum: 2}\n"),
    ("RHA103", W, "sentinel: {quorum: 3}\n", "sentinel: {quorum: 2}\n"),
    ("RHA104", E, "redis: {config: {min-slaves-to-write: 3}}\n", "redis: {config: {min-slaves-to-write: 1}}\n"),
    ("RHA104", E, "replicas: 1\n", "replicas: 1\nredis: {config: {min-replicas-to-write: 0}}\n"),
    ("RHA105", W, "redis: {config: {min-replicas-to-write: 2}}\n", "redis: {config: {min-replicas-to-write: 1}}\n"),
    ("RHA106", I, "redis: {config: {min-replicas-to-write: 0}}\n", "redis: {config: {min-replicas-to-write: 1}}\n"),
    ("RHA107", W, "redis: {config: {min-replicas-max-lag: 0}}\n", "redis: {config: {min-replicas-max-lag: 5}}\n"),
    ("RHA108", E, "ro_replicas: \"1,2\"\n", "ro_replicas: \"2\"\n"),
    ("RHA109", W, "ro_replicas: \"3\"\n", "ro_replicas: \"2\"\n"),
    ("RHA110", E, "redis: {masterGroupName: \"my master\"}\n", "redis: {masterGroupName: my-master}\n"),
    ("RHA111", W, "sentinel: {config: {down-after-milliseconds: 1000}}\n", "sentinel: {config: {down-after-milliseconds: 10000}}\n"),
    ("RHA111", E, "sentinel: {config: {down-after-milliseconds: 0}}\n", "sentinel: {config: {down-after-milliseconds: 30000}}\n"),
    ("RHA112", W, "sentinel: {config: {failover-timeout: 5000}}\n", "sentinel: {config: {failover-timeout: 180000}}\n"),
    ("RHA113", W, "sentinel: {config: {parallel-syncs: 0}}\n", "sentinel: {config: {parallel-syncs: 1}}\n"),
    ("RHA114", E, "sentinel: {config: {down-after-milliseconds: 5s}}\n", "sentinel: {config: {down-after-milliseconds: 5000}}\n"),
    ("RHA114", E, "sentinel: {config: {failover-timeout: \"1.8e+06\"}}\n", "sentinel: {config: {failover-timeout: 1800000}}\n"),
    ("RHA115", E, "sentinel: {announceHostnames: true}\n", "sentinel: {announceHostnames: true, resolveHostnames: true}\n"),
    ("RHA116", E, "sentinel: {config: {down-after-milisecond: 10000}}\n", "sentinel: {config: {down-after-milliseconds: 10000}}\n"),
    ("RHA116", E, "sentinel: {config: {announce-ip: 10.0.0.1}}\n", "sentinel: {config: {deny-scripts-reconfig: \"yes\", resolve-hostnames: \"yes\"}}\n"),
    ("RHA117", E, "redis: {resources: {requests: {memory: 1Gi}, limits: {memory: 1Gi}}}\n", "redis: {resources: {requests: {memory: 2Gi}, limits: {memory: 2Gi}}}\n"),
    ("RHA118", W, "redis: {resources: {requests: {memory: 1200Mi}, limits: {memory: 1200Mi}}}\n", "redis: {resources: {requests: {memory: 2Gi}, limits: {memory: 2Gi}}}\n"),
    ("RHA119", W, "redis: {resources: {requests: {memory: 1300Mi}, limits: {memory: 1300Mi}}}\n", "redis: {resources: {requests: {memory: 2048Mi}, limits: {memory: 2048Mi}}}\n"),
    ("RHA120", W, "redis: {config: {maxmemory: \"0\"}}\n", "redis: {config: {maxmemory: 1gb}}\n"),
    ("RHA121", W, "redis: {resources: {requests: {memory: 1Gi}}}\n", "redis: {resources: {requests: {memory: 2Gi}}}\n"),
    ("RHA122", E, "redis: {config: {maxmemory: 1Gi}}\n", "redis: {config: {maxmemory: 1gb}}\n"),
    ("RHA122", E, "redis: {config: {repl-backlog-size: \"1e+06\"}}\n", "redis: {config: {repl-backlog-size: 1000000}}\n"),
    ("RHA123", I, "redis: {config: {maxmemory: 1g}}\n", "redis: {config: {maxmemory: 1gb}}\n"),
    ("RHA124", E, "redis: {resources: {limits: {memory: 2gb}}}\n", "redis: {resources: {limits: {memory: 2Gi}}}\n"),
    ("RHA124", E, "sentinel: {resources: {limits: {memory: 512m}, requests: {memory: 512m}}}\n", "sentinel: {resources: {limits: {memory: 512Mi}, requests: {memory: 512Mi}}}\n"),
    ("RHA124", E, "persistentVolume: {size: 10GB}\n", "persistentVolume: {size: 10Gi}\n"),
    ("RHA125", I, "redis: {config: {maxmemory-policy: volatile-lru}}\n", "redis: {config: {maxmemory-policy: allkeys-lru}}\n"),
    ("RHA126", I, "redis: {config: {maxmemory: \"0\", maxmemory-policy: allkeys-lru}}\n", "redis: {config: {maxmemory: \"0\", maxmemory-policy: noeviction}}\n"),
    ("RHA127", E, "redis: {config: {client-output-buffer-limit: \"replica 512Mi 64mb 60\"}}\n", "redis: {config: {client-output-buffer-limit: \"replica 512mb 64mb 60\"}}\n"),
    ("RHA127", E, "redis: {config: {client-output-buffer-limit: \"master 256mb 64mb 60\"}}\n", "redis: {config: {client-output-buffer-limit: \"normal 0 0 0 replica 256mb 64mb 60\"}}\n"),
    ("RHA128", W, "redis: {config: {client-output-buffer-limit: \"replica 256mb 64mb 60\", repl-backlog-size: 512mb}}\n", "redis: {config: {client-output-buffer-limit: \"replica 256mb 64mb 60\", repl-backlog-size: 64mb}}\n"),
    ("RHA128", W, "redis: {config: {client-output-buffer-limit: \"replica 0 0 0\"}}\n", "redis: {config: {client-output-buffer-limit: \"replica 128mb 0 0\"}}\n"),
    ("RHA129", W, "persistentVolume: {size: 1Gi}\n", "persistentVolume: {size: 3Gi}\n"),
    ("RHA130", E, "redis: {config: {maxmemory-polcy: allkeys-lru}}\n", "redis: {config: {maxmemory-policy: allkeys-lru}}\n"),
    ("RHA130", E, "redis: {config: {list-max-ziplst-entries: 128}}\n", "redis: {config: {list-max-ziplist-entries: 128}}\n"),
    ("RHA130", E, "image: {tag: 7.0.15}\nredis: {config: {hide-user-data-from-log: \"yes\"}}\n", "image: {tag: 8.2.3}\nredis: {config: {hide-user-data-from-log: \"yes\"}}\n"),
    ("RHA130", W, "image: {tag: \"7\"}\nredis: {config: {hide-user-data-from-log: \"yes\"}}\n", "image: {tag: 7.4.1}\nredis: {config: {hide-user-data-from-log: \"yes\"}}\n"),
    ("RHA130", W, "image: {tag: latest}\nredis: {config: {replica-full-sync-buffer-limit: 64mb}}\n", "image: {tag: 8.2.3-alpine}\nredis: {config: {replica-full-sync-buffer-limit: 64mb}}\n"),
    ("RHA131", E, "redis: {config: {maxmemory-policy: lru}}\n", "redis: {config: {maxmemory-policy: ALLKEYS-LRU}}\n"),
    ("RHA131", E, "redis: {config: {appendfsync: sometimes}}\n", "redis: {config: {appendfsync: everysec}}\n"),
    ("RHA132", E, "redis: {config: {appendonly: \"on\"}}\n", "redis: {config: {appendonly: yes}}\n"),
    ("RHA133", E, "redis: {config: {min-replicas-max-lag: 5s}}\n", "redis: {config: {min-replicas-max-lag: \"5\"}}\n"),
    ("RHA133", E, "redis: {config: {min-replicas-to-write: -1}}\n", "redis: {config: {min-replicas-to-write: 1}}\n"),
    ("RHA133", E, "redis: {config: {io-threads: 200}}\n", "image: {repository: valkey/valkey, tag: 9.1.2}\nredis: {config: {io-threads: 200}}\n"),
    ("RHA134", I, "persistentVolume: {enabled: false}\n", "persistentVolume: {enabled: false}\nredis: {config: {save: '\"\"'}}\n"),
    ("RHA135", W, "redis: {config: {save: '\"\"'}}\n", "redis: {config: {save: '\"\"', appendonly: \"yes\"}}\n"),
    ("RHA136", W, "replicas: 1\nredis: {config: {min-replicas-to-write: 0}}\n", "replicas: 3\n"),
    ("RHA136", E, "replicas: 0\n", "replicas: 5\n"),
    ("RHA137", W, "hardAntiAffinity: false\n", "hardAntiAffinity: true\n"),
    ("RHA138", W, "haproxy: {hardAntiAffinity: false}\n", "haproxy: {hardAntiAffinity: false, affinity: \"podAntiAffinity: {}\"}\n"),
    ("RHA139", W, "haproxy: {replicas: 1}\n", "haproxy: {replicas: 2}\n"),
    ("RHA140", W, "podDisruptionBudget: null\n", "podDisruptionBudget: {maxUnavailable: 1}\n"),
    ("RHA140", W, "haproxy: {podDisruptionBudget: null}\n", "haproxy: {podDisruptionBudget: {minAvailable: 2, maxUnavailable: null}}\n"),
    ("RHA141", E, "podDisruptionBudget: {minAvailable: 2}\n", "podDisruptionBudget: {minAvailable: 2, maxUnavailable: null}\n"),
    ("RHA142", W, "podDisruptionBudget: {maxUnavailable: 0}\n", "podDisruptionBudget: {maxUnavailable: 1}\n"),
    ("RHA142", W, "podDisruptionBudget: {minAvailable: \"100%\", maxUnavailable: null}\n", "podDisruptionBudget: {minAvailable: \"60%\", maxUnavailable: null}\n"),
    ("RHA143", W, "podDisruptionBudget: {maxUnavailable: 2}\n", "podDisruptionBudget: {maxUnavailable: \"33%\"}\n"),
    ("RHA144", W, "haproxy: {checkInterval: 15s}\n", "haproxy: {checkInterval: 2s}\n"),
    ("RHA145", W, "redis: {terminationGracePeriodSeconds: 10}\n", "redis: {terminationGracePeriodSeconds: 60}\n"),
    ("RHA146", W, "auth: false\n", "auth: true\n"),
    ("RHA147", W, "redisPassword: s3cret\n", "existingSecret: redis-auth\n"),
    ("RHA148", W, "redisPassword: s3cret\nexistingSecret: redis-auth\n", "existingSecret: redis-auth\n"),
    ("RHA149", W, "tls: {secretName: redis-tls}\n", "redis: {tlsPort: 6380}\ntls: {secretName: redis-tls}\n"),
    ("RHA149", E, "redis: {port: 0}\n", "redis: {port: 0, tlsPort: 6380}\n"),
    ("RHA150", E, "haproxy: {tls: {enabled: true}}\n", "haproxy: {tls: {enabled: true, secretName: haproxy-pem}}\n"),
    ("RHA151", W, "sysctlImage: {enabled: true}\n", "sysctlImage: {enabled: false}\n"),
    ("RHA152", W, "containerSecurityContext: {allowPrivilegeEscalation: true}\n", "containerSecurityContext: {readOnlyRootFilesystem: true}\n"),
    ("RHA152", W, "haproxy: {containerSecurityContext: {capabilities: {drop: [NET_RAW]}}}\n", "haproxy: {containerSecurityContext: {capabilities: {drop: [ALL]}}}\n"),
    ("RHA153", W, "image: {tag: latest}\n", "image: {tag: 7.2.5-alpine}\n"),
    ("RHA153", W, "image: {tag: \"8.8\"}\n", "image: {tag: 8.8.0}\n"),
    ("RHA153", W, "image: {tag: 7.2-alpine}\n", "image: {tag: 7.2.5-debian-12-r9}\n"),
    ("RHA154", I, "networkPolicy: {enabled: false}\n", "networkPolicy: {enabled: true}\n"),
    ("RHA155", E, "redis: {config: {maxmemory: 1 gb}}\n", "redis: {config: {maxmemory: 1gb}}\n"),
    ("RHA156", W, "redis: {config: {repl-timeout: 10}}\n", "redis: {config: {repl-timeout: 60, repl-ping-replica-period: 10}}\n"),
    ("RHA156", W, "redis: {config: {repl-ping-slave-period: 90}}\n", "redis: {config: {repl-ping-slave-period: 20}}\n"),
    ("RHA157", W, "redis: {config: {io-threads: 4}}\n", "redis: {config: {io-threads: 4}, resources: {limits: {cpu: \"4\"}, requests: {cpu: \"4\"}}}\n"),
    ("RHA158", W, "haproxy: {enabled: true, timeout: {tunnel: \"\", client: 30s, server: 330s}}\n", "haproxy: {enabled: true, timeout: {client: 30s}}\n"),
    ("RHA161", E, "redis: {disableCommands: [FLUSHALL, CONFIG]}\n", "redis: {disableCommands: [FLUSHALL, KEYS]}\n"),
    ("RHA161", E, "redis: {config: {rename-command: \"ROLE myrole\"}}\n", "redis: {config: {rename-command: \"KEYS \\\"\\\"\"}}\n"),
    ("RHA163", E, "auth: false\nredis: {config: {protected-mode: \"yes\"}}\n", "auth: true\nredis: {config: {protected-mode: \"yes\"}}\n"),
    ("RHA163", E, "redis: {config: {bind: \"127.0.0.1 -::1\"}}\n", "redis: {config: {bind: \"* -::*\"}}\n"),
    ("RHA163", W, "redis: {config: {bind: 10.0.0.5}}\n", "redis: {config: {maxmemory-policy: noeviction}}\n"),
    ("RHA164", E, "sentinel: {config: {failover-timeout: 0}}\n", "sentinel: {config: {failover-timeout: 180000}}\n"),
    ("RHA164", E, "sentinel: {config: {deny-scripts-reconfig: maybe}}\n", "sentinel: {config: {deny-scripts-reconfig: \"yes\"}}\n"),
    ("RHA164", E, "sentinel: {config: {parallel-syncs: \"1 2\"}}\n", "sentinel: {config: {parallel-syncs: 2}}\n"),
    ("RHA162", E, "redis: {config: {slave-priority: 0}}\n", "redis: {config: {replica-priority: 10}}\n"),
    ("RHA160", W, "haproxy: {enabled: false, replicas: 5}\n", "haproxy: {enabled: true, replicas: 5}\n"),
    ("RHA160", W, "exporter: {enabled: false, port: 9122}\n", "exporter: {enabled: false}\n"),
    ("RHA160", W, "haproxy: {enabled: true, metrics: {enabled: false, port: 9102}}\n", "haproxy: {enabled: true, metrics: {enabled: true, port: 9102}}\n"),
    ("RHA159", W, "redis: {config: {requirepass: s3cret}}\n", "redis: {config: {maxmemory-policy: noeviction}}\n"),
    ("RHA159", W, "auth: false\nredis: {config: {masterauth: s3cret}}\n", "auth: false\n"),
    ("RHA155", E, "redis: {config: {save: \"900\"}}\n", "redis: {config: {save: \"900 1\"}}\n"),
];

#[test]
fn each_case_fails_and_passes() {
    let chart = chart("redis-1g");
    let mut failures = Vec::new();
    for (rule, severity, bad, good) in CASES {
        let found = lint(&chart, bad);
        match found.iter().find(|d| d.rule == *rule) {
            None => failures.push(format!(
                "{rule}: not reported for {bad:?}: {:?}",
                ids(&found)
            )),
            Some(d) if d.severity != *severity => failures.push(format!(
                "{rule}: severity {:?} (expected {severity:?}) for {bad:?}",
                d.severity
            )),
            Some(d) if d.file != "fixture.yaml" && !bad.contains("null") => failures.push(format!(
                "{rule}: reported at {}:{} instead of the fixture for {bad:?}",
                d.file, d.line
            )),
            Some(_) => {}
        }
        let clean = lint(&chart, good);
        if let Some(d) = clean.iter().find(|d| d.rule == *rule) {
            failures.push(format!(
                "{rule}: reported for passing values {good:?}: {}",
                d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn ids(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.rule.as_str()).collect()
}

#[test]
fn every_redis_rule_has_cases_and_a_doc_block() {
    for rule in chartlint::rules::registry() {
        let m = rule.meta();
        if m.id < "RHA100" {
            continue;
        }
        assert!(
            CASES.iter().any(|(id, ..)| *id == m.id),
            "{} {} has no fixture case",
            m.id,
            m.name
        );
        for section in [
            "### What it checks",
            "### Why it matters",
            "### Example",
            "### Fix",
        ] {
            assert!(m.doc.contains(section), "{} lacks {section}", m.id);
        }
    }
    let md = chartlint::rules_markdown();
    assert!(md.contains("## RHA117 maxmemory-not-below-limit"));
}

#[test]
fn the_variants_own_defaults_are_clean() {
    for name in [
        "redis-512m",
        "redis-1g",
        "redis-2g",
        "redis-4g",
        "redis-8g",
        "redis-16g",
    ] {
        let found = lint(&chart(name), "{}\n");
        let loud: Vec<String> = found
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .map(|d| format!("{} {}:{} {}", d.rule, d.file, d.line, d.message))
            .collect();
        assert!(loud.is_empty(), "{name}: {loud:#?}");
    }
}

#[test]
fn memory_message_quotes_the_sizing_terms() {
    let found = lint(
        &chart("redis-1g"),
        "redis:\n  resources:\n    requests: {memory: 1300Mi}\n    limits: {memory: 1300Mi}\n",
    );
    let d = found.iter().find(|d| d.rule == "RHA119").expect("RHA119");
    for term in [
        "dataset 1024Mi",
        "fragmentation",
        "copy-on-write",
        "replica output buffers",
        "process baseline",
    ] {
        assert!(
            d.notes.iter().any(|n| n.contains(term)),
            "{term} missing in {:?}",
            d.notes
        );
    }
    assert!(
        d.help.as_deref().unwrap_or("").contains("2048Mi")
            || d.help.as_deref().unwrap_or("").contains("2Gi"),
        "{:?}",
        d.help
    );
    assert_eq!(
        d.related.len(),
        1,
        "the limit is shown as a related location"
    );
}

#[test]
fn old_and_new_directive_names_last_line_wins() {
    // The chart writes keys in sorted order, so min-slaves-to-write (later) wins over
    // min-replicas-to-write, as in the matomo deployment.
    let found = lint(
        &chart("redis-1g"),
        "redis:\n  config:\n    min-replicas-to-write: 3\n    min-slaves-to-write: 1\n",
    );
    assert!(
        !found.iter().any(|d| d.rule == "RHA104"),
        "{:?}",
        ids(&found)
    );
}

#[test]
fn extreme_values_do_not_panic() {
    let chart = chart("redis-1g");
    for values in [
        "replicas: 4294967295\nsentinel: {quorum: 9223372036854775807}\n",
        "replicas: \"99999999999999999999\"\nro_replicas: \",,,-1,x,00\"\n",
        "sentinel: {config: {failover-timeout: 9223372036854775807, down-after-milliseconds: -9223372036854775808, parallel-syncs: \"\"}}\n",
        "redis: {config: {maxmemory: 18446744073709551615gb, repl-backlog-size: gb, client-output-buffer-limit: \"\", save: null}}\n",
        "redis: {resources: {limits: {memory: 9999999999999999999999Ei, cpu: -1}, requests: {memory: [1], cpu: {a: 1}}}}\n",
        "podDisruptionBudget: {maxUnavailable: \"999999999999%\"}\nhaproxy: {checkInterval: 99999999999999999999d, checkFall: -5}\n",
        "redis: null\nsentinel: null\nhaproxy: null\nimage: null\n",
        "redis: {config: [1, 2]}\nsentinel: {config: \"x\"}\npersistentVolume: {size: []}\n",
    ] {
        let _ = lint(&chart, values);
    }
}

#[test]
fn huge_replica_counts_stay_fast() {
    let start = std::time::Instant::now();
    let _ = lint(
        &chart("redis-1g"),
        "replicas: 4294967295\nro_replicas: \"0,1,2\"\n",
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// RHA006 speaks only when the null removes a default the templates would see.
#[test]
fn null_over_a_null_default_is_not_reported() {
    let chart = chart("redis-1g");
    let over_null = lint(&chart, "redis:\n  tlsPort: null\n");
    assert!(
        !over_null.iter().any(|d| d.rule == "RHA006"),
        "{:?}",
        ids(&over_null)
    );
    let over_value = lint(&chart, "redis:\n  port: null\n");
    assert!(
        over_value.iter().any(|d| d.rule == "RHA006"),
        "{:?}",
        ids(&over_value)
    );
}
