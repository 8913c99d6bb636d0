"""Where the bearer token comes from: a pasted token, client credentials, or a user's sign-in."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol, Unpack

from .cancel import CancelToken, check
from .oauth import (
    CLIENT_REJECTED_MESSAGE,
    DEFAULT_TOKEN_LIFETIME,
    EndpointOptions,
    SignInExpired,
    TokenEndpoint,
)

log = logging.getLogger("costcode_desktop.procore")

__all__ = [
    "CLIENT_REJECTED_MESSAGE",
    "DEFAULT_TOKEN_LIFETIME",
    "ClientCredentials",
    "RefreshingTokens",
    "StaticToken",
    "TokenSource",
    "TokenVault",
]


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
        **options: Unpack[EndpointOptions],
    ) -> None:
        self._endpoint = TokenEndpoint(login_url, client_id, client_secret, **options)
        self.login_url = self._endpoint.login_url
        self.client_id = self._endpoint.client_id
        self._clock = self._endpoint.clock
        self._lock = threading.Lock()
        self.__token: str | None = None
        self._refresh_at = 0.0
        self._fetches = 0

    def __repr__(self) -> str:
        return f"ClientCredentials(login_url={self.login_url!r}, client_id={self.client_id!r})"

    @property
    def token_url(self) -> str:
        return self._endpoint.token_url

    @property
    def fetch_count(self) -> int:
        """How many tokens were requested from Procore (for tests and diagnostics)."""
        return self._fetches

    def close(self) -> None:
        self._endpoint.close()

    def bearer_token(self, cancel: CancelToken | None = None) -> str:
        with _holding(self._lock, cancel):
            token = self.__token
            if token is not None and self._clock() < self._refresh_at:
                return token
            check(cancel)
            self._fetches += 1
            grant = self._endpoint.client_credentials()
            self.__token, self._refresh_at = grant.access_token, grant.refresh_at
            return grant.access_token

    def token_rejected(self, token: str) -> bool:
        with self._lock:
            if self.__token == token:
                self.__token = None
                self._refresh_at = 0.0
        return True


class TokenVault(Protocol):
    """Where a user's refresh token is kept between runs (the OS keyring), shared by processes."""

    def load(self) -> str | None:
        """The newest stored refresh token (another process may have rotated it)."""
        ...

    def save(self, refresh_token: str) -> None:
        """Store the new token; called before the access token that came with it is used."""
        ...

    def lock(self) -> contextlib.AbstractContextManager[object]:
        """Held across a refresh, so two processes never spend the same refresh token."""
        ...


class RefreshingTokens(TokenSource):
    """A signed-in user's tokens: the access token in memory, refreshed before it expires.

    Refresh tokens are single-use and rotate. One refresh runs at a time (a lock here, and the
    vault's lock across processes); the new refresh token is saved before the new access token
    is used; a refresh token Procore no longer accepts ends the sign-in with SignInExpired
    instead of a retry loop.
    """

    def __init__(
        self,
        endpoint: TokenEndpoint,
        vault: TokenVault,
        *,
        grant_access: str | None = None,
        grant_refresh_at: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._endpoint = endpoint
        self._vault = vault
        self._clock = clock
        self._lock = threading.Lock()
        self.__access = grant_access
        self._refresh_at = grant_refresh_at
        self._ended: SignInExpired | None = None
        self.save_problem: str | None = None  # set when the keyring refused the new token
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"RefreshingTokens(client_id={self._endpoint.client_id!r})"

    @property
    def ended(self) -> bool:
        return self._ended is not None

    def bearer_token(self, cancel: CancelToken | None = None) -> str:
        with _holding(self._lock, cancel):
            if self._ended is not None:
                raise self._ended
            access = self.__access
            if access is not None and self._clock() < self._refresh_at:
                return access
            check(cancel)
            return self._refresh()

    def token_rejected(self, token: str) -> bool:
        with self._lock:
            if self.__access == token:
                self.__access = None
                self._refresh_at = 0.0
            return self._ended is None

    def _refresh(self) -> str:
        with self._vault.lock():
            stored = self._vault.load()
            if stored is None:
                self._ended = SignInExpired()
                raise self._ended
            try:
                grant = self._endpoint.refresh(stored)
            except SignInExpired as exc:
                self._ended = exc
                raise
            self.refresh_count += 1
            if grant.refresh_token is not None:
                try:
                    self._vault.save(grant.refresh_token)
                    self.save_problem = None
                except Exception as exc:  # the keyring refused: keep the token for this session
                    self.save_problem = str(exc)
                    log.warning("the new refresh token could not be stored: %s", exc)
                    self._vault = _MemoryVault(grant.refresh_token, self._vault)
        self.__access, self._refresh_at = grant.access_token, grant.refresh_at
        return grant.access_token

    def sign_out(self) -> None:
        """Revoke the tokens at Procore (best effort) and forget them here."""
        with self._lock:
            access, self.__access = self.__access, None
            with self._vault.lock():
                stored = self._vault.load()
            for token in (stored, access):
                if token:
                    self._endpoint.revoke(token)
            self._ended = SignInExpired("You signed out of Procore.")


class _MemoryVault:
    """Stands in when the keyring refuses a new token mid-session (never loses the token)."""

    def __init__(self, token: str, inner: TokenVault) -> None:
        self.__token = token
        self._inner = inner

    def load(self) -> str | None:
        return self.__token

    def save(self, refresh_token: str) -> None:
        self.__token = refresh_token

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return self._inner.lock()


@contextlib.contextmanager
def _holding(lock: threading.Lock, cancel: CancelToken | None) -> Iterator[None]:
    """Wait for another thread's token request, but stay responsive to cancel meanwhile."""
    check(cancel)
    while not lock.acquire(timeout=0.2):
        check(cancel)
    try:
        yield
    finally:
        lock.release()
