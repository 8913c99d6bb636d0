"""Signing in to the sandbox the way a user does, with no browser: every OAuth rule on the way."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from costcode_desktop.procore import (
    CompanyIdRequired,
    ProcoreClient,
    RefreshingTokens,
    SignInExpired,
)
from costcode_desktop.procore.errors import ConnectionFailed
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services import list_projects, read_company_list, refresh_project
from costcode_desktop.services.checks import check_projects
from costcode_desktop.services.loopback import SignInFailed
from costcode_desktop.services.secrets import SessionSecretStore
from costcode_desktop.services.settings import Connection
from costcode_desktop.services.signin import (
    Credentials,
    NoStoredSignIn,
    open_session,
    refresh_token_key,
    save_client_secret,
    sign_in_with_browser,
    sign_in_with_pasted_code,
    sign_out,
    start_pasted_code,
    stored_tokens,
    user_tokens,
)
from tests.sandbox_support import (
    another_program_on_ipv6_loopback,
    connections_waiting,
    free_port,
    sign_in_seed,
    skip_without_ipv6_loopback,
)

LOGIN, PASSWORD = "ap@example.com", "demo"
COMPANY = 4264807


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def server(port: int) -> Iterator[SandboxServer]:
    with SandboxServer(sign_in_seed(port)) as running:
        yield running


@pytest.fixture
def connection(server: SandboxServer, port: int) -> Connection:
    return Connection(
        environment="custom",
        custom_login_url=server.url,
        custom_api_url=server.url,
        client_id=server.client_id,
        redirect_port=port,
    )


@pytest.fixture
def credentials(server: SandboxServer, connection: Connection) -> Credentials:
    return Credentials(connection, server.client_secret)


def user_in_browser(server: SandboxServer, *, tamper_state: bool = False) -> Callable[[str], None]:
    """What the system browser and the user do: sign in, Allow, follow the redirect."""

    def open_browser(url: str) -> None:
        def act() -> None:
            location = server.approve(url, LOGIN, PASSWORD)
            if tamper_state:
                parts = urlsplit(location)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                query["state"] = "forged"
                location = urlunsplit(parts._replace(query=urlencode(query)))
            httpx.get(location.replace("localhost", "127.0.0.1"), timeout=10)

        threading.Thread(target=act, daemon=True).start()

    return open_browser


def browser_preferring_ipv6(server: SandboxServer, opened: list[str]) -> Callable[[str], None]:
    """A browser that resolves localhost to ::1 first (common on macOS and Windows)."""

    def open_browser(url: str) -> None:
        opened.append(url)

        def act() -> None:
            location = server.approve(url, LOGIN, PASSWORD)
            parts = urlsplit(location)
            if parts.hostname == "localhost":
                location = urlunsplit(parts._replace(netloc=f"[::1]:{parts.port}"))
            with contextlib.suppress(httpx.HTTPError):  # whoever is there may never answer
                httpx.get(location, timeout=5)

        threading.Thread(target=act, daemon=True).start()

    return open_browser


def authorize_query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_browser_sign_in_end_to_end(server: SandboxServer, credentials: Credentials) -> None:
    store = SessionSecretStore()
    grant = sign_in_with_browser(credentials, user_in_browser(server), timeout=20)
    tokens = user_tokens(credentials, grant, store)
    assert store.get(refresh_token_key(credentials.connection)) == grant.refresh_token

    session = open_session(credentials.connection, tokens, company_id=COMPANY)
    assert session.user.login == LOGIN
    assert session.company.id == COMPANY
    assert {c.id for c in session.companies} == {4264807, 4264901, 4264950}
    session.close()


def test_a_program_holding_ipv6_loopback_never_gets_the_code(
    server: SandboxServer, credentials: Credentials, port: int
) -> None:
    opened: list[str] = []
    with another_program_on_ipv6_loopback(port) as squatter:
        grant = sign_in_with_browser(
            credentials, browser_preferring_ipv6(server, opened), timeout=20
        )
        assert grant.refresh_token
        assert connections_waiting(squatter) == 0
    (url,) = opened
    # The IP literal: no browser resolves it to the address the other program holds.
    assert authorize_query(url)["redirect_uri"] == [f"http://127.0.0.1:{port}/callback"]


def test_a_localhost_registration_signs_in_through_ipv6_loopback(
    server: SandboxServer, credentials: Credentials, port: int
) -> None:
    skip_without_ipv6_loopback()
    localhost = replace(credentials.connection, redirect_host="localhost")
    opened: list[str] = []
    grant = sign_in_with_browser(
        replace(credentials, connection=localhost),
        browser_preferring_ipv6(server, opened),
        timeout=20,
    )
    assert grant.refresh_token
    assert authorize_query(opened[0])["redirect_uri"] == [f"http://localhost:{port}/callback"]


def test_a_localhost_registration_stops_while_another_program_holds_ipv6_loopback(
    server: SandboxServer, credentials: Credentials, port: int
) -> None:
    localhost = replace(credentials.connection, redirect_host="localhost")
    opened: list[str] = []
    with another_program_on_ipv6_loopback(port) as squatter:
        with pytest.raises(SignInFailed, match=f"Port {port} .* in use by another program"):
            sign_in_with_browser(
                replace(credentials, connection=localhost),
                browser_preferring_ipv6(server, opened),
                timeout=20,
            )
        assert connections_waiting(squatter) == 0
    assert opened == []  # the browser was never sent anywhere


def test_the_authorize_url_carries_the_s256_challenge_of_the_verifier_sent(
    server: SandboxServer, credentials: Credentials
) -> None:
    opened: list[str] = []
    sign_in_with_browser(credentials, browser_preferring_ipv6(server, opened), timeout=20)
    query = authorize_query(opened[0])
    assert query["code_challenge_method"] == ["S256"]
    (exchange,) = [r for r in server.requests if r.method == "POST" and r.path == "/oauth/token"]
    assert isinstance(exchange.json_body, dict)
    verifier = exchange.json_body["code_verifier"]
    assert re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", verifier)  # RFC 7636 section 4.1
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).rstrip(b"=").decode()]
    assert verifier not in opened[0]  # only the challenge goes through the browser


def test_a_callback_with_the_wrong_state_is_not_accepted(
    server: SandboxServer, credentials: Credentials
) -> None:
    with pytest.raises(SignInFailed, match="No answer came back"):
        sign_in_with_browser(credentials, user_in_browser(server, tamper_state=True), timeout=2)


def test_pasted_code_sign_in_and_a_code_works_only_once(
    server: SandboxServer, credentials: Credentials
) -> None:
    started = start_pasted_code(credentials)
    code = server.approve(started.url, LOGIN, PASSWORD)
    grant = sign_in_with_pasted_code(credentials, code, started)
    assert grant.refresh_token
    with pytest.raises(SignInExpired):
        sign_in_with_pasted_code(credentials, code, started)


def test_a_pasted_code_is_good_only_with_its_own_page_verifier(
    server: SandboxServer, credentials: Credentials
) -> None:
    started = start_pasted_code(credentials)
    assert authorize_query(started.url)["code_challenge_method"] == ["S256"]
    assert started.pkce.verifier not in repr(started)
    code = server.approve(started.url, LOGIN, PASSWORD)
    # A code caught from the clipboard, spent with another sign-in's verifier: refused.
    with pytest.raises(SignInExpired):
        sign_in_with_pasted_code(credentials, code, start_pasted_code(credentials))
    assert sign_in_with_pasted_code(credentials, code, started).refresh_token


def test_an_expired_code_asks_for_a_new_sign_in(
    server: SandboxServer, credentials: Credentials
) -> None:
    started = start_pasted_code(credentials)
    code = server.approve(started.url, LOGIN, PASSWORD)
    server.advance_clock(601)  # codes live ten minutes
    with pytest.raises(SignInExpired, match="Sign in again"):
        sign_in_with_pasted_code(credentials, code, started)


def signed_in(
    server: SandboxServer, credentials: Credentials, store: SessionSecretStore
) -> RefreshingTokens:
    started = start_pasted_code(credentials)
    code = server.approve(started.url, LOGIN, PASSWORD)
    return user_tokens(credentials, sign_in_with_pasted_code(credentials, code, started), store)


def test_refresh_rotates_and_the_old_refresh_token_is_dead(
    server: SandboxServer, credentials: Credentials
) -> None:
    store = SessionSecretStore()
    tokens = signed_in(server, credentials, store)
    key = refresh_token_key(credentials.connection)
    first_access, first_refresh = tokens.bearer_token(), store.get(key)
    server.advance_clock(6000)
    tokens.token_rejected(first_access)  # as the client does on a 401

    second_access = tokens.bearer_token()
    assert second_access != first_access
    assert store.get(key) not in (None, first_refresh), "the new refresh token was stored"
    endpoint = credentials.endpoint()
    assert first_refresh is not None
    with pytest.raises(SignInExpired):
        endpoint.refresh(first_refresh)


def test_parallel_refreshes_spend_the_refresh_token_once(
    server: SandboxServer, credentials: Credentials
) -> None:
    store = SessionSecretStore()
    tokens = signed_in(server, credentials, store)
    server.advance_clock(6000)
    tokens.token_rejected(tokens.bearer_token())
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(tokens.bearer_token())) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert tokens.refresh_count == 1


def test_two_processes_sharing_the_stored_sign_in_both_keep_working(
    server: SandboxServer, credentials: Credentials
) -> None:
    store = SessionSecretStore()
    first = signed_in(server, credentials, store)
    second = stored_tokens_with(credentials, store)  # a second copy starts from what is stored
    key = refresh_token_key(credentials.connection)
    seen = {store.get(key)}
    for _ in range(3):
        server.advance_clock(6000)
        for tokens in (first, second):
            tokens.token_rejected(tokens.bearer_token())  # what a 401 does
            assert tokens.bearer_token()  # refreshed from the newest stored token
            seen.add(store.get(key))
    assert not first.ended
    assert not second.ended
    assert len(seen) == 7, "every refresh rotated the stored token"


def stored_tokens_with(credentials: Credentials, store: SessionSecretStore) -> RefreshingTokens:
    save_client_secret(store, credentials.connection, credentials.client_secret)
    tokens = stored_tokens(credentials.connection, store)
    assert isinstance(tokens, RefreshingTokens)
    return tokens


class LoseRefreshAnswers(httpx.BaseTransport):
    """The refresh reaches Procore (which rotates the token) but the answer never arrives."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.refreshes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path == "/oauth/token" and b"refresh_token" in request.read():
            self.refreshes += 1
            response.read()
            raise httpx.ReadError("connection reset", request=request)
        return response


