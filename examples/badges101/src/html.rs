//! The pages: plain HTML forms (no JavaScript needed), each from an askama template in
//! `templates/` (checked when the crate compiles; every value is HTML-escaped). Every page
//! extends `templates/base.html` and has exactly one `h1` and its own `<title>`.

use askama::Template;
use openbadges::quiz::{AttemptRecord, Item, Quiz};

use crate::pack::PushState;
use crate::remote::RemoteSend;

/// The intro's texts.
pub(crate) const INTRO: [&str; 3] = [
    "Open Badges",
    "Helping learners everywhere display skills, unlock career opportunities and level up in life",
    "Let’s go through some of the basics about badges and earn your first badge in the process.",
];

/// The two lessons: title and text.
pub(crate) const LESSONS: [(&str, &str); 2] = [
    (
        "Learning today happens everywhere.",
        "But it's often difficult to get recognition for skills and achievements that happen outside of school. Mozilla's Open Badges is working to solve that problem, making it easy for anyone to issue, earn and display badges across the web—through a shared infrastructure that's free and open to all.",
    ),
    (
        "Open Badge Infrastructure",
        "The Mozilla Open Badge Infrastructure enables any organization or community to issue badges backed by their own seal of approval. Learners/users can then collect badges from different sources and share them across the web, unlocking new career and learning opportunities.",
    ),
];

/// The original page's "What are Open Badges?" introduction (word for word), and the line
/// that follows it.
pub(crate) const WHAT_ARE_OPEN_BADGES: [&str; 2] = [
    "Learning today happens everywhere. But it's often difficult to get recognition for skills and achievements that happen online or out of school. Mozilla Open Badges helps solve that problem, making it easy for any organization to issue, manage and display digital badges across the web.",
    "Take the Badges 101 quiz—and earn your first badge",
];

/// The home page's template.
#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    heading: &'static str,
    tagline: &'static str,
    what_are_open_badges: &'static str,
    call_to_action: &'static str,
    lead: &'static str,
}

/// The home page: the original's introduction and "Get started".
pub(crate) fn intro() -> String {
    let [heading, tagline, lead] = INTRO;
    let [what_are_open_badges, call_to_action] = WHAT_ARE_OPEN_BADGES;
    render(&HomePage {
        heading,
        tagline,
        what_are_open_badges,
        call_to_action,
        lead,
    })
}

/// A lesson's template.
#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonPage<'a> {
    number: usize,
    total: usize,
    heading: &'a str,
    text: &'a str,
    next: String,
}

/// The two lessons (1-based).
pub(crate) fn lesson(tok: &str, n: u8) -> Option<String> {
    let number = usize::from(n);
    let (heading, text) = *LESSONS.get(number.checked_sub(1)?)?;
    let next = if number < LESSONS.len() {
        format!("/a/{tok}/lesson/{}", number + 1)
    } else {
        format!("/a/{tok}/q/1")
    };
    Some(render(&LessonPage {
        number,
        total: LESSONS.len(),
        heading,
        text,
        next,
    }))
}

/// A question's template.
#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage<'a> {
    tok: &'a str,
    section: &'a str,
    number: usize,
    total: usize,
    instructions: Option<&'a str>,
    prompt: &'a str,
    item_id: &'a str,
    /// `None` before the answer; whether it was right after.
    answered: Option<bool>,
    feedback: &'a str,
    explanation: Option<&'a str>,
    next: String,
}

/// A question: the form while unanswered, the feedback and explanation after.
pub(crate) fn question(
    tok: &str,
    quiz: &Quiz,
    section_title: &str,
    n: usize,
    total: usize,
    item: &Item,
    answered: Option<bool>,
) -> String {
    let feedback = match answered {
        Some(true) => item.feedback_correct.as_deref().unwrap_or("That's right!"),
        Some(false) => item
            .feedback_incorrect
            .as_deref()
            .unwrap_or("That's wrong!"),
        None => "",
    };
    let next = if n < total {
        format!("/a/{tok}/q/{}", n + 1)
    } else {
        format!("/a/{tok}/result")
    };
    render(&QuestionPage {
        tok,
        section: section_title,
        number: n,
        total,
        instructions: quiz.instructions.as_deref().filter(|_| n == 1),
        prompt: &item.prompt,
        item_id: &item.id,
        answered,
        feedback,
        explanation: item.explanation.as_deref().filter(|_| answered.is_some()),
        next,
    })
}

/// What the result page says.
enum ResultState<'a> {
    /// The badge is earned: the email form, with what was wrong with the last address sent.
    Passed {
        pass_text: &'a str,
        error: Option<&'a str>,
    },
    /// Finished without earning it (a mastery policy).
    NotPassed {
        fail_text: &'a str,
        score: String,
        max_score: String,
        criteria: &'a str,
    },
    /// Not finished: back to the first open question.
    Unfinished { fail_text: &'a str, next: String },
}

/// The result page's template.
#[derive(Template)]
#[template(path = "result.html")]
struct ResultPage<'a> {
    tok: &'a str,
    title: &'static str,
    state: ResultState<'a>,
}

