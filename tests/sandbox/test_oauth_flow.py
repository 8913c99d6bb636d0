"""The authorization-code sign-in end to end over loopback HTTP: page, code, tokens, rotation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from costcode_desktop.sandbox import SandboxServer, SeedError, SignInError, demo_seed
from costcode_desktop.sandbox import demo as d
from costcode_desktop.sandbox.seed import parse_seed

CALLBACK = "http://localhost:8765/callback"
OTHER_CALLBACK = "http://127.0.0.1:8766/callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"
CLIENT = {"client_id": "demo-client", "client_secret": "demo-secret"}
# Characters that must survive HTML escaping and URL encoding untouched.
NASTY_STATE = "s t+a/t=e&x?<script>\"'%20é"


class _Inputs(HTMLParser):
    """Every <input> (name -> attributes) and every form, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str]] = {}
        self.forms: list[dict[str, str]] = []
        self.buttons: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "input" and "name" in attributes:
            self.inputs[attributes["name"]] = attributes
        elif tag == "form":
            self.forms.append(attributes)
        elif tag == "button":
            self.buttons.append(attributes)


def inputs_of(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    parser.close()
    return parser


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def authorize_params(
    redirect_uri: str = CALLBACK, state: str | None = "xyz", **extra: str
) -> dict[str, str]:
    params = {"response_type": "code", "client_id": "demo-client", "redirect_uri": redirect_uri}
    if state is not None:
        params["state"] = state
    params.update(extra)
    return params


def decide(
    http: httpx.Client,
    decision: str,
    *,
    login: str = "jsmith@example.com",
    password: str = "demo",
    redirect_uri: str = CALLBACK,
    state: str | None = "xyz",
) -> httpx.Response:
    form = {**authorize_params(redirect_uri, state), "decision": decision}
    form.update(login=login, password=password)
    return http.post("/oauth/authorize", data=form)


def exchange(http: httpx.Client, code: str, redirect_uri: str = CALLBACK) -> httpx.Response:
    return http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            **CLIENT,
        },
    )


def refresh(http: httpx.Client, refresh_token: str) -> httpx.Response:
    return http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, **CLIENT},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed_in(server: SandboxServer, http: httpx.Client, login: str = "jsmith@example.com") -> Any:
    """Tokens for `login` through the whole flow (approve + exchange)."""
    location = server.approve(server.authorize_url(CALLBACK, "st"), login, "demo")
    response = exchange(http, query_of(location)["code"][0])
    assert response.status_code == 200, response.text
    return response.json()