def test_a_lost_refresh_answer_ends_in_sign_in_again_not_a_loop(
    server: SandboxServer, credentials: Credentials
) -> None:
    store = SessionSecretStore()
    tokens = signed_in(server, credentials, store)
    transport = LoseRefreshAnswers()
    tokens._endpoint._http = httpx.Client(transport=transport)  # the network between us
    server.advance_clock(6000)
    tokens.token_rejected(tokens.bearer_token())
    with pytest.raises(ConnectionFailed):
        tokens.bearer_token()
    tokens._endpoint._http = httpx.Client()  # the network is back, the token is gone
    with pytest.raises(SignInExpired, match="Sign in again"):
        tokens.bearer_token()
    with pytest.raises(SignInExpired):
        tokens.bearer_token()
    assert transport.refreshes == 1, "no retry loop"
    assert tokens.ended


def test_sign_out_revokes_and_forgets(server: SandboxServer, credentials: Credentials) -> None:
    store = SessionSecretStore()
    tokens = signed_in(server, credentials, store)
    session = open_session(credentials.connection, tokens)
    access = tokens.bearer_token()
    sign_out(session, store, credentials.connection)

    assert store.get(refresh_token_key(credentials.connection)) is None
    with (
        ProcoreClient(server.url, _Static(access)) as client,
        pytest.raises(Exception, match="sign"),
    ):
        client.me()
    with pytest.raises(NoStoredSignIn):
        stored_tokens(credentials.connection, _with_secret(store, credentials))


