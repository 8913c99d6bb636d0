"""The one owner of the window's state: runs the use cases on the worker and says what changed.

The window never talks to Procore or the disk itself: it asks the controller, which hands the
work to the background helper. Work functions return values or report typed events; only the
controller assigns its `WindowState`, on the GUI thread, and then emits a signal. The window
and its panes read the state from here and never keep copies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from costcode_desktop.costcodes import Comparison
from costcode_desktop.services import (
    DEFAULT_CONCURRENCY,
    Cancelled,
    Company,
    CompanyList,
    CompanyLoad,
    Project,
    ProjectRefreshed,
    ProjectStatus,
    RefreshEstimate,
    RefreshOutcome,
    RefreshPreview,
    RefreshRun,
    RefreshStep,
    RefreshWaiting,
    Session,
    check_permissions,
    check_projects,
    load_company,
    refresh_many,
    refresh_preview,
)
from costcode_desktop.services.export import ExportHeader, write_csv, write_xlsx
from costcode_desktop.services.history import HistoryStore, open_history_or_none
from costcode_desktop.services.session import open_demo_session
from costcode_desktop.ui.kit.explain import explain
from costcode_desktop.ui.kit.worker import Job, Worker
from costcode_desktop.ui.main.state import WindowState
from costcode_desktop.ui.signin.account import AccountFlow

log = logging.getLogger(__name__)

Failure = Callable[[BaseException, str], None]


@dataclass(frozen=True, slots=True)
class ProjectChecked:
    """A check's progress event: one more project compared."""

    status: ProjectStatus
    done: int
    total: int


