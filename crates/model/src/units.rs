//! Memory and CPU units, parsed exactly as the programs that read them do.
//!
//! Two grammars meet in one values file and they disagree (redis.conf's units,
//! https://github.com/redis/redis/blob/7.2.6/redis.conf, and Kubernetes quantities,
//! https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/):
//! - Redis (`util.c memtoull`) reads `maxmemory`, `repl-backlog-size`,
//!   `client-output-buffer-limit`: digits plus an optional case-insensitive unit
//!   `b k kb m mb g gb`, where `k m g` are powers of 10 and `kb mb gb` powers of 2.
//! - Kubernetes (`resource.Quantity`) reads `resources` and PVC sizes: an optionally signed
//!   decimal number plus a case-sensitive suffix `Ki..Ei`, `n u m k M G T P E`, or an exponent.
//!
//! Cross-walk traps this module makes visible: `1g` is 10^9 bytes for Redis and invalid for
//! Kubernetes; `1Gi` is 2^30 bytes for Kubernetes and fatal for Redis; `512m` is half a *byte*
//! for Kubernetes; `1e+09` (what Helm renders for an unquoted big integer) is fine for
//! Kubernetes and fatal for Redis.

use std::fmt;

/// 2^10 bytes.
pub const KIB: u64 = 1 << 10;
/// 2^20 bytes.
pub const MIB: u64 = 1 << 20;
/// 2^30 bytes.
pub const GIB: u64 = 1 << 30;

// ---------------------------------------------------------------------------------------------
// Redis memory values
// ---------------------------------------------------------------------------------------------

/// The unit written after the digits of a Redis memory value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisUnit {
    /// No unit: bytes.
    None,
    /// `b`: bytes.
    B,
    /// `k`: 1000.
    K,
    /// `kb`: 1024.
    Kb,
    /// `m`: 10^6.
    M,
    /// `mb`: 2^20.
    Mb,
    /// `g`: 10^9.
    G,
    /// `gb`: 2^30.
    Gb,
}

impl RedisUnit {
    /// Bytes per unit.
    pub fn multiplier(self) -> u64 {
        match self {
            RedisUnit::None | RedisUnit::B => 1,
            RedisUnit::K => 1000,
            RedisUnit::Kb => KIB,
            RedisUnit::M => 1_000_000,
            RedisUnit::Mb => MIB,
            RedisUnit::G => 1_000_000_000,
            RedisUnit::Gb => GIB,
        }
    }

    /// True for the decimal units `k`, `m`, `g`, which people often write meaning `kb`, `mb`,
    /// `gb` (a `1g` instance holds 7% less than a `1gb` one).
    pub fn is_decimal(self) -> bool {
        matches!(self, RedisUnit::K | RedisUnit::M | RedisUnit::G)
    }

    /// The binary unit a decimal unit is usually mistaken for (`g` → `gb`).
    pub fn binary_counterpart(self) -> RedisUnit {
        match self {
            RedisUnit::K => RedisUnit::Kb,
            RedisUnit::M => RedisUnit::Mb,
            RedisUnit::G => RedisUnit::Gb,
            other => other,
        }
    }

    /// The unit as written in redis.conf (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            RedisUnit::None => "",
            RedisUnit::B => "b",
            RedisUnit::K => "k",
            RedisUnit::Kb => "kb",
            RedisUnit::M => "m",
            RedisUnit::Mb => "mb",
            RedisUnit::G => "g",
            RedisUnit::Gb => "gb",
        }
    }

    fn from_suffix(suffix: &str) -> Option<RedisUnit> {
        // memtoull compares with strcasecmp.
        let unit = match suffix.to_ascii_lowercase().as_str() {
            "" => RedisUnit::None,
            "b" => RedisUnit::B,
            "k" => RedisUnit::K,
            "kb" => RedisUnit::Kb,
            "m" => RedisUnit::M,
            "mb" => RedisUnit::Mb,
            "g" => RedisUnit::G,
            "gb" => RedisUnit::Gb,
            _ => return None,
        };
        Some(unit)
    }
}

/// A parsed Redis memory value: the bytes Redis will use, and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedisMemory {
    /// The value in bytes.
    pub bytes: u64,
    /// The number before the unit.
    pub number: u64,
    /// The unit as written.
    pub unit: RedisUnit,
}

