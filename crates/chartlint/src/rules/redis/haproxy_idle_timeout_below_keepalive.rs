use super::{at, diag, haproxy_enabled, haproxy_millis, redis_directive, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA158",
    name: "haproxy-idle-timeout-below-keepalive",
    severity: Warning,
    category: Availability,
    summary: "HAProxy closes idle client connections sooner than Redis's tcp-keepalive: idle subscribers and blocking clients are cut.",
    doc: r#"
### What it checks
With HAProxy enabled, compares HAProxy's idle timeout for an established connection with the
effective `tcp-keepalive` of `redis.config` (default 300 s). In TCP mode HAProxy uses
`haproxy.timeout.tunnel` once the connection is established, else the shorter of
`haproxy.timeout.client` and `haproxy.timeout.server`.

### Why it matters
A pub/sub subscriber or a client blocked in `BLPOP`/`XREAD BLOCK` sends nothing while it waits.
HAProxy closes the connection when its idle timeout expires, so the client loses messages
published meanwhile and must reconnect; clients tuned to Redis's keepalive interval do not
expect a shorter cut. This was the public chart's most reported HAProxy problem
(DandyDeveloper/charts#34 and #79).

### Example
```yaml
haproxy:
  enabled: true
  timeout:
    client: 30s
    server: 30s
    tunnel: ""
```

### Fix
Keep `haproxy.timeout.tunnel` (default 1h), or client and server timeouts above tcp-keepalive
(the chart's defaults are 330s).

### References
- HAProxy `timeout tunnel`: https://docs.haproxy.org/2.6/configuration.html#4.2-timeout%20tunnel
- https://github.com/DandyDeveloper/charts/issues/34, https://github.com/DandyDeveloper/charts/issues/79
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !haproxy_enabled(cx) {
        return;
    }
    let time = |ptr: &str| at(cx, ptr).and_then(haproxy_millis).filter(|ms| *ms > 0);
    let (ptr, idle) = match time("/haproxy/timeout/tunnel") {
        Some(t) => ("/haproxy/timeout/tunnel", t),
        None => match (
            time("/haproxy/timeout/client"),
            time("/haproxy/timeout/server"),
        ) {
            (Some(c), Some(s)) if s < c => ("/haproxy/timeout/server", s),
            (Some(c), _) => ("/haproxy/timeout/client", c),
            (None, Some(s)) => ("/haproxy/timeout/server", s),
            (None, None) => return,
        },
    };
    let keepalive = match redis_directive(cx, "tcp-keepalive") {
        Some(d) => match unquote(&d.value).parse::<u64>() {
            Ok(v) => v,
            Err(_) => return,
        },
        None => 300,
    };
    if keepalive == 0 || idle >= keepalive.saturating_mul(1000) {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            ptr,
            format!(
                "HAProxy closes idle connections after {} s, before tcp-keepalive ({keepalive} s)",
                idle / 1000
            ),
        )
        .with_note("idle pub/sub subscribers and clients blocked in BLPOP or XREAD are disconnected")
        .with_help("keep haproxy.timeout.tunnel at 1h, or set client and server timeouts above tcp-keepalive"),
    );
}
