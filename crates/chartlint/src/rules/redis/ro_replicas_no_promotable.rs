use super::{at, diag, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::View;

rule! {
    id: "RHA108",
    name: "ro-replicas-no-promotable",
    severity: Error,
    category: Sentinel,
    summary: "ro_replicas leaves fewer than two promotable pods: some master failure has no replica to promote.",
    doc: r#"
### What it checks
Counts the pods not listed in `ro_replicas` (those get `replica-priority 0`, which Sentinel never
promotes) and reports fewer than two of them.

### Why it matters
When the master dies, Sentinel needs another pod with a non-zero priority. With one promotable
pod (or none), the failure of that pod has no candidate: Sentinel logs `-failover-abort-no-good-slave`
and writes stop until the pod returns.

### Example
```yaml
replicas: 3
ro_replicas: "1,2"
```

### Fix
Keep at least two pods out of `ro_replicas` (e.g. `ro_replicas: "2"` with 3 pods).
"#,
}

/// The indexes listed in `ro_replicas`, as init.sh matches them (spaces removed, exact text).
pub(super) fn ro_tokens(cx: &Context<'_>) -> Vec<String> {
    match at(cx, "/ro_replicas") {
        Some(View::Number(n)) => vec![n.to_string()],
        Some(View::String(s)) => s
            .replace([' ', '\t'], "")
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(pods) = replicas(cx) else { return };
    let tokens = ro_tokens(cx);
    if pods < 2 || tokens.is_empty() {
        return;
    }
    // Count arithmetically: `replicas` may be huge.
    let listed: std::collections::BTreeSet<u32> = tokens
        .iter()
        .filter_map(|t| {
            t.parse::<u32>()
                .ok()
                .filter(|i| *i < pods && i.to_string() == *t)
        })
        .collect();
    let promotable = pods - listed.len() as u32;
    if promotable >= 2 {
        return;
    }
    let first = (0..=listed.len() as u32).find(|i| !listed.contains(i));
    let which = match first.filter(|_| promotable == 1) {
        Some(p) => format!("only pod {p} can be promoted, so when it is the master and dies no replica can take over"),
        None => "no pod can be promoted, so no failover is possible".to_string(),
    };
    out.push(
        diag(
            &META,
            cx,
            "/ro_replicas",
            format!(
                "ro_replicas gives replica-priority 0 to {} of {pods} pods: {which}",
                listed.len()
            ),
        )
        .with_help("keep at least two pods out of ro_replicas"),
    );
}
