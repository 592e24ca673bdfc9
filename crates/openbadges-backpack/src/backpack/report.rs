//! What an import reports: per badge ([`ItemReport`]), per input ([`ImportReport`],
//! [`InputOutcome`]), the CLI's one JSON line per input, and the Learner Credential Wallet's
//! summary ([`ImportSummary`]).

use serde::{Deserialize, Serialize};

use crate::model::BadgeId;
use openbadges_proof::report::Status;

/// What happened to one badge of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportResult {
    /// Stored (new, a newer re-issue that superseded the held one, or a rejected badge
    /// re-accepted).
    Imported,
    /// Already held; nothing changed.
    Duplicate,
    /// Not stored; `reason` says why.
    Failed,
}

impl ImportResult {
    /// `imported`, `duplicate` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportResult::Imported => "imported",
            ImportResult::Duplicate => "duplicate",
            ImportResult::Failed => "failed",
        }
    }
}

/// The outcome for one badge (an input holds one, or several: a CLR and its members, an API
/// response). Serializes to the CLI's line `{"input", "result", "id", "reason"}` plus details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    /// The input's location, with `#<position>` for one of several badges in it.
    pub input: String,
    /// Imported, duplicate, or failed.
    pub result: ImportResult,
    /// The badge's local id (for imported and duplicate badges).
    pub id: Option<BadgeId>,
    /// Why it failed, or a note (superseded, re-accepted).
    pub reason: Option<String>,
    /// The badge's name, when it could be read.
    pub name: Option<String>,
    /// The verification verdict, when it was verified.
    pub verification: Option<Status>,
}

/// The report for one input, item by item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The input's location as given.
    pub input: String,
    /// One entry per badge found (at least one: a failed input reports itself).
    pub items: Vec<ItemReport>,
}

/// The Learner Credential Wallet's summary shape: names (or inputs) per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Imported badges.
    pub success: Vec<String>,
    /// Badges already held.
    pub duplicate: Vec<String>,
    /// Badges that failed, each `"<name or input>: <reason>"`.
    pub failed: Vec<String>,
}

impl ImportReport {
    /// The input's overall result: imported if any badge was, else duplicate if any was, else
    /// failed.
    pub fn result(&self) -> ImportResult {
        if self
            .items
            .iter()
            .any(|i| i.result == ImportResult::Imported)
        {
            ImportResult::Imported
        } else if self
            .items
            .iter()
            .any(|i| i.result == ImportResult::Duplicate)
        {
            ImportResult::Duplicate
        } else {
            ImportResult::Failed
        }
    }

    /// The CLI's one line for this input (`openbadges backpack import --json`):
    /// `{"input", "result", "id", "reason"}` — the overall result, the first badge id held, and
    /// the reasons of the badges that failed (or the note of the one imported), joined by `; `.
    pub fn line(&self) -> serde_json::Value {
        let result = self.result();
        let id = self
            .items
            .iter()
            .find(|i| i.result == result)
            .and_then(|i| i.id.clone());
        let reasons: Vec<&str> = self
            .items
            .iter()
            .filter(|i| i.result == ImportResult::Failed || i.result == result)
            .filter_map(|i| i.reason.as_deref())
            .collect();
        serde_json::json!({
            "input": self.input,
            "result": result.as_str(),
            "id": id,
            "reason": if reasons.is_empty() { None } else { Some(reasons.join("; ")) },
        })
    }

    /// Counts of (imported, duplicate, failed) items.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |r| self.items.iter().filter(|i| i.result == r).count();
        (
            n(ImportResult::Imported),
            n(ImportResult::Duplicate),
            n(ImportResult::Failed),
        )
    }

    /// The summary in the Learner Credential Wallet's `{success, duplicate, failed}` shape.
    pub fn summary(&self) -> ImportSummary {
        let mut s = ImportSummary::default();
        for i in &self.items {
            let label = i.name.clone().unwrap_or_else(|| i.input.clone());
            match i.result {
                ImportResult::Imported => s.success.push(label),
                ImportResult::Duplicate => s.duplicate.push(label),
                ImportResult::Failed => s.failed.push(format!(
                    "{label}: {}",
                    i.reason.as_deref().unwrap_or("failed")
                )),
            }
        }
        s
    }
}

/// What [`Backpack::import_each`](crate::Backpack::import_each) reports for one input, once it is committed.
#[derive(Debug, Clone, PartialEq)]
pub enum InputOutcome {
    /// The input was read and imported (its badges may still have failed).
    Report(ImportReport),
    /// The input could not be read (missing file, over its cap): nothing was imported.
    Unreadable {
        /// The input as given.
        input: String,
        /// Why.
        reason: String,
    },
}

impl InputOutcome {
    /// The input as given.
    pub fn input(&self) -> &str {
        match self {
            InputOutcome::Report(r) => &r.input,
            InputOutcome::Unreadable { input, .. } => input,
        }
    }

    /// Whether something of this input failed: it was unreadable, or one of its badges was
    /// refused (also when others were imported — a forged entry among genuine ones in an
    /// archive, a CLR member issued to someone else).
    pub fn failed(&self) -> bool {
        match self {
            InputOutcome::Report(r) => r.items.iter().any(|i| i.result == ImportResult::Failed),
            InputOutcome::Unreadable { .. } => true,
        }
    }

    /// The CLI's one line for this input (`{"input", "result", "id", "reason"}`, as
    /// [`ImportReport::line`]; an unreadable input is `failed` with the reason).
    pub fn line(&self) -> serde_json::Value {
        match self {
            InputOutcome::Report(r) => r.line(),
            InputOutcome::Unreadable { input, reason } => serde_json::json!({
                "input": input, "result": "failed", "id": null, "reason": reason,
            }),
        }
    }
}
