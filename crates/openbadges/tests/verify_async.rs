//! The async entry points, offline: `verify_async` and friends give the same reports as the
//! sync methods, on a current-thread and on a multi-thread runtime, from clones of one
//! verifier shared by concurrent tasks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{Code, Status};
use openbadges::proof::verify::FixedClock;
use openbadges::{
    Badge, Form, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile, Source, Verifier,
};

const LEARNER: &str = "learner@example.org";

fn issued() -> Issued {
    let issuer = Issuer::new(
        "https://badges.example.org/",
        IssuerProfile::new("Example U", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Es256).unwrap(),
    )
    .unwrap();
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
    let badge = Badge::new("b", "B", "Knows b.", "Pass.").image(&svg[..]);
    issuer
        .issue(&Identity::email(LEARNER), &badge, &IssueOptions::new())
        .unwrap()
}

fn verifier(issued: &Issued) -> Verifier {
    Verifier::builder()
        .hosted(&issued.hosted)
        .recipient(format!("email:{LEARNER}").parse().unwrap())
        // A stopped clock, so that sync and async reports can be compared byte for byte.
        .at(FixedClock::parse("2099-01-01T00:00:00Z").unwrap())
        .build()
        .unwrap()
}

const FORMS: [Form; 4] = [
    Form::Ob2Hosted,
    Form::Ob2Signed,
    Form::Ob3DataIntegrity,
    Form::Ob3Jwt,
];

/// Every async entry point agrees with its sync twin.
async fn every_entry_point_agrees(v: Verifier, issued: Issued) {
    for form in FORMS {
        let bytes = issued.baked(form).unwrap().bytes.clone();
        let sync = v.verify_bytes("b.svg", &bytes);
        assert_eq!(sync.status(), Status::Valid, "{}", sync.to_json_line());
        let r = v.verify_bytes_async("b.svg", bytes.clone()).await;
        assert_eq!(r.to_json_line(), sync.to_json_line());
        let r = v
            .verify_async(Source::Bytes {
                name: "b.svg".into(),
                bytes: bytes.clone(),
            })
            .await;
        assert_eq!(r.to_json_line(), sync.to_json_line());
        let other = "email:someone-else@example.org".parse().unwrap();
        let r = v.verify_bytes_for_async("b.svg", bytes, other).await;
        assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
        assert!(r.has_error(Code::RecipientMismatch));
    }
    // The hosted assertion by URL, from the preloaded documents.
    let url = format!("https://badges.example.org/assertions/{}.json", issued.uuid);
    let r = v.verify_url_async(url.clone()).await;
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    // A URL nothing serves: could not check (offline), never valid.
    let r = v
        .verify_url_async("https://badges.example.org/assertions/none.json")
        .await;
    assert_eq!(r.status(), Status::Indeterminate, "{}", r.to_json_line());

    let sources: Vec<Source> = FORMS
        .iter()
        .map(|f| Source::Bytes {
            name: format!("{f:?}"),
            bytes: issued.baked(*f).unwrap().bytes.clone(),
        })
        .chain([
            Source::Url(url),
            Source::Bytes {
                name: "junk".into(),
                bytes: b"not a badge".to_vec(),
            },
        ])
        .collect();
    let reports = v.verify_batch_async(sources.clone()).await;
    let sync = v.verify_batch(&sources);
    assert_eq!(reports.len(), 6);
    for (a, s) in reports.iter().zip(&sync) {
        assert_eq!(a.to_json_line(), s.to_json_line());
    }
    let statuses: Vec<Status> = reports.iter().map(|r| r.status()).collect();
    assert_eq!(statuses[..5], [Status::Valid; 5]);
    assert_eq!(statuses[5], Status::Invalid);
}

