use super::{diag, persistence_off, redis_directive, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA135",
    name: "persistence-off-auto-restart",
    severity: Warning,
    category: Redis,
    summary: "Persistence is off (save \"\" and no AOF) while Kubernetes restarts Redis automatically: a restarted empty master can wipe its replicas.",
    doc: r#"
### What it checks
Reports `save ""` with `appendonly` not `yes` when there are replicas.

### Why it matters
Kubernetes restarts a crashed container at once. A master without persistence comes back empty,
possibly before Sentinel declares it down, and its replicas resynchronize from it: every copy of
the data is gone (Redis replication docs, "persistence turned off").

### Example
```yaml
redis:
  config:
    save: '""'
```

### Fix
Keep RDB (`save: "900 1"`) or AOF on with a persistent volume; for a pure cache accept the risk
and suppress this finding with a reason.

### References
- Redis replication, "Safety of replication when master has persistence turned off": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
- Redis persistence: https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if replicas(cx).unwrap_or(0) < 2 || !persistence_off(cx) {
        return;
    }
    let Some(save) = redis_directive(cx, "save") else {
        return;
    };
    out.push(
        diag(&META, cx, &save.ptr, "persistence is off (save \"\" and no AOF)")
            .with_note("when Kubernetes restarts a crashed master it comes back empty, and its replicas resync to the empty dataset")
            .with_help("turn RDB or AOF on with a persistent volume, or suppress with a reason if the data is a disposable cache"),
    );
}
