//! One badge's way through the import, as a sequence of named steps: detect what it is, match
//! its recipient to the owner, find the copy already held (de-duplication), verify it, build
//! its record, restore what an archive kept (checked, never trusted), and keep the documents
//! its verification loaded. The badges of one input gather in a [`Batch`], committed together.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges_model::{Class, Identity, Version, detect, inspect};
use openbadges_proof::loader::Document;
use openbadges_proof::report::Status;
use serde_json::Value;

use super::{Backpack, ImportResult, ItemReport};
use crate::archive::restore::Restore;
use crate::dedup::{dedup_key, supersedes, valid_from};
use crate::identity::match_recipient;
use crate::input::Item;
use crate::model::{
    BadgeId, BadgeRecord, BadgeState, DedupKey, InputKind, KeptDocument, MatchedIdentity, Source,
    Verification,
};
use crate::store::{Store, Write};
use crate::verify::{RenderedOutcome, Verifier, VerifyRequest};
use crate::{Error, Result};

/// The state of one input's import: reports so far and the writes to commit together.
#[derive(Default)]
pub(crate) struct Batch {
    pub(crate) items: Vec<ItemReport>,
    pub(super) pending: BTreeMap<BadgeId, Pending>,
    pub(crate) extra: Vec<Write>,
}

impl Batch {
    /// Reports a badge (or an input) that failed, with the reason.
    pub(crate) fn fail(&mut self, label: &str, name: Option<String>, reason: String) {
        self.done(
            label.to_owned(),
            ImportResult::Failed,
            None,
            Some(reason),
            name,
            None,
        );
    }

    /// Reports one badge's outcome.
    fn done(
        &mut self,
        input: String,
        result: ImportResult,
        id: Option<BadgeId>,
        reason: Option<String>,
        name: Option<String>,
        verification: Option<Status>,
    ) {
        self.items.push(ItemReport {
            input,
            result,
            id,
            reason,
            name,
            verification,
        });
    }
}

/// A badge's verification and the documents it loaded.
pub(crate) type Verified = (RenderedOutcome, Vec<Document>);

/// Steps 1 and 2 of an item for the batch's owner, worked out ahead on other threads
/// ([`Backpack::plan_ahead`]): what identifies it, or why it was refused.
pub(crate) type Identification = std::result::Result<Identified, String>;

/// What was worked out for an item before the pipeline reached it: the same answers the
/// pipeline's own steps would give (they depend only on the item and the owner, and on the
/// verification request), so each is used in place of its step.
#[derive(Default)]
pub(crate) struct Ahead {
    /// Steps 1 and 2 (`None`: done in turn).
    pub(crate) identified: Option<Identification>,
    /// Step 4 (`None`: verified in turn, if it gets there).
    pub(crate) verified: Option<Verified>,
}

/// How a badge planned to be verified ahead is verified: its version and the recipient
/// matched ([`Backpack::plan_ahead`]).
pub(crate) type Planned = (Version, Identity);

/// A badge accepted for storage, before its writes are committed.
pub(super) struct Pending {
    pub(super) record: BadgeRecord,
    /// What verification fetched (and the badge's image), kept for offline checks.
    pub(super) documents: Vec<KeptDocument>,
}

/// Why a badge's import ended before it was stored.
pub(crate) enum Stop {
    /// Refused; the reason is reported.
    Fail(String),
    /// Settled without a new record: a duplicate, or a rejected badge re-accepted.
    Settled {
        /// Duplicate or imported (re-accepted).
        result: ImportResult,
        /// The badge held.
        id: BadgeId,
        /// The note reported.
        reason: String,
    },
    /// The store failed: the whole import fails.
    Storage(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Storage(e)
    }
}

/// What identifies a badge once it is known to be the owner's.
pub(crate) struct Identified {
    version: Version,
    class: Option<Class>,
    recipient: MatchedIdentity,
    key: DedupKey,
    id: BadgeId,
    /// `validFrom` of an OB 3.0 / CLR credential (which newer issue supersedes which).
    valid_from: Option<DateTime<Utc>>,
}

/// How a badge relates to the copy of it already held, when it is to be stored.
#[derive(Default)]
struct Replacing {
    /// It replaces a copy held unchecked (only if it verifies).
    unchecked: bool,
    /// The note reported (superseded, replaced).
    note: Option<String>,
}

