//! The backpack: an owner's store plus the import pipeline.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use openbadges_model::{Class, Version, detect, inspect};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dedup::{dedup_key, supersedes, valid_from};
use crate::fetch::Fetcher;
use crate::identity::match_recipient;
use crate::input::{ImportLimits, Item, Parsed, parse_input};
use crate::model::{
    BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, InputKind, KeptDocument, Source,
    SourceKind, Verification, Visibility,
};
use crate::store::{Store, Write};
use crate::verify::{VerificationOutcome, Verifier, VerifyRequest};
use crate::{Error, Result};
use openbadges_model::Identity;
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

/// What [`Backpack::recheck`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recheck {
    /// The badge.
    pub id: BadgeId,
    /// Its verification before.
    pub before: Status,
    /// Its verification now (stored).
    pub after: Status,
    /// Why it is not valid now (the error that decided it), when it is not.
    pub reason: Option<String>,
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

/// One input for [`Backpack::import_each`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Bytes already in memory.
    Bytes {
        /// The input.
        bytes: Vec<u8>,
        /// Where it came from.
        source: Source,
    },
    /// A file, read within the backpack's limits ([`ImportLimits::read_file`]); `-` is
    /// standard input.
    File(std::path::PathBuf),
    /// A hosted badge URL, fetched with the backpack's fetcher.
    Url(String),
}

/// What [`Backpack::import_each`] reports for one input, once it is committed.
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

type Clock = Box<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// An owner's backpack over a [`Store`], verifying imports with a [`Verifier`].
///
/// See the crate documentation for an example.
pub struct Backpack<S, V> {
    store: S,
    verifier: V,
    limits: ImportLimits,
    clock: Clock,
    fetcher: Option<Box<dyn Fetcher + Send + Sync>>,
}

impl<S: std::fmt::Debug, V> std::fmt::Debug for Backpack<S, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backpack")
            .field("store", &self.store)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
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

/// A badge accepted for storage, before its writes are committed.
struct Pending {
    record: BadgeRecord,
    /// What verification fetched (and the badge's image), kept for offline checks.
    documents: Vec<KeptDocument>,
}

impl<S: Store, V: Verifier> Backpack<S, V> {
    /// A backpack over `store`, verifying with `verifier`, with default limits and the system
    /// clock.
    pub fn new(store: S, verifier: V) -> Self {
        Backpack {
            store,
            verifier,
            limits: ImportLimits::default(),
            clock: Box::new(Utc::now),
            fetcher: None,
        }
    }

