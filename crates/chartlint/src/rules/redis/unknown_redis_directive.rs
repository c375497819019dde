use super::{directives, read_line, refusal_finding, servers, suggest};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::directives::Refusal;

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
`maxmemory-polcy`, see tests/chartlint_evidence.rs). The pods crash-loop.

### Example
```yaml
redis:
  config:
    maxmemory-polcy: allkeys-lru
```

### Fix
Correct the spelling (the message suggests the directive).

### References
- Observed on the real servers: tests/chartlint_evidence.rs and tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for d in directives(cx, "redis") {
        if !seen.insert(d.key.to_ascii_lowercase()) {
            continue;
        }
        let reading = read_line(cx, d);
        let pick = |_: &model::directives::Catalogue, r: &Refusal| *r == Refusal::UnknownName;
        let Some(diag) = refusal_finding(&META, cx, d, reading, pick, "unknown directive", true)
        else {
            continue;
        };
        let names = servers(cx).catalogues.iter().flat_map(|c| c.names());
        let help = match suggest(&d.key, names).filter(|s| !s.eq_ignore_ascii_case(&d.key)) {
            Some(s) => format!("did you mean `{s}`?"),
            None if !reading.accepted.is_empty() => {
                "remove it, or pin an image version that has it".to_string()
            }
            None => "remove it, or check the directive in the redis.conf of your server version"
                .to_string(),
        };
        out.push(diag.with_help(help));
    }
}