#[tokio::test(flavor = "current_thread")]
async fn async_entry_points_on_a_current_thread_runtime() {
    let issued = issued();
    every_entry_point_agrees(verifier(&issued), issued).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_entry_points_from_concurrent_tasks_sharing_one_verifier() {
    let issued = issued();
    let v = verifier(&issued);
    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(every_entry_point_agrees(v.clone(), issued.clone())))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// Serves an issuance's hosted documents as a caller's own loader would, counting the loads
/// per URL and the loads in flight; each document is declared fresh for `max_age`.
struct OwnLoader {
    docs: std::collections::HashMap<String, openbadges::HostedDocument>,
    max_age: Option<std::time::Duration>,
    loads: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    in_flight: std::sync::Mutex<(usize, usize)>,
    changed: std::sync::Condvar,
}

impl OwnLoader {
    fn new(issued: &Issued, max_age: Option<std::time::Duration>) -> Self {
        OwnLoader {
            docs: issued
                .hosted
                .iter()
                .map(|d| (d.url.clone(), d.clone()))
                .collect(),
            max_age,
            loads: Default::default(),
            in_flight: Default::default(),
            changed: Default::default(),
        }
    }

    fn most_loads_of_one_url(&self) -> usize {
        self.loads
            .lock()
            .unwrap()
            .values()
            .copied()
            .max()
            .unwrap_or(0)
    }

    /// The most loads that were in flight at once.
    fn most_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap().1
    }
}

impl openbadges::proof::loader::DocumentLoader for OwnLoader {
    fn load(
        &self,
        url: &str,
    ) -> Result<openbadges::proof::loader::Document, openbadges::proof::loader::LoadError> {
        *self
            .loads
            .lock()
            .unwrap()
            .entry(url.to_owned())
            .or_default() += 1;
        {
            // Until two loads have been in flight together, the first waits for a second.
            let mut g = self.in_flight.lock().unwrap();
            g.0 += 1;
            g.1 = g.1.max(g.0);
            self.changed.notify_all();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while g.1 < 2 && std::time::Instant::now() < deadline {
                g = self
                    .changed
                    .wait_timeout(g, std::time::Duration::from_millis(50))
                    .unwrap()
                    .0;
            }
            g.0 -= 1;
        }
        match self.docs.get(url) {
            Some(d) => Ok(openbadges::proof::loader::Document {
                url: url.to_owned(),
                final_url: url.to_owned(),
                content_type: Some(d.content_type.clone()),
                body: std::sync::Arc::from(d.body.as_slice()),
                max_age: self.max_age,
            }),
            None => Err(openbadges::proof::loader::LoadError::NotAvailable {
                url: url.to_owned(),
            }),
        }
    }
}

/// The caller's loader answers what is not preloaded; what it declares fresh is cached once
/// for every clone of the verifier, on the sync and the async path alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callers_loader_feeds_the_shared_cache() {
    let issued = issued();
    let own = std::sync::Arc::new(OwnLoader::new(
        &issued,
        Some(std::time::Duration::from_secs(60)),
    ));
    let v = Verifier::builder()
        .loader(own.clone())
        .recipient(format!("email:{LEARNER}").parse().unwrap())
        .build()
        .unwrap();
    let url = format!("https://badges.example.org/assertions/{}.json", issued.uuid);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (v, url) = (v.clone(), url.clone());
            tokio::spawn(async move { v.verify_url_async(url).await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    }
    let before = own.most_loads_of_one_url();
    assert!(v.cached_documents() >= 3, "{}", v.cached_documents());
    // Once cached, neither path loads again, from any clone.
    let clone = v.clone();
    assert_eq!(clone.verify_url(&url).status(), Status::Valid);
    assert_eq!(
        clone.verify_url_async(url.clone()).await.status(),
        Status::Valid
    );
    assert_eq!(own.most_loads_of_one_url(), before);
    // Concurrent first touches may each load a document, but no more than once per task.
    assert!(before <= 6, "{before}");
}

/// `max_concurrent_verifications(2)`: never more than two async verifications at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_verifications_are_bounded() {
    let issued = issued();
    // Nothing declared fresh: every verification loads its documents.
    let own = std::sync::Arc::new(OwnLoader::new(&issued, None));
    let v = Verifier::builder()
        .loader(own.clone())
        .max_concurrent_verifications(2)
        .build()
        .unwrap();
    let url = format!("https://badges.example.org/assertions/{}.json", issued.uuid);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (v, url) = (v.clone(), url.clone());
            tokio::spawn(async move { v.verify_url_async(url).await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    }
    assert_eq!(v.cached_documents(), 0);
    assert_eq!(own.most_in_flight(), 2);
}
