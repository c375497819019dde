use super::{at, diag, directives, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::View;

rule! {
    id: "RHA161",
    name: "needed-command-disabled",
    severity: Error,
    category: Sentinel,
    summary: "A command Sentinel, replication or the chart's scripts need is disabled or renamed: failover or the pods break.",
    doc: r#"
### What it checks
Reads `redis.disableCommands` (the chart renders each as `rename-command <cmd> ""`) and the
`rename-command` lines of `redis.config` or `redis.customConfig`, and reports a command that
something in the pod needs:
- Sentinel promotes a replica with `MULTI`, `SLAVEOF NO ONE`, `CONFIG REWRITE`, `CLIENT KILL`
  and `EXEC`, and watches with `PING`, `INFO`, `PUBLISH` and `SUBSCRIBE`;
- replicas synchronize with `PSYNC`/`SYNC` and `REPLCONF`;
- the chart's probes and hooks call `PING`, `INFO`, `ROLE`, `CLIENT`, `REPLICAOF` and
  `SHUTDOWN`.

### Why it matters
Disabling `CONFIG` (a common hardening step) makes every promotion fail: the transaction
Sentinel sends is aborted, the replica stays a replica, and Sentinel gives up with
`-failover-abort-slave-timeout` after failover-timeout, over and over, while the master is gone
(tests/failover_evidence.rs shows it on Redis 7.0.15, 8.2.3 and Valkey 9.1.2; redis/redis#2733
and #10328). A renamed command is as fatal for the chart's scripts, which call the original
names.

### Example
```yaml
redis:
  disableCommands:
    - FLUSHALL
    - CONFIG
```

### Fix
Keep these commands; restrict them with ACLs for application users instead of renaming them.

### References
- Redis Sentinel, "Sentinel and Redis authentication" and renamed commands: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
- https://github.com/redis/redis/issues/2733, https://github.com/redis/redis/issues/10328
"#,
}

/// Commands something in the pod needs, and who.
const NEEDED: &[(&str, &str)] = &[
    ("config", "Sentinel (CONFIG REWRITE when it promotes a replica)"),
    ("slaveof", "Sentinel (SLAVEOF to promote and reconfigure replicas)"),
    ("replicaof", "the chart's preStop hand-over (REPLICAOF)"),
    ("multi", "Sentinel (promotion runs in MULTI/EXEC)"),
    ("exec", "Sentinel (promotion runs in MULTI/EXEC)"),
    ("client", "Sentinel and the chart's hooks (CLIENT KILL, CLIENT PAUSE)"),
    ("info", "Sentinel and the chart's probes (INFO)"),
    ("ping", "Sentinel and the chart's probes (PING)"),
    ("publish", "Sentinel (hello messages)"),
    ("subscribe", "Sentinel (hello messages)"),
    ("role", "the chart's readiness probe (ROLE)"),
    ("shutdown", "the chart's split-brain fix (SHUTDOWN)"),
    ("psync", "replication (PSYNC)"),
    ("sync", "replication (SYNC)"),
    ("replconf", "replication (REPLCONF)"),
];

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut reported = std::collections::HashSet::new();
    if let Some(View::Array(items)) = at(cx, "/redis/disableCommands") {
        for (i, item) in items.iter().enumerate() {
            let Some(name) = item.view().as_str() else {
                continue;
            };
            let ptr = format!("/redis/disableCommands/{i}");
            push(cx, out, &mut reported, name, &ptr, "disabled");
        }
    }
    for d in directives(cx, "redis") {
        if !d.key.eq_ignore_ascii_case("rename-command") {
            continue;
        }
        let Some(args) = model::directives::split_args(unquote(&d.value)) else {
            continue;
        };
        let (Some(name), how) = (args.first(), args.get(1)) else {
            continue;
        };
        let how = match how.map(String::as_str) {
            Some("") | None => "disabled",
            Some(_) => "renamed",
        };
        push(cx, out, &mut reported, name, &d.ptr, how);
    }
}

fn push(
    cx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    reported: &mut std::collections::HashSet<String>,
    name: &str,
    ptr: &str,
    how: &str,
) {
    let lower = name.trim().to_ascii_lowercase();
    let Some((_, who)) = NEEDED.iter().find(|(c, _)| *c == lower) else {
        return;
    };
    if !reported.insert(lower.clone()) {
        return;
    }
    let mut d = diag(
        &META,
        cx,
        ptr,
        format!("`{}` is {how}, and {who} needs it", name.trim().to_ascii_uppercase()),
    );
    if lower == "config" || lower == "slaveof" || lower == "multi" || lower == "exec" {
        d = d.with_note(
            "Sentinel cannot promote a replica: every failover ends with -failover-abort-slave-timeout",
        );
    }
    out.push(d.with_help(format!(
        "keep `{}`; restrict it with ACLs for application users instead",
        name.trim().to_ascii_uppercase()
    )));
}
