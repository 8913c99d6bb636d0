"""Shared helpers: a sandbox on loopback and a client signed in to it."""

from __future__ import annotations

import io
import socket
import sys
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


def free_port() -> int:
    """A loopback port nobody listens on right now (for redirect URIs and listeners)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(server: SandboxServer, company: str, *args: str) -> tuple[int, str, str]:
    """costcode-sync in this process against the sandbox: (exit code, stdout, stderr)."""
    from costcode_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = [
        "--base-url", server.url,
        "--client-id", server.client_id,
        "--client-secret", server.client_secret,
        "--company", company,
        *args,
    ]  # fmt: skip
    old_err, sys.stderr = sys.stderr, err
    try:
        code = main(argv, out=out)
    finally:
        sys.stderr = old_err
    return code, out.getvalue(), err.getvalue()
