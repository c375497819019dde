use super::{diag, redis_directive, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA126",
    name: "eviction-policy-without-maxmemory",
    severity: Info,
    category: Memory,
    summary: "An eviction policy with maxmemory 0 has no effect.",
    doc: r#"
### What it checks
Reports a `maxmemory-policy` other than `noeviction` while maxmemory is 0 or unset.

### Why it matters
Redis evicts only when it reaches maxmemory; with 0 (unlimited) it never does, so the policy
does nothing. The public chart's defaults (`volatile-lru` with maxmemory 0)
look configured but are not.

### Example
```yaml
redis:
  config:
    maxmemory: "0"
    maxmemory-policy: allkeys-lru
```

### Fix
Set maxmemory (see the sized variants), or drop the policy.

### References
- Key eviction, policies: https://redis.io/docs/latest/develop/reference/eviction/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(policy) = redis_directive(cx, "maxmemory-policy") else {
        return;
    };
    let name = unquote(&policy.value).to_ascii_lowercase();
    let maxmemory = match redis_directive(cx, "maxmemory") {
        Some(d) => match model::units::parse_redis_memory(unquote(&d.value)) {
            Ok(b) => b,
            Err(_) => return,
        },
        None => 0,
    };
    if name == "noeviction" || maxmemory != 0 {
        return;
    }
    out.push(
        diag(&META, cx, &policy.ptr, format!("maxmemory-policy {name} has no effect: maxmemory is 0 (unlimited), so Redis never evicts"))
            .with_help("set redis.config.maxmemory, or remove the policy"),
    );
}
