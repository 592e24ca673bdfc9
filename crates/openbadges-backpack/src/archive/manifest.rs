//! `manifest.json` read without building it whole: 10,000 badges make a 41 MiB manifest (each
//! entry carries the badge's verification report), several times that as a [`Value`]. The
//! manifest's members other than `badges` are parsed; each badge entry is parsed and checked
//! when the manifest is read, and only the members an import reads ([`IMPORTED_MEMBERS`]: not
//! the report, name, recipient, …) are kept, rendered again as compact JSON and parsed when the
//! entry is imported — so the manifest's own bytes can be dropped once it is read. Every piece
//! is parsed with [`openbadges_model::parse_json`] within the limits (duplicate member names
//! and nesting depth refused as if the whole manifest were parsed at once: each piece's depth
//! limit is lowered by its own depth), and every entry is checked before any is imported, so a
//! manifest is refused exactly when the whole parse would refuse it — with the same error: on
//! any problem the whole manifest is parsed once more, the way it always was, for its message.

use serde::de::IgnoredAny;
use serde_json::{Map, Value};

/// The members of a badge entry that an import reads (`crate::archive`): the others (the
/// verification report, name, recipient, …) are checked with the manifest and not kept.
pub(super) const IMPORTED_MEMBERS: [&str; 6] =
    ["id", "files", "documents", "source", "state", "importedAt"];

/// A badge entry with only its [`IMPORTED_MEMBERS`] (an entry that is not an object as is).
fn imported_part(entry: Value) -> Value {
    match entry {
        Value::Object(mut o) => {
            o.retain(|k, _| IMPORTED_MEMBERS.contains(&k.as_str()));
            Value::Object(o)
        }
        other => other,
    }
}

/// A manifest: its members but `badges`, and its badge entries.
pub(super) struct Manifest {
    /// Every member but `badges` (`format`, `formatVersion`, `collections`, …).
    pub(super) head: Value,
    /// The badge entries (none when `badges` is not an array).
    pub(super) badges: Badges,
}

/// A manifest's badge entries, their [`IMPORTED_MEMBERS`] only, each parsed when it is
/// reached.
pub(super) struct Badges {
    /// The entries' imported parts, rendered as compact JSON one after the other.
    bytes: Vec<u8>,
    /// Each entry's span in `bytes`.
    spans: std::vec::IntoIter<(usize, usize)>,
    /// Entries already parsed (a manifest read whole).
    values: std::vec::IntoIter<Value>,
    limits: openbadges_model::Limits,
}

impl Badges {
    /// How many entries are left.
    pub(super) fn len(&self) -> usize {
        self.spans.len() + self.values.len()
    }
}

impl Iterator for Badges {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        if let Some(v) = self.values.next() {
            return Some(v);
        }
        let (start, end) = self.spans.next()?;
        // Rendered by serde_json from a checked entry: a failure here cannot happen, and would
        // only make the entry unreadable (`Null` names no original file).
        Some(
            self.bytes
                .get(start..end)
                .and_then(|b| openbadges_model::parse_json(b, &self.limits).ok())
                .unwrap_or(Value::Null),
        )
    }
}

impl Manifest {
    /// Reads `bytes` within `limits`; the error is what `parse_json` says of the manifest.
    /// Nothing returned borrows `bytes`.
    pub(super) fn parse(
        bytes: &[u8],
        limits: &openbadges_model::Limits,
    ) -> Result<Self, openbadges_model::Error> {
        if let Some(m) = Self::lazily(bytes, limits) {
            return Ok(m);
        }
        // The whole parse, for its verdict and message; a manifest it accepts that the lazy
        // reading did not (one that is not an object) is read from its value, as always.
        let mut head = openbadges_model::parse_json(bytes, limits)?;
        let values = match head.as_object_mut().and_then(|o| o.shift_remove("badges")) {
            Some(Value::Array(a)) => a.into_iter().map(imported_part).collect(),
            _ => Vec::new(),
        };
        Ok(Manifest {
            head,
            badges: Badges {
                bytes: Vec::new(),
                spans: Vec::new().into_iter(),
                values: values.into_iter(),
                limits: *limits,
            },
        })
    }

    /// The lazy reading; `None` on anything it does not accept.
    fn lazily(bytes: &[u8], limits: &openbadges_model::Limits) -> Option<Self> {
        if bytes.len() > limits.max_bytes {
            return None;
        }
        // A member sits one level down, a badge entry two.
        let member_limits = openbadges_model::Limits {
            max_depth: limits.max_depth.checked_sub(1)?,
            ..*limits
        };
        let entry_limits = openbadges_model::Limits {
            max_depth: limits.max_depth.checked_sub(2)?,
            ..*limits
        };
        let mut r = Reader { bytes, at: 0 };
        let mut head = Map::new();
        let mut badges = None;
        let mut kept = Vec::new();
        r.require(b'{')?;
        if !r.eat(b'}') {
            loop {
                let key: String = r.value()?.0;
                r.require(b':')?;
                if head.contains_key(&key) || (key == "badges" && badges.is_some()) {
                    return None;
                }
                if key == "badges" {
                    r.skip_ws();
                    if r.peek() == Some(b'[') {
                        badges = Some(r.array(&entry_limits, &mut kept)?);
                    } else {
                        let (_, start, end) = r.value::<IgnoredAny>()?;
                        openbadges_model::parse_json(bytes.get(start..end)?, &member_limits)
                            .ok()?;
                        badges = Some(Vec::new());
                    }
                } else {
                    let (_, start, end) = r.value::<IgnoredAny>()?;
                    let v = openbadges_model::parse_json(bytes.get(start..end)?, &member_limits)
                        .ok()?;
                    head.insert(key, v);
                }
                if r.eat(b',') {
                    continue;
                }
                r.require(b'}')?;
                break;
            }
        }
        r.skip_ws();
        if r.at != bytes.len() {
            return None;
        }
        Some(Manifest {
            head: Value::Object(head),
            badges: Badges {
                bytes: kept,
                spans: badges.unwrap_or_default().into_iter(),
                values: Vec::new().into_iter(),
                limits: entry_limits,
            },
        })
    }
}