/// The final panel: not finished / not passed, or the win panel with the email form (and
/// `error`, what was wrong with the address sent).
pub(crate) fn result(
    tok: &str,
    quiz: &Quiz,
    record: Option<&AttemptRecord>,
    first_open: Option<usize>,
    error: Option<&str>,
) -> String {
    let fail_text = quiz
        .fail_feedback
        .as_deref()
        .unwrap_or("Take the quiz to see if you get badges!");
    let error = error.map(sentence);
    let (title, state) = match record {
        Some(r) if r.passed => (
            if error.is_some() {
                "Check your email address"
            } else {
                "Congratulations!"
            },
            ResultState::Passed {
                pass_text: quiz
                    .pass_feedback
                    .as_deref()
                    .unwrap_or("Congratulations! You’ve just earned the Badges 101 badge!"),
                error: error.as_deref(),
            },
        ),
        Some(r) => (
            "Not earned this time",
            ResultState::NotPassed {
                fail_text,
                score: r.score.to_string(),
                max_score: r.max_score.to_string(),
                criteria: &r.criteria,
            },
        ),
        None => (
            "Finish the quiz first",
            ResultState::Unfinished {
                fail_text,
                next: format!("/a/{tok}/q/{}", first_open.unwrap_or(1)),
            },
        ),
    };
    render(&ResultPage { tok, title, state })
}

/// `message` as a sentence: a capital first letter and a full stop ("please enter a valid
/// email address" → "Please enter a valid email address.").
fn sentence(message: &str) -> String {
    let message = message.trim();
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// A push to the backpack as the pages show it.
enum Push<'a> {
    /// No push known.
    None,
    /// Waiting for the pusher.
    Queued,
    /// The backpack has it.
    Sent,
    /// It failed: why.
    Failed(&'a str),
}

impl<'a> Push<'a> {
    fn of(state: Option<&'a PushState>) -> Self {
        match state {
            None => Push::None,
            Some(PushState::Queued) => Push::Queued,
            Some(PushState::Sent { .. }) => Push::Sent,
            Some(PushState::Failed(why)) => Push::Failed(why),
        }
    }
}

/// The badge page's template.
#[derive(Template)]
#[template(path = "badge.html")]
struct BadgePage<'a> {
    tok: &'a str,
    assertion_url: String,
    push: Push<'a>,
    wallet: Option<Wallet>,
    sent: Option<&'a RemoteSend>,
}

/// "Add to your wallet": the OpenID4VCI offer URI and its QR code.
struct Wallet {
    /// The `openid-credential-offer://` URI.
    uri: String,
    /// The QR code of the URI, an SVG as a `data:` URL.
    qr: String,
}

/// The QR code of `text` as an SVG `data:` URL (`None` if it is too long for a QR code).
fn qr_data_url(text: &str) -> Option<String> {
    use base64::Engine as _;
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(image)
    ))
}

/// After issuing: the badge, large, its downloads, "Add to your wallet" when there is an
/// offer (`wallet_offer`, the `openid-credential-offer://` URI), and how "Send to backpack"
/// went (the app's own backpack: `push`; another host: `sent`).
pub(crate) fn badge(
    tok: &str,
    uuid: &str,
    base: &str,
    push: Option<&PushState>,
    wallet_offer: Option<String>,
    sent: Option<&RemoteSend>,
) -> String {
    render(&BadgePage {
        tok,
        assertion_url: format!("{base}assertions/{uuid}.json"),
        push: Push::of(push),
        wallet: wallet_offer.and_then(|uri| {
            let qr = qr_data_url(&uri)?;
            Some(Wallet { uri, qr })
        }),
        sent,
    })
}

/// The page between "Send to backpack" and another host's consent page.
#[derive(Template)]
#[template(path = "send.html")]
struct SendPage<'a> {
    tok: &'a str,
    host: &'a str,
    authorization_url: &'a str,
}

/// The page that sends the learner on to the host's consent page (a link they follow).
pub(crate) fn send(tok: &str, host: &str, authorization_url: &str) -> String {
    render(&SendPage {
        tok,
        host,
        authorization_url,
    })
}

/// A badge's image URL as the page may show it: a path for the app's own images, a `data:`
/// image as is; nothing for images elsewhere (the page loads nothing from other origins).
fn image_src(doc: &serde_json::Value, origin: &str) -> Option<String> {
    let subject = doc.get("credentialSubject");
    let holder = subject
        .and_then(|s| s.get("achievement"))
        .or_else(|| doc.get("badge"))?;
    let image = holder.get("image")?;
    let url = image
        .as_str()
        .or_else(|| image.get("id").and_then(serde_json::Value::as_str))?;
    if url.starts_with("data:image/png;") || url.starts_with("data:image/svg+xml;") {
        return Some(url.to_owned());
    }
    let path = url.strip_prefix(origin)?;
    path.starts_with('/').then(|| path.to_owned())
}

