"""Runs the application's use cases on the worker and reports back with signals.

The window never talks to Procore or the disk itself: it asks the controller, which hands the
work to the background helper and re-emits what comes back on the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from costcode_desktop.costcodes import Comparison
from costcode_desktop.procore.errors import Cancelled, ProcoreError
from costcode_desktop.procore.records import Company, Project
from costcode_desktop.services import (
    CompanyList,
    CompanyListUnavailable,
    ProjectStatus,
    RefreshOutcome,
    RefreshResult,
    check_projects,
    read_company_list,
    refresh_project,
)
from costcode_desktop.services.export import ExportHeader, write_csv, write_xlsx
from costcode_desktop.services.history import HistoryError, HistoryStore
from costcode_desktop.services.loopback import SignInFailed
from costcode_desktop.services.secrets import (
    SecretStore,
    SecretStoreError,
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
from costcode_desktop.ui.worker import Job, Worker

log = logging.getLogger(__name__)


@dataclass
class RefreshRun:
    """What one press of Refresh did, project by project."""

    results: list[RefreshResult] = field(default_factory=list)
    not_started: list[Project] = field(default_factory=list)
    cancelled: bool = False
    history_problem: str = ""

    def count(self, outcome: RefreshOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    def summary(self) -> str:
        """One line that says what this run changed."""
        added = sum(len(r.added) for r in self.results)
        updated = sum(len(r.updated) for r in self.results)
        done = self.count(RefreshOutcome.REFRESHED)
        unchanged = self.count(RefreshOutcome.UNCHANGED)
        failed = self.count(RefreshOutcome.FAILED) + self.count(RefreshOutcome.REFUSED)
        if len(self.results) == 1 and not self.not_started:
            text = self.results[0].message
        else:
            plural = "s" if done != 1 else ""
            text = (
                f"Refreshed {done} project{plural}: added {added} codes, "
                f"updated {updated} descriptions."
            )
            if unchanged:
                text += f" {unchanged} already in sync."
            if failed:
                text += f" {failed} failed."
        if self.cancelled:
            text += f" Cancelled: {len(self.not_started)} not started."
        if self.history_problem:
            text += f" {self.history_problem}"
        return text


def explain(error: BaseException, details: str) -> tuple[str, str]:
    """A plain message for the banner, and the details behind it (never with secrets)."""
    if isinstance(error, ProcoreError):
        return str(error), error.technical_details()
    if isinstance(
        error,
        CompanyListUnavailable
        | HistoryError
        | SecretStoreUnavailable
        | SecretStoreError
        | SignInFailed
        | ValueError,
    ):
        return str(error), ""
    if isinstance(error, OSError):
        return f"The computer refused: {error.strerror or error}.", details
    return f"Something went wrong: {error}. The log has the details.", details


class Controller(QObject):
    session_opened = Signal(object)  # Session
    company_loaded = Signal(object, object, object)  # CompanyList, [Project], {id: datetime}
    project_checked = Signal(object)  # ProjectStatus
    checking_progress = Signal(int, int)  # done, total
    checks_finished = Signal()
    refresh_progress = Signal(object, str, int, int)  # Project, step, projects done, total
    project_refreshed = Signal(object)  # RefreshResult
    refresh_finished = Signal(object)  # RefreshRun
    export_finished = Signal(str)  # path
    failed = Signal(str, str, str)  # what was being done, message, details
    sign_in_needed = Signal(object, str)  # Settings, why (may be empty)
    sign_in_progress = Signal(str)  # plain words for the sign-in dialog
    sign_in_failed = Signal(str)  # plain words; the dialog stays open to try again
    open_url = Signal(str)  # the browser page of a sign-in (opened on the GUI thread)
    signed_out = Signal()

    def __init__(self, parent: QObject | None = None, *, worker: Worker | None = None) -> None:
        super().__init__(parent)
        self.worker = worker or Worker(self)
        self.session: Session | None = None
        self.company_list: CompanyList | None = None
        self.history: HistoryStore | None = None
        self.settings: Settings = Settings()
        self.store: SecretStoreLike | None = None
        self._check_job: Job | None = None
        self._refresh_job: Job | None = None
        self._sign_in_job: Job | None = None
        self._loading = False

    # -- state ---------------------------------------------------------------------------------

    @property
    def refreshing(self) -> bool:
        return self._refresh_job is not None

    @property
    def loading(self) -> bool:
        return self._loading

    # -- opening -------------------------------------------------------------------------------

    def open_demo(self, *, reset: bool = False) -> None:
        def work(job: Job) -> tuple[Session, HistoryStore | None]:
            job.report("Starting the built-in demo sandbox…")
            session = open_demo_session(reset=reset, cancel=job.cancel)
            return session, _open_history()

        self._loading = True
        self.worker.submit(
            work,
            on_result=lambda pair: self._session_ready(*pair),
            on_error=self._failure("Starting the demo"),
            on_progress=lambda text: self.checking_progress.emit(0, 0),
        )

    def use_session(self, session: Session, history: HistoryStore | None = None) -> None:
        """Adopt an already signed-in session (tests, and the sign-in dialog later)."""
        self._session_ready(session, history)

    def _session_ready(self, session: Session, history: HistoryStore | None) -> None:
        self.session = session
        self.history = history
        self.session_opened.emit(session)
        self.reload()

    # -- signing in ----------------------------------------------------------------------------

    def restore(self) -> None:
        """At start-up: the stored sign-in if there is one, else ask for a sign-in."""

        def work(job: Job) -> tuple[Session, HistoryStore | None] | tuple[Settings, str]:
            loaded = load_settings()
            settings = loaded.settings
            self.settings = settings
            if settings.connection.environment == "demo":
                return open_demo_session(cancel=job.cancel), _open_history()
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
            return session, _open_history()

        def done(result: tuple[Any, Any]) -> None:
            if isinstance(result[0], Session):
                self._session_ready(result[0], result[1])
            else:
                self._loading = False
                self.sign_in_needed.emit(result[0], result[1])

        def failed(error: BaseException, details: str) -> None:
            self._loading = False
            message, _ = explain(error, details)
            self.sign_in_needed.emit(self.settings, message)

        self._loading = True
        self.worker.submit(work, on_result=done, on_error=failed)

    def sign_in(self, connection: Connection, client_secret: str, *, session_only: bool) -> None:
        """Sign in with the connection's method; the dialog hears back through signals."""
        if connection.environment == "demo":
            self.open_demo()
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
        self._sign_in_job = self.worker.submit(
            work,
            on_result=lambda pair: self._session_ready(*pair),
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
        if self.session is not None:
            self.session.close()
        return session, self.history or _open_history()

    def switch_company(self, company: Company) -> None:
        session = self.session
        if session is None or self.refreshing or company.id == session.company.id:
            return
        session.company = company
        self.company_list = None
        self.session_opened.emit(session)
        key = _environment_key(session, self.settings)
        settings = self.settings.with_company(key, company.id)
        self.worker.submit(lambda job: self._save_settings(settings))
        self.reload()

    def sign_out(self) -> None:
        session, store = self.session, self.store
        if session is None or self.refreshing:
            return
        connection = self.settings.connection
        self.cancel_checks()
        self.session = None
        self.company_list = None

        def work(job: Job) -> None:
            if store is not None and session.environment.key != "demo":
                sign_out(session, store, connection)
            else:
                session.close()

        self.worker.submit(
            work,
            on_result=lambda _none: self.signed_out.emit(),
            on_error=self._failure("Signing out"),
        )

    def cancel_checks(self) -> None:
        if self._check_job is not None:
            self._check_job.cancel.cancel()

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

    # -- loading the company and checking projects ---------------------------------------------

    def reload(self) -> None:
        session = self.session
        if session is None or self.refreshing:
            return
        if self._check_job is not None:
            self._check_job.cancel.cancel()
        history = self.history
        self._loading = True

        def work(job: Job) -> tuple[CompanyList, list[Project], dict[int, datetime]]:
            company_id = session.company.id
            company_list = read_company_list(session.client, company_id, cancel=job.cancel)
            projects = session.client.projects(company_id, status="All", cancel=job.cancel)
            last = _last_refreshed(history, session)
            return company_list, projects, last

        self.worker.submit(
            work,
            on_result=lambda triple: self._company_ready(*triple),
            on_error=self._failure("Loading the company"),
        )

    def _company_ready(
        self, company_list: CompanyList, projects: list[Project], last: dict[int, datetime]
    ) -> None:
        self.company_list = company_list
        self.company_loaded.emit(company_list, projects, last)
        self.check(projects)

    def check(self, projects: list[Project]) -> None:
        """Compare each project with the company list, one after the other, in the background."""
        session, company_list = self.session, self.company_list
        if session is None or company_list is None:
            return
        total = len(projects)

        def work(job: Job) -> int:
            for done, status in enumerate(
                check_projects(session.client, company_list, projects, cancel=job.cancel), 1
            ):
                job.report((done, status))
            return total

        def progressed(item: tuple[int, ProjectStatus]) -> None:
            done, status = item
            self.project_checked.emit(status)
            self.checking_progress.emit(done, total)

        self.checking_progress.emit(0, total)
        self._check_job = self.worker.submit(
            work,
            on_result=lambda _total: self.checks_finished.emit(),
            on_error=self._failure("Checking the projects", quiet_cancel=True),
            on_progress=progressed,
            on_done=self._checks_done,
        )

    def _checks_done(self) -> None:
        self._check_job = None
        self._loading = False

    # -- refreshing ----------------------------------------------------------------------------

    def refresh(self, projects: list[Project]) -> bool:
        """Refresh these projects one after another; False when a refresh is already running."""
        session, company_list = self.session, self.company_list
        if session is None or company_list is None or self.refreshing or not projects:
            return False
        history = self.history
        total = len(projects)

        def work(job: Job) -> RefreshRun:
            run = RefreshRun()
            run_id = _start_history_run(history, session, run)
            for index, project in enumerate(projects):
                if job.cancel.cancelled:
                    run.not_started = list(projects[index:])
                    run.cancelled = True
                    break

                def step(text: str, index: int = index, project: Project = project) -> None:
                    job.report(("step", project, text, index, total))

                step("Starting")
                try:
                    result = refresh_project(
                        session.client, company_list, project.id, progress=step, cancel=job.cancel
                    )
                except Cancelled:
                    run.not_started = list(projects[index:])
                    run.cancelled = True
                    break
                except ProcoreError as exc:
                    result = RefreshResult(project, RefreshOutcome.FAILED, str(exc), error=exc)
                run.results.append(result)
                _record(history, run_id, result, run)
                job.report(("result", result, index + 1, total))
            _finish_history_run(history, run_id, run)
            return run

        def progressed(item: tuple[Any, ...]) -> None:
            if item[0] == "step":
                _, project, text, done, count = item
                self.refresh_progress.emit(project, text, done, count)
            else:
                self.project_refreshed.emit(item[1])

        self._refresh_job = self.worker.submit(
            work,
            on_result=self.refresh_finished.emit,
            on_error=self._failure("Refreshing"),
            on_progress=progressed,
            on_done=self._refresh_done,
        )
        return True

    def cancel_refresh(self) -> None:
        if self._refresh_job is not None:
            self._refresh_job.cancel.cancel()

    def _refresh_done(self) -> None:
        self._refresh_job = None

    # -- export --------------------------------------------------------------------------------

    def export(self, path: Path, header: ExportHeader, comparison: Comparison) -> None:
        writer = write_xlsx if path.suffix.lower() == ".xlsx" else write_csv

        def work(job: Job) -> str:
            writer(path, header, comparison)
            return str(path)

        self.worker.submit(
            work,
            on_result=self.export_finished.emit,
            on_error=self._failure("Exporting"),
        )

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop background work, then close the session and the history (at exit only)."""
        self.worker.cancel_all()
        self.worker.wait_for_done(15_000)
        if self.session is not None:
            self.session.close()
            self.session = None
        if self.history is not None:
            self.history.close()
            self.history = None

    # -- helpers -------------------------------------------------------------------------------

    def _failure(self, doing: str, *, quiet_cancel: bool = False) -> Any:
        def report(error: BaseException, details: str) -> None:
            self._loading = False
            if quiet_cancel and isinstance(error, Cancelled):
                return
            message, more = explain(error, details)
            log.warning("%s failed: %s", doing, message)
            self.failed.emit(doing, message, more)

        return report


def _open_history() -> HistoryStore | None:
    try:
        return HistoryStore()
    except HistoryError:
        log.warning("refresh history unavailable", exc_info=True)
        return None


def _last_refreshed(history: HistoryStore | None, session: Session) -> dict[int, datetime]:
    if history is None:
        return {}
    try:
        return history.last_refreshed(session.company.id, session.environment.key)
    except HistoryError:
        log.warning("could not read the refresh history", exc_info=True)
        return {}


def _start_history_run(
    history: HistoryStore | None, session: Session, run: RefreshRun
) -> int | None:
    if history is None:
        run.history_problem = "The refresh history is not available, so this run is not recorded."
        return None
    try:
        return history.start_run(
            user=session.user.login,
            environment=session.environment.key,
            company_id=session.company.id,
            company_name=session.company.name,
        )
    except HistoryError as exc:
        run.history_problem = str(exc)
        return None


def _record(
    history: HistoryStore | None, run_id: int | None, result: RefreshResult, run: RefreshRun
) -> None:
    if history is None or run_id is None:
        return
    try:
        history.record_project(run_id, result)
    except HistoryError as exc:
        run.history_problem = str(exc)


def _finish_history_run(history: HistoryStore | None, run_id: int | None, run: RefreshRun) -> None:
    if history is None or run_id is None:
        return
    try:
        history.finish_run(run_id, cancelled=run.cancelled)
    except HistoryError as exc:
        run.history_problem = str(exc)


def _environment_key(session: Session, settings: Settings) -> str:
    if session.environment.key == "demo":
        return "demo"
    return settings.connection.environment_key()
