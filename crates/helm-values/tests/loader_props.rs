//! Property tests: the loader and the `--set` parser never panic on arbitrary input, and typed
//! scalars round-trip through Helm's JSON view.

use helm_values::source::{SourceFile, SourceKind};
use helm_values::values::{self, Inputs};
use helm_values::yaml::{self, HelmScalar, Limits};
use proptest::prelude::*;

fn limits() -> Limits {
    Limits {
        max_bytes: 64 * 1024,
        max_depth: 32,
        max_alias_nodes: 2_000,
    }
}

/// YAML-ish text: random mixes of the characters that drive the scanner.
fn yamlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just("- ".to_string()),
            Just(": ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(", ".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            Just("<<: ".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("# c\n".to_string()),
            Just("|\n".to_string()),
            Just("? ".to_string()),
            Just("!!str ".to_string()),
            "[a-z0-9.~_+-]{1,6}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = yaml::load_bytes("p.yaml", &bytes, SourceKind::ValuesFile, &limits());
    }

    #[test]
    fn yamlish_text_never_panics_and_merges(text in yamlish()) {
        if let Ok(doc) = yaml::load_str(SourceFile::new("p.yaml", text, SourceKind::ValuesFile), &limits()) {
            let chart = values::from_document(&doc);
            let merged = values::merge(&chart, &Inputs { files: std::slice::from_ref(&doc), set: &[], set_string: &[] });
            prop_assert!(merged.is_ok());
            let merged = merged.unwrap();
            // Every pointer of the JSON view has a location.
            let locs = merged.locations();
            prop_assert!(locs.contains_key(""));
        }
    }

    #[test]
    fn set_arguments_never_panic(arg in "[a-z.\\[\\]0-9=,{}\\\\]{0,40}") {
        let chart = values::from_document(&yaml::load_str(SourceFile::new("c", "", SourceKind::ChartValues), &limits()).unwrap());
        let _ = values::merge(&chart, &Inputs { files: &[], set: std::slice::from_ref(&arg), set_string: std::slice::from_ref(&arg) });
    }

    /// Integers written in YAML come back as the same JSON integer (below 2^53).
    #[test]
    fn integers_round_trip(n in -(1i64 << 53) + 1..(1i64 << 53)) {
        let doc = yaml::load_str(SourceFile::new("p", format!("x: {n}\n"), SourceKind::ValuesFile), &limits()).unwrap();
        let json = values::from_document(&doc).to_json();
        prop_assert_eq!(json["x"].as_i64(), Some(n));
    }

    /// Quoted strings stay strings, whatever they look like.
    #[test]
    fn quoted_strings_stay_strings(s in "[ -~]{0,20}") {
        let escaped = s.replace('\\', "\\\\").replace('"', "\\\"");
        let doc = yaml::load_str(SourceFile::new("p", format!("x: \"{escaped}\"\n"), SourceKind::ValuesFile), &limits()).unwrap();
        let json = values::from_document(&doc).to_json();
        prop_assert_eq!(json["x"].as_str(), Some(s.as_str()));
    }

    /// Finite floats printed by Rust parse back to the same float64.
    #[test]
    fn floats_round_trip(f in proptest::num::f64::NORMAL) {
        let doc = yaml::load_str(SourceFile::new("p", format!("x: {f:e}\n"), SourceKind::ValuesFile), &limits()).unwrap();
        let v = values::from_document(&doc);
        let x = v.as_map().unwrap()["x"].value.as_scalar().cloned();
        prop_assert_eq!(x, Some(HelmScalar::Float(f)));
    }
}
