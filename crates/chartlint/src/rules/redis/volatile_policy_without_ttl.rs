use super::{diag, redis_directive, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA125",
    name: "volatile-policy-without-ttl",
    severity: Info,
    category: Memory,
    summary: "A volatile-* maxmemory-policy evicts only keys with a TTL; without any, writes fail with OOM errors.",
    doc: r#"
### What it checks
Reports a `volatile-lru`, `volatile-lfu`, `volatile-random` or `volatile-ttl` policy while
maxmemory is set.

### Why it matters
The volatile policies only evict keys that have an expire. When no key has one they behave like
`noeviction`: at maxmemory, writes fail with "OOM command not allowed when used memory >
'maxmemory'." (Redis's reply). That is right for a store that must not lose keys,
wrong for a cache that sets no TTLs.

### Example
```yaml
redis:
  config:
    maxmemory: 1gb
    maxmemory-policy: volatile-lru
```

### Fix
For a cache use `allkeys-lru` or `allkeys-lfu`; keep volatile-* only if every evictable key has a
TTL.

### References
- Key eviction, policies: https://redis.io/docs/latest/develop/reference/eviction/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(policy) = redis_directive(cx, "maxmemory-policy") else {
        return;
    };
    let name = unquote(&policy.value).to_ascii_lowercase();
    let maxmemory = redis_directive(cx, "maxmemory")
        .and_then(|d| model::units::parse_redis_memory(unquote(&d.value)).ok())
        .unwrap_or(0);
    if !name.starts_with("volatile-") || maxmemory == 0 {
        return;
    }
    out.push(
        diag(&META, cx, &policy.ptr, format!("maxmemory-policy {name} evicts only keys with a TTL"))
            .with_note("if your keys have none, writes fail with OOM errors at maxmemory, as with noeviction")
            .with_help("use `allkeys-lru` (or `allkeys-lfu`) for a cache; keep volatile-* if every evictable key has a TTL"),
    );
}
