use super::{at, diag, haproxy_enabled, haproxy_millis, int_at, sentinel_millis};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA144",
    name: "haproxy-check-slower-than-failover",
    severity: Warning,
    category: Availability,
    summary: "HAProxy needs longer to notice a role change than Sentinel needs to fail over.",
    doc: r#"
### What it checks
Compares HAProxy's detection time, `haproxy.checkInterval` × `haproxy.checkFall` +
`haproxy.timeout.check`, with `sentinel.config.down-after-milliseconds`.

### Why it matters
After a failover HAProxy finds the new master only at its next checks, and keeps the old one
(which may come back still claiming to be master) until its checks fail. When that takes longer
than Sentinel's own detection, clients see an outage longer than the failover itself, and writes
can reach a demoted master.

### Example
```yaml
haproxy:
  checkInterval: 15s
sentinel:
  config:
    down-after-milliseconds: 10000
```

### Fix
Keep HAProxy's detection well under down-after-milliseconds (the defaults: 1s × 1 + 2s).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !haproxy_enabled(cx) {
        return;
    }
    let Some(interval) = at(cx, "/haproxy/checkInterval").and_then(haproxy_millis) else {
        return;
    };
    let fall = int_at(cx, "/haproxy/checkFall")
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(1)
        .max(1);
    let check = at(cx, "/haproxy/timeout/check")
        .and_then(haproxy_millis)
        .unwrap_or(0);
    let Some(down) = sentinel_millis(cx, "down-after-milliseconds", 30000)
        .and_then(|d| u64::try_from(d).ok())
    else {
        return;
    };
    let detect = interval.saturating_mul(fall).saturating_add(check);
    if detect <= down {
        return;
    }
    out.push(
        diag(&META, cx, "/haproxy/checkInterval", format!("HAProxy notices a new master after up to {detect} ms, more than down-after-milliseconds {down} ms"))
            .with_note("checkInterval × checkFall + timeout.check: clients wait longer for HAProxy than for the failover itself")
            .with_help("lower haproxy.checkInterval (default 1s)"),
    );
}
