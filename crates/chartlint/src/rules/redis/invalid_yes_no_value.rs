use super::{directives, read_line, refusal_finding, unquote};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::directives::Refusal;

rule! {
    id: "RHA132",
    name: "invalid-yes-no-value",
    severity: Error,
    category: Redis,
    summary: "A yes/no redis.conf directive has another value (`on`, `true` as a string, `1`): Redis refuses to start.",
    doc: r#"
### What it checks
Checks the rendered value of every yes/no directive of `redis.config` (`appendonly`,
`repl-diskless-sync`, `protected-mode`, ...). YAML booleans are fine here: this chart renders
them as yes/no.

### Why it matters
Redis accepts only `yes` and `no` (any case) and refuses to start otherwise:
"argument must be 'yes' or 'no'" (observed on redis-server 7.0.15 with `appendonly "on"`, see
tests/chartlint_evidence.rs).

### Example
```yaml
redis:
  config:
    appendonly: "on"
```

### Fix
Write `"yes"` or `"no"`.

### References
- Helm values files: https://helm.sh/docs/chart_template_guide/values_files/
- YAML 1.1 booleans: https://yaml.org/type/bool.html
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        let reading = read_line(cx, d);
        let pick = |_: &model::directives::Catalogue, r: &Refusal| *r == Refusal::NotYesNo;
        let Some(diag) = refusal_finding(&META, cx, d, reading, pick, "not yes or no", false)
        else {
            continue;
        };
        let guess = match unquote(&d.value).to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "y" | "enabled" => "yes",
            "off" | "false" | "0" | "n" | "disabled" => "no",
            _ => "yes` or `no",
        };
        out.push(diag.with_help(format!("write `{}: \"{guess}\"`", d.key)));
    }
}