/// A date as people write it ("6 December 2026"): the library's one definition, which the
/// verify page's summary uses too.
pub(crate) use openbadges::proof::summary::human_date;

/// One badge in the backpack, as the page lists it.
struct HeldBadge {
    name: String,
    issuer: String,
    issued: String,
    version: String,
    verdict: &'static str,
    verdict_class: &'static str,
    image: Option<String>,
}

/// The backpack page's template.
#[derive(Template)]
#[template(path = "backpack.html")]
struct BackpackPage<'a> {
    tok: &'a str,
    email: &'a str,
    badges: Vec<HeldBadge>,
    push: Push<'a>,
}

/// The learner's backpack: the badges it holds for their address, and the zip export.
pub(crate) fn backpack(
    tok: &str,
    email: &str,
    badges: &[openbadges::backpack::BadgeRecord],
    origin: &str,
    push: Option<&PushState>,
) -> String {
    let badges = badges
        .iter()
        .map(|b| {
            let s = b.summary();
            let (verdict, verdict_class) = match s.verification.as_str() {
                "valid" => ("verified", "right"),
                "invalid" => ("not valid", "wrong"),
                _ => ("could not be checked", ""),
            };
            HeldBadge {
                name: s.name.unwrap_or_else(|| "(unnamed badge)".to_owned()),
                issuer: s.issuer.unwrap_or_else(|| "an unknown issuer".to_owned()),
                issued: s.issued.as_deref().map_or_else(
                    || "an unknown date".to_owned(),
                    |d| human_date(d).unwrap_or_else(|| d.to_owned()),
                ),
                version: s.version,
                verdict,
                verdict_class,
                image: image_src(&b.document, origin),
            }
        })
        .collect();
    render(&BackpackPage {
        tok,
        email,
        badges,
        push: Push::of(push),
    })
}

/// The criteria page's template.
#[derive(Template)]
#[template(path = "criteria.html")]
struct CriteriaPage {
    criteria: String,
    questions: Vec<String>,
}

/// The criteria page (the badge's `criteria` URL).
pub(crate) fn criteria(quiz: &Quiz) -> String {
    render(&CriteriaPage {
        criteria: openbadges::quiz::policy::criteria_text(quiz),
        questions: quiz.items().map(|(_, i)| i.prompt.clone()).collect(),
    })
}

/// The OB 3.0 API consent page's template.
#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    /// The client's registered name.
    client_name: &'a str,
    /// The client's registered home page.
    client_uri: &'a str,
    /// The requested scopes in words.
    scopes: Vec<&'static str>,
    /// The authorization request, posted back as hidden fields.
    fields: Vec<(&'static str, String)>,
}

/// The consent page of the OB 3.0 API's authorization endpoint: the client, what it asks for
/// in words, an "Email" field naming the learner whose backpack is opened, Allow and Deny.
pub(crate) fn consent(req: &openbadges::backpack::oauth::host::AuthorizationRequest) -> String {
    render(&ConsentPage {
        client_name: &req.client_name,
        client_uri: &req.client_uri,
        scopes: req.scope_words(),
        fields: req.form_fields(),
    })
}

/// The error page's template.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    /// The page's heading: what went wrong, in a few words.
    heading: String,
    /// The explanation.
    message: &'a str,
}

/// An error page.
pub(crate) fn error(status: u16, message: &str) -> String {
    let heading = match status {
        303 => "See the next page",
        404 => "Page not found",
        405 => "Not allowed here",
        409 => "Already done",
        413 => "Too much data",
        429 => "Too many requests",
        500.. => "Something went wrong on our side",
        _ => "That did not work",
    };
    render(&ErrorPage {
        heading: format!("{heading} ({status})"),
        message,
    })
}

/// A page from its template. Rendering fails only when writing into a `String` fails, which
/// it does not; the plain fallback page keeps even that case an answer.
fn render(page: &impl Template) -> String {
    page.render().unwrap_or_else(|_| {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error — Badges 101</title></head>\
<body><main><h1>Error</h1><p>This page could not be shown.</p></main></body></html>\n"
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(
            human_date("2026-12-06T23:30:00Z").as_deref(),
            Some("6 December 2026")
        );
        // The date as its writer gave it, in their time zone.
        assert_eq!(
            human_date("2026-12-06T23:30:00-05:00").as_deref(),
            Some("6 December 2026")
        );
        assert_eq!(human_date("2026-01-09").as_deref(), Some("9 January 2026"));
        assert_eq!(
            human_date("2026-03-01T08:00:00").as_deref(),
            Some("1 March 2026")
        );
        assert_eq!(human_date("last Tuesday"), None);
        assert_eq!(human_date(""), None);
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(
            sentence("please enter a valid email address"),
            "Please enter a valid email address."
        );
        assert_eq!(sentence("Done!"), "Done!");
        assert_eq!(sentence(" élan "), "Élan.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn every_value_is_escaped() {
        let page = error(400, "<script>alert(1)</script> & \"quotes\"");
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&#60;script&#62;"), "{page}");
        assert_eq!(page.matches("<h1>").count(), 1);
    }
}
