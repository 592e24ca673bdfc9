//! The pages: plain HTML forms (no JavaScript needed), every text escaped.

use askama::Template;
use openbadges::quiz::{AttemptRecord, Item, Quiz};

/// Escapes text for HTML element content and attribute values.
pub(crate) use openbadges::backpack::export::html::escape as esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\
h1,h2{color:#c1272d}button,.button{font-size:1.1rem;padding:.5rem 1.2rem;margin:.3rem;border-radius:.3rem;border:1px solid #c1272d;background:#fff;color:#c1272d;cursor:pointer;text-decoration:none;display:inline-block}\
button:hover,.button:hover{background:#c1272d;color:#fff}.right{color:#1a7f37}.wrong{color:#c1272d}\
input[type=email]{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}footer{margin-top:3rem;font-size:.85rem;color:#666}";

/// A whole page.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main>\n{body}\n</main>\
<footer>Badges 101 — an Open Badges example (openbadges-rs).</footer></body></html>\n",
        esc(title)
    )
}

/// Intro.
pub(crate) fn intro() -> String {
    let [h, tagline, lead] = INTRO;
    page(
        "Open Badges — Badges 101",
        &format!(
            "<h1>{}</h1>\n<p>{}</p>\n<p>{}</p>\n\
<form method=\"post\" action=\"/start\"><button type=\"submit\">Get started</button></form>",
            esc(h),
            esc(tagline),
            esc(lead)
        ),
    )
}

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

/// The two lessons (1-based).
pub(crate) fn lesson(tok: &str, n: u8) -> Option<String> {
    let (title, text) = *LESSONS.get(usize::from(n).checked_sub(1)?)?;
    let next = if n == 1 {
        format!("/a/{tok}/lesson/2")
    } else {
        format!("/a/{tok}/q/1")
    };
    Some(page(
        title,
        &format!(
            "<h2>{}</h2>\n<p>{}</p>\n<p><a class=\"button\" href=\"{}\">Next</a></p>",
            esc(title),
            esc(text),
            esc(&next)
        ),
    ))
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
    let mut b = format!("<h2>{}</h2>\n", esc(section_title));
    if n == 1 {
        if let Some(i) = &quiz.instructions {
            b.push_str(&format!("<p>{}</p>\n", esc(i)));
        }
    }
    b.push_str(&format!(
        "<p>Question {n} of {total}</p>\n<p id=\"prompt\"><strong>{}</strong></p>\n",
        esc(&item.prompt)
    ));
    match answered {
        None => b.push_str(&format!(
            "<form method=\"post\" action=\"/a/{tok}/answer\" aria-labelledby=\"prompt\">\
<input type=\"hidden\" name=\"item\" value=\"{}\">\
<button type=\"submit\" name=\"answer\" value=\"true\">True</button>\
<button type=\"submit\" name=\"answer\" value=\"false\">False</button></form>",
            esc(&item.id)
        )),
        Some(correct) => {
            let (class, text) = if correct {
                (
                    "right",
                    item.feedback_correct.as_deref().unwrap_or("That's right!"),
                )
            } else {
                (
                    "wrong",
                    item.feedback_incorrect
                        .as_deref()
                        .unwrap_or("That's wrong!"),
                )
            };
            b.push_str(&format!(
                "<p class=\"{class}\" role=\"status\"><strong>{}</strong></p>\n",
                esc(text)
            ));
            if let Some(e) = &item.explanation {
                b.push_str(&format!("<p>{}</p>\n", esc(e)));
            }
            let next = if n < total {
                format!("/a/{tok}/q/{}", n + 1)
            } else {
                format!("/a/{tok}/result")
            };
            b.push_str(&format!(
                "<p><a class=\"button\" href=\"{}\">Next</a></p>",
                esc(&next)
            ));
        }
    }
    page(section_title, &b)
}

/// The final panel: not finished / not passed, or the win panel with the email form.
pub(crate) fn result(
    tok: &str,
    quiz: &Quiz,
    record: Option<&AttemptRecord>,
    first_open: Option<usize>,
    error: Option<&str>,
) -> String {
    let fail = quiz
        .fail_feedback
        .as_deref()
        .unwrap_or("Take the quiz to see if you get badges!");
    match record {
        Some(r) if r.passed => {
            let pass = quiz
                .pass_feedback
                .as_deref()
                .unwrap_or("Congratulations! You’ve just earned the Badges 101 badge!");
            let err = error.map_or(String::new(), |e| {
                format!("<p class=\"wrong\" role=\"alert\">{}</p>\n", esc(e))
            });
            page(
                "Badges 101",
                &format!(
                    "<h2>Badges 101</h2>\n<img src=\"/static/badge.png\" alt=\"The Badges 101 badge\" width=\"96\">\n\
<p><strong>{}</strong></p>\n<p>If you'd like to send this badge to your backpack, just fill out the form below.</p>\n{err}\
<form method=\"post\" action=\"/a/{tok}/issue\"><p><label for=\"email\">Email</label><br>\
<input type=\"email\" id=\"email\" name=\"email\" required maxlength=\"254\" autocomplete=\"email\"></p>\
<p><button type=\"submit\">Send to backpack</button></p></form>\n\
<p><small>Your address is stored only as a salted hash inside the badge.</small></p>",
                    esc(pass)
                ),
            )
        }
        Some(r) => page(
            "Badges 101",
            &format!(
                "<h2>Badges 101</h2>\n<p><strong>{}</strong></p>\n<p>You scored {} of {}. {}</p>\n\
<form method=\"post\" action=\"/start\"><button type=\"submit\">Try again</button></form>",
                esc(fail),
                r.score,
                r.max_score,
                esc(&r.criteria)
            ),
        ),
        None => {
            let n = first_open.unwrap_or(1);
            page(
                "Badges 101",
                &format!(
                    "<h2>Badges 101</h2>\n<p><strong>{}</strong></p>\n<p><a class=\"button\" href=\"/a/{tok}/q/{n}\">Take the quiz</a></p>",
                    esc(fail)
                ),
            )
        }
    }
}

/// After issuing: the downloads.
pub(crate) fn badge(
    tok: &str,
    uuid: &str,
    base: &str,
    push: Option<&crate::pack::PushState>,
) -> String {
    use crate::pack::PushState;
    let sent = match push {
        Some(PushState::Sent { .. }) => "<p role=\"status\">Sent to your backpack.</p>".to_owned(),
        Some(PushState::Queued) => "<p role=\"status\">Sending it to your backpack…</p>".to_owned(),
        Some(PushState::Failed(why)) => format!(
            "<p role=\"alert\">It could not be sent to your backpack: {}</p>",
            esc(why)
        ),
        None => String::new(),
    };
    page(
        "Your Badges 101 badge",
        &format!(
            "<h2>Your Badges 101 badge</h2>\n<img src=\"/a/{tok}/badge/ob3.png\" alt=\"Your Badges 101 badge\" width=\"96\">\n\
<p>Your badge is issued and signed. The image carries the badge itself (it is “baked”): keep it, or upload it to any Open Badges backpack.</p>\n\
{sent}\n<p><a class=\"button\" href=\"/a/{tok}/badge/ob3.png\" download=\"badges101.png\">Download your badge</a> \
<a class=\"button\" href=\"/a/{tok}/backpack\">Open your backpack</a></p>\n\
<p>Alternatives:</p><ul>\
<li><a href=\"/a/{tok}/badge/ob3.svg\" download=\"badges101.svg\">Open Badges 3.0 (SVG)</a></li>\
<li><a href=\"/a/{tok}/badge/ob3-jwt.png\" download=\"badges101-vc-jwt.png\">Open Badges 3.0 as VC-JWT (PNG)</a></li>\
<li><a href=\"/a/{tok}/badge/ob2.png\" download=\"badges101-ob2.png\">Open Badges 2.0, hosted (PNG)</a></li>\
<li><a href=\"/a/{tok}/badge/ob2-signed.png\" download=\"badges101-ob2-signed.png\">Open Badges 2.0, signed (PNG)</a></li>\
<li><a href=\"{}\">The hosted assertion (JSON)</a></li></ul>",
            esc(&format!("{base}assertions/{uuid}.json"))
        ),
    )
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

/// The learner's backpack: the badges it holds for their address, and the zip export.
pub(crate) fn backpack(
    tok: &str,
    email: &str,
    badges: &[openbadges::backpack::BadgeRecord],
    origin: &str,
    push: Option<&crate::pack::PushState>,
) -> String {
    use crate::pack::PushState;
    let mut items = String::new();
    for b in badges {
        let s = b.summary();
        let name = s.name.as_deref().unwrap_or("(unnamed badge)");
        let img = image_src(&b.document, origin).map_or_else(String::new, |src| {
            format!(
                "<img src=\"{}\" alt=\"\" width=\"64\" height=\"64\" style=\"float:left;margin-right:1rem\">",
                esc(&src)
            )
        });
        let verdict = match s.verification.as_str() {
            "valid" => "<span class=\"right\">verified</span>",
            "invalid" => "<span class=\"wrong\">not valid</span>",
            _ => "could not be checked",
        };
        items.push_str(&format!(
            "<li style=\"list-style:none;clear:both;margin:1rem 0;min-height:64px\">{img}<strong>{}</strong><br>\
Issued by {} on {}<br>Open Badges {} · {verdict} when it arrived</li>\n",
            esc(name),
            esc(s.issuer.as_deref().unwrap_or("an unknown issuer")),
            esc(s.issued.as_deref().unwrap_or("an unknown date")),
            esc(&s.version),
        ));
    }
    let note = match push {
        Some(PushState::Queued) => {
            "<p role=\"status\">Your new badge is on its way: <a href=\"\">reload</a> in a moment.</p>"
                .to_owned()
        }
        Some(PushState::Failed(why)) => format!(
            "<p role=\"alert\">Your new badge could not be sent here: {}</p>",
            esc(why)
        ),
        _ => String::new(),
    };
    let list = if badges.is_empty() {
        "<p>No badges here yet.</p>".to_owned()
    } else {
        format!(
            "<ul style=\"padding:0\">\n{items}</ul>\n<p style=\"clear:both\"><a class=\"button\" href=\"/a/{tok}/backpack.zip\" download=\"badges101-backpack.zip\">Download all (zip)</a></p>"
        )
    };
    page(
        "Your backpack",
        &format!(
            "<h2>Your backpack</h2>\n<p>Badges held for {}: they arrived through the Open Badges 3.0 API and were verified on arrival.</p>\n{note}\n{list}\n<p><a href=\"/a/{tok}/badge\">Back to your badge</a></p>",
            esc(email)
        ),
    )
}

/// The criteria page (the badge's `criteria` URL).
pub(crate) fn criteria(quiz: &Quiz) -> String {
    let mut items = String::new();
    for (_, i) in quiz.items() {
        items.push_str(&format!("<li>{}</li>", esc(&i.prompt)));
    }
    page(
        "Badges 101 — criteria",
        &format!(
            "<h2>Badges 101 — criteria</h2>\n<p>{}</p>\n<p>The questions:</p><ol>{items}</ol>\n<p><a href=\"/\">Take the quiz</a></p>",
            esc(&openbadges::quiz::policy::criteria_text(quiz))
        ),
    )
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
    render(&ErrorPage {
        heading: format!("Error {status}"),
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
