//! The shared test support works: the loopback server serves a folder, the CLI runs.

use openbadges_test_support::cli::{Cli, code, describe, json_lines};
use openbadges_test_support::fixtures::fixtures_dir;
use openbadges_test_support::http::{Server, get};

#[test]
fn the_loopback_server_serves_a_fixture_folder_and_refuses_to_climb_out() {
    let server = Server::files(fixtures_dir("ob2/served"));
    let ok = get(server.addr(), "/hosted/valid.json");
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("content-type"), Some("application/json"));
    assert_eq!(ok.json()["type"], "Assertion");
    assert_eq!(get(server.addr(), "/../MANIFEST.md").status, 404);
    assert_eq!(get(server.addr(), "/nothing-here.json").status, 404);
}

#[test]
fn the_cli_says_could_not_check_offline_and_valid_with_the_issuer_served() {
    let jws = fixtures_dir("ob2/served/signed/valid.jws");
    let jws = jws.to_str().unwrap();
    // The key lives at http://127.0.0.1:8765/: offline, the signature cannot be checked.
    let offline = Cli::built().run(["verify", "--json", jws]);
    assert_eq!(code(&offline), 2, "{}", describe(&offline));
    assert_eq!(json_lines(&offline)[0]["status"], "indeterminate");
    let _server = Server::files_on(8765, fixtures_dir("ob2/served"));
    let online = Cli::built().run(["verify", "--json", "--allow-host", "127.0.0.1:8765", jws]);
    assert_eq!(code(&online), 0, "{}", describe(&online));
    assert_eq!(json_lines(&online)[0]["status"], "valid");
}
