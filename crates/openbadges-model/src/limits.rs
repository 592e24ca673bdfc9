//! Limits applied to untrusted input, on by default.

use serde_json::Value;

use crate::Error;

/// Bounds on untrusted JSON input.
///
/// The defaults are generous for real badges (a CLR bundle with embedded images stays well below
/// them) and small enough that hostile input cannot exhaust memory or the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input accepted, in bytes. Default 16 MiB.
    pub max_bytes: usize,
    /// The deepest nesting of arrays and objects accepted. Default 64.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// Parses untrusted bytes as JSON within `limits`.
///
/// # Errors
/// [`Error::TooLarge`] before parsing when the input is over `max_bytes`; [`Error::Json`] with the
/// line and column of malformed JSON; [`Error::TooDeep`] when nesting exceeds `max_depth`.
///
/// ```
/// use openbadges_model::{parse_json, Limits};
/// let v = parse_json(br#"{"type": "Assertion"}"#, &Limits::default())?;
/// assert_eq!(v["type"], "Assertion");
/// assert!(parse_json(b"[[[[1]]]]", &Limits { max_depth: 2, ..Limits::default() }).is_err());
/// # Ok::<(), openbadges_model::Error>(())
/// ```
pub fn parse_json(bytes: &[u8], limits: &Limits) -> Result<Value, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::from_json(&e))?;
    check_depth(&value, limits.max_depth)?;
    Ok(value)
}

/// Checks that `value` nests no deeper than `max_depth` (iteratively: no recursion on input).
///
/// # Errors
/// [`Error::TooDeep`] with the JSON pointer of the first node past the limit.
pub fn check_depth(value: &Value, max_depth: usize) -> Result<(), Error> {
    let mut stack: Vec<(&Value, usize, String)> = vec![(value, 0, String::new())];
    while let Some((v, depth, path)) = stack.pop() {
        let children: Box<dyn Iterator<Item = (String, &Value)>> = match v {
            Value::Array(a) => Box::new(a.iter().enumerate().map(|(i, c)| (i.to_string(), c))),
            Value::Object(o) => Box::new(o.iter().map(|(k, c)| (k.clone(), c))),
            _ => continue,
        };
        if depth >= max_depth {
            return Err(Error::TooDeep {
                limit: max_depth,
                path,
            });
        }
        for (k, c) in children {
            if c.is_array() || c.is_object() {
                stack.push((c, depth + 1, crate::pointer_join(&path, k)));
            }
        }
    }
    Ok(())
}
