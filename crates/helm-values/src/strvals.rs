//! Helm's `--set` / `--set-string` syntax (pkg/strvals): `a.b[0].c=1,d={x,y}` with Helm's
//! typing (`true`/`false` → bool, `null` → nil, integers without a leading zero → int64, the
//! rest strings).

use crate::source::{Loc, SourceKind, Span, Src};
use crate::values::{arg_pos, MapEntry, Value, ValueKind};
use crate::yaml::{HelmScalar, LoadError};

/// Longest accepted key path and largest list index, to keep hostile arguments bounded.
const MAX_SEGMENTS: usize = 128;
const MAX_INDEX: usize = 10_000;

#[derive(Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// strvals' `typedVal`.
pub fn typed_value(text: &str, string_only: bool) -> HelmScalar {
    if string_only {
        return HelmScalar::Str(text.to_string());
    }
    if text.eq_ignore_ascii_case("true") {
        return HelmScalar::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return HelmScalar::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return HelmScalar::Null;
    }
    if text == "0" {
        return HelmScalar::Int(0);
    }
    if !text.is_empty() && !text.starts_with('0') {
        // Go's ParseInt(s, 10, 64): optional sign, decimal digits only.
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(i) = text.parse::<i64>() {
                return HelmScalar::Int(i);
            }
        }
    }
    HelmScalar::Str(text.to_string())
}

