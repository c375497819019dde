use super::{at, diag, quantity_bytes, sizing_input, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA129",
    name: "pvc-too-small",
    severity: Warning,
    category: Memory,
    summary: "persistentVolume.size is below what the RDB/AOF files of this maxmemory need.",
    doc: r#"
### What it checks
Compares `persistentVolume.size` with the model's disk requirement for the effective redis.config
(`model::sizing::required_pvc`: dump.rdb plus the temp file of the next save, AOF base and
increments, and 10% filesystem headroom), when persistence is enabled and maxmemory is set.

### Why it matters
A save writes `temp-<pid>.rdb` next to `dump.rdb` and renames it at the end; a full sync without
diskless sync writes one too. When the disk fills, the save fails, and with
`stop-writes-on-bgsave-error yes` (the default) the master refuses writes.

### Example
```yaml
redis:
  config:
    maxmemory: 4gb
persistentVolume:
  size: 4Gi
```

### Fix
Set `persistentVolume.size` to at least the size in the message.

### References
- Redis replication, "Safety of replication when master has persistence turned off": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
- Redis persistence: https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !truthy(at(cx, "/persistentVolume/enabled")) {
        return;
    }
    let Some(size) = at(cx, "/persistentVolume/size").and_then(quantity_bytes) else {
        return;
    };
    let Some(input) = sizing_input(cx) else {
        return;
    };
    if input.maxmemory == 0 {
        return;
    }
    let required = model::sizing::required_pvc(input);
    if size >= required {
        return;
    }
    let terms = model::sizing::formula(&model::sizing::pvc_terms(input));
    out.push(
        diag(
            &META,
            cx,
            "/persistentVolume/size",
            format!(
            "persistentVolume.size {} is below the {} that maxmemory {} needs on disk: {terms}",
            model::units::format_binary_bytes(size),
            model::units::format_binary_bytes(required),
            model::units::format_redis_memory(input.maxmemory)
        ),
        )
        .with_help(format!(
            "set `persistentVolume.size: {}`",
            model::units::format_binary_bytes(required)
        )),
    );
}
