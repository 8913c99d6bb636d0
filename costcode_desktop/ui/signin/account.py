"""The account side of the window: restoring, signing in, switching company, signing out.

Works through the controller's worker; the sign-in dialog and the window hear back through
this object's signals, always on the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from costcode_desktop.procore.errors import Cancelled
from costcode_desktop.procore.records import Company
from costcode_desktop.services.history.store import HistoryStore, open_history_or_none
from costcode_desktop.services.secrets import (
    SecretStore,
    SecretStoreLike,
    SecretStoreUnavailable,
    SessionSecretStore,
)
from costcode_desktop.services.session import Session, open_demo_session
from costcode_desktop.services.settings import (
    Connection,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
)
from costcode_desktop.services.signin import (
    Credentials,
    NoStoredSignIn,
    open_session,
    pasted_code_url,
    save_client_secret,
    service_account_tokens,
    sign_in_with_browser,
    sign_in_with_pasted_code,
    sign_out,
    stored_tokens,
    user_tokens,
)
from costcode_desktop.ui.kit.explain import explain
from costcode_desktop.ui.kit.worker import Job

if TYPE_CHECKING:
    from costcode_desktop.ui.main.controller import Controller

log = logging.getLogger(__name__)


class AccountFlow(QObject):
    sign_in_needed = Signal(object, str)  # Settings, why (may be empty)
    sign_in_progress = Signal(str)  # plain words for the sign-in dialog
    sign_in_failed = Signal(str)  # plain words; the dialog stays open to try again
    open_url = Signal(str)  # the browser page of a sign-in (opened on the GUI thread)
    signed_out = Signal()

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self.settings: Settings = Settings()
        self.store: SecretStoreLike | None = None
        self._sign_in_job: Job | None = None

    def restore(self) -> None:
        """At start-up: the stored sign-in if there is one, else ask for a sign-in."""

        def work(job: Job) -> tuple[Session, HistoryStore | None] | tuple[Settings, str]:
            loaded = load_settings()
            settings = loaded.settings
            self.settings = settings
            if settings.connection.environment == "demo":
                return open_demo_session(cancel=job.cancel), open_history_or_none()
            store = self._store()
            try:
                tokens = stored_tokens(settings.connection, store)
            except NoStoredSignIn:
                return settings, "" if loaded.problem is None else str(loaded.problem)
            except SecretStoreUnavailable as exc:
                return settings, str(exc)
            job.report("Signing in to Procore…")
            company = settings.companies.get(settings.connection.environment_key())
            session = open_session(
                settings.connection, tokens, company_id=company, cancel=job.cancel
            )
            return session, open_history_or_none()

        def done(result: tuple[Any, Any]) -> None:
            if isinstance(result[0], Session):
                self.controller.use_session(result[0], result[1])
            else:
                self.sign_in_needed.emit(result[0], result[1])

        def failed(error: BaseException, details: str) -> None:
            message, _ = explain(error, details)
            self.sign_in_needed.emit(self.settings, message)

        self.controller.worker.submit(work, on_result=done, on_error=failed)

    def sign_in(self, connection: Connection, client_secret: str, *, session_only: bool) -> None:
        """Sign in with the connection's method; the dialog hears back through signals."""
        if connection.environment == "demo":
            self.controller.open_demo()
            return
        credentials = Credentials(connection, client_secret)
        previous = self.settings

        def work(job: Job) -> tuple[Session, HistoryStore | None]:
            store = SessionSecretStore() if session_only else self._store()
            if not session_only:
                job.report("Saving the app's secret in " + store.location + "…")
            save_client_secret(store, connection, client_secret)
            tokens: Any
            if connection.sign_in_method == "service_account":
                job.report("Signing in with the service account…")
                tokens = service_account_tokens(credentials)
            elif connection.sign_in_method == "browser":
                job.report("Finish signing in in your browser. Waiting for Procore…")
                grant = sign_in_with_browser(
                    credentials, lambda url: job.report(("open", url)), cancel=job.cancel
                )
                tokens = user_tokens(credentials, grant, store)
            else:
                raise ValueError("use finish_pasted_code for the paste-a-code sign-in")
            return self._finish_sign_in(job, connection, tokens, store, previous)

        self._start_sign_in(work)

    def pasted_code_url(self, connection: Connection, client_secret: str) -> str:
        """The page that shows a code to paste (built here; nothing is sent yet)."""
        return pasted_code_url(Credentials(connection, client_secret))

    def finish_pasted_code(
        self, connection: Connection, client_secret: str, code: str, *, session_only: bool
    ) -> None:
        credentials = Credentials(connection, client_secret)
        previous = self.settings

        def work(job: Job) -> tuple[Session, HistoryStore | None]:
            store = SessionSecretStore() if session_only else self._store()
            save_client_secret(store, connection, client_secret)
            job.report("Checking the code with Procore…")
            grant = sign_in_with_pasted_code(credentials, code)
            tokens = user_tokens(credentials, grant, store)
            return self._finish_sign_in(job, connection, tokens, store, previous)

        self._start_sign_in(work)

    def cancel_sign_in(self) -> None:
        if self._sign_in_job is not None:
            self._sign_in_job.cancel.cancel()

    def _start_sign_in(self, work: Any) -> None:
        def progressed(item: object) -> None:
            if isinstance(item, tuple) and item[0] == "open":
                self.open_url.emit(item[1])
            else:
                self.sign_in_progress.emit(str(item))

        def failed(error: BaseException, details: str) -> None:
            message, _ = explain(error, details)
            if isinstance(error, Cancelled):
                message = "Sign-in cancelled."
            self.sign_in_failed.emit(message)

        def done() -> None:
            self._sign_in_job = None

        self.cancel_sign_in()
        self._sign_in_job = self.controller.worker.submit(
            work,
            on_result=lambda pair: self.controller.use_session(*pair),
            on_error=failed,
            on_progress=progressed,
            on_done=done,
        )

    def _finish_sign_in(
        self,
        job: Job,
        connection: Connection,
        tokens: Any,
        store: SecretStoreLike,
        previous: Settings,
    ) -> tuple[Session, HistoryStore | None]:
        """After the tokens: who the user is, their companies, and the settings to keep."""
        job.report("Reading your Procore companies…")
        key = connection.environment_key()
        session = open_session(
            connection, tokens, company_id=previous.companies.get(key), cancel=job.cancel
        )
        settings = replace(previous, connection=connection).with_login(key, session.user.login)
        self._save_settings(settings.with_company(key, session.company.id))
        self.store = store
        if self.controller.session is not None:
            self.controller.session.close()
        return session, self.controller.history or open_history_or_none()

    def switch_company(self, company: Company) -> None:
        session = self.controller.session
        if session is None or self.controller.refreshing or company.id == session.company.id:
            return
        session.company = company
        self.controller.company_list = None
        self.controller.session_opened.emit(session)
        key = _environment_key(session, self.settings)
        settings = self.settings.with_company(key, company.id)
        self.controller.worker.submit(lambda job: self._save_settings(settings))
        self.controller.reload()

    def sign_out(self) -> None:
        session, store = self.controller.session, self.store
        if session is None or self.controller.refreshing:
            return
        connection = self.settings.connection
        self.controller.cancel_checks()
        self.controller.session = None
        self.controller.company_list = None

        def work(job: Job) -> None:
            if store is not None and session.environment.key != "demo":
                sign_out(session, store, connection)
            else:
                session.close()

        self.controller.worker.submit(
            work,
            on_result=lambda _none: self.signed_out.emit(),
            on_error=self.controller.failure("Signing out"),
        )

    def _store(self) -> SecretStoreLike:
        if self.store is None:
            self.store = SecretStore()
            if not self.store.available():
                raise SecretStoreUnavailable()
        return self.store

    def _save_settings(self, settings: Settings) -> None:
        """On the worker: keep the settings; a failure is logged, never fatal."""
        self.settings = settings
        try:
            save_settings(settings)
        except SettingsError:
            log.warning("settings not saved", exc_info=True)


def _environment_key(session: Session, settings: Settings) -> str:
    if session.environment.key == "demo":
        return "demo"
    return settings.connection.environment_key()
