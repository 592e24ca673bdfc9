//! The JSON Canonicalization Scheme (RFC 8785, "JCS"), the lexical form of JSON-LD `@json`
//! literals.
//!
//! Objects are written with their members sorted by the UTF-16 code units of their names,
//! without insignificant whitespace; strings as ECMAScript's `JSON.stringify` writes them (the
//! escapes `\b \t \n \f \r \" \\`, other control characters as lowercase `\u00xx`, everything
//! else as is); numbers as IEEE-754 doubles printed by ECMAScript's `Number.prototype.toString`
//! (RFC 8785 §3.2.2.3). An integer that a double cannot hold exactly is therefore written as its
//! nearest double (`9007199254740993` becomes `9007199254740992`), as every JCS implementation
//! writes it.
//!
//! This is not the sorted-keys form of stored content hashes (`openbadges_model::sorted_keys_json`),
//! which keeps serde_json's number printing and code-point key order.

use serde_json::Value;

/// `v` in the JSON Canonicalization Scheme (RFC 8785).
///
/// Recursion follows the value's nesting, which parsing bounds.
///
/// ```
/// use openbadges_proof::jsonld::jcs;
/// let v: serde_json::Value = serde_json::from_str(r#"{"b": [4.50, 1E30, 2e-3], "a": 9007199254740993}"#)?;
/// assert_eq!(jcs(&v), r#"{"a":9007199254740992,"b":[4.5,1e+30,0.002]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn jcs(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v);
    out
}

fn write(out: &mut String, v: &Value) {
    match v {
        Value::Null | Value::Bool(_) | Value::String(_) => out.push_str(&v.to_string()),
        // Without serde_json's `arbitrary_precision`, every number has a double value.
        Value::Number(n) => out.push_str(&es_number(n.as_f64().unwrap_or_default())),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, x);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, x)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write(out, x);
            }
            out.push('}');
        }
    }
}

/// ECMAScript `Number.prototype.toString` for a finite double (RFC 8785 §3.2.2.3): the fewest
/// significant digits that round-trip, the closest such to the exact value, the even one on a
/// tie; in plain notation for exponents from -6 to 20 and in `d.ddde±x` notation outside; both
/// zeros are `0`.
fn es_number(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        // serde_json numbers are finite; 0 and -0 are both "0".
        return "0".to_owned();
    }
    let sign = if f < 0.0 { "-" } else { "" };
    let Some((digits, exp)) = shortest_digits(f.abs()) else {
        return format!("{f:e}");
    };
    // ECMAScript's k (number of digits) and n (position of the decimal point).
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let n = exp + 1;
    let zeros = |c: i32| "0".repeat(usize::try_from(c).unwrap_or(0));
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(usize::try_from(n).unwrap_or(0).min(digits.len()));
        format!("{a}.{b}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let (a, b) = digits.split_at(1.min(digits.len()));
        let frac = if b.is_empty() {
            String::new()
        } else {
            format!(".{b}")
        };
        let es = if n > 0 { '+' } else { '-' };
        format!("{a}{frac}e{es}{}", (n - 1).abs())
    };
    format!("{sign}{body}")
}

/// The ECMAScript digits of a positive finite double and the decimal exponent of the first
/// digit (`1.5` is `("15", 0)`).
///
/// Rust's `{:e}` gives the fewest digits that round-trip, but on an exact tie between two
/// candidates it rounds up where ECMAScript takes the even one (`1424953923781206.25` is
/// `1424953923781206.2`). So the count comes from `{:e}` and the digits from rounding the exact
/// decimal value (a double has at most 767 significant digits) half-to-even.
fn shortest_digits(a: f64) -> Option<(String, i32)> {
    let short = format!("{a:e}");
    let (mant, _) = short.split_once('e')?;
    let k = mant.bytes().filter(u8::is_ascii_digit).count();
    let exact = format!("{a:.800e}");
    let (mant, exp) = exact.split_once('e')?;
    let mut exp: i32 = exp.parse().ok()?;
    let all: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    let (head, rest) = all.split_at(k.min(all.len()));
    let mut head = head.to_vec();
    let up = match rest.split_first() {
        None => false,
        Some((&first, tail)) => {
            let beyond = tail.iter().any(|&d| d != b'0');
            first > b'5' || (first == b'5' && (beyond || head.last().is_some_and(|d| d % 2 == 1)))
        }
    };
    if up {
        let mut i = head.len();
        loop {
            if i == 0 {
                head.insert(0, b'1');
                head.pop();
                exp += 1;
                break;
            }
            i -= 1;
            if let Some(d) = head.get_mut(i) {
                if *d == b'9' {
                    *d = b'0';
                } else {
                    *d += 1;
                    break;
                }
            }
        }
    }
    while head.len() > 1 && head.last() == Some(&b'0') {
        head.pop();
    }
    let digits = String::from_utf8(head).ok()?;
    // The rounded digits must denote the same double; otherwise keep Rust's.
    let check: f64 = format!("{digits}e{}", exp - i32::try_from(digits.len()).ok()? + 1)
        .parse()
        .ok()?;
    if check == a {
        return Some((digits, exp));
    }
    let (m, e) = short.split_once('e')?;
    Some((
        m.bytes()
            .filter(u8::is_ascii_digit)
            .map(char::from)
            .collect(),
        e.parse().ok()?,
    ))
}
