//! The backpack: an owner's store, the operations on it (identifiers, collections, accept and
//! reject, recheck), and the import entry points. One badge's import steps are in `pipeline`;
//! what an import reports is in `report`.

mod pipeline;
mod report;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::fetch::Fetcher;
use crate::input::{ImportLimits, Item, Parsed, parse_input};
use crate::model::{
    BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, Source, SourceKind, Verification,
    Visibility,
};
use crate::store::{Store, Write};
use crate::verify::{Verifier, VerifyRequest};
use crate::{Error, Result};
use openbadges_model::Identity;
use openbadges_proof::report::Status;

use pipeline::{Ahead, Identification, Planned, Verified, deciding_error, merge_kept};
pub(crate) use pipeline::{Batch, Stop};
pub use report::{ImportReport, ImportResult, ImportSummary, InputOutcome, ItemReport};

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
        let input = source.location.clone();
        let mut reports = self.import_all(std::iter::once((bytes, source)))?;
        // One input, one report (an empty one only if that ever failed to hold).
        Ok(reports.pop().unwrap_or(ImportReport {
            input,
            items: Vec::new(),
        }))
    }

    /// Imports a backpack archive (as [`Backpack::import`] does one given as bytes), reading
    /// it from `archive` — typically the open file — entry by entry, so that the archive need
    /// not be in memory: its badges are read, verified and taken through the pipeline a chunk
    /// at a time, and stored in one transaction. An archive over
    /// [`ImportLimits::max_archive_bytes`] (by its length) is refused like one given as bytes.
    ///
    /// # Errors
    /// Storage errors; [`Error::Read`] when the archive's length cannot be read.
    pub fn import_archive<R: std::io::Read + std::io::Seek>(
        &mut self,
        mut archive: R,
        source: Source,
    ) -> Result<ImportReport> {
        let len = archive
            .seek(std::io::SeekFrom::End(0))
            .and_then(|len| archive.rewind().map(|()| len))
            .map_err(Error::Read)?;
        if len > self.limits.max_archive_bytes as u64 {
            let mut ctx = Batch::default();
            let reason = format!(
                "the archive is {len} bytes; the limit is {}",
                self.limits.max_archive_bytes
            );
            ctx.fail(&source.location, None, reason);
            return self.finish(source.location, ctx);
        }
        crate::archive::import_archive(self, archive, &source)
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
        let mut reports = Vec::new();
        self.import_batches(std::iter::once(inputs), |batch| reports = batch)?;
        Ok(reports)
    }

    /// Imports batches of inputs one after the other, each as [`Backpack::import_all`] does
    /// (its badges stored in one transaction), and calls `each` with a batch's reports (one per
    /// input, in order) as soon as that batch is committed. While one batch commits, the next is
    /// read, identified and verified on the verifier's threads, so that a bulk import keeps
    /// every core busy instead of waiting for each commit (and its sync to disk) in turn. The
    /// answers are those of one [`Backpack::import_all`] per batch: what the next batch's
    /// verification is planned on leaves out the badges still being committed, and each of its
    /// badges is weighed against the store only once the batch before is committed.
    ///
    /// # Errors
    /// Only storage errors: the batch that failed is not stored and the ones after it are not
    /// tried; every earlier batch is committed and was reported.
    pub fn import_batches<'i, B>(
        &mut self,
        batches: impl IntoIterator<Item = B>,
        mut each: impl FnMut(Vec<ImportReport>),
    ) -> Result<()>
    where
        B: IntoIterator<Item = (&'i [u8], Source)>,
    {
        let owner = self.store.identifiers()?;
        let mut before = Uncommitted {
            batch: None,
            each: &mut each,
        };
        for inputs in batches {
            let mut ctx = Batch::default();
            // Commits the batch before (once this one no longer needs the store as it was).
            let spans = self.gather(&mut ctx, inputs, &owner, &mut before)?;
            before.batch = Some((ctx, spans));
        }
        before.commit(self)
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
                Input::File(path) if is_archive_file(&path) => {
                    let name = path.to_string_lossy().into_owned();
                    match std::fs::File::open(&path) {
                        Ok(file) => {
                            let archive = std::io::BufReader::new(file);
                            InputOutcome::Report(self.import_archive(archive, Source::file(name))?)
                        }
                        Err(e) => InputOutcome::Unreadable {
                            reason: format!("cannot read {name}: {}", Error::Read(e)),
                            input: name,
                        },
                    }
                }
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

    /// Reads inputs into the batch: each parsed, the badges of consecutive inputs verified
    /// ahead together ([`Backpack::verify_ahead`]), then each badge taken through the pipeline
    /// in turn. A backpack archive is imported on its own, after committing what came before
    /// it. The batch `before` (if any) is committed while the first badges are verified, and
    /// in any case before this batch reads the store's badges. Returns each input's label and
    /// the range of its reports in `ctx.items`.
    fn gather<'i>(
        &mut self,
        ctx: &mut Batch,
        inputs: impl IntoIterator<Item = (&'i [u8], Source)>,
        owner: &[Identity],
        before: &mut Uncommitted<'_>,
    ) -> Result<Vec<Span>> {
        let mut spans = Vec::new();
        let mut group = Vec::new();
        let inputs: Vec<(&[u8], Source)> = inputs.into_iter().collect();
        let parsed = self.parse_all(&inputs);
        for ((bytes, source), parsed) in inputs.into_iter().zip(parsed) {
            if let Ok(Parsed::Archive) = parsed {
                self.process_group(ctx, std::mem::take(&mut group), owner, &mut spans, before)?;
                before.commit(self)?;
                let start = ctx.items.len();
                self.flush(ctx)?;
                let archive = std::io::Cursor::new(bytes);
                let report = crate::archive::import_archive(self, archive, &source)?;
                ctx.items.extend(report.items);
                spans.push((source.location, start, ctx.items.len()));
            } else {
                group.push((source, parsed));
            }
        }
        self.process_group(ctx, group, owner, &mut spans, before)?;
        before.commit(self)?;
        Ok(spans)
    }

    /// Each input parsed ([`parse_input`]), on as many threads as the machine has cores when
    /// there are several ([`crate::parallel::map_in_order`]). Parsing an input depends on
    /// nothing but its bytes, the limits and the fetcher, so the answers are those of parsing
    /// them in turn.
    fn parse_all(&self, inputs: &[(&[u8], Source)]) -> Vec<std::result::Result<Parsed, String>> {
        let limits = &self.limits;
        let fetcher = self.fetcher.as_deref();
        let parse = |bytes: &[u8]| parse_input(bytes, limits, fetcher.map(|f| f as &dyn Fetcher));
        crate::parallel::map_in_order(
            inputs,
            crate::parallel::cores(),
            |(bytes, _)| parse(bytes),
            &mut || {},
        )
    }

    /// Takes the badges of parsed inputs (none an archive) through the pipeline, verified
    /// ahead together, and records each input's span of reports. Which badges are verified
    /// ahead is decided for the whole group first ([`Backpack::plan_ahead`]); then the inputs
    /// go through the pipeline a chunk at a time ([`PIPELINE_CHUNK`] badges or more), the next
    /// chunk verified on the verifier's threads meanwhile
    /// ([`Verifier::verify_rendered_many_while`]): the same requests, so the same answers.
    /// The batch `before` is committed while the first chunk is verified (then all but the
    /// last [`PIPELINE_CHUNK`] badges, to hide the commit); the plan leaves out its badges.
    fn process_group(
        &mut self,
        ctx: &mut Batch,
        group: Vec<(Source, std::result::Result<Parsed, String>)>,
        owner: &[Identity],
        spans: &mut Vec<Span>,
        before: &mut Uncommitted<'_>,
    ) -> Result<()> {
        if group.is_empty() {
            return Ok(());
        }
        let (plan, identified) = {
            let items: Vec<&Item> = group.iter().flat_map(|(_, p)| input_items(p)).collect();
            self.plan_ahead(ctx, before.pending(), &items, owner)?
        };
        let first = match before.batch {
            Some(_) => plan
                .len()
                .saturating_sub(PIPELINE_CHUNK)
                .max(PIPELINE_CHUNK),
            None => PIPELINE_CHUNK,
        };
        let mut plan = plan.into_iter();
        let mut identified = identified.into_iter();
        let mut chunks: VecDeque<Chunk> = VecDeque::new();
        let mut chunk = Chunk::default();
        for input in group {
            let n = input_items(&input.1).count();
            chunk.plan.extend(plan.by_ref().take(n));
            chunk.identified.extend(identified.by_ref().take(n));
            chunk.inputs.push(input);
            let size = if chunks.is_empty() {
                first
            } else {
                PIPELINE_CHUNK
            };
            if chunk.plan.len() >= size {
                chunks.push_back(std::mem::take(&mut chunk));
            }
        }
        if !chunk.inputs.is_empty() {
            chunks.push_back(chunk);
        }
        let this = &*self;
        let mut committed = Ok(());
        let mut verified = this.verify_chunk(chunks.front(), &mut || {
            committed = before.commit(this);
        });
        committed?;
        while let Some(Chunk {
            inputs, identified, ..
        }) = chunks.pop_front()
        {
            let mut outcome = Ok(());
            let ahead: Vec<Ahead> = identified
                .into_iter()
                .map(Some)
                .zip(verified)
                .map(|(identified, verified)| Ahead {
                    identified,
                    verified,
                })
                .collect();
            let mut todo = Some((inputs, ahead));
            let next = this.verify_chunk(chunks.front(), &mut || {
                if let Some((inputs, ahead)) = todo.take() {
                    outcome = this.process_inputs(ctx, inputs, ahead, owner, spans);
                }
            });
            outcome?;
            verified = next;
        }
        Ok(())
    }

    /// The verifications planned for `chunk`'s badges, while `meanwhile` runs.
    fn verify_chunk(
        &self,
        chunk: Option<&Chunk>,
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<Option<Verified>> {
        match chunk {
            Some(c) => self.verify_planned(
                c.inputs.iter().flat_map(|(_, p)| input_items(p)),
                &c.plan,
                meanwhile,
            ),
            None => {
                meanwhile();
                Vec::new()
            }
        }
    }

    /// Takes parsed inputs through the pipeline in order, each badge with its verification
    /// done ahead (`ahead`, in the same order: identification and verification), and records
    /// each input's span of reports.
    fn process_inputs(
        &self,
        ctx: &mut Batch,
        inputs: Vec<(Source, std::result::Result<Parsed, String>)>,
        ahead: Vec<Ahead>,
        owner: &[Identity],
        spans: &mut Vec<(String, usize, usize)>,
    ) -> Result<()> {
        let mut ahead = ahead.into_iter();
        for (source, parsed) in inputs {
            let start = ctx.items.len();
            let label = source.location.as_str();
            match parsed {
                Err(reason) => ctx.fail(label, None, reason),
                Ok(Parsed::Single { item, members }) => {
                    let at = ctx.items.len();
                    let v = ahead.next().unwrap_or_default();
                    self.process_with(ctx, item, &source, owner, None, v)?;
                    let clr_id = ctx.items.get(at).and_then(|i| i.id.clone());
                    for m in members {
                        match m {
                            Ok(mut item) => {
                                if let (Some(id), Some(w)) = (&clr_id, &item.within) {
                                    item.within = Some(format!("clr:{id}/{w}"));
                                }
                                let v = ahead.next().unwrap_or_default();
                                self.process_with(ctx, item, &source, owner, None, v)?;
                            }
                            Err(reason) => ctx.fail(label, None, reason),
                        }
                    }
                }
                Ok(Parsed::Many(items)) => {
                    if items.is_empty() {
                        ctx.fail(label, None, "the input holds no badges".to_owned());
                    }
                    for m in items {
                        match m {
                            Ok(item) => {
                                let v = ahead.next().unwrap_or_default();
                                self.process_with(ctx, item, &source, owner, None, v)?;
                            }
                            Err(reason) => ctx.fail(label, None, reason),
                        }
                    }
                }
                // `gather` imports archives on their own.
                Ok(Parsed::Archive) => ctx.fail(
                    label,
                    None,
                    "a backpack archive is imported on its own".to_owned(),
                ),
            }
            spans.push((source.location, start, ctx.items.len()));
        }
        Ok(())
    }

    /// Commits the batch's pending writes (its reports stay).
    fn flush(&self, ctx: &mut Batch) -> Result<()> {
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

    /// Commits the batch and reports it as the outcome of input `label`.
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
}

/// The badges of a group's inputs taken through the pipeline together, while the next
/// chunk's are verified ([`Backpack::process_group`]): at least this many.
const PIPELINE_CHUNK: usize = 64;

/// An input's label and the range of its reports in its batch's items.
type Span = (String, usize, usize);

/// A batch taken through the pipeline whose writes are not committed yet, and where its
/// reports go once they are ([`Backpack::import_batches`]).
struct Uncommitted<'e> {
    batch: Option<(Batch, Vec<Span>)>,
    each: &'e mut dyn FnMut(Vec<ImportReport>),
}

impl Uncommitted<'_> {
    /// The batch waiting to be committed, if any.
    fn pending(&self) -> Option<&Batch> {
        self.batch.as_ref().map(|(ctx, _)| ctx)
    }

    /// Commits the batch waiting (if any), then hands its reports, one per input, to `each`.
    fn commit<S: Store, V: Verifier>(&mut self, backpack: &Backpack<S, V>) -> Result<()> {
        let Some((mut ctx, spans)) = self.batch.take() else {
            return Ok(());
        };
        backpack.flush(&mut ctx)?;
        let mut items = ctx.items.into_iter();
        let reports = spans
            .into_iter()
            .map(|(input, start, end)| ImportReport {
                input,
                items: items.by_ref().take(end.saturating_sub(start)).collect(),
            })
            .collect();
        (self.each)(reports);
        Ok(())
    }
}

/// Consecutive inputs of a group and the verification planned for each of their badges.
#[derive(Default)]
struct Chunk {
    inputs: Vec<(Source, std::result::Result<Parsed, String>)>,
    plan: Vec<Option<Planned>>,
    /// Each badge's steps 1 and 2, worked out ahead.
    identified: Vec<Identification>,
}

/// The badges of a parsed input, in the order the pipeline takes them.
fn input_items(parsed: &std::result::Result<Parsed, String>) -> impl Iterator<Item = &Item> {
    let (first, rest) = match parsed {
        Ok(Parsed::Single { item, members }) => (Some(item), members.as_slice()),
        Ok(Parsed::Many(items)) => (None, items.as_slice()),
        Ok(Parsed::Archive) | Err(_) => (None, &[][..]),
    };
    first
        .into_iter()
        .chain(rest.iter().filter_map(|m| m.as_ref().ok()))
}

/// Whether `path` names a regular file that begins as a zip (a backpack archive): imported
/// from the file ([`Backpack::import_archive`]), not read whole.
fn is_archive_file(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    if path.as_os_str() == "-" {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    file.take(4).read_to_end(&mut head).is_ok() && crate::input::is_zip(&head)
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
