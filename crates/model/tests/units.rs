//! Units: examples of Redis's `maxmemory X` (as the servers read them: tests/differential.rs
//! checks the same parser against Redis 7.0.15, 8.2.3 and Valkey 9.1.2) and of apimachinery's
//! `ParseQuantity`, on both sides of the cross-walk.

use model::units::{
    format_binary_bytes, format_millicores, format_redis_memory, parse_cpu_quantity,
    parse_memory_quantity, parse_redis_memory, parse_redis_memory_detailed, NotMemoryReason,
    Quantity, QuantityError, RedisMemoryError, RedisUnit, GIB, MIB,
};

#[test]
fn redis_accepts_observed_values() {
    let cases: &[(&str, u64)] = &[
        ("1gb", 1_073_741_824),
        ("1GB", 1_073_741_824),
        ("1g", 1_000_000_000),
        ("1G", 1_000_000_000),
        ("100M", 100_000_000),
        ("100mb", 104_857_600),
        ("512mB", 536_870_912),
        ("1k", 1000),
        ("1kb", 1024),
        ("1b", 1),
        ("1B", 1),
        ("0", 0),
        ("", 0),
        ("1024mb", 1024 * MIB),
        ("2147483648", 2_147_483_648),
        ("007mb", 7 * MIB),
    ];
    for (input, bytes) in cases {
        assert_eq!(parse_redis_memory(input), Ok(*bytes), "input {input:?}");
    }
}

#[test]
fn redis_refuses_observed_values_with_reason() {
    let cases: &[(&str, NotMemoryReason)] = &[
        ("1Gi", NotMemoryReason::KubernetesUnit),
        ("1Mi", NotMemoryReason::KubernetesUnit),
        ("1.5gb", NotMemoryReason::DecimalPoint),
        ("1e9", NotMemoryReason::Exponent),
        ("1e+09", NotMemoryReason::Exponent),
        ("1.5e+06", NotMemoryReason::DecimalPoint),
        ("-1", NotMemoryReason::Sign),
        ("+5mb", NotMemoryReason::Sign),
        ("1t", NotMemoryReason::UnknownUnit),
        ("1tb", NotMemoryReason::UnknownUnit),
        ("1gb ", NotMemoryReason::Whitespace),
        ("1 gb", NotMemoryReason::Whitespace),
        ("1GiB", NotMemoryReason::UnknownUnit),
    ];
    for (input, expected) in cases {
        match parse_redis_memory(input) {
            Err(RedisMemoryError::NotAMemoryValue { reason, .. }) => {
                assert_eq!(reason, *expected, "input {input:?}")
            }
            other => panic!("{input:?} should be refused, got {other:?}"),
        }
        let err = parse_redis_memory(input).unwrap_err();
        assert!(err.redis_refuses());
    }
}

#[test]
fn redis_error_message_names_the_rule_and_redis_words() {
    let err = parse_redis_memory("1Gi").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`1Gi` is not a Redis memory value: Redis accepts digits with an optional unit b, k, kb, \
         m, mb, g, gb (Kubernetes units like Gi are refused: 'argument must be a memory value')"
    );
    assert_eq!(err.suggestion(), Some("1gb"));
}

#[test]
fn redis_suggestions_are_exact_equivalents() {
    let cases: &[(&str, Option<&str>)] = &[
        ("1Gi", Some("1gb")),
        ("1280Mi", Some("1280mb")),
        ("1.5Gi", Some("1536mb")),
        ("1.5gb", Some("1536mb")),
        ("1e+09", Some("1000000000")),
        ("2.147483648e+09", Some("2gb")),
        ("+5mb", Some("5mb")),
        ("1gb ", Some("1gb")),
        ("1tb", Some("1024gb")),
        ("-1", None),
        ("1.3b", None),
    ];
    for (input, suggestion) in cases {
        let err = parse_redis_memory(input).unwrap_err();
        assert_eq!(err.suggestion(), *suggestion, "input {input:?}");
        if let Some(s) = suggestion {
            // A suggestion must itself be valid and mean what the user wrote.
            assert!(parse_redis_memory(s).is_ok(), "{s}");
        }
    }
}

#[test]
fn redis_silent_misreads_are_errors_but_not_refusals() {
    // Observed on 7.0.15: `mb` alone reads as 0; 2^64 saturates; `17179869184gb` wraps to 0.
    for input in ["mb", "gb", "b"] {
        let err = parse_redis_memory(input).unwrap_err();
        assert!(matches!(err, RedisMemoryError::NoDigits { .. }), "{input}");
        assert!(!err.redis_refuses());
    }
    for input in [
        "18446744073709551616",
        "99999999999999999999",
        "17179869184gb",
    ] {
        let err = parse_redis_memory(input).unwrap_err();
        assert!(
            matches!(err, RedisMemoryError::OutOfRange { .. }),
            "{input}"
        );
        assert!(!err.redis_refuses());
    }
    assert_eq!(parse_redis_memory("18446744073709551615"), Ok(u64::MAX));
}

