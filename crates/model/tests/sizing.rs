//! Sizing: hand-computed cases (the arithmetic is written out in each test), the seed case, every
//! variant size, and the invariants over many sizes and configurations.

use model::sizing::{
    components, explain, judge, redis_major_version, required_pvc, size, ConfigError, DisklessLoad,
    Sizing, SizingError, SizingInput, Verdict, BASELINE_BYTES, LIMIT_STEP_BYTES, PVC_FLOOR_BYTES,
};
use model::units::{format_binary_bytes, parse_memory_quantity, parse_redis_memory, GIB, MIB};

fn defaults(maxmemory: u64) -> SizingInput {
    SizingInput::chart_defaults(maxmemory)
}

fn sized(input: &SizingInput) -> Sizing {
    size(input).expect("maxmemory is not 0")
}

fn term(sizing: &Sizing, name: &str) -> u64 {
    sizing
        .memory_terms
        .iter()
        .find(|t| t.name == name)
        .map(|t| t.bytes)
        .unwrap_or_else(|| panic!("no term {name}"))
}

#[test]
fn one_gigabyte_with_chart_defaults_term_by_term() {
    let s = sized(&defaults(GIB));
    // dataset = maxmemory
    assert_eq!(term(&s, "dataset"), 1_073_741_824);
    // 15% of 1073741824 = 161061273.6, rounded up
    assert_eq!(term(&s, "fragmentation"), 161_061_274);
    // RDB on: 50% of the dataset
    assert_eq!(term(&s, "copy-on-write"), 536_870_912);
    // 2 replicas sharing one buffer (Redis >= 7): one 256mb hard limit
    assert_eq!(term(&s, "replica output buffers"), 268_435_456);
    // maxmemory counts the backlog: no term of its own; no swapdb load by default
    assert!(s
        .memory_terms
        .iter()
        .all(|t| t.name != "replication backlog"));
    assert_eq!(term(&s, "swapdb load"), 0);
    assert_eq!(term(&s, "process baseline"), 67_108_864);
    // 1073741824 + 161061274 + 536870912 + 268435456 + 67108864
    assert_eq!(s.memory_sum, 2_107_218_330);
    // 1.25 x 1gb = 1280Mi < sum
    assert_eq!(s.eighty_percent_floor, 1280 * MIB);
    assert_eq!(s.memory_required, 2_107_218_330);
    // 2107218330 / 64Mi = 31.4 -> 32 x 64Mi = 2Gi
    assert_eq!(s.redis.memory_limit, 2 * GIB);
    assert_eq!(s.redis.memory_request, 2 * GIB);
    assert_eq!(s.redis.cpu_limit_millis, 1000);
    assert_eq!(s.redis.cpu_request_millis, 1000);
    // RDB: 2 x 1Gi = 2048Mi; +10% = 2252.8Mi -> 3Gi
    assert_eq!(s.pvc, 3 * GIB);
}

/// (maxmemory, limit in Mi, cpu millicores, PVC in Gi), each computed by hand with the chart
/// defaults: sum = 1.65 x dataset + 256 + 64 Mi, rounded up to 64Mi; whole cores (1 up to
/// 2 GiB, 2 above); PVC = 2.2 x dataset rounded up to Gi.
const VARIANTS: [(&str, u64, u64, u64); 6] = [
    // 512 + 76.8 + 256 + 256 + 64 = 1164.8 -> 19 x 64 = 1216; PVC 1126.4Mi -> 2Gi
    ("512mb", 1216, 1000, 2),
    // 2009.6 -> 32 x 64 = 2048; PVC 2252.8Mi -> 3Gi
    ("1gb", 2048, 1000, 3),
    // 2048 + 307.2 + 1024 + 320 = 3699.2 -> 58 x 64 = 3712; PVC 4505.6Mi -> 5Gi
    ("2gb", 3712, 1000, 5),
    // 4096 + 614.4 + 2048 + 320 = 7078.4 -> 111 x 64 = 7104; PVC 9011.2Mi -> 9Gi
    ("4gb", 7104, 2000, 9),
    // 8192 + 1228.8 + 4096 + 320 = 13836.8 -> 217 x 64 = 13888; PVC 18022.4Mi -> 18Gi
    ("8gb", 13888, 2000, 18),
    // 16384 + 2457.6 + 8192 + 320 = 27353.6 -> 428 x 64 = 27392; PVC 36044.8Mi -> 36Gi
    ("16gb", 27392, 2000, 36),
];

