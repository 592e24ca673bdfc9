use super::formats::{is_authority, is_e164};

#[test]
fn authority_and_phone() {
    assert!(is_authority("badges.example.org"));
    assert!(is_authority("localhost:8080"));
    assert!(!is_authority("http://example.com"));
    assert!(!is_authority("example.com/what"));
    assert!(is_e164("+16175551212"));
    assert!(is_e164("+16175551212;ext=12"));
    assert!(!is_e164("617 555 1212"));
}
