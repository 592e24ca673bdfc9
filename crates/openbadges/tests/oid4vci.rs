//! The OpenID4VCI issuer (feature `oid4vci`), end to end through its endpoint methods on a real
//! store (SQLite; PostgreSQL too when `OPENBADGES_TEST_POSTGRES_URL` names a server): the happy
//! path for both configurations and both ways of naming the holder key, and every refusal with
//! the error code the specification names. Time is an injected clock: nothing waits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges::model::Identity;
use openbadges::oid4vci::{
    JWT_VC_JSON, LDP_VC, Offer, OfferSubjects, Oid4vci, Oid4vciConfig, Oid4vciResponse,
    WalletIssuance,
};
use openbadges::proof::key::{Algorithm, SecretKey};
use openbadges::proof::multibase::Multikey;
use openbadges::proof::report::Status;
use openbadges::{Badge, IssueOptions, Issuer, IssuerProfile, IssuerStore, Verifier};
use openbadges_test_support::fixtures::TempDir;
use serde_json::{Value, json};

const BASE: &str = "https://badges.example.org/";
const ID: &str = "https://badges.example.org";
const LEARNER: &str = "learner@example.org";
const START: i64 = 1_800_000_000;

#[derive(Debug)]
struct Learners;

impl OfferSubjects for Learners {
    fn resolve(&self, subject: &str) -> Result<Option<WalletIssuance>, openbadges::Error> {
        if subject == "gone" {
            return Ok(None);
        }
        let image = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
        let badge = Badge::new(
            "badges-101",
            "Badges 101",
            "Knows badges.",
            "Pass the quiz.",
        )
        .image(&image[..]);
        Ok(Some(WalletIssuance::new(
            Identity::email(subject),
            badge,
            IssueOptions::new(),
        )))
    }
}

/// The issuer under test, its store, its clock.
struct Fixture {
    vci: Oid4vci,
    store: Arc<dyn IssuerStore>,
    clock: Arc<AtomicI64>,
    _dir: Option<TempDir>,
    _db: Option<openbadges_test_support::postgres::TestDatabase>,
}

impl Fixture {
    fn on(
        url: &str,
        dir: Option<TempDir>,
        db: Option<openbadges_test_support::postgres::TestDatabase>,
    ) -> Fixture {
        let store = openbadges::store::open(url).unwrap();
        let issuer = Issuer::open(
            BASE,
            IssuerProfile::new("Example U", "badges@example.org"),
            store.clone(),
        )
        .unwrap();
        let clock = Arc::new(AtomicI64::new(START));
        let c = clock.clone();
        let vci = Oid4vci::new(issuer, Oid4vciConfig::default(), Arc::new(Learners))
            .unwrap()
            .with_clock(Arc::new(move || c.load(Ordering::SeqCst)));
        Fixture {
            vci,
            store,
            clock,
            _dir: dir,
            _db: db,
        }
    }

    fn sqlite() -> Fixture {
        let dir = TempDir::new("oid4vci");
        let url = format!("sqlite:{}", dir.join("issuer.db").display());
        Fixture::on(&url, Some(dir), None)
    }

