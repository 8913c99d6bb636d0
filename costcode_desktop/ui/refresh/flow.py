"""Refreshing from the main window: what to send, the banner while it runs, the outcome.

A presenter the window holds: it asks before sending, starts runs on the controller, and shows
their progress in the banner and the window title. The controller owns the projects' results;
this object only keeps the run's counters for its headline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QMainWindow

from costcode_desktop.services import (
    ProjectState,
    ProjectStatus,
    RefreshEstimate,
    RefreshOutcome,
    RefreshStep,
    RefreshWaiting,
    Target,
    count_inactive_changed,
    standing,
)
from costcode_desktop.services.text import isolated, quoted
from costcode_desktop.ui.kit import memory
from costcode_desktop.ui.kit.banner import StatusBanner
from costcode_desktop.ui.kit.paint import REFRESH_CONCURRENCY, paint_now
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.projects.pane import ProjectsPane
from costcode_desktop.ui.refresh.before_dialog import (
    BeforeRefreshDialog,
    erp_system,
    unsendable_codes,
)
from costcode_desktop.ui.refresh.result_panel import RunResultPanel

if TYPE_CHECKING:  # a run's types come with the HTTP client: loaded when a refresh starts
    from costcode_desktop.services import (
        Project,
        RefreshLocked,
        RefreshResult,
        RefreshRun,
        TargetKey,
    )
    from costcode_desktop.ui.refresh.bulk_dialog import BulkRefreshDialog

REFUSED_STATES = {
    ProjectState.NOT_ERP_INTEGRATED,
    ProjectState.OTHER_LIST,
    ProjectState.NO_ACCESS,
}


@dataclass
class RunProgress:
    """The run going on, for the banner's headline and the window title."""

    total: int = 0
    done: int = 0
    failed: int = 0
    title_before: str = ""  # the window title to put back when the run ends
    time_left: str = ""  # services' estimate, 'about 35 minutes left'; "" when under a minute

    def headline(self) -> str:
        """'Refreshing cost codes: 12 of 48 projects done, 2 failed; about 35 minutes left…'"""
        text = f"Refreshing cost codes: {self.done} of {self.total} projects done"
        if self.failed:
            text += f", {self.failed} failed"
        if self.time_left:
            text += f"; {self.time_left}"
        return text + "…"


