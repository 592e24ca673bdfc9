//! Conversion of one `qti-assessment-item` into an [`Item`]: its response declaration
//! (correct response and mapping), the response processing template (`match_correct` or
//! `map_response`), and one interaction (choice, text entry, order, match). What cannot be
//! carried over is a `qti-unsupported` warning at its position.

use std::collections::BTreeMap;

use super::assessment::Ctx;
use super::xml::El;
use crate::def::{Answer, Choice, Distractor, Item, ItemType, Pair, Whitespace};

/// A `qti-response-declaration`.
#[derive(Debug, Default)]
struct Decl {
    cardinality: String,
    base_type: String,
    correct: Vec<String>,
    mapping: Option<Mapping>,
}

/// A `qti-mapping`: bounds, default and `(map-key, mapped-value, case-sensitive)` entries.
#[derive(Debug, Default)]
struct Mapping {
    lower: Option<f64>,
    upper: Option<f64>,
    default: f64,
    entries: Vec<(String, f64, bool)>,
}

/// A finite number from an attribute value.
fn num(s: Option<&str>) -> Option<f64> {
    s.and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// How the interaction's response is scored: its declaration, its mapping (empty when none)
/// and whether `map_response` scores it through that mapping.
struct Scoring {
    decl: Decl,
    map: Mapping,
    mapped: bool,
}

impl Scoring {
    /// The mapped value of `key` (the mapping's default when it has no entry).
    fn value_of(&self, key: &str) -> f64 {
        self.map
            .entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(self.map.default, |(_, v, _)| *v)
    }
}

/// Converts an item (its spans recorded under `path`); `None`, with a warning, when it has
/// no supported interaction.
pub(super) fn convert_item(root: &El, cx: &mut Ctx<'_>, path: &str) -> Option<Item> {
    cx.spans.insert(path.to_owned(), root.off);
    let mut decls = response_declarations(root);
    let template = response_processing(root, cx);
    let body = root.child("qti-item-body")?;
    let ia = the_interaction(root, body, cx)?;
    let id = root.attr("identifier").unwrap_or("item").to_owned();
    let mut item = Item::new(id, ItemType::SingleChoice, item_prompt(body, ia));
    let decl = decls
        .remove(ia.attr("response-identifier").unwrap_or("RESPONSE"))
        .unwrap_or_default();
    let mapped = template == "map_response" && decl.mapping.is_some();
    let mut scoring = Scoring {
        map: Mapping::default(),
        decl,
        mapped,
    };
    scoring.map = scoring.decl.mapping.take().unwrap_or_default();
    let at = Interaction {
        ia,
        path,
        s: &scoring,
    };
    match ia.name.as_str() {
        "qti-choice-interaction" => at.choice(cx, &mut item),
        "qti-text-entry-interaction" => at.text_entry(cx, &mut item),
        "qti-order-interaction" => at.order(cx, &mut item),
        "qti-match-interaction" => at.matching(cx, &mut item),
        other => {
            cx.warn(
                ia.off,
                format!("<{other}> is not supported; item not imported"),
            );
            return None;
        }
    }
    Some(item)
}

/// The response declarations by identifier.
fn response_declarations(root: &El) -> BTreeMap<String, Decl> {
    let mut decls = BTreeMap::new();
    for d in root
        .children()
        .filter(|e| e.name == "qti-response-declaration")
    {
        let mut decl = Decl {
            cardinality: d.attr("cardinality").unwrap_or("single").to_owned(),
            base_type: d.attr("base-type").unwrap_or("identifier").to_owned(),
            ..Decl::default()
        };
        if let Some(c) = d.child("qti-correct-response") {
            decl.correct = c
                .children()
                .filter(|v| v.name == "qti-value")
                .map(|v| v.text())
                .collect();
        }
        if let Some(m) = d.child("qti-mapping") {
            decl.mapping = Some(Mapping {
                lower: num(m.attr("lower-bound")),
                upper: num(m.attr("upper-bound")),
                default: num(m.attr("default-value")).unwrap_or(0.0),
                entries: m
                    .children()
                    .filter(|e| e.name == "qti-map-entry")
                    .map(|e| {
                        (
                            e.attr("map-key").unwrap_or("").to_owned(),
                            num(e.attr("mapped-value")).unwrap_or(0.0),
                            e.attr("case-sensitive") != Some("false"),
                        )
                    })
                    .collect(),
            });
        }
        decls.insert(d.attr("identifier").unwrap_or("RESPONSE").to_owned(), decl);
    }
    decls
}

/// The standard template the item names (`match_correct` or `map_response`); anything else
/// (another template, custom processing) is a warning and scored as `match_correct`.
fn response_processing(root: &El, cx: &mut Ctx<'_>) -> &'static str {
    let Some(rp) = root.child("qti-response-processing") else {
        return "match_correct";
    };
    let t = rp.attr("template").unwrap_or("");
    if t.ends_with("match_correct.xml") || t.ends_with("match_correct") {
        return "match_correct";
    }
    if t.ends_with("map_response.xml") || t.ends_with("map_response") {
        return "map_response";
    }
    let what = if rp.children().next().is_some() || t.is_empty() {
        "custom response processing".to_owned()
    } else {
        format!("template {t}")
    };
    cx.warn(
        rp.off,
        format!("{what} is not supported; scoring as match_correct"),
    );
    "match_correct"
}

/// Whether an element is an interaction.
fn is_interaction(e: &El) -> bool {
    e.name.ends_with("-interaction")
}

/// The body's first interaction; warnings for further interactions and for modal feedback,
/// and `None` with a warning when there is none.
fn the_interaction<'a>(root: &El, body: &'a El, cx: &mut Ctx<'_>) -> Option<&'a El> {
    let mut all = Vec::new();
    body.descendants(&mut all);
    let interactions: Vec<&El> = all.into_iter().filter(|e| is_interaction(e)).collect();
    for extra in interactions.iter().skip(1) {
        cx.warn(
            extra.off,
            format!(
                "only one interaction per item is supported; <{}> ignored",
                extra.name
            ),
        );
    }
    for fb in root.children().filter(|e| e.name == "qti-modal-feedback") {
        cx.warn(fb.off, "modal feedback is not imported".into());
    }
    let first = interactions.first().copied();
    if first.is_none() {
        cx.warn(body.off, "the item has no interaction; not imported".into());
    }
    first
}

/// The prompt: the body's text outside interactions and feedback, then the interaction's
/// `qti-prompt`, on two lines when both are there.
fn item_prompt(body: &El, ia: &El) -> String {
    let mut stem = String::new();
    body.text_into(&mut stem, &|e| {
        is_interaction(e) || e.name.starts_with("qti-feedback")
    });
    let stem = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    let prompt = ia.child("qti-prompt").map(El::text).unwrap_or_default();
    match (stem.is_empty(), prompt.is_empty()) {
        (false, false) => format!("{stem}\n{prompt}"),
        (true, _) => prompt,
        (false, true) => stem,
    }
}

/// The points an item is worth: `points` when positive, else 1.
fn positive_or_one(points: f64) -> f64 {
    if points > 0.0 { points } else { 1.0 }
}

/// The interaction being converted, with the scoring of its response.
struct Interaction<'a> {
    ia: &'a El,
    path: &'a str,
    s: &'a Scoring,
}

impl Interaction<'_> {
    /// Choice: single choice or multiple response, with mapped values as fractions.
    fn choice(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        let (ia, s) = (self.ia, self.s);
        let max_choices: usize = ia
            .attr("max-choices")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let multiple = s.decl.cardinality == "multiple" || max_choices != 1;
        item.kind = if multiple {
            ItemType::MultipleResponse
        } else {
            ItemType::SingleChoice
        };
        item.shuffle = ia.attr("shuffle") == Some("true");
        let choices: Vec<&El> = ia
            .children()
            .filter(|e| e.name == "qti-simple-choice")
            .collect();
        let points = if s.mapped {
            s.map.upper.unwrap_or_else(|| {
                let values = choices
                    .iter()
                    .map(|c| s.value_of(c.attr("identifier").unwrap_or("")));
                if multiple {
                    values.filter(|v| *v > 0.0).sum()
                } else {
                    values.fold(0.0, f64::max)
                }
            })
        } else {
            1.0
        };
        let points = positive_or_one(points);
        item.points = points;
        for (k, c) in choices.iter().enumerate() {
            let cid = c.attr("identifier").unwrap_or("").to_owned();
            cx.spans.insert(format!("{}/choices/{k}", self.path), c.off);
            let mut ch = Choice::new(cid.clone(), c.text(), s.decl.correct.contains(&cid));
            ch.pinned = c.attr("fixed") == Some("true");
            if s.mapped {
                let v = s.value_of(&cid) / points;
                ch.correct = v > 0.0 && (multiple || v >= 1.0);
                ch.fraction = Some(v.clamp(-1.0, 1.0));
            } else if multiple {
                ch.fraction = Some(if ch.correct {
                    1.0 / s.decl.correct.len().max(1) as f64
                } else {
                    -1.0
                });
            }
            item.choices.push(ch);
        }
        if multiple && !s.mapped {
            item.all_or_nothing = Some(true);
        }
        if s.mapped {
            item.min_fraction = s.map.lower.map_or(0.0, |l| (l / points).clamp(-1.0, 1.0));
        }
    }

    /// Text entry: text (exact, case-sensitive unless the mapping says otherwise) or numeric
    /// (base type float or integer), answers from the mapping or the correct response.
    fn text_entry(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        let (ia, s) = (self.ia, self.s);
        let numeric = matches!(s.decl.base_type.as_str(), "float" | "integer");
        item.kind = if numeric {
            ItemType::Numeric
        } else {
            ItemType::TextEntry
        };
        if !numeric {
            item.whitespace = Whitespace::Exact;
        }
        item.case_sensitive = !numeric;
        if !s.mapped {
            for v in &s.decl.correct {
                item.answers.push(answer_for(numeric, v, 1.0));
            }
            return;
        }
        let map = &s.map;
        let points = positive_or_one(
            map.upper
                .unwrap_or_else(|| map.entries.iter().map(|e| e.1).fold(0.0, f64::max)),
        );
        item.points = points;
        if !numeric && map.entries.iter().any(|e| !e.2) {
            item.case_sensitive = false;
            if map.entries.iter().any(|e| e.2) {
                cx.warn(
                    ia.off,
                    "mixed case sensitivity across map entries; comparing case-insensitively"
                        .into(),
                );
            }
        }
        for (k, v, _) in &map.entries {
            item.answers
                .push(answer_for(numeric, k, (v / points).clamp(-1.0, 1.0)));
        }
    }

    /// Order: the choices in the correct order, all-or-nothing.
    fn order(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        let ia = self.ia;
        item.kind = ItemType::Ordering;
        if self.s.mapped {
            cx.warn(
                ia.off,
                "map_response on an order interaction is not supported; scoring all-or-nothing"
                    .into(),
            );
        }
        let by_id: BTreeMap<String, String> = ia
            .children()
            .filter(|e| e.name == "qti-simple-choice")
            .map(|c| (c.attr("identifier").unwrap_or("").to_owned(), c.text()))
            .collect();
        for (k, cid) in self.s.decl.correct.iter().enumerate() {
            cx.spans
                .insert(format!("{}/choices/{k}", self.path), ia.off);
            if let Some(t) = by_id.get(cid) {
                item.choices
                    .push(Choice::new(cid.clone(), t.clone(), false));
            } else {
                cx.error(
                    ia.off,
                    format!("the correct order names an unknown choice {cid:?}"),
                );
            }
        }
        item.all_or_nothing = Some(true);
    }

    /// Match: pairs from the correct response (or the positive mapping entries, with equal
    /// credit per pair), unmatched right-hand choices as distractors.
    fn matching(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        let ia = self.ia;
        item.kind = ItemType::Matching;
        item.shuffle = ia.attr("shuffle") == Some("true");
        let sets: Vec<&El> = ia
            .children()
            .filter(|e| e.name == "qti-simple-match-set")
            .collect();
        let opts = |n: usize| -> Vec<(String, String)> {
            sets.get(n)
                .map(|s| {
                    s.children()
                        .filter(|e| e.name == "qti-simple-associable-choice")
                        .map(|c| (c.attr("identifier").unwrap_or("").to_owned(), c.text()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (lefts, rights) = (opts(0), opts(1));
        let keys = self.match_keys(cx, item);
        let mut used_right = Vec::new();
        for key in keys {
            let mut parts = key.split_whitespace();
            let (Some(l), Some(r)) = (parts.next(), parts.next()) else {
                continue;
            };
            let (Some(lt), Some(rt)) = (
                lefts.iter().find(|(i, _)| i == l),
                rights.iter().find(|(i, _)| i == r),
            ) else {
                cx.error(ia.off, format!("the pair {key:?} names unknown choices"));
                continue;
            };
            if item.pairs.iter().any(|p| p.id == l) {
                cx.warn(
                    ia.off,
                    format!("{l:?} has more than one correct match; only the first is kept"),
                );
                continue;
            }
            item.pairs.push(Pair {
                id: l.to_owned(),
                left: lt.1.clone(),
                right: rt.1.clone(),
            });
            used_right.push(r.to_owned());
        }
        for (lid, _) in lefts
            .iter()
            .filter(|(i, _)| !item.pairs.iter().any(|p| p.id == *i))
        {
            cx.warn(
                ia.off,
                format!("left-hand choice {lid:?} has no correct match; not imported"),
            );
        }
        for (rid, rt) in rights.iter().filter(|(i, _)| !used_right.contains(i)) {
            if !item.pairs.iter().any(|p| p.right == *rt) {
                item.distractors.push(Distractor {
                    id: rid.clone(),
                    text: rt.clone(),
                });
            }
        }
    }

    /// The correct `left right` keys of a match interaction, and its points and credit rule:
    /// mapped, the positive entries (unequal or negative values warned about); otherwise the
    /// correct response, all-or-nothing.
    fn match_keys(&self, cx: &mut Ctx<'_>, item: &mut Item) -> Vec<String> {
        let s = self.s;
        if !s.mapped {
            item.all_or_nothing = Some(true);
            return s.decl.correct.clone();
        }
        let keys = s
            .map
            .entries
            .iter()
            .filter(|e| e.1 > 0.0)
            .map(|e| e.0.clone())
            .collect();
        let vals: Vec<f64> = s
            .map
            .entries
            .iter()
            .filter(|e| e.1 > 0.0)
            .map(|e| e.1)
            .collect();
        #[allow(clippy::float_cmp)]
        if vals.windows(2).any(|w| w.first() != w.get(1)) || s.map.entries.iter().any(|e| e.1 < 0.0)
        {
            cx.warn(
                self.ia.off,
                "unequal or negative pair values are approximated as equal credit per pair".into(),
            );
        }
        item.points = s
            .map
            .upper
            .unwrap_or_else(|| vals.iter().sum())
            .max(f64::MIN_POSITIVE);
        item.all_or_nothing = Some(false);
        keys
    }
}

/// An accepted answer: a number (numeric items) or a text, with its fraction.
fn answer_for(numeric: bool, v: &str, fraction: f64) -> Answer {
    if numeric {
        Answer {
            value: num(Some(v)),
            fraction,
            ..Answer::default()
        }
    } else {
        Answer {
            text: Some(v.to_owned()),
            fraction,
            ..Answer::default()
        }
    }
}
