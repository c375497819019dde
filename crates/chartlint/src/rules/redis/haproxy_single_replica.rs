use super::{diag, haproxy_enabled, int_at};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub(super) static META: RuleMeta = RuleMeta {
    id: "RHA139",
    name: "haproxy-single-replica",
    severity: Severity::Warning,
    category: Category::Availability,
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
};

pub(super) struct HaproxySingleReplica;

impl Rule for HaproxySingleReplica {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
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
            diag(&META, cx, "/haproxy/replicas", format!("haproxy.replicas {n}: every client connects through this single HAProxy pod, so its restart or eviction is an outage"))
                .with_help("set `haproxy.replicas: 3`"),
        );
    }
}
