use super::catalogue::Kind;
use super::{diag, directives, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

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
tests/evidence.rs; redis-facts §B.5). A unit without digits (`gb`) is silently read as 0, i.e.
no limit.

### Example
```yaml
redis:
  config:
    maxmemory: 1Gi
```

### Fix
Use a Redis unit: `maxmemory: 1gb` (the message suggests the exact equivalent).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        if d.entry.map(|e| e.kind) != Some(Kind::Memory) {
            continue;
        }
        let value = unquote(&d.value);
        let Err(e) = model::units::parse_redis_memory(value) else {
            continue;
        };
        let consequence = if e.redis_refuses() {
            "Redis refuses to start (\"argument must be a memory value\")"
        } else {
            "Redis misreads it silently"
        };
        let help = match e.suggestion() {
            Some(s) => format!("write `{}: {s}`", d.key),
            None => "write digits with an optional unit b, k, kb, m, mb, g, gb, e.g. `1gb`"
                .to_string(),
        };
        out.push(
            diag(&META, cx, &d.ptr, format!("{}: {e}; {consequence}", d.key)).with_help(help),
        );
    }
}
