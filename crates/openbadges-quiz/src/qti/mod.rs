//! QTI 3.0 interchange: import of assessment items and tests for the supported interactions
//! (choice, text entry, order, match) with the standard response processing templates
//! `match_correct` and `map_response`, and export of a quiz to QTI 3.0 XML.
//!
//! Anything else (other interactions, custom response processing, several interactions in
//! one item, modal feedback) is reported as a `qti-unsupported` warning with its position,
//! never dropped silently.
//!
//! Modules: `xml` (the element tree and escaping), `assessment` (items and tests, following
//! references), `item` (one item's conversion), `package` (content packages) and `export`.

mod assessment;
mod export;
mod item;
mod package;
mod xml;

pub use assessment::import_item_or_test;
pub use export::{QtiExport, export, export_item};
pub use package::import_package;

/// A resolver for the `href`s of item and section references in a test: given the referenced
/// file's path relative to the test's folder (`..` segments only where the path leaves it;
/// URLs and absolute paths as written), returns its text.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;
