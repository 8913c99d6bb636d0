"""Procore's OAuth endpoints: token grants, refresh with rotation, revoke, token info.

Secrets always travel in the form body, never in a URL, and never reach a log or a message.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import urlencode

import httpx

from costcode_desktop import __version__

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
from .jsontext import NotJson, read_json
from .network import build_http_client
from .network_errors import connection_failure, proxy_auth_response
from .parse import Fields

log = logging.getLogger("costcode_desktop.procore")

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"  # the installed-app variant: the user pastes
DEFAULT_TOKEN_LIFETIME = 5400.0  # seconds; Procore's documented access token lifetime
CLIENT_REJECTED_MESSAGE = (
    "Procore did not accept the client id and secret. Check them in Connection "
    "settings (the app must be installed in your Procore company)."
)
SIGN_IN_EXPIRED_MESSAGE = (
    "Your Procore sign-in has ended (it was signed out, revoked, or used up by another "
    "sign-in). Sign in again."
)


class SignInExpired(AuthenticationFailed):
    """The refresh token or code is no longer valid: only a new sign-in helps."""

    default_message = SIGN_IN_EXPIRED_MESSAGE


@dataclass(frozen=True)
class TokenGrant:
    """What a token request returned; secrets never show in its repr."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float  # by the local clock
    refresh_at: float  # when to refresh: a margin before expiry


def new_state() -> str:
    """An unguessable value that ties the browser's answer to this sign-in."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Pkce:
    """RFC 7636 proof key: only the challenge goes through the browser, the verifier never does.

    Whoever catches the code on its way back (another program on the redirect port) cannot
    spend it without the verifier, which goes straight to the token endpoint.
    """

    verifier: str = field(repr=False)

    @property
    def challenge(self) -> str:
        return s256_challenge(self.verifier)


def new_pkce() -> Pkce:
    """A fresh verifier: 48 random bytes, 64 URL-safe characters (RFC 7636 wants 43 to 128)."""
    return Pkce(secrets.token_urlsafe(48))


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class EndpointOptions(TypedDict, total=False):
    """TokenEndpoint's keyword options, for classes that pass them on unchanged."""

    http: httpx.Client | None
    clock: Callable[[], float]
    refresh_margin: float
    timeout: float


