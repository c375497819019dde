//! The text the chart writes into redis.conf and sentinel.conf for a `redis.config` /
//! `sentinel.config` value: the one Rust copy of the chart's `redis-ha.confValue` and
//! `redis-ha.confLines` templates (chart-src/templates/_config.tpl), used by chartlint to judge
//! what Redis will read and by chartgen to size the variants. The integration test
//! `tests/conf_render.rs` compares it with Helm's own render for a table of values.
//!
//! Helm holds every number of a values file as a float64 and every `--set` integer as an
//! int64. The template writes booleans as `yes`/`no`, whole floats as plain digits (`%.0f`),
//! other floats as Go's `%v`, null and the empty string as `""`, and anything else through
//! sprig's `toString` (Go's `%v`: `[a b]` for a list, `map[k:v]` for a map). A list value gives
//! one line per item.

use serde_json::Value;

/// One scalar of Helm's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    /// null (a missing value renders the same).
    Null,
    /// true or false.
    Bool(bool),
    /// A number from a values file (Helm's float64).
    Float(f64),
    /// An integer from `--set` (Helm's int64).
    Int(i64),
    /// A string.
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    /// The scalar of a JSON value (`None` for lists and maps). JSON numbers that hold a float
    /// are Helm's float64, integers are int64.
    pub fn of(v: &'a Value) -> Option<Scalar<'a>> {
        Some(match v {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => Scalar::Int(i),
                _ => Scalar::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Scalar::Str(s),
            Value::Array(_) | Value::Object(_) => return None,
        })
    }
}

/// The text of one scalar in a config line (`redis-ha.confValue`).
pub fn scalar_text(s: Scalar<'_>) -> String {
    match s {
        Scalar::Bool(b) => if b { "yes" } else { "no" }.to_string(),
        Scalar::Float(f) if f.is_finite() && f == f.floor() => format!("{f:.0}"),
        Scalar::Float(f) => go_float(f),
        Scalar::Int(i) => i.to_string(),
        Scalar::Null | Scalar::Str("") => "\"\"".to_string(),
        Scalar::Str(s) => s.to_string(),
    }
}

/// The text of one value in a config line (`redis-ha.confValue`); lists and maps are printed
/// as Go prints them (the chart does not split them: see [`lines`]).
pub fn value_text(v: &Value) -> String {
    match Scalar::of(v) {
        Some(s) => scalar_text(s),
        None => go_value(v),
    }
}

/// The value of each line the chart writes for one key (`redis-ha.confLines`): one per list
/// item, else one.
pub fn lines(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(value_text).collect(),
        other => vec![value_text(other)],
    }
}

/// The value Redis ends up with for a key read once per line (the last line wins), or `None`
/// for an empty list (no line at all).
pub fn effective(v: &Value) -> Option<String> {
    lines(v).pop()
}

/// A rendered value as one argument of Redis's line splitter: one pair of surrounding double
/// quotes stripped (`""` is the empty argument), surrounding blanks ignored.
pub fn unquote(text: &str) -> &str {
    let t = text.trim();
    t.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(t)
}

/// Go's `%v` of a value decoded from JSON (`fmt.Sprint` of `interface{}`).
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match Scalar::of(v) {
            Some(Scalar::Int(i)) => i.to_string(),
            _ => go_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_value).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(map) => {
            // Go prints map keys sorted.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_value(&map[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%v` of a float64, as Helm prints a number (one implementation, in helm-values).
pub use helm_values::yaml::resolve::go_format_float as go_float;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_render_as_the_template() {
        assert_eq!(value_text(&json!(true)), "yes");
        assert_eq!(value_text(&json!(false)), "no");
        assert_eq!(value_text(&json!(1e9)), "1000000000");
        assert_eq!(value_text(&json!(2147483648.0)), "2147483648");
        assert_eq!(value_text(&json!(5)), "5");
        assert_eq!(value_text(&json!(0.5)), "0.5");
        assert_eq!(value_text(&json!(1234567.5)), "1.2345675e+06");
        assert_eq!(value_text(&json!(null)), "\"\"");
        assert_eq!(value_text(&json!("")), "\"\"");
        assert_eq!(value_text(&json!("900 1")), "900 1");
        assert_eq!(value_text(&json!(["a", 1.5, null])), "[a 1.5 <nil>]");
        assert_eq!(value_text(&json!({"b": 1, "a": true})), "map[a:true b:1]");
        assert_eq!(lines(&json!(["900 1", "300 10"])), ["900 1", "300 10"]);
        assert_eq!(
            effective(&json!(["900 1", "300 10"])),
            Some("300 10".into())
        );
        assert_eq!(effective(&json!([])), None);
    }

    #[test]
    fn go_float_matches_percent_v() {
        for (f, s) in [
            (999999.0, "999999"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (-2.5e-7, "-2.5e-07"),
            (1e21, "1e+21"),
            (123456789.0, "1.23456789e+08"),
        ] {
            assert_eq!(go_float(f), s, "{f}");
        }
    }
}
