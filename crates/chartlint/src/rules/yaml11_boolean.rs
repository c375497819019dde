use super::{Category, Context, Rule, RuleMeta, CONFIG_POINTERS};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::{HelmScalar, Style};

pub(super) static META: RuleMeta = RuleMeta {
    id: "RHA004",
    name: "yaml11-boolean-in-redis-config",
    severity: Severity::Warning,
    category: Category::Helm,
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
};

pub(super) struct Yaml11Boolean;

impl Rule for Yaml11Boolean {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (ptr, file) in CONFIG_POINTERS {
            let Some((_, v)) = cx.merged.find(ptr) else {
                continue;
            };
            let Some(map) = v.as_map() else { continue };
            for (k, e) in map {
                let v = &e.value;
                let Some(HelmScalar::Bool(b)) = v.as_scalar() else {
                    continue;
                };
                if !v.loc.src.is_user() || !matches!(v.style, Some(Style::Plain) | None) {
                    continue;
                }
                let word = if *b { "yes" } else { "no" };
                let path = format!("{}.{k}", &ptr[1..].replace('/', "."));
                out.push(
                    Diagnostic::new(
                        &META,
                        &v.loc,
                        path,
                        format!(
                            "`{k}: {}` is the boolean {b} for Helm (YAML 1.1); the upstream redis-ha chart writes `{k} {b}` into {file}, which Redis rejects",
                            v.raw()
                        ),
                    )
                    .with_help(format!(
                        "quote it to keep a string: `{k}: \"{word}\"` (this chart converts booleans to yes/no, but the file is not portable)"
                    )),
                );
            }
        }
    }
}
