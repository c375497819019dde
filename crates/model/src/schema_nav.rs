//! Read-only navigation of the generated values schema (draft-07, as schemars writes it).
//!
//! The generator (values.yaml comments, README table, `.Values` reference check) and the linter
//! (unknown keys, "did you mean") walk the same schema; this module is the one place that knows
//! how schemars spells references (`$ref`, single-element `allOf`, `anyOf` with `null` for
//! `Option<T>`) so that neither has to.

use serde_json::Value;

/// A schema node together with the root it was taken from (to resolve `$ref`).
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    root: &'a Value,
    node: &'a Value,
}

impl<'a> Node<'a> {
    /// The root node of a schema document.
    pub fn root(schema: &'a Value) -> Self {
        Node {
            root: schema,
            node: schema,
        }
    }

    /// The raw JSON of this node, before reference resolution.
    pub fn raw(&self) -> &'a Value {
        self.node
    }

    /// The node's own description, or the description of what it refers to.
    pub fn description(&self) -> Option<&'a str> {
        if let Some(d) = self.node.get("description").and_then(Value::as_str) {
            return Some(d);
        }
        self.targets()
            .into_iter()
            .find_map(|t| t.node.get("description").and_then(Value::as_str))
    }

    /// The node itself followed by every node it stands for: the target of `$ref`, the single
    /// member of `allOf`, and each non-null member of `anyOf`/`oneOf` (for `Option<T>` and
    /// lenient unions), transitively.
    pub fn targets(&self) -> Vec<Node<'a>> {
        let mut out = vec![*self];
        let mut i = 0;
        while i < out.len() && out.len() < 64 {
            let n = out[i];
            if let Some(r) = n.node.get("$ref").and_then(Value::as_str) {
                if let Some(t) = resolve_ref(n.root, r) {
                    out.push(Node {
                        root: n.root,
                        node: t,
                    });
                }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                if let Some(items) = n.node.get(key).and_then(Value::as_array) {
                    for item in items {
                        if item.get("type").and_then(Value::as_str) != Some("null") {
                            out.push(Node {
                                root: n.root,
                                node: item,
                            });
                        }
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// Declared properties of this node (merged over its targets, declaration order kept).
    pub fn properties(&self) -> Vec<(&'a str, Node<'a>)> {
        let mut out: Vec<(&'a str, Node<'a>)> = Vec::new();
        for t in self.targets() {
            if let Some(props) = t.node.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    if !out.iter().any(|(name, _)| *name == k.as_str()) {
                        out.push((
                            k.as_str(),
                            Node {
                                root: self.root,
                                node: v,
                            },
                        ));
                    }
                }
            }
        }
        out
    }

    /// The declared property `key`, if any.
    pub fn property(&self, key: &str) -> Option<Node<'a>> {
        self.properties()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, n)| n)
    }

    /// True when the node is a map whose keys are free-form (no declared properties): e.g.
    /// `redis.config`, labels, resources. Anything below it is the user's business.
    pub fn is_free_form(&self) -> bool {
        self.properties().is_empty() && self.allows_type("object")
    }

    /// True when the node (or one of its targets) is declared as an object with properties.
    pub fn is_struct(&self) -> bool {
        !self.properties().is_empty()
    }

    /// True when keys other than the declared properties are allowed and are the user's
    /// business: free-form maps, and documented open maps such as `redis.config`, whose
    /// properties document the defaults while any other directive may be added
    /// (`"additionalProperties": true` or a schema).
    pub fn is_open(&self) -> bool {
        self.is_free_form()
            || self.targets().iter().any(|t| {
                matches!(
                    t.node.get("additionalProperties"),
                    Some(Value::Bool(true)) | Some(Value::Object(_))
                )
            })
    }

    /// The schema for values of a free-form map (`additionalProperties`), if it is a schema.
    pub fn additional_properties(&self) -> Option<Node<'a>> {
        self.targets().into_iter().find_map(|t| {
            t.node
                .get("additionalProperties")
                .filter(|v| v.is_object())
                .map(|v| Node {
                    root: self.root,
                    node: v,
                })
        })
    }

    /// Whether a JSON type name is allowed at this node. A node that states no type allows all.
    pub fn allows_type(&self, ty: &str) -> bool {
        let types = self.type_names();
        types.is_empty() || types.iter().any(|t| t == ty)
    }

    /// The JSON type names this node accepts (`string`, `integer`, `object`, ...), in schema
    /// order, without duplicates. Empty when the schema says nothing about the type.
    pub fn type_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |t: &str| {
            if !out.iter().any(|x| x == t) {
                out.push(t.to_string());
            }
        };
        for t in self.targets() {
            match t.node.get("type") {
                Some(Value::String(s)) => push(s),
                Some(Value::Array(items)) => {
                    items.iter().filter_map(Value::as_str).for_each(&mut push)
                }
                _ => {}
            }
            if t.node.get("properties").is_some() {
                push("object");
            }
        }
        out
    }

    /// A short human type for documentation: `int`, `string`, `bool`, `map`, `list`, or a
    /// `|`-joined union; `null` is left out (it only means "may be unset").
    pub fn doc_type(&self) -> String {
        let names: Vec<&str> = self
            .type_names()
            .iter()
            .filter(|t| t.as_str() != "null")
            .map(|t| match t.as_str() {
                "integer" => "int",
                "boolean" => "bool",
                "object" => "map",
                "array" => "list",
                "number" => "number",
                "string" => "string",
                _ => "any",
            })
            .collect();
        if names.is_empty() {
            "any".to_string()
        } else {
            names.join("|")
        }
    }
}

