use super::{at, diag, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA115",
    name: "sentinel-hostnames-without-resolve",
    severity: Error,
    category: Sentinel,
    summary:
        "sentinel.announceHostnames without sentinel.resolveHostnames: Sentinel refuses to start.",
    doc: r#"
### What it checks
Reports `sentinel.announceHostnames: true` while `sentinel.resolveHostnames` is not true.

### Why it matters
With announceHostnames, init.sh writes the pods' DNS names (not IPs) into the
`sentinel monitor` line. Without `sentinel resolve-hostnames yes` Sentinel refuses to start:
"Can't resolve instance hostname." (observed on redis-sentinel 7.0.15, see tests/chartlint_evidence.rs).

### Example
```yaml
sentinel:
  announceHostnames: true
```

### Fix
Set `sentinel.resolveHostnames: true` as well.

### References
- Observed on the real servers: tests/chartlint_evidence.rs and tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !truthy(at(cx, "/sentinel/announceHostnames"))
        || truthy(at(cx, "/sentinel/resolveHostnames"))
        || truthy(at(cx, "/sentinel/customConfig"))
    {
        return;
    }
    out.push(
        diag(&META, cx, "/sentinel/announceHostnames", "sentinel.announceHostnames without sentinel.resolveHostnames: Sentinel refuses to start")
            .with_note("announced DNS names go into `sentinel monitor`, which Sentinel cannot read without resolve-hostnames (\"Can't resolve instance hostname.\")")
            .with_help("set `sentinel.resolveHostnames: true`"),
    );
}
