use super::{memory_judgement, push_memory};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::sizing::Verdict;

rule! {
    id: "RHA119",
    name: "memory-limit-below-sizing",
    severity: Warning,
    category: Memory,
    summary: "The memory limit is below what the sizing formula requires for this maxmemory.",
    doc: r#"
### What it checks
Judges `redis.resources.limits.memory` with the model's sizing formula (dataset +
fragmentation + copy-on-write + replica output buffers + replication backlog + process
baseline) for the effective redis.config and number of pods, and reports a limit below the sum
while maxmemory is at most 80% of it.

### Why it matters
Each term is memory the container really uses and maxmemory does not count. Short of the sum, a full dataset plus a save or a full sync under
write load can hit the limit and get the master OOM-killed. The generated variants are sized
with the same formula.

### Example
```yaml
redis:
  config:
    maxmemory: "1gb"
  resources:
    limits:
      memory: 1300Mi
```

### Fix
Raise the limit (and request) to the size in the message, lower maxmemory, or lower the terms
(e.g. a smaller `client-output-buffer-limit replica`).

### References
- Key eviction and maxmemory: https://redis.io/docs/latest/develop/reference/eviction/
- Redis administration, memory: https://redis.io/docs/latest/operate/oss_and_stack/management/admin/
- Memory optimization (RSS, fragmentation): https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/
- redis.conf, `client-output-buffer-limit` and `repl-backlog-size`: https://github.com/redis/redis/blob/7.2.6/redis.conf
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some((j, ptr)) = memory_judgement(cx) {
        if j.verdict == Verdict::BelowRequired {
            push_memory(&META, cx, out, j, ptr);
        }
    }
}
