from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import httpx
import pytest

from costcode_desktop.procore import (
    AuthenticationFailed,
    Cancelled,
    CancelToken,
    ClientCredentials,
    ConnectionFailed,
    MalformedResponse,
    StaticToken,
    TimedOut,
)

from .helpers import Harness, reply

LOGIN = "https://login.example.test"
SECRET = "s3cr3t-client-SECRET"
REJECTED = (
    "Procore did not accept the client id and secret. Check them in Connection settings (the "
    "app must be installed in your Procore company)."
)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """A fake /oauth/token that hands out numbered tokens."""

    def __init__(self, expires_in: int = 5400, created_at: float | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.expires_in = expires_in
        self.created_at = created_at
        self.delay = 0.0
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            number = len(self.requests)
        if self.delay:
            time.sleep(self.delay)  # lets other threads pile up on the credentials lock
        body: dict[str, object] = {
            "access_token": f"token-{number}",
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }
        if self.created_at is not None:
            body["created_at"] = self.created_at
        return reply(body)


def credentials(server: object, clock: Clock | None = None, **kwargs: object) -> ClientCredentials:
    http = httpx.Client(transport=httpx.MockTransport(server))  # type: ignore[arg-type]
    return ClientCredentials(
        LOGIN + "/",
        "client-id-1",
        SECRET,
        http=http,
        clock=clock or Clock(),
        **kwargs,  # type: ignore[arg-type]
    )


def test_static_token() -> None:
    token = StaticToken("  abc  ")
    assert token.bearer_token() == "abc"
    assert token.token_rejected("abc") is False
    assert "abc" not in repr(token)
    with pytest.raises(ValueError, match="Enter an access token"):
        StaticToken(" ")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        token.bearer_token(cancel)


def test_token_request_puts_secrets_in_the_form_body_only() -> None:
    server = TokenServer()
    creds = credentials(server)
    assert creds.bearer_token() == "token-1"
    (request,) = server.requests
    assert request.method == "POST"
    assert str(request.url) == f"{LOGIN}/oauth/token"
    assert SECRET not in str(request.url)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = parse_qs(request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id-1"],
        "client_secret": [SECRET],
    }


def test_repr_never_shows_the_secret() -> None:
    creds = credentials(TokenServer())
    creds.bearer_token()
    assert SECRET not in repr(creds)
    assert "token-1" not in repr(creds)
    assert "client-id-1" in repr(creds)


def test_token_is_cached_until_expiry_minus_margin() -> None:
    clock = Clock()
    server = TokenServer(expires_in=5400)
    creds = credentials(server, clock, refresh_margin=120.0)
    assert creds.bearer_token() == "token-1"
    clock.now += 5400 - 121
    assert creds.bearer_token() == "token-1"
    assert len(server.requests) == 1
    clock.now += 2  # inside the margin
    assert creds.bearer_token() == "token-2"
    assert creds.fetch_count == 2


def test_created_at_in_the_past_shortens_the_cache() -> None:
    clock = Clock(1_000_000.0)
    server = TokenServer(expires_in=5400, created_at=1_000_000.0 - 5000)
    creds = credentials(server, clock, refresh_margin=120.0)
    assert creds.bearer_token() == "token-1"
    clock.now += 100  # issued 5,000 s ago: refreshed 120 s before its end, at now + 280
    assert creds.bearer_token() == "token-1"
    clock.now += 300
    assert creds.bearer_token() == "token-2"


def test_created_at_in_the_future_does_not_stretch_the_lifetime() -> None:
    clock = Clock(1_000_000.0)
    server = TokenServer(expires_in=5400, created_at=1_000_000.0 + 3600)  # server clock ahead
    creds = credentials(server, clock, refresh_margin=120.0)
    creds.bearer_token()
    clock.now += 5400 - 100
    assert creds.bearer_token() == "token-2"


def test_skewed_clock_does_not_fetch_on_every_call() -> None:
    clock = Clock(1_000_000.0)
    server = TokenServer(expires_in=5400, created_at=1_000_000.0 - 86_400)  # a day behind
    creds = credentials(server, clock)
    for _ in range(10):
        creds.bearer_token()
    assert len(server.requests) == 1


def test_eight_threads_fetch_once() -> None:
    server = TokenServer()
    server.delay = 0.05
    creds = credentials(server)
    barrier = threading.Barrier(8)
    tokens: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        token = creds.bearer_token()
        with lock:
            tokens.append(token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert tokens == ["token-1"] * 8
    assert len(server.requests) == 1


def test_eight_threads_refresh_once_after_expiry() -> None:
    clock = Clock()
    server = TokenServer()
    creds = credentials(server, clock)
    creds.bearer_token()
    clock.now += 6000
    server.delay = 0.05
    results: list[str] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(creds.bearer_token())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == ["token-2"] * 8
    assert len(server.requests) == 2


def test_token_rejected_drops_the_cached_token() -> None:
    server = TokenServer()
    creds = credentials(server)
    assert creds.bearer_token() == "token-1"
    assert creds.token_rejected("token-1") is True
    assert creds.bearer_token() == "token-2"
    # A stale rejection (another thread already refreshed) keeps the new token.
    assert creds.token_rejected("token-1") is True
    assert creds.bearer_token() == "token-2"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "invalid_client", "error_description": "Client authentication failed"}),
        (400, {"error": "invalid_client"}),
        (401, {"error": "something"}),
    ],
)
def test_rejected_client_credentials(status: int, body: dict[str, str]) -> None:
    creds = credentials(lambda request: reply(body, status, {"X-Request-Id": "rid-9"}))
    with pytest.raises(AuthenticationFailed) as caught:
        creds.bearer_token()
    assert str(caught.value) == REJECTED
    assert caught.value.status == status
    assert caught.value.request_id == "rid-9"


