//! Export of a quiz to QTI 3.0: a `qti-assessment-test` and one `qti-assessment-item` per
//! item, scored with the standard templates `match_correct` and `map_response`. What those
//! templates cannot express is refused ([`Error::Unsupported`]), never approximated.

use std::fmt::Write as _;

use super::xml::{esc, xml_id};
use crate::def::{Choice, Item, ItemType, Quiz};
use crate::error::Error;

const NS: &str = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
const RP: &str = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/";

/// A QTI 3.0 export: the test and one file per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QtiExport {
    /// `qti-assessment-test` XML.
    pub test: String,
    /// `(href, qti-assessment-item XML)` per item.
    pub items: Vec<(String, String)>,
}

/// Exports a quiz to QTI 3.0.
///
/// # Errors
/// [`Error::Unsupported`] for what QTI's standard templates cannot express: numeric
/// tolerances/ranges, regular expressions, hint penalties.
pub fn export(quiz: &Quiz) -> Result<QtiExport, Error> {
    let mut test = String::new();
    let _ = write!(
        test,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<qti-assessment-test xmlns=\"{NS}\" identifier=\"{}\" title=\"{}\">\n  <qti-test-part identifier=\"part1\" navigation-mode=\"nonlinear\" submission-mode=\"simultaneous\">\n",
        esc(&xml_id(&quiz.id)),
        esc(&quiz.title)
    );
    let mut items = Vec::new();
    for sec in &quiz.sections {
        let _ = writeln!(
            test,
            "    <qti-assessment-section identifier=\"{}\" title=\"{}\" visible=\"true\">",
            esc(&xml_id(&sec.id)),
            esc(sec.title.as_deref().unwrap_or(&sec.id))
        );
        if let Some(n) = sec.pool {
            let _ = writeln!(test, "      <qti-selection select=\"{n}\"/>");
        }
        if sec.shuffle {
            let _ = writeln!(test, "      <qti-ordering shuffle=\"true\"/>");
        }
        for item in &sec.items {
            let href = format!("items/{}.xml", xml_id(&item.id));
            let _ = writeln!(
                test,
                "      <qti-assessment-item-ref identifier=\"{}\" href=\"{}\"/>",
                esc(&xml_id(&item.id)),
                esc(&href)
            );
            items.push((href, export_item(item)?));
        }
        let _ = writeln!(test, "    </qti-assessment-section>");
    }
    test.push_str("  </qti-test-part>\n</qti-assessment-test>\n");
    Ok(QtiExport { test, items })
}

/// Exports one item as a `qti-assessment-item`.
///
/// # Errors
/// See [`export`].
pub fn export_item(item: &Item) -> Result<String, Error> {
    if item.hints.iter().any(|h| h.penalty > 0.0) {
        return Err(unsupported(item, "hint penalties have no QTI template"));
    }
    let parts = match item.kind {
        ItemType::TrueFalse => true_false_xml(item)?,
        ItemType::SingleChoice | ItemType::MultipleResponse => choice_xml(item),
        ItemType::TextEntry | ItemType::Numeric => text_entry_xml(item)?,
        ItemType::Ordering => ordering_xml(item)?,
        ItemType::Matching => matching_xml(item),
    };
    let ItemXml {
        decl,
        body,
        template,
    } = parts;
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<qti-assessment-item xmlns=\"{NS}\" identifier=\"{}\" title=\"{}\" adaptive=\"false\" time-dependent=\"false\">\n{decl}  <qti-outcome-declaration identifier=\"SCORE\" cardinality=\"single\" base-type=\"float\"/>\n  <qti-item-body>\n{body}  </qti-item-body>\n  <qti-response-processing template=\"{RP}{template}.xml\"/>\n</qti-assessment-item>\n",
        esc(&xml_id(&item.id)),
        esc(&item.prompt.chars().take(60).collect::<String>())
    );
    Ok(out)
}

/// The parts of an item's XML that depend on its type.
struct ItemXml {
    /// The `qti-response-declaration`.
    decl: String,
    /// The inside of `qti-item-body`.
    body: String,
    /// The response processing template: `match_correct` or `map_response`.
    template: &'static str,
}

/// [`Error::Unsupported`] for `item`.
fn unsupported(item: &Item, m: &str) -> Error {
    Error::Unsupported(format!("item {}: {m}", item.id))
}

/// The `qti-simple-choice` elements of the item's choices.
fn choices_xml(item: &Item) -> String {
    item.choices
        .iter()
        .map(|c| {
            format!(
                "      <qti-simple-choice identifier=\"{}\"{}>{}</qti-simple-choice>\n",
                esc(&xml_id(&c.id)),
                if c.pinned { " fixed=\"true\"" } else { "" },
                esc(&c.text)
            )
        })
        .collect()
}

