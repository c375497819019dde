use super::{diag, haproxy_enabled, value_at};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::{Value, View};

rule! {
    id: "RHA152",
    name: "pod-security-restricted",
    severity: Warning,
    category: Security,
    summary:
        "A container securityContext breaks the Pod Security Standards \"restricted\" profile.",
    doc: r#"
### What it checks
Checks `containerSecurityContext` (every container of the Redis pods) with `securityContext`,
and `haproxy.containerSecurityContext` with `haproxy.securityContext` when HAProxy is enabled,
against the "restricted" profile: `runAsNonRoot: true`, `allowPrivilegeEscalation: false`,
`capabilities.drop` containing `ALL`, and a `seccompProfile` of `RuntimeDefault` or
`Localhost` (container or pod level), and no `privileged: true`.

### Why it matters
Namespaces labelled `pod-security.kubernetes.io/enforce: restricted` reject such pods: the
StatefulSet or Deployment then creates no pod at all. Elsewhere the container keeps privileges
Redis never needs.

### Example
```yaml
containerSecurityContext:
  allowPrivilegeEscalation: true
```

### Fix
Keep the chart defaults (`runAsNonRoot: true`, `allowPrivilegeEscalation: false`,
`capabilities.drop: [ALL]`, `seccompProfile.type: RuntimeDefault`).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut sets = vec![(
        "/containerSecurityContext",
        "/securityContext",
        "Redis pod containers",
    )];
    if haproxy_enabled(cx) {
        sets.push((
            "/haproxy/containerSecurityContext",
            "/haproxy/securityContext",
            "HAProxy containers",
        ));
    }
    for (container, pod, what) in sets {
        if !super::present(cx, container) {
            continue;
        }
        // Each context looked up once; its keys read below it (no pointer built per key).
        let (container_ctx, pod_ctx) = (value_at(cx, container), value_at(cx, pod));
        let c = |k: &str| container_ctx.and_then(|v| v.pointer(k)).map(Value::view);
        let p = |k: &str| pod_ctx.and_then(|v| v.pointer(k)).map(Value::view);
        let is_bool =
            |v: Option<View<'_>>, want: bool| matches!(v, Some(View::Bool(b)) if b == want);
        let mut missing = Vec::new();
        if is_bool(c("/privileged"), true) {
            missing.push("privileged must not be true");
        }
        if !is_bool(c("/runAsNonRoot").or_else(|| p("/runAsNonRoot")), true) {
            missing.push("runAsNonRoot: true");
        }
        if !is_bool(c("/allowPrivilegeEscalation"), false) {
            missing.push("allowPrivilegeEscalation: false");
        }
        let drops_all = matches!(c("/capabilities/drop"), Some(View::Array(a)) if a.iter().any(|v| v.view().as_str() == Some("ALL")));
        if !drops_all {
            missing.push("capabilities.drop: [ALL]");
        }
        let seccomp = c("/seccompProfile/type")
            .or_else(|| p("/seccompProfile/type"))
            .and_then(|v| v.as_str());
        if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
            missing.push("seccompProfile.type: RuntimeDefault");
        }
        if missing.is_empty() {
            continue;
        }
        out.push(
            diag(&META, cx, container, format!("{what} break the Pod Security \"restricted\" profile (needs {}): namespaces enforcing it reject the pods", missing.join(", ")))
                .with_help("keep the chart's default securityContext values"),
        );
    }
}
