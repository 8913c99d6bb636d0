"""The loopback redirect of a browser sign-in: listeners on this computer for one valid answer.

Procore sends the browser to http://<host>:<port>/callback?code=…&state=…, where <host> is the
one registered in the Procore app. With the IP literal 127.0.0.1 (RFC 8252 section 7.3) the
browser goes to exactly the address listened on. With `localhost` the browser may try ::1 first
(common on macOS and Windows), so the sign-in listens on ::1 as well, when this computer has IPv6
loopback: another program cannot hold that half of the port and catch the code. A port already
held on either address stops the sign-in before the browser opens. No listener shares its port
(no SO_REUSEPORT; on Windows SO_EXCLUSIVEADDRUSE and no SO_REUSEADDR, which would let two
programs bind the same port there).

The listeners accept exactly one callback whose state matches this sign-in, show a plain page
telling the user they can close the tab, and shut down. Anything else gets a short page and is
ignored, so a stray or forged request cannot end or hijack the sign-in.
"""

from __future__ import annotations

import errno
import hmac
import html
import logging
import os
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import Cancelled
from costcode_desktop.services.settings import REDIRECT_HOSTS

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
DONE_PAGE = (
    "Signed in to Procore. You can close this tab and return to CostCodeSync.",
    "CostCodeSync received the sign-in. This tab is no longer needed.",
)
DENIED_PAGE = "The sign-in was not allowed. You can close this tab and try again in CostCodeSync."
# How often a listener looks for its stop request: close() waits up to this long per listener
# before the code is exchanged (the standard library's 0.5 s is felt, twice with ::1).
POLL_SECONDS = 0.05
# Binding ::1 fails with these when this computer has no IPv6 loopback: no browser can reach
# ::1 then, and no other program can listen there either.
_NO_IPV6 = frozenset(
    code
    for name in ("EADDRNOTAVAIL", "EAFNOSUPPORT", "EPROTONOSUPPORT", "WSAEADDRNOTAVAIL")
    for code in (getattr(errno, name, None),)
    if code is not None
)


class SignInFailed(Exception):
    """The browser sign-in did not complete; the message says what to do."""


@dataclass(frozen=True)
class _Outcome:
    code: str | None = None
    error: str | None = None


