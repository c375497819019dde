use super::{at, diag};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::{escape_pointer, Value, ValueKind, View};

rule! {
    id: "RHA124",
    name: "invalid-kubernetes-quantity",
    severity: Error,
    category: Memory,
    summary: "A resources or PVC size that is not a Kubernetes quantity (`1gb`, `1G B`) or a fractional memory amount (`512m`).",
    doc: r#"
### What it checks
Parses every `resources.requests`/`resources.limits` memory and CPU value anywhere in the values,
and `persistentVolume.size`, with apimachinery's quantity grammar (case-sensitive suffixes
`Ki Mi Gi Ti Pi Ei`, `n u m k M G T P E`, or an exponent).

### Why it matters
The API server rejects `1gb`, `1GB`, `1g`, `1K` or `1GiB` and the install fails; `512m` is
0.512 *bytes* (m is milli), which the API server only warns about, and a container limited to
one byte never starts. Redis units and Kubernetes units differ: `1g` is valid
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

### References
- redis.conf, units: https://github.com/redis/redis/blob/7.2.6/redis.conf
- Kubernetes quantities: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
- Observed on Redis 7.0.15, 8.2.3 and Valkey 9.1.2: tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    walk(&cx.merged.tree, &mut Vec::new(), &mut found);
    if let Some(View::String(s)) = at(cx, "/persistentVolume/size") {
        found.push(("/persistentVolume/size".to_string(), "memory", s));
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

/// Collect string quantities under `resources.{requests,limits}.{memory,cpu}`. The whole
/// merged tree is walked for every file, so the path is kept as a stack of borrowed tokens and
/// only turned into a pointer for a quantity found.
fn walk<'j>(
    v: &'j Value,
    path: &mut Vec<Token<'j>>,
    found: &mut Vec<(String, &'static str, &'j str)>,
) {
    match &v.kind {
        ValueKind::Map(m) => {
            for (k, e) in m {
                let child = &*e.value;
                if k == "resources" {
                    for class in ["requests", "limits"] {
                        for kind in ["memory", "cpu"] {
                            let at = child.get(class).and_then(|c| c.get(kind));
                            if let Some(View::String(s)) = at.map(Value::view) {
                                path.push(Token::Key(k));
                                found.push((format!("{}/{class}/{kind}", pointer(path)), kind, s));
                                path.pop();
                            }
                        }
                    }
                    continue;
                }
                if matches!(child.kind, ValueKind::Map(_) | ValueKind::List(_)) {
                    path.push(Token::Key(k));
                    walk(child, path, found);
                    path.pop();
                }
            }
        }
        ValueKind::List(items) => {
            for (i, child) in items.iter().enumerate() {
                if matches!(child.kind, ValueKind::Map(_) | ValueKind::List(_)) {
                    path.push(Token::Index(i));
                    walk(child, path, found);
                    path.pop();
                }
            }
        }
        ValueKind::Scalar(_) => {}
    }
}

/// One step of a JSON pointer.
enum Token<'j> {
    Key(&'j str),
    Index(usize),
}

fn pointer(path: &[Token<'_>]) -> String {
    let mut out = String::new();
    for t in path {
        out.push('/');
        match t {
            Token::Key(k) => out.push_str(&escape_pointer(k)),
            Token::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}