/// The classes a backpack holds: awarded badges and CLRs.
fn is_awarded(version: Version, class: Option<&Class>) -> bool {
    match version {
        Version::V3_0 => matches!(
            class,
            Some(Class::OpenBadgeCredential | Class::AchievementCredential)
        ),
        Version::Clr2_0 => matches!(class, Some(Class::ClrCredential)),
        _ => matches!(class, Some(Class::Assertion)),
    }
}

/// The verification request for an item.
fn request<'a>(item: &'a Item, version: Version, recipient: &'a Identity) -> VerifyRequest<'a> {
    VerifyRequest {
        original: &item.original,
        kind: item.kind,
        document: &item.document,
        version,
        recipient,
    }
}

/// Step 1, detect: the document's version and class, which must be a badge a backpack holds.
fn detect_awarded(document: &Value) -> std::result::Result<(Version, Option<Class>), String> {
    let detection = detect(document);
    let Some(version) = detection.version else {
        return Err("not a recognised Open Badges or CLR document".to_owned());
    };
    if !is_awarded(version, detection.class.as_ref()) {
        let what = detection
            .class
            .as_ref()
            .map_or("an unknown class", |c| c.as_str());
        return Err(format!("not an awarded badge (a {what} document)"));
    }
    Ok((version, detection.class))
}

/// Step 2, identity: the badge's recipient must be one of the owner's verified identifiers.
fn match_owner(
    document: &Value,
    version: Version,
    owner: &[Identity],
) -> std::result::Result<MatchedIdentity, String> {
    if owner.is_empty() {
        return Err(
            "this backpack has no verified identifiers yet; add the owner's email, URL, \
             telephone or DID first"
                .to_owned(),
        );
    }
    match_recipient(document, version, owner).map_err(|e| e.to_string())
}

/// Steps 1 and 2, then the badge's de-duplication key and local id; a refusal is the reason
/// reported.
fn identification(item: &Item, owner: &[Identity]) -> Identification {
    let (version, class) = detect_awarded(&item.document)?;
    let recipient = match_owner(&item.document, version, owner)?;
    let key = dedup_key(&item.document, version);
    let id = BadgeId::for_key(&key);
    let valid_from = match version {
        Version::V3_0 | Version::Clr2_0 => valid_from(&item.document),
        _ => None,
    };
    Ok(Identified {
        version,
        class,
        recipient,
        key,
        id,
        valid_from,
    })
}

/// `kept` then `fetched` (stamped `now`), one per (URL, body): the first seen keeps its fetch
/// time.
pub(super) fn merge_kept(
    kept: Vec<KeptDocument>,
    fetched: Vec<Document>,
    now: DateTime<Utc>,
) -> Vec<KeptDocument> {
    let fetched = fetched.into_iter().map(|d| KeptDocument {
        url: d.url,
        media_type: d.content_type,
        fetched_at: now,
        body: d.body,
    });
    let mut out: BTreeMap<(String, Arc<[u8]>), KeptDocument> = BTreeMap::new();
    for d in kept.into_iter().chain(fetched) {
        out.entry((d.url.clone(), d.body.clone())).or_insert(d);
    }
    out.into_values().collect()
}

