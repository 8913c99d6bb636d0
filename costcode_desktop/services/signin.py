"""Signing in to Procore: the three methods, the stored sign-in, switching company, signing out.

Plain Python: the desktop app calls these from its worker, costcode-sync from its main thread.
The client secret and the refresh token live only in the OS keyring (or, when the user chose
it, in memory for this session); the access token only in memory.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from costcode_desktop.procore import (
    OOB_REDIRECT_URI,
    CancelToken,
    ClientCredentials,
    Pkce,
    RefreshingTokens,
    SignInExpired,
    TokenEndpoint,
    TokenGrant,
    TokenSource,
    new_pkce,
    new_state,
)
from costcode_desktop.services import paths
from costcode_desktop.services.filelock import FileLock
from costcode_desktop.services.loopback import LoopbackReceiver
from costcode_desktop.services.secrets import SecretStoreLike, secret_key
from costcode_desktop.services.session import Session, connect
from costcode_desktop.services.settings import Connection

log = logging.getLogger(__name__)


class NoStoredSignIn(Exception):
    """Nothing is stored for this connection: the user has to sign in."""


class KeyringVault:
    """A refresh token in the secret store, guarded by a lock shared with other processes."""

    def __init__(self, store: SecretStoreLike, key: str, lock: FileLock | None = None) -> None:
        self._store = store
        self._key = key
        self._lock = lock or FileLock(paths.data_dir() / "sign-in.lock")

    def load(self) -> str | None:
        return self._store.get(self._key)

    def save(self, refresh_token: str) -> None:
        self._store.set(self._key, refresh_token)

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return self._lock.held()

    def forget(self) -> None:
        self._store.delete(self._key)


@dataclass(frozen=True)
class Credentials:
    """What signing in needs besides the user: the connection settings and the app's secret."""

    connection: Connection
    client_secret: str

    def __repr__(self) -> str:
        return f"Credentials(connection={self.connection!r}, client_secret=<hidden>)"

    def endpoint(self) -> TokenEndpoint:
        environment = self.connection.environment_obj()
        return TokenEndpoint(environment.login_url, self.connection.client_id, self.client_secret)


def refresh_token_key(connection: Connection) -> str:
    return secret_key("refresh_token", connection.environment_key(), connection.client_id)


def client_secret_key(connection: Connection) -> str:
    return secret_key("client_secret", connection.environment_key(), connection.client_id)


def save_client_secret(store: SecretStoreLike, connection: Connection, secret: str) -> None:
    store.set(client_secret_key(connection), secret)


def stored_client_secret(store: SecretStoreLike, connection: Connection) -> str | None:
    return store.get(client_secret_key(connection))


# -- the three ways in ------------------------------------------------------------------------


def sign_in_with_browser(
    credentials: Credentials,
    open_browser: Callable[[str], object],
    *,
    cancel: CancelToken | None = None,
    timeout: float = 300.0,
) -> TokenGrant:
    """Authorization code through the system browser and a loopback redirect, with PKCE.

    The browser is opened only once every address of the redirect is listened on, so a
    program already holding one of them never sees the sign-in.
    """
    connection = credentials.connection
    endpoint = credentials.endpoint()
    try:
        state, pkce = new_state(), new_pkce()
        receiver = LoopbackReceiver(
            connection.redirect_port, state, host=connection.redirect_host
        ).start()
        try:
            open_browser(endpoint.authorize_url(receiver.redirect_uri, state, pkce))
            code = receiver.wait(timeout=timeout, cancel=cancel)
        finally:
            receiver.close()
        return endpoint.authorization_code(code, receiver.redirect_uri, pkce)
    finally:
        endpoint.close()


@dataclass(frozen=True)
class PastedCodeStart:
    """The page where Procore shows a code to paste, and the proof key that code needs."""

    url: str
    pkce: Pkce = field(repr=False)


def start_pasted_code(credentials: Credentials) -> PastedCodeStart:
    """The installed-app variant: Procore shows the code, the user pastes it (with PKCE)."""
    endpoint = credentials.endpoint()
    try:
        pkce = new_pkce()
        return PastedCodeStart(endpoint.authorize_url(OOB_REDIRECT_URI, new_state(), pkce), pkce)
    finally:
        endpoint.close()


def sign_in_with_pasted_code(
    credentials: Credentials, code: str, started: PastedCodeStart
) -> TokenGrant:
    """Exchange the pasted code, with the verifier of the page `started` opened."""
    endpoint = credentials.endpoint()
    try:
        return endpoint.authorization_code(code, OOB_REDIRECT_URI, started.pkce)
    finally:
        endpoint.close()


def user_tokens(
    credentials: Credentials, grant: TokenGrant, store: SecretStoreLike
) -> RefreshingTokens:
    """Keep a fresh sign-in: the refresh token is stored before the access token is used."""
    if grant.refresh_token is None:
        raise SignInExpired("Procore's answer had no refresh token. Sign in again.")
    vault = KeyringVault(store, refresh_token_key(credentials.connection))
    with vault.lock():
        vault.save(grant.refresh_token)
    return RefreshingTokens(
        credentials.endpoint(),
        vault,
        grant_access=grant.access_token,
        grant_refresh_at=grant.refresh_at,
    )


def service_account_tokens(credentials: Credentials) -> ClientCredentials:
    environment = credentials.connection.environment_obj()
    return ClientCredentials(
        environment.login_url, credentials.connection.client_id, credentials.client_secret
    )


def stored_tokens(connection: Connection, store: SecretStoreLike) -> TokenSource:
    """The sign-in kept from last time, or NoStoredSignIn; nothing is sent to Procore yet."""
    secret = stored_client_secret(store, connection) if connection.client_id else None
    if not secret:
        raise NoStoredSignIn("Sign in to Procore: no app credentials are stored on this computer.")
    credentials = Credentials(connection, secret)
    if connection.sign_in_method == "service_account":
        return service_account_tokens(credentials)
    vault = KeyringVault(store, refresh_token_key(connection))
    if vault.load() is None:
        raise NoStoredSignIn("Sign in to Procore: you are not signed in on this computer.")
    return RefreshingTokens(credentials.endpoint(), vault)


# -- after signing in --------------------------------------------------------------------------


def open_session(
    connection: Connection,
    tokens: TokenSource,
    *,
    company_id: int | None = None,
    cancel: CancelToken | None = None,
) -> Session:
    """Who the user is and which companies they have; the remembered company if it is there.

    Only active companies are offered, unless the user has none. A service account without a
    remembered company starts in the company its connection names (Procore needs one).
    """
    if connection.sign_in_method == "service_account":
        company_id = company_id or connection.company_id or None
    session = connect(
        connection.environment_obj(), tokens, company_id=company_id, cancel=cancel, owned=(tokens,)
    )
    companies = [c for c in session.companies if c.is_active] or session.companies
    company = next((c for c in companies if c.id == company_id), companies[0])
    return replace(session, company=company, companies=companies)


def sign_out(session: Session, store: SecretStoreLike, connection: Connection) -> None:
    """Revoke the tokens at Procore and remove them from the keyring."""
    if isinstance(session.tokens, RefreshingTokens):
        session.tokens.sign_out()
    with contextlib.suppress(Exception):
        KeyringVault(store, refresh_token_key(connection)).forget()
    session.close()
