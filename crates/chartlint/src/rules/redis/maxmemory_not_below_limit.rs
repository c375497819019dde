use super::{memory_judgement, push_memory};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::sizing::Verdict;

rule! {
    id: "RHA117",
    name: "maxmemory-not-below-limit",
    severity: Error,
    category: Memory,
    summary:
        "maxmemory is not below the container's memory limit: OOM-killed before Redis ever evicts.",
    doc: r#"
### What it checks
Compares the effective `maxmemory` of `redis.config` with `redis.resources.limits.memory` and
reports `maxmemory` ≥ the limit (both read exactly: Redis units, Kubernetes quantities).

### Why it matters
maxmemory only counts the dataset. Fragmentation, the copy-on-write pages of every fork (RDB
save, AOF rewrite, full sync to a replica), replica output buffers and the process itself all
come on top. The kernel OOM-kills the container (exit 137) before Redis starts
evicting, at the latest on the first fork or full sync, and the StatefulSet restarts it in a
loop. The message shows the model's sizing formula (crates/model sizing), the same that sizes
the generated variants.

### Example
```yaml
redis:
  config:
    maxmemory: "1024mb"
  resources:
    limits:
      memory: 1024Mi
```

### Fix
Raise the limit (and the request) to the size in the message, or lower maxmemory; the sized
variants (redis-1g, ...) already carry a matching pair.

### References
- Key eviction and maxmemory: https://redis.io/docs/latest/develop/reference/eviction/
- Redis administration, memory: https://redis.io/docs/latest/operate/oss_and_stack/management/admin/
- Memory optimization (RSS, fragmentation): https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some((j, ptr)) = memory_judgement(cx) {
        if j.verdict == Verdict::MaxmemoryAtOrAboveLimit {
            push_memory(&META, cx, out, j, ptr);
        }
    }
}
