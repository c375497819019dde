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
and `sysctlImage.tag` (enabled): reports a tag that does not name one release: `latest`, an
empty tag, a tag without a version (`alpine`), and moving version tags such as `7`, `8.8` or
`7.2-alpine`, which follow every new patch release. A full version (`7.2.5-alpine`,
`7.2.5-debian-12-r9`) or a digest is pinned.

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
Pin a full version (`8.2.3-alpine`), or a digest.
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
            View::Null => String::new(),
            // An unquoted `8.2` is the float 8.2: the chart prints it as written.
            _ => super::conf_text(value).trim().trim_matches('"').to_string(),
        };
        let pinned = pinned(&tag);
        if pinned {
            continue;
        }
        let shown = if tag.is_empty() {
            "empty".to_string()
        } else {
            format!("`{tag}`")
        };
        out.push(
            diag(&META, cx, ptr, format!("image tag {shown} is not pinned"))
                .with_note("a moving tag follows new releases: pods may run different versions, and a restart may pull an upgrade")
                .with_help("pin a full version such as `8.2.3-alpine`, or a digest"),
        );
    }
}

/// A tag that names one release: a full `major.minor.patch` version (with any suffix:
/// `7.2.5-alpine`, Bitnami's `7.2.5-debian-12-r9`) or a digest. `latest`, `alpine`, `7`,
/// `8.8` and `7.2-alpine` move with new releases.
fn pinned(tag: &str) -> bool {
    tag.contains("@sha256:")
        || tag.starts_with("sha256:")
        || model::directives::tag_version(tag).len() >= 3
}

#[cfg(test)]
mod tests {
    #[test]
    fn moving_tags_are_not_pinned() {
        for t in ["latest", "", "alpine", "7", "8.8", "7.2-alpine", "8.2-bookworm"] {
            assert!(!super::pinned(t), "{t}");
        }
        for t in ["7.2.5", "7.2.5-alpine", "7.2.5-debian-12-r9", "8@sha256:abcd", "v8.0.1"] {
            assert!(super::pinned(t), "{t}");
        }
    }
}
