"""Exact fault cases over MockTransport, and proxy discovery against httpx's own rules."""

from __future__ import annotations

import socket
import ssl
import urllib.request
from collections.abc import Callable

import httpx
import pytest
from httpx._utils import get_environment_proxies  # the rules we mirror (private, tests only)

from costcode_desktop.procore import (
    CertificateNotTrusted,
    ConnectionFailed,
    HostNotFound,
    ProcoreError,
    ProxyAuthenticationRequired,
    ProxyFailed,
    TokenEndpoint,
    build_http_client,
)
from costcode_desktop.procore.network import ProxyRoute, proxy_routes

from .helpers import Harness, fast_retry, reply

ME = {"id": 7, "login": "pat@example.test", "name": "Pat"}
COPY_OK: dict[str, list[object]] = {"successes": [], "failures": []}


def raising(make: Callable[[], BaseException], cause: BaseException | None = None) -> Callable:
    """A MockTransport step raising `make()` with `cause` below it, like httpx wraps OSErrors."""

    def step(request: httpx.Request) -> httpx.Response:
        error = make()
        raise error from cause

    return step


def verify_failed(code: int, text: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {text}")
    error.verify_code = code
    error.verify_message = text
    return error


def cert_error(code: int = 19, text: str = "self-signed certificate in certificate chain"):
    return raising(
        lambda: httpx.ConnectError(f"[SSL: CERTIFICATE_VERIFY_FAILED] {text}"),
        verify_failed(code, text),
    )


def refused_error() -> Callable:
    return raising(
        lambda: httpx.ConnectError("[Errno 111] Connection refused"),
        ConnectionRefusedError(111, "Connection refused"),
    )


def lookup_error() -> Callable:
    return raising(
        lambda: httpx.ConnectError("[Errno -2] Name or service not known"),
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    )


def proxy_error(status_line: str) -> Callable:
    return raising(lambda: httpx.ProxyError(status_line))


def copy(h: Harness) -> object:
    return h.client.copy_subset_from_standard_list(1, 2, 3, [4])


# -- the request loop -----------------------------------------------------------------------


def test_certificate_failure_is_not_retried() -> None:
    h = Harness(steps=[cert_error(), reply(ME)], retry=fast_retry())
    with pytest.raises(CertificateNotTrusted) as caught:
        h.client.me()
    assert len(h.requests) == 1
    assert h.waits == []
    assert str(caught.value).startswith(
        "The secure connection to api.example.test could not be verified: its certificate is "
        "not trusted by this computer."
    )
    assert "self-signed" in (caught.value.detail or "")


def test_an_expired_certificate_also_points_at_the_clock() -> None:
    h = Harness(steps=[cert_error(10, "certificate has expired")])
    with pytest.raises(CertificateNotTrusted) as caught:
        h.client.me()
    assert str(caught.value).endswith(" Also check that this computer's date and time are right.")


def test_other_tls_trouble_is_not_called_a_certificate_problem() -> None:
    h = Harness(
        handler=raising(
            lambda: httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"),
            ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
        ),
        retry=fast_retry(2),
    )
    with pytest.raises(ConnectionFailed) as caught:
        h.client.me()
    assert type(caught.value) is ConnectionFailed
    assert str(caught.value) == ConnectionFailed.default_message


def test_proxy_407_to_connect_is_not_retried() -> None:
    h = Harness(steps=[proxy_error("407 Proxy Authentication Required"), reply(ME)])
    with pytest.raises(ProxyAuthenticationRequired) as caught:
        h.client.me()
    assert len(h.requests) == 1
    assert str(caught.value) == (
        "The proxy server asks for a user name and password, which this app cannot send on its "
        "own. Ask your IT department to let CostCodeSync reach api.example.test without a proxy "
        "sign-in."
    )
    assert caught.value.status == 407


def test_a_407_answer_is_not_retried() -> None:
    h = Harness(steps=[reply({"error": "proxy"}, 407), reply(ME)])
    with pytest.raises(ProxyAuthenticationRequired):
        h.client.me()
    assert len(h.requests) == 1


def test_proxy_refusal_by_policy_is_not_retried() -> None:
    h = Harness(steps=[proxy_error("403 Forbidden"), reply(ME)])
    with pytest.raises(ProxyFailed) as caught:
        h.client.me()
    assert len(h.requests) == 1
    assert caught.value.permanent
    assert '(it answered "403 Forbidden")' in str(caught.value)


def test_proxy_gateway_error_is_retried_even_for_a_post_since_nothing_was_sent() -> None:
    h = Harness(steps=[proxy_error("502 Bad Gateway"), reply(COPY_OK, 201)])
    assert copy(h) is not None
    assert len(h.requests) == 2
    assert h.reasons[0][0].startswith("Could not get through the proxy server; trying again")


def test_proxy_gateway_error_that_lasts_says_so() -> None:
    h = Harness(handler=proxy_error("504 Gateway Timeout"), retry=fast_retry(3))
    with pytest.raises(ProxyFailed) as caught:
        h.client.me()
    assert len(h.requests) == 3
    assert str(caught.value) == (
        'The proxy server could not connect this app to api.example.test (it answered "504 '
        'Gateway Timeout"). Try again in a few minutes; if it keeps happening, ask your IT '
        "department to allow api.example.test through the proxy."
    )


def test_name_lookup_failure_is_retried_then_explained() -> None:
    h = Harness(handler=lookup_error(), retry=fast_retry(3))
    with pytest.raises(HostNotFound) as caught:
        h.client.me()
    assert len(h.requests) == 3
    assert h.reasons[0][0].startswith("Could not find Procore's server (is the computer offline?)")
    assert str(caught.value) == (
        "Could not find api.example.test. Check that this computer is connected to the internet, "
        "then try again. If other websites open, ask your IT department whether api.example.test "
        "is blocked."
    )


def test_name_lookup_failure_heals() -> None:
    h = Harness(steps=[lookup_error(), reply(ME)])
    assert h.client.me().id == 7


def test_a_refused_connection_keeps_the_general_message() -> None:
    h = Harness(handler=refused_error(), retry=fast_retry(2))
    with pytest.raises(ConnectionFailed) as caught:
        h.client.me()
    assert type(caught.value) is ConnectionFailed


# -- the sign-in endpoint -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "kind", "start"),
    [
        (cert_error(), CertificateNotTrusted, "The secure connection to login.example.test"),
        (lookup_error(), HostNotFound, "Could not find login.example.test."),
        (proxy_error("407 Proxy Authentication Required"), ProxyAuthenticationRequired, "The"),
        (
            lambda request: httpx.Response(407, request=request),
            ProxyAuthenticationRequired,
            "The proxy server asks",
        ),
    ],
)
def test_sign_in_errors_are_explained_the_same_way(
    step: Callable[[httpx.Request], httpx.Response], kind: type[ProcoreError], start: str
) -> None:
    http = httpx.Client(transport=httpx.MockTransport(step))
    endpoint = TokenEndpoint("https://login.example.test", "id", "client-SECRET-value", http=http)
    with pytest.raises(kind) as caught:
        endpoint.refresh("refresh-SECRET-value")
    http.close()
    assert str(caught.value).startswith(start)
    details = caught.value.technical_details()
    assert "SECRET" not in details