/// A `qti-mapping` of `(key, value)` entries between `lower` and `upper`; `extra` is added to
/// each entry's attributes.
fn mapping(entries: &[(String, f64)], lower: f64, upper: f64, extra: &str) -> String {
    let mut m = format!(
        "    <qti-mapping default-value=\"0\" lower-bound=\"{lower}\" upper-bound=\"{upper}\">\n"
    );
    for (k, v) in entries {
        let _ = writeln!(
            m,
            "      <qti-map-entry map-key=\"{}\" mapped-value=\"{v}\"{extra}/>",
            esc(k)
        );
    }
    m.push_str("    </qti-mapping>\n");
    m
}

/// `"true"` or `"false"`.
fn shuffle_attr(item: &Item) -> &'static str {
    if item.shuffle { "true" } else { "false" }
}

/// True/false: a choice interaction with the choices `true` and `false`.
fn true_false_xml(item: &Item) -> Result<ItemXml, Error> {
    let a = item.answer.ok_or_else(|| unsupported(item, "no answer"))?;
    let decl = format!(
        "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\">\n    <qti-correct-response><qti-value>{a}</qti-value></qti-correct-response>\n  </qti-response-declaration>\n"
    );
    let body = format!(
        "    <qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"1\" shuffle=\"false\">\n      <qti-prompt>{}</qti-prompt>\n      <qti-simple-choice identifier=\"true\">True</qti-simple-choice>\n      <qti-simple-choice identifier=\"false\">False</qti-simple-choice>\n    </qti-choice-interaction>\n",
        esc(&item.prompt)
    );
    Ok(ItemXml {
        decl,
        body,
        template: "match_correct",
    })
}

/// Single choice or multiple response: a choice interaction; partial credit through
/// `map_response`.
fn choice_xml(item: &Item) -> ItemXml {
    let p = item.points;
    let multiple = item.kind == ItemType::MultipleResponse;
    let fraction = |c: &Choice| {
        if multiple {
            crate::grade::multiple_fraction(item, c)
        } else {
            crate::grade::single_fraction(c)
        }
    };
    let correct: Vec<String> = if multiple {
        item.choices
            .iter()
            .filter(|c| fraction(c) > 0.0)
            .map(|c| xml_id(&c.id))
            .collect()
    } else {
        item.choices
            .iter()
            .filter(|c| fraction(c) >= 1.0)
            .map(|c| xml_id(&c.id))
            .take(1)
            .collect()
    };
    let mut decl = format!(
        "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"{}\" base-type=\"identifier\">\n    <qti-correct-response>{}</qti-correct-response>\n",
        if multiple { "multiple" } else { "single" },
        correct
            .iter()
            .map(|c| format!("<qti-value>{c}</qti-value>"))
            .collect::<String>()
    );
    let mut template = "match_correct";
    if !item.is_all_or_nothing() {
        template = "map_response";
        let entries: Vec<(String, f64)> = item
            .choices
            .iter()
            .map(|c| (xml_id(&c.id), crate::grade::round9(fraction(c) * p)))
            .collect();
        decl.push_str(&mapping(
            &entries,
            item.min_fraction * p,
            item.max_fraction * p,
            "",
        ));
    }
    decl.push_str("  </qti-response-declaration>\n");
    let body = format!(
        "    <qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"{}\" shuffle=\"{}\">\n      <qti-prompt>{}</qti-prompt>\n{}    </qti-choice-interaction>\n",
        if multiple { 0 } else { 1 },
        shuffle_attr(item),
        esc(&item.prompt),
        choices_xml(item)
    );
    ItemXml {
        decl,
        body,
        template,
    }
}

