//! The values model against the public chart 4.39: defaults, documented parameters, schema,
//! and the real values files that must keep working.

use std::path::{Path, PathBuf};

use helm_values::json::merge;
use model::schema::{defaults, params, values_schema, DRAFT07};
use model::values::{StringOrBool, StringOrMap, Tag, Values, ADDED_KEYS, DEVIATIONS};
use serde_json::{Map, Value};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(name: &str) -> PathBuf {
    Path::new(MANIFEST_DIR).join("fixtures").join(name)
}

fn realworld_dir() -> PathBuf {
    Path::new(MANIFEST_DIR).join("../../tests/fixtures/realworld")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The top-level real values files (the ones that must keep working).
fn realworld_files() -> Vec<PathBuf> {
    let dir = realworld_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the real values files in {}",
        dir.display()
    );
    files
}

fn zenko() -> PathBuf {
    realworld_dir().join("invalid/zenko-legacy-replicas-map-values.yaml")
}

/// Loads a values file into JSON as Helm does (YAML 1.1 typing; a repeated key keeps its last
/// value).
fn load_yaml(path: &Path) -> Value {
    helm_values::json::load(&path.display().to_string(), &read(path))
        .unwrap_or_else(|e| panic!("parse {e}"))
}

fn get_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn get_path_mut<'a>(value: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    path.split('.').try_fold(value, |v, key| v.get_mut(key))
}

fn remove_path(value: &mut Value, path: &str) -> Option<Value> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (get_path_mut(value, parent)?, key),
        None => (value, path),
    };
    parent.as_object_mut()?.shift_remove(key)
}

