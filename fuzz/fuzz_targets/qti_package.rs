//! Arbitrary bytes as a QTI 3.0 content package (zip) → `qti::import_package` with a 64 KiB
//! entry limit: manifest, test and item resolution inside the package; then validation,
//! presentation, the public view and QTI export of whatever was read. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_quiz::{Limits, Presentation, PublicQuiz, qti};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 64 * 1024,
        ..Limits::default()
    };
    let Ok(loaded) = qti::import_package(data, Some("fuzz.zip"), &limits) else {
        return;
    };
    for p in loaded.check(&limits) {
        let _ = p.to_string();
    }
    let pres = Presentation::new(&loaded.quiz, 0);
    let _ = PublicQuiz::new(&loaded.quiz, &pres);
    let _ = qti::export(&loaded.quiz);
});