#[test]
fn every_variant_size() {
    for (maxmemory, limit_mi, cpu, pvc_gi) in VARIANTS {
        let bytes = parse_redis_memory(maxmemory).unwrap();
        let s = sized(&defaults(bytes));
        assert_eq!(s.redis.memory_limit, limit_mi * MIB, "{maxmemory} limit");
        assert_eq!(
            s.redis.memory_request,
            limit_mi * MIB,
            "{maxmemory} request"
        );
        assert_eq!(s.redis.cpu_limit_millis, cpu, "{maxmemory} cpu");
        assert_eq!(s.pvc, pvc_gi * GIB, "{maxmemory} pvc");
        assert_eq!(required_pvc(&s.input), s.pvc);
        // A variant passes its own judgement by construction.
        assert_eq!(
            judge(&s.input, s.redis.memory_limit).verdict,
            Verdict::Sufficient
        );
    }
}

/// The seed's redis-1g: maxmemory "1024mb", limits.memory 1024Mi, 2 pods, save "900 1",
/// diskless sync, Redis 6.2.5 (no shared replication buffer).
fn seed_input() -> SizingInput {
    SizingInput {
        maxmemory: parse_redis_memory("1024mb").unwrap(),
        replicas_per_master: 1,
        rdb: true,
        aof: false,
        diskless_sync: true,
        shared_replication_buffer: false,
        ..SizingInput::chart_defaults(0)
    }
}

#[test]
fn seed_case_is_judged_insufficient_with_the_formula() {
    let limit = parse_memory_quantity("1024Mi").unwrap();
    let j = judge(&seed_input(), limit);
    assert_eq!(j.verdict, Verdict::MaxmemoryAtOrAboveLimit);
    // One replica: 1024 + 153.6 + 512 + 256 + 64 Mi, same bytes as the 1gb default case.
    assert_eq!(j.required, 2_107_218_330);
    assert_eq!(j.shortfall(), 2_107_218_330 - GIB);
    assert_eq!(j.suggested_limit(), 2 * GIB);
    let message = j.message();
    assert!(
        message.contains("maxmemory 1gb is not below the memory limit 1Gi"),
        "{message}"
    );
    assert!(
        message.contains(
            "dataset 1024Mi + fragmentation 154Mi + copy-on-write 512Mi + replica output \
             buffers 256Mi + process baseline 64Mi = 2010Mi"
        ),
        "{message}"
    );
    assert!(message.ends_with("at least 2Gi"), "{message}");
}

#[test]
fn judge_verdicts_in_order_of_severity() {
    let input = defaults(GIB);
    assert_eq!(judge(&input, GIB).verdict, Verdict::MaxmemoryAtOrAboveLimit);
    assert_eq!(
        judge(&input, 512 * MIB).verdict,
        Verdict::MaxmemoryAtOrAboveLimit
    );
    // 1024 / 1228 = 83% > 80%
    assert_eq!(
        judge(&input, 1228 * MIB).verdict,
        Verdict::AboveEightyPercent
    );
    // exactly 80%: 1280Mi is allowed by the 80% rule, but below the 2009.6Mi sum
    assert_eq!(judge(&input, 1280 * MIB).verdict, Verdict::BelowRequired);
    let j = judge(&input, 1536 * MIB);
    assert_eq!(j.verdict, Verdict::BelowRequired);
    assert_eq!(j.shortfall(), 2_107_218_330 - 1536 * MIB);
    assert!(
        j.message()
            .starts_with("memory limit 1536Mi is 474Mi short"),
        "{}",
        j.message()
    );
    // the unrounded requirement is enough for a hand-written limit
    assert_eq!(judge(&input, 2_107_218_330).verdict, Verdict::Sufficient);
    assert_eq!(judge(&input, 2_107_218_329).verdict, Verdict::BelowRequired);
    let zero = defaults(0);
    assert_eq!(judge(&zero, GIB).verdict, Verdict::NoMaxmemory);
}

#[test]
fn maxmemory_zero_cannot_be_sized() {
    assert_eq!(size(&defaults(0)), Err(SizingError::NoMaxmemory));
}

