use super::{memory_judgement, push_memory};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::sizing::Verdict;

rule! {
    id: "RHA118",
    name: "maxmemory-above-eighty-percent",
    severity: Warning,
    category: Memory,
    summary: "maxmemory is more than 80% of the memory limit: little headroom for a fork or a full sync.",
    doc: r#"
### What it checks
Reports an effective `maxmemory` above 80% of `redis.resources.limits.memory` (and below it;
equal or above is RHA117).

### Why it matters
A fork duplicates the pages the parent writes while the child saves (up to the whole dataset
for write-heavy instances), plus fragmentation and replica buffers. With less than 20% headroom
a full dataset plus one save or full sync can exceed the limit, and the kernel kills the
master. The Redis administration guide allows 80 to 90% of the free memory for maxmemory, so
this is a warning; a limit that cannot hold the model's terms at all is RHA119, maxmemory at or
above the limit RHA117. The message shows the model's terms and the limit it would set.

### References
- Redis administration, "Memory": https://redis.io/docs/latest/operate/oss_and_stack/management/admin/
- Redis persistence (fork and copy-on-write): https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/

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
