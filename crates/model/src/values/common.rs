//! Small types shared by several parts of the values: free-form maps and lists, the lenient
//! scalar types real values files need, documented open maps, images and probes.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// A free-form map copied into the rendered objects as it is (labels, annotations, resources,
/// affinity fragments, ...). Keeps the user's key order.
pub type FreeMap = Map<String, Value>;

/// A free-form list copied into the rendered objects as it is (extra containers, volumes,
/// pull secrets, rules, ...).
pub type AnyList = Vec<Value>;

/// A string, or a map given where upstream expects a templated string.
///
/// `affinity` and `haproxy.affinity` are templated strings in the public chart, but real
/// values files give `{}` (an empty map renders nothing upstream as well).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StringOrMap {
    /// The templated string form (a YAML block scalar).
    String(String),
    /// A map, treated like the YAML it would render to.
    Map(FreeMap),
}

impl Default for StringOrMap {
    fn default() -> Self {
        StringOrMap::String(String::new())
    }
}

impl StringOrMap {
    /// True when the value renders nothing: an empty or blank string, or an empty map.
    pub fn is_empty(&self) -> bool {
        match self {
            StringOrMap::String(s) => s.trim().is_empty(),
            StringOrMap::Map(m) => m.is_empty(),
        }
    }
}

impl JsonSchema for StringOrMap {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "StringOrMap".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "object"] })
    }
}

/// A string, or a boolean given where upstream expects a string.
///
/// Older copies of the public values.yaml set `restore.*.source: false`; `false` means "not set".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StringOrBool {
    /// The string form.
    String(String),
    /// The boolean form; `false` disables, `true` has no meaning.
    Bool(bool),
}

impl Default for StringOrBool {
    fn default() -> Self {
        StringOrBool::String(String::new())
    }
}

impl StringOrBool {
    /// The string value, or `None` when it is empty or a boolean.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            StringOrBool::String(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

impl JsonSchema for StringOrBool {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "StringOrBool".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "boolean"] })
    }
}

/// An image tag: a string, or a number when the tag is written unquoted (`tag: 8.2`).
///
/// Helm types an unquoted `8.2` as a number and prints it back as `8.2`, so upstream accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tag {
    /// The usual quoted or non-numeric tag.
    String(String),
    /// An unquoted numeric tag.
    Number(Number),
}

impl Default for Tag {
    fn default() -> Self {
        Tag::String(String::new())
    }
}

impl From<&str> for Tag {
    fn from(s: &str) -> Self {
        Tag::String(s.to_owned())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::String(s) => f.write_str(s),
            Tag::Number(n) => write!(f, "{n}"),
        }
    }
}

impl JsonSchema for Tag {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Tag".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number"] })
    }
}

/// An integer, or a string where upstream passes the value through as text
/// (`ro_replicas: 2`, `maxSkew: 1` and `maxSkew: ""` all work upstream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// The integer form.
    Int(i64),
    /// The string form.
    String(String),
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::String(String::new())
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

impl JsonSchema for IntOrString {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "IntOrString".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["integer", "string"] })
    }
}

/// A non-negative count given as an integer or as a string of digits (`replicas: "3"`):
/// upstream casts it with `int`, so both work. Anything else (a map, `"three"`) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Count(pub u32);

impl Count {
    /// The count as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u32),
            // Helm hands every number over as float64; `3.0` is still a count.
            Float(f64),
            Text(String),
        }
        match Raw::deserialize(deserializer) {
            Ok(Raw::Int(n)) => Ok(Count(n)),
            Ok(Raw::Float(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
                Ok(Count(f as u32))
            }
            Ok(Raw::Float(f)) => Err(serde::de::Error::custom(format!(
                "expected a whole number, got {f}"
            ))),
            Ok(Raw::Text(s)) => s.trim().parse::<u32>().map(Count).map_err(|_| {
                serde::de::Error::custom(format!("expected a whole number, got {s:?}"))
            }),
            Err(_) => Err(serde::de::Error::custom(
                "expected a whole number or a string of digits",
            )),
        }
    }
}

impl JsonSchema for Count {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Count".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // `minimum` only applies to numbers and `pattern` only to strings.
        json_schema!({
            "type": ["integer", "string"],
            "minimum": 0,
            "pattern": "^[0-9]+$"
        })
    }
}

/// A collection given as a map (upstream default `{}`) or as a list; the template ranges over
/// the values either way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MapOrList {
    /// The map form: its values are used.
    Map(FreeMap),
    /// The list form.
    List(AnyList),
}

impl Default for MapOrList {
    fn default() -> Self {
        MapOrList::Map(FreeMap::new())
    }
}

impl MapOrList {
    /// The items, whatever the form.
    pub fn items(&self) -> Vec<&Value> {
        match self {
            MapOrList::Map(m) => m.values().collect(),
            MapOrList::List(l) => l.iter().collect(),
        }
    }
}

impl JsonSchema for MapOrList {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "MapOrList".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["object", "array"] })
    }
}

/// One documented key of an open map: its path inside the map (dots separate nesting levels),
/// what it does, its default and the JSON Schema of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct DocKey {
    /// Path relative to the map, e.g. `preStop.exec.command`.
    pub path: &'static str,
    /// One or two sentences: what the key does.
    pub description: &'static str,
    /// The default value (in the public chart's order).
    pub default: Value,
    /// JSON Schema of the value.
    pub schema: Value,
}

impl DocKey {
    /// A documented key.
    pub fn new(
        path: &'static str,
        description: &'static str,
        default: Value,
        schema: Value,
    ) -> Self {
        DocKey {
            path,
            description,
            default,
            schema,
        }
    }
}

