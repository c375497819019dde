use super::{diag, related, text};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA148",
    name: "two-password-sources",
    severity: Warning,
    category: Security,
    summary:
        "Both a password and an existing Secret are set: the password in the values is ignored.",
    doc: r#"
### What it checks
Reports `redisPassword` together with `existingSecret`, and `sentinel.password` together with
`sentinel.existingSecret`.

### Why it matters
The chart uses the existing Secret and ignores the password written in the values, which still
leaks through Git and Helm's release. Whoever rotates one of them believes the other is in use.

### Example
```yaml
redisPassword: s3cret
existingSecret: redis-auth
```

### Fix
Remove `redisPassword` (or `sentinel.password`).
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (password, secret) in [
        ("/redisPassword", "/existingSecret"),
        ("/sentinel/password", "/sentinel/existingSecret"),
    ] {
        if text(cx, password).is_some() && text(cx, secret).is_some() {
            let d = diag(&META, cx, password, "a password and an existing Secret are both set: the chart uses the Secret and ignores this password")
                .with_help("remove the password from the values");
            out.push(related(d, cx, secret, "the Secret that is used"));
        }
    }
}