/// A cursor over the manifest's bytes, for its outer structure (the values themselves are read
/// by serde_json).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips white space, then takes `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        let hit = self.peek() == Some(c);
        if hit {
            self.at += 1;
        }
        hit
    }

    /// Skips white space, then takes `c`, or `None` if something else is next.
    fn require(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// The next JSON value as `T`, with its span.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Option<(T, usize, usize)> {
        self.skip_ws();
        let start = self.at;
        let rest = self.bytes.get(start..)?;
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<T>();
        let v = stream.next()?.ok()?;
        self.at = start + stream.byte_offset();
        Some((v, start, self.at))
    }

    /// An array's elements, each checked within `limits`: their [`imported_part`] appended
    /// to `kept` as compact JSON, and their spans there.
    fn array(
        &mut self,
        limits: &openbadges_model::Limits,
        kept: &mut Vec<u8>,
    ) -> Option<Vec<(usize, usize)>> {
        self.require(b'[')?;
        let mut out = Vec::new();
        if self.eat(b']') {
            return Some(out);
        }
        loop {
            let (_, start, end) = self.value::<IgnoredAny>()?;
            let entry = openbadges_model::parse_json(self.bytes.get(start..end)?, limits).ok()?;
            let at = kept.len();
            serde_json::to_writer(&mut *kept, &imported_part(entry)).ok()?;
            out.push((at, kept.len()));
            if self.eat(b',') {
                continue;
            }
            self.require(b']')?;
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn limits(depth: usize) -> openbadges_model::Limits {
        openbadges_model::Limits {
            max_bytes: 1 << 20,
            max_depth: depth,
        }
    }

    #[test]
    fn reads_what_the_whole_parse_reads() {
        let text = br#" {"format": "x", "badges" : [ {"id": 1, "verification": {"a": [1, 2]}, "files": {"original": {"path": "p", "sha256": "s"}}, "documents": [{"url": "u"}], "source": {"kind": "k"}, "state": "rejected", "importedAt": "t", "name": "n"} ,{"id":"b"}, 3], "collections": [], "n": 1.5e3}  "#;
        let m = Manifest::parse(text, &limits(64)).unwrap();
        let whole = openbadges_model::parse_json(text, &limits(64)).unwrap();
        let mut head = whole.clone();
        let badges = head
            .as_object_mut()
            .unwrap()
            .shift_remove("badges")
            .unwrap();
        assert_eq!(m.head, head);
        assert_eq!(m.badges.len(), 3);
        // Every member an import reads, none of the others.
        let imported: Vec<Value> = badges
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(imported_part)
            .collect();
        assert_eq!(
            imported[0],
            serde_json::json!({"id": 1, "files": {"original": {"path": "p", "sha256": "s"}}, "documents": [{"url": "u"}], "source": {"kind": "k"}, "state": "rejected", "importedAt": "t"})
        );
        assert_eq!(imported[1], serde_json::json!({"id": "b"}));
        assert_eq!(imported[2], serde_json::json!(3));
        assert_eq!(m.badges.collect::<Vec<_>>(), imported);
    }

    #[test]
    fn refuses_what_the_whole_parse_refuses_with_its_message() {
        for (text, depth) in [
            (&br#"{"badges": [{"id": 1, "id": 2}]}"#[..], 64),
            (br#"{"badges": [], "badges": []}"#, 64),
            (br#"{"format": "a", "format": "b"}"#, 64),
            (br#"{"badges": [{"a": {"b": 1}}]}"#, 3),
            (br#"{"badges": [1}"#, 64),
            (br#"{"a": 1} x"#, 64),
            (br#"{"a": {"b": {"c": 1}}}"#, 2),
        ] {
            let lazy = Manifest::parse(text, &limits(depth)).err();
            let whole = openbadges_model::parse_json(text, &limits(depth)).err();
            assert!(whole.is_some(), "{}", String::from_utf8_lossy(text));
            assert_eq!(
                lazy.map(|e| e.to_string()),
                whole.map(|e| e.to_string()),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        // At the depth limit exactly, both accept.
        let text = br#"{"badges": [{"a": 1}]}"#;
        assert!(openbadges_model::parse_json(text, &limits(3)).is_ok());
        assert_eq!(Manifest::parse(text, &limits(3)).unwrap().badges.len(), 1);
    }

    #[test]
    fn a_manifest_that_is_not_an_object_reads_as_before() {
        let m = Manifest::parse(b"[1, 2]", &limits(64)).unwrap();
        assert_eq!(m.head, serde_json::json!([1, 2]));
        assert_eq!(m.badges.len(), 0);
        let m = Manifest::parse(br#"{"badges": {"a": 1}}"#, &limits(64)).unwrap();
        assert_eq!(m.badges.len(), 0);
    }
}
