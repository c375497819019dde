use super::catalogue::Kind;
use super::{diag, directives, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA133",
    name: "invalid-integer-value",
    severity: Error,
    category: Redis,
    summary: "An integer redis.conf directive has a unit, a fraction or a value below its minimum: Redis refuses to start.",
    doc: r#"
### What it checks
Checks the value of every integer directive of `redis.config` (`min-replicas-to-write`,
`min-replicas-max-lag`, `timeout`, `hz`, ...): an optionally signed whole number, at least the
minimum Redis enforces.

### Why it matters
Redis refuses to start: "argument couldn't be parsed into an integer" for `5s` or `1e+06`, and
"argument must be between 0 and 2147483647 inclusive" for `min-replicas-to-write -1` (observed
on redis-server 7.0.15, see tests/evidence.rs; redis-facts §B.9, §B.10).

### Example
```yaml
redis:
  config:
    min-replicas-max-lag: 5s
```

### Fix
Write a whole number in the directive's unit (seconds for min-replicas-max-lag): `5`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        let Some(Kind::Int(min)) = d.entry.map(|e| e.kind) else {
            continue;
        };
        let v = unquote(&d.value);
        let message = match v.parse::<i64>() {
            Ok(n) if n >= min => continue,
            Ok(n) => format!("`{} {n}` is below {min}: Redis refuses to start (\"argument must be between {min} and ...\")", d.key),
            Err(_) => format!("`{} {v}` is not a whole number: Redis refuses to start (\"argument couldn't be parsed into an integer\")", d.key),
        };
        out.push(
            diag(&META, cx, &d.ptr, message).with_help("write a whole number without a unit"),
        );
    }
}
