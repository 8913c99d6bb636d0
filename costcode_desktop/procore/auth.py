"""Where the bearer token comes from: a pasted token, or OAuth client credentials (DMSA)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import httpx

from costcode_desktop import __version__

from .cancel import CancelToken, check
from .environments import normalize_base_url
from .error_bodies import error_from_response, redact, truncate
from .errors import (
    AuthenticationFailed,
    ConnectionFailed,
    MalformedResponse,
    NotFound,
    ProcoreError,
    TimedOut,
)
from .parse import Fields

log = logging.getLogger("costcode_desktop.procore")

CLIENT_REJECTED_MESSAGE = (
    "Procore did not accept the client id and secret. Check them in Settings (the app must be "
    "installed in your Procore company)."
)
DEFAULT_TOKEN_LIFETIME = 5400.0  # seconds; Procore's documented access token lifetime


class TokenSource(Protocol):
    """Supplies access tokens to ProcoreClient and hears when the API rejected one."""

    def bearer_token(self, cancel: CancelToken | None = None) -> str:
        """A valid access token, fetching or refreshing it as needed."""
        ...

    def token_rejected(self, token: str) -> bool:
        """The API answered 401 to `token`: drop it; True if a fresh one is worth one retry."""
        ...


class StaticToken(TokenSource):
    """A token the user pasted: it cannot be refreshed."""

    def __init__(self, token: str) -> None:
        token = token.strip()
        if not token:
            raise ValueError("Enter an access token.")
        self.__token = token

    def bearer_token(self, cancel: CancelToken | None = None) -> str:
        check(cancel)
        return self.__token

    def token_rejected(self, token: str) -> bool:
        return False

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"


class ClientCredentials(TokenSource):
    """OAuth client credentials grant: one cached token shared by all threads, fetched once."""

    def __init__(
        self,
        login_url: str,
        client_id: str,
        client_secret: str,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 120.0,
        timeout: float = 30.0,
    ) -> None:
        self.login_url = normalize_base_url(
            login_url, "sign-in (login) address", "https://login.procore.com"
        )
        self.client_id = client_id.strip()
        self.__secret = client_secret.strip()
        self._clock = clock
        self._margin = max(0.0, refresh_margin)
        self._timeout = httpx.Timeout(timeout, connect=min(10.0, timeout))
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=self._timeout)
        self._lock = threading.Lock()
        self.__token: str | None = None
        self._refresh_at = 0.0
        self._fetches = 0

    def __repr__(self) -> str:
        return f"ClientCredentials(login_url={self.login_url!r}, client_id={self.client_id!r})"

    @property
    def token_url(self) -> str:
        return f"{self.login_url}/oauth/token"

    @property
    def fetch_count(self) -> int:
        """How many tokens were requested from Procore (for tests and diagnostics)."""
        return self._fetches

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def bearer_token(self, cancel: CancelToken | None = None) -> str:
        check(cancel)
        # Wait for another thread's fetch, but stay responsive to cancel meanwhile.
        while not self._lock.acquire(timeout=0.2):
            check(cancel)
        try:
            token = self.__token
            if token is not None and self._clock() < self._refresh_at:
                return token
            check(cancel)
            token, self._refresh_at = self._fetch()
            self.__token = token
            return token
        finally:
            self._lock.release()

    def token_rejected(self, token: str) -> bool:
        with self._lock:
            if self.__token == token:
                self.__token = None
                self._refresh_at = 0.0
        return True

    def _fetch(self) -> tuple[str, float]:
        """POST the grant (secrets in the form body, never the URL); return (token, refresh_at)."""
        self._fetches += 1
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.__secret,
        }
        headers = {"Accept": "application/json", "User-Agent": f"CostCodeSync/{__version__}"}
        started = time.monotonic()
        try:
            response = self._http.post(
                self.token_url, data=form, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            raise TimedOut(detail=self._describe(exc)) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ConnectionFailed(detail=self._describe(exc)) from None
        request_id = response.headers.get("x-request-id")
        log.debug(
            "POST /oauth/token -> %s request_id=%s %.0f ms",
            response.status_code,
            request_id,
            (time.monotonic() - started) * 1000,
        )
        if response.status_code != 200:
            raise self._error(response)
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise MalformedResponse(
                status=200, request_id=request_id, detail="The token answer was not JSON."
            ) from None
        try:
            fields = Fields(data, "token answer")
            token = fields.req_str("access_token").strip()
            lifetime = fields.obj.get("expires_in")
            created = fields.obj.get("created_at")
        except MalformedResponse as exc:
            exc.status, exc.request_id = 200, request_id
            raise
        if not token:
            raise MalformedResponse(status=200, request_id=request_id, detail="Empty access token.")
        return token, self._refresh_time(lifetime, created)

    def _refresh_time(self, lifetime: object, created: object) -> float:
        """When to fetch again: expiry minus the margin, from created_at when Procore sent it."""
        now = self._clock()
        seconds = (
            float(lifetime)
            if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) and lifetime > 0
            else DEFAULT_TOKEN_LIFETIME
        )
        issued = now
        if isinstance(created, int | float) and not isinstance(created, bool):
            # A token issued earlier (Procore may hand back a still-valid one) expires earlier;
            # a server clock ahead of ours must not stretch the lifetime.
            issued = min(float(created), now)
        refresh_at = issued + seconds - self._margin
        # A fresh token is trusted for a little while even when the clocks disagree, so a skewed
        # clock cannot turn every request into a token fetch (a real expiry still answers 401).
        return max(refresh_at, now + min(seconds / 2, 60.0))

    def _error(self, response: httpx.Response) -> ProcoreError:
        status = response.status_code
        error = error_from_response(
            status, response.headers, response.content, secrets=(self.__secret,)
        )
        if status in (400, 401):
            code = ""
            try:
                body = json.loads(response.content)
                if isinstance(body, dict) and isinstance(body.get("error"), str):
                    code = body["error"]
            except (ValueError, UnicodeDecodeError):
                pass
            if status == 401 or code in ("invalid_client", "unauthorized_client"):
                message = CLIENT_REJECTED_MESSAGE
            else:
                message = (
                    "Procore refused the sign-in request. Check the client id, the secret and "
                    "the Procore environment in Settings."
                )
            return AuthenticationFailed(
                message, status=status, request_id=error.request_id, detail=error.detail
            )
        if status == 404:
            return NotFound(
                "Procore's sign-in address was not found. Check the environment (or the custom "
                "sign-in URL) in Settings.",
                status=status,
                request_id=error.request_id,
                detail=error.detail,
            )
        return error

    def _describe(self, exc: Exception) -> str:
        text = redact(f"{type(exc).__name__}: {exc}", (self.__secret,)) or ""
        return truncate(text, 300)
