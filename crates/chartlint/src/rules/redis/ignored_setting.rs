use super::{at, diag, related, truthy, value_at};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::{push_pointer_token, Value, ValueKind};

rule! {
    id: "RHA160",
    name: "ignored-setting",
    severity: Warning,
    category: Helm,
    summary: "A setting the chart ignores because the switch that reads it is off (haproxy.* with haproxy.enabled false, ...).",
    doc: r#"
### What it checks
For every subtree the chart reads only while a switch is on (declared once in the model,
`model::gates`: `haproxy` needs `haproxy.enabled`, `exporter` needs `exporter.enabled`,
`persistentVolume` needs `persistentVolume.enabled`, ...), reports values a user file sets
below it, different from the chart's default, while the switch is off. One finding per
switch, at the first such value.

### Why it matters
The chart renders nothing from those values: `haproxy.replicas: 3` with HAProxy disabled
deploys no HAProxy, and a `persistentVolume.size` without a volume sizes nothing. The file
reads as if the setting were in force. tests/gates.rs shows for each switch that the render
does not change while it is off.

### Example
```yaml
haproxy:
  enabled: false
  replicas: 3
```

### Fix
Turn the switch on (`haproxy.enabled: true`) if you meant it, or delete the settings.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let defaults = defaults();
    let mut off: Vec<&str> = Vec::new();
    for gate in model::gates::GATES {
        // A subtree inside one whose switch is off was reported with it.
        if off
            .iter()
            .any(|o| gate.subtree.starts_with(o) && gate.subtree[o.len()..].starts_with('.'))
        {
            continue;
        }
        // Charts without the switch are not judged by it.
        let gate_ptr = pointer(gate.gate);
        if !super::present(cx, &gate_ptr) || truthy(at(cx, &gate_ptr)) {
            continue;
        }
        off.push(gate.subtree);
        let sub_ptr = pointer(gate.subtree);
        let Some(sub) = value_at(cx, &sub_ptr) else {
            continue;
        };
        let mut found = Vec::new();
        user_leaves(sub, &sub_ptr, &gate_ptr, defaults, &mut found);
        let Some(first) = found.first() else {
            continue;
        };
        let path = crate::rules::read::path(cx, first);
        let others = found.len() - 1;
        let message = if others == 0 {
            format!("`{path}` has no effect: `{}` is false", gate.gate)
        } else {
            format!(
                "`{path}` and {others} more setting(s) under `{}` have no effect: `{}` is false",
                gate.subtree, gate.gate
            )
        };
        let d = diag(&META, cx, first, message)
            .with_note(format!(
                "the chart reads `{}` only while `{}` is true",
                gate.subtree, gate.gate
            ))
            .with_help(format!(
                "set `{}: true` if you meant it, or delete the settings",
                gate.gate
            ));
        out.push(related(d, cx, &gate_ptr, "the switch is set here"));
    }
}

/// JSON pointer of a dotted path.
fn pointer(dotted: &str) -> String {
    let mut p = String::new();
    for seg in dotted.split('.') {
        push_pointer_token(&mut p, seg);
    }
    p
}

/// The chart's defaults (the model's), as JSON.
fn defaults() -> &'static serde_json::Value {
    static DEFAULTS: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DEFAULTS.get_or_init(model::schema::defaults)
}

/// Pointers of the leaves below `v` that a user file wrote with a value other than the
/// default (keys without a default are the unknown-key rule's).
fn user_leaves(
    v: &Value,
    ptr: &str,
    gate_ptr: &str,
    defaults: &serde_json::Value,
    out: &mut Vec<String>,
) {
    match &v.kind {
        ValueKind::Map(m) if !m.is_empty() => {
            for (k, e) in m {
                let mut child = ptr.to_string();
                push_pointer_token(&mut child, k);
                if child != gate_ptr {
                    user_leaves(&e.value, &child, gate_ptr, defaults, out);
                }
            }
        }
        _ => {
            if !v.loc.src.is_user() {
                return;
            }
            if let Some(default) = defaults.pointer(ptr) {
                if *default != v.to_json() {
                    out.push(ptr.to_string());
                }
            }
        }
    }
}