/// Resolves a local JSON pointer reference such as `#/definitions/Redis`.
fn resolve_ref<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// The schema node at a dotted values path (`redis.config`), following declared properties.
/// Returns `None` when a segment is not declared. Below an undeclared key of an open map
/// (`redis.config.appendonly`) the open map itself is returned for every deeper path.
pub fn node_at<'a>(schema: &'a Value, path: &[&str]) -> Option<Node<'a>> {
    let mut node = Node::root(schema);
    for seg in path {
        match node.property(seg) {
            Some(child) => node = child,
            None if node.is_open() => return Some(node),
            None => return None,
        }
    }
    Some(node)
}

/// Every documented leaf: a path whose node is not a struct (scalars, lists and free-form maps).
pub fn leaves(schema: &Value) -> Vec<(String, Node<'_>)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, Node<'_>)> = vec![(String::new(), Node::root(schema))];
    // Depth-first in declaration order: push children reversed.
    while let Some((path, node)) = stack.pop() {
        let props = node.properties();
        if props.is_empty() {
            if !path.is_empty() {
                out.push((path, node));
            }
            continue;
        }
        for (k, child) in props.into_iter().rev() {
            let p = if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            };
            stack.push((p, child));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "redis": {"description": "Redis.", "allOf": [{"$ref": "#/definitions/Redis"}]},
                "tag": {"anyOf": [{"type": "string"}, {"type": "number"}]},
                "opt": {"anyOf": [{"$ref": "#/definitions/Redis"}, {"type": "null"}]}
            },
            "definitions": {
                "Redis": {"type": "object", "properties": {
                    "port": {"type": "integer", "description": "Port."},
                    "config": {"type": "object", "additionalProperties": true},
                    "conf": {"type": "object", "additionalProperties": true,
                             "properties": {"save": {"type": "string"}}}
                }}
            }
        })
    }

    #[test]
    fn follows_refs_and_unions() {
        let s = schema();
        let redis = node_at(&s, &["redis"]).expect("redis");
        assert_eq!(redis.description(), Some("Redis."));
        assert!(redis.is_struct());
        assert_eq!(
            node_at(&s, &["redis", "port"]).map(|n| n.doc_type()),
            Some("int".into())
        );
        assert!(node_at(&s, &["redis", "config"])
            .expect("config")
            .is_free_form());
        assert!(node_at(&s, &["redis", "config", "maxmemory"]).is_some());
        assert!(node_at(&s, &["redis", "nope"]).is_none());
        let conf = node_at(&s, &["redis", "conf"]).expect("conf");
        assert!(conf.is_struct() && conf.is_open() && !conf.is_free_form());
        assert!(node_at(&s, &["redis", "conf", "appendonly"]).is_some());
        assert!(node_at(&s, &["opt", "port"]).is_some());
        assert_eq!(
            node_at(&s, &["tag"]).map(|n| n.doc_type()),
            Some("string|number".into())
        );
        let leaves: Vec<String> = leaves(&s).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            leaves,
            [
                "redis.port",
                "redis.config",
                "redis.conf.save",
                "tag",
                "opt.port",
                "opt.config",
                "opt.conf.save"
            ]
        );
    }
}
