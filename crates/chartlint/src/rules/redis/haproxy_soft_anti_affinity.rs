use super::soft_anti_affinity::custom_affinity;
use super::{at, diag, haproxy_enabled, int_at, truthy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub(super) static META: RuleMeta = RuleMeta {
    id: "RHA138",
    name: "haproxy-soft-anti-affinity",
    severity: Severity::Warning,
    category: Category::Availability,
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
};

pub(super) struct HaproxySoftAntiAffinity;

impl Rule for HaproxySoftAntiAffinity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !haproxy_enabled(cx)
            || !super::present(cx, "/haproxy/hardAntiAffinity")
            || int_at(cx, "/haproxy/replicas").unwrap_or(0) < 2
            || truthy(at(cx, "/haproxy/hardAntiAffinity"))
            || custom_affinity(at(cx, "/haproxy/affinity"))
        {
            return;
        }
        out.push(
            diag(&META, cx, "/haproxy/hardAntiAffinity", "HAProxy pods only prefer different nodes: they may share one, and its loss cuts every client off although Redis fails over")
                .with_help("set `haproxy.hardAntiAffinity: true`"),
        );
    }
}