    fn advance(&self, secs: i64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    fn token(&self, form: &str) -> Oid4vciResponse {
        self.vci.token(form.as_bytes())
    }

    /// A fresh offer's access token.
    fn access_token(&self) -> String {
        let offer = self.vci.offer(&Offer::new(LEARNER)).unwrap();
        let r = self.token(&redeem(&offer.pre_authorized_code, None));
        assert_eq!(r.status, 200, "{:?}", r.json_body());
        r.json_body().unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn nonce(&self) -> String {
        let r = self.vci.nonce();
        assert_eq!(r.status, 200);
        r.json_body().unwrap()["c_nonce"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn credential(&self, token: &str, body: &Value) -> Oid4vciResponse {
        self.vci.credential(
            Some(&format!("Bearer {token}")),
            body.to_string().as_bytes(),
        )
    }
}

fn redeem(code: &str, tx_code: Option<&str>) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let mut f = format!(
        "grant_type={}&pre-authorized_code={}",
        enc("urn:ietf:params:oauth:grant-type:pre-authorized_code"),
        enc(code)
    );
    if let Some(t) = tx_code {
        f.push_str(&format!("&tx_code={t}"));
    }
    f
}

/// A wallet key and how its proofs name it.
struct Wallet {
    key: SecretKey,
    /// `kid` (did:key) or `None` for a `jwk` header.
    kid: Option<String>,
}

impl Wallet {
    /// Ed25519, named by its did:key.
    fn did_key() -> Wallet {
        let key = SecretKey::generate(Algorithm::EdDsa).unwrap();
        let x = key.public_key().to_jwk()["x"].as_str().unwrap().to_owned();
        let raw: [u8; 32] = URL_SAFE_NO_PAD.decode(x).unwrap().try_into().unwrap();
        let mk = Multikey::Ed25519(raw).encode();
        Wallet {
            key,
            kid: Some(format!("did:key:{mk}#{mk}")),
        }
    }

    /// P-256, its public JWK in the header.
    fn jwk() -> Wallet {
        Wallet {
            key: SecretKey::generate(Algorithm::Es256).unwrap(),
            kid: None,
        }
    }

    /// The DID the credential must name.
    fn did(&self) -> String {
        match &self.kid {
            Some(k) => k.split('#').next().unwrap().to_owned(),
            None => {
                let jwk = self.key.public_key().to_jwk();
                let mut m = serde_json::Map::new();
                for k in ["crv", "kty", "x", "y"] {
                    m.insert(k.into(), jwk[k].clone());
                }
                format!(
                    "did:jwk:{}",
                    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Value::Object(m)).unwrap())
                )
            }
        }
    }

    fn header(&self) -> Value {
        let mut h = json!({"alg": self.key.algorithm().as_str(), "typ": "openid4vci-proof+jwt"});
        match &self.kid {
            Some(k) => h["kid"] = json!(k),
            None => h["jwk"] = self.key.public_key().to_jwk(),
        }
        h
    }

    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self.key.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn proof(&self, nonce: &str, now: i64) -> String {
        self.sign(
            &self.header(),
            &json!({"aud": ID, "iat": now, "nonce": nonce}),
        )
    }
}

fn request(configuration: &str, proof: &str) -> Value {
    json!({"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}})
}

fn now(f: &Fixture) -> i64 {
    f.clock.load(Ordering::SeqCst)
}

/// Verifies a received credential offline against the issuer's documents, for the learner.
fn verifies(f: &Fixture, credential: &Value) {
    let uuid = f.store.issued_uuids().unwrap();
    let mut hosted = Vec::new();
    for u in uuid {
        hosted.extend(f.store.issued(&u).unwrap().unwrap().issued.hosted);
    }
    let verifier = Verifier::builder()
        .hosted(&hosted)
        .recipient(format!("email:{LEARNER}").parse().unwrap())
        .build()
        .unwrap();
    let bytes = match credential {
        Value::String(jwt) => jwt.clone().into_bytes(),
        other => other.to_string().into_bytes(),
    };
    let report = verifier.verify_bytes("credential", &bytes);
    assert_eq!(report.status(), Status::Valid, "{report:?}");
}

fn happy_path(f: &Fixture) {
    // Metadata: the identifier byte-identical everywhere, 1.0's credential_metadata.
    let meta = f.vci.issuer_metadata().json_body().unwrap();
    assert_eq!(meta["credential_issuer"], ID);
    assert!(meta["credential_configurations_supported"][LDP_VC]["credential_metadata"].is_object());
    let as_meta = f.vci.authorization_server_metadata().json_body().unwrap();
    assert_eq!(as_meta["issuer"], ID);
    assert_eq!(
        f.vci.issuer_metadata_path(),
        "/.well-known/openid-credential-issuer"
    );

    let offer = f.vci.offer(&Offer::new(LEARNER)).unwrap();
    assert_eq!(offer.offer["credential_issuer"], ID);
    // By reference: the same offer, while unredeemed.
    let reference = offer.offer_uri.rsplit('/').next().unwrap().to_owned();
    let served = f.vci.offer_by_reference(&reference);
    assert_eq!(served.json_body().unwrap(), offer.offer);
    let r = f.token(&format!(
        "{}&resource={}",
        redeem(&offer.pre_authorized_code, None),
        "https%3A%2F%2Fbadges.example.org"
    ));
    assert_eq!(r.status, 200, "{:?}", r.json_body());
    let token = r.json_body().unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(f.vci.offer_by_reference(&reference).status, 404);

    for (configuration, wallet) in [(LDP_VC, Wallet::did_key()), (JWT_VC_JSON, Wallet::jwk())] {
        let proof = wallet.proof(&f.nonce(), now(f));
        let r = f.credential(&token, &request(configuration, &proof));
        assert_eq!(r.status, 200, "{configuration}: {:?}", r.json_body());
        let body = r.json_body().unwrap();
        let credential = body["credentials"][0]["credential"].clone();
        let vc = match &credential {
            Value::String(jwt) => {
                let payload = jwt.split('.').nth(1).unwrap();
                let claims: Value =
                    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
                claims.get("vc").cloned().unwrap_or(claims)
            }
            other => other.clone(),
        };
        assert_eq!(
            vc["credentialSubject"]["id"],
            json!(wallet.did()),
            "{configuration}"
        );
        assert!(
            vc["credentialSubject"]["identifier"].is_array(),
            "{configuration}: the email identity stays"
        );
        verifies(f, &credential);
        // Recorded like any badge, and revocable through its status list.
        assert!(vc["credentialStatus"].is_object(), "{configuration}");
        let id = vc["id"].as_str().unwrap();
        f.vci.issuer().revoke(id, Some("test")).unwrap();
        assert!(f.vci.issuer().is_revoked(id).unwrap(), "{configuration}");
    }
    // Both received: the token is spent.
    let proof = Wallet::jwk().proof(&f.nonce(), now(f));
    let r = f.credential(&token, &request(LDP_VC, &proof));
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (401, Some("invalid_token"))
    );
}

#[test]
fn a_wallet_receives_both_configurations_sqlite() {
    happy_path(&Fixture::sqlite());
}

#[test]
fn a_wallet_receives_both_configurations_postgres() {
    let Some(db) = openbadges_test_support::postgres::database("oid4vci") else {
        return;
    };
    let url = db.url().to_owned();
    let f = Fixture::on(&url, None, Some(db));
    happy_path(&f);
    // A second instance on the same database does not take a code the first one redeemed.
    let offer = f.vci.offer(&Offer::new(LEARNER)).unwrap();
    assert_eq!(
        f.token(&redeem(&offer.pre_authorized_code, None)).status,
        200
    );
    let other = Fixture::on(&url, None, None);
    let r = other.token(&redeem(&offer.pre_authorized_code, None));
    assert_eq!(r.error_code().as_deref(), Some("invalid_grant"));
    // Four instances racing for one code: exactly one gets a token.
    let offer = f.vci.offer(&Offer::new(LEARNER)).unwrap();
    let form = redeem(&offer.pre_authorized_code, None);
    let instances: Vec<Fixture> = (0..4).map(|_| Fixture::on(&url, None, None)).collect();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let racers: Vec<_> = instances
            .iter()
            .map(|i| s.spawn(|| i.token(&form).status))
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
}

#[test]
fn pre_authorized_codes_are_single_use_short_lived_and_bound_to_their_tx_code() {
    let f = Fixture::sqlite();
    let offer = f.vci.offer(&Offer::new(LEARNER)).unwrap();
    let form = redeem(&offer.pre_authorized_code, None);
    assert_eq!(f.token(&form).status, 200);
    let r = f.token(&form);
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (400, Some("invalid_grant")),
        "replayed"
    );

    let offer = f.vci.offer(&Offer::new(LEARNER)).unwrap();
    f.advance(601);
    let r = f.token(&redeem(&offer.pre_authorized_code, None));
    assert_eq!(r.error_code().as_deref(), Some("invalid_grant"), "expired");
    // Expired offers are swept when the next one is made.
    let count = || {
        let mut n = 0;
        f.store
            .transaction(&mut |tx| {
                n = tx.query("SELECT code_hash FROM oid4vci_offers", &[])?.len();
                Ok(())
            })
            .unwrap();
        n
    };
    let before = count();
    f.vci.offer(&Offer::new(LEARNER)).unwrap();
    assert_eq!(count(), 1, "{before} offers before the sweep");
    assert_eq!(
        f.token(&redeem("made-up", None)).error_code().as_deref(),
        Some("invalid_grant")
    );

    let offer = f.vci.offer(&Offer::new(LEARNER).tx_code("493536")).unwrap();
    assert_eq!(
        offer.offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"]["length"],
        6
    );
    let code = &offer.pre_authorized_code;
    assert_eq!(
        f.token(&redeem(code, None)).error_code().as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        f.token(&redeem(code, Some("000000")))
            .error_code()
            .as_deref(),
        Some("invalid_grant")
    );
    assert_eq!(
        f.token(&redeem(code, Some("493536"))).status,
        200,
        "a wrong guess did not burn it"
    );
    // Three wrong guesses do.
    let offer = f.vci.offer(&Offer::new(LEARNER).tx_code("493536")).unwrap();
    for _ in 0..3 {
        f.token(&redeem(&offer.pre_authorized_code, Some("111111")));
    }
    let r = f.token(&redeem(&offer.pre_authorized_code, Some("493536")));
    assert_eq!(r.error_code().as_deref(), Some("invalid_grant"));

    // Other grants, other resources, broken forms.
    let r = f.token("grant_type=authorization_code&code=x");
    assert_eq!(r.error_code().as_deref(), Some("unsupported_grant_type"));
    let offer = f.vci.offer(&Offer::new(LEARNER)).unwrap();
    let r = f.token(&format!(
        "{}&resource=https%3A%2F%2Fother.example",
        redeem(&offer.pre_authorized_code, None)
    ));
    assert_eq!(r.error_code().as_deref(), Some("invalid_target"));
    assert_eq!(
        f.token("grant_type=%zz").error_code().as_deref(),
        Some("invalid_request")
    );
}

#[test]
fn key_proofs_are_checked_as_the_specification_says() {
    let f = Fixture::sqlite();
    let token = f.access_token();
    let w = Wallet::did_key();
    let t = now(&f);
    let refused = |body: &Value| {
        let r = f.credential(&token, body);
        assert_eq!(r.status, 400, "{:?}", r.json_body());
        r.error_code().unwrap()
    };
    // Missing proof, draft-style proof, several proofs, an unknown configuration.
    assert_eq!(
        refused(&json!({"credential_configuration_id": LDP_VC})),
        "invalid_proof"
    );
    assert_eq!(
        refused(
            &json!({"credential_configuration_id": LDP_VC, "proof": {"proof_type": "jwt", "jwt": w.proof(&f.nonce(), t)}})
        ),
        "invalid_credential_request"
    );
    let (a, b) = (w.proof(&f.nonce(), t), w.proof(&f.nonce(), t));
    assert_eq!(
        refused(&json!({"credential_configuration_id": LDP_VC, "proofs": {"jwt": [a, b]}})),
        "invalid_proof"
    );
    assert_eq!(
        refused(&request("UniversityDegree_ldp_vc", &w.proof(&f.nonce(), t))),
        "unknown_credential_configuration"
    );

    // Wrong typ, wrong audience, iat out of the window, no nonce.
    let mut h = w.header();
    h["typ"] = json!("JWT");
    assert_eq!(
        refused(&request(
            LDP_VC,
            &w.sign(&h, &json!({"aud": ID, "iat": t, "nonce": f.nonce()}))
        )),
        "invalid_proof"
    );
    let wrong_aud = w.sign(
        &w.header(),
        &json!({"aud": "https://badges.example.org/", "iat": t, "nonce": f.nonce()}),
    );
    assert_eq!(
        refused(&request(LDP_VC, &wrong_aud)),
        "invalid_proof",
        "a trailing slash is another issuer"
    );
    let old = w.sign(
        &w.header(),
        &json!({"aud": ID, "iat": t - 3600, "nonce": f.nonce()}),
    );
    assert_eq!(refused(&request(LDP_VC, &old)), "invalid_proof");
    let no_nonce = w.sign(&w.header(), &json!({"aud": ID, "iat": t}));
    assert_eq!(refused(&request(LDP_VC, &no_nonce)), "invalid_proof");

    // Signed by another key than the kid names.
    let other = Wallet::did_key();
    let forged = other.sign(
        &w.header(),
        &json!({"aud": ID, "iat": t, "nonce": f.nonce()}),
    );
    assert_eq!(refused(&request(LDP_VC, &forged)), "invalid_proof");
    // kid and jwk both, or neither.
    let mut both = w.header();
    both["jwk"] = w.key.public_key().to_jwk();
    assert_eq!(
        refused(&request(
            LDP_VC,
            &w.sign(&both, &json!({"aud": ID, "iat": t, "nonce": f.nonce()}))
        )),
        "invalid_proof"
    );

    // Nonces: unknown, expired, used.
    assert_eq!(
        refused(&request(LDP_VC, &w.proof("made-up", t))),
        "invalid_nonce"
    );

    // None of these refusals used up the token.
    let n = f.nonce();
    let r = f.credential(&token, &request(LDP_VC, &w.proof(&n, t)));
    assert_eq!(r.status, 200, "{:?}", r.json_body());
    // The nonce was single use, and the configuration is now received: denied, not reissued.
    assert_eq!(
        refused(&request(JWT_VC_JSON, &w.proof(&n, t))),
        "invalid_nonce"
    );
    assert_eq!(
        refused(&request(LDP_VC, &w.proof(&f.nonce(), t))),
        "credential_request_denied"
    );
    // The other configuration is still there.
    let r = f.credential(&token, &request(JWT_VC_JSON, &w.proof(&f.nonce(), t)));
    assert_eq!(r.status, 200, "{:?}", r.json_body());

    // An expired nonce (its lifetime is 300 s; the token, fresh, lives as long).
    let n = f.nonce();
    f.advance(200);
    let token = f.access_token();
    f.advance(101);
    let t = now(&f);
    let r = f.credential(&token, &request(LDP_VC, &w.proof(&n, t)));
    assert_eq!(r.error_code().as_deref(), Some("invalid_nonce"), "expired");
    let r = f.credential(&token, &request(LDP_VC, &w.proof(&f.nonce(), t)));
    assert_eq!(
        r.status,
        200,
        "the token survived the refusal: {:?}",
        r.json_body()
    );
}

#[test]
fn access_tokens_are_required_and_expire() {
    let f = Fixture::sqlite();
    let w = Wallet::did_key();
    let body = request(LDP_VC, &w.proof(&f.nonce(), now(&f)));
    let r = f.vci.credential(None, body.to_string().as_bytes());
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (401, Some("invalid_token"))
    );
    assert!(
        r.headers
            .iter()
            .any(|(n, v)| *n == "WWW-Authenticate" && v.contains("invalid_token"))
    );
    assert_eq!(
        f.credential("made-up", &body).error_code().as_deref(),
        Some("invalid_token")
    );
    let token = f.access_token();
    f.advance(301);
    assert_eq!(
        f.credential(&token, &body).error_code().as_deref(),
        Some("invalid_token")
    );
}

