"""Refresh several projects in one run, recorded in the history: the CLI and the window use it.

Plain Python. Projects are refreshed one after another here; a cancel stops before the next
project starts, and every project ends in a definite state: refreshed, unchanged, refused,
failed, or not started.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import Cancelled, ProcoreError
from costcode_desktop.procore.records import Project
from costcode_desktop.services.company import CompanyList
from costcode_desktop.services.history import HistoryError, HistoryStore
from costcode_desktop.services.refresh import RefreshOutcome, RefreshResult, refresh_project
from costcode_desktop.services.session import Session

# (project, plain words for the current step, index of the project, number of projects)
StepReport = Callable[[Project, str, int, int], None]


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


def refresh_many(
    session: Session,
    company_list: CompanyList,
    projects: Sequence[Project],
    *,
    history: HistoryStore | None,
    on_step: StepReport | None = None,
    on_result: Callable[[RefreshResult], None] | None = None,
    cancel: CancelToken | None = None,
) -> RefreshRun:
    """Refresh each project in turn, record each outcome as soon as it is known."""
    total = len(projects)
    run = RefreshRun()
    run_id = _start_history_run(history, session, run)
    for index, project in enumerate(projects):
        if cancel is not None and cancel.cancelled:
            run.not_started = list(projects[index:])
            run.cancelled = True
            break

        def step(text: str, index: int = index, project: Project = project) -> None:
            if on_step is not None:
                on_step(project, text, index, total)

        step("Starting")
        try:
            result = refresh_project(
                session.client, company_list, project.id, progress=step, cancel=cancel
            )
        except Cancelled:
            run.not_started = list(projects[index:])
            run.cancelled = True
            break
        except ProcoreError as exc:
            result = RefreshResult(project, RefreshOutcome.FAILED, str(exc), error=exc)
        run.results.append(result)
        _record(history, run_id, result, run)
        if on_result is not None:
            on_result(result)
    _finish_history_run(history, run_id, run)
    return run


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
