//! The Badges 101 flow over real HTTP on loopback: lessons, three questions, the email form,
//! the download, and the downloaded badge verified by the facade `Verifier`; bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use badges101::{Config, Policy, Running, start};
use openbadges::Verifier;
use openbadges::proof::report::{Code, Status};

mod common;
use common::{ClientResponse, TempDir, answer, app, begin, get, post, request, wait_port_free};

const EXPLANATIONS: [&str; 3] = [
    "Answer: True. There are countless examples of learning occurring through informal channels.",
    "Answer: False. While degrees do convey information about people’s skills",
    "Answer: False. Resumes are documents that people write themselves.",
];

/// The intro page, and secret keys readable by their owner only.
fn intro_page_and_private_keys(addr: SocketAddr, dir: &Path) {
    let intro = get(addr, "/");
    assert_eq!(intro.status, 200);
    let t = intro.text();
    assert!(t.contains("<h1>Open Badges</h1>"));
    assert!(t.contains(
        "Helping learners everywhere display skills, unlock career opportunities and level up in life"
    ));

    // Secrets are readable by their owner only: the database (it holds the issuer's keys)
    // and the API tokens.
    #[cfg(unix)]
    for k in ["badges101.db", "keys", "keys/api-tokens.json"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join(k)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{k}: {mode:o}");
    }
}

/// The two lessons; before answering, the result page says to take the quiz and issuing is
/// refused.
fn lessons_then_nothing_to_issue_yet(addr: SocketAddr, tok: &str) {
    let l1 = get(addr, &format!("/a/{tok}/lesson/1")).text();
    assert!(l1.contains("Learning today happens everywhere."), "{l1}");
    let l2 = get(addr, &format!("/a/{tok}/lesson/2")).text();
    assert!(l2.contains("Open Badge Infrastructure"));
    assert!(l2.contains("issue badges backed by their own seal of approval"));

    // Before answering, the final panel says to take the quiz.
    let early = get(addr, &format!("/a/{tok}/result")).text();
    assert!(early.contains("Take the quiz to see if you get badges!"));
    // Issuing before finishing is refused.
    let r = post(addr, &format!("/a/{tok}/issue"), "email=a%40example.org");
    assert_eq!(r.status, 409);
}

/// The three questions, each answered once: the page shows no answer key before the answer,
/// then the verdict and explanation, and refuses a second answer.
fn answer_the_three_questions(addr: SocketAddr, tok: &str) {
    let questions = [
        (
            "learning-everywhere",
            "True or False: Learning today happens everywhere, not just in classrooms.",
            "true",
            "That&#39;s right!",
        ),
        (
            "degree-skill-set",
            "True or False: You can understand a person’s skill set simply by looking at their degree.",
            "true",
            "That&#39;s wrong!",
        ),
        (
            "resumes-validated",
            "True or False: Resumes are validated and evidence-based.",
            "false",
            "That&#39;s right!",
        ),
    ];
    for (i, (id, prompt, value, verdict)) in questions.iter().enumerate() {
        let n = i + 1;
        let q = get(addr, &format!("/a/{tok}/q/{n}")).text();
        assert!(q.contains("Your First Badge"));
        assert!(q.contains(&prompt.replace('\'', "&#39;")), "{q}");
        assert!(q.contains(">True</button>") && q.contains(">False</button>"));
        // The answer key is not in the page before an answer.
        assert!(!q.contains("Answer:"), "{q}");
        assert!(!q.contains("That&#39;s"), "{q}");
        let r = answer(addr, tok, id, value);
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(
            r.header("Location"),
            Some(format!("/a/{tok}/q/{n}").as_str())
        );
        let after = get(addr, &format!("/a/{tok}/q/{n}")).text();
        assert!(after.contains(verdict), "{after}");
        assert!(after.contains(EXPLANATIONS[i]), "{after}");
        assert!(!after.contains("<button"), "one click per question");
        // Each question accepts one answer.
        assert_eq!(answer(addr, tok, id, "false").status, 409);
    }
}