# -- discovery ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environment",
    [
        {"HTTPS_PROXY": "proxy.example.com:8080"},
        {"HTTP_PROXY": "http://p:1", "HTTPS_PROXY": "https://p:2", "ALL_PROXY": "http://p:3"},
        {
            "ALL_PROXY": "http://p:3",
            "NO_PROXY": "localhost, 127.0.0.1,::1,.corp.example,intranet,http://plain.example",
        },
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com,*"},
        {"NO_PROXY": "example.com"},
    ],
)
def test_discovery_follows_httpx_rules(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    ours = {key: route is None for key, route in proxy_routes().items()}
    theirs = {key: url is None for key, url in get_environment_proxies().items()}
    assert ours == theirs


def test_a_route_never_holds_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://ann:pa55word@[fd00::1]:3128")
    route = proxy_routes()["https://"]
    assert isinstance(route, ProxyRoute)
    assert route.address == "[fd00::1]:3128"
    assert route.has_credentials
    assert route.source == "set by the https_proxy environment variable"
    assert "pa55word" not in repr(route)
    assert "ann" not in repr(route)


def test_system_settings_are_used_only_without_proxy_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"https": "http://sys:8080"})
    route = proxy_routes()["https://"]
    assert route is not None
    assert not route.from_environment
    assert route.address == "sys:8080"
    monkeypatch.setenv("HTTP_PROXY", "http://env:3128")  # as urllib: any variable wins
    assert set(proxy_routes()) == {"http://"}


def test_a_no_proxy_entry_httpx_cannot_parse_is_skipped_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "::1/128,intranet.example")
    with pytest.raises(httpx.InvalidURL):
        httpx.Client()  # httpx's own discovery gives up on the whole client
    assert set(proxy_routes()) == {"https://", "all://*intranet.example"}
    build_http_client(5).close()
