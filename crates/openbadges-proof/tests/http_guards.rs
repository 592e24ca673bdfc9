//! The HTTP loader's guards against hostile servers and URLs: one deadline per fetch (a body
//! dripped a byte at a time, a chain of slow redirects), and the address guard in every
//! spelling of a refused address (decimal, octal, hex and short IPv4, IPv4-mapped,
//! IPv4-compatible, 6to4, NAT64, Teredo, IDNA digits, percent-encoding, userinfo), checked
//! before any connection is made, and again on redirects.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use openbadges_proof::loader::{DocumentLoader, HttpLoader, LoadError};
use openbadges_test_support::http::{Response, Server, Trap};

/// A loader that may fetch from `server` only, with the default limits.
fn loader_for(server: &Server) -> HttpLoader {
    HttpLoader::new()
        .unwrap()
        .allow_host(&format!("127.0.0.1:{}", server.port()))
        .unwrap()
}

#[test]
fn a_body_dripped_byte_by_byte_is_cut_off_at_the_deadline() {
    const LEN: usize = 400;
    let sent = Arc::new(AtomicUsize::new(0));
    let sent2 = sent.clone();
    // One byte every 50 ms: 20 s for the whole body; each read sees data well within any
    // per-read timeout.
    let server = Server::start(move |_| Response::Drip {
        head: format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {LEN}\r\n\r\n"
        )
        .into_bytes(),
        body: vec![b' '; LEN],
        every: Duration::from_millis(50),
        sent: sent2.clone(),
    });
    let port = server.port();
    let l = loader_for(&server).timeout(Duration::from_secs(1)).unwrap();
    let t = Instant::now();
    let r = l.load(&format!("http://127.0.0.1:{port}/drip"));
    let took = t.elapsed();
    assert!(
        matches!(&r, Err(LoadError::TimedOut { limit, .. }) if *limit == Duration::from_secs(1)),
        "{r:?}"
    );
    // Generous bound (a loaded CI machine), far below the 20 s the body takes.
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(sent.load(Ordering::SeqCst) < LEN, "the whole body was read");
}

#[test]
fn slow_redirect_hops_share_one_deadline() {
    // Each hop answers after 400 ms; five hops take 2 s, twice the deadline, though every
    // single hop is well within it.
    let server = Server::start(|req| {
        std::thread::sleep(Duration::from_millis(400));
        let n: usize = req.path.trim_start_matches("/hop").parse().unwrap_or(0);
        if n < 4 {
            Response::redirect(302, &format!("/hop{}", n + 1))
        } else {
            Response::ok(b"{}".to_vec(), "application/json")
        }
    });
    let port = server.port();
    let l = loader_for(&server).timeout(Duration::from_secs(1)).unwrap();
    let r = l.load(&format!("http://127.0.0.1:{port}/hop0"));
    assert!(matches!(r, Err(LoadError::TimedOut { .. })), "{r:?}");
}

/// Every spelling of a loopback address for a port a listener really holds: each must be
/// refused, and the listener must see no connection.
#[test]
fn every_spelling_of_loopback_is_refused_without_a_connection() {
    let trap = Trap::new();
    let p = trap.port();
    let loader = HttpLoader::new().unwrap();
    let spellings = [
        format!("http://127.0.0.1:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f000001:{p}/"),
        format!("http://0x7f.0.0.1:{p}/"),
        format!("http://017700000001:{p}/"),
        format!("http://0177.0.0.01:{p}/"),
        format!("http://127.1:{p}/"),
        format!("http://127.0.1:{p}/"),
        format!("http://127.0.0.1.:{p}/"),
        format!("http://%31%32%37.0.0.1:{p}/"),
        format!("http://\u{ff11}\u{ff12}\u{ff17}.0.0.1:{p}/"),
        format!("http://example.org@127.0.0.1:{p}/"),
        format!("http://0:{p}/"),
        format!("http://0.0.0.0:{p}/"),
        format!("http://[::1]:{p}/"),
        format!("http://[0:0:0:0:0:0:0:1]:{p}/"),
        format!("http://[::]:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://[::ffff:7f00:1]:{p}/"),
        format!("http://[::127.0.0.1]:{p}/"),
        format!("http://[::ffff:0:127.0.0.1]:{p}/"),
        format!("http://[2002:7f00:1::]:{p}/"),
        format!("http://[64:ff9b::127.0.0.1]:{p}/"),
        format!("http://[64:ff9b:1::7f00:1]:{p}/"),
        format!("http://localhost:{p}/"),
        format!("http://LocalHost:{p}/"),
        format!("http://localhost.:{p}/"),
        format!("http://a.b.localhost:{p}/"),
        format!("https://127.0.0.1:{p}/"),
        format!("https://[::ffff:127.0.0.1]:{p}/"),
    ];
    for u in &spellings {
        let r = loader.load(u);
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{u}: {r:?}");
    }
    trap.assert_untouched("a refused url reached the listener");
}