/// Why a string is refused by Redis as a memory value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMemoryReason {
    /// A Kubernetes binary suffix such as `Gi`.
    KubernetesUnit,
    /// A decimal point, e.g. `1.5gb`.
    DecimalPoint,
    /// Float exponent notation, e.g. `1e+09` (Helm's rendering of an unquoted big integer).
    Exponent,
    /// A leading `+` or `-`.
    Sign,
    /// Spaces around or inside the value.
    Whitespace,
    /// Any other unit, e.g. `t`, `tb`, `GiB`.
    UnknownUnit,
}

impl fmt::Display for NotMemoryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            NotMemoryReason::KubernetesUnit => "Kubernetes units like Gi are refused",
            NotMemoryReason::DecimalPoint => "a decimal point is refused",
            NotMemoryReason::Exponent => {
                "exponent notation is refused (Helm renders an unquoted integer of 1000000 or more \
                 this way: quote it)"
            }
            NotMemoryReason::Sign => "a sign is refused",
            NotMemoryReason::Whitespace => "spaces are refused",
            NotMemoryReason::UnknownUnit => "no other unit exists (not even t or tb)",
        };
        f.write_str(text)
    }
}

/// A string that is not a valid Redis memory value, or that Redis misreads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisMemoryError {
    /// Redis refuses to start: "argument must be a memory value".
    #[error(
        "`{input}` is not a Redis memory value: Redis accepts digits with an optional unit b, k, \
         kb, m, mb, g, gb ({reason}: 'argument must be a memory value')"
    )]
    NotAMemoryValue {
        /// The offending string.
        input: String,
        /// Why it is refused.
        reason: NotMemoryReason,
        /// An equivalent valid value, when one exists (`1Gi` → `1gb`).
        suggestion: Option<String>,
    },
    /// A unit without digits: Redis 7.0.15 silently reads it as 0, i.e. no limit (observed).
    #[error(
        "`{input}` has a unit but no digits: Redis reads it as 0 (no limit) instead of refusing it"
    )]
    NoDigits {
        /// The offending string.
        input: String,
    },
    /// More than 2^64−1 bytes: Redis 7.0.15 saturates plain digits to 2^64−1 and wraps values
    /// with a unit around (observed: `17179869184gb` → 0).
    #[error("`{input}` is more than 2^64-1 bytes: Redis silently saturates or wraps it around")]
    OutOfRange {
        /// The offending string.
        input: String,
    },
}

impl RedisMemoryError {
    /// True when Redis refuses to start with this value (the other errors are silent misreads).
    pub fn redis_refuses(&self) -> bool {
        matches!(self, RedisMemoryError::NotAMemoryValue { .. })
    }

    /// An equivalent valid value, when one exists.
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            RedisMemoryError::NotAMemoryValue { suggestion, .. } => suggestion.as_deref(),
            _ => None,
        }
    }
}

/// Parse a Redis memory value exactly like Redis's `memtoull`: digits with an optional
/// case-insensitive unit (`b`, `k`, `kb`, `m`, `mb`, `g`, `gb`). `""` and `"0"` are 0 (which
/// for `maxmemory` means no limit).
pub fn parse_redis_memory(input: &str) -> Result<u64, RedisMemoryError> {
    parse_redis_memory_detailed(input).map(|m| m.bytes)
}

/// Like [`parse_redis_memory`], also returning the number and unit as written, so callers can
/// flag the decimal units (`1g` = 10^9, usually meant as `1gb`).
pub fn parse_redis_memory_detailed(input: &str) -> Result<RedisMemory, RedisMemoryError> {
    redis_memory_inner(input).map_err(|raw| match raw {
        RedisRaw::Refused(reason) => RedisMemoryError::NotAMemoryValue {
            input: input.to_string(),
            reason,
            suggestion: suggest_redis_memory(input),
        },
        RedisRaw::NoDigits => RedisMemoryError::NoDigits {
            input: input.to_string(),
        },
        RedisRaw::OutOfRange => RedisMemoryError::OutOfRange {
            input: input.to_string(),
        },
    })
}

