use super::{config_entries, Context};
use crate::values::pointer_dotted;
use crate::diagnostic::Diagnostic;
use crate::yaml::{HelmScalar, Style};

rule! {
    id: "RHA004",
    name: "yaml11-boolean-in-redis-config",
    severity: Warning,
    category: Helm,
    summary: "An unquoted yes/no/on/off/y/n/true/false under redis.config or sentinel.config is a boolean for Helm.",
    doc: r#"
### What it checks
Reports unquoted YAML 1.1 booleans (`yes`, `no`, `on`, `off`, `y`, `n`, `true`, `false` in any
case) and `--set` booleans written under `redis.config` or `sentinel.config`.

### Why it matters
Helm reads values with YAML 1.1 rules, so `appendonly: yes` becomes the boolean `true`. The
public redis-ha chart writes it back as `appendonly true`, and Redis refuses to start
("argument must be 'yes' or 'no'"). This chart converts booleans back to `yes`/`no`, so the
value works here, but the file breaks with the upstream chart and with any template that prints
the value directly.

### Example
```yaml
redis:
  config:
    appendonly: yes
```

### Fix
Quote the value so that it stays a string: `appendonly: "yes"`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for entry in config_entries(cx) {
        let (file, k, v) = (entry.file, entry.key, entry.value);
        let Some(HelmScalar::Bool(b)) = v.as_scalar() else {
            continue;
        };
        if !v.loc.src.is_user() || !matches!(v.style, Some(Style::Plain) | None) {
            continue;
        }
        let word = if *b { "yes" } else { "no" };
        let path = pointer_dotted(&entry.ptr);
        out.push(
            Diagnostic::new(
                &META,
                &v.loc,
                path,
                format!("`{k}: {}` is the boolean {b} for Helm (YAML 1.1)", v.raw()),
            )
            .with_note(format!(
                "the upstream redis-ha chart writes `{k} {b}` into {file}, which {} rejects",
                if file == "redis.conf" { "Redis" } else { "Sentinel" }
            ))
            .with_help(format!(
                "quote it to keep a string: `{k}: \"{word}\"` (this chart converts booleans to yes/no, but the file is not portable)"
            )),
        );
    }
}