/// Removes the maps an added key leaves empty (an added section such as `grafanaDashboard`)
/// unless the public chart has them.
fn prune_empty_parents(value: &mut Value, upstream: &Value, path: &str) {
    let mut parent = path;
    while let Some((up, _)) = parent.rsplit_once('.') {
        parent = up;
        let empty = get_path(value, parent)
            .and_then(Value::as_object)
            .is_some_and(|m| m.is_empty());
        if !empty || get_path(upstream, parent).is_some() {
            return;
        }
        remove_path(value, parent);
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad JSON {text:?}: {e}"))
}

/// Every leaf (scalar, list, empty map) with its dotted path, in document order.
fn leaves(value: &Value) -> Vec<(String, Value)> {
    fn walk(value: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (key, child) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(child, &path, out);
                }
            }
            other => out.push((prefix.to_owned(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

/// Paths of the public chart's documented keys, in the order of its values.yaml.
fn upstream_key_paths() -> Vec<String> {
    read(&fixture("redis-ha-4.39-keys.tsv"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn defaults_equal_the_public_chart_except_the_listed_deviations() {
    let upstream = json(&read(&fixture("redis-ha-4.39-defaults.json")));
    let mut ours = defaults();

    for added in ADDED_KEYS {
        assert!(
            get_path(&upstream, added.path).is_none(),
            "{} is declared upstream",
            added.path
        );
        let value = remove_path(&mut ours, added.path)
            .unwrap_or_else(|| panic!("added key {} missing from defaults", added.path));
        assert_eq!(value, json(added.default), "default of {}", added.path);
        prune_empty_parents(&mut ours, &upstream, added.path);
    }
    for deviation in DEVIATIONS {
        assert_eq!(
            get_path(&upstream, deviation.path),
            Some(&json(deviation.upstream)),
            "upstream default of {}",
            deviation.path
        );
        let value = get_path_mut(&mut ours, deviation.path)
            .unwrap_or_else(|| panic!("deviation {} missing from defaults", deviation.path));
        assert_eq!(
            *value,
            json(deviation.ours),
            "our default of {}",
            deviation.path
        );
        assert!(!deviation.why.is_empty());
        *value = json(deviation.upstream);
    }

    // Same values in the same order (including the order of redis.config / sentinel.config).
    let ours_leaves = leaves(&ours);
    let upstream_leaves = leaves(&upstream);
    for (a, b) in ours_leaves.iter().zip(&upstream_leaves) {
        assert_eq!(a, b);
    }
    assert_eq!(ours_leaves.len(), upstream_leaves.len());
    assert_eq!(ours, upstream);
}

#[test]
fn redis_and_sentinel_config_keep_the_public_order() {
    let d = defaults();
    let keys = |path: &str| -> Vec<String> {
        get_path(&d, path)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        keys("redis.config"),
        [
            "min-replicas-to-write",
            "min-replicas-max-lag",
            "maxmemory",
            "maxmemory-policy",
            "save",
            "repl-diskless-sync",
            "rdbcompression",
            "rdbchecksum"
        ]
    );
    assert_eq!(
        keys("sentinel.config"),
        [
            "down-after-milliseconds",
            "failover-timeout",
            "parallel-syncs",
            "maxclients"
        ]
    );
}

#[test]
fn every_documented_parameter_has_a_description_type_and_the_chart_default() {
    let params = params();
    assert_eq!(
        params.len(),
        302 + ADDED_KEYS.len(),
        "302 public keys + the added ones"
    );

    let mut expected = upstream_key_paths();
    assert_eq!(expected.len(), 302);
    let ours: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let added: Vec<&str> = ADDED_KEYS.iter().map(|a| a.path).collect();
    let without_added: Vec<String> = ours
        .iter()
        .filter(|p| !added.contains(&p.as_str()))
        .cloned()
        .collect();
    assert_eq!(without_added, expected, "same keys in the public order");
    expected.extend(added.iter().map(|s| s.to_string()));

    let d = defaults();
    for p in &params {
        assert!(
            p.description.trim().len() > 10,
            "{} needs a description",
            p.path
        );
        assert!(!p.description.contains('\n'), "{}: one line", p.path);
        assert!(
            !p.type_name.is_empty() && p.type_name != "any",
            "{}",
            p.path
        );
        assert_eq!(
            Some(&p.default),
            get_path(&d, &p.path),
            "default of {}",
            p.path
        );
    }
}

#[test]
fn parameter_types_cover_the_public_types() {
    let params = params();
    for line in read(&fixture("redis-ha-4.39-keys.tsv")).lines() {
        let mut cols = line.split('\t');
        let (Some(path), Some(kind)) = (cols.next(), cols.next()) else {
            continue;
        };
        let param = params
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("{path} not documented"));
        let types: Vec<&str> = param.type_name.split(" | ").collect();
        let wanted = match kind {
            "int" => "integer",
            "string" => "string",
            "bool" => "boolean",
            "map" => "object",
            "list" => "array",
            "null" => "null",
            other => panic!("unknown type {other} for {path}"),
        };
        assert!(
            types.contains(&wanted),
            "{path}: public type {kind}, ours {}",
            param.type_name
        );
    }
}

fn schema_paths(schema: &Value, key: &str, here: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (k, v) in map {
                let path = format!("{here}/{k}");
                if k == key {
                    out.push(path.clone());
                }
                // Do not look inside values (defaults), only inside the schema structure.
                if k != "default" && k != "enum" && k != "const" {
                    schema_paths(v, key, &path, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                schema_paths(v, key, &format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn schema_is_valid_draft07_and_helm_friendly() {
    let schema = values_schema();
    assert_eq!(schema["$schema"], DRAFT07);
    assert!(schema["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(schema["description"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    jsonschema::draft7::meta::validate(&schema).expect("valid draft-07 schema");
    jsonschema::draft7::new(&schema).expect("schema compiles");

    let schema_text = serde_json::to_string(&schema).expect("serialize");
    assert!(!schema_text.contains("$ref"), "fully inlined");
    let mut found = Vec::new();
    schema_paths(&schema, "format", "", &mut found);
    // "format" may be a map key in a default only; as a keyword it must be absent.
    found.retain(|p| !p.contains("/properties/format"));
    assert!(found.is_empty(), "format keywords at {found:?}");
    let mut closed = Vec::new();
    schema_paths(&schema, "additionalProperties", "", &mut closed);
    for path in closed {
        let pointer = path.clone();
        let value = schema.pointer(&pointer).cloned().unwrap_or(Value::Null);
        assert_eq!(value, Value::Bool(true), "{path} must not close the object");
    }
}

#[test]
fn open_maps_with_documented_keys_are_marked_open() {
    let schema = values_schema();
    for pointer in [
        "/properties/redis/properties/config",
        "/properties/sentinel/properties/config",
        "/properties/redis/properties/lifecycle",
        "/properties/redis/properties/lifecycle/properties/preStop",
        "/properties/containerSecurityContext",
        "/properties/haproxy/properties/securityContext",
        "/properties/exporter/properties/livenessProbe",
        "/properties/splitBrainDetection/properties/readinessProbe",
    ] {
        let node = schema
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer}"));
        assert!(node.get("properties").is_some(), "{pointer} documents keys");
        assert_eq!(
            node["additionalProperties"],
            Value::Bool(true),
            "{pointer} is open"
        );
    }
    for pointer in [
        "/properties/redis",
        "/properties/haproxy/properties/service",
    ] {
        let node = schema
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer}"));
        assert!(
            node.get("additionalProperties").is_none(),
            "{pointer} is typed"
        );
    }
}

#[test]
fn defaults_validate_against_the_schema() {
    let validator = jsonschema::draft7::new(&values_schema()).expect("schema compiles");
    let d = defaults();
    let errors: Vec<String> = validator.iter_errors(&d).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn errors_of(validator: &jsonschema::Validator, instance: &Value) -> Vec<(String, String)> {
    validator
        .iter_errors(instance)
        .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
        .collect()
}

#[test]
fn real_values_files_validate_alone_and_merged() {
    let validator = jsonschema::draft7::new(&values_schema()).expect("schema compiles");
    for file in realworld_files() {
        let user = load_yaml(&file);
        let alone = errors_of(&validator, &user);
        assert!(alone.is_empty(), "{}: {alone:?}", file.display());

        let merged = merge(&defaults(), std::slice::from_ref(&user));
        let merged_errors = errors_of(&validator, &merged);
        assert!(
            merged_errors.is_empty(),
            "{} merged: {merged_errors:?}",
            file.display()
        );
    }
}

#[test]
fn legacy_replicas_map_is_rejected_at_replicas() {
    let validator = jsonschema::draft7::new(&values_schema()).expect("schema compiles");
    let user = load_yaml(&zenko());
    let merged = merge(&defaults(), std::slice::from_ref(&user));
    for instance in [&user, &merged] {
        let errors = errors_of(&validator, instance);
        assert!(!errors.is_empty(), "replicas map must be refused");
        assert!(
            errors.iter().all(|(path, _)| path == "/replicas"),
            "{errors:?}"
        );
    }
    let err = Values::from_user_values(&user).expect_err("replicas map must not deserialize");
    assert!(err.to_string().contains("whole number"), "{err}");
}

#[test]
fn replicas_accepts_numbers_and_digit_strings_only() {
    let validator = jsonschema::draft7::new(&values_schema()).expect("schema compiles");
    let check = |v: Value| errors_of(&validator, &serde_json::json!({ "replicas": v })).is_empty();
    assert!(check(serde_json::json!(3)));
    assert!(
        check(serde_json::json!(3.0)),
        "Helm hands numbers over as float64"
    );
    assert!(check(serde_json::json!("5")));
    assert!(!check(serde_json::json!("three")));
    assert!(!check(serde_json::json!(-1)));
    assert!(!check(serde_json::json!(2.5)));

    let values = Values::from_user_values(&serde_json::json!({ "replicas": "5" })).expect("ok");
    assert_eq!(values.replicas.get(), 5);
    let values = Values::from_user_values(&serde_json::json!({ "replicas": 3.0 })).expect("ok");
    assert_eq!(values.replicas.get(), 3);
    assert!(Values::from_user_values(&serde_json::json!({ "replicas": 2.5 })).is_err());
    assert!(Values::from_user_values(&serde_json::json!({ "replicas": "x" })).is_err());
}

#[test]
fn real_values_files_deserialize_into_the_model() {
    for file in realworld_files() {
        let user = load_yaml(&file);
        let values =
            Values::from_user_values(&user).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Serializing back and reading again gives the same model.
        let again: Values =
            serde_json::from_value(serde_json::to_value(&values).expect("serialize"))
                .expect("round trip");
        assert_eq!(values, again, "{}", file.display());
    }
}

fn model_of(name: &str) -> Values {
    let user = load_yaml(&realworld_dir().join(name));
    Values::from_user_values(&user).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn leniencies_real_files_need() {
    // `image.tag: 8.2` is a YAML number.
    let tls = model_of("status-list-server-tls-values.yaml");
    assert!(matches!(&tls.image.tag, Tag::Number(_)));
    assert_eq!(tls.image.tag.to_string(), "8.2");
    assert_eq!(tls.redis.tls_port, Some(6380));
    assert_eq!(tls.replicas.get(), 1);

    // `affinity: {}` where upstream expects a templated string.
    let copy = model_of("statefullsets-full-copy-haproxy-values.yaml");
    assert!(matches!(copy.affinity, StringOrMap::Map(_)));
    assert!(matches!(copy.haproxy.affinity, StringOrMap::Map(_)));
    assert!(copy.affinity.is_empty());

    // `affinity: |` with an empty block.
    let argo = model_of("argo-helm-argocd-subchart-values.yaml");
    assert!(argo.affinity.is_empty());

    // `restore.*.source: false` from older values files.
    let gitlab = model_of("sc-helm-gitlab-full-copy-values.yaml");
    assert_eq!(gitlab.restore.s3.source, StringOrBool::Bool(false));
    assert_eq!(gitlab.restore.s3.source.as_str(), None);

    // A list for `save` renders one line per entry.
    let ci = model_of("upstream-ci-multi-value-configs.yaml");
    assert_eq!(
        ci.redis.config.get_path("save"),
        Some(&serde_json::json!(["900 1", "300 10"]))
    );
}

#[test]
fn user_null_removes_a_default_directive_and_maps_merge() {
    let user = serde_json::json!({
        "redis": { "config": { "min-replicas-to-write": null, "appendonly": true } },
        "exporter": { "livenessProbe": { "httpGet": { "port": 9999 } } }
    });
    let values = Values::from_user_values(&user).expect("valid");
    let config = values.redis.config.map();
    assert!(!config.contains_key("min-replicas-to-write"));
    assert_eq!(config.get("appendonly"), Some(&Value::Bool(true)));
    assert_eq!(config.get("maxmemory"), Some(&serde_json::json!("0")));
    assert_eq!(
        values.exporter.liveness_probe.get_path("httpGet.port"),
        Some(&serde_json::json!(9999))
    );
    assert_eq!(
        values.exporter.liveness_probe.get_path("httpGet.path"),
        Some(&Value::Null)
    );
}

#[test]
fn default_values_round_trip() {
    let d = Values::default();
    let again: Values = serde_json::from_value(defaults()).expect("defaults deserialize");
    assert_eq!(d, again);
    // An empty user file gives the defaults.
    let empty = Values::from_user_values(&Value::Object(Map::new())).expect("empty file");
    assert_eq!(d, empty);
}