def assert_invalid_grant(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"]


@pytest.fixture
def noredirect(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10, follow_redirects=False) as client:
        yield client


# --- the sign-in page ----------------------------------------------------------------------------


def test_authorize_page_is_an_escaped_form_with_hidden_fields(noredirect: httpx.Client) -> None:
    page = noredirect.get("/oauth/authorize", params=authorize_params(state=NASTY_STATE))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "Location" not in page.headers
    html = page.text
    assert "Sign in to the CostCodeSync sandbox" in html
    assert "<strong>CostCodeSync</strong>" in html  # the app name
    assert "<script>" not in html
    assert "&lt;script&gt;&quot;&#x27;%20é" in html  # the state, escaped once
    parsed = inputs_of(html)
    assert parsed.forms == [{"method": "post", "action": "/oauth/authorize"}]
    hidden = {n: a["value"] for n, a in parsed.inputs.items() if a.get("type") == "hidden"}
    assert hidden == {
        "response_type": "code",
        "client_id": "demo-client",
        "redirect_uri": CALLBACK,
        "state": NASTY_STATE,
    }
    assert parsed.inputs["login"]["type"] == "text"
    assert parsed.inputs["password"]["type"] == "password"
    assert [(b["name"], b["value"]) for b in parsed.buttons] == [
        ("decision", "allow"),
        ("decision", "deny"),
    ]


def test_without_state_no_state_goes_back(noredirect: httpx.Client) -> None:
    page = noredirect.get("/oauth/authorize", params=authorize_params(state=None))
    assert "state" not in inputs_of(page.text).inputs
    allowed = decide(noredirect, "allow", state=None)
    assert allowed.status_code == 302
    assert set(query_of(allowed.headers["Location"])) == {"code"}


def test_wrong_password_shows_the_form_again(noredirect: httpx.Client) -> None:
    for login, password in [
        ("jsmith@example.com", "wrong"),
        ("nobody@example.com", "demo"),
        ("", ""),
        ('<b>"x"</b>', "demo"),
    ]:
        response = decide(noredirect, "allow", login=login, password=password)
        assert response.status_code == 200
        assert "Location" not in response.headers
        assert "Invalid login or password." in response.text
        assert "<b>" not in response.text
        parsed = inputs_of(response.text)
        assert parsed.inputs["login"]["value"] == login
        assert parsed.inputs["password"].get("value", "") == ""  # never echoed
        assert parsed.inputs["state"]["value"] == "xyz"


def test_login_ignores_case_and_user_password_helper(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    assert server.user_password("JSmith@Example.com") == "demo"
    assert server.user_password("nobody@example.com") is None
    response = decide(noredirect, "allow", login="JSMITH@example.com")
    assert response.status_code == 302


def test_deny_redirects_with_access_denied(noredirect: httpx.Client) -> None:
    response = decide(noredirect, "deny", login="", password="", state=NASTY_STATE)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(CALLBACK + "?error=access_denied&")
    query = query_of(location)
    assert query["error"] == ["access_denied"]
    assert query["state"] == [NASTY_STATE]
    assert "code" not in query


def test_allow_redirects_with_code_and_exact_state(noredirect: httpx.Client) -> None:
    response = decide(noredirect, "allow", state=NASTY_STATE)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(CALLBACK + "?code=")
    assert " " not in location
    assert "<" not in location
    query = query_of(location)
    assert query["state"] == [NASTY_STATE]
    assert len(query["code"][0]) >= 32
    # Each sign-in hands out a new code.
    again = decide(noredirect, "allow", state=NASTY_STATE)
    assert query_of(again.headers["Location"])["code"] != query["code"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        (authorize_params("http://evil.example/callback"), "not registered"),
        (authorize_params("http://localhost:9999/callback"), "not registered"),
        (authorize_params("http://localhost:8765/callback/"), "not registered"),
        (authorize_params(client_id="someone-else"), "not known"),
        ({**authorize_params(), "client_id": ""}, "missing"),
        ({k: v for k, v in authorize_params().items() if k != "redirect_uri"}, "redirect_uri"),
    ],
)
def test_bad_client_or_redirect_uri_never_redirects(
    noredirect: httpx.Client, params: dict[str, str], needle: str
) -> None:
    page = noredirect.get("/oauth/authorize", params=params)
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert page.headers["content-type"].startswith("text/html")
    assert needle in page.text
    # The form's hidden fields cannot be tampered with either.
    posted = noredirect.post(
        "/oauth/authorize",
        data={**params, "decision": "allow", "login": "jsmith@example.com", "password": "demo"},
    )
    assert posted.status_code == 400
    assert "Location" not in posted.headers
    denied = noredirect.post("/oauth/authorize", data={**params, "decision": "deny"})
    assert denied.status_code == 400
    assert "Location" not in denied.headers


def test_unregistered_redirect_uri_is_escaped_on_the_error_page(noredirect: httpx.Client) -> None:
    page = noredirect.get(
        "/oauth/authorize", params=authorize_params('http://x/"><script>alert(1)</script>')
    )
    assert page.status_code == 400
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_wrong_response_type_goes_back_to_a_registered_uri(noredirect: httpx.Client) -> None:
    page = noredirect.get("/oauth/authorize", params=authorize_params(response_type="token"))
    assert page.status_code == 302
    query = query_of(page.headers["Location"])
    assert query["error"] == ["unsupported_response_type"]
    assert query["state"] == ["xyz"]


def test_repeated_parameter_is_refused(server: SandboxServer, noredirect: httpx.Client) -> None:
    url = server.authorize_url(CALLBACK, "a") + "&redirect_uri=http%3A%2F%2Fevil.example%2F"
    page = noredirect.get(url)
    assert page.status_code == 400
    assert "Location" not in page.headers


def test_password_in_the_query_string_is_refused(noredirect: httpx.Client) -> None:
    response = noredirect.post(
        "/oauth/authorize",
        params={"password": "demo"},
        data={**authorize_params(), "decision": "allow", "login": "jsmith@example.com"},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers


# --- helpers on SandboxServer ------------------------------------------------------------------


def test_helpers_build_and_approve(server: SandboxServer) -> None:
    assert CALLBACK in server.redirect_uris
    assert OTHER_CALLBACK in server.redirect_uris
    url = server.authorize_url(CALLBACK, NASTY_STATE)
    assert url.startswith(f"{server.url}/oauth/authorize?response_type=code&client_id=demo-client")
    query = query_of(url)
    assert query["redirect_uri"] == [CALLBACK]
    assert query["state"] == [NASTY_STATE]
    location = server.approve(url, "ap@example.com", "demo")
    assert location.startswith(CALLBACK + "?code=")
    assert query_of(location)["state"] == [NASTY_STATE]


def test_approve_refusals_raise(server: SandboxServer) -> None:
    with pytest.raises(SignInError, match="Invalid login or password") as wrong:
        server.approve(server.authorize_url(CALLBACK, "s"), "ap@example.com", "nope")
    assert wrong.value.status == 200
    with pytest.raises(SignInError, match="not registered") as unregistered:
        server.approve(server.authorize_url("http://evil.example/", "s"), "ap@example.com", "demo")
    assert unregistered.value.status == 400


def test_approve_works_from_other_threads(server: SandboxServer) -> None:
    url = server.authorize_url(CALLBACK, "threads")
    with ThreadPoolExecutor(max_workers=4) as pool:
        locations = list(
            pool.map(lambda _: server.approve(url, "ap@example.com", "demo"), range(4))
        )
    codes = {query_of(location)["code"][0] for location in locations}
    assert len(codes) == 4


# --- the installed-app (out-of-band) variant ---------------------------------------------------


def test_oob_shows_the_code_to_copy(server: SandboxServer, noredirect: httpx.Client) -> None:
    response = decide(noredirect, "allow", redirect_uri=OOB)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "Copy this code into CostCodeSync" in response.text
    code = response.text.split('id="authorization-code">', 1)[1].split("<", 1)[0]
    assert len(code) >= 32
    tokens = exchange(noredirect, code, OOB)
    assert tokens.status_code == 200
    me = noredirect.get("/rest/v1.0/me", headers=bearer(tokens.json()["access_token"]))
    assert me.json()["id"] == d.PM_USER_ID
    # approve() returns the code itself for OOB.
    other = server.approve(server.authorize_url(OOB, "s"), "ap@example.com", "demo")
    assert "/" not in other
    assert exchange(noredirect, other, OOB).status_code == 200


def test_oob_deny_shows_a_page(noredirect: httpx.Client) -> None:
    response = decide(noredirect, "deny", redirect_uri=OOB)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "denied" in response.text.lower()


# --- the code exchange ---------------------------------------------------------------------------


def test_exchange_gives_tokens_acting_as_the_user_who_signed_in(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    location = server.approve(server.authorize_url(CALLBACK, "st"), "jsmith@example.com", "demo")
    response = exchange(noredirect, query_of(location)["code"][0])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "created_at"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    assert body["access_token"] != body["refresh_token"]
    me = noredirect.get("/rest/v1.0/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    # Not the app's acts_as_user (ap@example.com).
    assert me.json() == {"id": d.PM_USER_ID, "login": "jsmith@example.com", "name": "J. Smith"}
    info = noredirect.get("/oauth/token/info", headers=bearer(body["access_token"]))
    assert info.json()["resource_owner_id"] == d.PM_USER_ID
    assert info.json()["created_at"] == body["created_at"]


def test_exchange_accepts_json(server: SandboxServer, noredirect: httpx.Client) -> None:
    location = server.approve(server.authorize_url(CALLBACK, "s"), "ap@example.com", "demo")
    response = noredirect.post(
        "/oauth/token",
        json={
            "grant_type": "authorization_code",
            "code": query_of(location)["code"][0],
            "redirect_uri": CALLBACK,
            **CLIENT,
        },
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"]


def test_exchange_needs_the_client_secret(server: SandboxServer, noredirect: httpx.Client) -> None:
    location = server.approve(server.authorize_url(CALLBACK, "s"), "ap@example.com", "demo")
    code = query_of(location)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    for client in ({}, {"client_id": "demo-client"}, {**CLIENT, "client_secret": "wrong"}):
        response = noredirect.post("/oauth/token", data={**form, **client})
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
    in_query = noredirect.post("/oauth/token", params={"code": code}, data={**form, **CLIENT})
    assert in_query.status_code == 400
    # None of that spent the code.
    assert exchange(noredirect, code).status_code == 200


def test_exchange_missing_fields(noredirect: httpx.Client) -> None:
    for form in ({"redirect_uri": CALLBACK}, {"code": "abc"}):
        response = noredirect.post(
            "/oauth/token", data={"grant_type": "authorization_code", **form, **CLIENT}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"


def test_unknown_code_is_invalid_grant(noredirect: httpx.Client) -> None:
    assert_invalid_grant(exchange(noredirect, "no-such-code"))


def test_reused_code_is_refused_and_its_tokens_revoked(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    location = server.approve(server.authorize_url(CALLBACK, "s"), "ap@example.com", "demo")
    code = query_of(location)["code"][0]
    first = exchange(noredirect, code).json()
    rotated = refresh(noredirect, first["refresh_token"]).json()
    for token in (first["access_token"], rotated["access_token"]):
        assert noredirect.get("/rest/v1.0/me", headers=bearer(token)).status_code == 200

    replay = exchange(noredirect, code)
    assert_invalid_grant(replay)
    assert "already used" in replay.json()["error_description"]
    # Everything that descends from the code is dead: access tokens and the live refresh token.
    for token in (first["access_token"], rotated["access_token"]):
        assert noredirect.get("/rest/v1.0/me", headers=bearer(token)).status_code == 401
    assert_invalid_grant(refresh(noredirect, rotated["refresh_token"]))
    # Tokens from another sign-in are untouched.
    other = signed_in(server, noredirect)
    me = noredirect.get("/rest/v1.0/me", headers=bearer(other["access_token"]))
    assert me.status_code == 200


def test_code_expires_after_ten_minutes(server: SandboxServer, noredirect: httpx.Client) -> None:
    url = server.authorize_url(CALLBACK, "s")
    early = query_of(server.approve(url, "ap@example.com", "demo"))["code"][0]
    late = query_of(server.approve(url, "ap@example.com", "demo"))["code"][0]
    server.advance_clock(599)
    assert exchange(noredirect, early).status_code == 200
    server.advance_clock(2)
    response = exchange(noredirect, late)
    assert_invalid_grant(response)
    assert "expired" in response.json()["error_description"]


def test_redirect_uri_must_match_at_exchange(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    location = server.approve(server.authorize_url(CALLBACK, "s"), "ap@example.com", "demo")
    code = query_of(location)["code"][0]
    for wrong in (OTHER_CALLBACK, "http://localhost:8765/callback/", OOB):
        response = exchange(noredirect, code, wrong)
        assert_invalid_grant(response)
        assert "redirect_uri" in response.json()["error_description"]
    assert exchange(noredirect, code, CALLBACK).status_code == 200


# --- PKCE (RFC 7636) ---------------------------------------------------------------------------

# RFC 7636 appendix B: this verifier's S256 challenge.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def pkce_code(server: SandboxServer, **params: str) -> str:
    """A code from an authorization request that sent a PKCE challenge."""
    url = server.authorize_url(CALLBACK, "st", code_challenge=CHALLENGE)
    if params:
        url = url.replace("code_challenge_method=S256", urlencode(params))
    return query_of(server.approve(url, "ap@example.com", "demo"))["code"][0]


def exchange_with(http: httpx.Client, code: str, **extra: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    return http.post("/oauth/token", data={**form, **extra, **CLIENT})


def test_the_consent_form_carries_the_challenge(noredirect: httpx.Client) -> None:
    params = authorize_params(code_challenge=CHALLENGE, code_challenge_method="S256")
    page = noredirect.get("/oauth/authorize", params=params)
    hidden = {
        n: a["value"] for n, a in inputs_of(page.text).inputs.items() if a["type"] == "hidden"
    }
    assert hidden["code_challenge"] == CHALLENGE
    assert hidden["code_challenge_method"] == "S256"


def test_a_pkce_code_needs_its_verifier(server: SandboxServer, noredirect: httpx.Client) -> None:
    code = pkce_code(server)
    missing = exchange_with(noredirect, code)
    assert_invalid_grant(missing)
    assert "code_verifier" in missing.json()["error_description"]
    wrong = exchange_with(noredirect, code, code_verifier=VERIFIER[::-1])
    assert_invalid_grant(wrong)
    assert "does not match" in wrong.json()["error_description"]
    # The challenge itself is not the verifier (that is what S256 is for).
    assert_invalid_grant(exchange_with(noredirect, code, code_verifier=CHALLENGE))
    # None of that spent the code: the one who holds the verifier still gets the tokens.
    tokens = exchange_with(noredirect, code, code_verifier=VERIFIER)
    assert tokens.status_code == 200, tokens.text
    me = noredirect.get("/rest/v1.0/me", headers=bearer(tokens.json()["access_token"]))
    assert me.json()["login"] == "ap@example.com"
    assert_invalid_grant(exchange_with(noredirect, code, code_verifier=VERIFIER))  # single use


def test_plain_challenge_and_no_challenge(server: SandboxServer, noredirect: httpx.Client) -> None:
    plain = pkce_code(server, code_challenge_method="plain")
    assert_invalid_grant(exchange_with(noredirect, plain, code_verifier=VERIFIER))
    assert exchange_with(noredirect, plain, code_verifier=CHALLENGE).status_code == 200
    # Without a challenge the verifier is not asked for (and ignored when sent anyway).
    location = server.approve(server.authorize_url(CALLBACK, "s"), "ap@example.com", "demo")
    code = query_of(location)["code"][0]
    assert exchange_with(noredirect, code, code_verifier="anything").status_code == 200


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"code_challenge": CHALLENGE, "code_challenge_method": "S512"}, "not supported"),
        ({"code_challenge": "too-short", "code_challenge_method": "S256"}, "43 to 128"),
        ({"code_challenge": CHALLENGE + "=", "code_challenge_method": "S256"}, "43 to 128"),
        ({"code_challenge_method": "S256"}, "needs code_challenge"),
    ],
)
def test_a_bad_challenge_goes_back_as_invalid_request(
    noredirect: httpx.Client, extra: dict[str, str], needle: str
) -> None:
    page = noredirect.get("/oauth/authorize", params=authorize_params(**extra))
    assert page.status_code == 302
    query = query_of(page.headers["Location"])
    assert query["error"] == ["invalid_request"]
    assert needle in query["error_description"][0]
    assert query["state"] == ["xyz"]


def test_the_verifier_is_refused_in_the_query_string(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    code = pkce_code(server)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **CLIENT}
    response = noredirect.post("/oauth/token", params={"code_verifier": VERIFIER}, data=form)
    assert response.status_code == 400
    assert "code_verifier" in response.json()["error_description"]


# --- refresh tokens ------------------------------------------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_dies(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    first = signed_in(server, noredirect)
    second = refresh(noredirect, first["refresh_token"])
    assert second.status_code == 200
    body = second.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "created_at"}
    assert body["access_token"] != first["access_token"]
    assert body["refresh_token"] != first["refresh_token"]
    me = noredirect.get("/rest/v1.0/me", headers=bearer(body["access_token"]))
    assert me.json()["id"] == d.PM_USER_ID

    # The old refresh token is spent for good; the old access token lives until it expires.
    assert_invalid_grant(refresh(noredirect, first["refresh_token"]))
    assert_invalid_grant(refresh(noredirect, first["refresh_token"]))
    old_me = noredirect.get("/rest/v1.0/me", headers=bearer(first["access_token"]))
    assert old_me.status_code == 200

    third = refresh(noredirect, body["refresh_token"])
    assert third.status_code == 200
    server.advance_clock(5401)
    for token in (first["access_token"], body["access_token"]):
        assert noredirect.get("/rest/v1.0/me", headers=bearer(token)).status_code == 401
    # Refresh tokens do not expire on a schedule.
    fourth = refresh(noredirect, third.json()["refresh_token"])
    assert fourth.status_code == 200
    me = noredirect.get("/rest/v1.0/me", headers=bearer(fourth.json()["access_token"]))
    assert me.status_code == 200


def test_refresh_errors(server: SandboxServer, noredirect: httpx.Client) -> None:
    assert_invalid_grant(refresh(noredirect, "unknown"))
    missing = noredirect.post("/oauth/token", data={"grant_type": "refresh_token", **CLIENT})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    tokens = signed_in(server, noredirect)
    no_secret = noredirect.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "demo-client",
        },
    )
    assert no_secret.status_code == 401
    assert no_secret.json()["error"] == "invalid_client"
    in_query = noredirect.post(
        "/oauth/token",
        params={"refresh_token": tokens["refresh_token"]},
        data={"grant_type": "refresh_token", **CLIENT},
    )
    assert in_query.status_code == 400
    # The refused attempts did not spend it.
    assert refresh(noredirect, tokens["refresh_token"]).status_code == 200


def test_concurrent_refreshes_exactly_one_wins(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    token = signed_in(server, noredirect)["refresh_token"]
    barrier = threading.Barrier(8)

    def attempt(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            barrier.wait(timeout=10)
            return refresh(client, token)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(attempt, range(8)))
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1
    for response in responses:
        if response.status_code != 200:
            assert_invalid_grant(response)
    # The winner's pair works, and its refresh token rotates once more.
    fresh = winners[0].json()
    me = noredirect.get("/rest/v1.0/me", headers=bearer(fresh["access_token"]))
    assert me.status_code == 200
    assert refresh(noredirect, fresh["refresh_token"]).status_code == 200


def test_client_credentials_unchanged(noredirect: httpx.Client) -> None:
    response = noredirect.post("/oauth/token", data={"grant_type": "client_credentials", **CLIENT})
    assert response.status_code == 200
    assert "refresh_token" not in response.json()


# --- revoke and token info -----------------------------------------------------------------------


def revoke(http: httpx.Client, token: str, **client: str) -> httpx.Response:
    return http.post("/oauth/revoke", data={"token": token, **(client or CLIENT)})


def test_revoking_the_access_token_kills_its_refresh_token(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    tokens = signed_in(server, noredirect)
    other = signed_in(server, noredirect)
    response = revoke(noredirect, tokens["access_token"])
    assert response.status_code == 200
    assert response.json() == {}
    me = noredirect.get("/rest/v1.0/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    assert "revoked" in me.json()["message"]
    assert_invalid_grant(refresh(noredirect, tokens["refresh_token"]))
    # Other pairs are untouched; revoking twice is fine.
    assert noredirect.get("/rest/v1.0/me", headers=bearer(other["access_token"])).status_code == 200
    assert revoke(noredirect, tokens["access_token"]).status_code == 200


def test_revoking_the_refresh_token_kills_its_access_token(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    tokens = signed_in(server, noredirect)
    assert revoke(noredirect, tokens["refresh_token"]).status_code == 200
    me = noredirect.get("/rest/v1.0/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    assert_invalid_grant(refresh(noredirect, tokens["refresh_token"]))


def test_revoke_unknown_is_200_and_needs_the_client(
    server: SandboxServer, noredirect: httpx.Client
) -> None:
    assert revoke(noredirect, "unknown-token").status_code == 200
    assert noredirect.post("/oauth/revoke", data=CLIENT).status_code == 200
    tokens = signed_in(server, noredirect)
    wrong = revoke(noredirect, tokens["access_token"], client_id="demo-client", client_secret="x")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    me = noredirect.get("/rest/v1.0/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200


def test_token_info_valid_expired_revoked(server: SandboxServer, noredirect: httpx.Client) -> None:
    tokens = signed_in(server, noredirect)
    info = noredirect.get("/oauth/token/info", headers=bearer(tokens["access_token"]))
    assert info.status_code == 200
    body = info.json()
    # The SDK's OauthTokenInfoGet200Response: `scopes`, `expires_in_seconds` (not expires_in).
    assert set(body) == {
        "resource_owner_id",
        "scopes",
        "expires_in_seconds",
        "application",
        "created_at",
    }
    assert body["resource_owner_id"] == d.PM_USER_ID
    assert body["scopes"] == []
    assert body["application"] == {"uid": "demo-client"}
    assert 5390 <= body["expires_in_seconds"] <= 5400

    server.advance_clock(5000)
    later = noredirect.get("/oauth/token/info", headers=bearer(tokens["access_token"])).json()
    assert later["expires_in_seconds"] <= 400
    server.advance_clock(401)
    expired = noredirect.get("/oauth/token/info", headers=bearer(tokens["access_token"]))
    assert expired.status_code == 401
    assert expired.json()["error"] == "invalid_token"
    assert "expired" in expired.json()["error_description"]
    assert "WWW-Authenticate" in expired.headers

    fresh = refresh(noredirect, tokens["refresh_token"]).json()
    ok = noredirect.get("/oauth/token/info", headers=bearer(fresh["access_token"]))
    assert ok.status_code == 200
    revoke(noredirect, fresh["access_token"])
    revoked = noredirect.get("/oauth/token/info", headers=bearer(fresh["access_token"]))
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["error_description"]
    for headers in ({}, bearer("nope"), {"Authorization": "Basic abc"}):
        assert noredirect.get("/oauth/token/info", headers=headers).status_code == 401


# --- seed and demo -------------------------------------------------------------------------------


def test_demo_registers_the_loopback_callbacks() -> None:
    uris = parse_seed(demo_seed()).app.redirect_uris
    for port in range(8765, 8770):
        assert f"http://localhost:{port}/callback" in uris
        assert f"http://127.0.0.1:{port}/callback" in uris
    assert all(user["password"] == "demo" for user in demo_seed()["users"])


def _seed_with_app(**app: Any) -> dict[str, Any]:
    raw = demo_seed()
    raw["app"].update(app)
    return raw


@pytest.mark.parametrize(
    "uris",
    [["not a uri"], ["http:///callback"], ["http://localhost/cb#frag"], [""], [42], "x"],
)
def test_seed_refuses_bad_redirect_uris(uris: object) -> None:
    with pytest.raises(SeedError, match=r"app\.redirect_uris"):
        parse_seed(_seed_with_app(redirect_uris=uris))


def test_seed_app_name_and_custom_redirects() -> None:
    seed = _seed_with_app(name="Acme <Sync>", redirect_uris=["https://example.com/cb?x=1"])
    with SandboxServer(seed) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        assert server.redirect_uris == ("https://example.com/cb?x=1",)
        page = http.get(server.authorize_url("https://example.com/cb?x=1", "s"))
        assert "<strong>Acme &lt;Sync&gt;</strong>" in page.text
        location = server.approve(
            server.authorize_url("https://example.com/cb?x=1", "s"), "ap@example.com", "demo"
        )
        assert location.startswith("https://example.com/cb?x=1&code=")
        assert query_of(location)["x"] == ["1"]
        # Not registered here, but the OOB URI is always allowed.
        assert http.get(server.authorize_url(CALLBACK, "s")).status_code == 400
        assert http.get(server.authorize_url(OOB, "s")).status_code == 200


def test_user_without_password_cannot_sign_in() -> None:
    seed = demo_seed()
    del seed["users"][1]["password"]
    with SandboxServer(seed) as server:
        assert server.user_password("jsmith@example.com") is None
        with pytest.raises(SignInError):
            server.approve(server.authorize_url(CALLBACK, "s"), "jsmith@example.com", "")
