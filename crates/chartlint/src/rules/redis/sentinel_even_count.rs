use super::{diag, majority, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA101",
    name: "sentinel-even-count",
    severity: Info,
    category: Sentinel,
    summary: "An even number of Sentinels (4, 6, ...) tolerates no more failures than one fewer.",
    doc: r#"
### What it checks
Reports an even `replicas` of 4 or more (one Sentinel per pod).

### Why it matters
A failover needs a majority of all Sentinels. 4 Sentinels need 3, so they
survive one lost pod, exactly like 3 Sentinels; the fourth pod adds cost and a larger majority.

### Example
```yaml
replicas: 4
```

### Fix
Use an odd count: 3 (survives one lost pod) or 5 (survives two).

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(n) = replicas(cx) else { return };
    if n < 4 || n % 2 == 1 {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            "/replicas",
            format!(
                "{n} Sentinels survive no more lost pods than {} would",
                n - 1
            ),
        )
        .with_note(format!(
            "a failover needs a majority of {}: {n} Sentinels survive {} lost pod(s)",
            majority(n),
            n - majority(n)
        ))
        .with_help(format!("use an odd number of pods: {} or {}", n - 1, n.saturating_add(1))),
    );
}
