//! An issuer's web site on loopback: what the `Issuer` hands back to host, served by path, with
//! `410 Gone` for what a revocation takes down.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use openbadges::HostedDocument;
use openbadges::proof::loader::{CachingLoader, DocumentLoader, HttpLoader, Layered, StaticLoader};
use openbadges_test_support::http::{Response, Server};

/// The bundled contexts, then the guarded network, behind one cache.
pub(crate) type OnlineLoader = Arc<CachingLoader<Layered<StaticLoader, Box<dyn DocumentLoader>>>>;

type Pages = Arc<Mutex<HashMap<String, Response>>>;

/// A site whose pages can change while it serves.
pub(crate) struct Site {
    pub(crate) server: Server,
    pages: Pages,
}

impl Site {
    pub(crate) fn start() -> Site {
        let pages: Pages = Arc::default();
        let p = pages.clone();
        let server = Server::start(move |req| {
            p.lock()
                .unwrap()
                .get(req.path_only())
                .cloned()
                .unwrap_or_else(Response::not_found)
        });
        Site { server, pages }
    }

    /// `http://127.0.0.1:PORT`
    pub(crate) fn origin(&self) -> String {
        self.server.base_url()
    }

    /// `127.0.0.1:PORT`, for the verifier's allowed hosts.
    pub(crate) fn host(&self) -> String {
        self.server.addr().to_string()
    }

    /// Serves each document at its URL's path.
    pub(crate) fn publish(&self, docs: &[HostedDocument]) {
        let origin = self.origin();
        let mut pages = self.pages.lock().unwrap();
        for d in docs {
            let path = d.url.strip_prefix(&origin).unwrap().to_owned();
            pages.insert(path, Response::ok(d.body.clone(), &d.content_type));
        }
    }

    /// Answers `410 Gone` at each URL.
    pub(crate) fn take_down(&self, urls: &[String]) {
        let origin = self.origin();
        let mut pages = self.pages.lock().unwrap();
        for u in urls {
            let path = u.strip_prefix(&origin).unwrap().to_owned();
            pages.insert(
                path,
                Response::status(410, b"{}".to_vec(), "application/json"),
            );
        }
    }

    /// A new loader (empty cache) that reads the bundled contexts, then this site over HTTP
    /// (its loopback host allowed).
    pub(crate) fn loader(&self) -> OnlineLoader {
        let http = HttpLoader::new().unwrap().allow_host(&self.host()).unwrap();
        Arc::new(CachingLoader::new(Layered {
            first: StaticLoader::with_bundled_contexts(),
            then: Box::new(http) as Box<dyn DocumentLoader>,
        }))
    }
}