/// Text entry or numeric: a text entry interaction scored through `map_response`; regular
/// expressions, tolerances and ranges have no standard template.
fn text_entry_xml(item: &Item) -> Result<ItemXml, Error> {
    let p = item.points;
    let numeric = item.kind == ItemType::Numeric;
    let mut entries = Vec::new();
    for a in &item.answers {
        if a.regex.is_some() {
            return Err(unsupported(
                item,
                "regular expressions have no QTI template",
            ));
        }
        if a.tolerance.is_some_and(|t| t > 0.0) || a.min.is_some() || a.max.is_some() {
            return Err(unsupported(
                item,
                "numeric tolerances and ranges need custom response processing",
            ));
        }
        let key = if numeric {
            a.value.map(|v| v.to_string())
        } else {
            a.text.clone()
        };
        if let Some(k) = key {
            entries.push((k, crate::grade::round9(a.fraction * p)));
        }
    }
    let best = entries
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|e| e.0.clone())
        .unwrap_or_default();
    let mut decl = format!(
        "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"{}\">\n    <qti-correct-response><qti-value>{}</qti-value></qti-correct-response>\n",
        if numeric { "float" } else { "string" },
        esc(&best)
    );
    let cs = if numeric {
        ""
    } else if item.case_sensitive {
        " case-sensitive=\"true\""
    } else {
        " case-sensitive=\"false\""
    };
    decl.push_str(&mapping(
        &entries,
        item.min_fraction * p,
        item.max_fraction * p,
        cs,
    ));
    decl.push_str("  </qti-response-declaration>\n");
    let body = format!(
        "    <p>{}</p>\n    <qti-text-entry-interaction response-identifier=\"RESPONSE\"/>\n",
        esc(&item.prompt)
    );
    Ok(ItemXml {
        decl,
        body,
        template: "map_response",
    })
}

/// Ordering: an order interaction, all-or-nothing only.
fn ordering_xml(item: &Item) -> Result<ItemXml, Error> {
    if !item.is_all_or_nothing() {
        return Err(unsupported(
            item,
            "partial credit for ordering has no QTI template",
        ));
    }
    let decl = format!(
        "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"ordered\" base-type=\"identifier\">\n    <qti-correct-response>{}</qti-correct-response>\n  </qti-response-declaration>\n",
        item.choices
            .iter()
            .map(|c| format!("<qti-value>{}</qti-value>", xml_id(&c.id)))
            .collect::<String>()
    );
    let body = format!(
        "    <qti-order-interaction response-identifier=\"RESPONSE\" shuffle=\"true\">\n      <qti-prompt>{}</qti-prompt>\n{}    </qti-order-interaction>\n",
        esc(&item.prompt),
        choices_xml(item)
    );
    Ok(ItemXml {
        decl,
        body,
        template: "match_correct",
    })
}

/// Matching: a match interaction of left (`L_…`) and right (`R_…`) choices, directed pairs
/// as the correct response; partial credit through `map_response`.
fn matching_xml(item: &Item) -> ItemXml {
    let p = item.points;
    let opts = crate::shuffle::matching_options(item);
    let right_id = |text: &str| {
        opts.iter()
            .find(|(_, t)| t == text)
            .map(|(i, _)| format!("R_{}", xml_id(i)))
            .unwrap_or_default()
    };
    let pairs: Vec<(String, f64)> = item
        .pairs
        .iter()
        .map(|pr| {
            (
                format!("L_{} {}", xml_id(&pr.id), right_id(&pr.right)),
                crate::grade::round9(p / item.pairs.len().max(1) as f64),
            )
        })
        .collect();
    let mut decl = format!(
        "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" base-type=\"directedPair\">\n    <qti-correct-response>{}</qti-correct-response>\n",
        pairs
            .iter()
            .map(|(k, _)| format!("<qti-value>{}</qti-value>", esc(k)))
            .collect::<String>()
    );
    let mut template = "match_correct";
    if !item.is_all_or_nothing() {
        template = "map_response";
        decl.push_str(&mapping(&pairs, 0.0, p, ""));
    }
    decl.push_str("  </qti-response-declaration>\n");
    let lefts: String = item
        .pairs
        .iter()
        .map(|pr| format!("        <qti-simple-associable-choice identifier=\"L_{}\" match-max=\"1\">{}</qti-simple-associable-choice>\n", xml_id(&pr.id), esc(&pr.left)))
        .collect();
    let rights: String = opts
        .iter()
        .map(|(i, t)| format!("        <qti-simple-associable-choice identifier=\"R_{}\" match-max=\"{}\">{}</qti-simple-associable-choice>\n", xml_id(i), item.pairs.len(), esc(t)))
        .collect();
    let body = format!(
        "    <qti-match-interaction response-identifier=\"RESPONSE\" shuffle=\"{}\" max-associations=\"{}\">\n      <qti-prompt>{}</qti-prompt>\n      <qti-simple-match-set>\n{lefts}      </qti-simple-match-set>\n      <qti-simple-match-set>\n{rights}      </qti-simple-match-set>\n    </qti-match-interaction>\n",
        shuffle_attr(item),
        item.pairs.len(),
        esc(&item.prompt)
    );
    ItemXml {
        decl,
        body,
        template,
    }
}
