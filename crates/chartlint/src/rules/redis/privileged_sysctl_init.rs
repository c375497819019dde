use super::{at, diag, truthy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub(super) static META: RuleMeta = RuleMeta {
    id: "RHA151",
    name: "privileged-sysctl-init",
    severity: Severity::Warning,
    category: Category::Security,
    summary: "sysctlImage.enabled runs a privileged init container as root in every Redis pod.",
    doc: r#"
### What it checks
Reports `sysctlImage.enabled: true`.

### Why it matters
The init container runs privileged as root to write node-wide kernel settings
(`net.core.somaxconn`, transparent huge pages). A privileged container can take over the node;
the Pod Security Standards "baseline" and "restricted" profiles reject the pod, and the change
silently affects every other workload on the node.

### Example
```yaml
sysctlImage:
  enabled: true
  command: [/bin/sh, -c, "sysctl -w net.core.somaxconn=10000"]
```

### Fix
Set namespaced sysctls with `securityContext.sysctls` (`net.core.somaxconn` is namespaced and
safe since Kubernetes 1.22) and tune the nodes (THP) with the node configuration, then set
`sysctlImage.enabled: false`.
"#,
};

pub(super) struct PrivilegedSysctlInit;

impl Rule for PrivilegedSysctlInit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !truthy(at(cx, "/sysctlImage/enabled")) {
            return;
        }
        out.push(
            diag(&META, cx, "/sysctlImage/enabled", "sysctlImage runs a privileged root init container in every Redis pod: it can take over the node, changes kernel settings for every workload there, and Pod Security baseline/restricted reject it")
                .with_help("use `securityContext.sysctls` for net.core.somaxconn, tune THP on the nodes, and set `sysctlImage.enabled: false`"),
        );
    }
}