#[test]
fn eighty_percent_floor_binds_when_nothing_forks() {
    // No replicas, no persistence: 16384 + 2457.6 + 64 = 18905.6Mi < 1.25 x 16384 = 20480Mi.
    let input = SizingInput {
        replicas_per_master: 0,
        rdb: false,
        aof: false,
        ..defaults(16 * GIB)
    };
    let s = sized(&input);
    assert_eq!(term(&s, "copy-on-write"), 0);
    assert_eq!(term(&s, "replica output buffers"), 0);
    assert_eq!(s.eighty_percent_floor, 20480 * MIB);
    assert_eq!(s.redis.memory_limit, 20480 * MIB);
    // nothing written to disk: the floor
    assert_eq!(s.pvc, PVC_FLOOR_BYTES);
}

#[test]
fn full_syncs_fork_even_without_persistence() {
    let input = SizingInput {
        rdb: false,
        aof: false,
        ..defaults(GIB)
    };
    let s = sized(&input);
    assert_eq!(term(&s, "copy-on-write"), 512 * MIB);
    // save "" but repl-diskless-load disabled (the default): a replica writes the full sync's
    // RDB to its disk (tests/sizing_evidence.rs): 2 x 1Gi + 10% -> 3Gi
    assert_eq!(s.pvc, 3 * GIB);
    // replicas that load from the socket, and a master that streams: no RDB file on disk
    let socket = SizingInput {
        diskless_load: DisklessLoad::OnEmptyDb,
        ..input
    };
    assert_eq!(sized(&socket).pvc, PVC_FLOOR_BYTES);
    // without diskless sync the master writes one: 3Gi again
    let disk_sync = SizingInput {
        diskless_sync: false,
        ..socket
    };
    assert_eq!(sized(&disk_sync).pvc, 3 * GIB);
}

#[test]
fn replica_buffers_per_replica_before_redis_7() {
    let input = SizingInput {
        shared_replication_buffer: false,
        ..defaults(GIB)
    };
    // 2 replicas x 256mb
    assert_eq!(term(&sized(&input), "replica output buffers"), 512 * MIB);
}

#[test]
fn replica_buffer_limits_unlimited_or_below_backlog() {
    // 0 = unlimited: one dataset's worth
    let unlimited = SizingInput {
        replica_buffer_hard_limit: 0,
        ..defaults(2 * GIB)
    };
    assert_eq!(term(&sized(&unlimited), "replica output buffers"), 2 * GIB);
    // a hard limit below the backlog is ignored in favour of the backlog (redis.conf)
    let small = SizingInput {
        replica_buffer_hard_limit: MIB,
        repl_backlog_size: 100 * MIB,
        ..defaults(GIB)
    };
    let s = sized(&small);
    assert_eq!(term(&s, "replica output buffers"), 100 * MIB);
}

#[test]
fn aof_adds_disk_for_base_increments_and_rewrite() {
    let input = SizingInput {
        aof: true,
        ..defaults(GIB)
    };
    // RDB 2 x 1Gi + AOF 3 x 1Gi = 5120Mi; +10% = 5632Mi -> 6Gi
    assert_eq!(sized(&input).pvc, 6 * GIB);
    let aof_only = SizingInput {
        rdb: false,
        aof: true,
        ..defaults(GIB)
    };
    // AOF 3072Mi, plus the RDB files a replica writes on a full sync (repl-diskless-load
    // disabled) 2048Mi; +10% = 5632Mi -> 6Gi; AOF rewrites fork
    let s = sized(&aof_only);
    assert_eq!(s.pvc, 6 * GIB);
    assert_eq!(term(&s, "copy-on-write"), 512 * MIB);
}

#[test]
fn tiny_maxmemory_is_dominated_by_fixed_terms() {
    // 1mb: 1 + 0.15 + 0.5 + 256 + 64 = 321.65Mi -> 6 x 64 = 384Mi; one whole core
    let s = sized(&defaults(MIB));
    assert_eq!(s.redis.memory_limit, 384 * MIB);
    assert_eq!(s.redis.cpu_limit_millis, 1000);
    assert_eq!(s.pvc, PVC_FLOOR_BYTES);
}

#[test]
fn huge_inputs_do_not_panic() {
    let input = SizingInput {
        replica_buffer_hard_limit: u64::MAX,
        repl_backlog_size: u64::MAX,
        aof: true,
        shared_replication_buffer: false,
        replicas_per_master: u32::MAX,
        ..defaults(u64::MAX)
    };
    let s = sized(&input);
    assert_eq!(s.redis.memory_limit, u64::MAX);
    let j = judge(&input, GIB);
    assert_eq!(j.verdict, Verdict::MaxmemoryAtOrAboveLimit);
    assert!(!explain(&s).is_empty());
}

