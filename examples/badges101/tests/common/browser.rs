//! A headless Chromium (Debian's `chromium`) driven over the DevTools protocol on a pipe (no
//! extra crates), for the tests that use the pages as a person would: navigate, click, type,
//! move with the keyboard only, check accessibility with axe-core and take screenshots.
//!
//! - [`find_chromium`] skips a test (with a message) where no Chromium is installed, unless
//!   `BADGES101_REQUIRE_BROWSER` is set (CI): there, a missing browser fails the test.
//! - [`Browser::axe_violations`] / [`Browser::assert_accessible`]: axe-core from its npm package
//!   ([`AXE_CORE_VERSION`], pinned), which the set-up installs once with `npm install` into a
//!   cache folder under the cargo target directory (outside git), injected into the page.
//! - [`Browser::screenshot`]: the whole page at a given width (1280 and 390 px in the tests),
//!   written to [`screenshot_dir`] (`BADGES101_SCREENSHOTS=DIR` overrides it).
//! - [`Browser::press`], [`Browser::tab_to`], [`Browser::focused`], [`Browser::insert_text`]:
//!   the keyboard, through `Input.dispatchKeyEvent` / `Input.insertText`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The axe-core release the accessibility checks run (npm package `axe-core`).
pub const AXE_CORE_VERSION: &str = "4.14.1";

/// The path of the installed Chromium, or `None` (the caller skips) where there is none. With
/// `BADGES101_REQUIRE_BROWSER` set, a missing Chromium fails instead.
pub fn find_chromium() -> Option<String> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .map(str::to_owned);
    if found.is_none() {
        assert!(
            std::env::var_os("BADGES101_REQUIRE_BROWSER").is_none(),
            "BADGES101_REQUIRE_BROWSER is set but no chromium is installed"
        );
        eprintln!("SKIPPED: no chromium installed (apt-get install chromium)");
    }
    found
}

/// Where screenshots go: `BADGES101_SCREENSHOTS`, else `badges101-screenshots/` in the cargo
/// target directory's test scratch folder (`CARGO_TARGET_TMPDIR`).
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("BADGES101_SCREENSHOTS").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("badges101-screenshots"),
        PathBuf::from,
    )
}

/// A folder named `name` in the cargo target directory's scratch folder with the npm
/// `packages` (each `name@version`) installed, the first time it is needed (`npm install
/// --prefix`), reused after. Several tests at once: each installs into its own folder and
/// renames it into place; the loser's copy goes.
pub fn npm_folder(name: &str, packages: &[&str]) -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let cache = tmp.join(name);
    if !cache.join("node_modules").exists() {
        let staging = tmp.join(format!("{name}.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).unwrap();
        let out = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&staging)
            .args(packages)
            .output()
            .unwrap_or_else(|e| panic!("npm is needed to install {packages:?}: {e}"));
        assert!(
            out.status.success(),
            "npm install {packages:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if std::fs::rename(&staging, &cache).is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
    }
    cache
}

/// `axe.min.js` of [`AXE_CORE_VERSION`], installed from npm by [`npm_folder`].
pub fn axe_source() -> String {
    let folder = npm_folder(
        &format!("axe-core-{AXE_CORE_VERSION}"),
        &[&format!("axe-core@{AXE_CORE_VERSION}")],
    );
    std::fs::read_to_string(folder.join("node_modules/axe-core/axe.min.js")).unwrap()
}

/// One key the keyboard helpers press.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Tab: focus the next control.
    Tab,
    /// Shift+Tab: focus the previous control.
    ShiftTab,
    /// Enter: follow a link, press a button, submit a form.
    Enter,
    /// Space: press a button.
    Space,
}

/// A headless Chromium with one tab, attached over `--remote-debugging-pipe`.
pub struct Browser {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: u64,
    /// The attached tab's DevTools session (`None`: commands go to the browser itself).
    pub session: Option<String>,
    axe: Option<String>,
}

