use super::{at, diag, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA151",
    name: "privileged-sysctl-init",
    severity: Warning,
    category: Security,
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
Set `sysctlImage.enabled: false` and tune the nodes (`net.core.somaxconn`, THP) with the node
configuration. `net.core.somaxconn` is namespaced but not in the kubelet's safe set: a pod that
sets it in `securityContext.sysctls` is rejected unless the node's kubelet runs with
`--allowed-unsafe-sysctls=net.core.somaxconn`.

### References
- Using sysctls in a Kubernetes cluster (safe and unsafe sysctls):
  https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
- Pod Security Standards: https://kubernetes.io/docs/concepts/security/pod-security-standards/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !truthy(at(cx, "/sysctlImage/enabled")) {
        return;
    }
    out.push(
        diag(&META, cx, "/sysctlImage/enabled", "sysctlImage runs a privileged root init container in every Redis pod")
            .with_note("it can take over the node, changes kernel settings for every workload there, and Pod Security baseline/restricted reject it")
            .with_note("net.core.somaxconn is not one of the kubelet's safe sysctls: set through `securityContext.sysctls`, it needs `--allowed-unsafe-sysctls=net.core.somaxconn` on the nodes' kubelet, or the pods are rejected")
            .with_help("set `sysctlImage.enabled: false` and tune the nodes (somaxconn, THP) where you run them"),
    );
}