def test_other_400_is_authentication_failed_with_the_server_reason() -> None:
    body = {"error": "unsupported_grant_type", "error_description": "Grant not allowed"}
    creds = credentials(lambda request: reply(body, 400))
    with pytest.raises(AuthenticationFailed) as caught:
        creds.bearer_token()
    assert caught.value.detail == "Grant not allowed (unsupported_grant_type)"


def test_secret_echoed_by_the_server_is_hidden() -> None:
    body = {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}
    creds = credentials(lambda request: reply(body, 401))
    with pytest.raises(AuthenticationFailed) as caught:
        creds.bearer_token()
    assert SECRET not in caught.value.technical_details()
    assert "[hidden]" in (caught.value.detail or "")


def test_connection_errors_and_timeouts() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(ConnectionFailed) as caught:
        credentials(refuse).bearer_token()
    assert not isinstance(caught.value, TimedOut)
    assert SECRET not in caught.value.technical_details()
    with pytest.raises(TimedOut):
        credentials(slow).bearer_token()


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>login</html>"),
        httpx.Response(200, json={"token_type": "bearer"}),
        httpx.Response(200, json={"access_token": ""}),
        httpx.Response(200, json=["x"]),
    ],
)
def test_unreadable_token_answers(response: httpx.Response) -> None:
    with pytest.raises(MalformedResponse):
        credentials(lambda request: response).bearer_token()


def test_cancelled_before_fetch() -> None:
    server = TokenServer()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        credentials(server).bearer_token(cancel)
    assert server.requests == []


def test_client_refreshes_once_on_401_then_gives_up() -> None:
    server = TokenServer()
    creds = credentials(server)
    api = Harness(
        steps=[reply({}, 401), reply({"id": 1, "login": "a@b", "name": "A"})], tokens=creds
    )
    assert api.client.me().id == 1
    auth = [request.headers["authorization"] for request in api.requests]
    assert auth == ["Bearer token-1", "Bearer token-2"]

    api2 = Harness(lambda request: reply({"error": "expired"}, 401), tokens=creds)
    with pytest.raises(AuthenticationFailed):
        api2.client.me()
    assert len(api2.requests) == 2  # one retry with a fresh token, no more
    assert [r.headers["authorization"] for r in api2.requests] == [
        "Bearer token-2",
        "Bearer token-3",
    ]
    assert len(server.requests) == 3
    assert api2.waits == []


def test_static_token_401_is_not_retried() -> None:
    api = Harness(lambda request: reply({"error": "expired"}, 401))
    with pytest.raises(AuthenticationFailed) as caught:
        api.client.me()
    assert len(api.requests) == 1
    assert caught.value.status == 401


def test_token_endpoint_outage_is_retried_by_the_client() -> None:
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return reply({"error": "oops"}, 503)
        return reply({"access_token": "token-ok", "expires_in": 5400})

    creds = credentials(flaky)
    api = Harness(steps=[reply({"id": 5, "login": "x", "name": "X"})], tokens=creds)
    assert api.client.me().id == 5
    assert len(calls) == 3
    assert len(api.waits) == 2
    assert api.requests[0].headers["authorization"] == "Bearer token-ok"


def test_login_url_must_be_https_unless_loopback() -> None:
    with pytest.raises(ValueError, match="https://"):
        ClientCredentials("http://login.example.test", "id", SECRET)
    creds = ClientCredentials("http://localhost:8765/", "id", SECRET)
    assert creds.token_url == "http://localhost:8765/oauth/token"
    creds.close()