#[test]
fn the_memory_store_is_refused() {
    let store = openbadges::store::open("memory:").unwrap();
    let issuer = Issuer::open(
        BASE,
        IssuerProfile::new("Example U", "badges@example.org"),
        store,
    )
    .unwrap();
    let e = Oid4vci::new(issuer, Oid4vciConfig::default(), Arc::new(Learners)).unwrap_err();
    assert!(e.to_string().contains("SQL"), "{e}");
}

#[test]
fn well_known_paths_insert_the_suffix_between_host_and_path() {
    let dir = TempDir::new("oid4vci-path");
    let store = openbadges::store::open(&format!("sqlite:{}", dir.join("i.db").display())).unwrap();
    let issuer = Issuer::open(
        "https://example.org/tenant/badges/",
        IssuerProfile::new("Example U", "badges@example.org"),
        store,
    )
    .unwrap();
    let vci = Oid4vci::new(issuer, Oid4vciConfig::default(), Arc::new(Learners)).unwrap();
    assert_eq!(vci.issuer_id(), "https://example.org/tenant/badges");
    assert_eq!(
        vci.issuer_metadata_path(),
        "/.well-known/openid-credential-issuer/tenant/badges"
    );
    assert_eq!(
        vci.authorization_server_metadata_path(),
        "/.well-known/oauth-authorization-server/tenant/badges"
    );
    assert_eq!(
        vci.credential_endpoint(),
        "https://example.org/tenant/badges/oid4vci/credential"
    );
}