/// Parse failures before any message or suggestion is built (suggestions parse other
/// strings, so they must not recurse into message building).
enum RedisRaw {
    Refused(NotMemoryReason),
    NoDigits,
    OutOfRange,
}

fn redis_memory_inner(input: &str) -> Result<RedisMemory, RedisRaw> {
    let split = input
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(input.len());
    let (digits, suffix) = input.split_at(split);
    let Some(unit) = RedisUnit::from_suffix(suffix) else {
        return Err(RedisRaw::Refused(refusal_reason(input, suffix)));
    };
    if digits.is_empty() {
        if suffix.is_empty() {
            // "" is documented (and observed) as 0.
            return Ok(RedisMemory {
                bytes: 0,
                number: 0,
                unit,
            });
        }
        return Err(RedisRaw::NoDigits);
    }
    let number: u64 = digits.parse().map_err(|_| RedisRaw::OutOfRange)?;
    let bytes = number
        .checked_mul(unit.multiplier())
        .ok_or(RedisRaw::OutOfRange)?;
    Ok(RedisMemory {
        bytes,
        number,
        unit,
    })
}

fn refusal_reason(input: &str, suffix: &str) -> NotMemoryReason {
    if input.starts_with(['+', '-']) {
        NotMemoryReason::Sign
    } else if input.contains(char::is_whitespace) {
        NotMemoryReason::Whitespace
    } else if suffix.starts_with('.') {
        NotMemoryReason::DecimalPoint
    } else if suffix.starts_with(['e', 'E']) && suffix.len() > 1 {
        NotMemoryReason::Exponent
    } else if matches!(suffix, "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei") {
        NotMemoryReason::KubernetesUnit
    } else {
        NotMemoryReason::UnknownUnit
    }
}

/// An exact Redis spelling of a refused value, when the intended number is clear: Kubernetes
/// quantities (`1Gi`, `1e+09`), decimals with a binary unit (`1.5gb`), a `+` sign, spaces, `tb`.
fn suggest_redis_memory(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed != input {
        return redis_memory_inner(trimmed)
            .ok()
            .map(|_| trimmed.to_string());
    }
    if let Some(unsigned) = input.strip_prefix('+') {
        return redis_memory_inner(unsigned)
            .ok()
            .map(|_| unsigned.to_string());
    }
    if let Some(bytes) = quantity_inner(input).ok().and_then(Quantity::whole_units) {
        return Some(format_redis_memory(bytes));
    }
    // A decimal number with a Redis unit (or `tb`), converted exactly when possible.
    let split = input.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = input.split_at(split);
    let multiplier = match unit.to_ascii_lowercase().as_str() {
        "tb" => GIB * 1024,
        other => RedisUnit::from_suffix(other)?.multiplier(),
    };
    let units = quantity_inner(number).ok()?;
    let nanos = units.nanos().checked_mul(i128::from(multiplier))?;
    let bytes = Quantity { nanos }.whole_units()?;
    Some(format_redis_memory(bytes))
}

