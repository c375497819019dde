use super::{at, diag, haproxy_enabled, text, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA150",
    name: "haproxy-tls-without-secret",
    severity: Error,
    category: Security,
    summary: "haproxy.tls.enabled without haproxy.tls.secretName: the chart cannot render.",
    doc: r#"
### What it checks
Reports `haproxy.tls.enabled: true` without `haproxy.tls.secretName` when HAProxy is enabled.

### Why it matters
HAProxy terminates TLS with a PEM file from that Secret. Without a name this chart refuses to
render ("haproxy.tls.enabled needs haproxy.tls.secretName"); the public chart rendered a volume
without a Secret name, which the API server rejects.

### Example
```yaml
haproxy:
  enabled: true
  tls:
    enabled: true
```

### Fix
Create a Secret with the certificate and key in one PEM file and set `haproxy.tls.secretName`
(and `haproxy.tls.keyName`).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !haproxy_enabled(cx)
        || !truthy(at(cx, "/haproxy/tls/enabled"))
        || text(cx, "/haproxy/tls/secretName").is_some()
    {
        return;
    }
    out.push(
        diag(&META, cx, "/haproxy/tls/enabled", "HAProxy TLS is enabled without haproxy.tls.secretName")
            .with_note("there is no certificate to serve, and the chart refuses to render")
            .with_help("set `haproxy.tls.secretName` to a Secret holding the PEM file"),
    );
}
