"""Real sockets on 127.0.0.1: dropped connections, slow answers and the token endpoint."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from costcode_desktop.procore import (
    CancelToken,
    ClientCredentials,
    ConnectionFailed,
    ProcoreClient,
    RetryPolicy,
    StaticToken,
    TimedOut,
    custom_environment,
)

Action = Callable[[BaseHTTPRequestHandler], None]


class Script:
    """What the loopback server does with each request, in order; the last action repeats."""

    def __init__(self) -> None:
        self.actions: list[Action] = []
        self.seen: list[tuple[str, str, bytes, dict[str, str]]] = []
        self.release = threading.Event()
        self.lock = threading.Lock()

    def next_action(self) -> Action:
        with self.lock:
            return self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]


def answer(data: object, status: int = 200) -> Action:
    def act(handler: BaseHTTPRequestHandler) -> None:
        payload = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("X-Request-Id", "loop-1")
        handler.end_headers()
        handler.wfile.write(payload)

    return act


def drop(handler: BaseHTTPRequestHandler) -> None:
    """Close the socket without a single byte of answer."""
    handler.close_connection = True


def stall(script: Script) -> Action:
    def act(handler: BaseHTTPRequestHandler) -> None:
        script.release.wait(10)  # longer than the client's timeout; released at teardown
        handler.close_connection = True

    return act


def make_handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            content = self.rfile.read(length) if length else b""
            with script.lock:
                script.seen.append((self.command, self.path, content, dict(self.headers)))
            script.next_action()(self)

        do_GET = _handle  # noqa: N815
        do_POST = _handle  # noqa: N815
        do_PATCH = _handle  # noqa: N815

    return Handler


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Script]]:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(script))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield url, script
    finally:
        script.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def client(url: str, **kwargs: object) -> ProcoreClient:
    env = custom_environment(url, url, key="loopback", label="Loopback")
    waits: list[float] = []
    return ProcoreClient(
        env.api_url,
        StaticToken("loop-token"),
        sleep=lambda seconds, cancel: waits.append(seconds),
        **kwargs,  # type: ignore[arg-type]
    )


def test_dropped_connections_are_retried_for_reads(server: tuple[str, Script]) -> None:
    url, script = server
    script.actions = [drop, drop, answer({"id": 1, "login": "l", "name": "Loop"})]
    with client(url) as api:
        assert api.me().name == "Loop"
        assert api.request_count == 3
    assert [method for method, *_ in script.seen] == ["GET"] * 3
    assert all(headers["Authorization"] == "Bearer loop-token" for *_, headers in script.seen)


def test_dropped_post_is_not_repeated(server: tuple[str, Script]) -> None:
    url, script = server
    script.actions = [drop, answer({"successes": [], "failures": []}, 201)]
    with client(url) as api, pytest.raises(ConnectionFailed):
        api.copy_subset_from_standard_list(1, 2, 3, [4])
    assert [method for method, *_ in script.seen] == ["POST"]
    assert json.loads(script.seen[0][2]) == {
        "project_id": 2,
        "standard_cost_code_list_id": 3,
        "standard_cost_code_ids": [4],
    }


def test_slow_answers_time_out(server: tuple[str, Script]) -> None:
    url, script = server
    script.actions = [stall(script)]
    with (
        client(url, timeout=0.3, retry=RetryPolicy(max_attempts=2)) as api,
        pytest.raises(TimedOut),
    ):
        api.me(cancel=CancelToken())
    assert len(script.seen) == 2


def test_refused_connection() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with client(f"http://127.0.0.1:{port}", retry=RetryPolicy(max_attempts=2)) as api:
        with pytest.raises(ConnectionFailed) as caught:
            api.me()
        assert api.request_count == 2
    assert "loop-token" not in caught.value.technical_details()


def test_client_credentials_over_a_socket(server: tuple[str, Script]) -> None:
    url, script = server
    script.actions = [
        answer({"access_token": "fresh", "token_type": "bearer", "expires_in": 5400}),
        answer([{"id": 9, "name": "Acme", "is_active": True}]),
    ]
    creds = ClientCredentials(url, "the-id", "the-secret-value")
    with ProcoreClient(url, creds) as api:
        assert [c.name for c in api.companies()] == ["Acme"]
    creds.close()
    (token_call, companies_call) = script.seen
    method, path, content, _ = token_call
    assert (method, path) == ("POST", "/oauth/token")
    assert "the-secret-value" not in path
    assert parse_qs(content.decode())["client_secret"] == ["the-secret-value"]
    assert companies_call[3]["Authorization"] == "Bearer fresh"
