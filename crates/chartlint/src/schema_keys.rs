//! The keys each object of a values schema allows, compiled once per chart from `properties`,
//! `additionalProperties`, `patternProperties`, `items` and allOf/anyOf/oneOf parts (local
//! `$ref`s followed). The unknown-key walk reads it for every linted file, so the schema's
//! JSON is interpreted once instead of per file and per map.

use std::collections::HashMap;

use serde_json::Value as Json;

/// Index of a node in [`Keys`].
pub(crate) type NodeId = usize;

/// The compiled key shapes; node 0 is the schema's root.
#[derive(Debug)]
pub(crate) struct Keys {
    nodes: Vec<KeyNode>,
}

/// What one schema object allows as keys.
#[derive(Debug, Default)]
pub(crate) struct KeyNode {
    /// Named properties (the first part naming one wins).
    pub props: HashMap<String, NodeId, foldhash::fast::RandomState>,
    /// The same names in schema order, for suggestions.
    pub names: Vec<String>,
    /// The schema of keys not named (an `additionalProperties` object).
    pub additional: Option<NodeId>,
    /// The schema of list items.
    pub items: Option<NodeId>,
    /// Keys that are not named are reported (no `additionalProperties`, no patterns).
    pub report_unknown: bool,
    /// Any key may be here (`true`, or no named properties and nothing closed).
    pub free_form: bool,
}

impl Keys {
    /// Compile the key shapes of `raw`.
    pub fn compile(raw: &Json) -> Keys {
        let mut b = Builder {
            raw,
            nodes: Vec::new(),
            ids: HashMap::new(),
        };
        b.node(raw);
        Keys { nodes: b.nodes }
    }

    /// The root node.
    pub fn root(&self) -> NodeId {
        0
    }

    /// A node by id (`None` only for an id from another table).
    pub fn node(&self, id: NodeId) -> Option<&KeyNode> {
        self.nodes.get(id)
    }
}

struct Builder<'a> {
    raw: &'a Json,
    nodes: Vec<KeyNode>,
    /// Node of each schema object already compiled, by address (`$ref` cycles end here).
    ids: HashMap<usize, NodeId>,
}

impl<'a> Builder<'a> {
    fn node(&mut self, schema: &'a Json) -> NodeId {
        let schema = self.resolve(schema);
        let addr = std::ptr::from_ref(schema) as usize;
        if let Some(&id) = self.ids.get(&addr) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(KeyNode::default());
        self.ids.insert(addr, id);

        let mut parts = vec![schema];
        for kw in ["allOf", "anyOf", "oneOf"] {
            if let Some(Json::Array(subs)) = schema.get(kw) {
                parts.extend(subs.iter().map(|s| self.resolve(s)));
            }
        }
        let mut node = KeyNode::default();
        let mut open = false;
        let mut closed = false;
        let mut additional = None;
        for p in &parts {
            if let Some(Json::Object(m)) = p.get("properties") {
                for (k, sub) in m {
                    if !node.props.contains_key(k) {
                        let child = self.node(sub);
                        node.props.insert(k.clone(), child);
                        node.names.push(k.clone());
                    }
                }
            }
            // Pattern keys need a regex engine; treat them as "anything may be here".
            if p.get("patternProperties").is_some() {
                open = true;
            }
            match p.get("additionalProperties") {
                Some(Json::Bool(true)) => open = true,
                Some(Json::Bool(false)) => closed = true,
                Some(s @ Json::Object(_)) if additional.is_none() => additional = Some(s),
                _ => {}
            }
        }
        node.additional = additional.map(|s| self.node(s));
        node.items = schema
            .get("items")
            .filter(|s| s.is_object())
            .map(|s| self.node(s));
        node.report_unknown = !open && !closed && additional.is_none();
        node.free_form = matches!(schema, Json::Bool(true))
            || (node.names.is_empty() && !closed && additional.is_none());
        self.nodes[id] = node;
        id
    }

    /// Follow local `$ref`s (a bounded number of hops).
    fn resolve(&self, mut s: &'a Json) -> &'a Json {
        for _ in 0..32 {
            match s
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(ptr) => match self.raw.pointer(ptr) {
                    Some(t) => s = t,
                    None => return s,
                },
                None => return s,
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_follow_refs_and_combinations() {
        let raw = json!({
            "definitions": {
                "tree": {"type": "object", "properties": {"leaf": {}, "child": {"$ref": "#/definitions/tree"}}}
            },
            "properties": {
                "a": {"$ref": "#/definitions/tree"},
                "m": {"type": "object", "additionalProperties": {"properties": {"x": {}}}},
                "p": {"patternProperties": {"^x": {}}},
                "closed": {"properties": {"k": {}}, "additionalProperties": false},
                "both": {"allOf": [{"properties": {"one": {}}}, {"$ref": "#/definitions/tree"}]},
                "list": {"items": {"properties": {"name": {}}}},
                "free": {"type": "object"}
            }
        });
        let keys = Keys::compile(&raw);
        let node = |id| keys.node(id).unwrap();
        let root = node(keys.root());
        assert!(root.report_unknown && !root.free_form);
        let a = node(root.props["a"]);
        // The recursive definition is one node, reached again through `child`.
        assert_eq!(a.props["child"], root.props["a"]);
        assert_eq!(a.names, ["leaf", "child"]);
        let m = node(root.props["m"]);
        assert!(!m.report_unknown && m.additional.is_some());
        assert!(!node(root.props["p"]).report_unknown);
        let closed = node(root.props["closed"]);
        assert!(!closed.report_unknown && !closed.free_form);
        assert_eq!(node(root.props["both"]).names, ["one", "leaf", "child"]);
        let list = node(root.props["list"]);
        assert_eq!(node(list.items.unwrap()).names, ["name"]);
        assert!(node(root.props["free"]).free_form);
    }
}
