//! Settings that take effect only while another setting is on: one declaration per gated
//! subtree, read by chartlint's ignored-setting rule and written into the schema's
//! descriptions (and from there into values.yaml and the READMEs). tests/gates.rs renders the
//! chart with each gate off and on to show that the subtree's settings change nothing while
//! it is off.

use serde_json::Value;

/// A subtree of the values whose settings the templates read only while `gate` is true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// Dotted path of the subtree (`haproxy`).
    pub subtree: &'static str,
    /// Dotted path of the boolean that switches it (`haproxy.enabled`).
    pub gate: &'static str,
}

const fn g(subtree: &'static str, gate: &'static str) -> Gate {
    Gate { subtree, gate }
}

/// Every gate, outer subtrees before the subtrees inside them.
pub const GATES: &[Gate] = &[
    g("persistentVolume", "persistentVolume.enabled"),
    g("haproxy", "haproxy.enabled"),
    g("haproxy.tls", "haproxy.tls.enabled"),
    g("haproxy.readOnly", "haproxy.readOnly.enabled"),
    g("haproxy.metrics", "haproxy.metrics.enabled"),
    g(
        "haproxy.metrics.serviceMonitor",
        "haproxy.metrics.serviceMonitor.enabled",
    ),
    g("haproxy.networkPolicy", "haproxy.networkPolicy.enabled"),
    g("exporter", "exporter.enabled"),
    g("exporter.serviceMonitor", "exporter.serviceMonitor.enabled"),
    g("prometheusRule", "prometheusRule.enabled"),
    g("networkPolicy", "networkPolicy.enabled"),
    g("sysctlImage", "sysctlImage.enabled"),
];

/// The gates a dotted path lies under (its own gate switch excluded), outermost first.
pub fn gates_of(path: &str) -> Vec<&'static Gate> {
    GATES
        .iter()
        .filter(|g| {
            path != g.gate
                && path
                    .strip_prefix(g.subtree)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .collect()
}

/// "Used only when `a` is true." / "... when `a` and `b` are true."
pub fn only_when(gates: &[&Gate]) -> Option<String> {
    let names: Vec<String> = gates.iter().map(|g| format!("`{}`", g.gate)).collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("Used only when {one} is true.")),
        [head @ .., last] => Some(format!(
            "Used only when {} and {last} are true.",
            head.join(", ")
        )),
    }
}

/// Append the "used only when" sentence to the description of every documented setting
/// below a gate (the inlined schema that [`crate::schema::values_schema`] builds).
pub fn annotate(schema: &mut Value) {
    annotate_node(schema, "");
}

fn annotate_node(node: &mut Value, prefix: &str) {
    let Some(props) = node.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (key, child) in props.iter_mut() {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if child.get("properties").is_some() {
            annotate_node(child, &path);
            continue;
        }
        let Some(sentence) = only_when(&gates_of(&path)) else {
            continue;
        };
        if let Some(obj) = child.as_object_mut() {
            let text = match obj.get("description").and_then(Value::as_str) {
                Some(d) if !d.is_empty() => format!("{} {sentence}", d.trim_end()),
                _ => sentence,
            };
            obj.insert("description".into(), Value::String(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gate_is_a_boolean_of_the_schema() {
        let schema = crate::schema::values_schema();
        for g in GATES {
            let path: Vec<&str> = g.gate.split('.').collect();
            let node = crate::schema_nav::node_at(&schema, &path)
                .unwrap_or_else(|| panic!("{} is not in the schema", g.gate));
            assert!(node.allows_type("boolean"), "{} is not a boolean", g.gate);
            let sub: Vec<&str> = g.subtree.split('.').collect();
            assert!(
                crate::schema_nav::node_at(&schema, &sub).is_some(),
                "{}",
                g.subtree
            );
        }
    }

    #[test]
    fn nested_gates_are_listed_outermost_first() {
        let gates: Vec<&str> = gates_of("haproxy.metrics.serviceMonitor.interval")
            .iter()
            .map(|g| g.gate)
            .collect();
        assert_eq!(
            gates,
            [
                "haproxy.enabled",
                "haproxy.metrics.enabled",
                "haproxy.metrics.serviceMonitor.enabled"
            ]
        );
        assert!(gates_of("haproxy.enabled").is_empty());
        assert_eq!(gates_of("haproxy.tls.enabled").len(), 1);
        assert!(gates_of("haproxyx.replicas").is_empty());
        assert_eq!(
            only_when(&gates_of("haproxy.replicas")).as_deref(),
            Some("Used only when `haproxy.enabled` is true.")
        );
    }
}
