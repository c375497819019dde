use super::client_output_buffer_limit_invalid::problem;
use super::{diag, directives, redis_directive, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA128",
    name: "replica-buffer-below-backlog",
    severity: Warning,
    category: Memory,
    summary: "The replica output buffer hard limit is below repl-backlog-size, or 0 (unlimited).",
    doc: r#"
### What it checks
Reports a `client-output-buffer-limit replica` hard limit below `repl-backlog-size` (Redis
ignores it and uses the backlog size), or of 0 (no limit at all).

### Why it matters
The replica buffer holds the writes queued for a replica during a full sync. redis.conf says a
hard limit below the backlog makes no sense and is ignored, so the configured
value is not what runs. A hard limit of 0 lets a slow replica grow the master's memory without
bound, outside maxmemory, until the container is OOM-killed.

### Example
```yaml
redis:
  config:
    repl-backlog-size: 512mb
    client-output-buffer-limit: replica 256mb 64mb 60
```

### Fix
Keep the replica hard limit at or above repl-backlog-size, and above 0.

### References
- redis.conf, `client-output-buffer-limit` and `repl-backlog-size`: https://github.com/redis/redis/blob/7.2.6/redis.conf
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let backlog = match redis_directive(cx, "repl-backlog-size") {
        Some(d) => match model::units::parse_redis_memory(unquote(&d.value)) {
            Ok(b) => b,
            Err(_) => return,
        },
        None => model::sizing::DEFAULT_REPL_BACKLOG,
    };
    for d in directives(cx, "redis") {
        if !d.key.eq_ignore_ascii_case("client-output-buffer-limit") {
            continue;
        }
        let value = unquote(&d.value);
        if problem(value).is_some() {
            continue;
        }
        let tokens: Vec<&str> = value.split_whitespace().collect();
        for g in tokens.chunks(4) {
            let class = g[0].to_ascii_lowercase();
            if class != "replica" && class != "slave" {
                continue;
            }
            let Ok(hard) = model::units::parse_redis_memory(g[1]) else {
                continue;
            };
            let (message, note) = if hard == 0 {
                (
                    format!("replica output buffer hard limit `{}` is unlimited", g[1]),
                    "a slow replica grows the master's memory outside maxmemory until it is OOM-killed",
                )
            } else if hard < backlog {
                (
                    format!(
                        "replica output buffer hard limit `{}` is below repl-backlog-size ({})",
                        g[1],
                        model::units::format_redis_memory(backlog)
                    ),
                    "Redis ignores it and uses the backlog size",
                )
            } else {
                continue;
            };
            out.push(diag(&META, cx, &d.ptr, message).with_note(note).with_help(
                "set the replica hard limit at or above repl-backlog-size, and above 0",
            ));
        }
    }
}
