use super::{diag, directives};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA114",
    name: "sentinel-time-not-milliseconds",
    severity: Error,
    category: Sentinel,
    summary: "A Sentinel time or count with a unit or in float notation (`5s`, `1e+06`) is silently truncated.",
    doc: r#"
### What it checks
Reports values of `down-after-milliseconds`, `failover-timeout`,
`master-reboot-down-after-period` and `parallel-syncs` under `sentinel.config` that are not plain
digits.

### Why it matters
Sentinel reads these from its file with `atoi`, without complaint: `5s` is 5 ms, `3m` is 3 ms,
`1e+06` and `1.8e+06` are 1 ms (tests/chartlint_evidence.rs starts
redis-sentinel 7.0.15 on the rendered config and reads back 5 and 1 with `SENTINEL MASTER`). A 5 ms down-after makes Sentinel
fail over constantly; a 1 ms failover-timeout aborts every failover.

### Example
```yaml
sentinel:
  config:
    down-after-milliseconds: 5s
```

### Fix
Write whole milliseconds: `down-after-milliseconds: 5000`.

### References
- Redis Sentinel, configuration: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
- sentinel.c (the config file's time values): https://github.com/redis/redis/blob/7.2.6/src/sentinel.c
"#,
}

const TIMES: [&str; 4] = [
    "down-after-milliseconds",
    "failover-timeout",
    "master-reboot-down-after-period",
    "parallel-syncs",
];

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "sentinel") {
        if !TIMES.contains(&d.key.as_str()) {
            continue;
        }
        let v = d.value.trim();
        let digits = v.strip_prefix('-').unwrap_or(v);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let lead: String = v
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let read = if lead.is_empty() || lead == "-" {
            "0".to_string()
        } else {
            lead
        };
        out.push(
            diag(
                &META,
                cx,
                &d.ptr,
                format!(
                    "`{} {v}`: Sentinel reads this with atoi as {read}, silently",
                    d.key
                ),
            )
            .with_help(if d.key == "parallel-syncs" {
                "write a whole number, e.g. `1`".to_string()
            } else {
                "write whole milliseconds, e.g. `10000` for 10 s".to_string()
            }),
        );
    }
}
