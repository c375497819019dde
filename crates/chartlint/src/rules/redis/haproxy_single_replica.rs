use super::{diag, haproxy_enabled, int_at};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA139",
    name: "haproxy-single-replica",
    severity: Warning,
    category: Availability,
    summary:
        "HAProxy enabled with fewer than 2 replicas: the clients' only endpoint is a single pod.",
    doc: r#"
### What it checks
Reports `haproxy.replicas` below 2 when `haproxy.enabled` is true.

### Why it matters
Clients connect only through HAProxy. With one replica, its restart, eviction or node failure is
an outage for every client, however well Redis fails over.

### Example
```yaml
haproxy:
  enabled: true
  replicas: 1
```

### Fix
Run `haproxy.replicas: 3` with hard anti-affinity.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !haproxy_enabled(cx) {
        return;
    }
    let Some(n) = int_at(cx, "/haproxy/replicas") else {
        return;
    };
    if n >= 2 {
        return;
    }
    out.push(
        diag(&META, cx, "/haproxy/replicas", format!("a single HAProxy pod (haproxy.replicas {n})"))
            .with_note("every client connects through it: its restart or eviction is an outage for all of them")
            .with_help("set `haproxy.replicas: 3`"),
    );
}
