//! Issues one badge of every form and writes the issuer's site to a folder, ready to be served
//! (e.g. by `shared/peers/serve.sh`) and checked by other verifiers.
//!
//! ```text
//! cargo run -p openbadges --example issue_site -- OUT_DIR http://127.0.0.1:8766/ learner@example.org [--no-status]
//! ```
//!
//! Keys: Ed25519 (Data Integrity), RSA-2048 for the OB 2.0 JWS (the only algorithm the OB 2.0
//! reference verifier checks) and ES256 for the VC-JWT. `--no-status` leaves out the OB 3.0
//! `credentialStatus` (for verifiers that refuse credentials whose status they cannot check).
//!
//! `OUT_DIR/site/` mirrors the URL paths of the base URL's origin; `OUT_DIR/issued/` holds the
//! baked images (`*.png`), the signed assertion (`ob2.jws`), the credential (`ob3.json`) and
//! the VC-JWT (`ob3.jwt`), plus `issued.json` (uuid, salt, URLs).
#![allow(clippy::print_stdout)]

use std::path::Path;

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let no_status = all.iter().any(|a| a == "--no-status");
    let mut args = all.into_iter().filter(|a| !a.starts_with("--"));
    let (Some(out), Some(base)) = (args.next(), args.next()) else {
        return Err("usage: issue_site OUT_DIR BASE_URL [EMAIL]".into());
    };
    let email = args.next().unwrap_or_else(|| "learner@example.org".into());
    let image = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/served/badge.png"
    ))?;
    let issuer = Issuer::new(
        &base,
        IssuerProfile::new("Badges 101 (example)", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Rs256)?.vc_jwt_key(
            openbadges::proof::key::SecretKey::generate(Algorithm::Es256)?,
        ),
    )?;
    let badge = Badge::new(
        "badges-101",
        "Badges 101",
        "Knows the basics of Open Badges.",
        "Answer the three questions of the Badges 101 quiz.",
    )
    .image(image);
    let options = IssueOptions::new().status_list(!no_status);
    let issued = issuer.issue(&Identity::email(&email), &badge, &options)?;

    let out = Path::new(&out);
    let site = out.join("site");
    let origin_len = base.find("://").map_or(0, |i| i + 3);
    let origin_end = base
        .get(origin_len..)
        .and_then(|r| r.find('/'))
        .map_or(base.len(), |i| origin_len + i);
    let origin = base.get(..origin_end).unwrap_or(&base);
    for d in &issued.hosted {
        let rel = d
            .url
            .strip_prefix(origin)
            .unwrap_or(&d.url)
            .trim_start_matches('/');
        let p = site.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&p, &d.body)?;
    }
    let dir = out.join("issued");
    std::fs::create_dir_all(&dir)?;
    for (form, name) in [
        (Form::Ob2Hosted, "ob2-hosted.png"),
        (Form::Ob2Signed, "ob2-signed.png"),
        (Form::Ob3DataIntegrity, "ob3-di.png"),
        (Form::Ob3Jwt, "ob3-jwt.png"),
    ] {
        if let Some(b) = issued.baked(form) {
            std::fs::write(dir.join(name), &b.bytes)?;
        }
    }
    if let Some(j) = &issued.ob2_signed {
        std::fs::write(dir.join("ob2.jws"), j)?;
    }
    if let Some(c) = &issued.ob3_credential {
        std::fs::write(dir.join("ob3.json"), serde_json::to_vec_pretty(c)?)?;
    }
    if let Some(j) = &issued.ob3_jwt {
        std::fs::write(dir.join("ob3.jwt"), j)?;
    }
    let summary = serde_json::json!({
        "uuid": issued.uuid,
        "salt": issued.salt.as_str(),
        "recipient": email,
        "hosted_assertion": format!("{}assertions/{}.json", issuer.base_url(), issued.uuid),
        "documents": issued.hosted.iter().map(|d| d.url.clone()).collect::<Vec<_>>(),
    });
    std::fs::write(
        dir.join("issued.json"),
        serde_json::to_vec_pretty(&summary)?,
    )?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}
