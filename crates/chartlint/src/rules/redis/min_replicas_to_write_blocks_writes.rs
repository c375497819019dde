use super::{diag, int, redis_directive, related, replicas, user_first};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA104",
    name: "min-replicas-to-write-blocks-writes",
    severity: Error,
    category: Sentinel,
    summary: "min-replicas-to-write is at least the number of pods: the master refuses every write (NOREPLICAS).",
    doc: r#"
### What it checks
Reports an effective `min-replicas-to-write` (or its old name `min-slaves-to-write`; the last
line of the rendered redis.conf wins) above `replicas - 1`, the number of replicas a master can
have, while `min-replicas-max-lag` is not 0.

### Why it matters
The master accepts writes only while that many replicas are connected with a small lag. It can
never have more than `replicas - 1`, so every write fails with
`NOREPLICAS Not enough good replicas to write.` (Redis's reply). The chart's
default is 1, so a single pod (`replicas: 1`) refuses every write.

### Example
```yaml
replicas: 3
redis:
  config:
    min-slaves-to-write: 3
```

### Fix
Set `min-replicas-to-write` below `replicas - 1` (1 with 3 pods), or 0 to turn the check off.

### References
- Redis replication, "Allow writes only with N attached replicas": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(pods) = replicas(cx) else { return };
    let Some(d) = redis_directive(cx, "min-replicas-to-write") else {
        return;
    };
    let Some(n) = int(crate::values::View::String(&d.value)) else {
        return;
    };
    let lag = redis_directive(cx, "min-replicas-max-lag")
        .and_then(|l| l.value.trim().parse::<i64>().ok())
        .unwrap_or(10);
    let most = i64::from(pods.saturating_sub(1));
    if n <= most || n <= 0 || lag == 0 {
        return;
    }
    let at_ptr = user_first(cx, &[&d.ptr, "/replicas"]);
    let d2 = diag(
        &META,
        cx,
        &at_ptr,
        format!(
            "`{} {n}` with {pods} pod(s): the master refuses every write",
            d.key
        ),
    )
    .with_note(format!("a master has at most {most} replica(s), so every write gets NOREPLICAS"))
    .with_help(format!(
        "set `{}` to at most {} (or 0), or run more pods",
        d.key,
        most.saturating_sub(1).max(0)
    ));
    out.push(related(
        d2,
        cx,
        "/replicas",
        "the number of pods is set here",
    ));
}
