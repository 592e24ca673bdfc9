//! Import of a QTI 3.0 content package (`.zip`): the test its manifest names (else the first
//! test found, else every item as one section), each entry decompressed once, everything
//! decompressed within one byte budget.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{Cursor, Read as _};

use super::assessment::import_item_or_test;
use super::xml::{esc, parse_xml, xml_id};
use crate::error::{Error, Problem, Severity};
use crate::source::{Limits, Loaded};

/// Most entries read from one content package.
const MAX_PACKAGE_ENTRIES: usize = 10_000;

/// Imports a QTI 3.0 content package (`.zip`): the assessment test named by
/// `imsmanifest.xml` (resource type `imsqti_test_xmlv3p0`), else the first test found, else
/// every assessment item of the package as one section. Item and section `href`s are resolved
/// inside the package, relative to the file that holds them. Each entry is decompressed once,
/// and everything decompressed from the package together is at most `limits.max_bytes`.
///
/// # Errors
/// [`Error::Invalid`] when the package cannot be read, holds no test or item, or its
/// references form a cycle; [`Error::Limit`] when it has too many entries or decompresses (or
/// expands through its references) past `limits.max_bytes`.
pub fn import_package(bytes: &[u8], file: Option<&str>, limits: &Limits) -> Result<Loaded, Error> {
    let pkg = Package::open(bytes, file, limits)?;
    let xml_names: Vec<&String> = pkg
        .names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".xml") && *n != "imsmanifest.xml")
        .collect();
    let test = pkg.manifest_test().or_else(|| {
        xml_names
            .iter()
            .find(|n| {
                pkg.read(n)
                    .is_some_and(|t| t.contains("<qti-assessment-test"))
            })
            .map(|n| (*n).clone())
    });
    match test {
        Some(test) => pkg.import_test(&test),
        None => pkg.import_items(&xml_names),
    }
}

/// An open package: its entry names and what has been decompressed from it.
struct Package<'a> {
    zip: RefCell<zip::ZipArchive<Cursor<&'a [u8]>>>,
    names: Vec<String>,
    file: Option<&'a str>,
    limits: &'a Limits,
    /// Each entry read so far (`None`: missing, over the budget or not UTF-8).
    seen: RefCell<BTreeMap<String, Option<String>>>,
    /// Bytes the package may still decompress.
    left: Cell<usize>,
    /// Whether a read went over the budget.
    over: Cell<bool>,
}

impl<'a> Package<'a> {
    /// Opens the zip and lists its entries.
    fn open(bytes: &'a [u8], file: Option<&'a str>, limits: &'a Limits) -> Result<Self, Error> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| invalid(file, format!("not a zip package: {e}")))?;
        if zip.len() > MAX_PACKAGE_ENTRIES {
            return Err(Error::Limit(format!(
                "{} entries, the limit is {MAX_PACKAGE_ENTRIES}",
                zip.len()
            )));
        }
        let mut zip = zip;
        let names: Vec<String> = (0..zip.len())
            .filter_map(|i| zip.by_index(i).ok().map(|f| f.name().to_owned()))
            .collect();
        Ok(Package {
            zip: RefCell::new(zip),
            names,
            file,
            limits,
            seen: RefCell::default(),
            left: Cell::new(limits.max_bytes),
            over: Cell::new(false),
        })
    }

    /// The text of entry `name`, decompressed once (later reads are answered from `seen`)
    /// and counted against the package's one budget of `limits.max_bytes`.
    fn read(&self, name: &str) -> Option<String> {
        if let Some(text) = self.seen.borrow().get(name) {
            return text.clone();
        }
        let text = self.decompress(name);
        self.seen.borrow_mut().insert(name.to_owned(), text.clone());
        text
    }

    /// Decompresses entry `name` within what is left of the budget.
    fn decompress(&self, name: &str) -> Option<String> {
        let mut z = self.zip.borrow_mut();
        let f = z.by_name(name).ok()?;
        let mut buf = Vec::new();
        let cap = self.left.get().min(self.limits.max_bytes);
        f.take(cap as u64 + 1).read_to_end(&mut buf).ok()?;
        if buf.len() > cap {
            self.over.set(true);
            return None;
        }
        self.left.set(self.left.get() - buf.len());
        String::from_utf8(buf).ok()
    }

