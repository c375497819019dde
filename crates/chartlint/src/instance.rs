//! The merged values tree as a `jsonschema` instance: the schema validates the tree in place,
//! in Helm's JSON view ([`Value::view`]), instead of a JSON copy of it. A copy per linted
//! file would mostly copy the chart's defaults, which every file shares.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::Value as JsonValue;

use crate::source::{Loc, SourceFile, SourceKind, Span};
use crate::values::{Map, MapEntry, Value, ValueKind, View};
use crate::yaml::HelmScalar;

/// The representation marker: instances are `&Value`.
pub struct Tree;

impl Json for Tree {
    type Node<'a> = &'a Value;
    type PreparedKey = String;
    type StringBuffer = Option<Value>;

    // Each `&Value` is a distinct node of one tree (chart subtrees are shared between merges,
    // never within one), so a `$ref` cycle cannot revisit a node.
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut Option<Value>,
        string: &str,
        f: impl FnOnce(&Value) -> T,
    ) -> T {
        // Property names (`propertyNames`) validate as string nodes; the buffer's location is
        // never reported (errors are located through their instance path).
        let node = buffer.get_or_insert_with(|| Value {
            kind: ValueKind::Scalar(HelmScalar::Null),
            loc: Loc {
                src: SourceFile::new("", "", SourceKind::ValuesFile),
                span: Span::default(),
            },
            alias: None,
            style: None,
        });
        node.kind = ValueKind::Scalar(HelmScalar::Str(string.to_owned()));
        f(node)
    }
}

/// A number in Helm's JSON view.
pub struct Number(serde_json::Number);

impl JsonNumber for Number {
    fn as_u64(&self) -> Option<u64> {
        self.0.as_u64()
    }

    fn as_i64(&self) -> Option<i64> {
        self.0.as_i64()
    }

    fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.to_string())
    }

    fn to_number(&self) -> Cow<'_, serde_json::Number> {
        Cow::Borrowed(&self.0)
    }

    fn is_written_as_integer(&self) -> bool {
        // As Helm's toJson writes it: whole values below 2^53 print without a fraction.
        self.0.is_i64() || self.0.is_u64()
    }
}

impl<'a> Node<'a, Tree> for &'a Value {
    type Object = &'a Map;
    type Array = &'a [Value];
    type Number = Number;

    fn as_object(&self) -> Option<Self::Object> {
        self.as_map()
    }

    fn as_array(&self) -> Option<Self::Array> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match &self.kind {
            ValueKind::Scalar(HelmScalar::Str(s)) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<Number> {
        match self.view() {
            View::Number(n) => Some(Number(n)),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match &self.kind {
            ValueKind::Scalar(HelmScalar::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.view(), View::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.view() {
            View::Null => JsonType::Null,
            View::Bool(_) => JsonType::Boolean,
            View::Number(_) => JsonType::Number,
            View::String(_) => JsonType::String,
            View::Array(_) => JsonType::Array,
            View::Object(_) => JsonType::Object,
        }
    }

    fn to_value(&self) -> Cow<'a, JsonValue> {
        Cow::Owned(self.to_json())
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(
            std::ptr::from_ref::<Value>(*self) as usize
        ))
    }
}

/// Members of a map in order, as (name, node).
pub struct Members<'a>(indexmap::map::Iter<'a, String, MapEntry>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, e)| (k.as_str(), &*e.value))
    }
}

impl<'a> Object<'a, Tree> for &'a Map {
    type Node = &'a Value;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        Map::len(self)
    }

    fn get(&self, key: &String) -> Option<&'a Value> {
        Map::get(*self, key.as_str()).map(|e| &*e.value)
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

impl<'a> Array<'a, Tree> for &'a [Value] {
    type Node = &'a Value;
    type ElementsIter = std::slice::Iter<'a, Value>;

    fn len(&self) -> usize {
        <[Value]>::len(self)
    }

    fn elements(&self) -> Self::ElementsIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(yaml: &str) -> Value {
        let src = SourceFile::new("t.yaml", yaml, SourceKind::ValuesFile);
        let doc = crate::yaml::load_str(src, &crate::yaml::Limits::default()).unwrap();
        crate::values::from_document(&doc)
    }

    /// The tree validates exactly as its JSON copy does, error for error.
    #[test]
    fn same_errors_as_the_json_copy() {
        let schema = json!({
            "type": "object",
            "properties": {
                "replicas": {"type": "integer", "minimum": 2},
                "ratio": {"type": "number", "maximum": 1},
                "name": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
                "on": {"type": "boolean"},
                "list": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
                "mode": {"enum": ["a", "b", 3]},
                "nothing": {"type": "null"},
                "map": {"type": "object", "required": ["x"], "additionalProperties": false,
                        "properties": {"x": {"const": 1}}, "propertyNames": {"maxLength": 3}}
            }
        });
        let on_tree = jsonschema::options_for::<Tree>().build(&schema).unwrap();
        let on_json = jsonschema::options().build(&schema).unwrap();
        for yaml in [
            "replicas: 3\nratio: 0.5\nname: ab\non: yes\nlist: [a, b]\nmode: 3\nnothing: ~\nmap: {x: 1}\n",
            "replicas: 1\nratio: 1.5\nname: A\non: \"yes\"\nlist: [a, a, 1]\nmode: c\nnothing: 0\n",
            "replicas: 2.5\nmap: {y: 1, longname: 2}\n",
            "replicas: 1e3\nmode: 3.0\nmap: {x: 1.0}\n",
            "replicas: \"3\"\nlist: {}\nmap: []\n",
        ] {
            let t = tree(yaml);
            let json = t.to_json();
            let mine: Vec<String> = on_tree
                .iter_errors(&t)
                .map(|e| format!("{} {}", e.instance_path().as_str(), e))
                .collect();
            let theirs: Vec<String> = on_json
                .iter_errors(&json)
                .map(|e| format!("{} {}", e.instance_path().as_str(), e))
                .collect();
            assert_eq!(mine, theirs, "{yaml}");
            assert_eq!(on_tree.is_valid(&t), on_json.is_valid(&json), "{yaml}");
        }
    }
}
