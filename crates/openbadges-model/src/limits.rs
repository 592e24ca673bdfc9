//! Limits applied to untrusted input, on by default.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

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

/// Parses untrusted bytes as JSON within `limits`, refusing duplicate member names.
///
/// RFC 8259 leaves the meaning of an object with two members of the same name undefined, and
/// readers disagree (serde_json keeps the last value, SQLite's `json_extract` and others the
/// first), so a signed document with a duplicated name could mean one thing to the verifier and
/// another to whoever reads it next. I-JSON (RFC 7493 §2.3) forbids duplicates; so do we, for
/// every document parsed here. Names are compared after unescaping (`"a"` and `"\u0061"` are the
/// same name). The check, the depth limit and building the value are one pass over the input.
///
/// # Errors
/// [`Error::TooLarge`] before parsing when the input is over `max_bytes`; [`Error::Json`] with the
/// line and column of malformed JSON; [`Error::TooDeep`] when nesting exceeds `max_depth`;
/// [`Error::DuplicateMember`] with the JSON pointer of the second member of a duplicated name.
///
/// ```
/// use openbadges_model::{parse_json, Error, Limits};
/// let v = parse_json(br#"{"type": "Assertion"}"#, &Limits::default())?;
/// assert_eq!(v["type"], "Assertion");
/// assert!(parse_json(b"[[[[1]]]]", &Limits { max_depth: 2, ..Limits::default() }).is_err());
/// let dup = parse_json(br#"{"a": {"id": 1, "id": 2}}"#, &Limits::default());
/// assert!(matches!(dup, Err(Error::DuplicateMember { path, .. }) if path == "/a/id"));
/// # Ok::<(), openbadges_model::Error>(())
/// ```
pub fn parse_json(bytes: &[u8], limits: &Limits) -> Result<Value, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let mut fault = None;
    let seed = ValueSeed {
        fault: &mut fault,
        depth: 0,
        max_depth: limits.max_depth,
    };
    // Valid UTF-8 (checked once, in bulk) is read as a `str`, so that serde_json does not check
    // each string again as it reads it (~6 instructions a byte of strings); other bytes go
    // through the byte reader, which reports where the bad sequence is.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v))
        }
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v))
        }
    };
    match parsed {
        Ok(v) => Ok(v),
        Err(e) => Err(match fault {
            Some(f) => f.into_error(&e, limits.max_depth),
            None => Error::from_json(e),
        }),
    }
}

/// Why [`ValueSeed`] stopped, with the path to the offending node collected while unwinding
/// (innermost token first), so that the successful path pays nothing for it.
struct Fault {
    kind: FaultKind,
    rev_path: Vec<String>,
}

enum FaultKind {
    Duplicate,
    TooDeep,
}

impl Fault {
    fn into_error(self, e: &serde_json::Error, max_depth: usize) -> Error {
        let mut path = String::new();
        for token in self.rev_path.iter().rev() {
            path = crate::pointer_join(&path, token);
        }
        match self.kind {
            FaultKind::Duplicate => Error::DuplicateMember {
                name: self.rev_path.first().cloned().unwrap_or_default(),
                path,
                line: e.line(),
                column: e.column(),
            },
            FaultKind::TooDeep => Error::TooDeep {
                limit: max_depth,
                path,
            },
        }
    }
}

/// Builds a [`Value`] like serde_json's own visitor, but refuses duplicate member names and
/// nesting past the limit as it goes.
struct ValueSeed<'f> {
    fault: &'f mut Option<Fault>,
    depth: usize,
    max_depth: usize,
}

impl ValueSeed<'_> {
    fn child(&mut self) -> ValueSeed<'_> {
        ValueSeed {
            fault: &mut *self.fault,
            depth: self.depth + 1,
            max_depth: self.max_depth,
        }
    }

    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        if self.depth >= self.max_depth {
            *self.fault = Some(Fault {
                kind: FaultKind::TooDeep,
                rev_path: Vec::new(),
            });
            return Err(E::custom("nesting too deep"));
        }
        Ok(())
    }

    /// Adds `token` to the path of a fault raised below this node.
    fn note(&mut self, token: impl FnOnce() -> String) {
        if let Some(f) = self.fault.as_mut() {
            f.rev_path.push(token());
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(self.child()) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(Value::Array(out)),
                Err(e) => {
                    let i = out.len();
                    self.note(|| i.to_string());
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                serde_json::map::Entry::Occupied(o) => {
                    *self.fault = Some(Fault {
                        kind: FaultKind::Duplicate,
                        rev_path: vec![o.key().clone()],
                    });
                    return Err(de::Error::custom("duplicate member name"));
                }
                serde_json::map::Entry::Vacant(slot) => match map.next_value_seed(self.child()) {
                    Ok(v) => {
                        slot.insert(v);
                    }
                    Err(e) => {
                        self.note(|| slot.key().clone());
                        return Err(e);
                    }
                },
            }
        }
        Ok(Value::Object(out))
    }
}

/// Checks that `value` nests no deeper than `max_depth` (iteratively: no recursion on input).
///
/// [`parse_json`] applies the same limit while parsing; this is for values built otherwise.
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
