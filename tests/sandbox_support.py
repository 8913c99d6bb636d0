"""Shared helpers: a sandbox on loopback and a client signed in to it."""

from __future__ import annotations

import errno
import io
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from costcode_desktop.procore import ClientCredentials, ProcoreClient, RetryPolicy
from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.services import session as session_module

FAST_RETRY = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05, max_rate_limit_wait=30)
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


def signed_in_client(
    server: SandboxServer, *, transport: httpx.BaseTransport | None = None, **kw: Any
) -> ProcoreClient:
    """A client of `server`; on the server's simulated time if it has one."""
    tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
    kw.setdefault("retry", FAST_RETRY)
    kw.update(simulated_client_options(server))
    return ProcoreClient(server.url, tokens, transport=transport, **kw)


def simulated_client_options(server: SandboxServer) -> dict[str, Any]:
    """clock and sleep of the server's SimulatedTime (none on the wall clock): a client given
    them paces itself within the sandbox's limits, and its waits are jumped over."""
    if server.simulated is None:
        return {}
    return {"clock": server.simulated.now, "sleep": server.simulated.sleep}


@contextmanager
def clients_on_simulated_time(server: SandboxServer) -> Iterator[None]:
    """Within the block, clients that services.connect makes (the CLI's, open_sandbox_session's)
    run on the server's simulated time, as signed_in_client's do."""
    options = simulated_client_options(server)
    if not options:
        yield
        return
    with mock.patch.object(session_module, "ProcoreClient", partial(ProcoreClient, **options)):
        yield


def api_writes(server: SandboxServer) -> list[Any]:
    """Writes that reached the REST API (token requests excluded)."""
    return [r for r in server.requests if r.method in WRITE_METHODS and r.path.startswith("/rest/")]


def running(server: SandboxServer) -> Iterator[SandboxServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sign_in_seed(port: int) -> dict[str, Any]:
    """The demo seed, its app also taking the sign-in's redirect to `port` on loopback: by
    127.0.0.1 (the default) and by localhost (the one older settings kept)."""
    seed = demo_seed()
    for host in ("127.0.0.1", "localhost"):
        seed["app"]["redirect_uris"].append(f"http://{host}:{port}/callback")
    return seed


def free_port() -> int:
    """A loopback port nobody listens on right now (for redirect URIs and listeners)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def another_program_on_ipv6_loopback(port: int) -> Iterator[socket.socket]:
    """A socket listening on [::1]:port, as another program on this computer could hold it.

    Skips the test when this computer has no IPv6 loopback: nothing could be held there, and no
    browser could send anything there either.
    """
    squatter = _ipv6_loopback_socket(port)
    try:
        squatter.listen()
        squatter.setblocking(False)
        yield squatter
    finally:
        squatter.close()


def has_ipv6_loopback() -> bool:
    """Whether this computer can listen on ::1."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def skip_without_ipv6_loopback() -> None:
    """Skip the test when this computer has no IPv6 loopback (::1)."""
    _ipv6_loopback_socket(0).close()


def _ipv6_loopback_socket(port: int) -> socket.socket:
    """A TCP socket bound to [::1]:port; skips the test when there is no IPv6 loopback."""
    if not socket.has_ipv6:
        pytest.skip("this Python has no IPv6 support, so there is no [::1] to use")
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        sock.bind(("::1", port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            pytest.skip(f"no IPv6 loopback on this computer ({exc.strerror})")
        raise
    return sock


def connections_waiting(listener: socket.socket) -> int:
    """How many connections reached a non-blocking listener (accepted and closed here)."""
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def run_main(*args: str) -> tuple[int, str, str]:
    """costcode-sync in this process with these arguments: (exit code, stdout, stderr)."""
    from costcode_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_err, sys.stderr = sys.stderr, err
    try:
        code = main(list(args), out=out)
    finally:
        sys.stderr = old_err
    return code, out.getvalue(), err.getvalue()


def run_cli(server: SandboxServer, company: str, *args: str) -> tuple[int, str, str]:
    """costcode-sync in this process against the sandbox: (exit code, stdout, stderr)."""
    with clients_on_simulated_time(server):
        return run_main(
            "--base-url", server.url,
            "--client-id", server.client_id,
            "--client-secret", server.client_secret,
            "--company", company,
            *args,
        )  # fmt: skip


@contextmanager
def sandbox_process(seed: dict[str, Any], folder: Path, *options: str) -> Iterator[str]:
    """`costcode-sandbox` in a process of its own (as Procore is), serving `seed` with these
    options; yields its URL and stops it afterwards."""
    seed_file = folder / "seed.json"
    seed_file.write_text(json.dumps(seed))
    server = subprocess.Popen(
        [sys.executable, "-m", "costcode_desktop.sandbox", "--seed", str(seed_file), *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().split()[-1]
    finally:
        server.terminate()
        server.wait(10)


def read_banner(proc: subprocess.Popen[str]) -> str:
    """What `costcode-sandbox` prints on start, up to its "Press Ctrl+C" line."""
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl+C"):
            break
    return "".join(lines)
