use super::{at, diag};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};
use serde_json::Value as Json;

pub(super) static META: RuleMeta = RuleMeta {
    id: "RHA124",
    name: "invalid-kubernetes-quantity",
    severity: Severity::Error,
    category: Category::Memory,
    summary: "A resources or PVC size that is not a Kubernetes quantity (`1gb`, `1G B`) or a fractional memory amount (`512m`).",
    doc: r#"
### What it checks
Parses every `resources.requests`/`resources.limits` memory and CPU value anywhere in the values,
and `persistentVolume.size`, with apimachinery's quantity grammar (case-sensitive suffixes
`Ki Mi Gi Ti Pi Ei`, `n u m k M G T P E`, or an exponent).

### Why it matters
The API server rejects `1gb`, `1GB`, `1g`, `1K` or `1GiB` and the install fails; `512m` is
0.512 *bytes* (m is milli), which the API server only warns about, and a container limited to
one byte never starts (redis-facts §B.5). Redis units and Kubernetes units differ: `1g` is valid
for Redis and invalid for Kubernetes.

### Example
```yaml
redis:
  resources:
    limits:
      memory: 1gb
```

### Fix
Use Kubernetes suffixes: `1Gi`, `512Mi`.
"#,
};

pub(super) struct InvalidKubernetesQuantity;

impl Rule for InvalidKubernetesQuantity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut found = Vec::new();
        walk(&cx.merged.json, &mut String::new(), &mut found);
        if let Some(Json::String(s)) = at(cx, "/persistentVolume/size") {
            found.push(("/persistentVolume/size".to_string(), "memory", s.as_str()));
        }
        for (ptr, kind, value) in found {
            let result = if kind == "cpu" {
                model::units::parse_cpu_quantity(value.trim()).map(|_| ())
            } else {
                model::units::parse_memory_quantity(value.trim()).map(|_| ())
            };
            if let Err(e) = result {
                out.push(
                    diag(
                        &META,
                        cx,
                        &ptr,
                        format!("{e}; the API server rejects it or the container cannot start"),
                    )
                    .with_help(if kind == "cpu" {
                        "write CPU as `500m` or `1`"
                    } else {
                        "write memory as `512Mi` or `2Gi`"
                    }),
                );
            }
        }
    }
}

/// Collect string quantities under `resources.{requests,limits}.{memory,cpu}`. The whole
/// merged tree is walked for every file, so the pointer is built in one buffer (`ptr`, restored
/// on return) and only copied for a quantity found.
fn walk<'j>(v: &'j Json, ptr: &mut String, found: &mut Vec<(String, &'static str, &'j str)>) {
    let len = ptr.len();
    match v {
        Json::Object(m) => {
            for (k, child) in m {
                ptr.push('/');
                push_escaped(ptr, k);
                if k == "resources" {
                    if let Json::Object(res) = child {
                        for class in ["requests", "limits"] {
                            for (kind, name) in [("memory", "memory"), ("cpu", "cpu")] {
                                if let Some(Json::String(s)) =
                                    res.get(class).and_then(|c| c.get(name))
                                {
                                    found.push((format!("{ptr}/{class}/{name}"), kind, s));
                                }
                            }
                        }
                    }
                } else {
                    walk(child, ptr, found);
                }
                ptr.truncate(len);
            }
        }
        Json::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                ptr.push('/');
                ptr.push_str(&i.to_string());
                walk(child, ptr, found);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

/// Append a map key escaped for a JSON pointer (as [`crate::values::escape_pointer`]).
fn push_escaped(ptr: &mut String, key: &str) {
    for c in key.chars() {
        match c {
            '~' => ptr.push_str("~0"),
            '/' => ptr.push_str("~1"),
            c => ptr.push(c),
        }
    }
}