/// Render bytes as the most natural exact Redis memory value: the largest binary unit that
/// divides it (`1gb`, `512mb`, `1536mb`, `64kb`), plain digits otherwise. Decimal units are never
/// produced, so the output cannot be mistaken for the `1g` = 10^9 trap.
// `is_multiple_of` needs Rust 1.87; the workspace declares rust-version 1.85.
pub fn format_redis_memory(bytes: u64) -> String {
    if bytes == 0 {
        return "0".to_string();
    }
    for (size, unit) in [(GIB, "gb"), (MIB, "mb"), (KIB, "kb")] {
        if bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

// ---------------------------------------------------------------------------------------------
// Kubernetes quantities
// ---------------------------------------------------------------------------------------------

/// Nano-units per unit: a [`Quantity`] is stored exactly at Kubernetes's finest scale.
const NANOS_PER_UNIT: i128 = 1_000_000_000;
/// Largest magnitude accepted: 2^63−1 units (apimachinery's cap), in nano-units.
const MAX_NANOS: i128 = (i64::MAX as i128) * NANOS_PER_UNIT;
/// Significant digits this parser handles exactly (apimachinery's fast path handles 18).
const MAX_SIGNIFICANT_DIGITS: usize = 20;

/// A Kubernetes `resource.Quantity`, held exactly in nano-units (10^-9), the finest scale
/// Kubernetes keeps; finer input is rounded away from zero, as apimachinery does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity {
    nanos: i128,
}

/// A string that is not a Kubernetes quantity, or a quantity that is not a valid amount of
/// memory or CPU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string does not have the quantity shape (apimachinery: "quantities must match the
    /// regular expression ...").
    #[error("`{input}` is not a Kubernetes quantity: it must be an optionally signed number with an optional suffix Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent{}", hint_text(hint))]
    Format {
        /// The offending string.
        input: String,
        /// What was probably meant.
        hint: Option<String>,
    },
    /// The number is followed by an unknown suffix (apimachinery: "unable to parse quantity's
    /// suffix").
    #[error("`{input}` is not a Kubernetes quantity: unknown suffix `{suffix}` (suffixes are case-sensitive: Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E){}", hint_text(hint))]
    Suffix {
        /// The offending string.
        input: String,
        /// The suffix as written.
        suffix: String,
        /// What was probably meant.
        hint: Option<String>,
    },
    /// Larger than 2^63−1, or more significant digits than this parser keeps exactly.
    #[error("`{input}` is out of range for a Kubernetes quantity (at most 2^63-1 and {MAX_SIGNIFICANT_DIGITS} significant digits)")]
    OutOfRange {
        /// The offending string.
        input: String,
    },
    /// A negative amount of memory or CPU (parses, then fails resource validation).
    #[error("`{input}` is negative: resource amounts must be zero or more")]
    Negative {
        /// The offending string.
        input: String,
    },
    /// Memory that is not a whole number of bytes, typically `512m` (m = milli).
    #[error(
        "`{input}` is {value} bytes, not a whole number of bytes{}",
        hint_text(hint)
    )]
    FractionalBytes {
        /// The offending string.
        input: String,
        /// The exact value in bytes, as a decimal.
        value: String,
        /// What was probably meant.
        hint: Option<String>,
    },
}

fn hint_text(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!(" ({h})"),
        None => String::new(),
    }
}

/// Kubernetes suffix → (power of 2, power of 10).
fn quantity_suffix(suffix: &str) -> Option<(u32, i128)> {
    let pair = match suffix {
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "" => (0, 0),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        _ => {
            // Exponent form: e/E followed by a signed integer.
            let rest = suffix.strip_prefix(['e', 'E'])?;
            let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // An absurd exponent only needs to be "huge" for the range check below.
            let magnitude: i128 = digits
                .parse::<i64>()
                .map(i128::from)
                .unwrap_or(i128::MAX / 4);
            let exp = if rest.starts_with('-') {
                -magnitude
            } else {
                magnitude
            };
            (0, exp)
        }
    };
    Some(pair)
}

impl Quantity {
    /// Parse a quantity with apimachinery's `ParseQuantity` grammar. Strict: no surrounding
    /// whitespace (the API server's JSON decoding trims it first; trim before calling to get
    /// that behaviour). At least one digit is required, as in the documented regular expression.
    pub fn parse(input: &str) -> Result<Quantity, QuantityError> {
        quantity_inner(input).map_err(|raw| match raw {
            QuantityRaw::Format => QuantityError::Format {
                input: input.to_string(),
                hint: quantity_hint(input),
            },
            QuantityRaw::Suffix(suffix) => QuantityError::Suffix {
                input: input.to_string(),
                suffix,
                hint: quantity_hint(input),
            },
            QuantityRaw::OutOfRange => QuantityError::OutOfRange {
                input: input.to_string(),
            },
        })
    }

    /// A quantity of whole bytes (or whole units).
    pub fn from_units(units: u64) -> Quantity {
        Quantity {
            nanos: i128::from(units) * NANOS_PER_UNIT,
        }
    }

    /// A quantity of millicores (or milli-units).
    pub fn from_millis(millis: u64) -> Quantity {
        Quantity {
            nanos: i128::from(millis) * 1_000_000,
        }
    }