/// Parse one `--set`/`--set-string` argument into the user values.
pub fn parse_into(src: &Src, user: &mut Value) -> Result<(), LoadError> {
    let chars: Vec<char> = src.text.chars().collect();
    let string_only = src.kind == SourceKind::SetString;
    let text = &src.text;
    let err = |i: usize, msg: String| LoadError::at(&src.path, arg_pos(text, i), msg);
    let loc = |a: usize, b: usize| Loc {
        src: src.clone(),
        span: Span {
            start: arg_pos(text, a),
            end: arg_pos(text, b),
        },
    };
    let mut i = 0;
    while i < chars.len() {
        let key_start = i;
        let mut segs = Vec::new();
        let mut cur = String::new();
        loop {
            let Some(&c) = chars.get(i) else {
                let key: String = chars[key_start..].iter().collect();
                return Err(err(
                    key_start,
                    format!("key `{key}` has no value (expected key=value)"),
                ));
            };
            match c {
                '\\' => {
                    if let Some(&n) = chars.get(i + 1) {
                        cur.push(n);
                    }
                    i += 2;
                }
                '.' => {
                    if !cur.is_empty() {
                        segs.push(Seg::Key(std::mem::take(&mut cur)));
                    }
                    i += 1;
                }
                '[' => {
                    if !cur.is_empty() {
                        segs.push(Seg::Key(std::mem::take(&mut cur)));
                    }
                    let close = chars[i..].iter().position(|&c| c == ']').map(|p| p + i);
                    let Some(close) = close else {
                        return Err(err(i, "unclosed `[` in key".to_string()));
                    };
                    let idx: String = chars[i + 1..close].iter().collect();
                    match idx.parse::<usize>() {
                        Ok(n) if n <= MAX_INDEX => segs.push(Seg::Index(n)),
                        _ => {
                            return Err(err(
                                i,
                                format!("list index `{idx}` is not a number from 0 to {MAX_INDEX}"),
                            ))
                        }
                    }
                    i = close + 1;
                }
                '=' => {
                    if !cur.is_empty() {
                        segs.push(Seg::Key(std::mem::take(&mut cur)));
                    }
                    i += 1;
                    break;
                }
                ',' => {
                    let key: String = chars[key_start..i].iter().collect();
                    return Err(err(
                        key_start,
                        format!("key `{key}` has no value (expected key=value)"),
                    ));
                }
                c => {
                    cur.push(c);
                    i += 1;
                }
            }
        }
        if segs.is_empty() {
            return Err(err(key_start, "empty key before `=`".to_string()));
        }
        if segs.len() > MAX_SEGMENTS {
            return Err(err(
                key_start,
                format!("key path has more than {MAX_SEGMENTS} parts"),
            ));
        }
        let key_loc = loc(key_start, i - 1);
        let value = if chars.get(i) == Some(&'{') {
            // A list: {a,b,c}
            let list_start = i;
            i += 1;
            let mut items = Vec::new();
            loop {
                let start = i;
                let mut s = String::new();
                while let Some(&c) = chars.get(i) {
                    match c {
                        '\\' => {
                            if let Some(&n) = chars.get(i + 1) {
                                s.push(n);
                            }
                            i += 2;
                        }
                        ',' | '}' => break,
                        c => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                let Some(&c) = chars.get(i) else {
                    return Err(err(list_start, "unclosed `{` in list value".to_string()));
                };
                if !(c == '}' && s.is_empty() && items.is_empty()) {
                    items.push(Value {
                        kind: ValueKind::Scalar(typed_value(&s, string_only)),
                        loc: loc(start, i),
                        alias: None,
                        style: None,
                    });
                }
                i += 1;
                if c == '}' {
                    break;
                }
            }
            Value {
                kind: ValueKind::List(items),
                loc: loc(list_start, i),
                alias: None,
                style: None,
            }
        } else {
            let start = i;
            let mut s = String::new();
            while let Some(&c) = chars.get(i) {
                match c {
                    '\\' => {
                        if let Some(&n) = chars.get(i + 1) {
                            s.push(n);
                        }
                        i += 2;
                    }
                    ',' => break,
                    c => {
                        s.push(c);
                        i += 1;
                    }
                }
            }
            Value {
                kind: ValueKind::Scalar(typed_value(&s, string_only)),
                loc: loc(start, i.min(chars.len())),
                alias: None,
                style: None,
            }
        };
        set_at(user, &segs, value, &key_loc);
        if chars.get(i) == Some(&',') {
            i += 1;
        }
    }
    Ok(())
}

fn null_at(loc: &Loc) -> Value {
    Value {
        kind: ValueKind::Scalar(HelmScalar::Null),
        loc: loc.clone(),
        alias: None,
        style: None,
    }
}

fn set_at(cur: &mut Value, segs: &[Seg], val: Value, key_loc: &Loc) {
    let Some((first, rest)) = segs.split_first() else {
        *cur = val;
        return;
    };
    match first {
        Seg::Key(k) => {
            if !matches!(cur.kind, ValueKind::Map(_)) {
                *cur = Value {
                    kind: ValueKind::Map(crate::values::Map::default()),
                    loc: key_loc.clone(),
                    alias: None,
                    style: None,
                };
            }
            let ValueKind::Map(m) = &mut cur.kind else {
                return;
            };
            if rest.is_empty() {
                m.insert(
                    k.clone(),
                    MapEntry {
                        key: key_loc.clone(),
                        value: std::sync::Arc::new(val),
                    },
                );
            } else {
                let e = m.entry(k.clone()).or_insert_with(|| MapEntry {
                    key: key_loc.clone(),
                    value: std::sync::Arc::new(null_at(key_loc)),
                });
                set_at(std::sync::Arc::make_mut(&mut e.value), rest, val, key_loc);
            }
        }
        Seg::Index(n) => {
            if !matches!(cur.kind, ValueKind::List(_)) {
                *cur = Value {
                    kind: ValueKind::List(Vec::new()),
                    loc: key_loc.clone(),
                    alias: None,
                    style: None,
                };
            }
            let ValueKind::List(items) = &mut cur.kind else {
                return;
            };
            while items.len() <= *n {
                items.push(null_at(key_loc));
            }
            if rest.is_empty() {
                items[*n] = val;
            } else {
                set_at(&mut items[*n], rest, val, key_loc);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use serde_json::json;

    fn parse(arg: &str, kind: SourceKind) -> Result<serde_json::Value, LoadError> {
        let src = SourceFile::new("--set #1", arg, kind);
        let mut v = Value {
            kind: ValueKind::Map(crate::values::Map::default()),
            loc: Loc {
                src: src.clone(),
                span: Span::default(),
            },
            alias: None,
            style: None,
        };
        parse_into(&src, &mut v)?;
        Ok(v.to_json())
    }

    #[test]
    fn typing_table() {
        for s in [
            "yes",
            "on",
            "y",
            "1e3",
            "0x1F",
            "017",
            "0o17",
            "~",
            "1.10",
            "3.0",
            "08",
            "12345678901234567890",
        ] {
            assert_eq!(typed_value(s, false), HelmScalar::Str(s.into()), "{s}");
        }
        assert_eq!(typed_value("1000000", false), HelmScalar::Int(1_000_000));
        assert_eq!(typed_value("+12", false), HelmScalar::Int(12));
        assert_eq!(typed_value("-3", false), HelmScalar::Int(-3));
        assert_eq!(typed_value("0", false), HelmScalar::Int(0));
        assert_eq!(typed_value("True", false), HelmScalar::Bool(true));
        assert_eq!(typed_value("NULL", false), HelmScalar::Null);
        assert_eq!(typed_value("true", true), HelmScalar::Str("true".into()));
    }

    #[test]
    fn syntax() {
        assert_eq!(
            parse("a.b=1,c={x,y},d\\.e=f\\,g,h=", SourceKind::Set).unwrap(),
            json!({"a": {"b": 1}, "c": ["x", "y"], "d.e": "f,g", "h": ""})
        );
        assert_eq!(
            parse("a[0][1]=x", SourceKind::Set).unwrap(),
            json!({"a": [[null, "x"]]})
        );
        assert_eq!(parse("e={}", SourceKind::Set).unwrap(), json!({"e": []}));
    }

    #[test]
    fn errors_are_located() {
        let e = parse("a=1,b", SourceKind::Set).unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
        assert!(e.message.contains("no value"));
        assert!(parse("a[x]=1", SourceKind::Set)
            .unwrap_err()
            .message
            .contains("index"));
        assert!(parse("a[99999999]=1", SourceKind::Set).is_err());
        assert!(parse("a={x", SourceKind::Set).is_err());
        assert!(parse("=1", SourceKind::Set).is_err());
        let deep = format!("{}=1", vec!["k"; 10_000].join("."));
        assert!(parse(&deep, SourceKind::Set)
            .unwrap_err()
            .message
            .contains("parts"));
    }
}