    /// Replaces the import limits.
    pub fn with_limits(mut self, limits: ImportLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the clock used for `importedAt` and `checkedAt` (tests, reproducible builds).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Fetches hosted badges (a URL given as input, or baked into an image) with `fetcher`.
    /// Without one, such inputs fail with a clear reason.
    pub fn with_fetcher(mut self, fetcher: impl Fetcher + Send + Sync + 'static) -> Self {
        self.fetcher = Some(Box::new(fetcher));
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Adds one of the owner's identifiers, which the application has verified.
    ///
    /// # Errors
    /// Storage errors.
    pub fn add_identifier(&mut self, identifier: Identity) -> Result<()> {
        self.store.commit(vec![Write::AddIdentifier(identifier)])
    }

    /// Removes one of the owner's identifiers. Badges already matched to it stay.
    ///
    /// # Errors
    /// Storage errors.
    pub fn remove_identifier(&mut self, identifier: Identity) -> Result<()> {
        self.store.commit(vec![Write::RemoveIdentifier(identifier)])
    }

    /// The owner's verified identifiers.
    ///
    /// # Errors
    /// Storage errors.
    pub fn identifiers(&self) -> Result<Vec<Identity>> {
        self.store.identifiers()
    }

    /// The collections, sorted by id.
    ///
    /// # Errors
    /// Storage errors.
    pub fn collections(&self) -> Result<Vec<Collection>> {
        self.store.collections()
    }

    /// The collection with this name, or with this id.
    ///
    /// # Errors
    /// Storage errors.
    pub fn collection(&self, name_or_id: &str) -> Result<Option<Collection>> {
        find_collection(&self.store, name_or_id)
    }

    /// The accepted badges' ids in the order they were imported (ties by id): the default
    /// order of a new collection of everything.
    ///
    /// # Errors
    /// Storage errors.
    pub fn accepted_in_import_order(&self) -> Result<Vec<BadgeId>> {
        let mut badges = self.badges()?;
        badges.sort_by(|a, b| a.imported_at.cmp(&b.imported_at).then(a.id.cmp(&b.id)));
        Ok(badges.into_iter().map(|b| b.id).collect())
    }

    /// The accepted badges, sorted by id.
    ///
    /// # Errors
    /// Storage errors.
    pub fn badges(&self) -> Result<Vec<BadgeRecord>> {
        Ok(self
            .store
            .badges()?
            .into_iter()
            .filter(|b| b.state == BadgeState::Accepted)
            .collect())
    }

    /// Verifies a held badge again, from its original bytes, and stores the new result (and
    /// the documents this verification loaded, beside those kept before). For when the
    /// network is back (a badge held `indeterminate`), or to learn of a revocation since
    /// import. The badge's state is not changed: an accepted badge found revoked stays listed,
    /// with `invalid` as its verification. Returns the verdicts before and after.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id; storage errors.
    pub fn recheck(&mut self, id: &BadgeId) -> Result<Recheck> {
        let mut record = self.store.badge(id)?.ok_or_else(|| Error::NotFound {
            what: "badge",
            id: id.to_string(),
        })?;
        let (outcome, fetched) = self
            .verifier
            .verify_keeping(&VerifyRequest::for_record(&record));
        let now = (self.clock)();
        let before = record.verification.status;
        let reason = match outcome.status {
            Status::Valid => None,
            _ => deciding_error(&outcome.report).map(|(code, msg)| format!("{code}: {msg}")),
        };
        record.verification = Verification {
            status: outcome.status,
            report: outcome.report.to_string(),
            checked_at: now,
        };
        let after = record.verification.status;
        let mut writes = Vec::new();
        if !fetched.is_empty() {
            let kept = merge_kept(self.store.badge_documents(id)?, fetched, now);
            writes.push(Write::PutDocuments(id.clone(), kept));
        }
        // The badge first: documents link to a stored badge.
        writes.insert(0, Write::PutBadge(Box::new(record)));
        self.store.commit(writes)?;
        Ok(Recheck {
            id: id.clone(),
            before,
            after,
            reason,
        })
    }

    /// Rejects a badge (soft delete: importing it again re-accepts it).
    ///
    /// # Errors
    /// [`Error::NotFound`] or storage errors.
    pub fn reject(&mut self, id: &BadgeId) -> Result<()> {
        self.store
            .commit(vec![Write::SetBadgeState(id.clone(), BadgeState::Rejected)])
    }

    /// Accepts a previously rejected badge.
    ///
    /// # Errors
    /// [`Error::NotFound`] or storage errors.
    pub fn accept(&mut self, id: &BadgeId) -> Result<()> {
        self.store
            .commit(vec![Write::SetBadgeState(id.clone(), BadgeState::Accepted)])
    }

    /// Creates or replaces a collection. Members must be accepted badges.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing member, [`Error::InvalidArgument`] for a rejected or
    /// repeated one, storage errors.
    pub fn put_collection(&mut self, collection: Collection) -> Result<()> {
        for m in &collection.members {
            match self.store.badge(m)? {
                Some(b) if b.state == BadgeState::Accepted => {}
                Some(_) => {
                    return Err(Error::InvalidArgument(format!(
                        "badge {m} is rejected; accept it before adding it to a collection"
                    )));
                }
                None => {
                    return Err(Error::NotFound {
                        what: "badge",
                        id: m.to_string(),
                    });
                }
            }
        }
        self.store.commit(vec![Write::PutCollection(collection)])
    }

    /// The collection shared under an unlisted link's `token`, or a public one with that id;
    /// `None` for a private collection or an unknown token. Tokens compare in constant time.
    ///
    /// # Errors
    /// Storage errors.
    pub fn shared_collection(&self, token_or_id: &str) -> Result<Option<Collection>> {
        for c in self.store.collections()? {
            let hit = match &c.visibility {
                Visibility::Unlisted { token } => openbadges_model::identity::constant_time_eq(
                    token.as_bytes(),
                    token_or_id.as_bytes(),
                ),
                Visibility::Public => c.id.as_str() == token_or_id,
                Visibility::Private => false,
            };
            if hit {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// Deletes a collection (its badges stay).
    ///
    /// # Errors
    /// [`Error::NotFound`] or storage errors.
    pub fn delete_collection(&mut self, id: &CollectionId) -> Result<()> {
        self.store.commit(vec![Write::DeleteCollection(id.clone())])
    }

    /// Imports one input: any badge form, a CLR (kept, and unbundled into its credentials), an
    /// OB 3.0 API `getCredentials` response, a Badge Connect `assertions` response, a Mozilla
    /// Displayer group, a VerifiablePresentation, or a backpack export archive. Every badge found
    /// is matched to the owner, de-duplicated and verified; all that pass are stored in one
    /// transaction.
    ///
    /// Problems with the input are reported per badge in the [`ImportReport`], not as errors.
    ///
    /// # Errors
    /// Only storage errors (then nothing of this input was stored).
    pub fn import(&mut self, bytes: &[u8], source: Source) -> Result<ImportReport> {
        let mut reports = self.import_all([(bytes, source)])?;
        reports
            .pop()
            .ok_or_else(|| Error::Storage("no report".to_owned()))
    }

    /// Imports many inputs in **one** transaction (a bulk upload, a migration): much faster
    /// than one [`Backpack::import`] each, since the store syncs to disk once. All of it is
    /// stored or, on a storage error, none of it. A backpack archive among the inputs is
    /// imported in a transaction of its own (after committing what came before it).
    ///
    /// # Errors
    /// Only storage errors.
    pub fn import_all<'i>(
        &mut self,
        inputs: impl IntoIterator<Item = (&'i [u8], Source)>,
    ) -> Result<Vec<ImportReport>> {
        let owner = self.store.identifiers()?;
        let mut ctx = Batch::default();
        let mut spans = Vec::new();
        for (bytes, source) in inputs {
            let start = ctx.items.len();
            self.collect(&mut ctx, bytes, &source, &owner)?;
            spans.push((source.location, start, ctx.items.len()));
        }
        self.flush(&mut ctx)?;
        let mut items = ctx.items.into_iter();
        Ok(spans
            .into_iter()
            .map(|(input, start, end)| ImportReport {
                input,
                items: items.by_ref().take(end.saturating_sub(start)).collect(),
            })
            .collect())
    }

    /// Imports inputs one after the other, each read within the limits
    /// ([`ImportLimits::read_file`]) and committed in its own transaction, and calls `each`
    /// with its outcome as soon as it is committed — so a caller can print it right away. An
    /// input that fails or cannot be read neither undoes earlier ones nor stops later ones.
    ///
    /// # Errors
    /// Only storage errors: the input being imported is not stored and the ones after it are
    /// not tried; every earlier one is committed and was reported.
    pub fn import_each(
        &mut self,
        inputs: impl IntoIterator<Item = Input>,
        mut each: impl FnMut(&InputOutcome),
    ) -> Result<()> {
        for input in inputs {
            let outcome = match input {
                Input::Bytes { bytes, source } => {
                    InputOutcome::Report(self.import(&bytes, source)?)
                }
                Input::Url(url) => InputOutcome::Report(
                    self.import(url.as_bytes(), Source::new(SourceKind::Url, url.clone()))?,
                ),
                Input::File(path) => {
                    let name = path.to_string_lossy().into_owned();
                    let read = if name == "-" {
                        self.limits.read_input(std::io::stdin().lock(), None)
                    } else {
                        self.limits.read_file(&path)
                    };
                    match read {
                        Ok(bytes) => InputOutcome::Report(self.import(&bytes, Source::file(name))?),
                        Err(e) => InputOutcome::Unreadable {
                            reason: format!("cannot read {name}: {e}"),
                            input: name,
                        },
                    }
                }
            };
            each(&outcome);
        }
        Ok(())
    }

    /// Reads one input into the batch.
    fn collect(
        &mut self,
        ctx: &mut Batch,
        bytes: &[u8],
        source: &Source,
        owner: &[Identity],
    ) -> Result<()> {
        let label = source.location.as_str();
        let fetcher = self.fetcher.as_deref().map(|f| f as &dyn Fetcher);
        let parsed = match parse_input(bytes, &self.limits, fetcher) {
            Ok(p) => p,
            Err(reason) => {
                ctx.fail(label, None, reason);
                return Ok(());
            }
        };
        match parsed {
            Parsed::Single { item, members } => {
                let at = ctx.items.len();
                self.process(ctx, item, source, owner)?;
                let clr_id = ctx.items.get(at).and_then(|i| i.id.clone());
                for m in members {
                    match m {
                        Ok(mut item) => {
                            if let (Some(id), Some(w)) = (&clr_id, &item.within) {
                                item.within = Some(format!("clr:{id}/{w}"));
                            }
                            self.process(ctx, item, source, owner)?;
                        }
                        Err(reason) => ctx.fail(label, None, reason),
                    }
                }
            }
            Parsed::Many(items) => {
                if items.is_empty() {
                    ctx.fail(label, None, "the input holds no badges".to_owned());
                }
                for m in items {
                    match m {
                        Ok(item) => self.process(ctx, item, source, owner)?,
                        Err(reason) => ctx.fail(label, None, reason),
                    }
                }
            }
            Parsed::Archive => {
                self.flush(ctx)?;
                let report = crate::archive::import_archive(self, bytes, source)?;
                ctx.items.extend(report.items);
            }
        }
        Ok(())
    }

    /// Commits the batch's pending writes (its reports stay).
    fn flush(&mut self, ctx: &mut Batch) -> Result<()> {
        let mut writes: Vec<Write> = Vec::new();
        for p in std::mem::take(&mut ctx.pending).into_values() {
            let id = p.record.id.clone();
            writes.push(Write::PutBadge(Box::new(p.record)));
            writes.push(Write::PutDocuments(id, p.documents));
        }
        writes.append(&mut ctx.extra);
        if !writes.is_empty() {
            self.store.commit(writes)?;
        }
        Ok(())
    }

    pub(crate) fn finish(&mut self, label: String, mut ctx: Batch) -> Result<ImportReport> {
        self.flush(&mut ctx)?;
        Ok(ImportReport {
            input: label,
            items: ctx.items,
        })
    }

    /// The import limits ([`ImportLimits::read_file`] reads an input within them).
    pub fn limits(&self) -> &ImportLimits {
        &self.limits
    }

    /// The backpack's own fetcher, if it has one.
    pub(crate) fn fetcher(&self) -> Option<&dyn Fetcher> {
        self.fetcher.as_deref().map(|f| f as &dyn Fetcher)
    }

    /// Runs one item through identity, de-duplication and verification.
    pub(crate) fn process(
        &mut self,
        ctx: &mut Batch,
        item: Item,
        source: &Source,
        owner: &[Identity],
    ) -> Result<()> {
        self.process_with(ctx, item, source, owner, None)
    }

    /// Inlines an OB ≤ 2.0 assertion's badge class and that class's issuer when they are given
    /// as URLs and the fetcher can get them (the "expanded JSON" the archive carries). Anything
    /// that cannot be fetched or read stays a URL; this never fails an import.
    ///
    /// What verification itself loaded (`loaded`) answers first, so the badge displays the
    /// class and issuer its check used; the fetcher only for what verification did not load.
    fn expand(
        &self,
        mut doc: Value,
        version: Version,
        loaded: &[openbadges_proof::loader::Document],
    ) -> Value {
        if matches!(version, Version::V3_0 | Version::Clr2_0) {
            return doc;
        }
        let fetcher = self.fetcher.as_deref();
        let fetch_object = |url: &str| -> Option<Value> {
            let bytes = match loaded.iter().find(|d| d.url == url) {
                Some(d) => d.body.to_vec(),
                None => fetcher?.fetch(url, self.limits.json.max_bytes).ok()?,
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
    /// it is not kept already. Only PNG and SVG (within the allow-list of `crate::svg`) are kept; anything else, or a
    /// failed fetch, is skipped (the archive then draws a plain image).
    fn fetch_image(
        &self,
        record: &BadgeRecord,
        kept: &BTreeMap<(String, Vec<u8>), KeptDocument>,
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
        let body = fetcher.fetch(url, self.limits.max_input_bytes).ok()?;
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

    pub(crate) fn process_with(
        &mut self,
        ctx: &mut Batch,
        item: Item,
        source: &Source,
        owner: &[Identity],
        restore: Option<Restore>,
    ) -> Result<()> {
        let label = match &item.within {
            Some(w) => format!("{}#{w}", source.location),
            None => source.location.clone(),
        };
        let detection = detect(&item.document);
        let name = crate::display::name(&item.document).map(str::to_owned);
        let Some(version) = detection.version else {
            ctx.fail(
                &label,
                name,
                "not a recognised Open Badges or CLR document".to_owned(),
            );
            return Ok(());
        };
        if !is_awarded(version, detection.class.as_ref()) {
            let what = detection
                .class
                .as_ref()
                .map_or("an unknown class", |c| c.as_str());
            ctx.fail(
                &label,
                name,
                format!("not an awarded badge (a {what} document)"),
            );
            return Ok(());
        }
        if owner.is_empty() {
            ctx.fail(
                &label,
                name,
                "this backpack has no verified identifiers yet; add the owner's email, URL, \
                 telephone or DID first"
                    .to_owned(),
            );
            return Ok(());
        }
        let recipient = match match_recipient(&item.document, version, owner) {
            Ok(m) => m,
            Err(e) => {
                ctx.fail(&label, name, e.to_string());
                return Ok(());
            }
        };
        let key = dedup_key(&item.document, version);
        let id = BadgeId::for_key(&key);
        let new_valid_from = match version {
            Version::V3_0 | Version::Clr2_0 => valid_from(&item.document),
            _ => None,
        };
        let held = match ctx.pending.get(&id) {
            Some(p) => Some(p.record.clone()),
            None => self.store.badge(&id)?,
        };
        let mut note = None;
        // Another copy of a badge held unchecked (its documents were out of reach, or it came
        // offline) takes its place if this copy verifies: a forgery that could not be checked
        // when it arrived must not shadow the genuine badge for ever.
        let mut replaces_unchecked = false;
        if let Some(held) = &held {
            let newer = matches!(version, Version::V3_0 | Version::Clr2_0)
                && supersedes(new_valid_from, held.valid_from);
            replaces_unchecked = !newer
                && held.original != item.original
                && held.verification.status == Status::Indeterminate;
            if !newer && !replaces_unchecked {
                // Another copy of a held badge. The same bytes need no second look; different
                // bytes (another form, or a forgery reusing the id) are verified, so that a
                // tampered copy is reported as such and not as a harmless duplicate.
                if held.original != item.original {
                    let outcome = self.verifier.verify(&VerifyRequest {
                        original: &item.original,
                        kind: item.kind,
                        document: &item.document,
                        version,
                        recipient: &recipient.identifier,
                    });
                    if outcome.status == Status::Invalid {
                        let why = first_error(&outcome.report);
                        ctx.fail(
                            &label,
                            name,
                            format!("verification failed: this copy of badge {id} is invalid{why}"),
                        );
                        return Ok(());
                    }
                }
                if held.state == BadgeState::Rejected && restore.is_none() {
                    ctx.extra
                        .push(Write::SetBadgeState(id.clone(), BadgeState::Accepted));
                    ctx.done(
                        label,
                        ImportResult::Imported,
                        Some(id),
                        Some("re-accepted a badge rejected earlier".to_owned()),
                        name,
                        None,
                    );
                } else {
                    ctx.done(
                        label,
                        ImportResult::Duplicate,
                        Some(id.clone()),
                        Some(format!("already held as {id}")),
                        name,
                        None,
                    );
                }
                return Ok(());
            }
            note = Some(if replaces_unchecked {
                format!("replaces the copy of {id} held unchecked")
            } else {
                format!(
                    "supersedes the earlier issue valid from {}",
                    held.valid_from
                        .map_or_else(|| "an unknown date".to_owned(), |t| t.to_rfc3339())
                )
            });
        }
        let (outcome, fetched): (VerificationOutcome, _) =
            self.verifier.verify_keeping(&VerifyRequest {
                original: &item.original,
                kind: item.kind,
                document: &item.document,
                version,
                recipient: &recipient.identifier,
            });
        if outcome.status == Status::Invalid {
            let why = first_error(&outcome.report);
            let what = if replaces_unchecked {
                format!("this copy of badge {id} is invalid")
            } else {
                "the badge is invalid".to_owned()
            };
            ctx.fail(&label, name, format!("verification failed: {what}{why}"));
            return Ok(());
        }
        if replaces_unchecked && outcome.status != Status::Valid {
            // Neither copy could be checked: keep the one held.
            ctx.done(
                label,
                ImportResult::Duplicate,
                Some(id.clone()),
                Some(format!("already held as {id}")),
                name,
                None,
            );
            return Ok(());
        }
        let now = (self.clock)();
        let document = match version {
            v if v.is_legacy() => inspect(&item.document)
                .upgraded
                .unwrap_or_else(|| item.document.clone()),
            _ => item.document.clone(),
        };
        // Shown from the original (the signed payload, the baked or hosted document) and what
        // verification loaded; never from an archive's own copy (checked against it below).
        let document = self.expand(document, version, &fetched);
        let mut source = source.clone();
        source.within = item.within.clone();
        let mut record = BadgeRecord {
            id: id.clone(),
            original: item.original,
            document,
            source,
            input_kind: item.kind,
            version,
            class: detection.class.as_ref().map(|c| c.as_str().to_owned()),
            recipient,
            state: BadgeState::Accepted,
            imported_at: now,
            dedup_key: key,
            valid_from: new_valid_from,
            verification: Verification {
                status: outcome.status,
                report: outcome.report.to_string(),
                checked_at: now,
            },
        };
        let mut restored_documents = Vec::new();
        if let Some(r) = restore {
            // An archive vouches for nothing: its `badge.json` must agree with what the badge
            // shows now, and its kept documents with what this verification loaded.
            if let Some(why) = r
                .document
                .as_ref()
                .and_then(|d| disagreement(&record.document, d, ""))
            {
                ctx.fail(
                    &label,
                    name,
                    format!(
                        "the archive's badge.json disagrees with the badge as verified at {why}; \
                         archive content that the badge does not carry is refused"
                    ),
                );
                return Ok(());
            }
            if let Some(url) = conflicting_document(&r.documents, &fetched) {
                ctx.fail(
                    &label,
                    name,
                    format!(
                        "the archive's copy of {url} differs from what verification loaded; \
                         archive content that disagrees is refused"
                    ),
                );
                return Ok(());
            }
            // The badge's picture is never taken from the archive: it is fetched again below
            // (and must then match the archive's copy), or the export draws a plain one.
            let image = crate::display::image(&record.document).map(str::to_owned);
            let (images, others): (Vec<_>, Vec<_>) = r
                .documents
                .into_iter()
                .partition(|d| Some(&d.url) == image.as_ref());
            restored_documents = others;
            record.source = r.source;
            record.state = r.state;
            record.imported_at = r.imported_at;
            if let Some(fresh) = self.fetch_image(&record, &BTreeMap::new(), now) {
                let mut images = images.into_iter();
                match images.next() {
                    // The archive's copy, as served: it keeps its first fetch time.
                    Some(d) if d.body == fresh.body && images.all(|o| o.body == fresh.body) => {
                        restored_documents.push(d);
                    }
                    None => restored_documents.push(fresh),
                    Some(_) => {
                        ctx.fail(
                            &label,
                            name,
                            format!(
                                "the archive's copy of the image {} differs from the image \
                                 served there; archive content that disagrees is refused",
                                fresh.url
                            ),
                        );
                        return Ok(());
                    }
                }
            }
        }
        // Documents restored from an archive first: they keep their first fetch time.
        let mut documents: BTreeMap<(String, Vec<u8>), KeptDocument> =
            merge_kept(restored_documents, fetched, now)
                .into_iter()
                .map(|d| ((d.url.clone(), d.body.clone()), d))
                .collect();
        if let Some(image) = self.fetch_image(&record, &documents, now) {
            documents
                .entry((image.url.clone(), image.body.clone()))
                .or_insert(image);
        }
        let status = record.verification.status;
        ctx.pending.insert(
            id.clone(),
            Pending {
                record,
                documents: documents.into_values().collect(),
            },
        );
        ctx.done(
            label,
            ImportResult::Imported,
            Some(id),
            note,
            name,
            Some(status),
        );
        Ok(())
    }
}

/// What an archive import restores onto a record.
pub(crate) struct Restore {
    pub(crate) source: Source,
    pub(crate) state: BadgeState,
    pub(crate) imported_at: DateTime<Utc>,
    /// The archived `badge.json`: checked against what the badge shows, never shown itself.
    pub(crate) document: Option<Value>,
    /// The documents the archive kept for the badge.
    pub(crate) documents: Vec<KeptDocument>,
}

/// Where an archive's `archived` document says something the badge's `derived` document (from
/// its original and what verification loaded) does not: the JSON pointer of the first
/// difference, or `None` when they agree. Where only one side has a linked document inlined (a
/// badge class or issuer given by URL on the other side, with that `id` if it has one), they
/// agree: the inlined content is shown only if it is the derived side's.
fn disagreement(derived: &Value, archived: &Value, at: &str) -> Option<String> {
    let here = || {
        if at.is_empty() {
            "/".to_owned()
        } else {
            at.to_owned()
        }
    };
    match (derived, archived) {
        (d, a) if d == a => None,
        (Value::String(url), Value::Object(o)) | (Value::Object(o), Value::String(url)) => o
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id != url)
            .then(here),
        (Value::Object(d), Value::Object(a)) => {
            if let Some(k) = d
                .keys()
                .chain(a.keys())
                .find(|k| !(d.contains_key(*k) && a.contains_key(*k)))
            {
                return Some(format!("{at}/{}", pointer_escape(k)));
            }
            d.iter().find_map(|(k, dv)| {
                let av = a.get(k)?;
                disagreement(dv, av, &format!("{at}/{}", pointer_escape(k)))
            })
        }
        (Value::Array(d), Value::Array(a)) if d.len() == a.len() => d
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (dv, av))| disagreement(dv, av, &format!("{at}/{i}"))),
        _ => Some(here()),
    }
}

/// A JSON pointer reference token (RFC 6901).
fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The URL of a document the archive kept for a badge with another body than the one this
/// verification loaded from the same URL.
fn conflicting_document(
    archived: &[KeptDocument],
    loaded: &[openbadges_proof::loader::Document],
) -> Option<String> {
    archived.iter().find_map(|a| {
        let same_url: Vec<_> = loaded.iter().filter(|l| l.url == a.url).collect();
        (!same_url.is_empty()
            && !same_url
                .iter()
                .any(|l| l.body.as_ref() == a.body.as_slice()))
        .then(|| a.url.clone())
    })
}

/// The collection of `store` with this id, else the one with this name.
///
/// # Errors
/// Storage errors.
pub fn find_collection<S: Store + ?Sized>(
    store: &S,
    name_or_id: &str,
) -> Result<Option<Collection>> {
    let all = store.collections()?;
    let by_id = all.iter().position(|c| c.id.as_str() == name_or_id);
    let at = by_id.or_else(|| all.iter().position(|c| c.name == name_or_id));
    Ok(at.and_then(|i| all.into_iter().nth(i)))
}

/// The error that explains the report's verdict, as (code, message): the first one that is a
/// verdict (it made the report invalid), else the first one (a "could not check").
fn deciding_error(report: &Value) -> Option<(String, String)> {
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

/// `kept` then `fetched` (stamped `now`), one per (URL, body): the first seen keeps its fetch
/// time.
fn merge_kept(
    kept: Vec<KeptDocument>,
    fetched: Vec<openbadges_proof::loader::Document>,
    now: DateTime<Utc>,
) -> Vec<KeptDocument> {
    let fetched = fetched.into_iter().map(|d| KeptDocument {
        url: d.url,
        media_type: d.content_type,
        fetched_at: now,
        body: d.body.to_vec(),
    });
    let mut out: BTreeMap<(String, Vec<u8>), KeptDocument> = BTreeMap::new();
    for d in kept.into_iter().chain(fetched) {
        out.entry((d.url.clone(), d.body.clone())).or_insert(d);
    }
    out.into_values().collect()
}

/// The state of one input's import: reports so far and the writes to commit together.
#[derive(Default)]
pub(crate) struct Batch {
    pub(crate) items: Vec<ItemReport>,
    pending: BTreeMap<BadgeId, Pending>,
    pub(crate) extra: Vec<Write>,
}

impl Batch {
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