    /// The exact value in nano-units.
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.nanos < 0
    }

    /// True when the value is a whole number of units (bytes, cores).
    pub fn is_whole(self) -> bool {
        self.nanos % NANOS_PER_UNIT == 0
    }

    /// The value in whole units if it is one, e.g. bytes of memory.
    pub fn whole_units(self) -> Option<u64> {
        if self.is_whole() {
            u64::try_from(self.nanos / NANOS_PER_UNIT).ok()
        } else {
            None
        }
    }

    /// The value in bytes: non-negative and whole, else an error explaining why.
    pub fn to_bytes(self) -> Result<u64, QuantityError> {
        let input = self.to_decimal_string();
        if self.is_negative() {
            return Err(QuantityError::Negative { input });
        }
        self.whole_units()
            .ok_or_else(|| QuantityError::FractionalBytes {
                value: input.clone(),
                input,
                hint: None,
            })
    }

    /// The value in milli-units rounded up, like apimachinery's `MilliValue` (CPU millicores).
    pub fn millis_ceil(self) -> i128 {
        let per_milli: i128 = 1_000_000;
        let quotient = self.nanos.div_euclid(per_milli);
        if self.nanos.rem_euclid(per_milli) == 0 {
            quotient
        } else {
            quotient + 1
        }
    }

    /// The exact value as a plain decimal (`0.512`, `1073741824`, `-1`), for messages.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.nanos < 0 { "-" } else { "" };
        let magnitude = self.nanos.unsigned_abs();
        let whole = magnitude / NANOS_PER_UNIT as u128;
        let frac = magnitude % NANOS_PER_UNIT as u128;
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            let frac = format!("{frac:09}");
            format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// Parse failures before any message or hint is built (see [`RedisRaw`]).
enum QuantityRaw {
    Format,
    Suffix(String),
    OutOfRange,
}

fn quantity_inner(input: &str) -> Result<Quantity, QuantityRaw> {
    let bytes = input.as_bytes();
    let mut pos = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            pos += 1;
            true
        }
        Some(b'+') => {
            pos += 1;
            false
        }
        _ => false,
    };
    let int_start = pos;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    let int_part = &input[int_start..pos];
    let mut frac_part = "";
    if pos < bytes.len() && bytes[pos] == b'.' {
        pos += 1;
        let frac_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        frac_part = &input[frac_start..pos];
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(QuantityRaw::Format);
    }
    // The suffix is a run of suffix letters, optionally a sign, then digits (exponent).
    let suffix_start = pos;
    while pos < bytes.len() && b"eEinumkKMGTP".contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < bytes.len() && (bytes[pos] == b'+' || bytes[pos] == b'-') {
        pos += 1;
    }
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos != bytes.len() {
        return Err(QuantityRaw::Format);
    }
    let suffix = &input[suffix_start..];
    let Some((pow2, suffix_pow10)) = quantity_suffix(suffix) else {
        return Err(QuantityRaw::Suffix(suffix.to_string()));
    };

    let out_of_range = || QuantityRaw::OutOfRange;
    // Significant digits as an integer D, value = D × 10^pow10 × 2^pow2.
    let all_digits = format!("{int_part}{frac_part}");
    let significant = all_digits.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    if trimmed.is_empty() {
        return Ok(Quantity { nanos: 0 });
    }
    let dropped_zeros = (significant.len() - trimmed.len()) as i128;
    if trimmed.len() > MAX_SIGNIFICANT_DIGITS {
        return Err(out_of_range());
    }
    let mantissa: u128 = trimmed.parse().map_err(|_| out_of_range())?;
    let mantissa = mantissa << pow2; // < 10^20 × 2^60 < 2^127
    let pow10 = suffix_pow10
        .saturating_add(dropped_zeros)
        .saturating_sub(frac_part.len() as i128)
        .saturating_add(9); // to nano-units
    let magnitude: u128 = if pow10 >= 0 {
        let scale = u32::try_from(pow10).map_err(|_| out_of_range())?;
        let factor = 10u128.checked_pow(scale).ok_or_else(out_of_range)?;
        mantissa.checked_mul(factor).ok_or_else(out_of_range)?
    } else {
        // Finer than a nano-unit: round away from zero (a positive remainder becomes 1n).
        match u32::try_from(-pow10)
            .ok()
            .and_then(|s| 10u128.checked_pow(s))
        {
            Some(divisor) => mantissa.div_ceil(divisor),
            None => 1,
        }
    };
    let magnitude = i128::try_from(magnitude).map_err(|_| out_of_range())?;
    if magnitude > MAX_NANOS {
        return Err(out_of_range());
    }
    Ok(Quantity {
        nanos: if negative { -magnitude } else { magnitude },
    })
}

