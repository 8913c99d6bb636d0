"""The account side of the window: restoring, signing in, remembering the company, signing out.

Work runs on the worker and returns a typed outcome; this object assigns its own state on the
GUI thread and says what happened through signals. It never touches the controller: a ready
session goes out as `session_ready`, and the controller adopts it.

The sign-in services (the HTTP client, OAuth, the keyring) are imported by the work functions,
on the worker, when first used: the window paints its last-known state without them.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from costcode_desktop.services import Cancelled
from costcode_desktop.services.cache.known import unreachable
from costcode_desktop.services.settings import (
    Connection,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
)
from costcode_desktop.ui.kit.explain import explain
from costcode_desktop.ui.kit.gui_owned import GuiOwned
from costcode_desktop.ui.kit.worker import Job, Worker

if TYPE_CHECKING:
    from costcode_desktop.services import Session, TokenSource
    from costcode_desktop.services.secrets import SecretStoreLike
    from costcode_desktop.services.signin import PastedCodeStart

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignedIn:
    session: Session
    settings: Settings
    store: SecretStoreLike | None


@dataclass(frozen=True, slots=True)
class SignInNeeded:
    settings: Settings
    why: str  # plain words; empty on a first start
    store: SecretStoreLike | None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The stored sign-in could not be tried: Procore could not be reached."""

    settings: Settings
    error: BaseException
    store: SecretStoreLike | None


@dataclass(frozen=True, slots=True)
class SignInStep:
    """Plain words for the sign-in dialog while a sign-in goes on."""

    text: str


@dataclass(frozen=True, slots=True)
class OpenBrowser:
    """The browser page of a sign-in, opened on the GUI thread."""

    url: str


class AccountState(GuiOwned):
    def __init__(self) -> None:
        self.settings = Settings()
        self.store: SecretStoreLike | None = None


