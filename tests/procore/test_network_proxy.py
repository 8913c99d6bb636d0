"""Proxies for real: a forward proxy on 127.0.0.1, the sandbox behind it, and the messages."""

from __future__ import annotations

import socket
import sys
import urllib.request
from collections.abc import Iterator

import httpx
import pytest

from costcode_desktop.procore import (
    CA_BUNDLE_ENV,
    ClientCredentials,
    ConnectionFailed,
    HostNotFound,
    ProcoreClient,
    ProxyAuthenticationRequired,
    ProxyFailed,
    TokenEndpoint,
    build_http_client,
)
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox.demo import COMPANY_ID
from tests.procore.netkit import (
    Certificates,
    Dns,
    ForwardProxy,
    TlsFront,
    basic,
)
from tests.sandbox_support import FAST_RETRY, free_port, signed_in_client

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> Dns:
    """*.test names are never looked up (no test touches the network): reaching one proves the
    proxy was used."""
    fake = Dns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running_proxy:
        yield running_proxy


def all_through(monkeypatch: pytest.MonkeyPatch, proxy_url: str) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy_url)


def https_client(front: TlsFront, server: SandboxServer) -> ProcoreClient:
    url = f"https://procore.test:{front.port}"
    tokens = ClientCredentials(url, server.client_id, server.client_secret)
    return ProcoreClient(url, tokens, retry=FAST_RETRY)


# -- routing --------------------------------------------------------------------------------


def test_the_sandbox_on_loopback_never_goes_through_the_proxy(
    server: SandboxServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    all_through(monkeypatch, proxy.url)
    with signed_in_client(server) as client:
        assert client.me(company_id=COMPANY_ID).id > 0
    with build_http_client(10) as http:
        port = server.url.rsplit(":", 1)[1]
        assert http.get(f"http://localhost:{port}/oauth/token/info").status_code == 401
    assert proxy.records == []


def test_loopback_bypasses_a_system_proxy_that_plain_httpx_would_use(
    server: SandboxServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx applies *_PROXY (and, with no such variable, the Windows registry or macOS settings)
    # to every host not in NO_PROXY, loopback included; and the system bypass list is ignored.
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with httpx.Client(timeout=10) as plain:
        plain.get(f"{server.url}/oauth/token/info")
    assert len(proxy.records) == 1, "httpx changed: it no longer proxies loopback"
    proxy.records.clear()
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"http": proxy.url})
    with signed_in_client(server) as client:
        client.me(company_id=COMPANY_ID)
    assert proxy.records == []


