//! A Grafana dashboard's panels and variables, as Grafana would query them: the `query`
//! variables are resolved in order from live data (`label_values(selector, label)`), then each
//! panel target's expression gets the variables and Grafana's built-in intervals substituted.

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// One panel and its queries.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    /// `fieldConfig.defaults.unit` (`bytes`, `ops`, `percentunit`, `short`, `none`...).
    pub unit: String,
    /// (expression, legend format) of each target.
    pub targets: Vec<(String, String)>,
}

/// A `query` variable: its name and `label_values(...)` query.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub query: String,
}

/// The panels of `dashboard` (rows' nested panels included), in order.
pub fn panels(dashboard: &Value) -> Vec<Panel> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = dashboard
        .get("panels")
        .and_then(Value::as_array)
        .map(|a| a.iter().rev().collect())
        .unwrap_or_default();
    while let Some(p) = stack.pop() {
        if let Some(children) = p.get("panels").and_then(Value::as_array) {
            stack.extend(children.iter().rev());
        }
        let targets: Vec<(String, String)> = p
            .get("targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let expr = t.get("expr")?.as_str()?.to_string();
                let legend = t
                    .get("legendFormat")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                Some((expr, legend))
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        out.push(Panel {
            title: p
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            unit: p
                .pointer("/fieldConfig/defaults/unit")
                .and_then(Value::as_str)
                .unwrap_or("none")
                .to_string(),
            targets,
        });
    }
    out
}

/// The dashboard's `query` variables, in order (later ones may use earlier ones).
pub fn variables(dashboard: &Value) -> Vec<Variable> {
    dashboard
        .pointer("/templating/list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("type").and_then(Value::as_str) == Some("query"))
        .filter_map(|v| {
            let query = match v.get("query") {
                Some(Value::String(s)) => s.clone(),
                Some(q) => q.get("query")?.as_str()?.to_string(),
                None => return None,
            };
            Some(Variable {
                name: v.get("name")?.as_str()?.to_string(),
                query,
            })
        })
        .collect()
}

/// `label_values(selector, label)` as (selector, label); None for other variable queries.
pub fn label_values_query(q: &str) -> Option<(String, String)> {
    let inner = q.trim().strip_prefix("label_values(")?.strip_suffix(')')?;
    let (sel, label) = inner.rsplit_once(',')?;
    Some((sel.trim().to_string(), label.trim().to_string()))
}

/// `expr` with `$var` / `${var}` replaced from `vars`, and Grafana's `$__rate_interval`,
/// `$__interval` and `$__range` for a dashboard refreshed every `scrape` seconds: Grafana
/// makes `$__rate_interval` at least four scrape intervals.
pub fn substitute(
    expr: &str,
    vars: &BTreeMap<String, String>,
    scrape: Duration,
    range: Duration,
) -> String {
    let ms = |d: Duration| format!("{}ms", d.as_millis());
    let mut out = expr
        .replace("$__rate_interval", &ms(scrape * 4))
        .replace("${__rate_interval}", &ms(scrape * 4))
        .replace("$__interval", &ms(scrape))
        .replace("${__interval}", &ms(scrape))
        .replace("$__range", &ms(range))
        .replace("${__range}", &ms(range));
    // Longest names first, so `$release` is not cut by a variable named `$rel`.
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for n in names {
        out = out
            .replace(&format!("${{{n}}}"), &vars[n])
            .replace(&format!("${n}"), &vars[n]);
    }
    out
}

/// A legend format (`{{pod}} used`) filled from a series' labels.
pub fn legend(format: &str, labels: &serde_json::Map<String, Value>) -> String {
    if format.is_empty() {
        let inner: Vec<String> = labels
            .iter()
            .filter(|(k, _)| *k != "__name__")
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        return format!("{{{}}}", inner.join(","));
    }
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("{{") {
        out += &rest[..i];
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out += &rest[i..];
            return out;
        };
        let name = after[..j].trim();
        out += labels.get(name).and_then(Value::as_str).unwrap_or_default();
        rest = &after[j + 2..];
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variables_and_intervals_are_substituted() {
        let vars = BTreeMap::from([
            ("namespace".to_string(), "default".to_string()),
            ("release".to_string(), "rel-redis".to_string()),
        ]);
        assert_eq!(
            substitute(
                "rate(x{namespace=\"$namespace\",job=\"${release}-haproxy\"}[$__rate_interval])",
                &vars,
                Duration::from_secs(1),
                Duration::from_secs(60)
            ),
            "rate(x{namespace=\"default\",job=\"rel-redis-haproxy\"}[4000ms])"
        );
        assert_eq!(
            label_values_query("label_values(redis_up{namespace=\"$namespace\"}, job)"),
            Some(("redis_up{namespace=\"$namespace\"}".into(), "job".into()))
        );
        assert_eq!(label_values_query("query_result(up)"), None);
    }

    #[test]
    fn legends_take_labels() {
        let labels = json!({"pod": "p-0", "slave_ip": "10.0.0.1"});
        let m = labels.as_object().unwrap();
        assert_eq!(
            legend("{{slave_ip}} behind {{pod}}", m),
            "10.0.0.1 behind p-0"
        );
        assert_eq!(legend("{{ pod }} used", m), "p-0 used");
        assert_eq!(legend("", m), "{pod=p-0,slave_ip=10.0.0.1}");
    }

    #[test]
    fn panels_in_rows_are_found() {
        let d = json!({"panels": [
            {"type": "row", "title": "r", "panels": [
                {"title": "inner", "targets": [{"expr": "up"}]}]},
            {"title": "outer", "fieldConfig": {"defaults": {"unit": "bytes"}},
             "targets": [{"expr": "a", "legendFormat": "{{pod}}"}]}
        ]});
        let p = panels(&d);
        assert_eq!(
            p.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
            ["inner", "outer"]
        );
        assert_eq!(p[1].unit, "bytes");
    }
}