class LoopbackReceiver:
    """Listens on <host>:<port> until one callback with the expected state arrives."""

    def __init__(
        self, port: int, state: str, *, host: str = "127.0.0.1", path: str = CALLBACK_PATH
    ) -> None:
        if host not in REDIRECT_HOSTS:
            raise ValueError(f"the redirect host must be one of {', '.join(REDIRECT_HOSTS)}")
        self.port = port
        self.host = host
        self.path = path
        self.__state = state
        self._outcome: _Outcome | None = None
        self._arrived = threading.Event()
        self._judging = threading.Lock()  # one request at a time, whichever address it came to
        self._servers: list[tuple[str, ThreadingHTTPServer]] = []
        self._serving = False  # shutdown() waits for serve_forever: only once it was started

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def addresses(self) -> tuple[str, ...]:
        """The addresses listened on (for tests and diagnostics)."""
        return tuple(address for address, _ in self._servers)

    def start(self) -> LoopbackReceiver:
        handler = _handler_for(self)
        address = ""
        try:
            for address in listen_addresses(self.host):
                server = _bind(address, self.port, handler)
                if server is not None:
                    self._servers.append((address, server))
        except OSError as exc:
            self.close()  # the half already bound, if any: nothing listens for this sign-in
            raise SignInFailed(
                f"Port {self.port} on this computer (address {address}) is in use by another "
                "program, so the browser cannot hand the sign-in back. Close that program, or "
                "choose another redirect port in Connection settings (and register the new "
                "redirect URI in your Procore app)."
            ) from exc
        self._serving = True
        for address, server in self._servers:
            threading.Thread(
                target=server.serve_forever,
                args=(POLL_SECONDS,),
                name=f"sign-in-loopback-{address}-{self.port}",
                daemon=True,
            ).start()
        return self

    def wait(self, *, timeout: float = 300.0, cancel: CancelToken | None = None) -> str:
        """The authorization code, once the browser comes back; raises on time-out or cancel."""
        waited = 0.0
        try:
            while not self._arrived.wait(0.1):
                waited += 0.1
                if cancel is not None and cancel.cancelled:
                    raise Cancelled("Sign-in cancelled.")
                if waited >= timeout:
                    raise SignInFailed(
                        f"No answer came back from the browser within {int(timeout // 60)} "
                        "minutes. Start the sign-in again; if the browser showed an error, "
                        "check that the redirect URI registered in your Procore app is "
                        f"exactly {self.redirect_uri}."
                    )
        finally:
            self.close()
        outcome = self._outcome
        assert outcome is not None
        if outcome.code is None:
            raise SignInFailed(
                "Procore did not allow the sign-in"
                + (f" ({outcome.error})" if outcome.error else "")
                + ". Try again, and choose Allow on Procore's page."
            )
        return outcome.code

    def close(self) -> None:
        servers, self._servers = self._servers, []
        serving, self._serving = self._serving, False
        for _, server in servers:
            if serving:
                server.shutdown()
            server.server_close()

    # -- called by the handler ---------------------------------------------------------------

    def _offer(self, path: str, query: str) -> tuple[int, str]:
        """Judge one request: (status, page text)."""
        with self._judging:
            return self._judge(path, query)

    def _judge(self, path: str, query: str) -> tuple[int, str]:
        if path != self.path:
            return 404, "Not found."
        params = parse_qs(query)
        state = params.get("state", [""])[0]
        if self._arrived.is_set():
            return 200, DONE_PAGE[1]
        if not hmac.compare_digest(state.encode(), self.__state.encode()):
            log.warning("ignored a sign-in callback with an unexpected state")
            return 400, (
                "This sign-in answer does not match the sign-in CostCodeSync started. Start the "
                "sign-in again from CostCodeSync."
            )
        code = params.get("code", [""])[0]
        if code:
            self._outcome = _Outcome(code=code)
            page = DONE_PAGE[0]
        else:
            self._outcome = _Outcome(error=params.get("error", ["no code"])[0][:100])
            page = DENIED_PAGE
        self._arrived.set()
        return 200, page


def listen_addresses(host: str) -> tuple[str, ...]:
    """Where a browser may send a redirect to `host`: localhost may resolve to ::1 first."""
    return ("127.0.0.1", "::1") if host == "localhost" else (host,)


class _Listener(ThreadingHTTPServer):
    """One loopback address; never shares its port with another socket (see the module)."""

    daemon_threads = True
    allow_reuse_address = os.name == "posix"  # POSIX: only reuses a port left in TIME_WAIT
    allow_reuse_port = False

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)  # Windows only
        if exclusive is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        super().server_bind()


class _Listener6(_Listener):
    address_family = socket.AF_INET6


def _bind(
    address: str, port: int, handler: type[BaseHTTPRequestHandler]
) -> ThreadingHTTPServer | None:
    """A listener on address:port; None when the address is ::1 and there is no IPv6 here."""
    if ":" not in address:
        return _Listener((address, port), handler)
    if not socket.has_ipv6:
        log.warning("Python has no IPv6 here: the sign-in cannot hold [::1]:%s", port)
        return None
    try:
        return _Listener6((address, port), handler)
    except OSError as exc:
        if exc.errno in _NO_IPV6:
            log.info("no IPv6 loopback on this computer: listening on 127.0.0.1 only")
            return None
        raise


def _handler_for(receiver: LoopbackReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, text = receiver._offer(parts.path, parts.query)
            page = (
                "<!doctype html><html><head><meta charset='utf-8'><title>CostCodeSync</title>"
                "<style>body{font-family:system-ui,sans-serif;margin:4em auto;max-width:32em;"
                "color:#222}h1{font-size:1.3em}</style></head><body><h1>CostCodeSync</h1>"
                f"<p>{html.escape(text)}</p></body></html>"
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            return  # the query holds the code: never log request lines

    return Handler
