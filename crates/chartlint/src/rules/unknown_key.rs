use super::Context;
use crate::diagnostic::Diagnostic;

rule! {
    id: "RHA002",
    name: "unknown-key",
    severity: Warning,
    category: Schema,
    summary: "A key that the chart does not know; Helm ignores it silently.",
    doc: r#"
### What it checks
Walks the merged values along the schema's `properties` and reports every key written in your
values that the chart does not define, with a "did you mean" suggestion from the sibling keys.
Free-form maps (labels, annotations, resources, `redis.config`, ...) are not checked inside.

### Why it matters
The chart's schema allows unknown keys, because real values files carry keys of older chart
versions. A typo such as `haproxy.enabel: true` therefore renders without any error, and HAProxy
stays disabled.

### Example
```yaml
haproxy:
  enabel: true
```

### Fix
Correct the spelling (`haproxy.enabled`), or delete keys that the chart no longer uses. Use
`--strict` in CI so that unknown keys fail the run.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(schema) = cx.schema {
        out.extend(schema.unknown_keys(&META, cx.merged));
    }
}
