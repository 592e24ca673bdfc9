//! Property tests: de-duplication keys, identity matching, and the archive round trip over
//! generated backpacks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use openbadges_backpack::dedup::{content_key, dedup_key};
use openbadges_backpack::export::zip::export_zip;
use openbadges_backpack::identity::match_recipient;
use openbadges_backpack::{Collection, ImportResult, MemoryStore, Source, Store, Visibility};
use openbadges_model::sorted_keys_json;
use openbadges_model::{HashAlgorithm, IdentityHash, Salt, Version};
use openbadges_model::{Identity, IdentityKind};
use openbadges_proof::report::Status;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z@]{1,6}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// The same value with every object's keys inserted in reverse order.
fn reorder(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut m = Map::new();
            for (k, c) in o.iter().rev() {
                m.insert(k.clone(), reorder(c));
            }
            Value::Object(m)
        }
        Value::Array(a) => Value::Array(a.iter().map(reorder).collect()),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn content_key_ignores_key_order_and_sorted_keys_json_round_trips(v in json_value()) {
        prop_assert_eq!(content_key(&v), content_key(&reorder(&v)));
        let canon = sorted_keys_json(&v);
        let back: Value = serde_json::from_str(&canon).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(sorted_keys_json(&back), canon);
    }

    #[test]
    fn ob3_key_is_stable_under_percent_encoding_and_padding(
        host in "[a-z]{1,10}", path in "[a-z0-9]{1,10}", pad in "[ \t\n]{0,3}"
    ) {
        let plain = json!({"id": format!("https://{host}.example/{path}"), "issuer": format!("https://{host}.example/")});
        let encoded: String = path.bytes().map(|b| format!("%{b:02X}")).collect();
        let other = json!({"id": format!("{pad}https://{host}.example/{encoded}{pad}"), "issuer": {"id": format!("https://{host}.example/")}});
        prop_assert_eq!(dedup_key(&plain, Version::V3_0), dedup_key(&other, Version::V3_0));
    }

    #[test]
    fn hashed_email_matches_its_owner_only(
        local in "[a-z0-9.]{1,12}", domain in "[a-z]{1,10}", salt in "\\PC{0,16}", upper in any::<bool>()
    ) {
        let email = format!("{local}@{domain}.org");
        let h = IdentityHash::compute(HashAlgorithm::Sha256, &email, Some(&Salt::new(salt.clone())));
        let doc = json!({"recipient": {"type": "email", "hashed": true, "salt": salt, "identity": h.to_string()}});
        let proven = if upper { email.to_uppercase() } else { email.clone() };
        let me = [Identity::new(IdentityKind::Email, proven)];
        prop_assert!(match_recipient(&doc, Version::V2_0, &me).is_ok());
        let someone_else = [Identity::new(IdentityKind::Email, format!("x{email}"))];
        prop_assert!(match_recipient(&doc, Version::V2_0, &someone_else).is_err());
    }
}

fn credential(i: usize, name: &str, year: u32) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:prop-{i}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": name},
        "validFrom": format!("{year}-01-01T00:00:00Z"),
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "type": ["AchievementSubject"],
            "achievement": {"id": format!("https://example.edu/a/{i}"), "type": ["Achievement"], "name": name,
                "criteria": {"narrative": name}}}
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Any backpack (badges with arbitrary text, re-issues, rejections, collections of any
    /// visibility) exported and imported into an empty one gives the same records and the same
    /// archive bytes.
    #[test]
    fn archive_round_trip(
        badges in prop::collection::vec(("\\PC{0,20}", 2000u32..2030), 1..12),
        reissue in prop::collection::vec(any::<bool>(), 12),
        reject in prop::collection::vec(any::<bool>(), 12),
        collections in prop::collection::vec(("\\PC{0,12}", "\\PC{0,40}", 0u8..3, prop::collection::vec(any::<prop::sample::Index>(), 0..6)), 0..4),
    ) {
        let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
        for (i, (name, year)) in badges.iter().enumerate() {
            let r = bp.import(credential(i, name, *year).to_string().as_bytes(), Source::file(format!("b{i}.json"))).unwrap();
            prop_assert_eq!(r.result(), ImportResult::Imported);
            if reissue[i] {
                let newer = credential(i, &format!("{name} (2)"), year + 1);
                bp.import(newer.to_string().as_bytes(), Source::file(format!("b{i}-2.json"))).unwrap();
            }
        }
        let ids: Vec<_> = bp.badges().unwrap().into_iter().map(|b| b.id).collect();
        for (name, portfolio, vis, members) in &collections {
            let mut c = Collection::new(name.clone()).unwrap();
            c.portfolio = portfolio.clone();
            c.visibility = match vis { 0 => Visibility::Private, 1 => Visibility::Public, _ => Visibility::new_unlisted().unwrap() };
            let mut m: Vec<_> = members.iter().map(|ix| ids[ix.index(ids.len())].clone()).collect();
            m.sort();
            m.dedup();
            c.members = m;
            bp.put_collection(c).unwrap();
        }
        for (n, id) in ids.iter().enumerate() {
            if reject[n] && n > 0 {
                bp.reject(id).unwrap();
            }
        }
        let archive = export_zip(bp.store()).unwrap();
        prop_assert_eq!(&export_zip(bp.store()).unwrap(), &archive);
        let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
        let r = fresh.import(&archive, Source::file("a.zip")).unwrap();
        prop_assert_eq!(r.counts().2, 0, "{:?}", r);
        prop_assert_eq!(fresh.badges().unwrap(), bp.badges().unwrap());
        prop_assert_eq!(fresh.store().collections().unwrap(), bp.store().collections().unwrap());
        prop_assert_eq!(export_zip(fresh.store()).unwrap(), archive);
    }
}