/// Every configuration combination used by the property tests.
fn configurations(maxmemory: u64) -> Vec<SizingInput> {
    let mut all = Vec::new();
    for replicas_per_master in [0, 1, 2, 4] {
        for (rdb, aof) in [(false, false), (true, false), (false, true), (true, true)] {
            for diskless_sync in [false, true] {
                for diskless_load in [DisklessLoad::Disabled, DisklessLoad::Swapdb] {
                    for shared_replication_buffer in [false, true] {
                        for replica_buffer_hard_limit in [0, 64 * MIB, 256 * MIB, GIB] {
                            all.push(SizingInput {
                                maxmemory,
                                replicas_per_master,
                                replica_buffer_hard_limit,
                                repl_backlog_size: MIB,
                                rdb,
                                aof,
                                diskless_sync,
                                diskless_load,
                                shared_replication_buffer,
                            });
                        }
                    }
                }
            }
        }
    }
    all
}

#[test]
fn invariants_hold_for_all_sizes_and_configurations() {
    let mut sizes: Vec<u64> = vec![1, 1000, MIB, 100 * MIB, 1_000_000_000, 3 * GIB, 64 * GIB];
    sizes.extend(VARIANTS.iter().map(|v| parse_redis_memory(v.0).unwrap()));
    // a spread of odd sizes: 7 MiB + 37 MiB steps up to ~20 GiB
    sizes.extend((0..560).map(|i| 7 * MIB + i * 37 * MIB + i));
    for maxmemory in sizes {
        for input in configurations(maxmemory) {
            let s = sized(&input);
            let limit = s.redis.memory_limit;
            assert!(
                u128::from(maxmemory) * 5 <= u128::from(limit) * 4,
                "maxmemory {maxmemory} above 80% of {limit} for {input:?}"
            );
            assert_eq!(s.redis.memory_request, limit);
            assert_eq!(s.redis.cpu_request_millis, s.redis.cpu_limit_millis);
            assert!(limit >= s.memory_required && limit >= s.memory_sum);
            assert!(limit - s.memory_required < LIMIT_STEP_BYTES);
            assert_eq!(limit % LIMIT_STEP_BYTES, 0);
            assert!(limit >= maxmemory + BASELINE_BYTES);
            assert_eq!(s.pvc % GIB, 0);
            assert!(s.pvc >= PVC_FLOOR_BYTES);
            if input.rdb {
                assert!(s.pvc >= 2 * maxmemory);
            }
            assert_eq!(judge(&input, limit).verdict, Verdict::Sufficient);
            assert_ne!(
                judge(&input, limit - LIMIT_STEP_BYTES).verdict,
                Verdict::Sufficient
            );
        }
    }
}

#[test]
fn bigger_maxmemory_never_needs_less() {
    let mut previous = 0;
    for mib in (1..=20_000u64).step_by(97) {
        let s = sized(&defaults(mib * MIB));
        assert!(s.redis.memory_limit >= previous);
        previous = s.redis.memory_limit;
    }
}

#[test]
fn other_containers_are_guaranteed_and_small() {
    for c in components() {
        let r = c.resources;
        assert_eq!(r.memory_request, r.memory_limit, "{}", c.name);
        assert_eq!(r.cpu_request_millis, r.cpu_limit_millis, "{}", c.name);
        assert!(
            r.memory_limit >= 32 * MIB && r.memory_limit <= 128 * MIB,
            "{}",
            c.name
        );
        assert!(!c.reason.is_empty());
        let (cpu_req, mem_req, cpu_lim, mem_lim) = r.quantities();
        assert_eq!(cpu_req, cpu_lim);
        assert_eq!(mem_req, mem_lim);
        assert_eq!(parse_memory_quantity(&mem_lim), Ok(r.memory_limit));
    }
}

#[test]
fn explain_shows_every_term_and_the_results() {
    let s = sized(&defaults(GIB));
    let text = explain(&s);
    for t in s.memory_terms.iter().chain(s.pvc_terms.iter()) {
        assert!(text.contains(t.name), "missing {}", t.name);
        assert!(text.contains(&t.reason), "missing reason of {}", t.name);
        assert!(text.contains(t.source), "missing source of {}", t.name);
    }
    assert!(text.contains("Sizing for maxmemory 1gb (1024Mi)"));
    let limit_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("limit = request"))
        .expect("limit line");
    assert!(limit_line.contains("2048Mi"), "{limit_line}");
    let pvc_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("size "))
        .expect("pvc line");
    assert!(pvc_line.contains("3Gi"), "{pvc_line}");
    assert!(text.contains("maxmemory is 50% of the limit"));
    assert!(text.contains("CPU of the Redis container: 1 (request = limit)"));
    for c in components() {
        assert!(text.contains(c.name));
    }
    // deterministic
    assert_eq!(text, explain(&s));
    assert_eq!(format_binary_bytes(s.redis.memory_limit), "2Gi");
}

