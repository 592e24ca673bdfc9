//! The "Verify a badge" page (`/verify`): anyone checks a badge they received — a baked PNG or
//! SVG, a JSON document or a JWT — and reads the result in words.
//!
//! Only wiring: the verification and its plain-language summary are the library's
//! ([`openbadges::Verifier::verify_and_summarize_async`], `openbadges::proof::summary`). The
//! verifier answers the app's own documents (issuer profile, hosted assertions, revocation and
//! status lists) from its database ([`SiteLoader`]) and fetches anything else through the
//! library's guarded HTTP client ([`HttpLimits::default`]: no private or loopback address).
//! Nothing uploaded is stored: the bytes live in the request and are dropped with it.

use askama::Template;
use base64::Engine as _;
use openbadges::proof::report::{CheckStatus, Status};
use openbadges::proof::summary::Summary;
use openbadges::proof::verify::RecipientProfile;
use openbadges::{HttpLimits, Verification, Verifier};

use crate::AppError;
use crate::pack::SiteLoader;
use crate::state::App;

/// The largest request `POST /verify` accepts: a baked badge image with room to spare (the
/// verifier's own limits on documents and images apply inside it).
pub(crate) const MAX_VERIFY_BODY: usize = 2 * 1024 * 1024;

/// The verifier of the page: the app's own documents from its database, everything else over
/// the guarded network.
///
/// # Errors
/// [`AppError`] when the HTTP client cannot be built.
pub(crate) fn verifier(app: &App) -> Result<Verifier, AppError> {
    Ok(Verifier::builder()
        .loader(SiteLoader::new(app.clone()))
        .online(HttpLimits::default())
        .build()?)
}

/// What a visitor sent: the fields of the form.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct VerifyInput {
    /// The uploaded file's name and bytes (field `file`), if a file was chosen.
    pub(crate) file: Option<(String, Vec<u8>)>,
    /// The pasted badge (field `text`).
    pub(crate) text: String,
    /// The email address to check the recipient against (field `email`), possibly empty.
    pub(crate) email: String,
}

/// The page's template: the form, and the result when there is one.
#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    /// The `<title>`.
    title: String,
    /// The one `h1`.
    heading: &'static str,
    /// What is wrong with what was sent, if anything.
    problem: Option<&'a str>,
    /// The email typed, kept in the form.
    email: &'a str,
    /// The result, after a verification.
    result: Option<ResultView>,
}

/// A verification as the page shows it.
struct ResultView {
    /// `valid`, `invalid` or `unknown`: the colour.
    class: &'static str,
    /// ✓, ✗ or ?: the icon (shown with the words, never alone).
    icon: &'static str,
    verdict: &'static str,
    reason: &'static str,
    issuer: Option<String>,
    issuer_link: Option<String>,
    recipient: Option<String>,
    recipient_check: Option<String>,
    issued: Option<String>,
    expires: Option<String>,
    achievement: Option<String>,
    description: Option<String>,
    criteria: Option<String>,
    /// The badge image, only when it is a `data:` image or on this app's own origin (a page
    /// loading an image from elsewhere would tell that host who looks at the badge).
    image: Option<String>,
    checks: Vec<CheckView>,
    warnings: Vec<String>,
    /// The report and summary as pretty JSON.
    json: String,
    /// The same JSON as a `data:` URL, to download.
    json_href: String,
}

/// One check as the page shows it.
struct CheckView {
    icon: &'static str,
    class: &'static str,
    /// Said to screen readers instead of the icon.
    outcome: &'static str,
    explanation: String,
    detail: String,
}

/// The title and heading of each state.
fn heading(status: Option<Status>) -> &'static str {
    match status {
        None => "Verify a badge",
        Some(Status::Valid) => "Valid badge",
        Some(Status::Invalid) => "Invalid badge",
        Some(Status::Indeterminate) => "Badge could not be checked",
    }
}

fn render(page: &VerifyPage<'_>) -> String {
    page.render().unwrap_or_else(|_| {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error — Verify a badge</title></head>\
<body><main><h1>Error</h1><p>This page could not be shown.</p></main></body></html>\n"
            .to_owned()
    })
}

