//! Where things are: the repository's root and fixtures, the shared folder beside the checkout,
//! and temporary folders removed on drop; and the minimal OB 3.0 credential tests sign.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `fixtures/<sub>` in the repository (a copy of `../shared/fixtures`).
pub fn fixtures_dir(sub: &str) -> PathBuf {
    repo_root().join("fixtures").join(sub)
}

/// The bytes of `fixtures/<path>`.
pub fn fixture_bytes(path: &str) -> Vec<u8> {
    let p = fixtures_dir(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading fixture {}: {e}", p.display()))
}

/// The JSON value of `fixtures/<path>`.
pub fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(path))
        .unwrap_or_else(|e| panic!("fixture {path} is not JSON: {e}"))
}

/// A minimal unsigned OB 3.0 `OpenBadgeCredential` issued by `issuer` to `did:example:alice`
/// (valid from 2024-01-01): the document tests sign, tamper with and verify. Tests that need
/// another id, name or member change the returned value.
pub fn ob3_credential(issuer: &str) -> Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"],
            "achievement": {"id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77",
                "type": ["Achievement"], "name": "A", "description": "B",
                "criteria": {"narrative": "C"}}}
    })
}

/// The folder `shared/` beside the checkout (`OB_SHARED_DIR` overrides it), if it exists.
pub fn shared_dir() -> Option<PathBuf> {
    let p = std::env::var_os("OB_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"));
    p.is_dir().then_some(p)
}

/// A fresh folder under the system's temporary folder, removed (with its contents) on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// A new empty folder whose name contains `label`, the process id and a counter.
    pub fn new(label: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("ob-test-{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `path/name`.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `bytes` to `path/name` (creating parent folders) and returns the file's path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
