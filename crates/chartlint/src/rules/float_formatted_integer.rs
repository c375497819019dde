use super::{config_entries, Context};
use crate::values::pointer_dotted;
use crate::diagnostic::Diagnostic;
use crate::yaml::resolve::go_format_float;
use crate::yaml::HelmScalar;

rule! {
    id: "RHA005",
    name: "float-formatted-integer",
    severity: Warning,
    category: Helm,
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
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for entry in config_entries(cx) {
        let (file, k, v) = (entry.file, entry.key, entry.value);
        // `--set` integers are int64 and print plainly: only YAML floats are affected.
        let Some(HelmScalar::Float(f)) = v.as_scalar() else {
            continue;
        };
        let printed = go_format_float(*f);
        if !v.loc.src.is_user() || !printed.contains('e') {
            continue;
        }
        let path = pointer_dotted(&entry.ptr);
        let hint = if f.fract() == 0.0 {
            format!("`{k}: \"{}\"`", *f as i128)
        } else {
            format!("`{k}: \"{}\"`", v.raw())
        };
        // A Redis unit only helps where Redis reads a memory value (not for times or counts).
        let memory = file == "redis.conf" && super::redis::is_memory_directive(k);
        let help = if memory {
            format!("quote it ({hint}) or use a Redis unit such as `2gb`")
        } else {
            format!("quote it ({hint})")
        };
        out.push(
            Diagnostic::new(
                &META,
                &v.loc,
                path,
                format!("`{k}: {}` is a float64 for Helm and prints as `{printed}`", v.raw()),
            )
            .with_note(if file == "redis.conf" {
                format!("the upstream redis-ha chart writes `{k} {printed}` into redis.conf, which Redis refuses as a number")
            } else {
                format!("the upstream redis-ha chart writes `{k} {printed}` into sentinel.conf, where Sentinel reads only the digits before `.` or `e` (`1e+06` is 1)")
            })
            .with_help(help),
        );
    }
}
