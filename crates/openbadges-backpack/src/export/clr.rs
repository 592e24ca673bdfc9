//! A CLR 2.0 `ClrCredential` per collection, signed by an issuer key ([`collection_clr`]).
//!
//! The collection's OB 3.0 credentials go into `credentialSubject.verifiableCredential` exactly
//! as stored (JSON as received; a VC-JWT as an `EnvelopedVerifiableCredential`, as in the
//! presentation export), their achievements into `achievement`, and the collection's order
//! into `association`s: each achievement `precedes` the next one. Badges that are not
//! verifiable credentials (Open Badges 0.5–2.0) cannot be carried by a CLR without their issuer
//! re-signing them, so they are left out and listed in [`ClrExport::skipped`]. See
//! `docs/backpack.md` ("CLR 2.0 export").

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::model::sha256_hex;
use crate::model::{BadgeId, BadgeRecord, BadgeState, Collection, CollectionId};
use crate::store::Store;
use crate::{Error, Result};
use openbadges_model::IdentityKind;
use openbadges_model::Version;
use openbadges_model::{HashAlgorithm, IdentityHash, Salt};
use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};

/// The VC Data Model 2.0 context.
const VC2: &str = "https://www.w3.org/ns/credentials/v2";
/// The CLR 2.0.1 context.
pub const CLR_CONTEXT: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";
/// The OB 3.0.3 context (the achievements and profiles inside the CLR use its terms).
const OB3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// Options of [`collection_clr`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClrOptions {
    /// `validFrom` of the CLR and `created` of its proof (an XML Schema dateTime); pass it in so
    /// that the same inputs give the same CLR.
    pub created: String,
    /// The issuer's id. Default: the signing key's `did:key`. Any other id is signed with the
    /// verification method `<id>#<multikey>`, which the issuer's controller document (the JSON
    /// at an `https` id, a `did:web` DID document) must list under `assertionMethod` for
    /// verifiers to accept it.
    pub issuer_id: Option<String>,
    /// The issuer profile's `name`, if any.
    pub issuer_name: Option<String>,
}

impl ClrOptions {
    /// Options with `created` and the defaults (issuer = the key's `did:key`, no name).
    pub fn new(created: impl Into<String>) -> Self {
        ClrOptions {
            created: created.into(),
            issuer_id: None,
            issuer_name: None,
        }
    }
}

/// A badge of the collection that the CLR does not carry, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The badge.
    pub id: BadgeId,
    /// Why it is not in the CLR.
    pub reason: String,
}

/// The result of [`collection_clr`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClrExport {
    /// The signed `ClrCredential`.
    pub credential: Value,
    /// The collection's badges left out (legacy Open Badges, rejected badges), in collection
    /// order.
    pub skipped: Vec<Skipped>,
}

/// How a stored credential goes into a presentation or a CLR: JSON as received, a VC-JWT (a
/// `.jwt` file, or one baked in an image) as an `EnvelopedVerifiableCredential` whose `id` is a
/// `data:application/vc+jwt,<jwt>` URL.
pub(crate) fn embeddable(b: &BadgeRecord) -> Value {
    match b.compact_jws() {
        Some(jwt) => json!({
            "@context": VC2,
            "id": format!("data:application/vc+jwt,{jwt}"),
            "type": "EnvelopedVerifiableCredential",
        }),
        None => b.document.clone(),
    }
}

/// The `id`s of the credential's subjects.
fn subject_ids(doc: &Value) -> Vec<String> {
    match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        Some(s) => s
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect(),
        None => Vec::new(),
    }
}

/// The achievements (objects) of the credential's subjects.
fn achievements(doc: &Value) -> Vec<Value> {
    let subjects = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    subjects
        .into_iter()
        .filter_map(|s| s.get("achievement"))
        .filter(|a| a.is_object())
        .cloned()
        .collect()
}