def test_other_hosts_go_through_the_proxy_without_a_local_name_lookup(
    server: SandboxServer, proxy: ForwardProxy, dns: Dns, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    port = server.url.rsplit(":", 1)[1]
    with build_http_client(10) as http:
        answer = http.get(f"http://procore.test:{port}/oauth/token/info?x=1")
    assert answer.status_code == 401  # the sandbox's own answer, through the proxy
    assert [(r.method, r.target) for r in proxy.records] == [
        ("GET", f"http://procore.test:{port}/oauth/token/info?x=1")
    ]
    assert dns.failed == []


def test_https_to_procore_goes_through_a_connect_tunnel(
    server: SandboxServer,
    proxy: ForwardProxy,
    front: TlsFront,
    certificates: Certificates,
    dns: Dns,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The corporate set-up end to end: proxy, TLS, the company root CA, sign-in and the API."""
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv(CA_BUNDLE_ENV, str(certificates.ca_cert))
    with https_client(front, server) as client:
        assert client.me(company_id=COMPANY_ID).id > 0
        assert client.companies(company_id=COMPANY_ID)
    targets = {(r.method, r.target) for r in proxy.records}
    assert targets == {("CONNECT", f"procore.test:{front.port}")}
    assert dns.failed == []


def test_no_proxy_sends_a_host_direct(
    proxy: ForwardProxy, dns: Dns, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "procore.test")
    tokens = ClientCredentials("https://procore.test", "id", "secret")
    with (
        ProcoreClient("https://procore.test", tokens, retry=FAST_RETRY) as client,
        pytest.raises(HostNotFound) as caught,
    ):
        client.me()
    assert proxy.records == []
    assert "procore.test" in dns.failed
    assert str(caught.value) == (
        "Could not find procore.test. Check that this computer is connected to the internet, "
        "then try again. If other websites open, ask your IT department whether procore.test "
        "is blocked."
    )


# -- proxy problems, in plain words ---------------------------------------------------------


def test_proxy_sign_in_refused_names_host_and_port_but_never_the_password(
    server: SandboxServer,
    front: TlsFront,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ForwardProxy(credentials=("clerk", "right-one")) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://user:secret@127.0.0.1:{proxy.port}")
        monkeypatch.setenv(CA_BUNDLE_ENV, str(certificates.ca_cert))
        with (
            https_client(front, server) as client,
            pytest.raises(ProxyAuthenticationRequired) as caught,
        ):
            client.me()
        records = list(proxy.records)
    error = caught.value
    assert str(error) == (
        f"The proxy server 127.0.0.1:{proxy.port} (set by the HTTPS_PROXY environment variable) "
        "did not accept the user name and password in the proxy setting. Ask your IT department "
        "to check them (this app can send only a plain user name and password to a proxy, not "
        "your Windows sign-in)."
    )
    assert error.permanent
    assert error.status == 407
    assert "secret" not in error.technical_details()
    assert "user:" not in error.technical_details()
    # The credentials were offered, refused once, and not tried again.
    assert [r.proxy_authorization for r in records] == [basic("user", "secret")]


def test_proxy_that_wants_a_sign_in_at_sign_in(
    front: TlsFront, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy.always_407 = True
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    endpoint = TokenEndpoint(f"https://procore.test:{front.port}", "id", "the-client-secret")
    with pytest.raises(ProxyAuthenticationRequired) as caught:
        endpoint.client_credentials()
    endpoint.close()
    assert str(caught.value) == (
        f"The proxy server 127.0.0.1:{proxy.port} (set by the HTTPS_PROXY environment variable) "
        "asks for a user name and password, which this app cannot send on its own. Ask your IT "
        "department to let CostCodeSync reach procore.test without a proxy sign-in."
    )
    assert len(proxy.records) == 1


def test_a_407_answered_to_a_plain_request_is_explained_too(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from costcode_desktop.procore.network_errors import proxy_auth_response

    proxy.always_407 = True
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with build_http_client(10) as http:
        answer = http.get("http://procore.test:1/x")
    assert answer.status_code == 407
    error = proxy_auth_response(answer)
    assert f"127.0.0.1:{proxy.port}" in str(error)
    assert error.detail == "HTTP 407 Proxy Authentication Required"


def test_proxy_down(
    front: TlsFront, server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{port}")
    waits: list[str] = []
    url = f"https://procore.test:{front.port}"
    tokens = ClientCredentials(url, server.client_id, server.client_secret)
    with (
        ProcoreClient(
            url, tokens, retry=FAST_RETRY, on_wait=lambda r, s: waits.append(r)
        ) as client,
        pytest.raises(ProxyFailed) as caught,
    ):
        client.me()
    assert str(caught.value) == (
        f"Could not connect to the proxy server 127.0.0.1:{port} (set by the https_proxy "
        "environment variable). Check that this computer is connected to the office network "
        "(or VPN), then try again; if it keeps happening, ask your IT department whether the "
        "https_proxy setting is still right."
    )
    assert not caught.value.permanent
    assert waits
    assert waits[0].startswith("Could not get a Procore sign-in token")
    assert front.connections == 0


def test_system_proxy_down_says_it_came_from_the_system_settings(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"https": f"http://127.0.0.1:{port}"})
    endpoint = TokenEndpoint("https://login.procore.test", "id", "the-client-secret")
    with pytest.raises(ProxyFailed) as caught:
        endpoint.client_credentials()
    endpoint.close()
    where = {
        "win32": "the Windows proxy settings",
        "darwin": "the macOS network proxy settings",
    }.get(sys.platform, "the system proxy settings")
    assert str(caught.value).startswith(
        f"Could not connect to the proxy server 127.0.0.1:{port} (from {where})."
    )
    assert str(caught.value).endswith(
        "ask your IT department whether the proxy settings are still right."
    )


def test_a_proxy_name_that_cannot_be_found(dns: Dns, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.office.invalid:3128")
    endpoint = TokenEndpoint("https://login.procore.test", "id", "the-client-secret")
    with pytest.raises(ProxyFailed) as caught:
        endpoint.client_credentials()
    endpoint.close()
    assert str(caught.value).startswith(
        "Could not find the proxy server proxy.office.invalid:3128 (set by the HTTPS_PROXY "
        "environment variable)."
    )
    assert dns.failed == ["proxy.office.invalid"]


def test_proxy_that_refuses_the_destination(
    front: TlsFront, server: SandboxServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy.refuse = 403
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with https_client(front, server) as client, pytest.raises(ProxyFailed) as caught:
        client.me()
    assert str(caught.value) == (
        f"The proxy server 127.0.0.1:{proxy.port} (set by the HTTPS_PROXY environment variable) "
        'refused to connect this app to procore.test (it answered "403 Forbidden"). Ask your IT '
        "department to allow procore.test through the proxy."
    )
    assert len(proxy.records) == 1  # a refusal by policy is not retried


def test_a_kind_of_proxy_httpx_cannot_use_is_explained_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Windows turns a SOCKS system proxy into socks4://, which httpx rejects in Client()
    monkeypatch.setenv("HTTPS_PROXY", "socks4://10.1.2.3:1080")
    with pytest.raises(ValueError, match="Unknown scheme"):
        httpx.Client()
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"https": "socks4://10.1.2.3:1080"})
    endpoint = TokenEndpoint("https://login.procore.test", "id", "the-client-secret")
    with pytest.raises(ProxyFailed) as caught:
        endpoint.client_credentials()
    endpoint.close()
    message = str(caught.value)
    assert message.startswith("The proxy server 10.1.2.3:1080 (from the ")
    assert message.endswith(
        "is a kind of proxy (socks4) this app cannot use. Ask your IT department for the address "
        "of an HTTP proxy (http://host:port)."
    )
    assert caught.value.permanent


def test_connection_failed_is_still_the_common_base() -> None:
    for kind in (ProxyFailed, ProxyAuthenticationRequired, HostNotFound):
        assert issubclass(kind, ConnectionFailed)