class AccountFlow(QObject):
    session_ready = Signal(object)  # Session, signed in (or the demo)
    unreachable = Signal(object)  # the error: the stored sign-in waits for the network
    sign_in_needed = Signal(object, str)  # Settings, why (may be empty)
    sign_in_progress = Signal(str)  # plain words for the sign-in dialog
    sign_in_failed = Signal(str)  # plain words; the dialog stays open to try again
    open_url = Signal(str)  # the browser page of a sign-in (opened on the GUI thread)
    sign_out_finished = Signal()

    def __init__(self, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.state = AccountState()
        self._sign_in_job: Job | None = None
        self._pasted_code: PastedCodeStart | None = None  # the page a pasted code comes from

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def store(self) -> SecretStoreLike | None:
        return self.state.store

    def restore(self) -> None:
        """At start-up: the stored sign-in if there is one, else ask for a sign-in."""
        known = self.state.store

        def work(job: Job) -> SignedIn | SignInNeeded | Unreachable:
            from costcode_desktop.services.secrets import SecretStoreUnavailable
            from costcode_desktop.services.session import open_demo_session
            from costcode_desktop.services.signin import NoStoredSignIn, open_session, stored_tokens

            loaded = load_settings()
            settings = loaded.settings
            if settings.connection.environment == "demo":
                return SignedIn(open_demo_session(cancel=job.cancel), settings, None)
            store: SecretStoreLike | None = known
            try:
                store = store or _keyring_store()
                tokens = stored_tokens(settings.connection, store)
            except NoStoredSignIn:
                problem = "" if loaded.problem is None else str(loaded.problem)
                return SignInNeeded(settings, problem, store)
            except SecretStoreUnavailable as exc:
                return SignInNeeded(settings, str(exc), store)
            job.report(SignInStep("Signing in to Procore…"))
            key = settings.connection.environment_key()
            try:
                session = open_session(
                    settings.connection,
                    tokens,
                    company_id=settings.companies.get(key),
                    cancel=job.cancel,
                )
            except Exception as exc:
                if unreachable(exc):  # nothing wrong with the sign-in: try it again later
                    return Unreachable(settings, exc, store)
                message, _ = explain(exc, traceback.format_exc())
                return SignInNeeded(settings, message, store)
            return SignedIn(session, settings, store)

        def failed(error: BaseException, details: str) -> None:
            message, _ = explain(error, details)
            self.sign_in_needed.emit(self.state.settings, message)

        self.worker.submit(work, on_result=self._outcome, on_error=failed)

    def sign_in(self, connection: Connection, client_secret: str, *, session_only: bool) -> None:
        """Sign in with the connection's method; the dialog hears back through signals."""
        previous, known = self.state.settings, self.state.store

        def work(job: Job) -> SignedIn:
            from costcode_desktop.services.secrets import SessionSecretStore
            from costcode_desktop.services.session import open_demo_session
            from costcode_desktop.services.signin import (
                Credentials,
                save_client_secret,
                service_account_tokens,
                sign_in_with_browser,
                user_tokens,
            )

            if connection.environment == "demo":
                job.report(SignInStep("Starting the built-in demo sandbox…"))
                return SignedIn(open_demo_session(cancel=job.cancel), previous, known)
            credentials = Credentials(connection, client_secret)
            store = SessionSecretStore() if session_only else known or _keyring_store()
            if not session_only:
                job.report(SignInStep("Saving the app's secret in " + store.location + "…"))
            save_client_secret(store, connection, client_secret)
            tokens: TokenSource
            if connection.sign_in_method == "service_account":
                job.report(SignInStep("Signing in with the service account…"))
                tokens = service_account_tokens(credentials)
            elif connection.sign_in_method == "browser":
                job.report(SignInStep("Finish signing in in your browser. Waiting for Procore…"))
                grant = sign_in_with_browser(
                    credentials, lambda url: job.report(OpenBrowser(url)), cancel=job.cancel
                )
                tokens = user_tokens(credentials, grant, store)
            else:
                raise ValueError("use finish_pasted_code for the paste-a-code sign-in")
            return _finish_sign_in(job, connection, tokens, store, previous)

        self._start_sign_in(work)

    def pasted_code_url(self, connection: Connection, client_secret: str) -> str:
        """The page that shows a code to paste (built here; nothing is sent yet)."""
        from costcode_desktop.services.signin import Credentials, start_pasted_code

        # Kept for finish_pasted_code: the code is only good with this page's PKCE verifier.
        self._pasted_code = start_pasted_code(Credentials(connection, client_secret))
        return self._pasted_code.url

    def finish_pasted_code(
        self, connection: Connection, client_secret: str, code: str, *, session_only: bool
    ) -> None:
        from costcode_desktop.services.signin import Credentials

        credentials = Credentials(connection, client_secret)
        previous, known = self.state.settings, self.state.store
        started = self._pasted_code
        if started is None:
            raise ValueError("pasted_code_url opens the page whose code is pasted here")

        def work(job: Job) -> SignedIn:
            from costcode_desktop.services.secrets import SessionSecretStore
            from costcode_desktop.services.signin import (
                save_client_secret,
                sign_in_with_pasted_code,
                user_tokens,
            )

            store = SessionSecretStore() if session_only else known or _keyring_store()
            save_client_secret(store, connection, client_secret)
            job.report(SignInStep("Checking the code with Procore…"))
            grant = sign_in_with_pasted_code(credentials, code, started)
            tokens = user_tokens(credentials, grant, store)
            return _finish_sign_in(job, connection, tokens, store, previous)

        self._start_sign_in(work)

    def cancel_sign_in(self) -> None:
        if self._sign_in_job is not None:
            self._sign_in_job.cancel.cancel()

    def _start_sign_in(self, work: Callable[[Job], SignedIn]) -> None:
        def progressed(event: object) -> None:
            match event:
                case OpenBrowser(url=url):
                    self.open_url.emit(url)
                case SignInStep(text=text):
                    self.sign_in_progress.emit(text)

        def failed(error: BaseException, details: str) -> None:
            message, _ = explain(error, details)
            if isinstance(error, Cancelled):
                message = "Sign-in cancelled."
            self.sign_in_failed.emit(message)

        def done() -> None:
            self._sign_in_job = None

        self.cancel_sign_in()
        self._sign_in_job = self.worker.submit(
            work,
            on_result=self._outcome,
            on_error=failed,
            on_progress=progressed,
            on_done=done,
        )

    def _outcome(self, outcome: SignedIn | SignInNeeded | Unreachable) -> None:
        """On the GUI thread: keep what the work found, then say what happened."""
        self.state.settings = outcome.settings
        if outcome.store is not None:
            self.state.store = outcome.store
        match outcome:
            case SignedIn(session=session):
                self.session_ready.emit(session)
            case SignInNeeded(settings=settings, why=why):
                self.sign_in_needed.emit(settings, why)
            case Unreachable(error=error):
                self.unreachable.emit(error)

    def remember_company(self, session: Session) -> None:
        """The company the window shows now is the one to open next time."""
        key = _environment_key(session, self.state.settings)
        settings = self.state.settings.with_company(key, session.company.id)
        self.state.settings = settings
        self.worker.submit(lambda _job: _save_settings(settings))

    def sign_out(self, session: Session, *, on_error: Callable[[BaseException, str], None]) -> None:
        """Revoke and forget the sign-in (the demo's session is only closed)."""
        store, connection = self.state.store, self.state.settings.connection

        def work(_job: Job) -> None:
            from costcode_desktop.services.signin import sign_out

            if store is not None and session.environment.key != "demo":
                sign_out(session, store, connection)
            else:
                session.close()

        self.worker.submit(
            work, on_result=lambda _none: self.sign_out_finished.emit(), on_error=on_error
        )


def _finish_sign_in(
    job: Job,
    connection: Connection,
    tokens: TokenSource,
    store: SecretStoreLike,
    previous: Settings,
) -> SignedIn:
    """On the worker, after the tokens: who the user is, their companies, the settings to keep."""
    from costcode_desktop.services.signin import open_session

    job.report(SignInStep("Reading your Procore companies…"))
    key = connection.environment_key()
    # The company a service account was just given wins over the one remembered.
    company_id = connection.company_id or previous.companies.get(key)
    session = open_session(connection, tokens, company_id=company_id, cancel=job.cancel)
    settings = replace(previous, connection=connection).with_login(key, session.user.login)
    settings = settings.with_company(key, session.company.id)
    _save_settings(settings)
    return SignedIn(session, settings, store)


def _keyring_store() -> SecretStoreLike:
    from costcode_desktop.services.secrets import SecretStore, SecretStoreUnavailable

    store = SecretStore()
    if not store.available():
        raise SecretStoreUnavailable()
    return store


def _save_settings(settings: Settings) -> None:
    """On the worker: keep the settings; a failure is logged, never fatal."""
    try:
        save_settings(settings)
    except SettingsError:
        log.warning("settings not saved", exc_info=True)


def _environment_key(session: Session, settings: Settings) -> str:
    if session.environment.key == "demo":
        return "demo"
    return settings.connection.environment_key()
