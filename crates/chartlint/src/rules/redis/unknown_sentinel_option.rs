use super::sentinel_options::{self, SET_ELSEWHERE};
use super::{diag_key, directives};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA116",
    name: "unknown-sentinel-option",
    severity: Error,
    category: Sentinel,
    summary:
        "A sentinel.config key that is not a per-master Sentinel option: Sentinel refuses to start.",
    doc: r#"
### What it checks
Reports keys of `sentinel.config` other than the per-master options (`down-after-milliseconds`,
`failover-timeout`, `parallel-syncs`, `master-reboot-down-after-period`, `notification-script`,
`client-reconfig-script`, `auth-pass`, `auth-user`, `rename-command`), `maxclients` and the
global options the chart writes without a group (`resolve-hostnames`, `announce-hostnames`,
`deny-scripts-reconfig`, `sentinel-user`, `sentinel-pass`), with a suggestion for typos.

### Why it matters
The chart writes each key as `sentinel <key> <group> <value>`. Sentinel refuses to start on any
other statement: "Unrecognized sentinel configuration statement." (observed on redis-sentinel
7.0.15 with `down-after-milisecond`, see tests/chartlint_evidence.rs). Global options such as
`resolve-hostnames` have their own chart values.

### Example
```yaml
sentinel:
  config:
    down-after-milisecond: 10000
```

### Fix
Correct the spelling, or use the chart value named in the message.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for d in directives(cx, "sentinel") {
        if sentinel_options::known(&d.key) || !seen.insert(d.key.clone()) {
            continue;
        }
        let help = if let Some((_, instead)) = SET_ELSEWHERE.iter().find(|(k, _)| *k == d.key)
        {
            format!(
                "`{}` is a global Sentinel option; set it with {instead}",
                d.key
            )
        } else if let Some(s) = super::suggest(&d.key, sentinel_options::names()) {
            format!("did you mean `{s}`?")
        } else {
            "see the Sentinel options in `chartlint --explain RHA116`".to_string()
        };
        let ptr = format!("/sentinel/config/{}", crate::values::escape_pointer(&d.key));
        out.push(
            diag_key(&META, cx, &ptr, format!("`sentinel {} <group> ...` is not a Sentinel option: Sentinel refuses to start", d.key))
                .with_note("Sentinel stops with \"Unrecognized sentinel configuration statement.\"")
                .with_help(help),
        );
    }
}