/// The documented keys of one open map.
pub trait MapDoc {
    /// Name used for the schema of the map.
    const NAME: &'static str;
    /// The documented keys, in the order of the public values.yaml.
    fn keys() -> Vec<DocKey>;
}

/// An open map whose default keys are documented, but which stays a map: users add any other
/// key, and a user `null` removes a default key (Helm deletes it while merging), which a struct
/// field could not express. Used for redis.conf/sentinel.conf directives, lifecycle hooks,
/// probes and security contexts that the chart copies verbatim.
#[derive(Debug, Clone, PartialEq)]
pub struct DocMap<D> {
    map: FreeMap,
    doc: PhantomData<D>,
}

impl<D> DocMap<D> {
    /// Wraps a map.
    pub fn from_map(map: FreeMap) -> Self {
        DocMap {
            map,
            doc: PhantomData,
        }
    }

    /// The entries.
    pub fn map(&self) -> &FreeMap {
        &self.map
    }

    /// The entries, to change them.
    pub fn map_mut(&mut self) -> &mut FreeMap {
        &mut self.map
    }

    /// The value at a dotted path (`preStop.exec.command`), if present.
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let first = parts.next()?;
        let mut cur = self.map.get(first)?;
        for part in parts {
            cur = cur.as_object()?.get(part)?;
        }
        Some(cur)
    }
}

impl<D: MapDoc> Default for DocMap<D> {
    fn default() -> Self {
        let mut map = FreeMap::new();
        for key in D::keys() {
            insert_path(&mut map, key.path, key.default);
        }
        DocMap::from_map(map)
    }
}

/// Inserts `value` at a dotted path, creating the intermediate maps.
fn insert_path(map: &mut FreeMap, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = map
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(FreeMap::new()));
            if !entry.is_object() {
                *entry = Value::Object(FreeMap::new());
            }
            if let Value::Object(inner) = entry {
                insert_path(inner, rest, value);
            }
        }
    }
}

/// Adds the schema of a documented key under nested `properties`.
fn insert_schema(node: &mut FreeMap, path: &str, schema: Value) {
    let props = node
        .entry("properties")
        .or_insert_with(|| Value::Object(FreeMap::new()));
    let Value::Object(props) = props else {
        return;
    };
    match path.split_once('.') {
        None => {
            props.insert(path.to_owned(), schema);
        }
        Some((head, rest)) => {
            let child = props.entry(head.to_owned()).or_insert_with(open_object);
            if let Value::Object(child) = child {
                insert_schema(child, rest, schema);
            }
        }
    }
}

fn open_object() -> Value {
    serde_json::json!({ "type": "object", "additionalProperties": true })
}

impl<D> Serialize for DocMap<D> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de, D> Deserialize<'de> for DocMap<D> {
    fn deserialize<De: Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        FreeMap::deserialize(deserializer).map(DocMap::from_map)
    }
}

impl<D: MapDoc> JsonSchema for DocMap<D> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        D::NAME.into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let Value::Object(mut node) = open_object() else {
            return Schema::from(true);
        };
        for key in D::keys() {
            let mut schema = key.schema;
            if let Value::Object(s) = &mut schema {
                s.insert("description".into(), Value::String(key.description.into()));
                s.insert("default".into(), key.default);
            }
            insert_schema(&mut node, key.path, schema);
        }
        Schema::from(node)
    }
}

/// A container image: repository, tag and pull policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Image {
    /// Image repository, including the registry host.
    pub repository: String,
    /// Image tag. An unquoted numeric tag such as `8.2` is accepted and printed as written;
    /// quote tags like `"8.10"` that YAML would otherwise read as the number 8.1.
    pub tag: Tag,
    /// Kubernetes image pull policy: `Always`, `IfNotPresent` or `Never`.
    pub pull_policy: String,
}

impl Default for Image {
    fn default() -> Self {
        Image::new("", "", "IfNotPresent")
    }
}

impl Image {
    /// An image with the given parts.
    pub fn new(repository: &str, tag: &str, pull_policy: &str) -> Self {
        Image {
            repository: repository.into(),
            tag: tag.into(),
            pull_policy: pull_policy.into(),
        }
    }
}

/// A probe that runs one of the chart's health scripts; only the timings are configurable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ScriptProbe {
    /// Render this probe; `false` leaves the container without it.
    pub enabled: bool,
    /// Seconds after the container starts before the first check.
    pub initial_delay_seconds: u32,
    /// Seconds between two checks.
    pub period_seconds: u32,
    /// Seconds one check may take before it counts as failed; a busy Redis (big RDB save or
    /// load) answers slowly, so keep it generous.
    pub timeout_seconds: u32,
    /// Consecutive successful checks after a failure before the probe counts as passing.
    /// Kubernetes requires 1 for liveness and startup probes.
    pub success_threshold: u32,
    /// Consecutive failed checks before the probe counts as failing (liveness: the container
    /// is restarted; readiness: the pod leaves the Service endpoints).
    pub failure_threshold: u32,
}

impl Default for ScriptProbe {
    fn default() -> Self {
        ScriptProbe::new(30, 15, 15, 1, 5)
    }
}

impl ScriptProbe {
    /// An enabled probe with the given timings.
    pub fn new(initial_delay: u32, period: u32, timeout: u32, success: u32, failure: u32) -> Self {
        ScriptProbe {
            enabled: true,
            initial_delay_seconds: initial_delay,
            period_seconds: period,
            timeout_seconds: timeout,
            success_threshold: success,
            failure_threshold: failure,
        }
    }
}
