"""Certificates for real: an HTTPS front end on 127.0.0.1 with a root CA made at test time."""

from __future__ import annotations

import logging
import ssl
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from costcode_desktop.procore import (
    CA_BUNDLE_ENV,
    CertificateBundleUnusable,
    CertificateNotTrusted,
    ClientCredentials,
    ProcoreClient,
    TokenEndpoint,
    build_http_client,
    network,
)
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox.demo import COMPANY_ID
from tests.procore.netkit import Certificates, TlsFront, make_certificates
from tests.sandbox_support import FAST_RETRY, signed_in_client

UNTRUSTED = (
    "The secure connection to 127.0.0.1 could not be verified: its certificate is not trusted "
    "by this computer. A network device (such as a company firewall or proxy) may be inspecting "
    "traffic. Ask your IT department to install the company's root certificate in Windows or "
    "macOS, or to set COSTCODESYNC_CA_BUNDLE to the company's certificate file."
)


def settled(count: Callable[[], int]) -> int:
    """A server-side counter once the server threads have caught up with the client."""
    deadline = time.monotonic() + 5
    while count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    return count()


def https_client(front: TlsFront, server: SandboxServer) -> ProcoreClient:
    url = f"https://127.0.0.1:{front.port}"
    tokens = ClientCredentials(url, server.client_id, server.client_secret)
    return ProcoreClient(url, tokens, retry=FAST_RETRY)


def test_an_untrusted_certificate_is_explained_and_not_retried(
    front: TlsFront, server: SandboxServer
) -> None:
    with https_client(front, server) as client, pytest.raises(CertificateNotTrusted) as caught:
        client.me()
    assert str(caught.value) == UNTRUSTED
    assert caught.value.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in (caught.value.detail or "")
    assert settled(lambda: front.connections) == 1  # the sign-in token request, once


def test_sign_in_gets_the_same_certificate_message(front: TlsFront) -> None:
    endpoint = TokenEndpoint(f"https://127.0.0.1:{front.port}", "id", "the-client-secret")
    with pytest.raises(CertificateNotTrusted) as caught:
        endpoint.client_credentials()
    endpoint.close()
    assert str(caught.value) == UNTRUSTED
    assert "the-client-secret" not in caught.value.technical_details()


def test_the_company_root_certificate_in_the_bundle_variable_makes_it_work(
    front: TlsFront,
    server: SandboxServer,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CA_BUNDLE_ENV, str(certificates.ca_cert))
    with https_client(front, server) as client:
        assert client.me(company_id=COMPANY_ID).id > 0
    with build_http_client(10) as http:  # the name in the certificate works as well as the IP
        assert http.get(f"https://localhost:{front.port}/oauth/token/info").status_code == 401


def test_a_bundle_without_the_right_root_says_which_file(
    front: TlsFront, server: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_certificates(tmp_path / "other", label="Other")
    monkeypatch.setenv(CA_BUNDLE_ENV, str(other.ca_cert))
    with https_client(front, server) as client, pytest.raises(CertificateNotTrusted) as caught:
        client.me()
    assert str(caught.value) == (
        f"The secure connection to 127.0.0.1 could not be verified with the certificates in "
        f"{other.ca_cert} (set by COSTCODESYNC_CA_BUNDLE). Ask your IT department for the right "
        "certificate file, or remove COSTCODESYNC_CA_BUNDLE to use this computer's own "
        "certificates."
    )


def unusable(path: Path, reason: str) -> str:
    return (
        "The certificate file named by the COSTCODESYNC_CA_BUNDLE environment variable cannot be "
        f"used: {path} {reason}. Correct the path (or remove the variable to use this computer's "
        "own certificates), then restart CostCodeSync."
    )


def test_a_missing_bundle_is_named_and_nothing_is_sent(
    front: TlsFront, server: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "company-root.pem"
    monkeypatch.setenv(CA_BUNDLE_ENV, str(missing))
    with https_client(front, server) as client, pytest.raises(CertificateBundleUnusable) as caught:
        client.me()
    assert str(caught.value) == unusable(missing, "does not exist")
    assert caught.value.permanent
    assert front.connections == 0
    # The built-in sandbox (plain http on loopback) needs no certificate and still works.
    with signed_in_client(server) as client:
        assert client.me(company_id=COMPANY_ID).id > 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a certificate\n", "does not contain any certificate in PEM format"),
        (None, "is a folder, not a certificate file"),
    ],
)
def test_a_bundle_that_is_not_a_certificate_file(
    content: bytes | None,
    reason: str,
    front: TlsFront,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = tmp_path / "bundle.pem"
    if content is None:
        bundle.mkdir()
    else:
        bundle.write_bytes(content)
    monkeypatch.setenv(CA_BUNDLE_ENV, str(bundle))
    endpoint = TokenEndpoint(f"https://127.0.0.1:{front.port}", "id", "the-client-secret")
    with pytest.raises(CertificateBundleUnusable) as caught:
        endpoint.client_credentials()
    endpoint.close()
    assert str(caught.value) == unusable(bundle, reason)


def test_an_unreadable_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"-----BEGIN CERTIFICATE-----\n")

    def denied(**kwargs: object) -> ssl.SSLContext:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ssl, "create_default_context", denied)
    monkeypatch.setenv(CA_BUNDLE_ENV, str(bundle))
    assert network.tls_setup().problem == unusable(bundle, "could not be read (Permission denied)")


def test_the_certificate_store_is_logged_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "_announced", set())
    with caplog.at_level(logging.INFO, logger="costcode_desktop.procore"):
        build_http_client(5).close()
        build_http_client(5).close()
    lines = [r.getMessage() for r in caplog.records if "TLS certificates" in r.getMessage()]
    assert lines == ["TLS certificates: the operating system's certificate store (truststore)"]


@pytest.mark.parametrize("how", ["not installed", "refuses this system"])
def test_without_truststore_httpx_certifi_bundle_is_used(
    how: str,
    front: TlsFront,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network, "_announced", set())
    if how == "not installed":
        monkeypatch.setitem(sys.modules, "truststore", None)  # import raises ImportError
    else:
        import truststore

        def refuse(protocol: int) -> ssl.SSLContext:
            raise OSError("no certificate store API here")

        monkeypatch.setattr(truststore, "SSLContext", refuse)
    with caplog.at_level(logging.INFO, logger="costcode_desktop.procore"):
        setup = network.tls_setup()
    assert setup.store == "the certifi bundle (the operating system's store is unavailable)"
    assert "TLS certificates: the certifi bundle" in caplog.text
    endpoint = TokenEndpoint(f"https://127.0.0.1:{front.port}", "id", "the-client-secret")
    with pytest.raises(CertificateNotTrusted):  # certifi does not know the test root either
        endpoint.client_credentials()
    endpoint.close()
