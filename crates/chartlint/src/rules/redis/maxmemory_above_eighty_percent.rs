use super::{memory_judgement, push_memory};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::sizing::Verdict;

rule! {
    id: "RHA118",
    name: "maxmemory-above-eighty-percent",
    severity: Error,
    category: Memory,
    summary: "maxmemory is more than 80% of the memory limit: the first fork or full sync can OOM-kill the master.",
    doc: r#"
### What it checks
Reports an effective `maxmemory` above 80% of `redis.resources.limits.memory` (and below it;
equal or above is RHA117).

### Why it matters
A fork duplicates the pages the parent writes while the child saves (up to 100% of the dataset
for write-heavy instances, redis-facts §B.3), plus fragmentation and replica buffers. With less
than 20% headroom a full dataset plus one save or full sync exceeds the limit and the kernel
kills the master. Operators' guidance is at most 80% (redis-operator#769); the message shows the
model's terms and the limit it would set.

### Example
```yaml
redis:
  config:
    maxmemory: "4g"
  resources:
    limits:
      memory: 4000Mi
```

### Fix
Raise the limit (and request) to the size in the message, or lower maxmemory.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some((j, ptr)) = memory_judgement(cx) {
        if j.verdict == Verdict::AboveEightyPercent {
            push_memory(&META, cx, out, j, ptr);
        }
    }
}