/// The completion policy's result page; a bad address is refused, a good one issues once
/// (a replay does not issue again). Returns the issued badge's uuid.
fn issue_once_to_a_valid_address(running: &Running, tok: &str) -> String {
    let addr = running.addr();
    // Completion policy: two right, one wrong, and the badge is earned.
    let result = get(addr, &format!("/a/{tok}/result")).text();
    assert!(result.contains("Congratulations! You’ve just earned the Badges 101 badge!"));
    assert!(result.contains("<label for=\"email\">Email</label>"));
    assert!(result.contains(">Send to backpack</button>"));

    // A bad address is refused and nothing is issued.
    let r = post(addr, &format!("/a/{tok}/issue"), "email=not-an-address");
    assert_eq!(r.status, 400);
    assert!(running.app().issued().unwrap().is_empty());

    let r = post(
        addr,
        &format!("/a/{tok}/issue"),
        "email=Learner%40Example.org",
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        r.header("Location"),
        Some(format!("/a/{tok}/badge").as_str())
    );
    let page = get(addr, &format!("/a/{tok}/badge")).text();
    assert!(page.contains(">Download your badge as an image</a>"));
    let issued = running.app().issued().unwrap();
    assert_eq!(issued.len(), 1);
    let uuid = issued.keys().next().unwrap().clone();

    // A replayed submission (even with another address) does not issue again.
    let r = post(
        addr,
        &format!("/a/{tok}/issue"),
        "email=other%40example.org",
    );
    assert_eq!(r.status, 303);
    assert_eq!(running.app().issued().unwrap().len(), 1);

    uuid
}

/// Every download (four PNGs and the SVG) verifies over HTTP against the app for its learner
/// and is invalid for anyone else. Returns the PNGs (in `FORMS` order) and the SVG.
fn every_download_verifies_for_its_learner_only(
    addr: SocketAddr,
    tok: &str,
    mine: &Verifier,
    theirs: &Verifier,
) -> (Vec<Vec<u8>>, ClientResponse) {
    let mut pngs = Vec::new();
    for f in FORMS {
        let r = get(addr, &format!("/a/{tok}/badge/{f}"));
        assert_eq!(r.status, 200, "{f}");
        assert_eq!(r.header("Content-Type"), Some("image/png"));
        assert!(r.body.starts_with(b"\x89PNG\r\n\x1a\n"));
        let ok = mine.verify_bytes("badge.png", &r.body);
        assert_eq!(ok.status(), Status::Valid, "{f}: {}", ok.to_json_line());
        let other = theirs.verify_bytes("badge.png", &r.body);
        assert_eq!(
            other.status(),
            Status::Invalid,
            "{f}: {}",
            other.to_json_line()
        );
        pngs.push(r.body);
    }
    // The SVG alternative carries the same OB 3.0 credential.
    let svg = get(addr, &format!("/a/{tok}/badge/ob3.svg"));
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("Content-Type"), Some("image/svg+xml"));
    // A served SVG opened directly cannot run script (script smuggled into an SVG is inert).
    let csp = svg.header("Content-Security-Policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let ok = mine.verify_bytes("badge.svg", &svg.body);
    assert_eq!(ok.status(), Status::Valid, "svg: {}", ok.to_json_line());
    let other = theirs.verify_bytes("badge.svg", &svg.body);
    assert_eq!(
        other.status(),
        Status::Invalid,
        "svg: {}",
        other.to_json_line()
    );
    (pngs, svg)
}

/// The hosted documents are served at stable URLs under the app's origin; the assertion hashes
/// the address and its evidence record is served.
fn hosted_documents_are_served(running: &Running, uuid: &str) {
    let addr = running.addr();
    // The hosted documents are served at stable URLs under the app's origin.
    for p in [
        format!("/assertions/{uuid}.json"),
        "/issuer.json".into(),
        "/profile.json".into(),
        "/key.json".into(),
        "/jwks.json".into(),
        "/.well-known/jwks.json".into(),
        "/revocations.json".into(),
        "/status/0.json".into(),
        "/badges/badges-101.json".into(),
        "/badges/badges-101.png".into(),
        "/achievements/badges-101.json".into(),
    ] {
        assert_eq!(get(addr, &p).status, 200, "{p}");
    }
    let assertion: serde_json::Value =
        serde_json::from_slice(&get(addr, &format!("/assertions/{uuid}.json")).body).unwrap();
    assert_eq!(assertion["recipient"]["hashed"], true);
    assert!(
        !assertion
            .to_string()
            .to_lowercase()
            .contains("learner@example.org")
    );
    let evidence = assertion["evidence"]["id"].as_str().unwrap();
    let record = get(
        addr,
        evidence
            .strip_prefix(running.url())
            .map(|p| format!("/{p}"))
            .as_deref()
            .unwrap(),
    );
    assert_eq!(record.status, 200);
    assert!(record.text().contains("learning-everywhere"));
    let criteria = get(addr, "/criteria");
    assert_eq!(criteria.status, 200);
}

