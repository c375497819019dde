use super::{diag, directives, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA159",
    name: "auth-in-redis-config",
    severity: Warning,
    category: Security,
    summary: "requirepass, masterauth, masteruser, user or aclfile written in redis.config beside the chart's own auth.",
    doc: r#"
### What it checks
Reports `requirepass`, `masterauth`, `masteruser`, `user` and `aclfile` keys of
`redis.config`.

### Why it matters
The chart manages authentication itself (`auth`, `authKey`, `existingSecret`): with `auth: true`
it writes its own `requirepass`/`masterauth` lines after `redis.config`, so a password there is
silently replaced; with `auth: false` the chart gives Sentinel no `auth-pass` and the replicas
no password, so Sentinel cannot read the master it guards, and failover and replication break.
A password in values also ends up in Git and in Helm's release Secret.

### Example
```yaml
redis:
  config:
    requirepass: s3cret
```

### Fix
Remove the key; set `auth: true` with `existingSecret` (the key named by `authKey` holds the
password).
"#,
}

const AUTH_KEYS: &[&str] = &["requirepass", "masterauth", "masteruser", "user", "aclfile"];

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let chart_auth = truthy(super::at(cx, "/auth"));
    let mut seen = std::collections::HashSet::new();
    for d in directives(cx, "redis") {
        let key = d.canonical.unwrap_or(d.key.as_str()).to_ascii_lowercase();
        let key = match key.as_str() {
            "primaryauth" => "masterauth".to_string(),
            "primaryuser" => "masteruser".to_string(),
            _ => key,
        };
        if !AUTH_KEYS.contains(&key.as_str()) || !seen.insert(key.clone()) {
            continue;
        }
        let note = if chart_auth && (key == "requirepass" || key == "masterauth") {
            "auth is true: the chart writes its own requirepass and masterauth after redis.config, so this one is replaced"
        } else if chart_auth {
            "auth is true: the chart's password and this setting must agree, and Sentinel gets only the chart's"
        } else {
            "auth is false: the chart gives Sentinel no auth-pass and the replicas no password for this master"
        };
        out.push(
            diag(&META, cx, &d.ptr, format!("`{}` in redis.config beside the chart's own auth", d.key))
                .with_note(note)
                .with_help("remove it and set `auth: true` with `existingSecret`"),
        );
    }
}