/// The CLR 2.0 `ClrCredential` of collection `collection`, signed `eddsa-rdfc-2022` by `signer`
/// as its issuer.
///
/// - `issuer`: a `Profile` whose `id` is [`ClrOptions::issuer_id`] or the key's `did:key`;
/// - `credentialSubject`: a `ClrSubject` with the learner's `id` when every included credential
///   names the same subject (or the owner's DID matched them), otherwise `identifier`s (salted
///   SHA-256 `IdentityObject`s of the owner's identifiers the badges matched); `name` and
///   `description` of the collection; `verifiableCredential` (the collection's OB 3.0
///   credentials and CLRs, verbatim, in collection order); `achievement` (their achievements,
///   each once); `association` (`precedes` from each achievement to the next, in collection
///   order);
/// - `@context`: VC 2.0, CLR 2.0.1, OB 3.0.3.
///
/// # Errors
/// [`Error::NotFound`] for an unknown collection or member; [`Error::InvalidArgument`] when the
/// collection holds no verifiable credential (a CLR needs at least one);
/// [`Error::Export`] when it cannot be signed (e.g. a credential whose JSON-LD context is not
/// bundled, or one that breaks JSON-LD safe mode).
pub fn collection_clr<S: Store + ?Sized>(
    store: &S,
    collection: &CollectionId,
    signer: &Ed25519Signer,
    options: &ClrOptions,
) -> Result<ClrExport> {
    let c = store
        .collection(collection)?
        .ok_or_else(|| Error::NotFound {
            what: "collection",
            id: collection.as_str().to_owned(),
        })?;
    let (included, skipped) = carried(store, &c)?;
    let (issuer, issuer_id, vm) = issuer(signer, options);
    let members: Vec<&str> = included.iter().map(|b| b.id.as_str()).collect();
    let clr_id = openbadges_model::ob3::name_based_urn_uuid(&format!(
        "clr:{}:{}:{}:{}",
        c.id.as_str(),
        issuer_id,
        options.created,
        members.join(",")
    ));
    let doc = json!({
        "@context": [VC2, CLR_CONTEXT, OB3_CONTEXT],
        "id": clr_id.as_str(),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "validFrom": options.created,
        "name": c.name,
        "credentialSubject": Value::Object(subject(&c, &included)),
    });
    let doc = match (c.description.is_empty(), doc) {
        (false, Value::Object(mut o)) => {
            o.insert("description".into(), json!(c.description));
            Value::Object(o)
        }
        (_, d) => d,
    };
    let proof = ProofOptions::new(vm, options.created.clone());
    let credential =
        sign(&doc, signer, &proof).map_err(|e| Error::export_in("signing the CLR", e))?;
    Ok(ClrExport {
        credential,
        skipped,
    })
}

/// The collection's members the CLR carries (accepted OB 3.0 credentials and CLRs, in
/// collection order), and those it leaves out with the reason.
///
/// # Errors
/// [`Error::NotFound`] for a missing member; [`Error::InvalidArgument`] when none is carried.
fn carried<S: Store + ?Sized>(
    store: &S,
    c: &Collection,
) -> Result<(Vec<BadgeRecord>, Vec<Skipped>)> {
    let mut skipped = Vec::new();
    let mut included: Vec<BadgeRecord> = Vec::new();
    for id in &c.members {
        let b = store.badge(id)?.ok_or_else(|| Error::NotFound {
            what: "badge",
            id: id.to_string(),
        })?;
        if b.state != BadgeState::Accepted {
            skipped.push(Skipped {
                id: b.id.clone(),
                reason: "rejected".into(),
            });
            continue;
        }
        if !matches!(b.version, Version::V3_0 | Version::Clr2_0) {
            skipped.push(Skipped {
                id: b.id.clone(),
                reason: format!(
                    "an OB {} badge is not a verifiable credential: a CLR 2.0 can carry it only \
                     if its issuer re-issues it as OB 3.0",
                    b.version.as_str()
                ),
            });
            continue;
        }
        included.push(b);
    }
    if included.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "collection {} holds no OB 3.0 credential: a CLR needs at least one",
            c.name
        )));
    }
    Ok((included, skipped))
}

/// The achievements of the OB 3.0 credentials, each once, in collection order; and the
/// `precedes` associations that link consecutive ones (by id).
fn achievements_in_order(included: &[BadgeRecord]) -> (Vec<Value>, Vec<Value>) {
    let mut seen = BTreeSet::new();
    let mut achievement_list = Vec::new();
    let mut order = Vec::new();
    for b in included {
        if b.version != Version::V3_0 {
            continue;
        }
        for a in achievements(&b.document) {
            match a.get("id").and_then(Value::as_str) {
                Some(aid) => {
                    if seen.insert(aid.to_owned()) {
                        order.push(aid.to_owned());
                        achievement_list.push(a);
                    }
                }
                None => achievement_list.push(a),
            }
        }
    }
    let associations: Vec<Value> = order
        .windows(2)
        .filter_map(|w| match w {
            [s, t] => Some(json!({
                "type": "Association",
                "associationType": "precedes",
                "sourceId": s,
                "targetId": t,
            })),
            _ => None,
        })
        .collect();
    (achievement_list, associations)
}

