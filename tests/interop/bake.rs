//! Baking interop, both directions:
//! - our baked PNG/SVG (OB 2.0 JSON, 2.0 JWS, 3.0 VC-JWT, 3.0 JSON) are read back with the Python
//!   openbadges-bakery (`bake-py`) and with openbadgeslib (`ob3-py extract`, and its baking
//!   module directly for the OB 2.0 carriers: `bake_openbadgeslib.py`, a peer adapter, because
//!   openbadgeslib has no command for them);
//! - images the peers bake during the run, and the peer-made fixtures, are read with ours.
//!
//! A combination a peer cannot do is a known peer limitation ([`Tally::limit`]; docs/baking.md,
//! "Deliberate differences from other bakeries"): openbadges-bakery 2.0.0 reads and writes only
//! the OB 2.0 carrier. Every combination a peer supports must pass.

use std::path::{Path, PathBuf};
use std::process::Output;

use openbadges_test_support::cli::{Cli, code};
use openbadges_test_support::fixtures::{TempDir, fixtures_dir};
use openbadges_test_support::peers::{Peer, Peers};
use serde_json::Value;

use crate::harness::{Tally, arg, report};

/// The payloads baked, each with its file under fixtures/ and its OB version.
const PAYLOADS: [(&str, &str, Version); 4] = [
    ("ob2-json", "ob2/served/hosted/valid.json", Version::Ob2),
    ("ob2-jws", "ob2/served/signed/valid.jws", Version::Ob2),
    ("ob3-jwt", "ob3/peers/ob3-EdDSA.jwt", Version::Ob3),
    (
        "ob3-json",
        "ob3/peers/ob3-eddsa-rdfc-2022-didkey.json",
        Version::Ob3,
    ),
];

/// The unbaked images, per format.
const IMAGES: [(&str, &str); 2] = [
    ("png", "ob2/upstream/mozbakery-unbaked.png"),
    ("svg", "ob2/upstream/mozbakery-unbaked.svg"),
];

/// The carrier a payload goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    /// `openbadges` iTXt / `<openbadges:assertion>`.
    Ob2,
    /// `openbadgecredential` iTXt / `<openbadges:credential>`.
    Ob3,
}

impl Version {
    /// The adapter's name for it.
    fn name(self) -> &'static str {
        match self {
            Version::Ob2 => "ob2",
            Version::Ob3 => "ob3",
        }
    }
}

/// What the checks share.
struct Bake<'a> {
    cli: Cli,
    peers: &'a Peers,
    work: TempDir,
}

#[test]
fn bake_peers_read_ours_and_we_read_theirs() {
    let Some(peers) = Peers::get() else { return };
    let mut t = Tally::new("interop-bake");
    let s = Bake {
        cli: Cli::built(),
        peers,
        work: TempDir::new("interop-bake"),
    };
    for (fmt, image) in IMAGES {
        for payload in PAYLOADS {
            s.the_peers_read_ours(&mut t, fmt, image, payload);
        }
    }
    for (fmt, image) in IMAGES {
        for payload in PAYLOADS {
            s.we_read_what_the_peers_bake(&mut t, fmt, image, payload);
        }
    }
    s.we_read_the_peer_made_fixtures(&mut t);
    t.finish();
}

