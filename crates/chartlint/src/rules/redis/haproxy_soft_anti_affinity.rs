use super::soft_anti_affinity::custom_affinity;
use super::{at, diag, haproxy_enabled, int_at, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA138",
    name: "haproxy-soft-anti-affinity",
    severity: Warning,
    category: Availability,
    summary: "HAProxy pods only prefer different nodes: one node failure can take every HAProxy.",
    doc: r#"
### What it checks
Reports `haproxy.hardAntiAffinity: false` without a custom `haproxy.affinity` when HAProxy is
enabled with 2 or more replicas.

### Why it matters
HAProxy is the clients' only endpoint. With preferred anti-affinity the replicas may share a
node, and that node's loss cuts every client off even though Redis failed over.

### Example
```yaml
haproxy:
  enabled: true
  hardAntiAffinity: false
```

### Fix
Set `haproxy.hardAntiAffinity: true`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !haproxy_enabled(cx)
        || !super::present(cx, "/haproxy/hardAntiAffinity")
        || int_at(cx, "/haproxy/replicas").unwrap_or(0) < 2
        || truthy(at(cx, "/haproxy/hardAntiAffinity"))
        || custom_affinity(at(cx, "/haproxy/affinity"))
    {
        return;
    }
    out.push(
        diag(&META, cx, "/haproxy/hardAntiAffinity", "HAProxy pods only prefer different nodes")
            .with_note("they may share one node, and losing it cuts every client off although Redis fails over")
            .with_help("set `haproxy.hardAntiAffinity: true`"),
    );
}
