//! Builds a small backpack from the repository's fixtures (one badge with hostile text) and
//! writes its archive: `cargo run -p openbadges-backpack --example portfolio -- OUT.zip`.
//! Unzip it and open `index.html` to see the portfolio page.
//!
//! Nothing is verified here: the example's verifier answers "indeterminate" for every badge.

use openbadges_backpack::export::zip::export_zip;
use openbadges_backpack::{
    Backpack, Collection, Fetcher, MemoryStore, Source, VerificationOutcome, Verifier,
    VerifyRequest, Visibility,
};
use openbadges_model::Identity;
use openbadges_proof::report::Status;

struct NotChecked;
impl Verifier for NotChecked {
    fn verify(&self, _: &VerifyRequest<'_>) -> VerificationOutcome {
        VerificationOutcome {
            status: Status::Indeterminate,
            report: serde_json::json!({"status": "indeterminate"}),
        }
    }
}

/// Serves the fixtures' issuer documents (`fixtures/ob2/served`, ids under
/// `http://127.0.0.1:8765/`) from disk, so hosted badge classes can be inlined offline.
struct ServedFixtures;
impl Fetcher for ServedFixtures {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        let rel = url
            .strip_prefix("http://127.0.0.1:8765/")
            .filter(|r| !r.contains(".."))
            .ok_or("not served here")?;
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob2/served/");
        let bytes = std::fs::read(format!("{path}{rel}")).map_err(|e| e.to_string())?;
        if bytes.len() > max_bytes {
            return Err("too large".into());
        }
        Ok(bytes)
    }
}

/// Replaces the value at a JSON pointer that exists in the fixture.
fn set(
    doc: &mut serde_json::Value,
    pointer: &str,
    value: serde_json::Value,
) -> Result<(), Box<dyn std::error::Error>> {
    let slot = doc
        .pointer_mut(pointer)
        .ok_or_else(|| format!("the fixture has no {pointer}"))?;
    *slot = value;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: portfolio OUT.zip")?;
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    let mut bp = Backpack::new(MemoryStore::new(), NotChecked).with_fetcher(ServedFixtures);
    for id in [
        "email:student@example.org",
        "did:did:example:ebfeb1f712ebc6f1c276e12ec21",
    ] {
        bp.add_identifier(Identity::parse(id)?)?;
    }
    for f in [
        "ob2/baked/signed-valid.png",
        "ob3/peers/ob3-EdDSA-baked.svg",
        "ob3/1edtech-validator/simple-json.png",
        "ob2/upstream/vcore-0_5_assertion.json",
    ] {
        bp.import(&std::fs::read(format!("{fixtures}{f}"))?, Source::file(f))?;
    }
    let mut hostile: serde_json::Value = serde_json::from_slice(&std::fs::read(format!(
        "{fixtures}ob3/examples/basicOpenBadgeCredential.json"
    ))?)?;
    set(&mut hostile, "/id", "urn:uuid:hostile".into())?;
    set(
        &mut hostile,
        "/credentialSubject/id",
        "did:example:ebfeb1f712ebc6f1c276e12ec21".into(),
    )?;
    set(
        &mut hostile,
        "/credentialSubject/achievement/name",
        "<script>alert('owned')</script><b>bold?</b>".into(),
    )?;
    set(
        &mut hostile,
        "/credentialSubject/achievement/description",
        "\"><img src=x onerror=alert(1)> & <iframe src=javascript:alert(2)>".into(),
    )?;
    set(
        &mut hostile,
        "/issuer",
        serde_json::json!({"id": "https://evil.example/", "type": "Profile", "name": "Evil & <i>Co</i>"}),
    )?;
    bp.import(hostile.to_string().as_bytes(), Source::file("hostile.json"))?;

    let ids: Vec<_> = bp.badges()?.into_iter().map(|b| b.id).collect();
    let mut c = Collection::new("My <u>best</u> badges")?;
    c.description = "Shown to employers & friends".into();
    c.portfolio =
        "I earned these while learning about Open Badges.\n\n<script>not run</script>".into();
    c.members = ids.iter().take(3).cloned().collect();
    c.visibility = Visibility::Public;
    bp.put_collection(c)?;
    std::fs::write(&out, export_zip(bp.store())?)?;
    println!("wrote {out} ({} badges)", ids.len());
    Ok(())
}
