use super::{diag, quorum, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA102",
    name: "quorum-invalid",
    severity: Error,
    category: Sentinel,
    summary: "sentinel.quorum is below 1 (Sentinel refuses to start) or above the number of Sentinels (the master is never declared down).",
    doc: r#"
### What it checks
Reports `sentinel.quorum` below 1, or above `replicas` (the number of Sentinels) when there
are at least 2 (a single pod is RHA136).

### Why it matters
The quorum goes into the `sentinel monitor <group> <ip> <port> <quorum>` line that init.sh
writes. With 0, Sentinel refuses to start: "Quorum must be 1 or greater." (observed on
redis-sentinel 7.0.15, see tests/chartlint_evidence.rs). Above the number of Sentinels, not enough
Sentinels can ever agree that the master is down (ODOWN), so no failover ever starts
(`SENTINEL CKQUORUM` answers NOQUORUM).

### Example
```yaml
replicas: 3
sentinel:
  quorum: 4
```

### Fix
Set the quorum to the majority of the Sentinels: 2 of 3, 3 of 5.

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(q) = quorum(cx) else { return };
    let n = replicas(cx);
    let (message, note) = if q < 1 {
        (
            format!("sentinel.quorum {q}: Sentinel refuses to start"),
            "Sentinel stops with \"Quorum must be 1 or greater.\"".to_string(),
        )
    } else if let Some(n) = n.filter(|n| *n > 1 && q > i64::from(*n)) {
        (
            format!("sentinel.quorum {q} is more than the {n} Sentinel(s)"),
            "they can never agree that the master is down, so no failover ever starts".to_string(),
        )
    } else {
        return;
    };
    let help = match n {
        Some(n) if n > 0 => {
            format!("set `sentinel.quorum: {}` (the majority of {n})", n / 2 + 1)
        }
        _ => "set `sentinel.quorum` to the majority of the Sentinels (2 of 3)".to_string(),
    };
    out.push(
        diag(&META, cx, "/sentinel/quorum", message)
            .with_note(note)
            .with_help(help),
    );
}
