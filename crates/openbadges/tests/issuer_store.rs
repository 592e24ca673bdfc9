//! One suite for every issuer store — memory, SQLite (a temporary file) and PostgreSQL (a
//! throwaway database on the test server) — with two `Issuer`s opened on the same store as two
//! instances would be: concurrent issuance gets distinct status indexes, a revocation made
//! through one is served by the other, a failing hook leaves nothing behind, two issuers opening
//! an empty store agree on one set of keys, every `Issued` round-trips through serde, and every
//! document is served by URL and by path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::Status;
use openbadges::proof::status_list::{bit_is_set, decode_bitstring};
use openbadges::store::{self, IssuerStore, SqlValue, StoreError};
use openbadges::{
    Badge, Error, Form, HostedDocument, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile,
    Served, Verifier,
};
use openbadges_test_support::fixtures::TempDir;
use openbadges_test_support::postgres::TestDatabase;
use serde_json::Value;

const BASE: &str = "https://badges.example.org/app/";

/// Which store a test runs on.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Memory,
    Sqlite,
    Postgres,
}

/// Two handles on one store (two "instances"), and what keeps the store alive.
struct Stores {
    a: Arc<dyn IssuerStore>,
    b: Arc<dyn IssuerStore>,
    /// Whether the store runs SQL (hooks that write the caller's tables).
    sql: bool,
    _dir: Option<TempDir>,
    _db: Option<TestDatabase>,
}

impl Drop for Stores {
    fn drop(&mut self) {
        // Let the pools close their connections before the database is dropped.
        let (a, b) = (
            std::mem::replace(&mut self.a, Arc::new(store::MemoryIssuerStore::new())),
            std::mem::replace(&mut self.b, Arc::new(store::MemoryIssuerStore::new())),
        );
        drop((a, b));
    }
}

/// Two handles on a fresh, empty store; `None` when PostgreSQL is not configured (outside CI).
fn stores(backend: Backend, label: &str) -> Option<Stores> {
    match backend {
        Backend::Memory => {
            let s: Arc<dyn IssuerStore> = store::open("memory:").unwrap();
            Some(Stores {
                a: s.clone(),
                b: s,
                sql: false,
                _dir: None,
                _db: None,
            })
        }
        Backend::Sqlite => {
            let dir = TempDir::new(label);
            let url = format!("sqlite:{}", dir.join("issuer.db").display());
            Some(Stores {
                a: store::open(&url).unwrap(),
                b: store::open(&url).unwrap(),
                sql: true,
                _dir: Some(dir),
                _db: None,
            })
        }
        Backend::Postgres => {
            let db = openbadges_test_support::postgres::database(label)?;
            Some(Stores {
                a: store::open(db.url()).unwrap(),
                b: store::open(db.url()).unwrap(),
                sql: true,
                _dir: None,
                _db: Some(db),
            })
        }
    }
}

fn profile() -> IssuerProfile {
    IssuerProfile::new("Example University", "badges@example.org").url("https://example.org/")
}

/// An issuer on `store` (keys created or loaded there).
fn open(store: &Arc<dyn IssuerStore>) -> Issuer {
    Issuer::open(BASE, profile(), store.clone()).unwrap()
}

fn png() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/served/badge.png"
    ))
    .unwrap()
}

fn badge() -> Badge {
    Badge::new(
        "badges-101",
        "Badges 101",
        "Knows the basics of Open Badges.",
        "Answer the three questions of the Badges 101 quiz.",
    )
    .image(png())
}

