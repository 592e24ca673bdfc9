"""An independent OAuth 2.0 client (authlib, pinned by the Rust test that runs this script)
against the Badges 101 OB 3.0 API host on loopback.

Usage: authlib_client.py BASE_URL EMAIL LEARNER_TOKEN

The consent is the learner's own: the session carries their learner cookie
(`b101_learner=LEARNER_TOKEN`, what the browser they earned their badge in holds); the same
form posted without it is refused (403, no redirect).

Discovers the host, registers dynamically (RFC 7591), runs the authorization code grant with
PKCE S256 through authlib's OAuth2Session (the consent is given by posting the consent page's
own form, parsed from its HTML), calls getCredentials and upsertCredential, refreshes, revokes.
Prints one JSON object with what it saw; any failed check exits non-zero.
"""

import json
import sys
from html.parser import HTMLParser
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

READONLY = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
UPSERT = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
PROFILE_READONLY = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
PROFILE_UPDATE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
# Never contacted: the script reads the Location header the host answers with.
REDIRECT = "http://127.0.0.1:9/callback"


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


class ConsentForm(HTMLParser):
    """The consent page's form: its action, hidden inputs, the Email field and the buttons."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.hidden = {}
        self.labels = []
        self.buttons = []
        self.in_label = False
        self.email_input = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("name") == "email":
            self.email_input = True
        elif tag == "label":
            self.in_label = True
        elif tag == "button":
            self.buttons.append((a.get("name"), a.get("value")))

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label = False

    def handle_data(self, data):
        if self.in_label and data.strip():
            self.labels.append(data.strip())


def main():
    base, email, learner = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    http = requests.Session()
    # The learner's browser: the cookie their badge page set.
    http.cookies.set("b101_learner", learner)
    http.trust_env = False  # loopback: never through a proxy
    seen = {}

    d = http.get(base + "/ims/ob/v3p0/discovery")
    check(d.status_code == 200, f"discovery {d.status_code}")
    d = d.json()
    acg = d["components"]["securitySchemes"]["OAuth2ACG"]
    flow = acg["flows"]["authorizationCode"]
    api = d["servers"][0]["url"]
    check(READONLY in flow["scopes"] and UPSERT in flow["scopes"], "scopes listed")

    scope = f"{READONLY} {UPSERT}"
    registered = f"{READONLY} {UPSERT} {PROFILE_READONLY} {PROFILE_UPDATE}"
    reg = http.post(
        acg["x-imssf-registrationUrl"],
        json={
            "client_name": "authlib test wallet",
            "client_uri": "http://127.0.0.1:9/",
            "redirect_uris": [REDIRECT],
            "scope": registered,
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "software_id": "authlib-test",
            "software_version": "1",
        },
    )
    check(reg.status_code == 201, f"registration {reg.status_code} {reg.text}")
    reg = reg.json()
    seen["registered"] = reg["client_id"] != "" and reg["client_secret"] != ""

    def session(scope=scope, **kw):
        s = OAuth2Session(
            reg["client_id"],
            reg["client_secret"],
            scope=scope,
            redirect_uri=REDIRECT,
            token_endpoint_auth_method="client_secret_basic",
            **kw,
        )
        s.trust_env = False
        return s

    # `plain` PKCE is refused: redirected back with invalid_request.
    plain = session(code_challenge_method="plain")
    url, _ = plain.create_authorization_url(
        flow["authorizationUrl"], code_verifier=generate_token(48)
    )
    r = http.get(url, allow_redirects=False)
    check(r.status_code == 303, f"plain: {r.status_code}")
    check("error=invalid_request" in r.headers["Location"], "plain: invalid_request")
    seen["plain_refused"] = True

    # An unregistered redirect URI: an error page, never a redirect.
    bad = session(code_challenge_method="S256")
    bad.redirect_uri = "http://127.0.0.1:9/elsewhere"
    url, _ = bad.create_authorization_url(
        flow["authorizationUrl"], code_verifier=generate_token(48)
    )
    r = http.get(url, allow_redirects=False)
    check(r.status_code == 400 and "Location" not in r.headers, f"unregistered: {r.status_code}")
    seen["unregistered_redirect_not_followed"] = True

    def authorize(client):
        """The authorization code flow: consent posted from the page's own form, code
        exchanged with the verifier. Returns the token and the redirect it came from."""
        verifier = generate_token(48)
        url, state = client.create_authorization_url(
            flow["authorizationUrl"], code_verifier=verifier
        )
        page = http.get(url, allow_redirects=False)
        check(page.status_code == 200, f"consent page {page.status_code}")
        form = ConsentForm()
        form.feed(page.text)
        check("Email" in form.labels and form.email_input, "an Email field")
        check(("decision", "allow") in form.buttons, "an Allow button")
        fields = dict(form.hidden)
        fields["email"] = email
        fields["decision"] = "allow"
        # Without the learner's cookie (another browser): refused, no redirect.
        stranger = requests.Session()
        stranger.trust_env = False
        r = stranger.post(
            base + form.action,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
        )
        check(r.status_code == 403 and "Location" not in r.headers, f"no cookie {r.status_code}")
        r = http.post(
            base + form.action,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
        )
        check(r.status_code == 303, f"consent {r.status_code}")
        location = r.headers["Location"]
        check(location.startswith(REDIRECT + "?"), f"redirect {location}")
        token = client.fetch_token(
            flow["tokenUrl"], authorization_response=location, state=state, code_verifier=verifier
        )
        check(token["token_type"].lower() == "bearer", "bearer")
        return token, location, verifier

    client = session(code_challenge_method="S256")
    token, location, verifier = authorize(client)
    seen["granted_scope"] = token["scope"]
    seen["expires_in"] = token["expires_in"]

    # The code is single-use.
    again = requests.post(
        flow["tokenUrl"],
        data={"grant_type": "authorization_code", "code": location.split("code=")[1].split("&")[0],
              "redirect_uri": REDIRECT, "code_verifier": verifier},
        auth=(reg["client_id"], reg["client_secret"]),
    )
    check(again.status_code == 400 and again.json()["error"] == "invalid_grant", "code replay")
    # ...which revoked the tokens the code gave (RFC 6749 §4.1.2): authorize again.
    replayed = client.get(api + "/credentials")
    check(replayed.status_code == 401, f"after a code replay {replayed.status_code}")
    seen["replay_revoked"] = True
    client = session(code_challenge_method="S256")
    authorize(client)

    listed = client.get(api + "/credentials", params={"limit": 10})
    check(listed.status_code == 200, f"getCredentials {listed.status_code} {listed.text}")
    seen["total"] = int(listed.headers["X-Total-Count"])
    body = listed.json()
    creds = body["credential"] + body["compactJwsString"]
    check(len(creds) >= 1, "a credential listed")

    cred = body["credential"][0]
    up = client.post(api + "/credentials", json=cred)
    seen["upsert_status"] = up.status_code
    check(up.status_code in (200, 201), f"upsertCredential {up.status_code} {up.text}")

    # A scope not granted: 403 insufficient_scope.
    prof = client.get(api + "/profile")
    check(prof.status_code == 403, f"profile without its scope {prof.status_code}")
    check("insufficient_scope" in prof.headers.get("WWW-Authenticate", ""), "insufficient_scope")

    old = dict(client.token)
    new = client.refresh_token(flow["refreshUrl"])
    check(new["refresh_token"] != old["refresh_token"], "refresh rotates")
    reuse = requests.post(
        flow["tokenUrl"],
        data={"grant_type": "refresh_token", "refresh_token": old["refresh_token"]},
        auth=(reg["client_id"], reg["client_secret"]),
    )
    check(reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant", "old refresh used")
    check(client.get(api + "/credentials").status_code == 200, "new access token works")

    rv = client.revoke_token(
        flow["x-imssf-revocationUrl"], token=new["refresh_token"], token_type_hint="refresh_token"
    )
    check(rv.status_code == 200, f"revoke {rv.status_code}")
    after = client.get(api + "/credentials")
    check(after.status_code == 401, f"after revocation {after.status_code}")
    seen["revoked"] = True

    # A second authorization for the profile scopes: getProfile, putProfile.
    profiler = session(scope=f"{PROFILE_READONLY} {PROFILE_UPDATE}", code_challenge_method="S256")
    authorize(profiler)
    p = profiler.get(api + "/profile")
    check(p.status_code == 200, f"getProfile {p.status_code} {p.text}")
    check(p.json()["email"] == email, "the profile is the consenting learner's")
    mine = {"type": ["Profile"], "name": "Ada Lovelace", "email": email}
    put = profiler.put(api + "/profile", json=mine)
    check(put.status_code == 200, f"putProfile {put.status_code} {put.text}")
    seen["profile_name"] = profiler.get(api + "/profile").json().get("name")
    nocreds = profiler.get(api + "/credentials")
    check(nocreds.status_code == 403, f"credentials with profile scopes {nocreds.status_code}")
    print(json.dumps(seen))


main()