    /// The error for a package that decompresses past the budget.
    fn too_large(&self) -> Error {
        Error::Limit(format!(
            "the package's entries decompress to more than {} bytes",
            self.limits.max_bytes
        ))
    }

    /// `package!inner`: the name problems in an entry are reported under.
    fn label(&self, inner: &str) -> String {
        format!("{}!{inner}", self.file.unwrap_or("package"))
    }

    /// The `href` of the manifest's first `imsqti_test_xmlv3p0` resource.
    fn manifest_test(&self) -> Option<String> {
        let m = self.read("imsmanifest.xml")?;
        let root = parse_xml(&m, self.limits).ok()?;
        let mut all = Vec::new();
        root.descendants(&mut all);
        all.iter()
            .find(|e| {
                e.name == "resource"
                    && e.attr("type")
                        .is_some_and(|t| t.starts_with("imsqti_test_xmlv3p0"))
            })
            .and_then(|e| e.attr("href").map(str::to_owned))
    }

    /// Imports the test in entry `test`, its references resolved inside the package relative
    /// to the test's folder.
    fn import_test(&self, test: &str) -> Result<Loaded, Error> {
        let text = self.read(test).ok_or_else(|| {
            if self.over.get() {
                self.too_large()
            } else {
                invalid(self.file, format!("cannot read {test:?} from the package"))
            }
        })?;
        let dir = test
            .rsplit_once('/')
            .map(|(d, _)| d.to_owned())
            .unwrap_or_default();
        let resolve = |href: &str| -> Option<String> {
            let joined = if dir.is_empty() {
                href.to_owned()
            } else {
                format!("{dir}/{href}")
            };
            let mut parts: Vec<&str> = Vec::new();
            for seg in joined.split('/') {
                match seg {
                    "" | "." => {}
                    ".." => {
                        parts.pop()?;
                    }
                    s => parts.push(s),
                }
            }
            self.read(&parts.join("/"))
        };
        let name = self.label(test);
        let loaded = import_item_or_test(&text, Some(&name), self.limits, &resolve);
        if self.over.get() {
            return Err(self.too_large());
        }
        loaded
    }

    /// No test: every item among `xml_names`, in package order, as one section (through a
    /// synthetic test that references them).
    fn import_items(&self, xml_names: &[&String]) -> Result<Loaded, Error> {
        let items: Vec<(String, String)> = xml_names
            .iter()
            .filter_map(|n| {
                self.read(n)
                    .filter(|t| t.contains("<qti-assessment-item"))
                    .map(|t| ((*n).clone(), t))
            })
            .collect();
        if self.over.get() {
            return Err(self.too_large());
        }
        if items.is_empty() {
            return Err(invalid(
                self.file,
                "the package holds no QTI 3.0 assessment test or item".into(),
            ));
        }
        let refs: String = items
            .iter()
            .map(|(n, _)| {
                format!(
                    "<qti-assessment-item-ref identifier=\"{}\" href=\"{}\"/>",
                    esc(&xml_id(n)),
                    esc(n)
                )
            })
            .collect();
        let synthetic = format!(
            "<qti-assessment-test identifier=\"package\" title=\"{}\"><qti-test-part identifier=\"p\"><qti-assessment-section identifier=\"items\" title=\"Items\">{refs}</qti-assessment-section></qti-test-part></qti-assessment-test>",
            esc(self.file.unwrap_or("QTI package"))
        );
        let by_name: BTreeMap<String, String> = items.into_iter().collect();
        let resolve = |href: &str| by_name.get(href).cloned();
        import_item_or_test(
            &synthetic,
            Some(&self.label("imsmanifest")),
            self.limits,
            &resolve,
        )
    }
}

/// A package that cannot be read: a `syntax` problem on the package as a whole.
fn invalid(file: Option<&str>, message: String) -> Error {
    Error::Invalid(vec![Problem::at(
        "syntax",
        Severity::Error,
        message,
        file,
        (0, 0),
    )])
}
