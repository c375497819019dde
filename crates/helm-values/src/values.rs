//! Helm's values merge with locations: chart values.yaml, then each `-f` file in order, then
//! `--set`, then `--set-string`; every merged value remembers the source text that set it.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::source::{Loc, Pos, SourceFile, SourceKind, Span, Src};
use crate::yaml::{Document, HelmScalar, LoadError, Node, NodeKind, Style};

/// A values map: keys in the order written (Helm sorts nowhere that matters here, but findings
/// and JSON output follow the file). Hashed with foldhash: keys are short and looked up by
/// every rule, and SipHash's flood resistance buys nothing for a file the user wrote.
pub type Map = IndexMap<String, MapEntry, foldhash::fast::RandomState>;

/// A value after loading, with the place that set it.
#[derive(Debug, Clone)]
pub struct Value {
    /// Content.
    pub kind: ValueKind,
    /// Where the value is written.
    pub loc: Loc,
    /// For values copied by a YAML alias: where the alias is written.
    pub alias: Option<Span>,
    /// YAML quoting style of a scalar (`None` for collections and command-line values).
    pub style: Option<Style>,
}

/// Value content, in Helm's types.
#[derive(Debug, Clone)]
pub enum ValueKind {
    /// null, bool, number or string.
    Scalar(HelmScalar),
    /// A list (lists replace each other whole when merged).
    List(Vec<Value>),
    /// A map (maps deep-merge).
    Map(Map),
}

/// A map entry with the location of its key.
#[derive(Debug, Clone)]
pub struct MapEntry {
    /// Where the key is written.
    pub key: Loc,
    /// The value. Shared, so that chart defaults are not deep-copied into every merge.
    pub value: Arc<Value>,
}