/// After revocation every form (each PNG and the SVG) is reported revoked.
fn revocation_reaches_every_form(
    running: &Running,
    uuid: &str,
    mine: &Verifier,
    pngs: &[Vec<u8>],
    svg: &ClientResponse,
) {
    let addr = running.addr();
    // Revocation reaches every form.
    running.app().revoke(uuid, Some("test")).unwrap();
    assert_eq!(get(addr, &format!("/assertions/{uuid}.json")).status, 410);
    for (f, png) in FORMS.iter().zip(pngs) {
        let r = mine.verify_bytes("badge.png", png);
        assert_eq!(r.status(), Status::Invalid, "{f}: {}", r.to_json_line());
        assert!(r.has_error(Code::Revoked), "{f}: {}", r.to_json_line());
    }

    let r = mine.verify_bytes("badge.svg", &svg.body);
    assert!(r.has_error(Code::Revoked), "svg: {}", r.to_json_line());
}

/// Restarted on the same port, the app keeps everything: the issued badge (revoked), its
/// downloads and documents.
fn restart_keeps_everything(running: Running, dir: &Path, tok: &str, uuid: &str, first_png: &[u8]) {
    let addr = running.addr();
    let port = addr.port();
    running.shutdown();
    wait_port_free(port);
    let again = start(Config {
        port,
        data_dir: dir.to_path_buf(),
        threads: 1,
        ..Config::default()
    })
    .unwrap();
    assert_eq!(again.app().issued().unwrap().get(uuid), Some(&true));
    assert_eq!(
        get(addr, &format!("/a/{tok}/badge/ob3.png")).body,
        first_png
    );
    assert_eq!(get(addr, &format!("/assertions/{uuid}.json")).status, 410);
    assert_eq!(get(addr, "/issuer.json").status, 200);
    again.shutdown();
}

/// The downloadable forms of the badge.
const FORMS: [&str; 4] = ["ob3.png", "ob3-jwt.png", "ob2.png", "ob2-signed.png"];

/// A verifier that may fetch from the app at `addr`, for the recipient `who`.
fn verifier(addr: SocketAddr, who: &str) -> Verifier {
    Verifier::builder()
        .online(openbadges::HttpLimits::default().allow_host(addr.to_string()))
        .recipient(format!("email:{who}").parse().unwrap())
        .build()
        .unwrap()
}

#[test]
fn learner_earns_a_badge_that_verifies_and_can_be_revoked() {
    let dir = TempDir::new("badges101-flow");
    let running = app(&dir, Policy::Completion);
    let addr = running.addr();
    assert_eq!(running.url(), format!("http://{addr}/"));
    intro_page_and_private_keys(addr, &dir);
    let tok = begin(addr);
    lessons_then_nothing_to_issue_yet(addr, &tok);
    answer_the_three_questions(addr, &tok);
    let uuid = issue_once_to_a_valid_address(&running, &tok);
    let mine = verifier(addr, "Learner@Example.org");
    let theirs = verifier(addr, "someone.else@example.org");
    let (pngs, svg) = every_download_verifies_for_its_learner_only(addr, &tok, &mine, &theirs);
    hosted_documents_are_served(&running, &uuid);
    revocation_reaches_every_form(&running, &uuid, &mine, &pngs, &svg);
    restart_keeps_everything(running, &dir, &tok, &uuid, &pngs[0]);
}

