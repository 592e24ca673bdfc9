//! The issuer Profile: OB 2.0 Issuer properties carried into an OB 3.0 Profile.

use serde_json::{Map, Value};

use super::{NoteKind, Notes, Source, convert_image, str_of};
use crate::ob3::Profile;
use crate::value::is_absolute_iri;
use crate::{Iri, pointer_join};

/// The issuer as an OB 3.0 Profile; `None` (with a blocking note) without an absolute `id` or
/// when the profile does not build.
pub(super) fn convert_issuer(i: &Map<String, Value>, notes: &mut Notes) -> Option<Profile> {
    let Some(id) = str_of(i, "id").filter(|s| is_absolute_iri(s)) else {
        notes.push(
            NoteKind::Blocking,
            Source::Issuer,
            "/id",
            "the issuer has no absolute IRI `id`",
        );
        return None;
    };
    let mut b = crate::ob3::ProfileBuilder::new(Iri::new_unchecked(id));
    if let Some(name) = str_of(i, "name") {
        b = b.name(name);
    }
    if let Some(url) = str_of(i, "url") {
        if is_absolute_iri(url) {
            b = b.url(Iri::new_unchecked(url));
        } else {
            notes.push(
                NoteKind::NotCarried,
                Source::Issuer,
                "/url",
                "`url` is not an absolute IRI and is not carried over",
            );
        }
    }
    if let Some(email) = str_of(i, "email") {
        b = b.email(email);
    }
    if let Some(d) = str_of(i, "description") {
        b = b.description(d);
    }
    if let Some(t) = str_of(i, "telephone") {
        b = b.phone(t);
        notes.push(
            NoteKind::Changed,
            Source::Issuer,
            "/telephone",
            "`telephone` becomes `phone`",
        );
    }
    if let Some(img) = i
        .get("image")
        .and_then(|v| convert_image(v, Source::Issuer, "/image", notes))
    {
        b = b.image(img);
    }
    for (key, why) in [
        (
            "publicKey",
            "OB 3.0 keys are found through the issuer's DID document or JWKS, not a 2.0 CryptographicKey",
        ),
        (
            "verification",
            "hosted verification (`allowedOrigins`, `startsWith`) has no OB 3.0 equivalent",
        ),
        (
            "revocationList",
            "OB 3.0 status needs a new `credentialStatus` list (1EdTechRevocationList or BitstringStatusList)",
        ),
        (
            "endorsement",
            "OB 2.0 endorsements are not EndorsementCredentials; the endorser must issue them again",
        ),
    ] {
        if i.contains_key(key) {
            notes.push(
                NoteKind::NotCarried,
                Source::Issuer,
                &pointer_join("", key),
                format!("`{key}` is not carried over: {why}"),
            );
        }
    }
    notes.rest(
        i,
        &[
            "@context",
            "type",
            "id",
            "name",
            "url",
            "email",
            "description",
            "telephone",
            "image",
            "publicKey",
            "verification",
            "revocationList",
            "endorsement",
        ],
        Source::Issuer,
        "",
    );
    match b.build() {
        Ok(p) => Some(p),
        Err(e) => {
            notes.push(
                NoteKind::Blocking,
                Source::Issuer,
                "",
                format!("the issuer cannot be converted: {e}"),
            );
            None
        }
    }
}
