//! Reading the merged values, shared by every rule: values at JSON pointers (`~1` and `~0`
//! unescaped where a dotted path is shown), where they are written, Helm's truthiness, integers
//! written as numbers or strings, findings at a value or key, and "did you mean".

use super::{Context, RuleMeta};
use crate::diagnostic::Diagnostic;
use crate::source::Loc;
use crate::values::{dotted_path, pointer_dotted, Value, View};

/// The merged value at a JSON pointer, in Helm's JSON view.
pub(crate) fn at<'a>(cx: &'a Context<'_>, ptr: &str) -> Option<View<'a>> {
    value_at(cx, ptr).map(Value::view)
}

/// The merged value at a JSON pointer.
pub(crate) fn value_at<'a>(cx: &'a Context<'_>, ptr: &str) -> Option<&'a Value> {
    cx.merged.tree.pointer(ptr)
}

/// True when the merged values hold `ptr`, or a user `null` removed it. Rules about a value
/// whose absence means "off" only speak when the chart (or the user) has the key, so charts
/// of another shape are not judged by keys they do not have.
pub(crate) fn present(cx: &Context<'_>, ptr: &str) -> bool {
    at(cx, ptr).is_some() || {
        let dotted = pointer_dotted(ptr);
        cx.merged.deletions.iter().any(|d| d.path == dotted)
    }
}

/// Where the value at `ptr` is written; for a missing key, where its nearest existing parent
/// is written (so "add X here" points at the right map).
pub(crate) fn loc(cx: &Context<'_>, ptr: &str) -> Loc {
    let mut p = ptr.to_string();
    loop {
        if let Some((_, v)) = cx.merged.find(&p) {
            return v.loc.clone();
        }
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => return cx.merged.tree.loc.clone(),
        }
    }
}

/// The first pointer whose value a user file (or `--set`) wrote, else the first one: a
/// finding that involves several values points at the one the user changed.
pub(crate) fn user_first(cx: &Context<'_>, ptrs: &[&str]) -> String {
    ptrs.iter()
        .find(|p| cx.merged.find(p).is_some_and(|(_, v)| v.loc.src.is_user()))
        .or(ptrs.first())
        .map_or_else(String::new, |p| p.to_string())
}

/// Dotted values path of a pointer (`/redis/config/maxmemory` → `redis.config.maxmemory`).
pub(crate) fn path(cx: &Context<'_>, ptr: &str) -> String {
    dotted_path(&cx.merged.tree, ptr)
}

/// A finding of `meta` at the value of `ptr`.
pub(crate) fn diag(
    meta: &RuleMeta,
    cx: &Context<'_>,
    ptr: &str,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(meta, &loc(cx, ptr), path(cx, ptr), message)
}

/// A finding of `meta` at the key of `ptr` (for unknown names).
pub(crate) fn diag_key(
    meta: &RuleMeta,
    cx: &Context<'_>,
    ptr: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let at = match cx.merged.find(ptr) {
        Some((Some(key), _)) => key.clone(),
        _ => loc(cx, ptr),
    };
    Diagnostic::new(meta, &at, path(cx, ptr), message)
}

/// Add a related location for `ptr` (when it is written somewhere).
pub(crate) fn related(d: Diagnostic, cx: &Context<'_>, ptr: &str, message: &str) -> Diagnostic {
    match cx.merged.find(ptr) {
        Some((_, v)) => d.with_related(&v.loc, message),
        None => d,
    }
}

/// An integer written as a number or a string of digits (`3`, `"3"`, `3.0`).
pub(crate) fn int(v: View<'_>) -> Option<i64> {
    match v {
        View::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        View::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An integer at a pointer.
pub(crate) fn int_at(cx: &Context<'_>, ptr: &str) -> Option<i64> {
    at(cx, ptr).and_then(int)
}

/// Helm's truthiness of a value in `{{ if }}`: false, 0, "", null, empty maps and lists are
/// false.
pub(crate) fn truthy(v: Option<View<'_>>) -> bool {
    match v {
        None | Some(View::Null) => false,
        Some(View::Bool(b)) => b,
        Some(View::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(View::String(s)) => !s.is_empty(),
        Some(View::Array(a)) => !a.is_empty(),
        Some(View::Object(o)) => !o.is_empty(),
    }
}

/// A non-empty string value.
pub(crate) fn text<'a>(cx: &'a Context<'_>, ptr: &str) -> Option<&'a str> {
    at(cx, ptr)
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty())
}

/// The "did you mean" candidate closest to `word`, compared case-insensitively by
/// optimal-string-alignment distance (a swap of two letters counts once): at most a third of
/// the longer name, at least 1. Ties go to the alphabetically first candidate.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let len = lower.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let c_len = c.chars().count();
        let limit = (len.max(c_len) / 3).max(1);
        // Lengths alone exceed the limit: skip the quadratic distance.
        if len.abs_diff(c_len) > limit {
            continue;
        }
        let d = strsim::osa_distance(&lower, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let c = ["maxmemory-policy", "maxmemory"];
        assert_eq!(
            suggest("maxmemory-polcy", c.into_iter()),
            Some("maxmemory-policy")
        );
        assert_eq!(
            suggest("MAXMEMORY-POLCY", c.into_iter()),
            Some("maxmemory-policy")
        );
        assert_eq!(suggest("zzzzzzzzzzzz", c.into_iter()), None);
        assert_eq!(
            suggest("enabel", ["enabled", "image"].into_iter()),
            Some("enabled")
        );
        assert_eq!(suggest("x", ["y"].into_iter()), Some("y"));
    }
}