class TokenEndpoint:
    """POSTs to {login}/oauth/token and friends for one app (client id and secret)."""

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
        self.clock = clock
        self._margin = max(0.0, refresh_margin)
        self._timeout = httpx.Timeout(timeout, connect=min(10.0, timeout))
        self._owns_http = http is None
        # Proxies and the OS certificate store as for the API (network.py).
        self._http = http if http is not None else build_http_client(self._timeout)

    def __repr__(self) -> str:
        return f"TokenEndpoint(login_url={self.login_url!r}, client_id={self.client_id!r})"

    @property
    def token_url(self) -> str:
        return f"{self.login_url}/oauth/token"

    def authorize_url(self, redirect_uri: str, state: str, pkce: Pkce | None = None) -> str:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        if pkce is not None:
            # RFC 6749 section 3.1: a server that does not know PKCE ignores both parameters.
            params.update(code_challenge=pkce.challenge, code_challenge_method="S256")
        return f"{self.login_url}/oauth/authorize?{urlencode(params)}"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # -- grants ------------------------------------------------------------------------------

    def client_credentials(self) -> TokenGrant:
        return self._grant({"grant_type": "client_credentials"})

    def authorization_code(
        self, code: str, redirect_uri: str, pkce: Pkce | None = None
    ) -> TokenGrant:
        """Exchange a code; `pkce` is the proof key whose challenge the authorize URL carried."""
        code = code.strip()
        if not code:
            raise SignInExpired("Enter the code Procore showed you.")
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        hide: tuple[str, ...] = (code,)
        if pkce is not None:
            form["code_verifier"] = pkce.verifier
            hide = (code, pkce.verifier)
        return self._grant(form, hide=hide)

    def refresh(self, refresh_token: str) -> TokenGrant:
        """Single use: Procore invalidates `refresh_token` the moment it answers."""
        return self._grant(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}, hide=(refresh_token,)
        )

    def revoke(self, token: str) -> bool:
        """Best effort (Procore answers 200 even for unknown tokens); False if unreachable."""
        form = {"token": token, "client_id": self.client_id, "client_secret": self.__secret}
        try:
            response = self._http.post(
                f"{self.login_url}/oauth/revoke", data=form, headers=self._headers()
            )
        except httpx.HTTPError as exc:
            log.warning("could not revoke a token: %s", self._describe(exc, (token,)))
            return False
        log.debug("POST /oauth/revoke -> %s", response.status_code)
        return response.status_code < 500

    def token_info(self, access_token: str) -> dict[str, Any]:
        try:
            response = self._http.get(
                f"{self.login_url}/oauth/token/info",
                headers={**self._headers(), "Authorization": f"Bearer {access_token}"},
            )
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, (access_token,)) from None
        if response.status_code == 401:
            raise SignInExpired(status=401, request_id=response.headers.get("x-request-id"))
        if response.status_code != 200:
            raise self._error(response, (access_token,))
        data = self._json(response)
        if not isinstance(data, dict):
            raise MalformedResponse(status=200, detail="The token information was not an object.")
        return data

    # -- plumbing ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": f"CostCodeSync/{__version__}"}

    def _grant(self, form: dict[str, str], hide: tuple[str, ...] = ()) -> TokenGrant:
        """POST a grant (secrets in the form body, never the URL) and read the token answer."""
        body = {**form, "client_id": self.client_id, "client_secret": self.__secret}
        started = time.monotonic()
        try:
            response = self._http.post(
                self.token_url, data=body, headers=self._headers(), timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, hide) from None
        except httpx.InvalidURL as exc:
            raise ConnectionFailed(detail=self._describe(exc, hide)) from None
        request_id = response.headers.get("x-request-id")
        log.debug(
            "POST /oauth/token (%s) -> %s request_id=%s %.0f ms",
            form["grant_type"],
            response.status_code,
            request_id,
            (time.monotonic() - started) * 1000,
        )
        if response.status_code != 200:
            raise self._error(response, hide)
        data = self._json(response)
        try:
            fields = Fields(data, "token answer")
            access = fields.req_str("access_token").strip()
            refresh = fields.obj.get("refresh_token")
            lifetime = fields.obj.get("expires_in")
            created = fields.obj.get("created_at")
        except MalformedResponse as exc:
            exc.status, exc.request_id = 200, request_id
            raise
        if not access:
            raise MalformedResponse(status=200, request_id=request_id, detail="Empty access token.")
        expires_at, refresh_at = self._times(lifetime, created)
        refresh_token = refresh.strip() if isinstance(refresh, str) and refresh.strip() else None
        return TokenGrant(access, refresh_token, expires_at, refresh_at)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return read_json(response.content)
        except NotJson:
            raise MalformedResponse(
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
                detail="The sign-in answer was not JSON.",
            ) from None

    def _times(self, lifetime: object, created: object) -> tuple[float, float]:
        """(expires_at, refresh_at) by the local clock, trusting created_at only backwards."""
        now = self.clock()
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
        expires_at = issued + seconds
        # A fresh token is trusted for a little while even when the clocks disagree, so a skewed
        # clock cannot turn every request into a token request (a real expiry answers 401).
        refresh_at = max(expires_at - self._margin, now + min(seconds / 2, 60.0))
        return expires_at, refresh_at

    def _transport_error(self, exc: httpx.HTTPError, hide: tuple[str, ...]) -> ConnectionFailed:
        """Sign-in gets the same plain explanations as the API (proxy, certificate, offline)."""
        detail = self._describe(exc, hide)
        specific = connection_failure(exc, detail)
        if specific is not None:
            return specific
        if isinstance(exc, httpx.TimeoutException):
            return TimedOut(detail=detail)
        return ConnectionFailed(detail=detail)

    def _error(self, response: httpx.Response, hide: tuple[str, ...]) -> ProcoreError:
        status = response.status_code
        if status == 407:
            return proxy_auth_response(response)
        error = error_from_response(
            status, response.headers, response.content, secrets=(self.__secret, *hide)
        )
        code = ""
        try:
            body = read_json(response.content)
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                code = body["error"]
        except NotJson:
            pass
        kw: dict[str, Any] = {
            "status": status,
            "request_id": error.request_id,
            "detail": error.detail,
        }
        if code == "invalid_grant":
            return SignInExpired(**kw)
        if status == 401 or code in ("invalid_client", "unauthorized_client"):
            return AuthenticationFailed(CLIENT_REJECTED_MESSAGE, **kw)
        if status == 400:
            return AuthenticationFailed(
                "Procore refused the sign-in request. Check the client id, the secret and the "
                "Procore environment in Connection settings.",
                **kw,
            )
        if status == 404:
            return NotFound(
                "Procore's sign-in address was not found. Check the environment (or the custom "
                "sign-in URL) in Connection settings.",
                **kw,
            )
        return error

    def _describe(self, exc: Exception, hide: tuple[str, ...]) -> str:
        text = redact(f"{type(exc).__name__}: {exc}", (self.__secret, *hide)) or ""
        return truncate(text, 300)
