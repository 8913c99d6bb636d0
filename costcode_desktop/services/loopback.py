"""The loopback redirect of a browser sign-in: one listener on 127.0.0.1 for one valid answer.

Procore sends the browser to http://localhost:<port>/callback?code=…&state=…. The listener
accepts exactly one callback whose state matches this sign-in, shows a plain page telling the
user they can close the tab, and shuts down. Anything else gets a short page and is ignored, so
a stray or forged request cannot end or hijack the sign-in.
"""

from __future__ import annotations

import hmac
import html
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import Cancelled

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
DONE_PAGE = (
    "Signed in to Procore. You can close this tab and return to CostCodeSync.",
    "CostCodeSync received the sign-in. This tab is no longer needed.",
)
DENIED_PAGE = "The sign-in was not allowed. You can close this tab and try again in CostCodeSync."


class SignInFailed(Exception):
    """The browser sign-in did not complete; the message says what to do."""


@dataclass(frozen=True)
class _Outcome:
    code: str | None = None
    error: str | None = None


class LoopbackReceiver:
    """Listens on 127.0.0.1:<port> until one callback with the expected state arrives."""

    def __init__(self, port: int, state: str, *, path: str = CALLBACK_PATH) -> None:
        self.port = port
        self.path = path
        self.__state = state
        self._outcome: _Outcome | None = None
        self._arrived = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def redirect_uri(self) -> str:
        return f"http://localhost:{self.port}{self.path}"

    def start(self) -> LoopbackReceiver:
        handler = _handler_for(self)
        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        except OSError as exc:
            raise SignInFailed(
                f"Port {self.port} on this computer is in use by another program, so the "
                "browser cannot hand the sign-in back. Close that program, or choose another "
                "redirect port in Settings (and register the new redirect URI in your Procore "
                "app)."
            ) from exc
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"sign-in-loopback-{self.port}", daemon=True
        )
        self._thread.start()
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
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    # -- called by the handler ---------------------------------------------------------------

    def _offer(self, path: str, query: str) -> tuple[int, str]:
        """Judge one request: (status, page text)."""
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
