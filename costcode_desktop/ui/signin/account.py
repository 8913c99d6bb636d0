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
from dataclasses import replace
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
    from costcode_desktop.services.policy import Policy
    from costcode_desktop.services.secrets import SecretStoreLike
    from costcode_desktop.services.signin import PastedCodeStart
    from costcode_desktop.ui.signin.outcomes import (
        ConnectionSaved,
        SignedIn,
        SignInNeeded,
        Unreachable,
    )

log = logging.getLogger(__name__)


class AccountState(GuiOwned):
    def __init__(self) -> None:
        from costcode_desktop.services.policy import Policy

        self.settings = Settings()  # the connection with IT's policy already applied
        self.store: SecretStoreLike | None = None
        self.policy = Policy()
        self.secret_saved = False  # a client secret is in the store for this connection
        self.keyring_problem = ""  # why nothing can be saved on this computer, if so


class AccountFlow(QObject):
    session_ready = Signal(object)  # Session, signed in (or the demo)
    unreachable = Signal(object)  # the error: the stored sign-in waits for the network
    sign_in_needed = Signal(object, str)  # Settings, why (may be empty)
    sign_in_progress = Signal(str)  # plain words for the sign-in dialog
    sign_in_failed = Signal(str)  # plain words; the dialog stays open to try again
    open_url = Signal(str)  # the browser page of a sign-in (opened on the GUI thread)
    sign_out_finished = Signal()
    connection_saved = Signal()  # Connection settings were saved (settings, secret)
    connection_save_failed = Signal(str)  # plain words

    def __init__(self, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.state = AccountState()
        self._sign_in_job: Job | None = None
        self._pasted_code: PastedCodeStart | None = None  # the page a pasted code comes from
        # IT's managed configuration; tests give their own reader. Called on the worker.
        self.read_policy: Callable[[], Policy] | None = None

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def store(self) -> SecretStoreLike | None:
        return self.state.store

    @property
    def policy(self) -> Policy:
        return self.state.policy

    @property
    def session_only(self) -> bool:
        """Secrets are kept in memory only: chosen at the last sign-in, or no keyring."""
        from costcode_desktop.services.secrets import SESSION_LOCATION

        store = self.state.store
        return bool(self.state.keyring_problem) or (
            store is not None and store.location == SESSION_LOCATION
        )

    def provisioned(self) -> bool:
        """IT set everything a sign-in needs: the clerk only signs in."""
        return self.state.policy.provisioned(self.state.settings.connection)

    def ready(self) -> bool:
        """The connection can be tried: a valid connection and a client secret to use."""
        connection = self.state.settings.connection
        has_secret = self.state.secret_saved or bool(self.state.policy.client_secret)
        return not connection.validate() and has_secret

    def policy_reader(self) -> Callable[[], Policy]:
        from costcode_desktop.services.policy import read_policy

        return self.read_policy or read_policy

    def restore(self) -> None:
        """At start-up: the stored sign-in if there is one, else ask for a sign-in."""
        known = self.state.store
        read_policy = self.policy_reader()

        def work(job: Job) -> SignedIn | SignInNeeded | Unreachable:
            from costcode_desktop.services.secrets import SecretStoreUnavailable
            from costcode_desktop.services.session import open_demo_session
            from costcode_desktop.services.signin import NoStoredSignIn, open_session, stored_tokens
            from costcode_desktop.ui.signin.outcomes import (
                Found,
                SignedIn,
                SignInNeeded,
                SignInStep,
                Unreachable,
            )

            loaded = load_settings()
            policy = read_policy()
            settings = replace(loaded.settings, connection=policy.apply(loaded.settings.connection))
            if settings.connection.environment == "demo":
                session = open_demo_session(cancel=job.cancel, own_process=True)
                return SignedIn(session, settings, None)
            store: SecretStoreLike | None = known
            saved = False
            try:
                store = store or _keyring_store()
                saved = _adopt_policy_secret(store, settings.connection, policy)
                tokens = stored_tokens(settings.connection, store)
            except NoStoredSignIn:
                problem = "" if loaded.problem is None else str(loaded.problem)
                return SignInNeeded(settings, problem, store, Found(policy, saved))
            except SecretStoreUnavailable as exc:
                return SignInNeeded(settings, str(exc), store, Found(policy, False))
            found = Found(policy, True)
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
                    return Unreachable(settings, exc, store, found)
                message, _ = explain(exc, traceback.format_exc())
                return SignInNeeded(settings, message, store, found)
            return SignedIn(session, settings, store, found)

        def failed(error: BaseException, details: str) -> None:
            message, _ = explain(error, details)
            self.sign_in_needed.emit(self.state.settings, message)

        self.worker.submit(work, on_result=self._outcome, on_error=failed)

    def sign_in(self, *, session_only: bool) -> None:
        """Sign in as Connection settings say; the dialog hears back through signals."""
        previous, known = self.state.settings, self.state.store
        connection = previous.connection
        policy_secret = self.state.policy.client_secret

        def work(job: Job) -> SignedIn:
            from costcode_desktop.services.signin import (
                Credentials,
                save_client_secret,
                service_account_tokens,
                sign_in_with_browser,
                user_tokens,
            )
            from costcode_desktop.ui.signin.outcomes import OpenBrowser, SignInStep

            client_secret = policy_secret or _saved_secret(known, connection)
            credentials = Credentials(connection, client_secret)
            store = _target_store(known, session_only=session_only)
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

    def pasted_code_url(self) -> str:
        """The page that shows a code to paste (built here; nothing is sent yet)."""
        from costcode_desktop.services.signin import Credentials, start_pasted_code

        # The authorize page needs the client id only; the secret is read when the code is sent.
        # Kept for finish_pasted_code: the code is only good with this page's PKCE verifier.
        self._pasted_code = start_pasted_code(Credentials(self.state.settings.connection, ""))
        return self._pasted_code.url

    def finish_pasted_code(self, code: str, *, session_only: bool) -> None:
        previous, known = self.state.settings, self.state.store
        connection = previous.connection
        policy_secret = self.state.policy.client_secret
        started = self._pasted_code
        if started is None:
            raise ValueError("pasted_code_url opens the page whose code is pasted here")

        def work(job: Job) -> SignedIn:
            from costcode_desktop.services.signin import (
                Credentials,
                save_client_secret,
                sign_in_with_pasted_code,
                user_tokens,
            )
            from costcode_desktop.ui.signin.outcomes import SignInStep

            client_secret = policy_secret or _saved_secret(known, connection)
            credentials = Credentials(connection, client_secret)
            store = _target_store(known, session_only=session_only)
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
            from costcode_desktop.ui.signin.outcomes import OpenBrowser, SignInStep

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

    def save_connection(self, connection: Connection, client_secret: str) -> None:
        """Keep Connection settings: the file, and a newly typed secret in the store."""
        previous, known = self.state.settings, self.state.store
        session_only = self.session_only

        def work(_job: Job) -> ConnectionSaved:
            from costcode_desktop.services.signin import save_client_secret, stored_client_secret
            from costcode_desktop.ui.signin.outcomes import ConnectionSaved

            store = _target_store(known, session_only=session_only)
            if client_secret:
                save_client_secret(store, connection, client_secret)
            settings = replace(previous, connection=connection)
            save_settings(settings)  # SettingsError: said in the dialog, which stays open
            saved = stored_client_secret(store, connection) is not None
            return ConnectionSaved(settings, store, saved)

        def saved(outcome: ConnectionSaved) -> None:
            self.state.settings = outcome.settings
            self.state.store = outcome.store
            self.state.secret_saved = outcome.secret_saved
            self.connection_saved.emit()

        def failed(error: BaseException, details: str) -> None:
            message, _ = explain(error, details)
            self.connection_save_failed.emit(message)

        self.worker.submit(work, on_result=saved, on_error=failed)

    def _outcome(self, outcome: SignedIn | SignInNeeded | Unreachable) -> None:
        """On the GUI thread: keep what the work found, then say what happened."""
        from costcode_desktop.ui.signin.outcomes import SignedIn, SignInNeeded, Unreachable

        self.state.settings = outcome.settings
        if outcome.store is not None:
            self.state.store = outcome.store
        if outcome.found is not None:
            self.state.policy = outcome.found.policy
            self.state.secret_saved = outcome.found.secret_saved
        if isinstance(outcome, SignInNeeded) and "password store" in outcome.why:
            self.state.keyring_problem = outcome.why
        elif isinstance(outcome, SignedIn) and outcome.store is not None:
            self.state.secret_saved = True
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
    from costcode_desktop.ui.signin.outcomes import SignedIn, SignInStep

    job.report(SignInStep("Reading your Procore companies…"))
    key = connection.environment_key()
    # The company a service account was just given wins over the one remembered.
    company_id = connection.company_id or previous.companies.get(key)
    session = open_session(connection, tokens, company_id=company_id, cancel=job.cancel)
    settings = replace(previous, connection=connection).with_login(key, session.user.login)
    settings = settings.with_company(key, session.company.id)
    _save_settings(settings)
    return SignedIn(session, settings, store)


def _saved_secret(store: SecretStoreLike | None, connection: Connection) -> str:
    """On the worker: the client secret saved for this connection; a plain error if none."""
    from costcode_desktop.services.signin import stored_client_secret

    secret = stored_client_secret(store or _keyring_store(), connection)
    if not secret:
        raise ValueError(
            "No client secret is saved on this computer for this Procore app. Enter it in "
            "Connection settings."
        )
    return secret


def _target_store(known: SecretStoreLike | None, *, session_only: bool) -> SecretStoreLike:
    """Where this sign-in keeps its secrets: memory when asked (or no keyring), else the keyring."""
    from costcode_desktop.services.secrets import (
        SESSION_LOCATION,
        SecretStoreUnavailable,
        SessionSecretStore,
    )

    if session_only:
        if known is not None and known.location == SESSION_LOCATION:
            return known
        return SessionSecretStore()
    if known is not None and known.location != SESSION_LOCATION:
        return known
    try:
        return _keyring_store()
    except SecretStoreUnavailable:
        if known is not None:
            return known
        raise


def _adopt_policy_secret(store: SecretStoreLike, connection: Connection, policy: Policy) -> bool:
    """On the worker: a secret IT provisioned goes to the keyring on first use; saved or not."""
    from costcode_desktop.services.signin import save_client_secret, stored_client_secret

    if not connection.client_id:
        return False
    saved = stored_client_secret(store, connection)
    secret = policy.client_secret
    if secret and saved != secret:
        save_client_secret(store, connection, secret)
        return True
    return saved is not None


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
