use super::{at, diag, redis_directive, related, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA157",
    name: "io-threads-above-cpu-limit",
    severity: Warning,
    category: Redis,
    summary: "io-threads is more than the redis container's CPU limit: the threads compete for the same cores.",
    doc: r#"
### What it checks
Compares the effective `io-threads` of `redis.config` with `redis.resources.limits.cpu`
(rounded up to whole cores).

### Why it matters
Each I/O thread spins on a core of its own; the main thread needs one too. Under a CPU limit of
fewer cores the threads share the quota, the container is throttled, and latency gets worse
than with a single thread. Redis's own advice is to enable I/O threads only with at least 4
cores and to leave one spare.

### Example
```yaml
redis:
  config:
    io-threads: 4
  resources:
    limits:
      cpu: "2"
```

### Fix
Set `io-threads` to at most the CPU limit less one (or leave the default 1), or raise the limit.

### References
- redis.conf, "THREADED I/O": https://github.com/redis/redis/blob/7.2.6/redis.conf
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(d) = redis_directive(cx, "io-threads") else {
        return;
    };
    let Ok(threads) = unquote(&d.value).parse::<u64>() else {
        return;
    };
    let limit_ptr = "/redis/resources/limits/cpu";
    let Some(millis) = at(cx, limit_ptr).and_then(super::cpu_millis) else {
        return;
    };
    let cores = millis.div_ceil(1000).max(1);
    if threads <= cores {
        return;
    }
    let diag = diag(
        &META,
        cx,
        &d.ptr,
        format!("io-threads {threads} with a CPU limit of {cores} core(s)"),
    )
    .with_note("the I/O threads and the main thread share the quota: the container is throttled")
    .with_help(format!(
        "set io-threads to at most {} or raise redis.resources.limits.cpu",
        cores.saturating_sub(1).max(1)
    ));
    out.push(related(diag, cx, limit_ptr, "the CPU limit is set here"));
}