#[test]
fn redis_detailed_parse_exposes_the_decimal_unit_trap() {
    let g = parse_redis_memory_detailed("1g").unwrap();
    assert_eq!(g.unit, RedisUnit::G);
    assert!(g.unit.is_decimal());
    assert_eq!(g.unit.binary_counterpart(), RedisUnit::Gb);
    let gb = parse_redis_memory_detailed("1GB").unwrap();
    assert_eq!(gb.unit, RedisUnit::Gb);
    assert!(!gb.unit.is_decimal());
    assert_eq!(gb.number, 1);
    assert_eq!(gb.bytes, GIB);
}

#[test]
fn redis_formatter_prefers_exact_binary_units_and_round_trips() {
    let cases: &[(u64, &str)] = &[
        (0, "0"),
        (GIB, "1gb"),
        (512 * MIB, "512mb"),
        (1536 * MIB, "1536mb"),
        (16 * GIB, "16gb"),
        (64 * 1024, "64kb"),
        (1_000_000_000, "1000000000"),
        (1, "1"),
    ];
    for (bytes, text) in cases {
        assert_eq!(format_redis_memory(*bytes), *text);
        assert_eq!(parse_redis_memory(text), Ok(*bytes));
    }
}

#[test]
fn quantity_accepts_observed_values() {
    let cases: &[(&str, i128)] = &[
        ("1Gi", 1_073_741_824_000_000_000),
        ("1G", 1_000_000_000_000_000_000),
        ("512M", 512_000_000_000_000_000),
        ("512m", 512_000_000),
        ("1k", 1_000_000_000_000),
        ("1Ki", 1_024_000_000_000),
        ("1.5Gi", 1_610_612_736_000_000_000),
        (".5Gi", 536_870_912_000_000_000),
        ("1e9", 1_000_000_000_000_000_000),
        ("1E9", 1_000_000_000_000_000_000),
        ("1e+09", 1_000_000_000_000_000_000),
        ("1E", 1_000_000_000_000_000_000_000_000_000),
        ("+1Gi", 1_073_741_824_000_000_000),
        ("-1Gi", -1_073_741_824_000_000_000),
        ("1u", 1000),
        ("1n", 1),
        ("0", 0),
        ("1.", 1_000_000_000),
        ("1073741824", 1_073_741_824_000_000_000),
        ("1.5", 1_500_000_000),
        ("100m", 100_000_000),
        ("1e-3", 1_000_000),
        ("0.1n", 1), // finer than nano: rounded up, as apimachinery does
    ];
    for (input, nanos) in cases {
        let q = Quantity::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(q.nanos(), *nanos, "input {input:?}");
    }
}

#[test]
fn quantity_refuses_observed_format_errors() {
    for input in [
        "1g", "1gb", "1GB", "1Gb", "1GiB", "1 Gi", " 1Gi", "", "Gi", ".", "+", "1e1.5",
    ] {
        match Quantity::parse(input) {
            Err(QuantityError::Format { .. }) => {}
            other => panic!("{input:?}: expected a format error, got {other:?}"),
        }
    }
}

#[test]
fn quantity_refuses_observed_suffix_errors() {
    for (input, suffix) in [("1K", "K"), ("1ki", "ki"), ("1Mi2", "Mi2"), ("1e", "e")] {
        match Quantity::parse(input) {
            Err(QuantityError::Suffix { suffix: s, .. }) => assert_eq!(s, suffix, "{input}"),
            other => panic!("{input:?}: expected a suffix error, got {other:?}"),
        }
    }
}

#[test]
fn quantity_out_of_range_is_an_error() {
    for input in ["1e100", "9Ei", "123456789012345678901234"] {
        assert!(
            matches!(
                Quantity::parse(input),
                Err(QuantityError::OutOfRange { .. })
            ),
            "{input}"
        );
    }
    // 7Ei < 2^63: fine.
    assert!(Quantity::parse("7Ei").is_ok());
}

#[test]
fn quantity_hints_walk_across_to_kubernetes_spelling() {
    let err = Quantity::parse("1gb").unwrap_err().to_string();
    assert!(err.contains("in Kubernetes write `1Gi`"), "{err}");
    let err = Quantity::parse("1g").unwrap_err().to_string();
    assert!(err.contains("`1G`") && err.contains("`1Gi`"), "{err}");
    let err = Quantity::parse("1GiB").unwrap_err().to_string();
    assert!(err.contains("drop the trailing B: `1Gi`"), "{err}");
    let err = Quantity::parse(" 1Gi").unwrap_err().to_string();
    assert!(err.contains("remove the spaces"), "{err}");
}

