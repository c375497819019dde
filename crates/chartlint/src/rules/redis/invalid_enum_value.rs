use super::{directives, read_line, refusal_finding, suggest, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::directives::Refusal;

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
redis-server 7.0.15 with `maxmemory-policy allkeys-lru-typo`, see tests/chartlint_evidence.rs).

### Example
```yaml
redis:
  config:
    maxmemory-policy: lru
```

### Fix
Use one of the values listed in the message.

### References
- Key eviction, policies: https://redis.io/docs/latest/develop/reference/eviction/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        let reading = read_line(cx, d);
        let pick = |_: &model::directives::Catalogue, r: &Refusal| matches!(r, Refusal::NotOneOf(_));
        let Some(diag) = refusal_finding(&META, cx, d, reading, pick, "not an accepted value", false)
        else {
            continue;
        };
        let values: Vec<&str> = reading
            .refused
            .iter()
            .find_map(|(_, r)| match r {
                Refusal::NotOneOf(v) => Some(v.iter().map(String::as_str).collect()),
                _ => None,
            })
            .unwrap_or_default();
        let v = unquote(&d.value);
        let help = match suggest(v, values.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("use one of: {}", values.join(", ")),
        };
        out.push(diag.with_help(help));
    }
}
