//! The public view of a quiz: what a client needs to render it, and nothing that reveals the
//! key. Its types have no field for correctness, credit, accepted answers, explanations or
//! feedback, so no serialization of them can leak an answer; grading happens only on the
//! full [`Quiz`].

use serde::{Deserialize, Serialize};

use crate::def::{ItemType, Quiz};
use crate::shuffle::{Presentation, matching_options};

/// A quiz as a client may see it (in presentation order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicQuiz {
    /// Quiz id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Instructions.
    pub instructions: Option<String>,
    /// Language tag.
    pub language: String,
    /// The pass rule in plain language.
    pub criteria: String,
    /// Time limit in seconds.
    pub time_limit_seconds: Option<u64>,
    /// Whether answers are final once given.
    pub lock_answers: bool,
    /// Sections in order.
    pub sections: Vec<PublicSection>,
}

/// A section of the public view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicSection {
    /// Section id.
    pub id: String,
    /// Heading.
    pub title: Option<String>,
    /// Instructions.
    pub instructions: Option<String>,
    /// Items in presentation order.
    pub items: Vec<PublicItem>,
}

/// An item of the public view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicItem {
    /// Item id.
    pub id: String,
    /// 1-based number in presentation order.
    pub number: usize,
    /// Type.
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// Question text.
    pub prompt: String,
    /// Points available.
    pub points: f64,
    /// How many hints can be requested.
    pub hint_count: usize,
    /// Choices in presentation order (choice, multiple response, ordering).
    pub choices: Vec<PublicOption>,
    /// Left-hand texts (matching), in file order.
    pub left: Vec<PublicOption>,
    /// Right-hand options (matching), in presentation order.
    pub right: Vec<PublicOption>,
}

/// A choice or option: an id and a text, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicOption {
    /// Id.
    pub id: String,
    /// Text.
    pub text: String,
}

impl PublicQuiz {
    /// The view of `quiz` as presented by `presentation`.
    pub fn new(quiz: &Quiz, presentation: &Presentation) -> PublicQuiz {
        let mut number = 0;
        let sections = presentation
            .sections
            .iter()
            .filter_map(|ps| {
                let sec = quiz.sections.iter().find(|s| s.id == ps.id)?;
                let items = ps
                    .items
                    .iter()
                    .filter_map(|pi| {
                        let item = sec.items.iter().find(|i| i.id == pi.id)?;
                        number += 1;
                        let by_order = |opts: Vec<(String, String)>| -> Vec<PublicOption> {
                            pi.order
                                .iter()
                                .filter_map(|id| opts.iter().find(|(i, _)| i == id))
                                .map(|(id, text)| PublicOption {
                                    id: id.clone(),
                                    text: text.clone(),
                                })
                                .collect()
                        };
                        let (choices, left, right) = match item.kind {
                            ItemType::SingleChoice
                            | ItemType::MultipleResponse
                            | ItemType::Ordering => (
                                by_order(
                                    item.choices
                                        .iter()
                                        .map(|c| (c.id.clone(), c.text.clone()))
                                        .collect(),
                                ),
                                Vec::new(),
                                Vec::new(),
                            ),
                            ItemType::Matching => (
                                Vec::new(),
                                item.pairs
                                    .iter()
                                    .map(|p| PublicOption {
                                        id: p.id.clone(),
                                        text: p.left.clone(),
                                    })
                                    .collect(),
                                by_order(matching_options(item)),
                            ),
                            _ => (Vec::new(), Vec::new(), Vec::new()),
                        };
                        Some(PublicItem {
                            id: item.id.clone(),
                            number,
                            kind: item.kind,
                            prompt: item.prompt.clone(),
                            points: item.points * item.max_fraction,
                            hint_count: item.hints.len(),
                            choices,
                            left,
                            right,
                        })
                    })
                    .collect();
                Some(PublicSection {
                    id: sec.id.clone(),
                    title: sec.title.clone(),
                    instructions: sec.instructions.clone(),
                    items,
                })
            })
            .collect();
        PublicQuiz {
            id: quiz.id.clone(),
            title: quiz.title.clone(),
            instructions: quiz.instructions.clone(),
            language: quiz.language.clone(),
            criteria: crate::policy::criteria_text(quiz),
            time_limit_seconds: quiz.settings.time_limit_seconds,
            lock_answers: quiz.settings.lock_answers,
            sections,
        }
    }

    /// Items in presentation order.
    pub fn items(&self) -> impl Iterator<Item = &PublicItem> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }
}

impl PublicItem {
    /// Turns one typed line into a response for this item (for terminal front ends):
    /// true/false accepts `t`/`true`/`f`/`false`; choices accept a 1-based number, a letter
    /// (`a`, `b`, …) or the text; multiple response and ordering take a comma-separated list
    /// of those; matching takes `1=b, 2=a` (left number = right number or letter); numbers
    /// and text are taken as typed. `None` when the line does not fit.
    pub fn parse_line(&self, line: &str) -> Option<crate::grade::Response> {
        use crate::grade::Response;
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        let pick = |opts: &[PublicOption], tok: &str| -> Option<String> {
            let tok = tok.trim();
            if let Ok(n) = tok.parse::<usize>() {
                return opts.get(n.checked_sub(1)?).map(|o| o.id.clone());
            }
            let mut cs = tok.chars();
            if let (Some(c), None) = (cs.next(), cs.next()) {
                if c.is_ascii_alphabetic() {
                    let k = (c.to_ascii_lowercase() as u8).checked_sub(b'a')? as usize;
                    return opts.get(k).map(|o| o.id.clone());
                }
            }
            opts.iter()
                .find(|o| o.text.eq_ignore_ascii_case(tok) || o.id == tok)
                .map(|o| o.id.clone())
        };
        match self.kind {
            ItemType::TrueFalse => match line.to_ascii_lowercase().as_str() {
                "t" | "true" | "1" | "y" | "yes" => Some(Response::Bool(true)),
                "f" | "false" | "0" | "n" | "no" => Some(Response::Bool(false)),
                _ => None,
            },
            ItemType::SingleChoice => pick(&self.choices, line).map(Response::Text),
            ItemType::MultipleResponse | ItemType::Ordering => {
                let picked: Option<Vec<String>> =
                    line.split(',').map(|t| pick(&self.choices, t)).collect();
                picked.map(Response::List)
            }
            ItemType::TextEntry => Some(Response::Text(line.to_owned())),
            ItemType::Numeric => line
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Response::Number),
            ItemType::Matching => {
                let mut map = std::collections::BTreeMap::new();
                for part in line.split(',') {
                    let (l, r) = part.split_once('=')?;
                    let left = pick(&self.left, l)?;
                    let right_id = pick(&self.right, r)?;
                    let right = self.right.iter().find(|o| o.id == right_id)?.text.clone();
                    map.insert(left, right);
                }
                Some(Response::Map(map))
            }
        }
    }
}
