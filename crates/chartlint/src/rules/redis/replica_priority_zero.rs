use super::{diag, redis_directive, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA162",
    name: "replica-priority-zero",
    severity: Error,
    category: Sentinel,
    summary: "replica-priority 0 in redis.config makes every pod ineligible for promotion: no failover ever succeeds.",
    doc: r#"
### What it checks
Reports an effective `replica-priority` (or `slave-priority`) of 0 in `redis.config` or
`redis.customConfig`.

### Why it matters
Every pod gets the same redis.conf, and Sentinel never promotes a replica whose priority is 0.
When the master fails, Sentinel finds no candidate and aborts with
`-failover-abort-no-good-slave`, again and again (tests/failover_evidence.rs shows it on Redis
7.0.15, 8.2.3 and Valkey 9.1.2). To keep particular pods from being promoted, the chart has
`ro_replicas`.

### Example
```yaml
redis:
  config:
    replica-priority: 0
```

### Fix
Remove it (the default is 100); use `ro_replicas` for the pods that must never become master.

### References
- Redis Sentinel, replica selection and priority: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(d) = redis_directive(cx, "replica-priority") else {
        return;
    };
    if unquote(&d.value).trim() != "0" {
        return;
    }
    out.push(
        diag(&META, cx, &d.ptr, format!("`{} 0` on every pod: no replica can be promoted", d.key))
            .with_note("Sentinel aborts every failover with -failover-abort-no-good-slave")
            .with_help("remove it; use `ro_replicas` for pods that must never become master"),
    );
}