/// The OB 3.0 credential's status-list index.
fn status_index(issued: &Issued) -> u64 {
    issued.ob3_credential.as_ref().unwrap()["credentialStatus"]["statusListIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn served(issuer: &Issuer, path_or_url: &str) -> HostedDocument {
    match issuer.document(path_or_url).unwrap() {
        Some(Served::Document(d)) => d,
        other => panic!("{path_or_url}: {other:?}"),
    }
}

/// 8 threads × 25 issuances split between two issuers on one store: 200 distinct status
/// indexes, every badge recorded once, readable through either issuer.
fn concurrent_issuance_gets_distinct_indexes(backend: Backend) {
    let Some(s) = stores(backend, "concurrent") else {
        return;
    };
    let issuers = [open(&s.a), open(&s.b)];
    // The OB 3.0 credential alone (no image to bake): what is measured is the store.
    let options = IssueOptions::new().forms(false, false, true).vc_jwt(false);
    let badge = Badge::new("concurrent", "C", "Concurrent.", "Be issued.");
    let barrier = Barrier::new(8);
    let results: Vec<(String, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let issuer = issuers[t % 2].clone();
                let (options, badge, barrier) = (&options, &badge, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    (0..25)
                        .map(|i| {
                            let who = Identity::email(format!("t{t}-{i}@example.org"));
                            let issued = issuer.issue(&who, badge, options).unwrap();
                            let index = status_index(&issued);
                            (issued.uuid, index)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(results.len(), 200);
    let indexes: BTreeSet<u64> = results.iter().map(|(_, i)| *i).collect();
    assert_eq!(indexes.len(), 200, "duplicate status indexes");
    let uuids: BTreeSet<&String> = results.iter().map(|(u, _)| u).collect();
    assert_eq!(uuids.len(), 200);
    assert_eq!(issuers[0].issued_uuids().unwrap().len(), 200);
    for (uuid, index) in &results {
        let record = issuers[1].issued(uuid).unwrap().unwrap();
        assert_eq!(record.status_index, Some(*index));
        assert_eq!(&record.issued.uuid, uuid);
    }
}

/// What issuer `from` serves for everything `issued` needs: the badge's own documents and the
/// issuer-wide ones, each fetched by URL.
fn served_documents(from: &Issuer, issued: &Issued) -> Vec<HostedDocument> {
    issued
        .hosted
        .iter()
        .filter_map(|d| match from.document(&d.url).unwrap() {
            Some(Served::Document(doc)) => Some(doc),
            Some(Served::Gone) | None => None,
        })
        .collect()
}

fn verify(
    docs: &[HostedDocument],
    issued: &Issued,
    form: Form,
) -> openbadges::proof::report::Report {
    Verifier::builder()
        .hosted(docs)
        .recipient("email:learner@example.org".parse().unwrap())
        .build()
        .unwrap()
        .verify_bytes("badge.png", &issued.baked(form).unwrap().bytes)
}

/// A badge issued by A and revoked through B is served as revoked by A on its next call: the
/// status list bit, the revocation list, `410 Gone` for the hosted assertion, and the facade
/// verifier fed with what A serves says revoked for every form.
fn revocation_through_one_is_served_by_the_other(backend: Backend) {
    let Some(s) = stores(backend, "revocation") else {
        return;
    };
    let (a, b) = (open(&s.a), open(&s.b));
    let learner = Identity::email("learner@example.org");
    let keep = a.issue(&learner, &badge(), &IssueOptions::new()).unwrap();
    let issued = a.issue(&learner, &badge(), &IssueOptions::new()).unwrap();
    // Before: every form verifies with what A serves.
    let docs = served_documents(&a, &issued);
    for form in [
        Form::Ob2Hosted,
        Form::Ob2Signed,
        Form::Ob3DataIntegrity,
        Form::Ob3Jwt,
    ] {
        let r = verify(&docs, &issued, form);
        assert_eq!(r.status(), Status::Valid, "{form:?}: {}", r.to_json_line());
    }

    let revocation = b.revoke(&issued.uuid, Some("awarded in error")).unwrap();
    let assertion_url = format!("{BASE}assertions/{}.json", issued.uuid);
    assert_eq!(revocation.gone, vec![assertion_url.clone()]);
    assert!(a.is_revoked(&issued.uuid).unwrap());
    assert!(!a.is_revoked(&keep.uuid).unwrap());
    assert!(matches!(
        a.document(&assertion_url).unwrap(),
        Some(Served::Gone)
    ));
    assert!(matches!(
        a.document(&format!("assertions/{}.json", keep.uuid))
            .unwrap(),
        Some(Served::Document(_))
    ));

    // The status list A serves has the revoked badge's bit set, and only that one.
    let list: Value = serde_json::from_slice(&served(&a, "status/0.json").body).unwrap();
    let bits =
        decode_bitstring(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
    let index = usize::try_from(status_index(&issued)).unwrap();
    let kept = usize::try_from(status_index(&keep)).unwrap();
    assert_eq!(bit_is_set(&bits, index), Some(true));
    assert_eq!(bit_is_set(&bits, kept), Some(false));
    let revocations = String::from_utf8(served(&a, "revocations.json").body).unwrap();
    assert!(revocations.contains(&issued.uuid) && revocations.contains("awarded in error"));
    assert!(!revocations.contains(&keep.uuid));

    // The verifier, fed with what A serves now, says revoked for the signed and OB 3.0 forms.
    let docs = served_documents(&a, &issued);
    for form in [Form::Ob2Signed, Form::Ob3DataIntegrity, Form::Ob3Jwt] {
        let r = verify(&docs, &issued, form);
        assert!(Verifier::is_revoked(&r), "{form:?}: {}", r.to_json_line());
    }
    let r = verify(&served_documents(&a, &keep), &keep, Form::Ob3DataIntegrity);
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());

    // A second revocation (through A) keeps the first: none is lost.
    a.revoke(&keep.uuid, None).unwrap();
    assert!(b.is_revoked(&issued.uuid).unwrap() && b.is_revoked(&keep.uuid).unwrap());
    let list: Value = serde_json::from_slice(&served(&b, "status/0.json").body).unwrap();
    let bits =
        decode_bitstring(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
    assert_eq!(bit_is_set(&bits, index), Some(true));
    assert_eq!(bit_is_set(&bits, kept), Some(true));
    assert!(matches!(
        b.revoke("urn:uuid:00000000-0000-4000-8000-000000000000", None),
        Err(Error::UnknownBadge(_))
    ));
}

/// 24 badges revoked at once from 6 threads through two issuers: the status list and the
/// revocation list both issuers serve afterwards hold every one (no revocation lost).
fn concurrent_revocations_are_all_kept(backend: Backend) {
    let Some(s) = stores(backend, "revocations") else {
        return;
    };
    let issuers = [open(&s.a), open(&s.b)];
    let options = IssueOptions::new().forms(false, false, true).vc_jwt(false);
    let badge = Badge::new("revoked", "R", "Revoked.", "Be revoked.");
    let learner = Identity::email("learner@example.org");
    let issued: Vec<Issued> = (0..24)
        .map(|_| issuers[0].issue(&learner, &badge, &options).unwrap())
        .collect();
    let barrier = Barrier::new(6);
    std::thread::scope(|scope| {
        for t in 0..6 {
            let (issuer, issued, barrier) = (issuers[t % 2].clone(), &issued, &barrier);
            scope.spawn(move || {
                barrier.wait();
                for i in issued.iter().skip(t).step_by(6) {
                    issuer.revoke(&i.uuid, Some("batch")).unwrap();
                }
            });
        }
    });
    for issuer in &issuers {
        let list: Value = serde_json::from_slice(&served(issuer, "status/0.json").body).unwrap();
        let bits =
            decode_bitstring(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        let revocations = String::from_utf8(served(issuer, "revocations.json").body).unwrap();
        for i in &issued {
            let index = usize::try_from(status_index(i)).unwrap();
            assert_eq!(bit_is_set(&bits, index), Some(true), "{}", i.uuid);
            assert!(revocations.contains(&i.uuid), "{}", i.uuid);
        }
    }
}

/// The caller's table, created through the store's own transaction.
fn create_caller_table(store: &Arc<dyn IssuerStore>) {
    store
        .transaction(&mut |tx| {
            tx.execute(
                "CREATE TABLE IF NOT EXISTS t_awards (uuid TEXT PRIMARY KEY, email TEXT NOT NULL, n BIGINT)",
                &[],
            )?;
            Ok(())
        })
        .unwrap();
}

fn caller_rows(store: &Arc<dyn IssuerStore>) -> Vec<Vec<SqlValue>> {
    let mut rows = Vec::new();
    store
        .transaction(&mut |tx| {
            rows = tx.query("SELECT uuid, email, n FROM t_awards ORDER BY uuid", &[])?;
            Ok(())
        })
        .unwrap();
    rows
}

/// A hook that fails after writing rolls everything back: no record, no document, no caller
/// row; the next issuance works and takes another index. A hook that succeeds commits its row
/// with the badge.
fn failing_hook_leaves_nothing_behind(backend: Backend) {
    let Some(s) = stores(backend, "hook") else {
        return;
    };
    let (a, b) = (open(&s.a), open(&s.b));
    if s.sql {
        create_caller_table(&s.a);
    }
    let learner = Identity::email("learner@example.org");
    let mut failed: Option<(String, u64)> = None;
    let sql = s.sql;
    let err = a
        .issue_with(
            &learner,
            &badge(),
            &IssueOptions::new(),
            &mut |tx, issued| {
                failed = Some((issued.uuid.clone(), status_index(issued)));
                if sql {
                    tx.execute(
                        "INSERT INTO t_awards (uuid, email, n) VALUES ($1, $2, $3)",
                        &[
                            issued.uuid.as_str().into(),
                            "learner@example.org".into(),
                            SqlValue::Integer(1),
                        ],
                    )?;
                }
                Err(StoreError::Aborted("the learner's attempt is gone".into()))
            },
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::Store(StoreError::Aborted(m)) if m.contains("attempt is gone")),
        "{err:?}"
    );
    let (uuid, failed_index) = failed.unwrap();
    assert!(b.issued(&uuid).unwrap().is_none());
    assert!(b.issued_uuids().unwrap().is_empty());
    assert!(
        b.document(&format!("assertions/{uuid}.json"))
            .unwrap()
            .is_none()
    );
    assert!(matches!(b.revoke(&uuid, None), Err(Error::UnknownBadge(_))));
    if s.sql {
        assert!(caller_rows(&s.b).is_empty());
    }

    let issued = b
        .issue_with(
            &learner,
            &badge(),
            &IssueOptions::new(),
            &mut |tx, issued| {
                if sql {
                    tx.execute(
                        "INSERT INTO t_awards (uuid, email, n) VALUES ($1, $2, $3)",
                        &[
                            issued.uuid.as_str().into(),
                            "learner@example.org".into(),
                            SqlValue::Null,
                        ],
                    )?;
                }
                Ok(())
            },
        )
        .unwrap();
    assert_ne!(status_index(&issued), failed_index);
    assert_eq!(a.issued_uuids().unwrap(), vec![issued.uuid.clone()]);
    assert!(matches!(
        a.document(&format!("assertions/{}.json", issued.uuid))
            .unwrap(),
        Some(Served::Document(_))
    ));
    if s.sql {
        assert_eq!(
            caller_rows(&s.a),
            vec![vec![
                SqlValue::Text(issued.uuid.clone()),
                SqlValue::Text("learner@example.org".into()),
                SqlValue::Null
            ]]
        );
        // A failing revocation hook keeps the badge unrevoked.
        let err = a
            .revoke_with(&issued.uuid, None, &mut |tx, uuid| {
                tx.execute("DELETE FROM t_awards WHERE uuid = $1", &[uuid.into()])?;
                Err(StoreError::Aborted("no".into()))
            })
            .unwrap_err();
        assert!(
            matches!(err, Error::Store(StoreError::Aborted(_))),
            "{err:?}"
        );
        assert!(!b.is_revoked(&issued.uuid).unwrap());
        assert_eq!(caller_rows(&s.b).len(), 1);
    }
}

/// Two issuers opening an empty store at once agree on one set of keys (and a later one
/// loads it).
fn keys_are_created_once(backend: Backend) {
    let Some(s) = stores(backend, "keys") else {
        return;
    };
    let barrier = Barrier::new(2);
    let (a, b) = std::thread::scope(|scope| {
        let ha = scope.spawn(|| {
            barrier.wait();
            open(&s.a)
        });
        let hb = scope.spawn(|| {
            barrier.wait();
            Issuer::open_with_keys(
                BASE,
                profile(),
                s.b.clone(),
                IssuerKeys::generate(Algorithm::EdDsa).unwrap(),
            )
            .unwrap()
        });
        (ha.join().unwrap(), hb.join().unwrap())
    });
    assert!(a.verification_method().is_some());
    assert_eq!(a.verification_method(), b.verification_method());
    let jwk = |i: &Issuer| i.keys().jws().unwrap().public_key().to_jwk();
    assert_eq!(jwk(&a), jwk(&b));
    assert_eq!(served(&a, "key.json").body, served(&b, "key.json").body);
    let later = open(&s.a);
    assert_eq!(later.verification_method(), a.verification_method());
}

/// The caller's SQL on both SQL backends: `$n` placeholders, every `SqlValue` into the column
/// types callers use (BIGINT, INTEGER, SMALLINT, BOOLEAN as integers; TEXT; BLOB/BYTEA) and back,
/// `$n` inside a quoted string left alone, a failing statement rolling the transaction back.
fn caller_sql_round_trips(backend: Backend) {
    let Some(s) = stores(backend, "sql") else {
        return;
    };
    if !s.sql {
        let err =
            s.a.transaction(&mut |tx| tx.execute("SELECT 1", &[]).map(drop))
                .unwrap_err();
        assert!(matches!(err, StoreError::Unsupported(_)), "{err:?}");
        return;
    }
    let blob = if matches!(backend, Backend::Postgres) {
        "BYTEA"
    } else {
        "BLOB"
    };
    let create = format!(
        "CREATE TABLE t_values (id BIGINT PRIMARY KEY, i INTEGER, small SMALLINT, flag BOOLEAN, label TEXT, data {blob})"
    );
    s.a.transaction(&mut |tx| tx.execute(&create, &[]).map(drop))
        .unwrap();
    let row = vec![
        SqlValue::Integer(i64::MAX),
        SqlValue::Integer(-7),
        SqlValue::Integer(12),
        SqlValue::Integer(1),
        SqlValue::Text("$1 é".into()),
        SqlValue::Blob(vec![0, 255, 1]),
    ];
    s.a.transaction(&mut |tx| {
        let n = tx.execute(
            "INSERT INTO t_values (id, i, small, flag, label, data) VALUES ($1, $2, $3, $4, $5, $6)",
            &row,
        )?;
        assert_eq!(n, 1);
        tx.execute(
            "INSERT INTO t_values (id, i, small, flag, label, data) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                SqlValue::Integer(2),
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
            ],
        )?;
        Ok(())
    })
    .unwrap();
    // A failing statement: nothing of this transaction stays.
    let err =
        s.b.transaction(&mut |tx| {
            tx.execute(
                "DELETE FROM t_values WHERE id = $1",
                &[SqlValue::Integer(2)],
            )?;
            tx.execute(
                "INSERT INTO t_values (id) VALUES ($1)",
                &[SqlValue::Integer(i64::MAX)],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let mut rows = Vec::new();
    s.b.transaction(&mut |tx| {
        rows = tx.query(
            "SELECT id, i, small, CASE WHEN flag THEN 1 ELSE 0 END, label, data, '$1' FROM t_values WHERE id >= $1 ORDER BY id",
            &[SqlValue::Integer(2)],
        )?;
        Ok(())
    })
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], SqlValue::Integer(2));
    assert_eq!(rows[0][1], SqlValue::Null);
    assert_eq!(rows[0][4], SqlValue::Null);
    let mut expected = row.clone();
    expected.push(SqlValue::Text("$1".into()));
    assert_eq!(rows[1], expected);
}

/// Several openers of one empty database at once (as instances starting together): each
/// migrates or waits for the migration, and they all get one set of keys.
fn concurrent_openers_agree(backend: Backend) {
    let dir = TempDir::new("openers");
    let db;
    let url = match backend {
        // One process, one store value: nothing to migrate or race on.
        Backend::Memory => return,
        Backend::Sqlite => format!("sqlite:{}", dir.join("issuer.db").display()),
        Backend::Postgres => {
            db = openbadges_test_support::postgres::database("openers");
            match &db {
                Some(db) => db.url().to_owned(),
                None => return,
            }
        }
    };
    let barrier = Barrier::new(4);
    let methods: Vec<Option<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let store = store::open(&url).unwrap();
                    open(&store).verification_method()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(methods[0].is_some());
    assert!(methods.iter().all(|m| m == &methods[0]), "{methods:?}");
}

/// Every `Issued` (every form, with and without options) round-trips through serde_json, and the
/// record the store keeps holds it whole.
fn issued_round_trips_through_serde(backend: Backend) {
    let Some(s) = stores(backend, "serde") else {
        return;
    };
    let a = open(&s.a);
    let learner = Identity::email("learner@example.org");
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
    for (badge, options) in [
        (badge(), IssueOptions::new()),
        (
            badge().image(&svg[..]),
            IssueOptions::new().expires("2030-01-01T00:00:00Z"),
        ),
        (badge(), IssueOptions::new().forms(true, false, false)),
        (
            badge(),
            IssueOptions::new().status_list(false).vc_jwt(false),
        ),
    ] {
        let issued = a.issue(&learner, &badge, &options).unwrap();
        let json = serde_json::to_string(&issued).unwrap();
        let back: Issued = serde_json::from_str(&json).unwrap();
        assert_eq!(back, issued);
        let record = open(&s.b).issued(&issued.uuid).unwrap().unwrap();
        assert_eq!(record.issued, issued);
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            serde_json::from_str::<openbadges::IssuedRecord>(&json).unwrap(),
            record
        );
    }
}

/// Every document of an issuance is served by any issuer on the store, by URL, by path and by
/// origin-relative request path, as it was handed back.
fn documents_are_served_by_url_and_by_path(backend: Backend) {
    let Some(s) = stores(backend, "documents") else {
        return;
    };
    let (a, b) = (open(&s.a), open(&s.b));
    let issued = a
        .issue(
            &Identity::email("learner@example.org"),
            &badge(),
            &IssueOptions::new(),
        )
        .unwrap();
    let paths: BTreeSet<&str> = issued.hosted.iter().map(|d| d.path.as_str()).collect();
    for p in [
        "issuer.json",
        "key.json",
        "jwks.json",
        "/.well-known/jwks.json",
        "profile.json",
        "revocations.json",
        "status/0.json",
        "badges/badges-101.json",
        "badges/badges-101.png",
        "achievements/badges-101.json",
    ] {
        assert!(paths.contains(p), "{p} missing from {paths:?}");
    }
    for d in &issued.hosted {
        let by_url = served(&b, &d.url);
        assert_eq!(&by_url, d, "{}", d.url);
        assert_eq!(&served(&b, &d.path), d, "{}", d.path);
        let request_path = d.url.strip_prefix("https://badges.example.org").unwrap();
        assert_eq!(&served(&b, request_path), d, "{request_path}");
    }
    assert!(b.document("assertions/nope.json").unwrap().is_none());
    assert!(
        b.document("https://elsewhere.example/app/issuer.json")
            .unwrap()
            .is_none()
    );
    assert!(b.document("status/7.json").unwrap().is_none());
    // The issuer-wide documents are listed as they are served.
    for d in b.hosted_documents().unwrap() {
        assert_eq!(served(&a, &d.url), d);
    }
}

macro_rules! suite {
    ($module:ident, $backend:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn concurrent_issuance_gets_distinct_indexes() {
                super::concurrent_issuance_gets_distinct_indexes($backend);
            }

            #[test]
            fn revocation_through_one_is_served_by_the_other() {
                super::revocation_through_one_is_served_by_the_other($backend);
            }

            #[test]
            fn concurrent_revocations_are_all_kept() {
                super::concurrent_revocations_are_all_kept($backend);
            }

            #[test]
            fn failing_hook_leaves_nothing_behind() {
                super::failing_hook_leaves_nothing_behind($backend);
            }

            #[test]
            fn caller_sql_round_trips() {
                super::caller_sql_round_trips($backend);
            }

            #[test]
            fn concurrent_openers_agree() {
                super::concurrent_openers_agree($backend);
            }

            #[test]
            fn keys_are_created_once() {
                super::keys_are_created_once($backend);
            }

            #[test]
            fn issued_round_trips_through_serde() {
                super::issued_round_trips_through_serde($backend);
            }

            #[test]
            fn documents_are_served_by_url_and_by_path() {
                super::documents_are_served_by_url_and_by_path($backend);
            }
        }
    };
}

suite!(memory, Backend::Memory);
suite!(sqlite, Backend::Sqlite);
suite!(postgres, Backend::Postgres);

/// The async methods run on the blocking pool, and a PostgreSQL store opened, used and dropped
/// inside a multi-threaded runtime does not panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_issuer_on_postgres_inside_a_runtime() {
    let Some(db) = openbadges_test_support::postgres::database("async") else {
        return;
    };
    // Opened on a worker thread (it connects on a plain thread), and through open_async.
    let store = store::open(db.url()).unwrap();
    let issuer = Issuer::open(BASE, profile(), store).unwrap();
    let other = Issuer::open(BASE, profile(), store::open_async(db.url()).await.unwrap()).unwrap();
    assert_eq!(other.verification_method(), issuer.verification_method());
    let learner = Identity::email("learner@example.org");
    let issued = issuer
        .issue_async(&learner, &badge(), &IssueOptions::new())
        .await
        .unwrap();
    let hook_saw = Arc::new(std::sync::Mutex::new(None));
    let seen = hook_saw.clone();
    let second = issuer
        .issue_with_async(
            &learner,
            &badge(),
            &IssueOptions::new(),
            Box::new(move |_, issued| {
                *seen.lock().unwrap() = Some(issued.uuid.clone());
                Ok(())
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        hook_saw.lock().unwrap().as_deref(),
        Some(second.uuid.as_str())
    );
    issuer.revoke_async(&issued.uuid, None).await.unwrap();
    assert!(issuer.is_revoked_async(&issued.uuid).await.unwrap());
    let url = format!("{BASE}assertions/{}.json", issued.uuid);
    assert!(matches!(
        issuer.document_async(&url).await.unwrap(),
        Some(Served::Gone)
    ));
    assert!(matches!(
        other.document_async(&url).await.unwrap(),
        Some(Served::Gone)
    ));
    // The last clones (and their pools) dropped on a worker thread.
    drop(issuer);
    drop(other);
    drop(db);
}

/// The SQLite file holds the signing keys: it is created readable by its owner only.
#[cfg(unix)]
#[test]
fn sqlite_file_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("private");
    let path = dir.join("issuer.db");
    let issuer = open(&store::open(&format!("sqlite:{}", path.display())).unwrap());
    assert!(issuer.verification_method().is_some());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

/// URLs no build can open are refused with a typed error, without echoing a password.
#[test]
fn unknown_store_urls_are_refused() {
    let err = store::open("mysql://user:secret@db/x").unwrap_err();
    assert!(matches!(err, StoreError::Unsupported(_)), "{err:?}");
    assert!(!err.to_string().contains("secret"), "{err}");
}

/// The environment variable that turns this test binary into a child issuer process: the store
/// URL it opens.
const CHILD_STORE: &str = "OB_ISSUER_STORE_CHILD_URL";

/// Entry point of the child processes of `processes_share_one_store`: opens the store named by
/// [`CHILD_STORE`], issues 25 badges and prints `index uuid` lines. Run only by that test.
#[test]
#[ignore = "run as a child process by processes_share_one_store"]
fn child_issuer_process() {
    let url = std::env::var(CHILD_STORE).expect("run by processes_share_one_store");
    let issuer = open(&store::open(&url).unwrap());
    let options = IssueOptions::new().forms(false, false, true).vc_jwt(false);
    let badge = Badge::new("processes", "P", "Processes.", "Be issued.");
    for i in 0..25 {
        let issued = issuer
            .issue(
                &Identity::email(format!("p{i}@example.org")),
                &badge,
                &options,
            )
            .unwrap();
        println!("ISSUED {} {}", status_index(&issued), issued.uuid);
    }
}

/// Three processes (this one and two children, started at once) issue on one SQLite file and
/// one PostgreSQL database: 75 distinct status indexes, every badge recorded.
#[test]
fn processes_share_one_store() {
    let dir = TempDir::new("processes");
    let db = openbadges_test_support::postgres::database("processes");
    let mut urls = vec![format!("sqlite:{}", dir.join("issuer.db").display())];
    urls.extend(db.as_ref().map(|d| d.url().to_owned()));
    for url in urls {
        // The schema and keys exist before the children start (they would agree anyway).
        let issuer = open(&store::open(&url).unwrap());
        let children: Vec<_> = (0..2)
            .map(|_| {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args([
                        "--ignored",
                        "--exact",
                        "child_issuer_process",
                        "--nocapture",
                    ])
                    .env(CHILD_STORE, &url)
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let options = IssueOptions::new().forms(false, false, true).vc_jwt(false);
        let badge = Badge::new("processes", "P", "Processes.", "Be issued.");
        let mut indexes: Vec<u64> = (0..25)
            .map(|i| {
                let who = Identity::email(format!("parent{i}@example.org"));
                status_index(&issuer.issue(&who, &badge, &options).unwrap())
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "child failed on {url}");
            let text = String::from_utf8(out.stdout).unwrap();
            let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("ISSUED ")).collect();
            assert_eq!(lines.len(), 25, "{text}");
            for line in lines {
                let mut parts = line.split(' ').skip(1);
                let index: u64 = parts.next().unwrap().parse().unwrap();
                let uuid = parts.next().unwrap();
                assert_eq!(
                    issuer.issued(uuid).unwrap().unwrap().status_index,
                    Some(index)
                );
                indexes.push(index);
            }
        }
        let distinct: BTreeSet<u64> = indexes.iter().copied().collect();
        assert_eq!(distinct.len(), 75, "duplicate status indexes on {url}");
        assert_eq!(issuer.issued_uuids().unwrap().len(), 75);
    }
}

/// Instances starting together on a new SQLite file all open it: SQLite answers the switch to
/// WAL with "database is locked" at once (no busy wait) while another connection holds the
/// file, so the store must retry it.
#[test]
fn sqlite_openers_of_a_new_file_all_succeed() {
    let dir = TempDir::new("sqlite-openers");
    for round in 0..20 {
        let path = dir.join(format!("issuer-{round}.db"));
        let barrier = Arc::new(Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    store::SqliteIssuerStore::open(&path).map(|_| ())
                })
            })
            .collect();
        for o in openers {
            if let Err(e) = o.join().unwrap() {
                panic!("round {round}: an opener failed: {e}");
            }
        }
    }
}
