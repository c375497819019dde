use super::{directives, read_line, refusal_finding};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::directives::{Catalogue, Kind, Refusal};

rule! {
    id: "RHA133",
    name: "invalid-integer-value",
    severity: Error,
    category: Redis,
    summary: "An integer redis.conf directive has a unit, a fraction or a value below its minimum: Redis refuses to start.",
    doc: r#"
### What it checks
Checks the value of every integer directive of `redis.config` (`min-replicas-to-write`,
`min-replicas-max-lag`, `timeout`, `hz`, ...): an optionally signed whole number, at least the
minimum Redis enforces.

### Why it matters
Redis refuses to start: "argument couldn't be parsed into an integer" for `5s` or `1e+06`, and
"argument must be between 0 and 2147483647 inclusive" for `min-replicas-to-write -1` (observed
on redis-server 7.0.15, see tests/chartlint_evidence.rs).

### Example
```yaml
redis:
  config:
    min-replicas-max-lag: 5s
```

### Fix
Write a whole number in the directive's unit (seconds for min-replicas-max-lag): `5`.

### References
- Helm values files: https://helm.sh/docs/chart_template_guide/values_files/
- YAML 1.1 booleans: https://yaml.org/type/bool.html
- Observed on the real servers: tests/chartlint_evidence.rs and tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        let reading = read_line(cx, d);
        let pick = |c: &Catalogue, r: &Refusal| match r {
            Refusal::NotInteger | Refusal::NotOctal => true,
            Refusal::OutOfRange { .. } => c
                .get(&d.key)
                .is_some_and(|e| matches!(e.kind, Kind::Int | Kind::Octal)),
            _ => false,
        };
        let Some(diag) = refusal_finding(&META, cx, d, reading, pick, "not an accepted integer", false)
        else {
            continue;
        };
        let help = reading
            .refused
            .iter()
            .find_map(|(_, r)| match r {
                Refusal::OutOfRange { min, max } => {
                    Some(format!("write a whole number from {min} to {max}"))
                }
                Refusal::NotOctal => Some("write the octal digits, quoted: `\"0700\"`".to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "write a whole number without a unit".to_string());
        out.push(diag.with_help(help));
    }
}