/// `GET /verify`: the empty form.
pub(crate) fn empty_page() -> String {
    render(&VerifyPage {
        title: "Verify a badge — Badges 101".to_owned(),
        heading: heading(None),
        problem: None,
        email: "",
        result: None,
    })
}

/// The form again, saying what is wrong (HTTP 400).
fn problem_page(problem: &str, email: &str) -> (u16, String) {
    (
        400,
        render(&VerifyPage {
            title: "Nothing verified — Verify a badge — Badges 101".to_owned(),
            heading: heading(None),
            problem: Some(problem),
            email,
            result: None,
        }),
    )
}

/// `POST /verify`: verifies what was sent and answers the result page (status, HTML). `origin`
/// is the app's origin (`http://host:port`), whose images the page may show.
pub(crate) async fn verify_page(
    verifier: &Verifier,
    origin: &str,
    input: VerifyInput,
) -> (u16, String) {
    let email = input.email.trim().to_owned();
    let (name, bytes) = match input.file {
        Some((name, bytes)) if !bytes.is_empty() => (name, bytes),
        _ if !input.text.trim().is_empty() => ("pasted badge".to_owned(), input.text.into_bytes()),
        _ => {
            return problem_page(
                "Choose a badge file or paste a badge, then press Verify.",
                &email,
            );
        }
    };
    let mut profile = RecipientProfile::new();
    if !email.is_empty() {
        if !plausible_email(&email) {
            return problem_page(
                "The email to check is not an email address (like name@example.org).",
                &email,
            );
        }
        profile = profile.email(email.clone());
    }
    let verification = verifier
        .verify_and_summarize_async(name, bytes, profile)
        .await;
    (200, result_page(&verification, origin, &email))
}

/// The kind of a recipient identity in words (`emailAddress` -> "An email address").
fn kind_in_words(kind: Option<&str>) -> &'static str {
    match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("email" | "emailaddress") => "An email address",
        Some("url") => "A web address",
        Some("telephone" | "phonenumber") => "A phone number",
        Some("did") => "A decentralised identifier",
        _ => "An identifier",
    }
}

/// Whether `s` looks like one email address (the recipient check decides the rest).
fn plausible_email(s: &str) -> bool {
    s.len() <= 254
        && !s.chars().any(char::is_whitespace)
        && s.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

fn result_page(v: &Verification, origin: &str, email: &str) -> String {
    let s = &v.summary;
    let json = serde_json::to_string_pretty(v).unwrap_or_default();
    let json_href = format!(
        "data:application/json;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(json.as_bytes())
    );
    let result = view(s, origin, json, json_href);
    render(&VerifyPage {
        title: format!("{} — Verify a badge — Badges 101", heading(Some(s.status))),
        heading: heading(Some(s.status)),
        problem: None,
        email,
        result: Some(result),
    })
}

fn view(s: &Summary, origin: &str, json: String, json_href: String) -> ResultView {
    let (class, icon) = match s.status {
        Status::Valid => ("valid", "✓"),
        Status::Invalid => ("invalid", "✗"),
        Status::Indeterminate => ("unknown", "?"),
    };
    let issuer = s.issuer.as_ref().and_then(|i| match (&i.name, &i.id) {
        (Some(n), Some(id)) => Some(format!("{n} ({id})")),
        (Some(n), None) => Some(n.clone()),
        (None, Some(id)) => Some(id.clone()),
        (None, None) => None,
    });
    let issuer_link = s
        .issuer
        .as_ref()
        .and_then(|i| i.url.clone())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let recipient = s
        .recipient
        .as_ref()
        .filter(|r| !r.identity.is_empty())
        .map(|r| {
            let kind = kind_in_words(r.kind.as_deref());
            if r.hashed {
                format!("{kind}, kept private as a hash: {}", r.identity)
            } else {
                format!("{kind}: {}", r.identity)
            }
        });
    let recipient_check = s
        .recipient
        .as_ref()
        .and_then(|r| r.checked.as_ref())
        .map(|c| match c.issued_to {
            Some(true) => format!("Issued to {}: yes", c.identity),
            Some(false) => format!("Issued to {}: no", c.identity),
            None => format!("Issued to {}: could not check", c.identity),
        });
    let a = s.achievement.as_ref();
    let image = a.and_then(|a| a.image.clone()).filter(|i| {
        i.starts_with("data:image/")
            || i.strip_prefix(origin)
                .is_some_and(|rest| rest.starts_with('/'))
    });
    let checks = s
        .checks
        .iter()
        .map(|c| {
            let (icon, class, outcome) = match c.status {
                CheckStatus::Passed => ("✓", "valid", "Passed"),
                CheckStatus::Failed if c.code.is_some_and(|k| !k.is_verdict()) => {
                    ("?", "unknown", "Could not check")
                }
                CheckStatus::Failed => ("✗", "invalid", "Failed"),
                CheckStatus::Warning => ("!", "unknown", "Warning"),
                CheckStatus::Skipped => ("–", "skipped", "Did not apply"),
            };
            CheckView {
                icon,
                class,
                outcome,
                explanation: c.explanation.clone(),
                detail: c.detail.clone(),
            }
        })
        .collect();
    ResultView {
        class,
        icon,
        verdict: s.verdict,
        reason: s.reason,
        issuer,
        issuer_link,
        recipient,
        recipient_check,
        issued: s
            .issued
            .as_ref()
            .map(|d| d.date.clone().unwrap_or_else(|| d.value.clone())),
        expires: s
            .expires
            .as_ref()
            .map(|d| d.date.clone().unwrap_or_else(|| d.value.clone())),
        achievement: a.and_then(|a| a.name.clone()),
        description: a.and_then(|a| a.description.clone()),
        criteria: a.and_then(|a| a.criteria.clone()),
        image,
        checks,
        warnings: s.warnings.clone(),
        json,
        json_href,
    }
}

/// What the page's handlers share.
#[derive(Clone)]
struct PageState {
    verifier: Verifier,
    /// The app's origin (`http://host:port`), whose images the result may show.
    origin: std::sync::Arc<str>,
}

/// The page's routes, `GET /verify` and `POST /verify` (multipart/form-data, at most
/// [`MAX_VERIFY_BODY`] bytes: more is answered 413), to merge into the app's router (of any
/// state: the page carries its own).
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(
    verifier: Verifier,
    origin: &str,
) -> axum::Router<S> {
    use axum::routing::get;
    axum::Router::new()
        .route("/verify", get(show).post(submit))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_VERIFY_BODY))
        .with_state(PageState {
            verifier,
            origin: std::sync::Arc::from(origin),
        })
}

