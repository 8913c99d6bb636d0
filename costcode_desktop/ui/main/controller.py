"""Runs the application's use cases on the worker and reports back with signals.

The window never talks to Procore or the disk itself: it asks the controller, which hands the
work to the background helper and re-emits what comes back on the GUI thread.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from costcode_desktop.costcodes import Comparison
from costcode_desktop.procore.errors import Cancelled
from costcode_desktop.procore.records import Project
from costcode_desktop.services import (
    CompanyList,
    ProjectStatus,
    check_projects,
    read_company_list,
)
from costcode_desktop.services.bulk import RefreshRun, refresh_many
from costcode_desktop.services.export import ExportHeader, write_csv, write_xlsx
from costcode_desktop.services.history.store import HistoryError, HistoryStore, open_history_or_none
from costcode_desktop.services.session import Session, open_demo_session
from costcode_desktop.ui.kit.explain import explain
from costcode_desktop.ui.kit.worker import Job, Worker
from costcode_desktop.ui.signin.account import AccountFlow

log = logging.getLogger(__name__)


class Controller(QObject):
    session_opened = Signal(object)  # Session
    company_loaded = Signal(object, object, object)  # CompanyList, [Project], {id: datetime}
    project_checked = Signal(object)  # ProjectStatus
    checking_progress = Signal(int, int)  # done, total
    checks_finished = Signal()
    refresh_progress = Signal(object, str, int, int)  # Project, step, projects done, total
    project_refreshed = Signal(object)  # RefreshResult
    refresh_finished = Signal(object)  # RefreshRun
    refresh_waiting = Signal(str, float)  # why (Procore's request limit), seconds
    export_finished = Signal(str)  # path
    failed = Signal(str, str, str)  # what was being done, message, details

    def __init__(self, parent: QObject | None = None, *, worker: Worker | None = None) -> None:
        super().__init__(parent)
        self.worker = worker or Worker(self)
        self.session: Session | None = None
        self.company_list: CompanyList | None = None
        self.history: HistoryStore | None = None
        self._check_job: Job | None = None
        self._refresh_job: Job | None = None
        self.account = AccountFlow(self)
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
            return session, open_history_or_none()

        self._loading = True
        self.worker.submit(
            work,
            on_result=lambda pair: self._session_ready(*pair),
            on_error=self.failure("Starting the demo"),
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
            on_error=self.failure("Loading the company"),
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
            on_error=self.failure("Checking the projects", quiet_cancel=True),
            on_progress=progressed,
            on_done=self._checks_done,
        )

    def _checks_done(self) -> None:
        self._check_job = None
        self._loading = False

    def cancel_checks(self) -> None:
        if self._check_job is not None:
            self._check_job.cancel.cancel()

    # -- refreshing ----------------------------------------------------------------------------

    def refresh(self, projects: list[Project], *, concurrency: int = 3) -> bool:
        """Refresh these projects, a few at a time; False when a refresh is already running."""
        session, company_list = self.session, self.company_list
        if session is None or company_list is None or self.refreshing or not projects:
            return False
        history = self.history

        def work(job: Job) -> RefreshRun:
            return refresh_many(
                session,
                company_list,
                projects,
                history=history,
                on_step=lambda *step: job.report(("step", *step)),
                on_result=lambda result: job.report(("result", result)),
                on_wait=lambda reason, seconds: job.report(("wait", reason, seconds)),
                concurrency=concurrency,
                cancel=job.cancel,
            )

        def progressed(item: tuple[Any, ...]) -> None:
            if item[0] == "step":
                _, project, text, done, count = item
                self.refresh_progress.emit(project, text, done, count)
            elif item[0] == "wait":
                self.refresh_waiting.emit(item[1], item[2])
            else:
                self.project_refreshed.emit(item[1])

        self._refresh_job = self.worker.submit(
            work,
            on_result=self.refresh_finished.emit,
            on_error=self.failure("Refreshing"),
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
            on_error=self.failure("Exporting"),
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

    def failure(self, doing: str, *, quiet_cancel: bool = False) -> Any:
        def report(error: BaseException, details: str) -> None:
            self._loading = False
            if quiet_cancel and isinstance(error, Cancelled):
                return
            message, more = explain(error, details)
            log.warning("%s failed: %s", doing, message)
            self.failed.emit(doing, message, more)

        return report


def _last_refreshed(history: HistoryStore | None, session: Session) -> dict[int, datetime]:
    if history is None:
        return {}
    try:
        return history.last_refreshed(session.company.id, session.environment.key)
    except HistoryError:
        log.warning("could not read the refresh history", exc_info=True)
        return {}
