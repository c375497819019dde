use super::{diag, directives, is_memory_directive, read_line, refusal_finding, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::directives::{Catalogue, Kind, Refusal};

rule! {
    id: "RHA122",
    name: "invalid-redis-memory-value",
    severity: Error,
    category: Memory,
    summary: "A redis.conf memory value Redis cannot read (`1Gi`, `1.5gb`, `1e+09`): Redis refuses to start.",
    doc: r#"
### What it checks
Parses every memory directive of `redis.config` (`maxmemory`, `repl-backlog-size`,
`client-query-buffer-limit`, ...) as Redis's `memtoull` does: digits with an optional unit
`b k kb m mb g gb`, case-insensitive.

### Why it matters
Kubernetes units, decimals, exponents, signs and spaces are refused and Redis does not start:
"argument must be a memory value" (observed on redis-server 7.0.15 with `maxmemory 1Gi`, see
tests/chartlint_evidence.rs). A unit without digits (`gb`) is silently read as 0, i.e.
no limit.

### Example
```yaml
redis:
  config:
    maxmemory: 1Gi
```

### Fix
Use a Redis unit: `maxmemory: 1gb` (the message suggests the exact equivalent).

### References
- redis.conf, units: https://github.com/redis/redis/blob/7.2.6/redis.conf
- Kubernetes quantities: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
- Observed on Redis 7.0.15, 8.2.3 and Valkey 9.1.2: tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        let reading = read_line(cx, d);
        let pick = |c: &Catalogue, r: &Refusal| match r {
            Refusal::NotMemory | Refusal::NotMemoryOrPercent => true,
            Refusal::OutOfRange { .. } => c
                .get(&d.key)
                .is_some_and(|e| matches!(e.kind, Kind::Memory | Kind::MemoryPercent)),
            _ => false,
        };
        let value = unquote(&d.value);
        let suggestion = model::units::parse_redis_memory(value)
            .err()
            .and_then(|e| e.suggestion().map(|s| format!("write `{}: {s}`", d.key)));
        let help = suggestion.unwrap_or_else(|| {
            "write digits with an optional unit b, k, kb, m, mb, g, gb, e.g. `1gb`".to_string()
        });
        if let Some(diag) =
            refusal_finding(&META, cx, d, reading, pick, "not a memory value Redis reads", false)
        {
            out.push(diag.with_help(help));
            continue;
        }
        // Read without complaint but not as meant: a unit without digits (`gb`) is 0.
        if is_memory_directive(&d.key) {
            if let Err(e) = model::units::parse_redis_memory(value) {
                if !e.redis_refuses() {
                    out.push(
                        diag(&META, cx, &d.ptr, format!("`{} {value}`: {e}", d.key))
                            .with_note("Redis reads it without complaint, as another value")
                            .with_help(help),
                    );
                }
            }
        }
    }
}
