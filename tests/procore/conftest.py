"""Shared by the network tests: the sandbox, a test CA, and an HTTPS front end for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from tests.procore.netkit import Certificates, TlsFront, make_certificates
from tests.sandbox_support import running


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    # Shared by a module of client tests about paging, parsing and errors: under 25 requests per
    # 10 s they would take minutes of pacing. Pacing under the limits is test_pacing.py's.
    yield from running(SandboxServer(demo_seed(), rate_limits=RateLimitConfig(hourly=0, spike=0)))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def front(server: SandboxServer, certificates: Certificates) -> Iterator[TlsFront]:
    """https://procore.test:PORT in front of the sandbox (reachable only through the proxy)."""
    with TlsFront(int(server.url.rsplit(":", 1)[1]), certificates) as tls:
        yield tls