#[test]
fn every_spelling_of_private_link_local_and_reserved_addresses_is_refused() {
    let loader = HttpLoader::new().unwrap();
    for u in [
        // 10.0.0.1, 169.254.169.254, 192.168.0.1 in decimal, hex, octal and short forms.
        "http://167772161/",
        "http://0xa9fea9fe/latest/meta-data/",
        "http://169.254.43518/",
        "http://0300.0250.0.1/",
        "http://192.168.1/",
        "http://10.1/",
        "http://100.64.0.1/",
        "http://172.31.255.255/",
        "http://192.0.0.8/",
        "http://192.0.2.1/",
        "http://198.18.0.1/",
        "http://198.51.100.1/",
        "http://203.0.113.1/",
        "http://192.88.99.1/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://4294967295/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::169.254.169.254]/",
        "http://[2002:a9fe:a9fe::]/",
        "http://[2002:c0a8:101::1]/",
        "http://[2002:a00:1::]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[64:ff9b::10.0.0.1]/",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "http://[2001:2::1]/",
        "http://[2001:db8::1]/",
        "http://[3fff::1]/",
        "http://[100::1]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://[fec0::1]/",
        "http://[ff02::1]/",
        "http://[5f00::1]/",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "gopher://127.0.0.1:70/",
    ] {
        let r = loader.load(u);
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{u}: {r:?}");
    }
}

#[test]
fn redirects_to_every_spelling_of_a_refused_address_are_refused() {
    let targets = [
        "file:///etc/passwd",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "http://[64:ff9b::169.254.169.254]/",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "http://localhost./",
    ];
    let server = Server::start(move |req| {
        let i: usize = req.path.trim_start_matches('/').parse().unwrap_or(0);
        Response::redirect(302, targets[i])
    });
    let port = server.port();
    let l = loader_for(&server);
    for (i, t) in targets.iter().enumerate() {
        let r = l.load(&format!("http://127.0.0.1:{port}/{i}"));
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{t}: {r:?}");
    }
}

#[test]
fn gzip_content_encoding_is_not_decompressed() {
    // 10 MiB of zeros gzip to ~10 KiB: a client that decoded Content-Encoding would inflate it
    // past the 1 MiB body limit. The loader asks for no encoding and decodes none: it returns
    // the bytes as sent (which then are not JSON).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &vec![0u8; 10 * 1024 * 1024]).unwrap();
    let bomb = gz.finish().unwrap();
    let len = bomb.len();
    let server = Server::start(move |_| Response::Http {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body: bomb.clone(),
    });
    let port = server.port();
    let l = loader_for(&server);
    let d = l.load(&format!("http://127.0.0.1:{port}/bomb")).unwrap();
    assert_eq!(d.body.len(), len);
    assert_eq!(&d.body[..2], &[0x1f, 0x8b]);
}

#[test]
fn a_huge_content_length_is_refused_before_reading() {
    // 1 PiB announced (hyper itself refuses a Content-Length near u64::MAX).
    let server = Server::start(|_| {
        Response::Raw(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{}}",
                1u64 << 50
            )
            .into_bytes(),
        )
    });
    let port = server.port();
    let l = loader_for(&server);
    let r = l.load(&format!("http://127.0.0.1:{port}/huge"));
    assert!(matches!(r, Err(LoadError::TooLarge { .. })), "{r:?}");
}