impl Value {
    /// The map entries, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match &self.kind {
            ValueKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&HelmScalar> {
        match &self.kind {
            ValueKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The raw source text of the value (`yes`, `"yes"`, `2147483648`).
    pub fn raw(&self) -> &str {
        self.loc.span.slice(&self.loc.src.text)
    }

    fn empty_map(loc: Loc) -> Value {
        Value {
            kind: ValueKind::Map(Map::default()),
            loc,
            alias: None,
            style: None,
        }
    }

    /// Helm's JSON view (what `toJson` prints and what values.schema.json validates):
    /// whole float64 values below 2^53 become JSON integers.
    pub fn to_json(&self) -> Json {
        match &self.kind {
            ValueKind::Scalar(s) => scalar_json(s),
            ValueKind::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            ValueKind::Map(m) => Json::Object(
                m.iter()
                    .map(|(k, e)| (k.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Helm's JSON view of one value, borrowed from the tree: what templates and
/// values.schema.json see (a whole float64 below 2^53 is an integer). Rules match on it instead
/// of on a JSON copy of the merged values, which would mostly copy the chart's defaults.
#[derive(Debug, Clone)]
pub enum View<'a> {
    /// null.
    Null,
    /// true or false.
    Bool(bool),
    /// A number, as JSON holds it.
    Number(serde_json::Number),
    /// A string.
    String(&'a str),
    /// A list.
    Array(&'a [Value]),
    /// A map.
    Object(&'a Map),
}

impl<'a> View<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            View::String(s) => Some(s),
            _ => None,
        }
    }

    /// True for null.
    pub fn is_null(&self) -> bool {
        matches!(self, View::Null)
    }
}

impl Value {
    /// Helm's JSON view of this value.
    pub fn view(&self) -> View<'_> {
        match &self.kind {
            ValueKind::Map(m) => View::Object(m),
            ValueKind::List(items) => View::Array(items),
            ValueKind::Scalar(HelmScalar::Str(s)) => View::String(s),
            ValueKind::Scalar(HelmScalar::Null) => View::Null,
            ValueKind::Scalar(HelmScalar::Bool(b)) => View::Bool(*b),
            ValueKind::Scalar(s) => match scalar_json(s) {
                Json::Number(n) => View::Number(n),
                // A non-finite float has no JSON number: Helm's toJson gives null.
                _ => View::Null,
            },
        }
    }

    /// The value of `key`, if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        Some(&self.as_map()?.get(key)?.value)
    }

    /// The value at a JSON pointer (RFC 6901) below this one.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        self.pointer_with_key(pointer).map(|(_, v)| v)
    }

    /// [`Value::pointer`], with where the last map key on the way is written (`None` for a
    /// list item or the value itself).
    pub fn pointer_with_key(&self, pointer: &str) -> Option<(Option<&Loc>, &Value)> {
        let mut cur = self;
        let mut key = None;
        if pointer.is_empty() {
            return Some((None, cur));
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = unescape_token(token);
            match &cur.kind {
                ValueKind::Map(m) => {
                    let e = m.get(token.as_ref())?;
                    key = Some(&e.key);
                    cur = &e.value;
                }
                ValueKind::List(items) => {
                    // JSON pointer array indexes: no sign, no leading zeros.
                    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
                        return None;
                    }
                    cur = items.get(token.parse::<usize>().ok()?)?;
                    key = None;
                }
                ValueKind::Scalar(_) => return None,
            }
        }
        Some((key, cur))
    }
}

/// One scalar in Helm's JSON view.
pub fn scalar_json(s: &HelmScalar) -> Json {
    match s {
        HelmScalar::Null => Json::Null,
        HelmScalar::Bool(b) => Json::Bool(*b),
        HelmScalar::Int(i) => Json::from(*i),
        HelmScalar::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                Json::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(Json::Number)
                    .unwrap_or(Json::Null)
            }
        }
        HelmScalar::Str(s) => Json::String(s.clone()),
    }
}

/// Convert a loaded document into a value tree (an empty document is an empty map).
pub fn from_document(doc: &Document) -> Value {
    match &doc.root {
        Some(n) => from_node(&doc.src, n),
        None => Value::empty_map(Loc {
            src: doc.src.clone(),
            span: Span::default(),
        }),
    }
}

fn from_node(src: &Src, n: &Node) -> Value {
    let loc = Loc {
        src: src.clone(),
        span: n.span,
    };
    let (kind, style) = match &n.kind {
        NodeKind::Scalar(s) => (ValueKind::Scalar(s.value.clone()), Some(s.style)),
        NodeKind::Seq(items) => (
            ValueKind::List(items.iter().map(|i| from_node(src, i)).collect()),
            None,
        ),
        NodeKind::Map(entries) => (
            ValueKind::Map(
                entries
                    .iter()
                    .map(|e| {
                        let key = Loc {
                            src: src.clone(),
                            span: e.key_span,
                        };
                        (
                            e.key.clone(),
                            MapEntry {
                                key,
                                value: Arc::new(from_node(src, &e.value)),
                            },
                        )
                    })
                    .collect(),
            ),
            None,
        ),
    };
    Value {
        kind,
        loc,
        alias: n.alias,
        style,
    }
}

/// A chart default removed by a `null` in a user file (Helm's way to unset a default).
#[derive(Debug, Clone)]
pub struct Deletion {
    /// Dotted values path.
    pub path: String,
    /// The key set to `null`.
    pub by: Loc,
    /// The chart's default was null already: nothing is removed that the templates would see.
    pub default_null: bool,
}

/// The values Helm would render with.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged tree with locations.
    pub tree: Value,
    /// Chart defaults deleted by user nulls.
    pub deletions: Vec<Deletion>,
    /// The pseudo-sources made for `--set` / `--set-string` arguments (for rendering).
    pub arg_sources: Vec<Src>,
}

/// Key and value locations of one JSON pointer.
#[derive(Debug, Clone)]
pub struct Site {
    /// Where the key is written (`None` for list items and the root).
    pub key: Option<Loc>,
    /// Where the value is written.
    pub value: Loc,
}

impl Merged {
    /// Helm's JSON view of the merged values (what `toJson` prints). Built on request: rules
    /// and the schema read the tree itself.
    pub fn to_json(&self) -> Json {
        self.tree.to_json()
    }

