"""A signed-in connection to one Procore company: what the GUI and CLI work through.

`connect` is the one way in (sign-in, stored sign-in, the CLI, the demo and the tests' sandbox
all go through it): a client, who the user is, their companies, and the company to show.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from costcode_desktop.procore import (
    CancelToken,
    ClientCredentials,
    CompanyIdRequired,
    Environment,
    ProcoreClient,
    SignInExpired,
    TokenSource,
    custom_environment,
)
from costcode_desktop.procore.records import Company, User
from costcode_desktop.services import paths

from .permissions import PermissionCache
from .sqlite_file import check_whole, discard, reason_of, unusable
from .text import isolated

if TYPE_CHECKING:
    from pathlib import Path

    from costcode_desktop.sandbox import SandboxServer

    from .demo_process import DemoProcess

log = logging.getLogger(__name__)


class _Resources:
    """The client and what was started for it, shared by a session and its copies: closed once,
    by whichever copy closes first."""

    def __init__(self, client: ProcoreClient, owned: Sequence[object]) -> None:
        self._client = client
        self._owned = list(owned)
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._client.close()
        for thing in reversed(self._owned):
            with contextlib.suppress(Exception):
                stop = getattr(thing, "stop", None) or getattr(thing, "close", None)
                if stop is not None:
                    stop()


@dataclass(frozen=True, eq=False)
class Session:
    """A signed-in user and the company shown. Showing another company is a copy (`with_company`,
    or `dataclasses.replace(session, company=...)`) sharing the client, the permission answers
    and what the session owns: closing any copy closes those, once."""

    environment: Environment
    client: ProcoreClient
    user: User
    company: Company  # the one the window shows; `with_company` gives a copy showing another
    companies: list[Company]
    tokens: TokenSource | None = field(default=None, repr=False)
    owned: Sequence[object] = field(default=(), repr=False)  # stopped or closed with the client
    # Who may change which project's cost codes, asked once per project (shared with copies).
    permissions: PermissionCache = field(default_factory=PermissionCache, repr=False, compare=False)
    _resources: _Resources | None = field(default=None, repr=False)  # shared with copies
    # What the user should be told about how the session came to be (the demo started again).
    notices: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self._resources is None:
            object.__setattr__(self, "_resources", _Resources(self.client, self.owned))

    def with_company(self, company: Company) -> Session:
        """The same sign-in showing another company; it shares the client and what it owns."""
        return replace(self, company=company)

    def close(self) -> None:
        """Close the client and stop what the session owns (once, for this and its copies)."""
        if self._resources is not None:
            self._resources.close()

    @property
    def signed_in_text(self) -> str:
        return (
            f"{isolated(self.user.name)} · {isolated(self.company.name)} · {self.environment.label}"
        )


def connect(
    environment: Environment,
    tokens: TokenSource,
    *,
    company_id: int | None = None,
    cancel: CancelToken | None = None,
    owned: Sequence[object] = (),
) -> Session:
    """Sign in: who the user is, their companies, and `company_id` if listed (else the first).

    A service account must know `company_id` already (see `_who`); without it Procore may
    refuse with CompanyIdRequired, whose message says where to give it. If signing in fails the
    client is closed; `owned` is closed with the session once it exists.
    """
    client = ProcoreClient(environment.api_url, tokens)
    try:
        user, companies = _who(client, tokens, company_id, cancel)
        if not companies:
            raise SignInExpired(
                "This Procore user has no companies. Check that the app is installed in your "
                "company and that you were added to it."
            )
    except BaseException:
        client.close()
        raise
    company = next((c for c in companies if c.id == company_id), companies[0])
    return Session(environment, client, user, company, companies, tokens, owned)


def _who(
    client: ProcoreClient, tokens: TokenSource, company_id: int | None, cancel: CancelToken | None
) -> tuple[User, list[Company]]:
    """/me and /companies. Procore requires Procore-Company-Id on these two from service accounts
    (client credentials), not from users; a pasted token may be a service account's, so it
    gets the header when Procore asks for it and the company is known."""
    header = company_id if isinstance(tokens, ClientCredentials) else None
    try:
        user = client.me(company_id=header, cancel=cancel)
    except CompanyIdRequired:
        if header is not None or company_id is None:
            raise
        header = company_id
        user = client.me(company_id=header, cancel=cancel)
    return user, client.companies(company_id=header, cancel=cancel)


class RunningSandbox(Protocol):
    """A sandbox listening somewhere: in this process (SandboxServer) or in a child process
    (demo_process.DemoProcess)."""

    @property
    def url(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    def companies(self) -> list[tuple[int, str]]: ...
    def stop(self) -> None: ...


def open_sandbox_session(
    server: RunningSandbox, *, company_id: int | None = None, cancel: CancelToken | None = None
) -> Session:
    """Sign in to a running sandbox (the demo's server) as its app's service account.

    The sandbox serves both the API and the sign-in; the server stays the caller's to stop.
    Without `company_id` it is the sandbox's first company (a service account must name one).
    """
    environment = custom_environment(server.url, server.url, key="demo", label="Demo")
    tokens = ClientCredentials(environment.login_url, server.client_id, server.client_secret)
    if company_id is None:
        company_id = server.companies()[0][0]
    return connect(environment, tokens, company_id=company_id, cancel=cancel, owned=(tokens,))


def open_demo_session(
    *, reset: bool = False, cancel: CancelToken | None = None, own_process: bool = False
) -> Session:
    """Start the built-in sandbox and sign in to its demo company.

    Its state lives in the user data folder, so refreshes made in the demo are still there the
    next time; `reset` starts from the seed again. With `own_process` (the window) it runs in a
    child process (see demo_process), else, or when that cannot start, in this one. The session
    stops the sandbox when it closes.
    """
    from costcode_desktop.sandbox import SandboxServer, demo_seed

    seed = demo_seed()
    path = paths.demo_database()
    notice = None
    had_state = path.is_file() and path.stat().st_size > 0
    try:
        check_whole(path)
        server = SandboxServer(seed, db_path=path, reset=reset)
    except sqlite3.DatabaseError as exc:
        if not unusable(path, exc):
            raise
        reason = reason_of(path, exc)
        notice = _demo_started_again(path, reason, discard(path))  # the demo is disposable
        server = SandboxServer(seed, db_path=path, reset=True)
    else:
        if had_state and not reset and not server.reused_state:
            notice = _demo_started_again(path, "it is of another version or application", None)
    if notice is not None:
        log.warning("%s", notice)
    child = _in_a_child(server, path, cancel) if own_process else None
    running: RunningSandbox
    if child is not None:
        running = child
    else:
        if own_process:  # the child could not start, and `server` was stopped for it
            server = SandboxServer(seed, db_path=path)
        running = server.start()
    try:
        session = open_sandbox_session(
            running, company_id=int(seed["companies"][0]["id"]), cancel=cancel
        )
    except BaseException:
        running.stop()
        raise
    return replace(_owning(session, running), notices=(notice,) if notice else ())


def _in_a_child(
    server: SandboxServer, path: Path, cancel: CancelToken | None
) -> DemoProcess | None:
    """The seeded database handed to a child sandbox (`server`, not started, is stopped); None
    when the child cannot start: the demo then runs in this process, a little less smoothly."""
    from .demo_process import DemoProcess, DemoProcessError

    client_id, client_secret, companies = server.client_id, server.client_secret, server.companies()
    server.stop()  # closes its database: from now on the child's
    try:
        return DemoProcess(path, client_id, client_secret, companies, cancel=cancel)
    except (DemoProcessError, OSError) as exc:
        log.warning("demo sandbox runs in this process: %s", exc)
        return None


def _demo_started_again(path: Path, reason: str, moved_to: Path | None) -> str:
    """What to tell the user when the demo's saved state could not be used."""
    kept = f" What was there was moved to {moved_to}." if moved_to is not None else ""
    return (
        f"The demo's saved state at {path} could not be read ({reason}), so the demo started "
        f"again from the beginning.{kept}"
    )


def _owning(session: Session, thing: object) -> Session:
    """`session`, also stopping `thing` when it closes."""
    return replace(session, owned=(*session.owned, thing), _resources=None)
