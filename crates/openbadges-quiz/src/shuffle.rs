//! Randomisation as a contract: the same seed and definition always give the same
//! presentation.
//!
//! Algorithm [`ALGORITHM`] (`splitmix64-fy/1`), implemented here so its output can never
//! change under us with a dependency upgrade:
//! 1. Every random decision has its own stream, keyed by a *scope* string (`"items:"` +
//!    section id, `"pool:"` + section id, `"choices:"` + item id). The stream's state is
//!    `seed XOR fnv1a64(scope)`, and numbers are drawn with SplitMix64 (Steele, Lea, Flood
//!    2014). Adding or editing one item never changes how another is shuffled.
//! 2. A bounded draw `below(n)` takes 64-bit outputs and rejects those at or above the largest
//!    multiple of `n` (no modulo bias).
//! 3. Shuffles are Fisher–Yates from the last index down: for `i` in `(1..len).rev()`, swap
//!    `i` with `below(i + 1)`.
//! 4. A pool "N of M" shuffles the item indexes (scope `pool:`), keeps the first N and, unless
//!    the section is shuffled as well, puts them back in file order.
//! 5. Pinned choices keep their index; the others are shuffled among the remaining slots.

use serde::{Deserialize, Serialize};

use crate::def::{Item, ItemType, Quiz};

/// The algorithm identifier recorded with every presentation and attempt record.
pub const ALGORITHM: &str = "splitmix64-fy/1";

/// The SplitMix64 generator.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator for `seed` and `scope`.
    pub fn new(seed: u64, scope: &str) -> SplitMix64 {
        SplitMix64 {
            state: seed ^ fnv1a64(scope.as_bytes()),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `0..n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = usize::try_from(self.below(i as u64 + 1)).unwrap_or(0);
            v.swap(i, j);
        }
    }
}

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What one learner sees: which items, in which order, with choices in which order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presentation {
    /// [`ALGORITHM`] at the time it was made.
    pub algorithm: String,
    /// The seed.
    pub seed: u64,
    /// Sections in order.
    pub sections: Vec<PresentedSection>,
}

/// The presented part of one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedSection {
    /// Section id.
    pub id: String,
    /// Items in presentation order.
    pub items: Vec<PresentedItem>,
}

/// One presented item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedItem {
    /// Item id.
    pub id: String,
    /// Choice ids in presentation order (choice, multiple response, ordering), or the
    /// right-hand option ids (matching); empty for other types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
}

impl Presentation {
    /// The presentation of `quiz` for `seed`.
    pub fn new(quiz: &Quiz, seed: u64) -> Presentation {
        let sections = quiz
            .sections
            .iter()
            .map(|sec| {
                let mut idx: Vec<usize> = (0..sec.items.len()).collect();
                if let Some(n) = sec.pool {
                    SplitMix64::new(seed, &format!("pool:{}", sec.id)).shuffle(&mut idx);
                    idx.truncate(n);
                    idx.sort_unstable();
                }
                if sec.shuffle {
                    SplitMix64::new(seed, &format!("items:{}", sec.id)).shuffle(&mut idx);
                }
                let items = idx
                    .iter()
                    .filter_map(|i| sec.items.get(*i))
                    .map(|item| PresentedItem {
                        id: item.id.clone(),
                        order: choice_order(item, seed),
                    })
                    .collect();
                PresentedSection {
                    id: sec.id.clone(),
                    items,
                }
            })
            .collect();
        Presentation {
            algorithm: ALGORITHM.to_owned(),
            seed,
            sections,
        }
    }

    /// Item ids in presentation order.
    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(|i| i.id.as_str()))
    }

    /// Whether an item is presented.
    pub fn contains(&self, id: &str) -> bool {
        self.item_ids().any(|i| i == id)
    }

    /// The presented entry of an item.
    pub fn item(&self, id: &str) -> Option<&PresentedItem> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .find(|i| i.id == id)
    }
}

/// The right-hand options of a matching item: `(id, text)`, de-duplicated by text, pairs
/// first (id = the pair's id), then distractors.
pub fn matching_options(item: &Item) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for p in &item.pairs {
        if !out.iter().any(|(_, t)| *t == p.right) {
            out.push((p.id.clone(), p.right.clone()));
        }
    }
    for d in &item.distractors {
        if !out.iter().any(|(_, t)| *t == d.text) {
            out.push((d.id.clone(), d.text.clone()));
        }
    }
    out
}

fn choice_order(item: &Item, seed: u64) -> Vec<String> {
    match item.kind {
        ItemType::SingleChoice | ItemType::MultipleResponse | ItemType::Ordering => {
            let ids: Vec<(String, bool)> = item
                .choices
                .iter()
                .map(|c| (c.id.clone(), c.pinned))
                .collect();
            // Ordering items are always shown shuffled (showing the key would give it away).
            let shuffle = item.shuffle || item.kind == ItemType::Ordering;
            if shuffle {
                shuffle_pinned(ids, seed, &item.id)
            } else {
                ids.into_iter().map(|(id, _)| id).collect()
            }
        }
        ItemType::Matching => {
            let ids: Vec<(String, bool)> = matching_options(item)
                .into_iter()
                .map(|(id, _)| (id, false))
                .collect();
            if item.shuffle {
                shuffle_pinned(ids, seed, &item.id)
            } else {
                ids.into_iter().map(|(id, _)| id).collect()
            }
        }
        _ => Vec::new(),
    }
}

fn shuffle_pinned(ids: Vec<(String, bool)>, seed: u64, item_id: &str) -> Vec<String> {
    let free_slots: Vec<usize> = ids
        .iter()
        .enumerate()
        .filter(|(_, (_, p))| !p)
        .map(|(i, _)| i)
        .collect();
    let mut free: Vec<String> = ids
        .iter()
        .filter(|(_, p)| !p)
        .map(|(id, _)| id.clone())
        .collect();
    SplitMix64::new(seed, &format!("choices:{item_id}")).shuffle(&mut free);
    let mut out: Vec<String> = ids.into_iter().map(|(id, _)| id).collect();
    for (slot, id) in free_slots.into_iter().zip(free) {
        if let Some(s) = out.get_mut(slot) {
            *s = id;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Reference: SplitMix64 seeded with 0 yields 0xE220A8397B1DCDAF first
        // (the published test vector of the algorithm).
        let mut g = SplitMix64 { state: 0 };
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn fnv_reference() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
