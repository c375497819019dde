use super::{diag, majority, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA100",
    name: "too-few-sentinels",
    severity: Error,
    category: Sentinel,
    summary: "Two Redis pods run two Sentinels: losing the master's pod leaves no majority, so no failover.",
    doc: r#"
### What it checks
Reports `replicas: 2`. The chart runs one Sentinel next to each Redis, so the number of pods is
the number of Sentinels.

### Why it matters
A failover must be authorized by a majority of all known Sentinels (`voters/2+1`), whatever the
quorum says. With two pods, the master's pod (or node) dies with its Sentinel; the survivor is
1 of 2 and is never elected (Sentinel logs `-failover-abort-not-elected`). Writes stop until the pod comes back. Only a crash of the Redis
process alone fails over. The HA harness measures it on this chart's rendered pods
(crates/podsim, scenario e, the seed's 2-pod values: no failover after the hard loss of the
master pod, `SENTINEL CKQUORUM` answering "NOQUORUM 1 usable Sentinels. Not enough available
Sentinels to reach the majority and authorize a failover"), while 3 pods fail over in about
3.3 s (scenario b).

### Example
```yaml
replicas: 2
sentinel:
  quorum: 1
```

### Fix
Run 3 pods (`replicas: 3`, `sentinel.quorum: 2`) on different nodes: any one pod can then be lost.

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if replicas(cx) != Some(2) {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            "/replicas",
            "2 Redis pods run 2 Sentinels: losing the master's pod stops writes",
        )
        .with_note(format!(
            "when the master's pod or node dies, the surviving Sentinel is 1 of 2 and a failover needs a majority of {}",
            majority(2)
        ))
        .with_note("no failover happens, and writes stop until the pod returns")
        .with_help("set `replicas: 3` and `sentinel.quorum: 2`, with the pods on different nodes"),
    );
}
