use super::{at, diag, haproxy_enabled, quantity_bytes, related, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::View;

rule! {
    id: "RHA121",
    name: "memory-request-not-limit",
    severity: Warning,
    category: Memory,
    summary: "Memory or CPU requests differ from the limits: the pod is not Guaranteed QoS.",
    doc: r#"
### What it checks
For the redis, sentinel, HAProxy, exporter, split-brain-fix and init containers, reports a
memory or CPU request that differs from the limit set next to it.

### Why it matters
Redis memory is not reclaimable. A request below the limit lets the scheduler put more on the
node than it has; under memory pressure Burstable pods are evicted or OOM-killed before
Guaranteed ones, and the master may be the victim. Guaranteed QoS needs requests equal to limits
in every container of the pod. A CPU request below its limit also makes the pod Burstable: it
gets no exclusive cores under the kubelet's static CPU manager policy, and above its request it
competes with the node's other pods for CPU.

### References
- Pod Quality of Service classes: https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/
- Node-pressure eviction: https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/
- CPU management policies: https://kubernetes.io/docs/tasks/administer-cluster/cpu-management-policies/

### Example
```yaml
redis:
  resources:
    requests:
      memory: 64Mi
    limits:
      memory: 1024Mi
```

### Fix
Set each request equal to its limit (the sized variants do).
"#,
}

/// Containers whose resources this chart exposes, with when they are deployed.
const CONTAINERS: [(&str, &str, &str); 7] = [
    ("/redis/resources", "redis", ""),
    ("/sentinel/resources", "sentinel", ""),
    ("/haproxy/resources", "haproxy", "/haproxy/enabled"),
    ("/exporter/resources", "exporter", "/exporter/enabled"),
    ("/splitBrainDetection/resources", "split-brain-fix", ""),
    ("/init/resources", "config-init", ""),
    (
        "/haproxy/init/resources",
        "haproxy config-init",
        "/haproxy/enabled",
    ),
];

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (base, name, gate) in CONTAINERS {
        if !gate.is_empty() && !truthy(at(cx, gate)) {
            continue;
        }
        if gate == "/haproxy/enabled" && !haproxy_enabled(cx) {
            continue;
        }
        // One lookup of the container's resources; pointers are built only for a finding.
        let resources = super::value_at(cx, base);
        let value = |class: &str, resource: &str| resources?.get(class)?.get(resource);
        for (resource, parse) in [
            ("memory", quantity_bytes as fn(View<'_>) -> Option<u64>),
            ("cpu", super::cpu_millis),
        ] {
            let (req_value, lim_value) =
                (value("requests", resource), value("limits", resource));
            let (Some(req), Some(lim)) = (
                req_value.and_then(|v| parse(v.view())),
                lim_value.and_then(|v| parse(v.view())),
            ) else {
                continue;
            };
            if req == lim {
                continue;
            }
            let req_ptr = format!("{base}/requests/{resource}");
            let lim_ptr = format!("{base}/limits/{resource}");
            let d = diag(
                &META,
                cx,
                &req_ptr,
                format!(
                    "{name} container: {resource} request {} differs from its limit {}",
                    req_value.map(super::conf_text).unwrap_or_default(),
                    lim_value.map(super::conf_text).unwrap_or_default()
                ),
            )
            .with_note("the pod is Burstable, not Guaranteed")
            .with_note(if resource == "memory" {
                "under node memory pressure the kubelet evicts, and the kernel OOM-kills, Burstable pods before Guaranteed ones"
            } else {
                "a Burstable pod gets no exclusive CPUs (kubelet static CPU manager), and above its request it competes for CPU with the node's other pods"
            })
            .with_help(format!("set requests.{resource} equal to limits.{resource}"));
            out.push(related(d, cx, &lim_ptr, "the limit is set here"));
            break;
        }
    }
}
