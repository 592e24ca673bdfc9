//! Unit tests of the issuer: configuration checks, the URL layout, fresh ids.

#![allow(clippy::unwrap_used)]

use super::issue::new_uuid;
use super::*;

#[test]
fn uuids_are_v4_and_fresh() {
    let a = new_uuid().unwrap();
    let b = new_uuid().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(a.as_bytes()[14], b'4');
    assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
}

#[test]
fn bad_configuration_is_refused() {
    let p = IssuerProfile::new("X", "x@x.org");
    assert!(Issuer::new("ftp://x.org/", p.clone(), IssuerKeys::new()).is_err());
    assert!(Issuer::new("https://x.org/?a", p.clone(), IssuerKeys::new()).is_err());
    assert!(
        Issuer::new(
            "https://x.org",
            IssuerProfile::new(" ", "x@x.org"),
            IssuerKeys::new()
        )
        .is_err()
    );
    let i = Issuer::new("https://x.org", p.clone(), IssuerKeys::new()).unwrap();
    assert_eq!(i.ob2_profile_id(), "https://x.org/issuer.json");
    assert_eq!(
        i.well_known_jwks_url(),
        "https://x.org/.well-known/jwks.json"
    );
    let i = Issuer::new("http://127.0.0.1:8101/a/b/", p, IssuerKeys::new()).unwrap();
    assert_eq!(
        i.well_known_jwks_url(),
        "http://127.0.0.1:8101/.well-known/jwks.json"
    );
    assert_eq!(i.key_id(), "http://127.0.0.1:8101/a/b/key.json");
    assert!(Badge::new("Bad Slug", "n", "d", "c").check_slug().is_err());
    assert!(Badge::new("ok-slug_1", "n", "d", "c").check_slug().is_ok());
}

/// A credential the proof crate refuses to issue as a VC-JWT (here: it names no issuer)
/// fails with [`Error::VcJwt`]: the message is unchanged and `source()` is the proof crate's
/// `VcJwtError`.
#[test]
fn vc_jwt_failure_keeps_its_cause() {
    use openbadges_proof::key::{Algorithm, SecretKey};
    use openbadges_proof::vc_jwt::VcJwtError;
    use std::error::Error as _;

    let key = SecretKey::generate(Algorithm::Es256).unwrap();
    let issuer = Issuer::new(
        "https://x.org/",
        IssuerProfile::new("X", "x@x.org"),
        IssuerKeys::new(),
    )
    .unwrap();
    let credential = serde_json::json!({ "validFrom": "2024-01-01T00:00:00Z" });
    let err = issuer.ob3_vc_jwt(&credential, &key).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: VC-JWT: cannot issue: no issuer id"
    );
    let source = err
        .source()
        .expect("the VC-JWT error is kept as the source");
    assert_eq!(
        source.downcast_ref::<VcJwtError>(),
        Some(&VcJwtError::Issue("no issuer id".into()))
    );
}

/// The issuer is shared across threads and requests: `Clone + Send + Sync`, and so is every
/// store behind `Arc<dyn IssuerStore>`.
#[test]
fn issuer_is_clone_send_sync() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    shared::<Issuer>();
    shared::<std::sync::Arc<dyn crate::store::IssuerStore>>();
}

/// `Debug` of an issuer shows no secret and not the whole store.
#[test]
fn debug_shows_no_secret() {
    use openbadges_proof::key::Algorithm;
    let keys = IssuerKeys::generate(Algorithm::Es256).unwrap();
    let pem = keys.jws().unwrap().to_pkcs8_pem().to_string();
    let issuer = Issuer::new("https://x.org/", IssuerProfile::new("X", "x@x.org"), keys).unwrap();
    let text = format!("{issuer:?}");
    let pem_body = pem.lines().nth(1).unwrap();
    assert!(!text.contains(pem_body), "{text}");
    assert!(text.contains("MemoryIssuerStore { issued: 0"), "{text}");
}
