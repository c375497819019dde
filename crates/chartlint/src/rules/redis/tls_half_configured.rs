use super::{at, diag, int_at, truthy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Context;

rule! {
    id: "RHA149",
    name: "tls-half-configured",
    severity: Warning,
    category: Security,
    summary: "TLS settings given without redis.tlsPort are ignored; redis.port 0 without tlsPort leaves no port at all.",
    doc: r#"
### What it checks
Reports `redis.tlsReplication`, `redis.authClients`, `sentinel.tlsPort`,
`sentinel.tlsReplication` or `tls.secretName` set while `redis.tlsPort` is not (warning), and
`redis.port: 0` without `redis.tlsPort` (error: Redis serves nothing).

### Why it matters
This chart writes the TLS directives only when `redis.tlsPort` is set, so the other settings do
nothing and traffic stays plain text although the values suggest otherwise. With port 0 and no
TLS port, Redis listens nowhere and no client, replica or Sentinel can connect.

### Example
```yaml
tls:
  secretName: redis-tls
redis:
  tlsReplication: true
```

### Fix
Set `redis.tlsPort` (e.g. 6380), or remove the unused TLS settings.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if truthy(at(cx, "/redis/tlsPort")) || truthy(at(cx, "/redis/customConfig")) {
        return;
    }
    if int_at(cx, "/redis/port") == Some(0) {
        let mut d = diag(&META, cx, "/redis/port", "redis.port is 0 and redis.tlsPort is not set")
            .with_note("Redis listens on no port: no client, replica or Sentinel can connect")
            .with_help("set `redis.tlsPort: 6380` or a non-zero `redis.port`");
        d.severity = Severity::Error;
        out.push(d);
    }
    for ptr in [
        "/redis/tlsReplication",
        "/redis/authClients",
        "/sentinel/tlsPort",
        "/sentinel/tlsReplication",
        "/tls/secretName",
    ] {
        if truthy(at(cx, ptr)) {
            out.push(
                diag(&META, cx, ptr, "this TLS setting has no effect without redis.tlsPort")
                    .with_note("the chart writes no TLS directives, and traffic stays plain text")
                    .with_help("set `redis.tlsPort` (e.g. 6380) or remove the setting"),
            );
        }
    }
}
