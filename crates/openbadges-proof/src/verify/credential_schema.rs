//! `credentialSchema`: a credential is validated against each JSON Schema it names that the
//! caller supplied in a [`SchemaRegistry`] (URL → schema). None is bundled, and a schema is
//! never fetched: validation uses the `jsonschema` crate with its default features off, so a
//! schema cannot resolve a remote `$ref` either.
//!
//! - a schema the registry knows: validated; a failure is `SCHEMA_INVALID` (invalid), with the
//!   instance path in the finding (at most [`MAX_LISTED`] listed per schema, the rest counted);
//! - a schema it does not know (the official 1EdTech URLs included, when not supplied): a
//!   skipped `credential-schema` check naming its URL, never silently ignored;
//! - an entry whose `type` is not a JSON Schema validator type
//!   (`1EdTechJsonSchemaValidator2019`, `JsonSchema`): a skipped check naming the type.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use openbadges_model::member::Members;
use serde_json::Value;

use super::ob3::as_list;
use crate::report::{CheckStatus, Code, Report};

/// At most this many schema violations are listed per schema (the rest are counted).
pub const MAX_LISTED: usize = 10;

/// The `credentialSchema` types whose `id` is the URL of a JSON Schema to validate against:
/// OB 3.0 / CLR 2.0's `1EdTechJsonSchemaValidator2019` and VC 2.0's `JsonSchema`.
pub const JSON_SCHEMA_TYPES: &[&str] = &["1EdTechJsonSchemaValidator2019", "JsonSchema"];

/// Why a schema could not be added to a [`SchemaRegistry`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A file or folder could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// A file is larger than [`SchemaRegistry::MAX_FILE_BYTES`].
    #[error("{path}: larger than {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A folder holds more than [`SchemaRegistry::MAX_FILES`] schema files.
    #[error("{path}: more than {limit} schema files")]
    TooMany {
        /// The folder.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// A file is not JSON.
    #[error("{path}: not JSON: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A schema read from a file has no absolute http(s) `$id` naming the URL it is for.
    #[error("{path}: no `$id` with the schema's http(s) URL")]
    NoId {
        /// The file.
        path: PathBuf,
    },
    /// The schema does not compile (not a valid JSON Schema, or a `$ref` that is not inside
    /// the schema: references are never fetched).
    #[error("schema {url}: does not compile: {message}")]
    Compile {
        /// The URL the schema was registered for.
        url: String,
        /// The compiler's message.
        message: String,
    },
    /// Two schemas for the same URL.
    #[error("schema {url}: given twice")]
    Duplicate {
        /// The URL.
        url: String,
    },
}

/// The JSON Schemas a verifier knows, by the URL a `credentialSchema` entry names. Each is
/// compiled when added. Cheap to clone (the compiled schemas are shared).
///
/// The official OB 3.0 / CLR 2.0 schemas are not bundled: supply them (e.g. files saved from
/// `https://purl.imsglobal.org/spec/ob/v3p0/schema/json/…`) with [`SchemaRegistry::insert`] or
/// [`SchemaRegistry::from_dir`]. A schema without `$schema` is read as draft 2019-09 (the draft
/// `1EdTechJsonSchemaValidator2019` names).
#[derive(Clone, Default)]
pub struct SchemaRegistry {
    schemas: BTreeMap<String, Arc<jsonschema::Validator>>,
}

impl std::fmt::Debug for SchemaRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.schemas.keys()).finish()
    }
}

/// The registry a verifier uses when given none.
pub(crate) static EMPTY: SchemaRegistry = SchemaRegistry::new();

impl SchemaRegistry {
    /// The largest schema file [`SchemaRegistry::from_dir`] reads (16 MiB).
    pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
    /// The most schema files [`SchemaRegistry::from_dir`] reads from one folder.
    pub const MAX_FILES: usize = 1024;

    /// An empty registry: every `credentialSchema` is a skipped check.
    pub const fn new() -> Self {
        SchemaRegistry {
            schemas: BTreeMap::new(),
        }
    }

