use super::{at, diag, persistence_off, redis_directive, text, truthy, user_first};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA134",
    name: "save-without-persistent-volume",
    severity: Info,
    category: Redis,
    summary: "RDB snapshots (`save`) go to an emptyDir: they cost forks and are lost with the pod.",
    doc: r#"
### What it checks
Reports snapshots or AOF turned on while `persistentVolume.enabled` is false and no
`hostPath.path` is set, so /data is an emptyDir.

### Why it matters
Every save forks (copy-on-write memory, CPU) to write a file that disappears when the pod is
rescheduled. Either the data must survive a pod, and then it needs a volume,
or it need not, and then the snapshots are pure cost.

### Example
```yaml
persistentVolume:
  enabled: false
redis:
  config:
    save: "900 1"
```

### Fix
Enable `persistentVolume`, or turn snapshots off with `save: '""'` if the data is a cache.

### References
- Redis replication, "Safety of replication when master has persistence turned off": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
- Redis persistence: https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !super::present(cx, "/persistentVolume/enabled")
        || truthy(at(cx, "/persistentVolume/enabled"))
        || text(cx, "/hostPath/path").is_some()
        || persistence_off(cx)
    {
        return;
    }
    let save = redis_directive(cx, "save")
        .map_or_else(|| "/redis/config".to_string(), |d| d.ptr.clone());
    let ptr = user_first(cx, &["/persistentVolume/enabled", &save]);
    out.push(
        diag(&META, cx, &ptr, "persistence is on in redis.conf, but /data is an emptyDir")
            .with_note("persistentVolume.enabled is false: snapshots cost a fork each and are lost with the pod")
            .with_help("enable persistentVolume, or set `save: '\"\"'` for a cache"),
    );
}