    /// Find a value by JSON pointer (RFC 6901), with the location of its key.
    pub fn find(&self, pointer: &str) -> Option<(Option<&Loc>, &Value)> {
        self.tree.pointer_with_key(pointer)
    }

    /// Every JSON pointer of the merged values with its key and value locations.
    pub fn locations(&self) -> std::collections::BTreeMap<String, Site> {
        let mut out = std::collections::BTreeMap::new();
        let mut stack: Vec<(String, Option<&Loc>, &Value)> =
            vec![(String::new(), None, &self.tree)];
        while let Some((ptr, key, v)) = stack.pop() {
            match &v.kind {
                ValueKind::Map(m) => {
                    for (k, e) in m {
                        stack.push((
                            format!("{ptr}/{}", escape_pointer(k)),
                            Some(&e.key),
                            &e.value,
                        ));
                    }
                }
                ValueKind::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        stack.push((format!("{ptr}/{i}"), None, item));
                    }
                }
                ValueKind::Scalar(_) => {}
            }
            out.insert(
                ptr,
                Site {
                    key: key.cloned(),
                    value: v.loc.clone(),
                },
            );
        }
        out
    }
}

/// A JSON pointer token with `~1` and `~0` decoded (borrowed when there is nothing to decode:
/// pointers are looked up in every rule, and almost none hold a `~`).
fn unescape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        std::borrow::Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

/// Append `/` and `key`, escaped, to a JSON pointer (no allocation for a plain key).
pub fn push_pointer_token(pointer: &mut String, key: &str) {
    pointer.push('/');
    if key.contains(['~', '/']) {
        pointer.push_str(&escape_pointer(key));
    } else {
        pointer.push_str(key);
    }
}

/// Escape a map key for a JSON pointer.
pub fn escape_pointer(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

/// A JSON pointer as the dotted path of map keys (`/redis/config/a~1b` → `redis.config.a/b`),
/// without a tree: every token is taken as a key (the form of [`Deletion::path`]).
pub fn pointer_dotted(pointer: &str) -> String {
    let mut out = String::new();
    for (i, token) in pointer.split('/').skip(1).enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&unescape_token(token));
    }
    out
}

/// Turn a JSON pointer into a dotted values path (`/a/b/0/c` → `a.b[0].c`), using the tree to
/// tell list indexes from map keys.
pub fn dotted_path(tree: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let mut cur = Some(tree);
    for token in pointer.split('/').skip(1) {
        let token = unescape_token(token);
        match cur.map(|v| &v.kind) {
            Some(ValueKind::List(items)) => {
                out.push('[');
                out.push_str(&token);
                out.push(']');
                cur = token.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            Some(ValueKind::Map(m)) => {
                if !out.is_empty() {
                    out.push('.');
                }
                cur = m.get(token.as_ref()).map(|e| &*e.value);
                out.push_str(&token);
            }
            _ => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&token);
                cur = None;
            }
        }
    }
    out
}

/// Helm's `mergeMaps` for `-f` files: maps deep-merge, everything else (lists, nulls) replaces.
pub fn merge_maps(base: &mut Value, over: Value) {
    let ValueKind::Map(over_map) = over.kind else {
        *base = over;
        return;
    };
    let ValueKind::Map(base_map) = &mut base.kind else {
        *base = Value {
            kind: ValueKind::Map(over_map),
            ..over
        };
        return;
    };
    for (k, e) in over_map {
        match base_map.get_mut(&k) {
            Some(b) if b.value.as_map().is_some() && e.value.as_map().is_some() => {
                b.key = e.key;
                merge_maps(Arc::make_mut(&mut b.value), Arc::unwrap_or_clone(e.value));
            }
            _ => {
                base_map.insert(k, e);
            }
        }
    }
}

