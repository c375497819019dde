use super::catalogue;
use super::{diag_key, directives};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::escape_pointer;

rule! {
    id: "RHA130",
    name: "unknown-redis-directive",
    severity: Error,
    category: Redis,
    summary: "A redis.config key that is not a Redis 7 directive: Redis refuses to start.",
    doc: r#"
### What it checks
Looks up every key of `redis.config` in the directive catalogue (Redis 7, old `slave-*` and
`*-ziplist-*` names included, case-insensitive) and suggests the closest name.

### Why it matters
The chart writes each key as a redis.conf line, and Redis refuses to start on an unknown
directive: "Bad directive or wrong number of arguments" (observed on redis-server 7.0.15 with
`maxmemory-polcy`, see tests/evidence.rs; redis-facts §B.10). The pods crash-loop.

### Example
```yaml
redis:
  config:
    maxmemory-polcy: allkeys-lru
```

### Fix
Correct the spelling (the message suggests the directive).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for d in directives(cx, "redis") {
        if d.entry.is_some() || !seen.insert(d.key.clone()) {
            continue;
        }
        let help = match super::suggest(&d.key, catalogue::redis_names()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "remove it, or check the directive in the redis.conf of your Redis version"
                .to_string(),
        };
        let ptr = format!("/redis/config/{}", escape_pointer(&d.key));
        out.push(
            diag_key(&META, cx, &ptr, format!("`{}` is not a Redis directive: Redis refuses to start (\"Bad directive or wrong number of arguments\")", d.key))
                .with_help(help),
        );
    }
}