/// An HTML answer.
fn html(status: u16, body: String) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let status = axum::http::StatusCode::from_u16(status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::response::Html(body)).into_response()
}

async fn show() -> axum::response::Response {
    html(200, empty_page())
}

async fn submit(
    axum::extract::State(state): axum::extract::State<PageState>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> axum::response::Response {
    let mut form = match form {
        Ok(f) => f,
        Err(e) => {
            let (_, page) = problem_page("Send the form as it is on this page.", "");
            return html(e.status().as_u16(), page);
        }
    };
    let mut input = VerifyInput::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return too_large_or_bad(&e),
        };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().unwrap_or("badge").to_owned();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return too_large_or_bad(&e),
        };
        match name.as_str() {
            "file" => input.file = Some((file_name, bytes.to_vec())),
            "text" => input.text = String::from_utf8_lossy(&bytes).into_owned(),
            "email" => input.email = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let (status, page) = verify_page(&state.verifier, &state.origin, input).await;
    html(status, page)
}

/// The answer to a form that could not be read: 413 when it is over the limit.
fn too_large_or_bad(e: &axum::extract::multipart::MultipartError) -> axum::response::Response {
    let status = e.status();
    let problem = if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        "The badge is too large: at most 2 MiB."
    } else {
        "The form could not be read; send it again."
    };
    let (_, page) = problem_page(problem, "");
    html(status.as_u16(), page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_for_shape_only() {
        assert!(plausible_email("a@example.org"));
        assert!(!plausible_email("a example.org"));
        assert!(!plausible_email("@example.org"));
        assert!(!plausible_email("a@localhost"));
    }

    #[test]
    fn each_state_has_its_own_title_and_one_h1() {
        let empty = empty_page();
        assert!(empty.contains("<title>Verify a badge — Badges 101</title>"));
        assert_eq!(empty.matches("<h1").count(), 1);
        for s in [Status::Valid, Status::Invalid, Status::Indeterminate] {
            assert_ne!(heading(Some(s)), heading(None));
        }
    }
}
