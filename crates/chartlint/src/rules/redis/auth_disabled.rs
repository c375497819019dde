use super::{at, diag, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA146",
    name: "auth-disabled",
    severity: Warning,
    category: Security,
    summary:
        "auth is false: anything that reaches port 6379 can read, write and reconfigure Redis.",
    doc: r#"
### What it checks
Reports `auth: false`.

### Why it matters
Without `requirepass` any pod (or anything the Service is exposed to) can read and delete data,
and `CONFIG SET`/`REPLICAOF` let it rewrite files or turn the master into a replica of another
server. NetworkPolicy is off by default, so nothing else limits who connects.

### Example
```yaml
auth: false
```

### Fix
Set `auth: true` with `existingSecret` (or let the chart generate a password once).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !super::present(cx, "/auth") || truthy(at(cx, "/auth")) {
        return;
    }
    out.push(
        diag(&META, cx, "/auth", "auth is off: any client that reaches Redis can read and delete data and reconfigure the server")
            .with_help("set `auth: true` and `existingSecret: <secret>` (or let the chart generate the password)"),
    );
}