class RefreshFlow(QObject):
    finished = Signal(object)  # RefreshRun, once the window shows its outcome

    def __init__(
        self,
        window: QMainWindow,
        controller: Controller,
        banner: StatusBanner,
        projects: ProjectsPane,
        result_panel: RunResultPanel,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.banner = banner
        self.projects = projects
        self.result_panel = result_panel
        self.concurrency = REFRESH_CONCURRENCY  # the number last chosen in the bulk dialog
        self.last_run: RefreshRun | None = None
        self.before_refresh_dialog: BeforeRefreshDialog | None = None
        self.bulk_dialog: BulkRefreshDialog | None = None
        self._previewed: list[ProjectStatus] = []  # what the bulk dialog shows
        self.progress = RunProgress()
        controller.refresh_step.connect(self._step)
        controller.refresh_waiting.connect(self._waiting)
        controller.refresh_locked.connect(self._locked)
        controller.refresh_estimate.connect(self._estimate)
        controller.permissions_checked.connect(self._permissions_checked)
        controller.project_refreshed.connect(self._project_refreshed)
        controller.refresh_finished.connect(self._finished)
        banner.cancel_requested.connect(controller.cancel_refresh)
        banner.retry_requested.connect(self.retry_failed)
        result_panel.try_again_requested.connect(self.retry_failed)
        # Try Again needs Procore: while it cannot be reached the offline banner's button is it.
        controller.offline_changed.connect(lambda why: result_panel.set_offline(bool(why)))

    # -- starting ------------------------------------------------------------------------------

    @Slot()
    def refresh_selected(self) -> None:
        selected = self.projects.selected_targets()
        if not selected or self.controller.refreshing:
            return
        refused: list[tuple[Project, str]] = []
        to_refresh: list[Project | Target] = []
        for item in selected:
            status = self.controller.target_status(_key(item))
            if status is not None and status.state in REFUSED_STATES:
                refused.append((_project(item), status.message or status.state.label))
            else:
                to_refresh.append(item)
        statuses = [
            s for item in to_refresh if (s := self.controller.target_status(_key(item))) is not None
        ]
        unsendable = unsendable_codes(statuses)
        if refused or unsendable:
            rest = [_project(item) for item in to_refresh]
            system = erp_system(statuses)
            dialog = BeforeRefreshDialog(self.window, refused, unsendable, rest, system)
            dialog.go_ahead.connect(lambda: self._start(to_refresh))
            self.before_refresh_dialog = dialog
            dialog.open()  # not exec(): no nested event loop, the window keeps painting
            return
        self._start(to_refresh)

    @Slot()
    def refresh_all_out_of_date(self) -> BulkRefreshDialog | None:
        """Active out-of-date projects, after a look at what would change (nothing is sent)."""
        if self.controller.refreshing:
            return None
        from costcode_desktop.ui.refresh.bulk_dialog import BulkRefreshDialog, left_out_text

        controller = self.controller
        known = self._out_of_date()  # in the list's order
        statuses = [s for s in known if standing(s).out_of_date]  # services' rule: active ones
        if not statuses:
            refused = self._no_access()
            self.window.statusBar().showMessage(
                f"Nothing to refresh: {left_out_text(refused)}"
                if refused
                else "Every active project matches the company list.",
                10_000,
            )
            return None
        found = controller.preview(statuses)
        if found is None:
            return None

        dialog = BulkRefreshDialog(
            found,
            self.window,
            inactive_left_out=count_inactive_changed(known),
            concurrency=self.concurrency,
            no_access=self._no_access(),
        )
        self._previewed = statuses
        # The permissions not known yet are asked now, in the background: projects refused
        # become No access and leave the preview, and the run reuses the answers.
        controller.check_permissions([line.project for line in found.lines if line.checking])

        def go() -> None:
            self.concurrency = dialog.concurrency.value()
            self._start([status.project for status in self._previewed])

        dialog.accepted.connect(go)
        self.bulk_dialog = dialog
        dialog.open()
        return dialog

    def _in_order(self, state: ProjectState) -> list[ProjectStatus]:
        """The projects in this state, in the list's order."""
        controller = self.controller
        order = {project.id: i for i, project in enumerate(controller.state.projects)}
        found = [s for s in controller.statuses.values() if s.state is state]
        return sorted(found, key=lambda s: order.get(s.project.id, len(order)))

    def _out_of_date(self) -> list[ProjectStatus]:
        """Out-of-date projects (not those the permission check found to be No access)."""
        return self._in_order(ProjectState.OUT_OF_DATE)

    def _no_access(self) -> list[str]:
        """Active projects the user may not change: named as left out of Refresh All."""
        return [s.project.name for s in self._in_order(ProjectState.NO_ACCESS) if s.project.active]

    @Slot()
    def _permissions_checked(self) -> None:
        dialog = self.bulk_dialog
        if dialog is None or not dialog.isVisible():
            return
        # Projects the check refused are No access now: out of the preview, its counts and run.
        still = {s.project.id for s in self._out_of_date()}
        self._previewed = [s for s in self._previewed if s.project.id in still]
        found = self.controller.preview(self._previewed)
        if found is not None:
            dialog.show_preview(found, self._no_access())

    @Slot()
    def retry_failed(self) -> None:
        run = self.last_run
        if run is None or self.controller.refreshing:
            return
        again = run.retry_failed()
        if again:
            self.banner.clear()
            self._start(again)

    def _start(self, to_refresh: Sequence[Project | Target]) -> None:
        """Every run uses the concurrency last chosen in the bulk dialog."""
        if self.controller.refresh(to_refresh, concurrency=self.concurrency):
            self.result_panel.hide()  # the last run's result gives way to this one's
            self.progress = RunProgress(len(to_refresh), title_before=self.window.windowTitle())
            self._title_progress()
            text = (
                f"Refreshing cost codes on {quoted(_name(to_refresh[0]))}…"
                if len(to_refresh) == 1
                else self.progress.headline()
            )
            self.banner.show_working(text, "Starting…", 0, len(to_refresh))
            # The banner and the rows marked busy are on screen before the run's thread starts.
            paint_now(self.window)

    # -- while it runs -------------------------------------------------------------------------

    @Slot(object)
    def _step(self, event: RefreshStep) -> None:
        project, step, total = event.project, event.text, event.total
        if total == 1:
            self.banner.show_working(
                f"Refreshing cost codes on {quoted(project.name)}…", f"{step}…", 0, 1
            )
        else:
            detail = f"{isolated(project.name)}: {step[:1].lower()}{step[1:]}…"
            self.banner.show_working(self.progress.headline(), detail, self.progress.done, total)

    @Slot(object)
    def _estimate(self, event: RefreshEstimate) -> None:
        """Services' estimate of what is left: the time in the headline while it runs; up front,
        when the hour's quota will not cover the run, the whole sentence in the banner."""
        estimate = event.estimate
        self.progress.time_left = estimate.left_text if estimate.seconds >= 60 else ""
        total = max(self.progress.total, 1)
        if event.done == 0 and not estimate.fits:
            headline = self.progress.headline() if total > 1 else self.banner.message.text()
            self.banner.show_working(headline, estimate.text, 0, total)
            self.window.statusBar().showMessage(estimate.text, 60_000)
        elif total > 1:
            self.banner.show_working(
                self.progress.headline(), self.banner.detail.text(), self.progress.done, total
            )

    @Slot(object)
    def _waiting(self, event: RefreshWaiting) -> None:
        total = max(self.progress.total, 1)
        self.banner.show_working(self.progress.headline(), event.reason, self.progress.done, total)

    @Slot(object)
    def _locked(self, event: RefreshLocked) -> None:
        """Another refresh of this company (costcode-sync, say) runs: the worker waits for it,
        the window stays usable and says whom it waits for; Cancel stops the wait."""
        total = max(self.progress.total, 1)
        headline = self.banner.message.text() or self.progress.headline()
        self.banner.show_working(headline, event.text, 0, total)
        self.window.statusBar().showMessage(event.text, 60_000)

    @Slot(object)
    def _project_refreshed(self, result: RefreshResult) -> None:
        self.progress.done += 1
        self.progress.failed += result.outcome is RefreshOutcome.FAILED
        self._title_progress()

    def _title_progress(self) -> None:
        """A run of several projects shows its progress in the title too: on the taskbar button
        and in Alt+Tab, for someone working in another program meanwhile."""
        progress = self.progress
        if progress.total > 1:
            done = f"{progress.done} of {progress.total} done"
            self.window.setWindowTitle(f"{done} — {progress.title_before}")

    # -- the outcome ---------------------------------------------------------------------------

    @Slot(object)
    def _finished(self, run: RefreshRun) -> None:
        self.last_run = run
        if self.progress.title_before:
            self.window.setWindowTitle(self.progress.title_before)
        self.window.statusBar().showMessage(run.summary(), 20_000)
        if not self.window.isActiveWindow():
            # Someone who went on with other work while it ran: flash the taskbar button
            # (Windows) or bounce the Dock icon (macOS) until they come back.
            QApplication.alert(self.window)
        memory.settle()
        # In this turn, not the next: a second turn would be a second layout and paint of the
        # window before the event loop's timers (and the user's input) get their turn.
        self._show_outcome(run)
        self.finished.emit(run)

    def _show_outcome(self, run: RefreshRun) -> None:
        """The run's result stays on screen until dismissed: each project and why."""
        self.banner.clear()
        self.result_panel.set_offline(bool(self.controller.offline))
        todos = self.controller.cost_type_todos  # worked out with the run, on the worker
        self.result_panel.show_run(run, datetime.now(UTC), todos)


def _project(item: Project | Target) -> Project:
    return item.project if isinstance(item, Target) else item


def _key(item: Project | Target) -> TargetKey:
    return item.key if isinstance(item, Target) else item.id


def _name(item: Project | Target) -> str:
    """A project's name, or a sub job's '23-104 / E02 Owner Change Extras'."""
    return item.label if isinstance(item, Target) else item.name