#[test]
fn input_from_redis_config_of_the_seed() {
    let config = [
        ("min-replicas-to-write", "0"),
        ("maxmemory", "1024mb"),
        ("maxmemory-policy", "volatile-lfu"),
        ("save", "900 1"),
        ("repl-diskless-sync", "yes"),
    ];
    let get = |key: &str| {
        config
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    };
    let input = SizingInput::from_redis_config(2, redis_major_version("6.2.5-alpine"), get)
        .expect("valid config");
    assert_eq!(input, seed_input());
}

#[test]
fn input_from_redis_config_defaults_and_overrides() {
    let empty = SizingInput::from_redis_config(3, None, |_| None).unwrap();
    assert_eq!(empty, defaults(0));
    // Redis 6 defaults to disk-based sync and per-replica buffers.
    let old = SizingInput::from_redis_config(3, Some(6), |_| None).unwrap();
    assert!(!old.diskless_sync && !old.shared_replication_buffer);

    let config = [
        ("maxmemory", "2gb"),
        ("save", "\"\""),
        ("appendonly", "YES"),
        ("repl-backlog-size", "64mb"),
        (
            "client-output-buffer-limit",
            "normal 0 0 0 replica 512mb 128mb 60 pubsub 32mb 8mb 60",
        ),
    ];
    let get = |key: &str| {
        config
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    };
    let input = SizingInput::from_redis_config(3, Some(8), get).unwrap();
    assert_eq!(input.maxmemory, 2 * GIB);
    assert!(!input.rdb);
    assert!(input.aof);
    assert_eq!(input.repl_backlog_size, 64 * MIB);
    assert_eq!(input.replica_buffer_hard_limit, 512 * MIB);
    assert_eq!(input.replicas_per_master, 2);
}

#[test]
fn input_from_redis_config_reports_unreadable_values() {
    let err = SizingInput::from_redis_config(3, None, |key| {
        (key == "maxmemory").then(|| "1Gi".to_string())
    })
    .unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Memory {
            key: "maxmemory",
            ..
        }
    ));
    assert!(err
        .to_string()
        .starts_with("maxmemory: `1Gi` is not a Redis memory value"));
    for bad in [
        "replica 256mb 64mb",
        "master 1 1 1",
        "replica 512Mi 64mb 60",
    ] {
        let result = SizingInput::from_redis_config(3, None, |key| {
            (key == "client-output-buffer-limit").then(|| bad.to_string())
        });
        assert!(result.is_err(), "{bad}");
    }
}

#[test]
fn redis_major_version_from_image_tags() {
    assert_eq!(redis_major_version("6.2.5-alpine"), Some(6));
    assert_eq!(redis_major_version("8.2.1"), Some(8));
    assert_eq!(redis_major_version("v7.0.15"), Some(7));
    assert_eq!(redis_major_version("7"), Some(7));
    assert_eq!(redis_major_version("latest"), None);
    assert_eq!(redis_major_version(""), None);
}

#[test]
fn swapdb_holds_a_second_dataset() {
    let input = SizingInput {
        diskless_load: DisklessLoad::Swapdb,
        ..defaults(GIB)
    };
    let s = sized(&input);
    assert_eq!(term(&s, "swapdb load"), GIB);
    // 2009.6 + 1024 = 3033.6Mi -> 48 x 64 = 3072Mi
    assert_eq!(s.redis.memory_limit, 3072 * MIB);
    // read from redis.config
    let read = SizingInput::from_redis_config(3, Some(8), |k| {
        (k == "repl-diskless-load").then(|| "swapdb".to_string())
    })
    .unwrap();
    assert_eq!(read.diskless_load, DisklessLoad::Swapdb);
    // no replicas: nothing loads
    let alone = SizingInput {
        replicas_per_master: 0,
        ..input
    };
    assert_eq!(term(&sized(&alone), "swapdb load"), 0);
}
