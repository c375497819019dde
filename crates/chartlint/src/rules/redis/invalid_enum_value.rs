use super::catalogue::Kind;
use super::{diag, directives, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA131",
    name: "invalid-enum-value",
    severity: Error,
    category: Redis,
    summary: "A redis.conf directive with a fixed set of values (maxmemory-policy, appendfsync, ...) has another value: Redis refuses to start.",
    doc: r#"
### What it checks
Checks the value of every enum directive of `redis.config` (`maxmemory-policy`, `appendfsync`,
`loglevel`, `repl-diskless-load`, `tls-auth-clients`, ...) against the values Redis accepts
(case-insensitive).

### Why it matters
Redis refuses to start: "argument(s) must be one of the following: ..." (observed on
redis-server 7.0.15 with `maxmemory-policy allkeys-lru-typo`, see tests/evidence.rs;
redis-facts §B.6).

### Example
```yaml
redis:
  config:
    maxmemory-policy: lru
```

### Fix
Use one of the values listed in the message.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        let Some(Kind::Enum(values)) = d.entry.map(|e| e.kind) else {
            continue;
        };
        let v = unquote(&d.value);
        let words: Vec<&str> = v.split_whitespace().collect();
        // shutdown-on-* take several flags; the others exactly one word.
        let ok = !words.is_empty()
            && (words.len() == 1 || d.key.starts_with("shutdown-on-"))
            && words
                .iter()
                .all(|w| values.iter().any(|x| x.eq_ignore_ascii_case(w)));
        if ok {
            continue;
        }
        let help = match super::suggest(v, values.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("use one of: {}", values.join(", ")),
        };
        out.push(
            diag(&META, cx, &d.ptr, format!("`{} {v}`: Redis accepts only {} and refuses to start (\"argument(s) must be one of the following\")", d.key, values.join(", ")))
                .with_help(help),
        );
    }
}
