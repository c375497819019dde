use super::{diag, directives, unquote, is_memory_directive};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA123",
    name: "redis-decimal-memory-unit",
    severity: Info,
    category: Memory,
    summary: "A redis.conf memory value in decimal units (`1g` = 10^9 bytes), usually meant as `1gb` (2^30).",
    doc: r#"
### What it checks
Reports memory directives of `redis.config` written with `k`, `m` or `g` (powers of 10).

### Why it matters
For Redis `1g` is 1,000,000,000 bytes and `1gb` is 1,073,741,824, while
Kubernetes limits are usually written in `Gi` (2^30). Comparing `4g` with `4Gi` by eye hides a
7% difference, and `maxmemory 4g` next to a `4000Mi` limit is 95% of it.

### Example
```yaml
redis:
  config:
    maxmemory: 4g
```

### Fix
Write binary units, which match `Mi`/`Gi`: `maxmemory: 4gb`.

### References
- redis.conf, units: https://github.com/redis/redis/blob/7.2.6/redis.conf
- Kubernetes quantities: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
- Observed on Redis 7.0.15, 8.2.3 and Valkey 9.1.2: tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        if !is_memory_directive(&d.key) {
            continue;
        }
        let Ok(m) = model::units::parse_redis_memory_detailed(unquote(&d.value)) else {
            continue;
        };
        if !m.unit.is_decimal() || m.number == 0 {
            continue;
        }
        let binary = m.unit.binary_counterpart();
        out.push(
            diag(&META, cx, &d.ptr, format!(
                "`{} {}` is {} bytes (10^n units); `{}{}` would be {} bytes, the size a Kubernetes `{}` means",
                d.key, unquote(&d.value), m.bytes, m.number, binary.as_str(),
                m.number.saturating_mul(binary.multiplier()),
                model::units::format_binary_bytes(m.number.saturating_mul(binary.multiplier()))
            ))
            .with_help(format!("write `{}{}` if you meant binary units", m.number, binary.as_str())),
        );
    }
}