#[test]
fn mastery_policy_needs_every_answer_right() {
    let dir = TempDir::new("badges101-flow");
    let running = app(&dir, Policy::Mastery);
    let addr = running.addr();
    let tok = begin(addr);
    for (id, v) in [
        ("learning-everywhere", "true"),
        ("degree-skill-set", "true"),
        ("resumes-validated", "false"),
    ] {
        assert_eq!(answer(addr, &tok, id, v).status, 303);
    }
    let result = get(addr, &format!("/a/{tok}/result")).text();
    assert!(
        result.contains("Take the quiz to see if you get badges!"),
        "{result}"
    );
    assert!(!result.contains("Send to backpack"));
    let r = post(addr, &format!("/a/{tok}/issue"), "email=a%40example.org");
    assert_eq!(r.status, 409);
    assert!(running.app().issued().unwrap().is_empty());
    running.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_a_4xx_never_a_crash() {
    let dir = TempDir::new("badges101-flow");
    let running = app(&dir, Policy::Completion);
    let addr = running.addr();
    let tok = begin(addr);
    let answer_path = format!("/a/{tok}/answer");
    let cases: Vec<(&str, String, Vec<u8>, u16)> = vec![
        (
            "POST",
            answer_path.clone(),
            b"item=nope&answer=true".to_vec(),
            400,
        ),
        (
            "POST",
            answer_path.clone(),
            b"item=learning-everywhere&answer=maybe".to_vec(),
            400,
        ),
        ("POST", answer_path.clone(), b"%%%&&==&=%zz".to_vec(), 400),
        (
            "POST",
            answer_path.clone(),
            b"item=learning-everywhere".to_vec(),
            400,
        ),
        (
            "POST",
            answer_path.clone(),
            b"item=learning-everywhere&item=degree-skill-set&answer=true".to_vec(),
            400,
        ),
        (
            "POST",
            answer_path.clone(),
            b"item=\xff\xfe&answer=true".to_vec(),
            400,
        ),
        ("POST", answer_path.clone(), vec![b'a'; 64 * 1024], 413),
        ("POST", format!("/a/{tok}/issue"), b"nothing".to_vec(), 400),
        (
            "POST",
            "/a/00000000000000000000000000000000/answer".into(),
            b"item=learning-everywhere&answer=true".to_vec(),
            404,
        ),
        ("GET", "/a/../../etc/passwd".into(), Vec::new(), 404),
        ("GET", format!("/a/{tok}/q/0"), Vec::new(), 404),
        ("GET", format!("/a/{tok}/q/99"), Vec::new(), 404),
        ("GET", format!("/a/{tok}/q/-1"), Vec::new(), 404),
        ("GET", format!("/a/{tok}/lesson/3"), Vec::new(), 404),
        ("GET", format!("/a/{tok}/badge/ob3.png"), Vec::new(), 409),
        (
            "GET",
            format!("/a/{tok}/badge/../../keys/jws-es256.pem"),
            Vec::new(),
            404,
        ),
        ("GET", "/keys/jws-es256.pem".into(), Vec::new(), 404),
        ("GET", "/issuer-state.json".into(), Vec::new(), 404),
        ("PUT", "/".into(), Vec::new(), 405),
        ("DELETE", "/issuer.json".into(), Vec::new(), 405),
    ];
    for (method, path, body, want) in cases {
        let r = request(addr, method, &path, &body);
        assert_eq!(r.status, want, "{method} {path}: {}", r.text());
    }
    // A client that sends half a form and stalls holds up no one else.
    let mut slow = TcpStream::connect(addr).unwrap();
    write!(
        slow,
        "POST {answer_path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\nitem=lear"
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let t0 = std::time::Instant::now();
    let other = begin(addr);
    assert_eq!(
        answer(addr, &other, "learning-everywhere", "true").status,
        303
    );
    assert!(t0.elapsed() < std::time::Duration::from_secs(5));
    drop(slow);
    // Still serving, and the attempt is untouched.
    assert_eq!(get(addr, "/").status, 200);
    let q = get(addr, &format!("/a/{tok}/q/1")).text();
    assert!(q.contains(">True</button>"));
    // Text from the learner is escaped when echoed.
    let r = post(
        addr,
        &answer_path,
        "item=%3Cscript%3Ealert(1)%3C%2Fscript%3E&answer=true",
    );
    assert_eq!(r.status, 400);
    assert!(!r.text().contains("<script>"));
    // askama escapes `<` and `>` as numeric character references.
    assert!(r.text().contains("&#60;script&#62;"), "{}", r.text());
    running.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
