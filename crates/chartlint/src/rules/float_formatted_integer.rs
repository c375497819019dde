use super::{Category, Context, Rule, RuleMeta, CONFIG_POINTERS};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::resolve::go_format_float;
use crate::yaml::HelmScalar;

pub(super) static META: RuleMeta = RuleMeta {
    id: "RHA005",
    name: "float-formatted-integer",
    severity: Severity::Warning,
    category: Category::Helm,
    summary: "A YAML number of 1,000,000 or more under redis.config or sentinel.config prints in exponent form.",
    doc: r#"
### What it checks
Reports unquoted numbers under `redis.config` or `sentinel.config` that Go prints in exponent
form: 1,000,000 and above (and tiny fractions below 0.0001).

### Why it matters
Helm holds every YAML number as a float64, and `{{ .Values.x }}` prints float64 values of 1e6 and
more as `1e+06`. The public redis-ha chart therefore writes `maxmemory 2.147483648e+09` into
redis.conf and Redis refuses to start. This chart renders these values as integers, but the file
breaks with the upstream chart.

### Example
```yaml
redis:
  config:
    maxmemory: 2147483648
```

### Fix
Quote the number (`maxmemory: "2147483648"`) or use a Redis unit (`maxmemory: 2gb`).
"#,
};

pub(super) struct FloatFormattedInteger;

impl Rule for FloatFormattedInteger {
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
                // `--set` integers are int64 and print plainly: only YAML floats are affected.
                let Some(HelmScalar::Float(f)) = v.as_scalar() else {
                    continue;
                };
                let printed = go_format_float(*f);
                if !v.loc.src.is_user() || !printed.contains('e') {
                    continue;
                }
                let path = format!("{}.{k}", &ptr[1..].replace('/', "."));
                let hint = if f.fract() == 0.0 {
                    format!("`{k}: \"{}\"`", *f as i128)
                } else {
                    format!("`{k}: \"{}\"`", v.raw())
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        &v.loc,
                        path,
                        format!(
                            "`{k}: {}` is a float64 for Helm and prints as `{printed}`; the upstream redis-ha chart writes `{k} {printed}` into {file}, which Redis rejects",
                            v.raw()
                        ),
                    )
                    .with_help(format!("quote it ({hint}) or use a Redis unit such as `2gb`")),
                );
            }
        }
    }
}