/// Helm's coalescing of user values over the chart defaults: a user `null` deletes the
/// default, user values win over defaults, maps merge.
pub fn coalesce(chart: &Value, user: Value, deletions: &mut Vec<Deletion>, path: &str) -> Value {
    let ValueKind::Map(chart_map) = &chart.kind else {
        return user;
    };
    // Take the user map by value: cloning it at every level made the merge quadratic in depth.
    let Value {
        kind,
        loc,
        alias,
        style,
    } = user;
    let user_map = match kind {
        ValueKind::Map(m) => m,
        other => {
            return Value {
                kind: other,
                loc,
                alias,
                style,
            }
        }
    };
    // Only built for the few keys the user wrote: most chart keys are copied untouched.
    let child = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    // Start from a copy of the chart's map (it shares the subtrees and rehashes no key), then
    // apply the user's keys in the chart's order, as Helm walks the defaults.
    let mut out = chart_map.clone();
    let mut changed: Vec<(usize, MapEntry)> = Vec::new();
    let mut extra: Vec<(String, MapEntry)> = Vec::new();
    for (k, u) in user_map {
        match chart_map.get_index_of(&k) {
            Some(i) => changed.push((i, u)),
            None => extra.push((k, u)),
        }
    }
    changed.sort_by_key(|(i, _)| *i);
    let mut deleted = Vec::new();
    for (i, mut u) in changed {
        let Some((k, c)) = chart_map.get_index(i) else {
            continue;
        };
        if matches!(u.value.kind, ValueKind::Scalar(HelmScalar::Null)) {
            deletions.push(Deletion {
                path: child(k),
                by: u.key.clone(),
                default_null: c.value.view().is_null(),
            });
            deleted.push(i);
            continue;
        }
        if u.value.as_map().is_some() && c.value.as_map().is_some() {
            let user_value = Arc::unwrap_or_clone(u.value);
            u.value = Arc::new(coalesce(&c.value, user_value, deletions, &child(k)));
        }
        if let Some((_, slot)) = out.get_index_mut(i) {
            *slot = u;
        }
    }
    for i in deleted.into_iter().rev() {
        out.shift_remove_index(i);
    }
    out.extend(extra);
    Value {
        kind: ValueKind::Map(out),
        loc,
        alias,
        style,
    }
}

/// Everything Helm merges for one render.
#[derive(Debug, Default)]
pub struct Inputs<'a> {
    /// `-f` files, in order.
    pub files: &'a [Document],
    /// `--set` arguments, in order.
    pub set: &'a [String],
    /// `--set-string` arguments, in order.
    pub set_string: &'a [String],
}

/// Merge as Helm does: user files (mergeMaps), `--set`, `--set-string`, then coalesce over the
/// chart's values.yaml.
pub fn merge(chart: &Value, inputs: &Inputs<'_>) -> Result<Merged, LoadError> {
    // Whole-document findings (e.g. a missing required key) point at the first user file.
    let root_loc = match inputs.files.first() {
        Some(d) => Loc {
            src: d.src.clone(),
            span: Span::default(),
        },
        None => chart.loc.clone(),
    };
    let mut user = Value::empty_map(root_loc);
    let mut arg_sources = Vec::new();
    for doc in inputs.files {
        merge_maps(&mut user, from_document(doc));
    }
    for (i, arg) in inputs.set.iter().enumerate() {
        let src = SourceFile::new(format!("--set #{}", i + 1), arg.as_str(), SourceKind::Set);
        crate::strvals::parse_into(&src, &mut user)?;
        arg_sources.push(src);
    }
    for (i, arg) in inputs.set_string.iter().enumerate() {
        let src = SourceFile::new(
            format!("--set-string #{}", i + 1),
            arg.as_str(),
            SourceKind::SetString,
        );
        crate::strvals::parse_into(&src, &mut user)?;
        arg_sources.push(src);
    }
    let mut deletions = Vec::new();
    let tree = coalesce(chart, user, &mut deletions, "");
    Ok(Merged {
        tree,
        deletions,
        arg_sources,
    })
}

