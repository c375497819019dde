use super::{at, diag, text, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA147",
    name: "plaintext-password",
    severity: Warning,
    category: Security,
    summary: "A password written in the values (redisPassword, sentinel.password) instead of an existing Secret.",
    doc: r#"
### What it checks
Reports `redisPassword` with `auth: true` and no `existingSecret`, and `sentinel.password` with
`sentinel.auth: true` and no `sentinel.existingSecret`.

### Why it matters
Values files are committed to Git, stored by Helm in the release Secret in clear, and printed by
`helm get values`. A Secret managed elsewhere (sealed-secrets, external-secrets, Vault) keeps the
password out of all of them.

### Example
```yaml
auth: true
redisPassword: s3cret
```

### Fix
Create a Secret and set `existingSecret` (and `authKey`); remove `redisPassword`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let cases = [
        (
            "/auth",
            "/redisPassword",
            "/existingSecret",
            "existingSecret",
        ),
        (
            "/sentinel/auth",
            "/sentinel/password",
            "/sentinel/existingSecret",
            "sentinel.existingSecret",
        ),
    ];
    for (gate, password, secret, secret_name) in cases {
        if truthy(at(cx, gate)) && text(cx, password).is_some() && text(cx, secret).is_none() {
            out.push(
                diag(&META, cx, password, "the password is written in the values")
                    .with_note("it ends up in Git, in Helm's release Secret and in `helm get values`")
                    .with_help(format!("store it in a Secret and set `{secret_name}`")),
            );
        }
    }
}
