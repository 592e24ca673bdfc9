//! The static portfolio page: every text from a badge is HTML-escaped, and a Content Security
//! Policy forbids scripts outright.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::display;
use crate::model::{BadgeId, BadgeRecord, Collection, InputKind};

/// Escapes text for HTML element content and quoted attribute values.
///
/// ```
/// use openbadges_backpack::export::html::escape;
/// assert_eq!(escape(r#"<img src=x onerror="a('b')">&"#), "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An image reference safe to put in `src`: the archive's own baked image, an `https:` URL, or a
/// raster `data:` URL. Anything else (`javascript:`, `data:image/svg+xml`, `http:`) is dropped.
fn image_src(b: &BadgeRecord) -> Option<String> {
    match b.input_kind {
        InputKind::Png | InputKind::Svg => {
            return Some(format!(
                "badges/{}/original.{}",
                b.id,
                crate::model::original_extension(b.input_kind)
            ));
        }
        _ => {}
    }
    let url = display::image(&b.document)?.trim();
    let lower = url.to_ascii_lowercase();
    let ok = lower.starts_with("https://")
        || lower.starts_with("data:image/png")
        || lower.starts_with("data:image/jpeg")
        || lower.starts_with("data:image/gif")
        || lower.starts_with("data:image/webp");
    ok.then(|| url.to_owned())
}

/// `2024-01-15T12:00:00Z` → `2024-01-15`; a Unix timestamp (OB 1.0) → its date; anything else
/// as written.
fn human_date(d: &str) -> String {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(d.trim()) {
        return t.format("%Y-%m-%d").to_string();
    }
    if let Some(t) = d
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| chrono::DateTime::from_timestamp(n, 0))
    {
        return t.format("%Y-%m-%d").to_string();
    }
    d.to_owned()
}

fn badge_card(out: &mut String, b: &BadgeRecord) {
    let name = b.name().unwrap_or("Untitled badge");
    let _ = writeln!(
        out,
        "<article class=\"badge\" id=\"{}\">",
        escape(b.id.as_str())
    );
    if let Some(src) = image_src(b) {
        let _ = writeln!(
            out,
            "<img src=\"{}\" alt=\"{}\" width=\"120\" height=\"120\">",
            escape(&src),
            escape(name)
        );
    }
    let _ = writeln!(out, "<h3>{}</h3>", escape(name));
    let mut field = |label: &str, value: Option<&str>| {
        if let Some(v) = value {
            let _ = writeln!(out, "<p><b>{label}:</b> {}</p>", escape(v));
        }
    };
    field("Issuer", display::issuer(&b.document));
    let date = display::date(&b.document).map(|d| human_date(&d));
    field("Issued", date.as_deref());
    field("Description", display::description(&b.document));
    field("Criteria", display::criteria(&b.document));
    field("Verification", Some(b.verification.status.as_str()));
    let _ = writeln!(
        out,
        "<p class=\"files\"><a href=\"badges/{0}/original.{1}\">original</a> · \
         <a href=\"badges/{0}/badge.json\">JSON</a></p>",
        escape(b.id.as_str()),
        escape(crate::model::original_extension(b.input_kind))
    );
    out.push_str("</article>\n");
}

/// The card for one badge, as the portfolio page shows it.
pub(crate) fn card(b: &BadgeRecord) -> String {
    let mut out = String::new();
    badge_card(&mut out, b);
    out
}

/// The portfolio page for `badges` (accepted, sorted) and `collections`.
pub fn portfolio_html(badges: &[BadgeRecord], collections: &[Collection]) -> String {
    let cards: BTreeMap<BadgeId, String> = badges.iter().map(|b| (b.id.clone(), card(b))).collect();
    page(&cards, collections)
}

/// The page from pre-rendered cards (one per accepted badge, by id).
pub(crate) fn page(cards: &BTreeMap<BadgeId, String>, collections: &[Collection]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         img-src 'self' https: data:; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Badge portfolio</title>\n<style>\n\
         body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n\
         .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1em}\n\
         .badge{border:1px solid #ccc;border-radius:8px;padding:1em;overflow-wrap:anywhere}\n\
         .badge img{display:block;margin:0 auto}\n.files{font-size:small}\n\
         </style>\n</head>\n<body>\n<h1>Badge portfolio</h1>\n",
    );
    for c in collections {
        let _ = writeln!(
            out,
            "<section class=\"collection\">\n<h2>{}</h2>",
            escape(&c.name)
        );
        if !c.description.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(&c.description));
        }
        for para in c.portfolio.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(out, "<p class=\"portfolio\">{}</p>", escape(para.trim()));
        }
        out.push_str("<div class=\"grid\">\n");
        for m in &c.members {
            if let Some(card) = cards.get(m) {
                out.push_str(card);
            }
        }
        out.push_str("</div>\n</section>\n");
    }
    let _ = writeln!(
        out,
        "<section>\n<h2>All badges ({})</h2>\n<div class=\"grid\">",
        cards.len()
    );
    for card in cards.values() {
        out.push_str(card);
    }
    out.push_str("</div>\n</section>\n</body>\n</html>\n");
    out
}
