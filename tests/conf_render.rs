//! The model's redis.conf value renderer (`model::conf`) against Helm's own render: a table of
//! `redis.config` values, each with the JSON value Helm holds for it (YAML 1.1 typing, float64
//! numbers; int64 for `--set`), is rendered with `helm4 template` and every rendered
//! `<key> <value>` line of redis.conf must be what the model writes for that value.

use serde_json::{json, Value};
use testkit::{base_chart, render_values};

const F: &str = "rel-redis-ha";

/// (YAML text of the value in a values file, the value as Helm holds it).
fn table() -> Vec<(&'static str, Value)> {
    vec![
        ("yes", json!(true)),
        ("no", json!(false)),
        ("on", json!(true)),
        ("\"yes\"", json!("yes")),
        ("true", json!(true)),
        ("0", json!(0.0)),
        ("\"0\"", json!("0")),
        ("5", json!(5.0)),
        ("-1", json!(-1.0)),
        ("999999", json!(999999.0)),
        ("1000000", json!(1000000.0)),
        ("2147483648", json!(2147483648.0)),
        ("1e9", json!(1e9)),
        ("0755", json!(493.0)),
        ("0x10", json!(16.0)),
        ("1.5", json!(1.5)),
        ("1234567.5", json!(1234567.5)),
        ("0.00001", json!(0.00001)),
        ("\"\"", json!("")),
        ("1gb", json!("1gb")),
        ("\"900 1 300 10\"", json!("900 1 300 10")),
        ("'\"\"'", json!("\"\"")),
        ("allkeys-lru", json!("allkeys-lru")),
        ("[\"900 1\", \"300 10\"]", json!(["900 1", "300 10"])),
        ("[1, 2.5, yes]", json!([1.0, 2.5, true])),
        ("[[a, b], 1000000]", json!([["a", "b"], 1000000.0])),
        ("[]", json!([])),
        ("{b: 1, a: x}", json!({"b": 1.0, "a": "x"})),
        (
            "{num: 1000000, l: [1, x]}",
            json!({"num": 1000000.0, "l": [1.0, "x"]}),
        ),
        ("null", json!(null)),
    ]
}

/// `key value` lines of redis.conf for keys starting with `k`.
fn rendered_lines(conf: &str) -> Vec<(String, String)> {
    conf.lines()
        .filter(|l| l.starts_with('k'))
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn renderer_matches_helm_for_a_table_of_values() {
    let table = table();
    let mut yaml = String::from("redis:\n  config:\n");
    for (i, (text, _)) in table.iter().enumerate() {
        yaml.push_str(&format!("    k{i:02}: {text}\n"));
    }
    // --set integers are int64 for Helm.
    let sets = [
        ("kset0", "5", json!(5)),
        ("kset1", "1000000", json!(1000000)),
    ];
    let mut extra = Vec::new();
    for (k, v, _) in &sets {
        extra.push("--set".to_string());
        extra.push(format!("redis.config.{k}={v}"));
    }
    let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
    let rendered = render_values(&base_chart(), &yaml, &extra_refs)
        .unwrap_or_else(|e| panic!("helm4 template failed:\n{yaml}\n{e}"));
    let conf = rendered.configmap_key(&format!("{F}-configmap"), "redis.conf");
    let got = rendered_lines(conf);

    let mut expected: Vec<(String, String)> = Vec::new();
    for (i, (_, v)) in table.iter().enumerate() {
        for line in model::conf::lines(v) {
            expected.push((format!("k{i:02}"), line));
        }
    }
    for (k, _, v) in &sets {
        for line in model::conf::lines(v) {
            expected.push((k.to_string(), line));
        }
    }
    // Go templates range over map keys in sorted order.
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let mismatches: Vec<String> = expected
        .iter()
        .zip(got.iter())
        .filter(|(e, g)| e != g)
        .map(|(e, g)| format!("model {} {:?} / helm {} {:?}", e.0, e.1, g.0, g.1))
        .collect();
    assert!(
        mismatches.is_empty() && expected.len() == got.len(),
        "model and helm differ ({} lines expected, {} rendered):\n{}\nredis.conf:\n{conf}",
        expected.len(),
        got.len(),
        mismatches.join("\n")
    );
}
