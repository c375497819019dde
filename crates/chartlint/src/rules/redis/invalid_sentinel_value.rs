use super::sentinel_options::{self, CHART_GLOBAL};
use super::{diag, directives, servers, text};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA164",
    name: "invalid-sentinel-value",
    severity: Error,
    category: Sentinel,
    summary: "A sentinel.config value Sentinel refuses to start with (failover-timeout 0, a yes/no option with another word, two words): Sentinel refuses to start.",
    doc: r#"
### What it checks
Renders every `sentinel.config` key the way the chart writes it (`sentinel <option> <group>
<value>`, `sentinel <option> <value>` for the global options, `maxclients <value>`) and reads
the line as Sentinel's config reader does: `failover-timeout` must read as a positive number
and `master-reboot-down-after-period` as a non-negative one (with C's `atoi`, so `abc` is 0),
`resolve-hostnames`, `announce-hostnames` and `deny-scripts-reconfig` take yes or no, every
option takes exactly one value, and `maxclients` must be within the server's bounds.
(`down-after-milliseconds` of 0 or less is RHA111, unknown options RHA116.)

### Why it matters
Sentinel refuses to start on such a line: "negative or zero time parameter.", "negative time
parameter.", "Please specify yes or no for the deny-scripts-reconfig options.",
"Unrecognized sentinel configuration statement." for a second word. Without Sentinels there
is no failover. tests/differential.rs checks these verdicts against redis-sentinel 7.0.15,
Redis 8.2.3 and Valkey 9.1.2.

### Example
```yaml
sentinel:
  config:
    failover-timeout: 0
    deny-scripts-reconfig: "maybe"
```

### Fix
Write the value Sentinel expects: a positive number of milliseconds, `"yes"` or `"no"`.

### References
- sentinel.c, `sentinelHandleConfiguration`: https://github.com/redis/redis/blob/7.2.6/src/sentinel.c
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let group = text(cx, "/redis/masterGroupName").unwrap_or("mymaster");
    for d in directives(cx, "sentinel") {
        if !sentinel_options::known(&d.key) {
            continue;
        }
        // RHA111 reports a down-after-milliseconds of 0 or less.
        if d.key == "down-after-milliseconds" && d.value.trim().parse::<i64>().is_ok_and(|v| v <= 0)
        {
            continue;
        }
        let result = if d.key == "maxclients" {
            let line = format!("maxclients {}", d.value);
            let refused = servers(cx)
                .catalogues
                .iter()
                .filter_map(|c| c.check_line(&line).err())
                .next();
            match refused {
                Some(r) => Err(r),
                None => Ok(()),
            }
        } else if CHART_GLOBAL.contains(&d.key.as_str()) {
            model::directives::check_sentinel_line(&format!("sentinel {} {}", d.key, d.value))
        } else {
            model::directives::check_sentinel_line(&format!(
                "sentinel {} {group} {}",
                d.key, d.value
            ))
        };
        if let Err(reason) = result {
            out.push(
                diag(
                    &META,
                    cx,
                    &d.ptr,
                    format!("`{} {}`: Sentinel refuses to start", d.key, d.value.trim()),
                )
                .with_note(format!("Sentinel stops with \"{reason}\""))
                .with_help(format!("write the value `{}` expects", d.key)),
            );
        }
    }
}