/// A guess at what a refused or misleading quantity meant, for help text.
fn quantity_hint(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed != input {
        if quantity_inner(trimmed).is_ok() {
            return Some(format!("remove the spaces: `{trimmed}`"));
        }
        return None;
    }
    if let Some(stripped) = input.strip_suffix(['B', 'b']) {
        if matches!(
            stripped.get(stripped.len().saturating_sub(2)..),
            Some("Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei")
        ) && quantity_inner(stripped).is_ok()
        {
            return Some(format!("drop the trailing B: `{stripped}`"));
        }
    }
    let memory = redis_memory_inner(input).ok()?;
    if memory.unit == RedisUnit::None {
        return None;
    }
    if memory.unit.is_decimal() {
        let binary = memory.unit.binary_counterpart().multiplier();
        let decimal_suffix = match memory.unit {
            RedisUnit::K => "k",
            RedisUnit::M => "M",
            _ => "G",
        };
        let binary_suffix = &format_binary_bytes(binary)[1..];
        return Some(format!(
            "`{input}` is Redis notation for {} bytes; in Kubernetes write `{}{decimal_suffix}` \
             for that, or `{}{binary_suffix}` for {} bytes",
            memory.bytes,
            memory.number,
            memory.number,
            memory.number.saturating_mul(binary)
        ));
    }
    Some(format!(
        "`{input}` is Redis notation for {} bytes; in Kubernetes write `{}`",
        memory.bytes,
        format_binary_bytes(memory.bytes)
    ))
}

/// Parse a Kubernetes memory quantity into whole bytes. `512m` (0.512 bytes: m is milli) and
/// negative values are errors that say so.
pub fn parse_memory_quantity(input: &str) -> Result<u64, QuantityError> {
    let quantity = Quantity::parse(input)?;
    match quantity.to_bytes() {
        Ok(bytes) => Ok(bytes),
        Err(QuantityError::Negative { .. }) => Err(QuantityError::Negative {
            input: input.to_string(),
        }),
        Err(_) => {
            let hint = input.strip_suffix('m').and_then(|number| {
                number
                    .parse::<u64>()
                    .ok()
                    .map(|n| format!("m is milli; for {n} mebibytes write `{n}Mi`"))
            });
            Err(QuantityError::FractionalBytes {
                input: input.to_string(),
                value: quantity.to_decimal_string(),
                hint,
            })
        }
    }
}

/// Parse a Kubernetes CPU quantity into millicores, rounding finer values up as Kubernetes
/// does (`0.5` → 500, `2` → 2000, `100m` → 100).
pub fn parse_cpu_quantity(input: &str) -> Result<u64, QuantityError> {
    let quantity = Quantity::parse(input)?;
    if quantity.is_negative() {
        return Err(QuantityError::Negative {
            input: input.to_string(),
        });
    }
    u64::try_from(quantity.millis_ceil()).map_err(|_| QuantityError::OutOfRange {
        input: input.to_string(),
    })
}

/// Render bytes as a canonical binary quantity: the largest of `Ei Pi Ti Gi Mi Ki` that divides
/// it exactly (`1Gi`, `1280Mi`), plain digits otherwise.
// `is_multiple_of` needs Rust 1.87; the workspace declares rust-version 1.85.
pub fn format_binary_bytes(bytes: u64) -> String {
    if bytes == 0 {
        return "0".to_string();
    }
    for (shift, suffix) in [
        (60, "Ei"),
        (50, "Pi"),
        (40, "Ti"),
        (30, "Gi"),
        (20, "Mi"),
        (10, "Ki"),
    ] {
        if bytes.is_multiple_of(1u64 << shift) {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// Render millicores as Kubernetes writes CPU: whole cores as digits (`2`), else `500m`.
// `is_multiple_of` needs Rust 1.87; the workspace declares rust-version 1.85.
pub fn format_millicores(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

/// Bytes in whole mebibytes, rounded up (for tables that show Mi).
pub fn mib_ceil(bytes: u64) -> u64 {
    bytes.div_ceil(MIB)
}