    /// Compiles `schema` and registers it for `url` (the `id` of the `credentialSchema` entries
    /// to validate with it). A `$id` inside the schema is not consulted.
    ///
    /// # Errors
    /// [`SchemaError::Compile`] when it is not a JSON Schema that compiles without fetching;
    /// [`SchemaError::Duplicate`] when `url` is already registered.
    pub fn insert(&mut self, url: &str, schema: &Value) -> Result<(), SchemaError> {
        if self.schemas.contains_key(url) {
            return Err(SchemaError::Duplicate {
                url: url.to_owned(),
            });
        }
        let compiled = if schema.member("$schema").is_some() {
            jsonschema::validator_for(schema)
        } else {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft201909)
                .build(schema)
        }
        .map_err(|e| SchemaError::Compile {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
        self.schemas.insert(url.to_owned(), Arc::new(compiled));
        Ok(())
    }

    /// Reads every `*.json` file of `dir` (not its subfolders) as a schema registered for the
    /// URL its `$id` names, as the official schemas' `$id`s do. At most
    /// [`Self::MAX_FILES`] files of at most [`Self::MAX_FILE_BYTES`] each.
    ///
    /// # Errors
    /// The first file that cannot be read, is not JSON, has no http(s) `$id`, does not compile,
    /// or repeats a URL ([`SchemaError`]).
    pub fn from_dir(dir: &Path) -> Result<Self, SchemaError> {
        let mut reg = SchemaRegistry::new();
        reg.add_dir(dir)?;
        Ok(reg)
    }

    /// As [`Self::from_dir`], adding to this registry.
    ///
    /// # Errors
    /// As [`Self::from_dir`].
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), SchemaError> {
        let io = |path: &Path, e: std::io::Error| SchemaError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|x| x == "json") && path.is_file() {
                if files.len() == Self::MAX_FILES {
                    return Err(SchemaError::TooMany {
                        path: dir.to_owned(),
                        limit: Self::MAX_FILES,
                    });
                }
                files.push(path);
            }
        }
        files.sort();
        for path in files {
            let len = std::fs::metadata(&path).map_err(|e| io(&path, e))?.len();
            if len > Self::MAX_FILE_BYTES {
                return Err(SchemaError::TooLarge {
                    path,
                    limit: Self::MAX_FILE_BYTES,
                });
            }
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let schema: Value = serde_json::from_slice(&bytes).map_err(|e| SchemaError::Json {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let Some(url) = schema
                .member("$id")
                .and_then(Value::as_str)
                .filter(|u| crate::input::is_http_url(u))
            else {
                return Err(SchemaError::NoId { path });
            };
            self.insert(url, &schema)?;
        }
        Ok(())
    }

    /// The registered URLs, in order.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.schemas.keys().map(String::as_str)
    }

    /// Whether a schema is registered for `url`.
    pub fn contains(&self, url: &str) -> bool {
        self.schemas.contains_key(url)
    }

    /// How many schemas are registered.
    pub fn len(&self) -> usize {
        self.schemas.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
    }

    fn get(&self, url: &str) -> Option<&jsonschema::Validator> {
        self.schemas.get(url).map(|v| &**v)
    }
}

/// Validates `doc` against every schema of `schemas` its `credentialSchema` names, recording a
/// `credential-schema` check per entry.
pub(super) fn check(schemas: &SchemaRegistry, r: &mut Report, doc: &Value, node: Option<&str>) {
    for entry in as_list(doc.member("credentialSchema")) {
        let id = entry
            .member("id")
            .and_then(Value::as_str)
            .unwrap_or("(no id)");
        let ty = entry
            .member("type")
            .and_then(Value::as_str)
            .unwrap_or("(no type)");
        if !JSON_SCHEMA_TYPES.contains(&ty) {
            r.skip(
                "credential-schema",
                format!("{id} ({ty}) not validated: not a JSON Schema validator type"),
                node,
            );
            continue;
        }
        let Some(v) = schemas.get(id) else {
            r.skip(
                "credential-schema",
                format!(
                    "{id} ({ty}) not validated: no schema supplied for this URL \
                     (schemas are never fetched)"
                ),
                node,
            );
            continue;
        };
        let mut n = 0;
        for e in v.iter_errors(doc) {
            n += 1;
            if n <= MAX_LISTED {
                let path = e.instance_path().to_string();
                let path = if path.is_empty() {
                    "/".to_owned()
                } else {
                    path
                };
                r.error(
                    Code::SchemaInvalid,
                    format!("credentialSchema {id}: at {path}: {e}"),
                    node,
                );
            }
        }
        if n == 0 {
            r.pass("credential-schema", format!("valid against {id}"), node);
            continue;
        }
        if n > MAX_LISTED {
            r.error(
                Code::SchemaInvalid,
                format!(
                    "credentialSchema {id}: {} more violation(s) not listed",
                    n - MAX_LISTED
                ),
                node,
            );
        }
        r.check(
            "credential-schema",
            CheckStatus::Failed,
            format!("{n} violation(s) of {id}"),
            node,
        );
    }
}
