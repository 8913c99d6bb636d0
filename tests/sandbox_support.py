"""Shared helpers: a sandbox on loopback and a client signed in to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from costcode_desktop.procore import ClientCredentials, ProcoreClient, RetryPolicy
from costcode_desktop.sandbox import SandboxServer

FAST_RETRY = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05, max_rate_limit_wait=30)
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


def signed_in_client(
    server: SandboxServer, *, transport: httpx.BaseTransport | None = None, **kw: Any
) -> ProcoreClient:
    tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
    kw.setdefault("retry", FAST_RETRY)
    return ProcoreClient(server.url, tokens, transport=transport, **kw)


def api_writes(server: SandboxServer) -> list[Any]:
    """Writes that reached the REST API (token requests excluded)."""
    return [r for r in server.requests if r.method in WRITE_METHODS and r.path.startswith("/rest/")]


def running(server: SandboxServer) -> Iterator[SandboxServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
