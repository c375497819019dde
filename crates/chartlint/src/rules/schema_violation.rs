use super::Context;
use crate::diagnostic::Diagnostic;

rule! {
    id: "RHA001",
    name: "schema-violation",
    severity: Error,
    category: Schema,
    summary: "A value does not match the chart's values.schema.json.",
    doc: r#"
### What it checks
Validates the merged values (chart defaults, every `-f` file, `--set`) against the chart's
`values.schema.json`, exactly as Helm does before rendering, and points at the line that set the
offending value.

### Why it matters
Helm refuses to install or upgrade when the schema does not match, with a message that names a
JSON pointer but not your file or line. Values typed differently than intended (a map where a
number is expected) otherwise render into broken objects.

### Example
```yaml
replicas:
  count: 3        # the chart expects a number
```

### Fix
Give the value the type and range the schema asks for (`replicas: 3`). `chartlint --explain RHA001`
and the chart's README list every key.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(schema) = cx.schema {
        out.extend(schema.validate(&META, cx.merged));
    }
}