/// Whether two payloads are the same badge: JSON compared as JSON values (a peer may
/// re-serialize), anything else (compact JWS/JWT, URL) exactly after trimming whitespace.
fn same(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (a, b) = (a.trim(), b.trim());
    a == b
        || matches!(
            (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// Whether `got` is the hosted id of the JSON assertion `payload` (the SVG `verify` attribute,
/// which both Python peers return for a 2.0 JSON assertion).
fn is_hosted_id(payload: &[u8], got: &[u8]) -> bool {
    serde_json::from_slice::<Value>(payload)
        .is_ok_and(|p| p["id"].as_str() == Some(String::from_utf8_lossy(got).trim()))
}

/// The first 120 characters of `bytes`, for a failure message.
fn head(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(120).collect()
}

/// The last 200 characters of a command's stderr, for a failure message.
fn tail(out: &Output) -> String {
    let e = String::from_utf8_lossy(&out.stderr);
    let skip = e.chars().count().saturating_sub(200);
    e.chars().skip(skip).collect()
}

impl Bake<'_> {
    /// `bake_openbadgeslib.py ARGS` with openbadgeslib's interpreter.
    fn openbadgeslib(&self, args: &[&str]) -> Output {
        let script = openbadges_test_support::fixtures::repo_root()
            .join("tests/interop/bake_openbadgeslib.py");
        let mut c = self.peers.python("py311-ob3");
        c.arg(script).args(args);
        c.output().unwrap()
    }

    /// `openbadges extract --json FILE`: (payload, keyword), or `None` when it fails.
    fn ours_extract_json(&self, file: &Path) -> Option<(Vec<u8>, String)> {
        let out = self.cli.run(["extract", "--json", &arg(file)]);
        let r = report(&out).filter(|_| code(&out) == 0)?;
        Some((
            r["payload"].as_str()?.as_bytes().to_vec(),
            r["keyword"].as_str().unwrap_or("").to_owned(),
        ))
    }

    /// A peer's reading of a 2.0 JSON assertion in SVG may be the `verify` attribute (the
    /// hosted id) rather than the body: both are the right badge.
    fn check_read(&self, t: &mut Tally, label: &str, svg_json: bool, want: &[u8], got: &[u8]) {
        if svg_json && !same(want, got) {
            t.check(
                format!("{label} (returns verify = hosted id)"),
                is_hosted_id(want, got),
                || format!("got: {}", head(got)),
            );
        } else {
            t.check(label, same(want, got), || format!("got: {}", head(got)));
        }
    }

    /// Ours bakes `payload` into `image`; ours, bake-py, ob3-py (3.0) and openbadgeslib's
    /// baking module read it back.
    fn the_peers_read_ours(
        &self,
        t: &mut Tally,
        fmt: &str,
        image: &str,
        (name, payload_path, ver): (&str, &str, Version),
    ) {
        let payload = std::fs::read(fixtures_dir(payload_path)).unwrap();
        let baked = self.work.join(format!("ours-{name}.{fmt}"));
        let out = self.cli.run([
            "bake",
            "--image",
            &arg(&fixtures_dir(image)),
            "--payload",
            &arg(&fixtures_dir(payload_path)),
            "-o",
            &arg(&baked),
        ]);
        if code(&out) != 0 {
            t.fail(format!("ours bake {fmt} {name}"), tail(&out));
            return;
        }
        let svg_json = fmt == "svg" && name == "ob2-json";
        let baked_s = arg(&baked);
        let out = self.cli.run(["extract", &baked_s]);
        if code(&out) == 0 {
            let label = format!("ours bake+extract {fmt} {name}");
            t.check(&label, same(&payload, &out.stdout), || {
                format!("got: {}", head(&out.stdout))
            });
        } else {
            t.fail(format!("ours extract {fmt} {name}"), tail(&out));
        }
        // openbadges-bakery 2.0.0: OB 1.x/2.0 only (iTXt `openbadges`, <openbadges:assertion>).
        let out = self.peers.run(Peer::BakePy, &["unbake", &baked_s]);
        let label = format!("bake-py unbake ours {fmt} {name}");
        if code(&out) == 0 {
            self.check_read(t, &label, svg_json, &payload, &out.stdout);
        } else if ver == Version::Ob3 {
            t.limit(format!(
                "{label}: openbadges-bakery 2.0.0 reads only the OB 2.0 carrier"
            ));
        } else {
            t.fail(label, tail(&out));
        }
        // openbadgeslib: `ob3-py extract` (OB 3.0 carriers) ...
        if ver == Version::Ob3 {
            let out = self.peers.run(Peer::Ob3Py, &["extract", &baked_s]);
            let label = format!("ob3-py extract ours {fmt} {name}");
            if code(&out) == 0 {
                t.check(&label, same(&payload, &out.stdout), || {
                    format!("got: {}", head(&out.stdout))
                });
            } else {
                t.fail(label, tail(&out));
            }
        }
        // ... and its baking module with the carrier of the payload's version (OB 2.0 included).
        let out = self.openbadgeslib(&["extract", ver.name(), &baked_s]);
        let label = format!("openbadgeslib extract ours {fmt} {name}");
        if code(&out) == 0 {
            self.check_read(t, &label, svg_json, &payload, &out.stdout);
        } else {
            t.fail(label, tail(&out));
        }
    }

    /// bake-py and openbadgeslib bake `payload` into `image`; ours reads it back.
    fn we_read_what_the_peers_bake(
        &self,
        t: &mut Tally,
        fmt: &str,
        image: &str,
        (name, payload_path, ver): (&str, &str, Version),
    ) {
        let payload = std::fs::read(fixtures_dir(payload_path)).unwrap();
        let (image, payload_s) = (arg(&fixtures_dir(image)), arg(&fixtures_dir(payload_path)));
        // openbadges-bakery bakes every payload as OB 2.0 (`openbadges`).
        let out_file = self.work.join(format!("bakepy-{name}.{fmt}"));
        let out = self.peers.run(
            Peer::BakePy,
            &["bake", &image, &arg(&out_file), "--data-file", &payload_s],
        );
        if code(&out) != 0 {
            t.fail(format!("bake-py bake {fmt} {name}"), tail(&out));
        } else if let Some((got, keyword)) = self.ours_extract_json(&out_file) {
            t.check(
                format!("ours extract bake-py {fmt} {name}"),
                same(&payload, &got),
                || format!("got: {}", head(&got)),
            );
            if ver == Version::Ob3 {
                t.limit(format!(
                    "bake-py bake {fmt} {name}: openbadges-bakery 2.0.0 cannot bake OB 3.0 \
                     (used keyword {keyword})"
                ));
            }
        } else {
            t.fail(format!("ours extract bake-py {fmt} {name}"), "no payload");
        }
        // openbadgeslib: ob3-py bake-png/bake-svg for OB 3.0, its baking module for OB 2.0.
        let out_file = self.work.join(format!("oblib-{name}.{fmt}"));
        let out_s = arg(&out_file);
        let (out, want_keyword) = match ver {
            Version::Ob3 => {
                let cmd = format!("bake-{fmt}");
                let out = self.peers.run(
                    Peer::Ob3Py,
                    &[cmd.as_str(), &payload_s, &out_s, "--image", &image],
                );
                (
                    out,
                    if fmt == "png" {
                        "openbadgecredential"
                    } else {
                        "credential"
                    },
                )
            }
            Version::Ob2 => {
                let out = self.openbadgeslib(&["bake", "ob2", &image, &payload_s, &out_s]);
                (
                    out,
                    if fmt == "png" {
                        "openbadges"
                    } else {
                        "assertion"
                    },
                )
            }
        };
        if code(&out) != 0 {
            let who = if ver == Version::Ob3 {
                format!("ob3-py bake-{fmt}")
            } else {
                format!("openbadgeslib bake {fmt}")
            };
            t.fail(format!("{who} {name}"), tail(&out));
            return;
        }
        let label = format!("ours extract openbadgeslib {fmt} {name}");
        match self.ours_extract_json(&out_file) {
            Some((got, keyword)) => {
                if keyword != want_keyword {
                    t.fail(&label, format!("keyword {keyword}, want {want_keyword}"));
                }
                t.check(&label, same(&payload, &got), || {
                    format!("got: {}", head(&got))
                });
            }
            None => t.fail(label, "no payload"),
        }
    }

    /// The peer-made fixtures read by ours give their known payloads, and the same payload as
    /// each peer reads.
    fn we_read_the_peer_made_fixtures(&self, t: &mut Tally) {
        let hosted_url = b"http://127.0.0.1:8765/hosted/valid.json".to_vec();
        let file = |p: &str| std::fs::read(fixtures_dir(p)).unwrap();
        let known: [(&str, Vec<u8>); 7] = [
            (
                "ob2/baked/hosted-valid-json.png",
                file("ob2/served/hosted/valid.json"),
            ),
            (
                "ob2/baked/hosted-valid.svg",
                file("ob2/served/hosted/valid.json"),
            ),
            ("ob2/baked/hosted-valid-url.png", hosted_url),
            (
                "ob2/baked/signed-valid.png",
                file("ob2/served/signed/valid.jws"),
            ),
            (
                "ob2/baked/signed-valid.svg",
                file("ob2/served/signed/valid.jws"),
            ),
            (
                "ob3/peers/ob3-EdDSA-baked.png",
                file("ob3/peers/ob3-EdDSA.jwt"),
            ),
            (
                "ob3/peers/ob3-EdDSA-baked.svg",
                file("ob3/peers/ob3-EdDSA.jwt"),
            ),
        ];
        for (fixture, want) in known {
            let out = self.cli.run(["extract", &arg(&fixtures_dir(fixture))]);
            let label = format!("ours extract fixture {fixture}");
            if code(&out) == 0 {
                t.check(&label, same(&want, &out.stdout), || {
                    format!("got: {}", head(&out.stdout))
                });
            } else {
                t.fail(label, tail(&out));
            }
        }
        let by_bake_py = [
            "ob2/baked/hosted-valid-json.png",
            "ob2/baked/signed-valid.png",
            "ob2/baked/signed-valid.svg",
            "ob2/baked/legacy-text-chunk-url.png",
            "ob2/upstream/csbakery-baked_heart.png",
            "ob2/upstream/mozbakery-no-json.svg",
        ];
        let by_ob3_py = [
            "ob3/peers/ob3-EdDSA-baked.png",
            "ob3/peers/ob3-EdDSA-baked.svg",
            "ob3/peers/ob3-ldp-baked.png",
            "ob3/1edtech-validator/simple-json.png",
            "ob3/1edtech-validator/simple-jwt.svg",
        ];
        let peers = by_bake_py
            .iter()
            .map(|f| ("bake-py", Peer::BakePy, "unbake", *f))
            .chain(
                by_ob3_py
                    .iter()
                    .map(|f| ("ob3-py", Peer::Ob3Py, "extract", *f)),
            );
        for (name, peer, cmd, fixture) in peers {
            let path: PathBuf = fixtures_dir(fixture);
            let ours = self.cli.run(["extract", &arg(&path)]);
            let theirs = self.peers.run(peer, &[cmd, &arg(&path)]);
            if code(&theirs) == 0 {
                t.check(
                    format!("ours = {name} on {fixture}"),
                    same(&theirs.stdout, &ours.stdout),
                    || format!("got: {}", head(&ours.stdout)),
                );
            } else {
                t.fail(format!("{name} {cmd} {fixture}"), tail(&theirs));
            }
        }
    }
}
