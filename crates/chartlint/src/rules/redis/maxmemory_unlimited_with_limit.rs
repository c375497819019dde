use super::{memory_judgement, push_memory};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::sizing::Verdict;

rule! {
    id: "RHA120",
    name: "maxmemory-unlimited-with-limit",
    severity: Warning,
    category: Memory,
    summary:
        "maxmemory 0 (unlimited) with a container memory limit: Redis grows until it is OOM-killed.",
    doc: r#"
### What it checks
Reports an effective `maxmemory` of 0 (or unset) when `redis.resources.limits.memory` is set.

### Why it matters
Without maxmemory Redis never evicts and never refuses writes; it grows until the kernel kills
the container (exit 137), with no log line from Redis, and restarts empty or reloading.

### Example
```yaml
redis:
  config:
    maxmemory: "0"
  resources:
    limits:
      memory: 2Gi
```

### Fix
Set maxmemory to the dataset size the limit allows (a sized variant shows the pair), e.g. `1gb`
for a 2Gi limit.

### References
- Key eviction and maxmemory: https://redis.io/docs/latest/develop/reference/eviction/
- Redis administration, memory: https://redis.io/docs/latest/operate/oss_and_stack/management/admin/
- Memory optimization (RSS, fragmentation): https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some((j, ptr)) = memory_judgement(cx) {
        if j.verdict == Verdict::NoMaxmemory {
            push_memory(&META, cx, out, j, ptr);
        }
    }
}
