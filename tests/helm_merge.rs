//! Differential property test: `helm_values::json::merge` (the one merge the linter, generator
//! and tests use) gives what real Helm gives templates as `.Values`, for random chart defaults
//! and random `-f` files (maps, lists, nulls, scalars, nested), with Helm 3.17 and Helm 4.1.

use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use testkit::{run, temp_dir, write_file, Helm, TOOL_TIMEOUT};

/// A few keys, so that random files collide with each other and with the defaults.
const KEYS: [&str; 4] = ["a", "b", "c", "d"];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0i64..5).prop_map(|i| json!(i)),
        "[xyz]{1,3}".prop_map(Value::String),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), inner, 0..4).prop_map(
                |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
        ]
    })
}

/// A values document: a map at the top.
fn document() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), tree(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// `.Values` as `helm template` shows it, through a chart that prints `toJson .Values`.
fn helm_values(helm: Helm, defaults: &Value, files: &[Value]) -> Result<Value, String> {
    let dir = temp_dir();
    write_file(
        dir.path(),
        "chart/Chart.yaml",
        "apiVersion: v2\nname: merge\nversion: 0.1.0\n",
    );
    // JSON is YAML: every string stays quoted, so typing plays no part here.
    write_file(dir.path(), "chart/values.yaml", &defaults.to_string());
    write_file(
        dir.path(),
        "chart/templates/values.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  values: {{ toJson .Values | quote }}\n",
    );
    let mut cmd = Command::new(helm.binary());
    cmd.args(["template", "r"]).arg(dir.path().join("chart"));
    for (i, f) in files.iter().enumerate() {
        let path = write_file(dir.path(), &format!("f{i}.yaml"), &f.to_string());
        cmd.arg("-f").arg(path);
    }
    let out = run(&mut cmd, TOOL_TIMEOUT);
    if out.code != Some(0) {
        return Err(format!("{out:?}"));
    }
    let docs =
        helm_values::json::load_all("helm template", &out.stdout).map_err(|e| e.to_string())?;
    let text = docs
        .first()
        .and_then(|d| d.pointer("/data/values"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no data.values in {}", out.stdout))?;
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Numbers compared by value (Helm holds every number as a float64).
fn normalized(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// `v` without the map entries that are null both in `v` and at the same path of `defaults`.
///
/// Helm 3.17 and Helm 4.1 differ there, and only there: a key that the chart's values.yaml and
/// a `-f` file both set to null is deleted by Helm 3 and kept as null by Helm 4 (with
/// `{"c":{"d":null}}` as both, Helm 3 gives `{"c":{}}`, Helm 4 `{"c":{"d":null}}`).
/// Templates see nil either way (only `hasKey` and `toJson` tell them apart); the merge follows
/// Helm 3, and `doubly_null_key_is_where_helm_3_and_4_differ` keeps the difference measured.
fn without_doubly_null(v: &Value, defaults: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, x)| {
                    !(x.is_null() && defaults.get(k.as_str()).is_some_and(Value::is_null))
                })
                .map(|(k, x)| {
                    (
                        k.clone(),
                        without_doubly_null(x, defaults.get(k.as_str()).unwrap_or(&Value::Null)),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn doubly_null_key_is_where_helm_3_and_4_differ() {
    let defaults = json!({"c": {"d": null, "e": 1}});
    let files = [json!({"c": {"d": null}})];
    let ours = helm_values::json::merge(&defaults, &files);
    assert_eq!(ours, json!({"c": {"e": 1}}));
    let v3 = helm_values(Helm::V3, &defaults, &files).expect("helm 3");
    assert_eq!(normalized(&v3), normalized(&ours));
    let v4 = helm_values(Helm::V4, &defaults, &files).expect("helm 4");
    assert_eq!(
        normalized(&v4),
        normalized(&json!({"c": {"d": null, "e": 1}}))
    );
    assert_eq!(
        without_doubly_null(&v4, &defaults),
        without_doubly_null(&ours, &defaults)
    );
}

#[test]
fn merge_equals_helm_for_random_defaults_and_files() {
    for helm in Helm::ALL {
        let mut runner = TestRunner::new(Config {
            cases: 48,
            failure_persistence: None,
            ..Config::default()
        });
        let strategy = (document(), prop::collection::vec(document(), 1..4));
        runner
            .run(&strategy, |(defaults, files)| {
                let mut ours = helm_values::json::merge(&defaults, &files);
                let mut theirs =
                    helm_values(helm, &defaults, &files).map_err(TestCaseError::fail)?;
                if helm == Helm::V4 {
                    ours = without_doubly_null(&ours, &defaults);
                    theirs = without_doubly_null(&theirs, &defaults);
                }
                prop_assert_eq!(
                    normalized(&ours),
                    normalized(&theirs),
                    "{:?}: defaults {} files {}",
                    helm,
                    defaults,
                    Value::Array(files.clone())
                );
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
