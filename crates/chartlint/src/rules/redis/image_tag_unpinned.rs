use super::{at, diag, haproxy_enabled, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use crate::values::View;

rule! {
    id: "RHA153",
    name: "image-tag-unpinned",
    severity: Warning,
    category: Security,
    summary: "An image tag is `latest`, empty, or names no version.",
    doc: r#"
### What it checks
Checks `image.tag`, `haproxy.image.tag` (HAProxy enabled), `exporter.tag` (exporter enabled)
and `sysctlImage.tag` (enabled): reports `latest`, an empty tag, or a tag without any digit
(`alpine`, `stable`).

### Why it matters
A moving tag changes what runs whenever a node pulls again: pods of one StatefulSet can run
different Redis versions, and a restart can pick up a major upgrade (RDB format, config
directives) that the replicas cannot follow.

### Example
```yaml
image:
  tag: latest
```

### Fix
Pin a version (`7.2.5-alpine`), or a digest.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let checks = [
        ("/image/tag", true),
        ("/haproxy/image/tag", haproxy_enabled(cx)),
        ("/exporter/tag", truthy(at(cx, "/exporter/enabled"))),
        ("/sysctlImage/tag", truthy(at(cx, "/sysctlImage/enabled"))),
    ];
    for (ptr, enabled) in checks {
        if !enabled {
            continue;
        }
        let Some(value) = super::value_at(cx, ptr) else {
            continue;
        };
        let tag = match value.view() {
            View::String(s) => s.trim().to_string(),
            View::Number(_) => continue,
            View::Null => String::new(),
            _ => value.to_json().to_string(),
        };
        let pinned =
            !tag.eq_ignore_ascii_case("latest") && tag.chars().any(|c| c.is_ascii_digit());
        if pinned {
            continue;
        }
        let shown = if tag.is_empty() {
            "empty".to_string()
        } else {
            format!("`{tag}`")
        };
        out.push(
            diag(&META, cx, ptr, format!("image tag {shown} is not pinned: pods may run different versions, and a restart may pull an upgrade"))
                .with_help("pin a version such as `7.2.5-alpine`"),
        );
    }
}
