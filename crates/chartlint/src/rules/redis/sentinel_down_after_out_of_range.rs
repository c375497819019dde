use super::{diag, sentinel_option};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Context;

rule! {
    id: "RHA111",
    name: "sentinel-down-after-out-of-range",
    severity: Warning,
    category: Sentinel,
    summary: "down-after-milliseconds is 0 or negative (Sentinel refuses to start), below 5000 (spurious failovers) or above 60000 (long outages).",
    doc: r#"
### What it checks
Reports `sentinel.config.down-after-milliseconds` of 0 or less (an error), below 5000 or above
60000 (warnings).

### Why it matters
It is how long the master may not answer before Sentinel starts a failover; the write outage
after a crash is about this long plus one second. With 0 Sentinel refuses to
start: "negative or zero time parameter." (observed on redis-sentinel 7.0.15, see
tests/chartlint_evidence.rs). Below a few seconds a slow command, a fork pause or a network blip triggers a
failover; above a minute every crash costs a long outage.

### Example
```yaml
sentinel:
  config:
    down-after-milliseconds: 1000
```

### Fix
Use 5000 to 30000 (the chart default is 10000).

### References
- Redis Sentinel, configuration: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
- sentinel.c (the config file's time values): https://github.com/redis/redis/blob/7.2.6/src/sentinel.c
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(d) = sentinel_option(cx, "down-after-milliseconds") else {
        return;
    };
    let Ok(ms) = d.value.trim().parse::<i64>() else {
        return;
    };
    let (severity, message, note) = if ms <= 0 {
        (
            Severity::Error,
            format!("down-after-milliseconds {ms}: Sentinel refuses to start"),
            "Sentinel stops with \"negative or zero time parameter.\"".to_string(),
        )
    } else if ms < 5000 {
        (
            Severity::Warning,
            format!("down-after-milliseconds {ms} is short enough for spurious failovers"),
            format!("a master that pauses for {ms} ms (a slow command, a fork, a network blip) is failed over, dropping the writes not yet replicated"),
        )
    } else if ms > 60000 {
        (
            Severity::Warning,
            format!("down-after-milliseconds {ms} keeps writes stopped long after a crash"),
            format!("after a crash, writes stop for at least {} s before Sentinel fails over", ms / 1000),
        )
    } else {
        return;
    };
    let mut diagnostic = diag(&META, cx, &d.ptr, message)
        .with_note(note)
        .with_help("use 5000 to 30000 ms (chart default 10000)");
    if severity == Severity::Error {
        diagnostic.severity = Severity::Error;
    }
    out.push(diagnostic);
}
