use super::{diag, majority, quorum, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA103",
    name: "quorum-above-majority",
    severity: Warning,
    category: Sentinel,
    summary:
        "A quorum above the Sentinel majority (e.g. 3 of 3) blocks failover after losing one pod.",
    doc: r#"
### What it checks
Reports `sentinel.quorum` above the majority of `replicas` but not above `replicas`.

### Why it matters
The quorum Sentinels must see the master down before a failover starts. When the master's pod
dies, its Sentinel dies with it: with quorum 3 of 3 only 2 remain, the master is never
objectively down, and no failover happens . A quorum below the majority
only speeds up detection; the majority still authorizes.

### Example
```yaml
replicas: 3
sentinel:
  quorum: 3
```

### Fix
Set the quorum to the majority: 2 of 3, 3 of 5.

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(q), Some(n)) = (quorum(cx), replicas(cx)) else {
        return;
    };
    let m = i64::from(majority(n));
    if n < 3 || q <= m || q > i64::from(n) {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            "/sentinel/quorum",
            format!("sentinel.quorum {q} of {n} Sentinels is above their majority"),
        )
        .with_note(format!("when the master's pod dies its Sentinel dies too: only {} remain, and the master is never declared down", n - 1))
        .with_help(format!("set `sentinel.quorum: {m}` (the majority of {n})")),
    );
}