/// The error that explains the report's verdict, as (code, message): the first one that is a
/// verdict (it made the report invalid), else the first one (a "could not check").
pub(super) fn deciding_error(report: &Value) -> Option<(String, String)> {
    let errors = report.get("errors").and_then(Value::as_array)?;
    let code_of = |e: &Value| {
        e.get("code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let is_verdict = |e: &&Value| {
        let code = code_of(e);
        openbadges_proof::report::Code::ALL
            .iter()
            .any(|c| c.as_str() == code && c.is_verdict())
    };
    let e = errors.iter().find(is_verdict).or_else(|| errors.first())?;
    let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
    Some((code_of(e), msg.to_owned()))
}

/// The deciding error as a parenthesised suffix for a failure reason (empty if none).
fn first_error(report: &Value) -> String {
    deciding_error(report).map_or_else(String::new, |(code, msg)| format!(" ({code}: {msg})"))
}

/// [`first_error`] of a report rendered as JSON text.
fn first_error_in(report: &str) -> String {
    serde_json::from_str::<Value>(report).map_or_else(|_| String::new(), |r| first_error(&r))
}

impl<S: Store, V: Verifier> Backpack<S, V> {
    /// Runs one item through identity, de-duplication and verification, restoring what an
    /// archive kept for the badge (`restore`): the item is admitted (or stopped) step by step,
    /// and its outcome reported in `ctx`.
    /// `ahead` is what was worked out for it ahead ([`Backpack::verify_ahead`],
    /// [`Backpack::plan_ahead`]): its identification, and its verification, used if the item
    /// gets to step 4.
    ///
    /// # Errors
    /// Only storage errors.
    pub(crate) fn process_with(
        &self,
        ctx: &mut Batch,
        item: Item,
        source: &Source,
        owner: &[Identity],
        restore: Option<Restore>,
        ahead: Ahead,
    ) -> Result<()> {
        let label = match &item.within {
            Some(w) => format!("{}#{w}", source.location),
            None => source.location.clone(),
        };
        let name = crate::display::name(&item.document).map(str::to_owned);
        match self.admit(ctx, item, source, owner, restore, ahead) {
            Ok((pending, note)) => {
                let id = pending.record.id.clone();
                let status = pending.record.verification.status;
                ctx.pending.insert(id.clone(), pending);
                ctx.done(
                    label,
                    ImportResult::Imported,
                    Some(id),
                    note,
                    name,
                    Some(status),
                );
            }
            Err(Stop::Fail(reason)) => ctx.fail(&label, name, reason),
            Err(Stop::Settled { result, id, reason }) => {
                ctx.done(label, result, Some(id), Some(reason), name, None);
            }
            Err(Stop::Storage(e)) => return Err(e),
        }
        Ok(())
    }

    /// The steps that admit an item: identify it, weigh it against the copy held, verify it,
    /// build its record, restore an archive's state onto it, and gather its documents. Returns
    /// what to store and the note to report.
    fn admit(
        &self,
        ctx: &mut Batch,
        item: Item,
        source: &Source,
        owner: &[Identity],
        restore: Option<Restore>,
        ahead: Ahead,
    ) -> std::result::Result<(Pending, Option<String>), Stop> {
        let Ahead {
            identified,
            verified,
        } = ahead;
        let badge = identified
            .unwrap_or_else(|| identification(&item, owner))
            .map_err(Stop::Fail)?;
        let replacing = self.against_held(ctx, &item, &badge, restore.is_some())?;
        let (outcome, fetched) = self.verify_new(&item, &badge, &replacing, verified)?;
        let now = (self.clock)();
        let mut record = self.record(item, source, badge, outcome, &fetched, now);
        let restored = match restore {
            Some(r) => self.restore_onto(&mut record, r, &fetched, now)?,
            None => Vec::new(),
        };
        let documents = self.keep_documents(&record, restored, fetched, now);
        Ok((Pending { record, documents }, replacing.note))
    }

    /// Verifies ahead, together ([`Verifier::verify_keeping_many`]: on several threads), the
    /// items of a batch that [`Backpack::plan_ahead`] picks. Returns each item's verification,
    /// in order (`None`: verified in turn, if it gets there).
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn verify_ahead(
        &self,
        ctx: &Batch,
        items: &[&Item],
        owner: &[Identity],
    ) -> Result<Vec<Ahead>> {
        let (plan, identified) = self.plan_ahead(ctx, None, items, owner)?;
        let verified = self.verify_planned(items.iter().copied(), &plan, &mut || {});
        Ok(verified
            .into_iter()
            .zip(identified)
            .map(|(verified, identified)| Ahead {
                identified: Some(identified),
                verified,
            })
            .collect())
    }

    /// The items of a batch to verify ahead, together, that will get to step 4 unless an
    /// earlier item or the store settles them: each item whose owner matches (steps 1 and 2),
    /// that is not held already with the same bytes (then it is a duplicate, never verified)
    /// and whose badge no earlier item of the batch is, nor of the batch `before` still to be
    /// committed (those are weighed in turn, once it is). Returns, for each item in order, its
    /// version and recipient to verify it with (the request step 4 makes, so the answer is the
    /// same), or `None` (verified in turn, if it gets there; all `None` when fewer than two
    /// would be verified ahead); and each item's identification (steps 1 and 2 for `owner`,
    /// worked out on as many threads as the machine has cores).
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn plan_ahead(
        &self,
        ctx: &Batch,
        before: Option<&Batch>,
        items: &[&Item],
        owner: &[Identity],
    ) -> Result<(Vec<Option<Planned>>, Vec<Identification>)> {
        let threads = if items.len() >= 16 {
            crate::parallel::cores()
        } else {
            1
        };
        let identified: Vec<Identification> = crate::parallel::map_in_order(
            items,
            threads,
            |item| identification(item, owner),
            &mut || {},
        );
        let mut out: Vec<Option<Planned>> = items.iter().map(|_| None).collect();
        let mut seen = std::collections::BTreeSet::new();
        // The items to look up in the store (their first of each badge), looked up together.
        let candidates: Vec<(usize, &Identified)> = identified
            .iter()
            .enumerate()
            .filter_map(|(i, badge)| badge.as_ref().ok().map(|badge| (i, badge)))
            .filter(|(_, badge)| {
                let pending = |b: &Batch| b.pending.contains_key(&badge.id);
                !pending(ctx) && !before.is_some_and(pending) && seen.insert(badge.id.clone())
            })
            .collect();
        let ids: Vec<BadgeId> = candidates.iter().map(|(_, b)| b.id.clone()).collect();
        let held = self.store.badges_by_id(&ids)?;
        let mut ahead = 0usize;
        for ((i, badge), held) in candidates.into_iter().zip(held) {
            let (Some(item), Some(slot)) = (items.get(i), out.get_mut(i)) else {
                continue;
            };
            if held.is_some_and(|held| held.original == item.original) {
                continue;
            }
            *slot = Some((badge.version, badge.recipient.identifier.clone()));
            ahead += 1;
        }
        if ahead < 2 {
            out.iter_mut().for_each(|slot| *slot = None);
        }
        Ok((out, identified))
    }

    /// Verifies the `items` that `plan` (theirs, in the same order) says to verify ahead, while
    /// `meanwhile` runs on the calling thread
    /// ([`Verifier::verify_rendered_many_while`]). Returns each item's verification, in order.
    pub(crate) fn verify_planned<'i>(
        &self,
        items: impl Iterator<Item = &'i Item>,
        plan: &[Option<Planned>],
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<Option<Verified>> {
        let mut out: Vec<Option<Verified>> = plan.iter().map(|_| None).collect();
        let (at, requests): (Vec<usize>, Vec<VerifyRequest<'_>>) = items
            .zip(plan)
            .enumerate()
            .filter_map(|(i, (item, p))| {
                p.as_ref()
                    .map(|(version, recipient)| (i, request(item, *version, recipient)))
            })
            .unzip();
        if requests.is_empty() {
            meanwhile();
            return out;
        }
        let answers = self
            .verifier
            .verify_rendered_many_while(&requests, meanwhile);
        for (i, answer) in at.into_iter().zip(answers) {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(answer);
            }
        }
        out
    }

    /// The copy of badge `id` held: in this batch, else in the store.
    fn held(&self, ctx: &Batch, id: &BadgeId) -> Result<Option<BadgeRecord>> {
        match ctx.pending.get(id) {
            Some(p) => Ok(Some(p.record.clone())),
            None => self.store.badge(id),
        }
    }

    /// Step 3, de-duplication: weighs the item against the copy of its badge already held. A
    /// newer issue supersedes it; another copy of a badge held unchecked replaces it if it
    /// verifies; any other copy settles as a duplicate (a rejected badge is re-accepted, unless
    /// it comes from an archive) — after a check that a copy with other bytes is not invalid.
    fn against_held(
        &self,
        ctx: &mut Batch,
        item: &Item,
        badge: &Identified,
        from_archive: bool,
    ) -> std::result::Result<Replacing, Stop> {
        let Some(held) = self.held(ctx, &badge.id)? else {
            return Ok(Replacing::default());
        };
        let id = &badge.id;
        let newer = matches!(badge.version, Version::V3_0 | Version::Clr2_0)
            && supersedes(badge.valid_from, held.valid_from);
        // Another copy of a badge held unchecked (its documents were out of reach, or it came
        // offline) takes its place if this copy verifies: a forgery that could not be checked
        // when it arrived must not shadow the genuine badge for ever.
        let unchecked = !newer
            && held.original != item.original
            && held.verification.status == Status::Indeterminate;
        if newer || unchecked {
            let note = if unchecked {
                format!("replaces the copy of {id} held unchecked")
            } else {
                format!(
                    "supersedes the earlier issue valid from {}",
                    held.valid_from
                        .map_or_else(|| "an unknown date".to_owned(), |t| t.to_rfc3339())
                )
            };
            return Ok(Replacing {
                unchecked,
                note: Some(note),
            });
        }
        // Another copy of a held badge. The same bytes need no second look; different bytes
        // (another form, or a forgery reusing the id) are verified, so that a tampered copy is
        // reported as such and not as a harmless duplicate.
        if held.original != item.original {
            let outcome =
                self.verifier
                    .verify(&request(item, badge.version, &badge.recipient.identifier));
            if outcome.status == Status::Invalid {
                let why = first_error(&outcome.report);
                return Err(Stop::Fail(format!(
                    "verification failed: this copy of badge {id} is invalid{why}"
                )));
            }
        }
        if held.state == BadgeState::Rejected && !from_archive {
            ctx.extra
                .push(Write::SetBadgeState(id.clone(), BadgeState::Accepted));
            return Err(Stop::Settled {
                result: ImportResult::Imported,
                id: id.clone(),
                reason: "re-accepted a badge rejected earlier".to_owned(),
            });
        }
        Err(Stop::Settled {
            result: ImportResult::Duplicate,
            id: id.clone(),
            reason: format!("already held as {id}"),
        })
    }

    /// Step 4, verification of a badge to be stored, keeping what it loaded. An invalid badge
    /// fails; a copy meant to replace one held unchecked must verify, or the held one stays.
    fn verify_new(
        &self,
        item: &Item,
        badge: &Identified,
        replacing: &Replacing,
        verified: Option<Verified>,
    ) -> std::result::Result<Verified, Stop> {
        let id = &badge.id;
        let (outcome, fetched) = verified.unwrap_or_else(|| {
            let (outcome, fetched) = self.verifier.verify_keeping(&request(
                item,
                badge.version,
                &badge.recipient.identifier,
            ));
            (outcome.into(), fetched)
        });
        if outcome.status == Status::Invalid {
            let why = first_error_in(&outcome.report);
            let what = if replacing.unchecked {
                format!("this copy of badge {id} is invalid")
            } else {
                "the badge is invalid".to_owned()
            };
            return Err(Stop::Fail(format!("verification failed: {what}{why}")));
        }
        if replacing.unchecked && outcome.status != Status::Valid {
            // Neither copy could be checked: keep the one held.
            return Err(Stop::Settled {
                result: ImportResult::Duplicate,
                id: id.clone(),
                reason: format!("already held as {id}"),
            });
        }
        Ok((outcome, fetched))
    }

    /// Step 5, the record: the document shown (a legacy badge upgraded to OB 2.0, its class
    /// and issuer inlined), where it came from, and its verification.
    fn record(
        &self,
        item: Item,
        source: &Source,
        badge: Identified,
        outcome: RenderedOutcome,
        fetched: &[Document],
        now: DateTime<Utc>,
    ) -> BadgeRecord {
        let Item {
            original,
            kind,
            document,
            within,
        } = item;
        let document = match badge.version {
            v if v.is_legacy() => inspect(&document).upgraded.unwrap_or(document),
            _ => document,
        };
        // Shown from the original (the signed payload, the baked or hosted document) and what
        // verification loaded; never from an archive's own copy (checked against it later).
        let document = self.expand(document, badge.version, fetched);
        let mut source = source.clone();
        source.within = within;
        BadgeRecord {
            id: badge.id,
            original,
            document,
            source,
            input_kind: kind,
            version: badge.version,
            class: badge.class.as_ref().map(|c| c.as_str().to_owned()),
            recipient: badge.recipient,
            state: BadgeState::Accepted,
            imported_at: now,
            dedup_key: badge.key,
            valid_from: badge.valid_from,
            verification: Verification {
                status: outcome.status,
                // Held until the batch commits: no spare capacity from the writer's growth.
                report: {
                    let mut report = outcome.report;
                    report.shrink_to_fit();
                    report
                },
                checked_at: now,
            },
        }
    }

    /// Step 7, the documents kept with the badge: those restored from an archive first (they
    /// keep their first fetch time), then what verification loaded, then its image.
    fn keep_documents(
        &self,
        record: &BadgeRecord,
        restored: Vec<KeptDocument>,
        fetched: Vec<Document>,
        now: DateTime<Utc>,
    ) -> Vec<KeptDocument> {
        let mut documents: BTreeMap<(String, Arc<[u8]>), KeptDocument> =
            merge_kept(restored, fetched, now)
                .into_iter()
                .map(|d| ((d.url.clone(), d.body.clone()), d))
                .collect();
        if let Some(image) = self.fetch_image(record, &documents, now) {
            documents
                .entry((image.url.clone(), image.body.clone()))
                .or_insert(image);
        }
        documents.into_values().collect()
    }

    /// Inlines an OB ≤ 2.0 assertion's badge class and that class's issuer when they are given
    /// as URLs and the fetcher can get them (the "expanded JSON" the archive carries). Anything
    /// that cannot be fetched or read stays a URL; this never fails an import.
    ///
    /// What verification itself loaded (`loaded`) answers first, so the badge displays the
    /// class and issuer its check used; the fetcher only for what verification did not load.
    fn expand(&self, mut doc: Value, version: Version, loaded: &[Document]) -> Value {
        if matches!(version, Version::V3_0 | Version::Clr2_0) {
            return doc;
        }
        let fetcher = self.fetcher.as_deref();
        let fetch_object = |url: &str| -> Option<Value> {
            let bytes = match loaded.iter().find(|d| d.url == url) {
                Some(d) => Arc::clone(&d.body),
                None => fetcher?
                    .fetch_shared(url, self.limits.json.max_bytes)
                    .ok()?,
            };
            let v = openbadges_model::parse_json(&bytes, &self.limits.json).ok()?;
            v.is_object().then_some(v)
        };
        let Some(url) = doc.get("badge").and_then(Value::as_str).map(str::to_owned) else {
            return doc;
        };
        let Some(mut class) = fetch_object(&url) else {
            return doc;
        };
        if let Some(issuer_url) = class
            .get("issuer")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            if let (Some(issuer), Some(o)) = (fetch_object(&issuer_url), class.as_object_mut()) {
                o.insert("issuer".into(), issuer);
            }
        }
        if let Some(o) = doc.as_object_mut() {
            o.insert("badge".into(), class);
        }
        doc
    }

    /// The badge's image, for a badge that did not arrive baked (the archive bakes it into its
    /// own image): fetched with the fetcher when the document names it by an `http(s)` URL and
    /// it is not kept already. Only PNG and SVG (within the allow-list of `crate::svg`) are
    /// kept; anything else, or a failed fetch, is skipped (the archive then draws a plain
    /// image).
    pub(crate) fn fetch_image(
        &self,
        record: &BadgeRecord,
        kept: &BTreeMap<(String, Arc<[u8]>), KeptDocument>,
        now: DateTime<Utc>,
    ) -> Option<KeptDocument> {
        if matches!(record.input_kind, InputKind::Png | InputKind::Svg) {
            return None;
        }
        let fetcher = self.fetcher.as_deref()?;
        let url = crate::display::image(&record.document)?;
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || kept.keys().any(|(u, _)| u == url)
        {
            return None;
        }
        let body = fetcher
            .fetch_shared(url, self.limits.max_input_bytes)
            .ok()?;
        let media_type = match openbadges_bake::ImageFormat::detect(&body)? {
            openbadges_bake::ImageFormat::Png => "image/png",
            openbadges_bake::ImageFormat::Svg => {
                if crate::svg::check_svg(&body).is_err() {
                    return None;
                }
                "image/svg+xml"
            }
            _ => return None,
        };
        Some(KeptDocument {
            url: url.to_owned(),
            media_type: Some(media_type.to_owned()),
            fetched_at: now,
            body,
        })
    }
}