/// The learner's `id`: the subject id every included credential names (when they all name
/// one, and the same), else the owner's DID when the badges matched exactly one.
fn learner_id(included: &[BadgeRecord]) -> Option<String> {
    let ids: BTreeSet<String> = included
        .iter()
        .flat_map(|b| subject_ids(&b.document))
        .collect();
    let dids: BTreeSet<&str> = included
        .iter()
        .filter(|b| b.recipient.identifier.kind == IdentityKind::Did)
        .map(|b| b.recipient.identifier.value.as_str())
        .collect();
    let all_named = included
        .iter()
        .all(|b| !subject_ids(&b.document).is_empty());
    if ids.len() == 1 && all_named {
        ids.into_iter().next()
    } else if dids.len() == 1 {
        dids.into_iter().next().map(str::to_owned)
    } else {
        None
    }
}

/// The learner as salted SHA-256 `IdentityObject`s of the owner's identifiers the badges
/// matched (the salt derived from the collection's id, so the same collection gives the same
/// CLR).
fn learner_identifiers(c: &Collection, included: &[BadgeRecord]) -> Vec<Value> {
    let salt = sha256_hex(format!("clr-salt:{}", c.id.as_str()).as_bytes())
        .chars()
        .take(16)
        .collect::<String>();
    let owners: BTreeSet<(&'static str, String)> = included
        .iter()
        .map(|b| {
            let i = &b.recipient.identifier;
            let v = match i.kind {
                IdentityKind::Email => i.value.to_ascii_lowercase(),
                _ => i.value.clone(),
            };
            (i.kind.ob3_type(), v)
        })
        .collect();
    owners
        .into_iter()
        .map(|(t, v)| {
            json!({
                "type": "IdentityObject",
                "identityType": t,
                "hashed": true,
                "identityHash": IdentityHash::compute(
                    HashAlgorithm::Sha256,
                    &v,
                    Some(&Salt::new(salt.as_str())),
                )
                .to_string(),
                "salt": salt,
            })
        })
        .collect()
}

/// The `ClrSubject`: the learner, the collection's name and description, the credentials
/// verbatim, their achievements and associations.
fn subject(c: &Collection, included: &[BadgeRecord]) -> Map<String, Value> {
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["ClrSubject"]));
    match learner_id(included) {
        Some(id) => {
            subject.insert("id".into(), json!(id));
        }
        None => {
            let objects = learner_identifiers(c, included);
            subject.insert("identifier".into(), Value::Array(objects));
        }
    }
    subject.insert("name".into(), json!(c.name));
    if !c.description.is_empty() {
        subject.insert("description".into(), json!(c.description));
    }
    let credentials = included.iter().map(embeddable).collect();
    subject.insert("verifiableCredential".into(), Value::Array(credentials));
    let (achievement_list, associations) = achievements_in_order(included);
    if !achievement_list.is_empty() {
        subject.insert("achievement".into(), Value::Array(achievement_list));
    }
    if !associations.is_empty() {
        subject.insert("association".into(), Value::Array(associations));
    }
    subject
}

/// The issuer `Profile`, its id and the verification method that signs: the key's `did:key`
/// unless [`ClrOptions::issuer_id`] names another id (then `<id>#<multikey>`).
fn issuer(signer: &Ed25519Signer, options: &ClrOptions) -> (Value, String, String) {
    let multikey = signer.multikey().encode();
    let (issuer_id, vm) = match &options.issuer_id {
        None => (signer.did_key(), signer.verification_method_did_key()),
        Some(id) if *id == signer.did_key() => (id.clone(), signer.verification_method_did_key()),
        Some(id) => (id.clone(), format!("{id}#{multikey}")),
    };
    let mut issuer = Map::new();
    issuer.insert("id".into(), json!(issuer_id));
    issuer.insert("type".into(), json!(["Profile"]));
    if let Some(n) = &options.issuer_name {
        issuer.insert("name".into(), json!(n));
    }
    (Value::Object(issuer), issuer_id, vm)
}
