"""HTTP/1.1 glue between the socket server and the request pipeline."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from .engine import SandboxApp
from .wire import Request, Response, error_body, json_response

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024 * 1024
# A chunk-size line (RFC 9112 7.1): hex digits only, then optional extensions. int(x, 16) alone
# would also take "-1", "+5", "0x10" and "1_0"; a negative size once read the socket to its end.
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)[ \t]*(;[^\r\n]*)?\r?\n")
_LINE_LIMIT = 1024
# A client that closes its end early: nothing to answer and nothing wrong with the sandbox.
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _ClientGone(Exception):
    """The client closed the connection part-way through its request."""


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded server that remembers its open connections so `stop()` can close them."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: SandboxApp, family: socket.AddressFamily):
        self.address_family = family
        self.app = app
        self.base_url = ""
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Condition()
        self._closed = 0  # connections handled to their end, for tests that wait for one
        super().__init__(address, SandboxRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall; skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self._connections_lock:
            self._connections.discard(request)
            self._closed += 1
            self._connections_lock.notify_all()

    def wait_closed(self, count: int, timeout: float) -> bool:
        """Wait until `count` connections in all have been handled to their end (errors
        included) and closed; False if fewer have after `timeout` seconds."""
        with self._connections_lock:
            return self._connections_lock.wait_for(lambda: self._closed >= count, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away early is logged at debug; anything else is a real error and
        keeps socketserver's traceback on stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, _CLIENT_GONE):
            log.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Close idle keep-alive connections so their threads end and clients see a close."""
        with self._connections_lock:
            open_now = list(self._connections)
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ProcoreSandbox/1.0"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every method (HEAD, OPTIONS, FOO...) goes through one dispatcher, which answers 405
        # for the ones the API does not use, instead of http.server's 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    @property
    def _sandbox(self) -> SandboxHTTPServer:
        return cast(SandboxHTTPServer, self.server)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
        except ValueError:
            raise _BodyError(400, "Invalid Content-Length") from None
        if length < 0:
            raise _BodyError(400, "Invalid Content-Length")
        if length > MAX_BODY:
            raise _BodyError(413, "Request body too large")
        return self._read_exactly(length)

    def _read_exactly(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise _ClientGone()
        return data

    def _read_line(self) -> bytes:
        line = self.rfile.readline(_LINE_LIMIT)
        if not line:
            raise _ClientGone()
        return line

    def _read_chunked(self) -> bytes:
        """The decoded body; the size cap holds for the decoded total, whatever the chunks."""
        parts: list[bytes] = []
        total = 0
        while True:
            found = _CHUNK_SIZE.fullmatch(self._read_line())
            if found is None:
                raise _BodyError(400, "Invalid chunk size in a chunked request body")
            size = int(found.group(1), 16)
            if size == 0:
                while self._read_line().strip():
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise _BodyError(413, "Request body too large")
            parts.append(self._read_exactly(size))
            if self._read_line() not in (b"\r\n", b"\n"):
                raise _BodyError(400, "A chunk of a chunked request body is longer than its size")

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except _ClientGone:
            log.debug("client %s went away before its request body ended", self.address_string())
            self.close_connection = True
            return
        except _BodyError as exc:
            # The rest of the connection cannot be read as requests any more: answer and close.
            self.close_connection = True
            self._write(json_response(exc.status, error_body(exc.status, exc.message)))
            return
        split = urlsplit(self.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        query: dict[str, list[str]] = {}
        for key, value in pairs:
            query.setdefault(key, []).append(value)
        request = Request(
            method=self.command,
            path=unquote(split.path),
            query=query,
            query_pairs=pairs,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=self._sandbox.base_url,
        )
        response = self._sandbox.app.handle(request)
        if response.drop:
            self._drop()
            return
        self._write(response)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type is not None:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)