def _with_secret(store: SessionSecretStore, credentials: Credentials) -> SessionSecretStore:
    save_client_secret(store, credentials.connection, credentials.client_secret)
    return store


class _Static:
    def __init__(self, token: str) -> None:
        self.token = token

    def bearer_token(self, cancel: object = None) -> str:
        return self.token

    def token_rejected(self, token: str) -> bool:
        return False


def test_token_expiry_during_a_multi_project_refresh_is_invisible(
    server: SandboxServer, credentials: Credentials
) -> None:
    store = SessionSecretStore()
    tokens = signed_in(server, credentials, store)
    with ProcoreClient(server.url, tokens) as client:
        company_list = read_company_list(client, COMPANY)
        projects = list_projects(client, COMPANY)  # a request a project, within 25 per 10 s
        statuses = list(check_projects(client, company_list, projects))
        stale = [s.project for s in statuses if s.comparison and not s.comparison.in_sync][:4]
        outcomes = []
        for project in stale:
            server.advance_clock(6000)  # every project starts with an expired access token
            result = refresh_project(client, company_list, project.id)
            outcomes.append(result.outcome.value)
    assert outcomes
    assert set(outcomes) <= {"refreshed", "refused"}
    assert tokens.refresh_count >= len(stale)
    assert not tokens.ended


def test_service_account_from_the_stored_secret(
    server: SandboxServer, connection: Connection
) -> None:
    store = SessionSecretStore()
    account = replace(connection, sign_in_method="service_account", company_id=COMPANY)
    with pytest.raises(NoStoredSignIn):
        stored_tokens(account, store)
    save_client_secret(store, account, server.client_secret)
    session = open_session(account, stored_tokens(account, store))
    assert session.user.login == LOGIN  # the sandbox's service account acts as user 1
    assert session.company.id == COMPANY, "the connection's company, as none is remembered"
    session.close()
    sent = [r.company_header for r in server.requests if r.path == "/rest/v1.0/me"]
    assert sent == [str(COMPANY)]


def test_a_service_account_without_a_company_is_told_where_to_give_it(
    server: SandboxServer, connection: Connection
) -> None:
    account = replace(connection, sign_in_method="service_account")
    assert any("company id" in problem for problem in account.validate())
    store = SessionSecretStore()
    save_client_secret(store, account, server.client_secret)
    with pytest.raises(CompanyIdRequired, match=r"app\.procore\.com/"):
        open_session(account, stored_tokens(account, store))