#[test]
fn memory_quantity_flags_fractional_bytes_and_negatives() {
    assert_eq!(parse_memory_quantity("1Gi"), Ok(GIB));
    assert_eq!(parse_memory_quantity("1280Mi"), Ok(1280 * MIB));
    assert_eq!(parse_memory_quantity("1e9"), Ok(1_000_000_000));
    let err = parse_memory_quantity("512m").unwrap_err();
    match &err {
        QuantityError::FractionalBytes { value, hint, .. } => {
            assert_eq!(value, "0.512");
            assert_eq!(
                hint.as_deref(),
                Some("m is milli; for 512 mebibytes write `512Mi`")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("`512m` is 0.512 bytes"));
    assert!(matches!(
        parse_memory_quantity("-1Gi"),
        Err(QuantityError::Negative { .. })
    ));
    assert!(matches!(
        parse_memory_quantity("1.5"),
        Err(QuantityError::FractionalBytes { .. })
    ));
}

#[test]
fn cpu_quantity_in_millicores() {
    assert_eq!(parse_cpu_quantity("500m"), Ok(500));
    assert_eq!(parse_cpu_quantity("2"), Ok(2000));
    assert_eq!(parse_cpu_quantity("0.5"), Ok(500));
    assert_eq!(parse_cpu_quantity("1.5"), Ok(1500));
    assert_eq!(parse_cpu_quantity("0.0001"), Ok(1)); // MilliValue rounds up
    assert!(matches!(
        parse_cpu_quantity("-1"),
        Err(QuantityError::Negative { .. })
    ));
}

#[test]
fn cross_walk_traps() {
    // `1g`: Redis 10^9, Kubernetes invalid.
    assert_eq!(parse_redis_memory("1g"), Ok(1_000_000_000));
    assert!(Quantity::parse("1g").is_err());
    // `1Gi`: Kubernetes 2^30, Redis fatal.
    assert_eq!(parse_memory_quantity("1Gi"), Ok(GIB));
    assert!(parse_redis_memory("1Gi").unwrap_err().redis_refuses());
    // `1G`: 10^9 in both.
    assert_eq!(parse_redis_memory("1G"), Ok(1_000_000_000));
    assert_eq!(parse_memory_quantity("1G"), Ok(1_000_000_000));
    // `1gb`: Redis 2^30, Kubernetes invalid.
    assert_eq!(parse_redis_memory("1gb"), Ok(GIB));
    assert!(Quantity::parse("1gb").is_err());
    // `1e+09`: Kubernetes 10^9, Redis fatal.
    assert_eq!(parse_memory_quantity("1e+09"), Ok(1_000_000_000));
    assert!(parse_redis_memory("1e+09").unwrap_err().redis_refuses());
}

#[test]
fn binary_formatter_is_canonical_and_round_trips() {
    let cases: &[(u64, &str)] = &[
        (0, "0"),
        (GIB, "1Gi"),
        (1280 * MIB, "1280Mi"),
        (1536 * MIB, "1536Mi"),
        (64 * MIB, "64Mi"),
        (32 * GIB, "32Gi"),
        (2048, "2Ki"),
        (1000, "1000"),
        (1u64 << 60, "1Ei"),
    ];
    for (bytes, text) in cases {
        assert_eq!(format_binary_bytes(*bytes), *text);
        assert_eq!(parse_memory_quantity(text), Ok(*bytes));
    }
}

#[test]
fn millicores_formatter() {
    assert_eq!(format_millicores(500), "500m");
    assert_eq!(format_millicores(2000), "2");
    assert_eq!(format_millicores(1500), "1500m");
    assert_eq!(format_millicores(0), "0");
    for m in [50, 100, 250, 1000, 1500, 2000] {
        assert_eq!(parse_cpu_quantity(&format_millicores(m)), Ok(m));
    }
}

#[test]
fn decimal_rendering_of_quantities() {
    assert_eq!(
        Quantity::parse("512m").unwrap().to_decimal_string(),
        "0.512"
    );
    assert_eq!(
        Quantity::parse("-1Ki").unwrap().to_decimal_string(),
        "-1024"
    );
    assert_eq!(
        Quantity::parse("1n").unwrap().to_decimal_string(),
        "0.000000001"
    );
    assert_eq!(Quantity::from_units(5).to_decimal_string(), "5");
    assert_eq!(Quantity::from_millis(1500).to_decimal_string(), "1.5");
}
