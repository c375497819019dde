//! Helm's scalar typing: go-yaml v2's YAML 1.1 resolver followed by the JSON round trip that
//! sigs.k8s.io/yaml performs, so every number ends up as a float64.

/// The type Helm gives to a scalar after loading.
#[derive(Debug, Clone, PartialEq)]
pub enum HelmScalar {
    /// `~`, `null`, `Null`, `NULL` or an empty plain scalar.
    Null,
    /// YAML 1.1 booleans, including `yes/no/on/off/y/n`.
    Bool(bool),
    /// Every YAML number: Helm holds it as a float64.
    Float(f64),
    /// An int64, which only `--set` produces (strvals typing).
    Int(i64),
    /// Everything else, and every quoted or block scalar.
    Str(String),
}

/// Why a plain scalar cannot be loaded (Helm fails on these too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// `.inf` / `.nan` and friends: JSON has no such numbers.
    NonFinite(String),
}

/// Resolve a plain (unquoted, untagged) scalar the way go-yaml v2 does.
pub fn resolve_plain(text: &str) -> Result<HelmScalar, ResolveError> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(HelmScalar::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(HelmScalar::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(HelmScalar::Bool(false))
        }
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => return Err(ResolveError::NonFinite(text.to_string())),
        _ => {}
    }
    // go-yaml only tries numbers when the first character hints at one.
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Ok(HelmScalar::Str(text.to_string()));
    }
    match parse_number(text) {
        Some(f) => Ok(HelmScalar::Float(f)),
        None => Ok(HelmScalar::Str(text.to_string())),
    }
}

/// go-yaml v2's number rule: `ParseInt(strip('_'), 0, 64)`, then `ParseUint`, then a YAML-style
/// float checked with `ParseFloat`. Returns the float64 Helm ends up with.
pub fn parse_number(text: &str) -> Option<f64> {
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int_base0(&plain) {
        return Some(i as f64);
    }
    if let Some(u) = go_parse_uint_base0(&plain) {
        return Some(u as f64);
    }
    if is_yaml_float(&plain) {
        let f: f64 = plain.parse().ok()?;
        // Go's ParseFloat reports a range error for overflow; go-yaml then keeps the string.
        return f.is_finite().then_some(f);
    }
    None
}

/// Go `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int_base0(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let mag = go_parse_uint_digits(rest)?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(mag as i64)
    } else {
        None
    }
}

/// Go `strconv.ParseUint(s, 0, 64)` (no sign allowed).
fn go_parse_uint_base0(s: &str) -> Option<u64> {
    if s.starts_with('+') || s.starts_with('-') {
        return None;
    }
    go_parse_uint_digits(s)
}

/// Base prefix detection of Go's base 0: `0x`, `0o`, `0b`, a bare leading `0` is octal.
fn go_parse_uint_digits(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (radix, digits) = if b[0] == b'0' && b.len() > 1 {
        match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// How Go's `fmt` prints a float64 with `%v` (what `{{ .Values.x }}` shows in a template,
/// `strconv.FormatFloat(f, 'g', -1, 64)`): the shortest decimal that reads back the same, in
/// exponent form with at least two exponent digits (`1e+06`, `1.5e-05`) when the decimal
/// exponent is below -4 or at least 6.
pub fn go_format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let abs = f.abs();
    if f == 0.0 || (1e-4..1e6).contains(&abs) {
        // Shortest round-trip decimal, as %v does inside the plain-notation range.
        return format!("{f}");
    }
    // %v switches to %e form with the shortest mantissa and a two-digit exponent.
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((mant, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mant}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// The string Helm uses for a map key after resolution (`y:` becomes `"true"`).
pub fn key_string(s: &HelmScalar) -> String {
    match s {
        HelmScalar::Null => "null".to_string(),
        HelmScalar::Bool(b) => b.to_string(),
        HelmScalar::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                format!("{}", *f as i64)
            } else {
                go_format_float(*f)
            }
        }
        HelmScalar::Int(i) => i.to_string(),
        HelmScalar::Str(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> HelmScalar {
        resolve_plain(s).unwrap()
    }

    #[test]
    fn helm_table() {
        for t in ["yes", "on", "y", "True", "TRUE", "Y", "ON"] {
            assert_eq!(f(t), HelmScalar::Bool(true), "{t}");
        }
        for t in ["no", "off", "n", "False", "N"] {
            assert_eq!(f(t), HelmScalar::Bool(false), "{t}");
        }
        assert_eq!(f("1e3"), HelmScalar::Float(1000.0));
        assert_eq!(f("1000000"), HelmScalar::Float(1e6));
        assert_eq!(f("0x1F"), HelmScalar::Float(31.0));
        assert_eq!(f("017"), HelmScalar::Float(15.0));
        assert_eq!(f("0o17"), HelmScalar::Float(15.0));
        assert_eq!(f("0b101"), HelmScalar::Float(5.0));
        assert_eq!(f("08"), HelmScalar::Float(8.0));
        assert_eq!(f("1_000"), HelmScalar::Float(1000.0));
        assert_eq!(f("+12"), HelmScalar::Float(12.0));
        assert_eq!(f("-0x10"), HelmScalar::Float(-16.0));
        assert_eq!(f("3.0"), HelmScalar::Float(3.0));
        assert_eq!(f("1.10"), HelmScalar::Float(1.1));
        assert_eq!(f(".5"), HelmScalar::Float(0.5));
        assert_eq!(
            f("12345678901234567890"),
            HelmScalar::Float(12345678901234567890u64 as f64)
        );
        assert_eq!(f("1024Mi"), HelmScalar::Str("1024Mi".into()));
        assert_eq!(f("2024-01-01"), HelmScalar::Str("2024-01-01".into()));
        assert_eq!(f("1e400"), HelmScalar::Str("1e400".into()));
        assert_eq!(f("0x"), HelmScalar::Str("0x".into()));
        assert_eq!(f("-"), HelmScalar::Str("-".into()));
        assert_eq!(f("."), HelmScalar::Str(".".into()));
        for t in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(f(t), HelmScalar::Null);
        }
        assert!(resolve_plain(".inf").is_err());
        assert!(resolve_plain("-.Inf").is_err());
        assert!(resolve_plain(".nan").is_err());
    }

    #[test]
    fn go_printing() {
        assert_eq!(go_format_float(999999.0), "999999");
        assert_eq!(go_format_float(1e6), "1e+06");
        assert_eq!(go_format_float(1234567.0), "1.234567e+06");
        assert_eq!(go_format_float(2147483648.0), "2.147483648e+09");
        assert_eq!(go_format_float(0.00001), "1e-05");
        assert_eq!(go_format_float(100000.5), "100000.5");
        assert_eq!(go_format_float(8080.0), "8080");
        assert_eq!(go_format_float(1.1), "1.1");
    }

    #[test]
    fn keys() {
        assert_eq!(key_string(&f("y")), "true");
        assert_eq!(key_string(&f("017")), "15");
        assert_eq!(key_string(&f("~")), "null");
    }
}
