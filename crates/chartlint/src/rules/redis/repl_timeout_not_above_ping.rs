use super::{diag, redis_directive, related, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA156",
    name: "repl-timeout-not-above-ping-period",
    severity: Warning,
    category: Redis,
    summary: "repl-timeout is not above repl-ping-replica-period: quiet replication links time out.",
    doc: r#"
### What it checks
Compares the effective `repl-timeout` (default 60 s) with `repl-ping-replica-period` (default
10 s, also written `repl-ping-slave-period`) in `redis.config`.

### Why it matters
A master pings its replicas every `repl-ping-replica-period` seconds when there is no other
traffic; replicas and master declare the link dead after `repl-timeout` seconds without data.
With a timeout at or below the ping period, every quiet moment looks like a dead link: the
replica drops the connection and reconnects, often with a new synchronisation, while
`min-replicas-to-write` may stop writes meanwhile.

### Example
```yaml
redis:
  config:
    repl-timeout: 10
    repl-ping-replica-period: 10
```

### Fix
Keep `repl-timeout` well above the ping period (the defaults 60 and 10 are fine).

### References
- redis.conf, `repl-timeout`: https://github.com/redis/redis/blob/7.2.6/redis.conf
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let read = |name: &str, default: i64| match redis_directive(cx, name) {
        Some(d) => unquote(&d.value).parse::<i64>().ok().map(|v| (v, Some(d))),
        None => Some((default, None)),
    };
    let (Some((timeout, t)), Some((ping, p))) = (
        read("repl-timeout", 60),
        read("repl-ping-replica-period", 10),
    ) else {
        return;
    };
    if timeout > ping {
        return;
    }
    let Some(at) = t.or(p) else { return };
    let mut d = diag(
        &META,
        cx,
        &at.ptr,
        format!("repl-timeout {timeout} s is not above repl-ping-replica-period {ping} s"),
    )
    .with_note("a replication link without traffic is only pinged every period: it times out whenever it is quiet")
    .with_help(format!("set repl-timeout well above {ping}, e.g. {}", (ping * 6).max(60)));
    if let (Some(_), Some(p)) = (t, p) {
        d = related(d, cx, &p.ptr, "repl-ping-replica-period is set here");
    }
    out.push(d);
}
