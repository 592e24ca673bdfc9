//! Canonical N-Quads with one literal left open: a dataset whose canonical form is known up to
//! the lexical form of one literal, so that the same shape with another value is hashed
//! without expanding, converting and canonicalizing it again.

use ring::digest::{Context, SHA256};

use super::{Dataset, Term, write_escaped};

/// The canonical N-Quads lines of a dataset in which one literal's lexical form is `slot`.
///
/// Sound only for datasets with at most one blank node (its canonical label is `c14n0`
/// whatever the literal: with more blank nodes the labels would depend on the literal through
/// the first-degree hashes) and in which `slot` occurs exactly once, as a whole literal
/// lexical form (`"slot"` followed by `^^`, `@` or a space). [`SlotTemplate::new`] checks both.
#[derive(Debug)]
pub(crate) struct SlotTemplate {
    /// The lines that do not contain the slot, in canonical order.
    fixed: Vec<String>,
    /// The line with the slot: the text before and after the lexical form.
    before: String,
    after: String,
}

impl SlotTemplate {
    /// The template of `dataset`, whose canonical N-Quads are `nquads`, with `slot` as the open
    /// lexical form; `None` when the shape does not allow one (see the type's docs).
    pub(crate) fn new(dataset: &Dataset, nquads: &str, slot: &str) -> Option<Self> {
        let mut blank: Option<&str> = None;
        for q in dataset.quads() {
            for t in [Some(&q.subject), Some(&q.object), q.graph.as_ref()]
                .into_iter()
                .flatten()
            {
                if let Term::Blank(b) = t {
                    match blank {
                        Some(x) if x != b => return None,
                        _ => blank = Some(b),
                    }
                }
            }
        }
        let quoted = format!(" \"{slot}\"");
        if nquads.matches(slot).count() != 1 {
            return None;
        }
        let mut fixed = Vec::new();
        let mut open = None;
        for line in nquads.split_inclusive('\n') {
            match line.find(&quoted) {
                Some(i) => open = Some((line, i)),
                None => fixed.push(line.to_owned()),
            }
        }
        let (line, i) = open?;
        let before = line.get(..i + 2)?;
        let after = line.get(i + quoted.len() - 1..)?;
        if !matches!(after.as_bytes().get(1), Some(b'^' | b'@' | b' ')) {
            return None;
        }
        Some(Self {
            fixed,
            before: before.to_owned(),
            after: after.to_owned(),
        })
    }

    /// SHA-256 of the canonical N-Quads with `value` as the open literal's lexical form (the
    /// lines sorted and deduplicated again, as canonicalization does).
    pub(crate) fn sha256(&self, value: &str) -> [u8; 32] {
        let mut open = String::with_capacity(self.before.len() + value.len() + self.after.len());
        open.push_str(&self.before);
        write_escaped(&mut open, value);
        open.push_str(&self.after);
        let mut lines: Vec<&str> = self.fixed.iter().map(String::as_str).collect();
        lines.push(&open);
        lines.sort_unstable();
        lines.dedup();
        let mut ctx = Context::new(&SHA256);
        for l in lines {
            ctx.update(l.as_bytes());
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::rdfc::{CanonLimits, canonical_sha256, canonicalize, parse_nquads};

    fn template(nq: &str, slot: &str) -> Option<SlotTemplate> {
        let ds = parse_nquads(nq).unwrap();
        let c = canonicalize(&ds, &CanonLimits::default()).unwrap();
        SlotTemplate::new(&ds, &c.nquads, slot)
    }

    fn filled(nq: &str, slot: &str, value: &str) -> [u8; 32] {
        let mut esc = String::new();
        write_escaped(&mut esc, value);
        let ds = parse_nquads(&nq.replace(slot, &esc)).unwrap();
        canonical_sha256(&ds, &CanonLimits::default()).unwrap()
    }

    #[test]
    fn fills_like_canonicalization_including_order_and_escapes() {
        let nq = "_:p <http://e.org/b> \"SLOT\"^^<http://e.org/dt> .\n\
                  _:p <http://e.org/a> \"m\" .\n\
                  _:p <http://e.org/b> \"n\"^^<http://e.org/dt> .\n";
        let t = template(nq, "SLOT").unwrap();
        for v in [
            "a",
            "z",
            "n",
            "2024-01-01T00:00:00Z",
            "q\"uote",
            "tab\there",
        ] {
            assert_eq!(t.sha256(v), filled(nq, "SLOT", v), "{v}");
        }
    }

    #[test]
    fn refuses_unsound_shapes() {
        // Two blank nodes: the labels depend on the value.
        assert!(
            template(
                "_:a <http://e.org/p> \"SLOT\" .\n_:b <http://e.org/p> \"x\" .\n",
                "SLOT"
            )
            .is_none()
        );
        // The slot as an IRI, twice, or inside another literal.
        assert!(template("_:a <http://e.org/p> <http://e.org/SLOT> .\n", "SLOT").is_none());
        assert!(
            template(
                "_:a <http://e.org/p> \"SLOT\" .\n_:a <http://e.org/q> \"SLOT\" .\n",
                "SLOT"
            )
            .is_none()
        );
        assert!(template("_:a <http://e.org/p> \"xSLOT\" .\n", "SLOT").is_none());
        assert!(template("_:a <http://e.org/p> \"SLOTx\" .\n", "SLOT").is_none());
        assert!(template("_:a <http://e.org/p> \"SLOT\" .\n", "SLOT").is_some());
    }
}
