"""Signing in to the sandbox the way a user does, with no browser: every OAuth rule on the way."""

from __future__ import annotations

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
from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.services import list_projects, read_company_list, refresh_project
from costcode_desktop.services.loopback import SignInFailed
from costcode_desktop.services.secrets import SessionSecretStore
from costcode_desktop.services.settings import Connection
from costcode_desktop.services.signin import (
    Credentials,
    NoStoredSignIn,
    open_session,
    pasted_code_url,
    refresh_token_key,
    save_client_secret,
    sign_in_with_browser,
    sign_in_with_pasted_code,
    sign_out,
    stored_tokens,
    user_tokens,
)
from costcode_desktop.services.status import check_projects
from tests.sandbox_support import free_port

LOGIN, PASSWORD = "ap@example.com", "demo"
COMPANY = 4264807


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def server(port: int) -> Iterator[SandboxServer]:
    seed = demo_seed()
    seed["app"]["redirect_uris"].append(f"http://localhost:{port}/callback")
    with SandboxServer(seed) as running:
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


def test_a_callback_with_the_wrong_state_is_not_accepted(
    server: SandboxServer, credentials: Credentials
) -> None:
    with pytest.raises(SignInFailed, match="No answer came back"):
        sign_in_with_browser(credentials, user_in_browser(server, tamper_state=True), timeout=2)


def test_pasted_code_sign_in_and_a_code_works_only_once(
    server: SandboxServer, credentials: Credentials
) -> None:
    code = server.approve(pasted_code_url(credentials), LOGIN, PASSWORD)
    grant = sign_in_with_pasted_code(credentials, code)
    assert grant.refresh_token
    with pytest.raises(SignInExpired):
        sign_in_with_pasted_code(credentials, code)


def test_an_expired_code_asks_for_a_new_sign_in(
    server: SandboxServer, credentials: Credentials
) -> None:
    code = server.approve(pasted_code_url(credentials), LOGIN, PASSWORD)
    server.advance_clock(601)  # codes live ten minutes
    with pytest.raises(SignInExpired, match="Sign in again"):
        sign_in_with_pasted_code(credentials, code)


def signed_in(
    server: SandboxServer, credentials: Credentials, store: SessionSecretStore
) -> RefreshingTokens:
    code = server.approve(pasted_code_url(credentials), LOGIN, PASSWORD)
    return user_tokens(credentials, sign_in_with_pasted_code(credentials, code), store)


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