/// Position of a character index inside a one-line `--set` argument.
pub(crate) fn arg_pos(text: &str, char_index: usize) -> Pos {
    let offset = text
        .char_indices()
        .nth(char_index)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    Pos {
        line: 1,
        column: char_index + 1,
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load_str, Limits};
    use serde_json::json;

    fn doc(name: &str, text: &str, kind: SourceKind) -> Document {
        load_str(SourceFile::new(name, text, kind), &Limits::default()).unwrap()
    }

    fn run(chart: &str, files: &[&str], set: &[&str], set_string: &[&str]) -> Merged {
        let chart = from_document(&doc("values.yaml", chart, SourceKind::ChartValues));
        let files: Vec<Document> = files
            .iter()
            .enumerate()
            .map(|(i, t)| doc(&format!("f{i}.yaml"), t, SourceKind::ValuesFile))
            .collect();
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let set_string: Vec<String> = set_string.iter().map(|s| s.to_string()).collect();
        merge(
            &chart,
            &Inputs {
                files: &files,
                set: &set,
                set_string: &set_string,
            },
        )
        .unwrap()
    }

    #[test]
    fn helm_merge_order() {
        let m = run(
            "a: 1\nm: {x: 1, z: 2}\nl: [1, 2]\nkeep: ~\ngone: 5\nnn: {deep: {v: 1, w: 2}}\n",
            &[
                "m: {x: 10}\nl: [3]\ngone: null\nnn: {deep: {w: null}}\nextra: null\n",
                "a: yes\nm: {z: 20}\n",
            ],
            &[],
            &[],
        );
        assert_eq!(
            m.to_json(),
            json!({"a": true, "m": {"x": 10, "z": 20}, "l": [3], "keep": null,
                   "nn": {"deep": {"v": 1}}, "extra": null})
        );
        let paths: Vec<&str> = m.deletions.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["gone", "nn.deep.w"]);
        assert_eq!(m.deletions[0].by.display(), "f0.yaml:3:1");
    }

    #[test]
    fn null_in_later_file_replaces_earlier_user_value() {
        let m = run("a: 1\n", &["a: 2\n", "a: null\n"], &[], &[]);
        assert_eq!(m.to_json(), json!({}));
    }

    #[test]
    fn json_view_numbers() {
        let m = run(
            "big: 1000000\nf: 1.5\nhuge: 12345678901234567890\noct: 017\n",
            &[],
            &[],
            &[],
        );
        let json = m.to_json();
        assert_eq!(json["big"], json!(1000000));
        assert_eq!(json["f"], json!(1.5));
        assert!(json["huge"].is_f64());
        assert_eq!(json["oct"], json!(15));
    }

    #[test]
    fn locations_follow_the_setter() {
        let m = run("a:\n  b: 1\n  c: 2\n", &["a:\n  b: 3\n"], &["a.c=4"], &[]);
        let locs = m.locations();
        assert_eq!(locs["/a/b"].value.display(), "f0.yaml:2:6");
        assert_eq!(locs["/a/b"].key.as_ref().unwrap().display(), "f0.yaml:2:3");
        assert_eq!(locs["/a/c"].value.display(), "--set #1:1:5");
        let (_, v) = m.find("/a/c").unwrap();
        assert_eq!(v.raw(), "4");
        assert_eq!(dotted_path(&m.tree, "/a/c"), "a.c");
    }

    #[test]
    fn set_typing_and_order() {
        let m = run(
            "x: 1\n",
            &[],
            &[
                "s=yes,i=1000000,z=0,p=+12,o=017,t=True,n=null,e=1e3",
                "l[1].k=v",
                "x=2",
            ],
            &["x=3", "b=true"],
        );
        assert_eq!(
            m.to_json(),
            json!({"x": "3", "s": "yes", "i": 1000000, "z": 0, "p": 12, "o": "017", "t": true,
                   "n": null, "e": "1e3", "l": [null, {"k": "v"}], "b": "true"})
        );
        let (_, i) = m.find("/i").unwrap();
        assert_eq!(i.as_scalar(), Some(&HelmScalar::Int(1000000)));
    }

    #[test]
    fn dotted_paths_with_lists() {
        let m = run("a: [{b: [1, {c: 2}]}]\n", &[], &[], &[]);
        assert_eq!(dotted_path(&m.tree, "/a/0/b/1/c"), "a[0].b[1].c");
        assert_eq!(dotted_path(&m.tree, ""), "");
    }
}
