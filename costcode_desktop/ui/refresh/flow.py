"""Refreshing projects from the main window: what to send, the banner while it runs, the outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QApplication

from costcode_desktop.procore.records import Project
from costcode_desktop.services import (
    CompanyList,
    ProjectState,
    RefreshOutcome,
    RefreshResult,
    status_after_refresh,
)
from costcode_desktop.services.bulk import RefreshRun
from costcode_desktop.ui.compare.pane import ComparePane
from costcode_desktop.ui.kit import memory
from costcode_desktop.ui.kit.banner import StatusBanner
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.main.mixin import WindowMixin
from costcode_desktop.ui.projects.pane import ProjectsPane
from costcode_desktop.ui.refresh.before_dialog import BeforeRefreshDialog, unsendable_codes
from costcode_desktop.ui.refresh.bulk_dialog import BulkRefreshDialog, preview

REFUSED_STATES = {
    ProjectState.NOT_ERP_INTEGRATED,
    ProjectState.OTHER_LIST,
    ProjectState.NO_ACCESS,
}


class RefreshMixin(WindowMixin):
    """Starts refreshes on the controller's worker and shows their progress and outcome."""

    # Provided by MainWindow and ActionsMixin (declared here for mypy only).
    controller: Controller
    banner: StatusBanner
    projects: ProjectsPane
    compare: ComparePane
    company_list: CompanyList | None
    refresh_finished: ClassVar[Signal]
    if TYPE_CHECKING:

        def _update_actions(self) -> None: ...

    # The refresh state starts from these class defaults; each window sets its own when it runs.
    concurrency = 3  # projects at once in a run of several; the bulk dialog changes it
    last_run: RefreshRun | None = None
    before_refresh_dialog: BeforeRefreshDialog | None = None
    bulk_dialog: BulkRefreshDialog | None = None
    _run_done = _run_failed = _run_total = 0  # the run going on, for the banner's headline
    _title_before_run = ""  # the window title to put back when the run ends

    @Slot()
    def refresh_selected(self) -> None:
        selected = self.projects.selected_projects()
        if not selected or self.controller.refreshing:
            return
        refused: list[tuple[Project, str]] = []
        to_refresh: list[Project] = []
        for project in selected:
            row = self.projects.model.row_for(project.id)
            status = row.status if row else None
            if status is not None and status.state in REFUSED_STATES:
                refused.append((project, status.message or status.state.label))
            else:
                to_refresh.append(project)
        statuses = [row.status for p in to_refresh if (row := self.projects.model.row_for(p.id))]
        unsendable = unsendable_codes(statuses)
        if refused or unsendable:
            dialog = BeforeRefreshDialog(self, refused, unsendable, to_refresh)
            dialog.go_ahead.connect(lambda: self._start_refresh(to_refresh))
            self.before_refresh_dialog = dialog
            dialog.open()  # not exec(): no nested event loop, the window keeps painting
            return
        self._start_refresh(to_refresh)

    def _start_refresh(self, to_refresh: list[Project]) -> None:
        """Every run uses the window's concurrency, the number last chosen in the bulk dialog."""
        started = self.controller.refresh(to_refresh, concurrency=self.concurrency)
        if started:
            self._run_done = self._run_failed = 0
            self._run_total = len(to_refresh)
            self._title_before_run = self.windowTitle()
            self._title_progress()
            waiting = [project.id for project in to_refresh]
            self.projects.model.mark_all_busy(waiting, "↻ Waiting to refresh…")
            text = (
                f"Refreshing cost codes on '{to_refresh[0].name}'…"
                if len(to_refresh) == 1
                else self._run_headline()
            )
            self.banner.show_working(text, "Starting…", 0, len(to_refresh))
        self._update_actions()

    @Slot()
    def refresh_all_out_of_date(self) -> BulkRefreshDialog | None:
        """Active out-of-date projects, after a look at what would change (nothing is sent)."""
        if self.controller.refreshing:
            return None
        rows = self.projects.model.rows()
        stale = [row.status for row in rows if row.out_of_date and row.project.active]
        inactive = sum(1 for row in rows if row.out_of_date and not row.project.active)
        statuses = [status for status in stale if status is not None]
        if not statuses:
            self.statusBar().showMessage("Every active project matches the company list.", 10_000)
            return None
        dialog = BulkRefreshDialog(
            preview(statuses), self, inactive_left_out=inactive, concurrency=self.concurrency
        )
        projects = [status.project for status in statuses]

        def go() -> None:
            self.concurrency = dialog.concurrency.value()
            self._start_refresh(projects)

        dialog.accepted.connect(go)
        self.bulk_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def retry_failed(self) -> None:
        run = self.last_run
        if run is None or self.controller.refreshing:
            return
        again = [r.project for r in run.results if r.outcome is RefreshOutcome.FAILED]
        if again:
            self.banner.clear()
            self._start_refresh(again)

    @Slot(object, str, int, int)
    def _refresh_progress(self, project: Project, step: str, _index: int, total: int) -> None:
        self.projects.model.mark_busy(project.id, "↻ Refreshing…")
        if total == 1:
            self.banner.show_working(
                f"Refreshing cost codes on '{project.name}'…", f"{step}…", 0, 1
            )
        else:
            detail = f"{project.name}: {step[:1].lower()}{step[1:]}…"
            self.banner.show_working(self._run_headline(), detail, self._run_done, total)

    def _title_progress(self) -> None:
        """A run of several projects shows its progress in the title too: on the taskbar button
        and in Alt+Tab, for someone working in another program meanwhile."""
        if self._run_total > 1:
            done = f"{self._run_done} of {self._run_total} done"
            self.setWindowTitle(f"{done} — {self._title_before_run}")

    def _run_headline(self) -> str:
        """'… 12 of 48 projects done, 2 failed…' while a run of several projects goes on."""
        text = f"Refreshing cost codes: {self._run_done} of {self._run_total} projects done"
        if self._run_failed:
            text += f", {self._run_failed} failed"
        return text + "…"

    @Slot(str, float)
    def _refresh_waiting(self, reason: str, _seconds: float) -> None:
        total = max(self._run_total, 1)
        self.banner.show_working(self._run_headline(), reason, self._run_done, total)

    @Slot(object)
    def _project_refreshed(self, result: RefreshResult) -> None:
        memory.settle()
        self._run_done += 1
        self._run_failed += result.outcome is RefreshOutcome.FAILED
        self._title_progress()
        status = status_after_refresh(result)
        if status is not None:
            self.projects.model.set_status(status)
        if result.outcome is RefreshOutcome.REFRESHED:
            self.projects.model.set_last_refreshed(result.project.id, datetime.now(UTC))
        if status is not None and self.projects.current_project_id() == result.project.id:
            self.compare.show_status(status, self.company_list)

    @Slot(object)
    def _refresh_finished(self, run: RefreshRun) -> None:
        self.last_run = run
        if self._title_before_run:
            self.setWindowTitle(self._title_before_run)
        # Projects whose refresh could not say where they stand are checked again.
        unknown = [r.project for r in run.results if r.after is None] + run.not_started
        for project in unknown:
            self.projects.model.mark_busy(project.id, "")
            self.projects.model.mark_checking(project.id)
        if unknown:
            self.controller.check(unknown)
        # Skipped projects (refused) are not failures in a run of several; alone, one is news.
        total = len(run.results) + len(run.not_started)
        alone = total == 1
        shown = [
            r
            for r in run.results
            if r.outcome is RefreshOutcome.FAILED or (alone and r.outcome is RefreshOutcome.REFUSED)
        ]
        if shown:
            first = shown[0]
            text = (
                first.message
                if alone
                else f"{len(shown)} of {total} projects could not be refreshed. {first.message}"
            )
            details = "\n\n".join(
                f"{r.project.name}: {r.message}"
                + (f"\n{r.error.technical_details()}" if r.error else "")
                for r in shown
            )
            retry = any(r.outcome is RefreshOutcome.FAILED for r in shown)
            self.banner.show_error(text, details, can_retry=retry)
        else:
            self.banner.clear()
        self.statusBar().showMessage(run.summary(), 20_000)
        self._update_actions()
        if not self.isActiveWindow():
            # Someone who went on with other work while it ran: flash the taskbar button
            # (Windows) or bounce the Dock icon (macOS) until they come back.
            QApplication.alert(self)
        memory.settle()
        self.refresh_finished.emit(run)
