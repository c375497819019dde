use super::{at, diag, redis_directive, truthy, unquote};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Context;

rule! {
    id: "RHA163",
    name: "peers-shut-out",
    severity: Error,
    category: Redis,
    summary: "protected-mode or bind in redis.config keeps replicas, Sentinels and HAProxy of other pods out.",
    doc: r#"
### What it checks
Reads the effective `protected-mode` and `bind` of `redis.config` (or `redis.customConfig`):
- `protected-mode yes` while the default user has no password (`auth: false` and no
  `requirepass`);
- `bind` to loopback addresses only (127.x, `::1`, `localhost`), an error; `bind` to other
  fixed addresses, a warning (a pod's address changes when it is rescheduled).

### Why it matters
Replicas, Sentinels, HAProxy and the exporter reach Redis from other pods' addresses. In
protected mode a server without a password answers every such client with `-DENIED Redis is
running in protected mode ...`, and a server bound to loopback refuses the connection: no
replication, no failover (tests/network_evidence.rs shows both on Redis 7.0.15, 8.2.3 and
Valkey 9.1.2). The official images default to `protected-mode no`; writing `yes` brings it
back.

### Example
```yaml
auth: false
redis:
  config:
    protected-mode: "yes"
    bind: 127.0.0.1
```

### Fix
Remove both; protect Redis with `auth: true` and a NetworkPolicy (`networkPolicy.enabled`).

### References
- redis.conf, `bind` and `protected-mode`: https://github.com/redis/redis/blob/7.2.6/redis.conf
- Redis security, protected mode: https://redis.io/docs/latest/operate/oss_and_stack/management/security/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(d) = redis_directive(cx, "protected-mode") {
        let password = truthy(at(cx, "/auth"))
            || redis_directive(cx, "requirepass").is_some_and(|p| !unquote(&p.value).is_empty());
        if unquote(&d.value).eq_ignore_ascii_case("yes") && !password {
            out.push(
                diag(&META, cx, &d.ptr, "`protected-mode yes` without a password shuts out other pods")
                    .with_note("replicas, Sentinels and HAProxy connect from other pods' addresses and get -DENIED")
                    .with_help("remove it, and set `auth: true` (with `existingSecret`) to protect Redis"),
            );
        }
    }
    if let Some(d) = redis_directive(cx, "bind") {
        let addrs: Vec<&str> = unquote(&d.value)
            .split_whitespace()
            .map(|a| a.trim_start_matches('-'))
            .collect();
        let loopback = |a: &str| a.starts_with("127.") || a == "::1" || a == "localhost";
        let wildcard = |a: &str| matches!(a, "*" | "0.0.0.0" | "::" | "::*");
        if addrs.is_empty() || addrs.iter().any(|a| wildcard(a)) {
            return;
        }
        if addrs.iter().all(|a| loopback(a)) {
            out.push(
                diag(&META, cx, &d.ptr, format!("`bind {}` listens on loopback only", addrs.join(" ")))
                    .with_note("replicas, Sentinels and HAProxy on other pods cannot connect")
                    .with_help("remove `bind` (the chart listens on every address of the pod)"),
            );
        } else {
            let mut diag = diag(&META, cx, &d.ptr, format!("`bind {}` names fixed addresses", addrs.join(" ")))
                .with_note("a pod's address changes when it is rescheduled: Redis then cannot listen on it, or other pods cannot reach it")
                .with_help("remove `bind` (the chart listens on every address of the pod)");
            diag.severity = Severity::Warning;
            out.push(diag);
        }
    }
}