class Controller(QObject):
    session_opened = Signal(object)  # Session: a sign-in, the demo, or another company
    signed_out = Signal()
    company_loaded = Signal(object)  # CompanyLoad; every project is being checked next
    checks_started = Signal(object)  # [project id]: their results are unknown until checked
    status_changed = Signal(object)  # ProjectStatus, from a check or a refresh's read-back
    checking_progress = Signal(int, int)  # done, total (0, 0: busy, no count yet)
    checks_finished = Signal()
    refresh_started = Signal(object)  # [Project] waiting to be refreshed
    refresh_step = Signal(object)  # RefreshStep
    refresh_waiting = Signal(object)  # RefreshWaiting
    refresh_estimate = Signal(object)  # RefreshEstimate: before the first project, after each
    permissions_checked = Signal()  # the session now knows the permissions check_permissions asked
    project_refreshed = Signal(object)  # RefreshResult (the state already holds its status)
    last_refreshed_changed = Signal(object, object)  # project id (64-bit), datetime
    refresh_finished = Signal(object)  # RefreshRun
    export_finished = Signal(str)  # path
    failed = Signal(str, str, str)  # what was being done, message, details

    def __init__(self, parent: QObject | None = None, *, worker: Worker | None = None) -> None:
        super().__init__(parent)
        self.worker = worker or Worker(self)
        self.state = WindowState()
        self.account = AccountFlow(self.worker, self)
        self.account.session_ready.connect(self._session_ready)
        self.account.sign_out_finished.connect(self.signed_out)
        self._check_job: Job | None = None
        self._refresh_job: Job | None = None
        self._generation = 0  # bumped when the company changes: late check results are dropped
        self._loading = False

    # -- reading -------------------------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        return self.state.session

    @property
    def history(self) -> HistoryStore | None:
        return self.state.history

    @property
    def company_list(self) -> CompanyList | None:
        return self.state.company_list

    @property
    def statuses(self) -> Mapping[int, ProjectStatus]:
        return self.state.statuses

    def status(self, project_id: int) -> ProjectStatus | None:
        return self.state.statuses.get(project_id)

    @property
    def refreshing(self) -> bool:
        return self._refresh_job is not None

    @property
    def loading(self) -> bool:
        return self._loading

    # -- opening -------------------------------------------------------------------------------

    def open_demo(self, *, reset: bool = False) -> None:
        def work(job: Job) -> Session:
            return open_demo_session(reset=reset, cancel=job.cancel)

        self._loading = True
        self.worker.submit(
            work,
            on_result=self._session_ready,
            on_error=self.failure("Starting the demo"),
            on_progress=lambda _event: self.checking_progress.emit(0, 0),
        )

    def use_session(self, session: Session, history: HistoryStore | None = None) -> None:
        """Adopt an already signed-in session (tests, the sign-in flow, the demo)."""
        if history is not None or self.state.history is not None:
            self._adopt(session, history or self.state.history)
            return
        self.worker.submit(
            lambda _job: open_history_or_none(),
            on_result=lambda opened: self._adopt(session, opened),
            on_error=self.failure("Opening the refresh history"),
        )

    def _session_ready(self, session: Session) -> None:
        self.use_session(session)

    def _adopt(self, session: Session, history: HistoryStore | None) -> None:
        previous = self.state.session
        if previous is not None and previous.client is not session.client:
            self.worker.submit(lambda _job: previous.close())  # may wait on the network
        if history is not self.state.history and self.state.history is not None:
            old = self.state.history
            self.worker.submit(lambda _job: old.close())
        self.state.session = session
        self.state.history = history
        self._clear_company()
        self.session_opened.emit(session)
        self.reload()

    def switch_company(self, company: Company) -> None:
        session = self.state.session
        if session is None or self.refreshing or company.id == session.company.id:
            return
        self.cancel_checks()
        self.state.session = session.with_company(company)  # same client, another company
        self._clear_company()
        self.session_opened.emit(self.state.session)
        self.account.remember_company(self.state.session)
        self.reload()

    def sign_out(self) -> None:
        session = self.state.session
        if session is None or self.refreshing:
            return
        self.cancel_checks()
        self.state.session = None
        self._clear_company()
        self.account.sign_out(session, on_error=self.failure("Signing out"))

    def _clear_company(self) -> None:
        self._generation += 1
        self.state.load(None, [], {})

    # -- loading the company and checking projects ---------------------------------------------

    def reload(self) -> None:
        session = self.state.session
        if session is None or self.refreshing:
            return
        self.cancel_checks()
        history = self.state.history
        self._loading = True
        self._generation += 1
        generation = self._generation

        def work(job: Job) -> CompanyLoad:
            return load_company(session, history=history, cancel=job.cancel)

        def loaded(load: CompanyLoad) -> None:
            if generation == self._generation:
                self._company_ready(load)

        self.worker.submit(work, on_result=loaded, on_error=self.failure("Loading the company"))

    def _company_ready(self, load: CompanyLoad) -> None:
        self.state.load(load.company_list, load.projects, load.last_refreshed)
        self.company_loaded.emit(load)
        self.check(load.projects)

    def check(self, projects: list[Project]) -> None:
        """Compare these projects with the company list in the background, a few at a time."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None:
            return
        total = len(projects)
        generation = self._generation
        self.state.forget([project.id for project in projects])
        self.checks_started.emit([project.id for project in projects])

        def work(job: Job) -> None:
            statuses = check_projects(
                session.client,
                company_list,
                projects,
                concurrency=DEFAULT_CONCURRENCY,
                cancel=job.cancel,
            )
            for done, status in enumerate(statuses, 1):
                job.report(ProjectChecked(status, done, total))

        def progressed(event: object) -> None:
            match event:
                case ProjectChecked(status=status, done=done) if generation == self._generation:
                    self._record(status)
                    self.checking_progress.emit(done, total)

        def finished(_none: None) -> None:
            if generation == self._generation:
                self.checks_finished.emit()

        self.checking_progress.emit(0, total)
        self._check_job = self.worker.submit(
            work,
            on_result=finished,
            on_error=self.failure("Checking the projects", quiet_cancel=True),
            on_progress=progressed,
            on_done=self._checks_done,
        )

    def _record(self, status: ProjectStatus) -> None:
        self.state.record(status)
        self.status_changed.emit(status)

    def _checks_done(self) -> None:
        self._check_job = None
        self._loading = False

    def cancel_checks(self) -> None:
        if self._check_job is not None:
            self._check_job.cancel.cancel()

    # -- refreshing ----------------------------------------------------------------------------

    def preview(self, statuses: list[ProjectStatus]) -> RefreshPreview | None:
        """What refreshing these would do, with the permissions known so far (no I/O)."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None:
            return None
        return refresh_preview(session, company_list, statuses)

    def check_permissions(self, projects: list[Project]) -> None:
        """Ask Procore, in the background, whether the user may change these projects' codes;
        the session keeps the answers for the refresh that follows."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None or not projects:
            return

        def work(job: Job) -> None:
            check_permissions(session, company_list, projects, cancel=job.cancel)

        self.worker.submit(
            work,
            on_result=lambda _none: self.permissions_checked.emit(),
            on_error=self.failure("Checking your permissions", quiet_cancel=True),
        )

    def refresh(self, projects: list[Project], *, concurrency: int = DEFAULT_CONCURRENCY) -> bool:
        """Refresh these projects, a few at a time; False when a refresh is already running.

        The run starts from the projects' results on screen (services decide whether each is
        fresh enough to act on), so a project just checked is not read again.
        """
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None or self.refreshing or not projects:
            return False
        history = self.state.history
        statuses = dict(self.state.statuses)  # a copy: the run reads it from its threads

        def work(job: Job) -> RefreshRun:
            return refresh_many(
                session,
                company_list,
                projects,
                history=history,
                on_event=job.report,
                concurrency=concurrency,
                cancel=job.cancel,
                statuses=statuses,
            )

        self._refresh_job = self.worker.submit(
            work,
            on_result=self._refresh_finished,
            on_error=self.failure("Refreshing"),
            on_progress=self._refresh_progressed,
            on_done=self._refresh_done,
        )
        self.refresh_started.emit(list(projects))
        return True

    def _refresh_progressed(self, event: object) -> None:
        match event:
            case RefreshStep():
                self.refresh_step.emit(event)
            case RefreshWaiting():
                self.refresh_waiting.emit(event)
            case RefreshEstimate():
                self.refresh_estimate.emit(event)
            case ProjectRefreshed(result=result, status=status):
                if status is not None:
                    self._record(status)
                if result.outcome is RefreshOutcome.REFRESHED:
                    when = datetime.now(UTC)
                    self.state.refreshed(result.project.id, when)
                    self.last_refreshed_changed.emit(result.project.id, when)
                self.project_refreshed.emit(result)

    def _refresh_finished(self, run: RefreshRun) -> None:
        self._refresh_job = None
        # Projects whose refresh could not say where they stand are checked again.
        unknown = [r.project for r in run.results if r.after is None] + run.not_started
        if unknown:
            self.check(unknown)
        self.refresh_finished.emit(run)

    def cancel_refresh(self) -> None:
        if self._refresh_job is not None:
            self._refresh_job.cancel.cancel()

    def _refresh_done(self) -> None:
        self._refresh_job = None

    # -- export --------------------------------------------------------------------------------

    def export(self, path: Path, header: ExportHeader, comparison: Comparison) -> None:
        writer = write_xlsx if path.suffix.lower() == ".xlsx" else write_csv

        def work(_job: Job) -> str:
            writer(path, header, comparison)
            return str(path)

        self.worker.submit(
            work, on_result=self.export_finished.emit, on_error=self.failure("Exporting")
        )

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop background work, then close the session and the history (at exit only)."""
        self.worker.cancel_all()
        self.worker.wait_for_done(15_000)
        session, history = self.state.session, self.state.history
        self.state.session = None
        self.state.history = None
        if session is not None:
            session.close()
        if history is not None:
            history.close()

    # -- helpers -------------------------------------------------------------------------------

    def failure(self, doing: str, *, quiet_cancel: bool = False) -> Failure:
        def report(error: BaseException, details: str) -> None:
            self._loading = False
            if quiet_cancel and isinstance(error, Cancelled):
                return
            message, more = explain(error, details)
            log.warning("%s failed: %s", doing, message)
            self.failed.emit(doing, message, more)

        return report
