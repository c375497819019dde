use super::{diag, directives, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA127",
    name: "client-output-buffer-limit-invalid",
    severity: Error,
    category: Memory,
    summary: "client-output-buffer-limit is not `<class> <hard> <soft> <seconds>` groups: Redis refuses to start.",
    doc: r#"
### What it checks
Reads each `client-output-buffer-limit` line of `redis.config` as groups of four: a class
(`normal`, `replica`/`slave`, `pubsub`), a hard and a soft Redis memory value, and whole seconds.

### Why it matters
Redis refuses to start on anything else. A wrong class gives
"Invalid client class specified in buffer limit configuration."
and a Kubernetes unit or a bad number gives
"Error in hard, soft or soft_seconds setting in buffer limit configuration."
(observed on redis-server 7.0.15 with `replica 512Mi 64mb 60` and `master 256mb 64mb 60`, see
tests/chartlint_evidence.rs).

### Example
```yaml
redis:
  config:
    client-output-buffer-limit: replica 512Mi 128mb 60
```

### Fix
Use Redis units and a valid class: `replica 512mb 128mb 60`.

### References
- redis.conf, `client-output-buffer-limit` and `repl-backlog-size`: https://github.com/redis/redis/blob/7.2.6/redis.conf
"#,
}

/// Why a client-output-buffer-limit value is refused, with Redis's message.
// `is_multiple_of` needs Rust 1.87; the workspace declares rust-version 1.85.
#[allow(clippy::manual_is_multiple_of)]
pub(super) fn problem(value: &str) -> Option<(String, &'static str)> {
    let tokens: Vec<&str> = value.split_whitespace().collect();
    if tokens.is_empty() || tokens.len() % 4 != 0 {
        return Some((
            format!(
                "{} word(s) are not groups of <class> <hard> <soft> <seconds>",
                tokens.len()
            ),
            "wrong number of arguments",
        ));
    }
    for g in tokens.chunks(4) {
        let class = g[0].to_ascii_lowercase();
        if !matches!(class.as_str(), "normal" | "replica" | "slave" | "pubsub") {
            return Some((
                format!("`{}` is not a client class (normal, replica, pubsub)", g[0]),
                "Invalid client class specified in buffer limit configuration.",
            ));
        }
        let memory_ok = |s: &str| model::units::parse_redis_memory(s).is_ok();
        if !memory_ok(g[1]) || !memory_ok(g[2]) || g[3].parse::<u64>().is_err() {
            return Some((
                format!(
                    "`{} {} {}` are not two Redis memory values and whole seconds",
                    g[1], g[2], g[3]
                ),
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
            ));
        }
    }
    None
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        if !d.key.eq_ignore_ascii_case("client-output-buffer-limit") {
            continue;
        }
        let Some((why, redis_says)) = problem(unquote(&d.value)) else {
            continue;
        };
        out.push(
            diag(&META, cx, &d.ptr, format!("client-output-buffer-limit `{}`: {why}; Redis refuses to start (\"{redis_says}\")", d.value))
                .with_help("write e.g. `replica 256mb 64mb 60` (class, hard limit, soft limit, seconds), Redis units only"),
        );
    }
}
