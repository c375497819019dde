use super::{diag, sentinel_millis, sentinel_option};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA112",
    name: "failover-timeout-too-short",
    severity: Warning,
    category: Sentinel,
    summary: "failover-timeout is shorter than down-after-milliseconds or than 10 s.",
    doc: r#"
### What it checks
Reports `sentinel.config.failover-timeout` below `down-after-milliseconds` or below 10000 ms.

### Why it matters
failover-timeout bounds the leader election (min(10 s, failover-timeout)), the reconfiguration
of the replicas, and a failover that made no progress; twice its value is the wait before the
same master is failed over again. A value this short aborts failovers that
are still in progress, and Sentinels retry again and again.

### Example
```yaml
sentinel:
  config:
    down-after-milliseconds: 10000
    failover-timeout: 5000
```

### Fix
Keep failover-timeout well above down-after-milliseconds (the default 180000 is safe).

### References
- Redis Sentinel, configuration: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
- sentinel.c (the config file's time values): https://github.com/redis/redis/blob/7.2.6/src/sentinel.c
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(d) = sentinel_option(cx, "failover-timeout") else {
        return;
    };
    let Ok(ft) = d.value.trim().parse::<i64>() else {
        return;
    };
    let down = sentinel_millis(cx, "down-after-milliseconds", 30000).unwrap_or(30000);
    if ft >= down && ft >= 10000 {
        return;
    }
    out.push(
        diag(&META, cx, &d.ptr, format!("failover-timeout {ft} ms is too short for down-after-milliseconds {down} ms"))
            .with_note(format!("failovers still in progress after {ft} ms are aborted and retried after {} ms", ft.saturating_mul(2)))
            .with_help("use at least 3 × down-after-milliseconds (the default 180000 is safe)"),
    );
}