impl Browser {
    /// Starts Chromium with its profile in `profile` and no tab attached yet.
    pub fn launch(chromium: &str, profile: &Path) -> Browser {
        // fd 3 = commands in, fd 4 = replies out (`--remote-debugging-pipe`). The machine's
        // network is closed: background networking, component updates, sync and QUIC off.
        let cmd = format!(
            "exec {chromium} --headless=new --no-sandbox --disable-gpu --no-first-run \
--disable-extensions --disable-background-networking --disable-component-update \
--disable-sync --disable-quic --hide-scrollbars --window-size=1280,900 --user-data-dir={} \
--remote-debugging-pipe 3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null",
            profile.display()
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        buf.pop();
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                            if tx.send(v).is_err() {
                                break;
                            }
                        }
                    }
                }
            }
        });
        Browser {
            child,
            stdin,
            rx,
            next: 0,
            session: None,
            axe: None,
        }
    }

    /// Starts Chromium (profile under `dir`), opens a tab, attaches to it and loads `url`.
    pub fn open(chromium: &str, dir: &Path, url: &str) -> Browser {
        let mut b = Browser::launch(chromium, &dir.join("profile"));
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().map(str::to_owned);
        b.call("Page.enable", json!({}));
        b.navigate(url);
        b
    }

    /// Sends one DevTools command and returns its result (fails on an error reply).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.stdin.write_all(&bytes).unwrap();
        self.stdin.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no reply to {method}"));
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Evaluates `expr` in the page and returns its value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Evaluates `expr`, a promise, and returns what it resolves to.
    pub fn eval_async(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Loads `url` and waits until the new page has loaded.
    pub fn navigate(&mut self, url: &str) {
        self.mark_page();
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for_new_page();
    }

    /// Marks the current document, so [`Browser::wait_for_new_page`] can tell the next one
    /// from it (a form may lead to the same path again).
    pub fn mark_page(&mut self) {
        self.eval("window.__badges101_old_page = true");
    }

    /// Waits until a document other than the one [`Browser::mark_page`] marked has loaded.
    pub fn wait_for_new_page(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.eval(
                "window.__badges101_old_page === undefined && document.readyState === 'complete'",
            );
            if v == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page; still at {}",
                self.path()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The path of the page shown (`location.pathname`).
    pub fn path(&mut self) -> String {
        self.eval("location.pathname")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the page at `path` has loaded; a `path` ending in `*` is a prefix.
    pub fn wait_for_path(&mut self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.eval("location.pathname + '|' + document.readyState");
            if v.as_str()
                .is_some_and(|s| s.ends_with("|complete") && s.split('|').next() == Some(path))
                || (path.ends_with('*')
                    && v.as_str().is_some_and(|s| {
                        s.starts_with(path.trim_end_matches('*')) && s.ends_with("|complete")
                    }))
            {
                return;
            }
            assert!(Instant::now() < deadline, "still at {v} waiting for {path}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The page's visible text.
    pub fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page's `<title>`.
    pub fn title(&mut self) -> String {
        self.eval("document.title")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The texts of the page's `h1` elements.
    pub fn h1s(&mut self) -> Vec<String> {
        let v = self.eval("[...document.querySelectorAll('h1')].map(h => h.textContent.trim())");
        serde_json::from_value(v).unwrap()
    }

    /// Clicks the button whose accessible name (its text) is `name`.
    pub fn click_button(&mut self, name: &str) {
        let ok = self.eval(&format!(
            "(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === {}); if (!b) return false; b.click(); return true; }})()",
            json!(name)
        ));
        assert_eq!(ok, json!(true), "no button {name:?} in {}", self.text());
    }

    /// The address of the link whose text is `name`.
    pub fn link(&mut self, name: &str) -> String {
        self.link_where(&format!("a.textContent.trim() === {}", json!(name)))
            .unwrap_or_else(|| panic!("no link {name:?}"))
    }

    /// The address of the first link `a` for which the JavaScript `condition` holds.
    pub fn link_where(&mut self, condition: &str) -> Option<String> {
        let v = self.eval(&format!(
            "(() => {{ const a = [...document.querySelectorAll('a')].find(a => {condition}); return a ? a.href : null; }})()"
        ));
        v.as_str().map(str::to_owned)
    }

    /// Waits until every image on the page has loaded (and decoded to a real size).
    pub fn wait_for_images(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.eval("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
            != json!(true)
        {
            assert!(
                Instant::now() < deadline,
                "images did not load: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs axe-core on the page and returns its violations (each as axe reports it: `id`,
    /// `impact`, `help`, `nodes`, …). `label` names the page in messages.
    pub fn axe_violations(&mut self, label: &str) -> Vec<Value> {
        if self.axe.is_none() {
            self.axe = Some(axe_source());
        }
        let loaded = self.eval("typeof window.axe === 'object'");
        if loaded != json!(true) {
            let source = self.axe.clone().unwrap_or_default();
            let r = self.call(
                "Runtime.evaluate",
                json!({"expression": source, "returnByValue": true}),
            );
            assert!(
                r.get("exceptionDetails").is_none(),
                "{label}: axe-core did not load: {r}"
            );
        }
        let v = self.eval_async(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => \
({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html + ' ' + \
n.failureSummary)})))",
        );
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{label}: axe's answer: {e}"))
    }

    /// Fails when axe-core finds a violation of impact "serious" or "critical" on the page;
    /// prints the lesser ones. Returns every violation found.
    pub fn assert_accessible(&mut self, label: &str) -> Vec<Value> {
        let all = self.axe_violations(label);
        let grave: Vec<&Value> = all
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            grave.is_empty(),
            "{label}: axe-core found serious or critical violations:\n{}",
            serde_json::to_string_pretty(&grave).unwrap()
        );
        for v in &all {
            eprintln!("{label}: axe (minor): {} {}", v["id"], v["help"]);
        }
        all
    }

    /// A screenshot of the whole page at `width` CSS px (a phone-like viewport below 600),
    /// written to [`screenshot_dir`] as `NAME-WIDTH.png`; returns its path. The viewport is
    /// set back to the window's afterwards.
    pub fn screenshot(&mut self, name: &str, width: u32) -> PathBuf {
        let mobile = width < 600;
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        let height = self
            .eval("Math.ceil(document.documentElement.scrollHeight)")
            .as_u64()
            .unwrap_or(800)
            .clamp(200, 8000);
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        self.call("Emulation.clearDeviceMetricsOverride", json!({}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}-{width}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Screenshots of the page at 1280 and 390 px wide ([`Browser::screenshot`]).
    pub fn screenshots(&mut self, name: &str) {
        self.screenshot(name, 1280);
        self.screenshot(name, 390);
    }

    /// Presses `key` (down and up) as a keyboard does.
    pub fn press(&mut self, key: Key) {
        let (key_name, code, vk, text, modifiers) = match key {
            Key::Tab => ("Tab", "Tab", 9, "", 0),
            Key::ShiftTab => ("Tab", "Tab", 9, "", 8),
            Key::Enter => ("Enter", "Enter", 13, "\r", 0),
            Key::Space => (" ", "Space", 32, " ", 0),
        };
        let mut down = json!({
            "type": if text.is_empty() { "rawKeyDown" } else { "keyDown" },
            "key": key_name, "code": code, "modifiers": modifiers,
            "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk,
        });
        if !text.is_empty() {
            down["text"] = json!(text);
            down["unmodifiedText"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({
                "type": "keyUp", "key": key_name, "code": code, "modifiers": modifiers,
                "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk,
            }),
        );
    }

    /// What has the keyboard focus: its tag name, a space, and its accessible text (a
    /// control's label or text, a link's text), e.g. `BUTTON True`, `A Next`, `INPUT Email`.
    pub fn focused(&mut self) -> String {
        self.eval(
            "(() => { const e = document.activeElement; if (!e || e === document.body) return 'BODY'; \
const label = e.labels && e.labels.length ? e.labels[0].textContent : \
(e.getAttribute('aria-label') || e.textContent || e.value || ''); \
return e.tagName + ' ' + label.trim().replace(/\\s+/g, ' '); })()",
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Presses Tab until the focused element is `wanted` (as [`Browser::focused`] describes
    /// it), at most `max` times; returns how many presses it took. Fails when the focus never
    /// gets there, listing where it went.
    pub fn tab_to(&mut self, wanted: &str, max: usize) -> usize {
        let mut seen = Vec::new();
        for n in 1..=max {
            self.press(Key::Tab);
            let now = self.focused();
            if now == wanted {
                return n;
            }
            seen.push(now);
        }
        panic!(
            "{wanted:?} not reached with {max} Tabs on {}; the focus went to {seen:?}",
            self.path()
        );
    }

    /// Types `text` into the focused field (`Input.insertText`, as an input method does).
    pub fn insert_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
