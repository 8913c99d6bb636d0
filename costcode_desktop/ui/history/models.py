"""Table models of the history window: the runs, the projects of one run, one project's changes.

Every display string, tooltip and sort value is computed once when rows are set; SORT_ROLE
gives native values (timestamps, counts, natural-order codes) for a sort proxy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from costcode_desktop.costcodes import natural_key
from costcode_desktop.costcodes.words import plural
from costcode_desktop.services.history.export import (
    CHANGE_WORDS,
    OUTCOME_WORDS,
    STATUS_WORDS,
    failure_request_ids,
    time_text,
)
from costcode_desktop.services.history.store import (
    ChangeKind,
    CodeChange,
    ProjectEntry,
    RunStatus,
    RunSummary,
)
from costcode_desktop.services.refresh_outcome import RefreshOutcome
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.headed_model import HeadedTableModel
from costcode_desktop.ui.kit.when import locale_date_time, locale_number

AnyIndex = QModelIndex | QPersistentModelIndex
SortValue = str | int | float

# The RunSummary, ProjectEntry or CodeChange behind a row (past the shared roles in ui/roles.py).
ITEM_ROLE = int(Qt.ItemDataRole.UserRole) + 20

RUN_LOOKS: dict[RunStatus, theme.Look] = {
    RunStatus.FINISHED: theme.Look("✓", STATUS_WORDS[RunStatus.FINISHED]),
    RunStatus.RUNNING: theme.Look("↻", STATUS_WORDS[RunStatus.RUNNING], theme.BLUE),
    RunStatus.CANCELLED: theme.Look("⊘", STATUS_WORDS[RunStatus.CANCELLED], theme.GREY),
    RunStatus.INTERRUPTED: theme.Look("✕", STATUS_WORDS[RunStatus.INTERRUPTED], theme.VERMILLION),
}
FAILURES_LOOK = theme.Look("⚠", "Finished with failures", theme.ORANGE)
OUTCOME_LOOKS: dict[RefreshOutcome, theme.Look] = {
    RefreshOutcome.REFRESHED: theme.Look("✓", OUTCOME_WORDS[RefreshOutcome.REFRESHED]),
    RefreshOutcome.UNCHANGED: theme.Look("=", OUTCOME_WORDS[RefreshOutcome.UNCHANGED]),
    RefreshOutcome.REFUSED: theme.Look("⊘", OUTCOME_WORDS[RefreshOutcome.REFUSED], theme.GREY),
    RefreshOutcome.FAILED: theme.Look("⚠", OUTCOME_WORDS[RefreshOutcome.FAILED], theme.VERMILLION),
}
# The same symbols and colours as the comparison: added = was missing, updated = differed.
CHANGE_LOOKS: dict[ChangeKind, theme.Look] = {
    ChangeKind.ADDED: theme.Look("+", CHANGE_WORDS[ChangeKind.ADDED], theme.BLUE),
    ChangeKind.UPDATED: theme.Look("≠", CHANGE_WORDS[ChangeKind.UPDATED], theme.ORANGE),
    ChangeKind.SKIPPED: theme.Look("–", CHANGE_WORDS[ChangeKind.SKIPPED], theme.GREY),
    ChangeKind.FAILED: theme.Look("⚠", CHANGE_WORDS[ChangeKind.FAILED], theme.VERMILLION),
}
# Sorting the status column ascending puts the runs that need a look first.
_RUN_RANK = {"interrupted": 0, "failures": 1, "cancelled": 2, "running": 3, "finished": 4}

_RUN_TIPS = {
    RunStatus.FINISHED: "The run finished.",
    RunStatus.RUNNING: "The run is still going in this window.",
    RunStatus.CANCELLED: (
        "The run was cancelled: the projects listed were done before that, "
        "the others were not touched."
    ),
    RunStatus.INTERRUPTED: (
        "The run never finished: the application was closed or stopped while it ran. "
        "The projects listed were recorded; the one in progress at that moment may have been "
        "partly refreshed, so check it and refresh it again."
    ),
}


def run_look(run: RunSummary) -> theme.Look:
    if run.status is RunStatus.FINISHED and (run.failed_projects or run.failed):
        return FAILURES_LOOK
    return RUN_LOOKS[run.status]


def summarise_runs(runs: Sequence[RunSummary]) -> str:
    """The line under the list: how many runs, and how many need a look."""
    parts = [plural(len(runs), "run")]
    counts = (
        (sum(r.status is RunStatus.INTERRUPTED for r in runs), "interrupted"),
        (sum(r.status is RunStatus.CANCELLED for r in runs), "cancelled"),
        (sum(run_look(r) is FAILURES_LOOK for r in runs), "with failures"),
        (sum(r.status is RunStatus.RUNNING for r in runs), "running"),
    )
    parts += [f"{count} {words}" for count, words in counts if count]
    return " · ".join(parts)


def _short_time(moment: datetime | None) -> str:
    return locale_date_time(moment) if moment else ""


def _duration(start: datetime, end: datetime) -> str:
    seconds = max(0, int((end - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _zeros(columns: Sequence[int], counts: Sequence[int]) -> frozenset[int]:
    return frozenset(column for column, n in zip(columns, counts, strict=True) if not n)


@dataclass(frozen=True)
class _Row:
    item: Any
    display: tuple[str, ...]
    sort: tuple[SortValue, ...]
    tips: tuple[str | None, ...]
    look: theme.Look | None = None  # background of the look columns
    muted: frozenset[int] = frozenset()  # zero counts, drawn quietly so the others stand out


class _HistoryTable(HeadedTableModel):
    """Shared table plumbing; subclasses say how one item becomes a row."""

    LOOK_COLUMNS: frozenset[int] = frozenset()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []

    def _make_row(self, item: Any) -> _Row:
        raise NotImplementedError

    def _set_items(self, items: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = [self._make_row(item) for item in items]
        self.endResetModel()

    def clear(self) -> None:
        self._set_items(())

    def _item(self, row: int) -> Any:
        return self._rows[row].item

    def shown_rows(self) -> int:
        return len(self._rows)

    def text(self, row: int, column: int) -> str:
        return self._rows[row].display[column]

    def sort_value(self, row: int, column: int) -> SortValue:
        return self._rows[row].sort[column]

    def tooltip(self, row: int, column: int) -> str | None:
        return self._rows[row].tips[column]

    def look(self, row: int, column: int) -> theme.Look | None:
        return self._rows[row].look if column in self.LOOK_COLUMNS else None

    def muted(self, row: int, column: int) -> bool:
        return column in self._rows[row].muted

    def other_role(self, row: int, column: int, role: int) -> Any:
        return self._rows[row].item if role == ITEM_ROLE else None


# -- runs ----------------------------------------------------------------------------------------

(
    RUN_STARTED,
    RUN_STATUS,
    RUN_USER,
    RUN_ENVIRONMENT,
    RUN_COMPANY,
    RUN_PROJECTS,
    RUN_FAILED,
    RUN_ADDED,
    RUN_UPDATED,
) = range(9)


class RunsModel(_HistoryTable):
    HEADERS = (
        "Started",
        "Status",
        "User",
        "Environment",
        "Company",
        "Projects",
        "Failed",
        "Added",
        "Updated",
    )
    HEADER_TIPS = (
        "When the run started (this computer's time)",
        "Whether the run finished, was cancelled, or never finished (interrupted)",
        "Who ran it",
        "The Procore environment it ran against",
        "The Procore company",
        "How many projects the run recorded",
        "Projects that could not be fully refreshed",
        "Cost codes added to projects",
        "Cost code descriptions put back to the company list's",
    )
    NUMBER_COLUMNS = frozenset({RUN_PROJECTS, RUN_FAILED, RUN_ADDED, RUN_UPDATED})
    LOOK_COLUMNS = frozenset({RUN_STATUS})

    def set_runs(self, runs: Sequence[RunSummary]) -> None:
        self._set_items(runs)

    def run_at(self, row: int) -> RunSummary:
        item: RunSummary = self._item(row)
        return item

    def runs(self) -> list[RunSummary]:
        return [row.item for row in self._rows]

    def _make_row(self, item: Any) -> _Row:
        run: RunSummary = item
        look = run_look(run)
        status = look.label + (" (dry run)" if run.dry_run else "")
        failed = f"⚠ {run.failed_projects}" if run.failed_projects else "0"
        counts = (run.projects, run.failed_projects, run.added, run.updated)
        rank = "failures" if look is FAILURES_LOOK else run.status.value
        status_tip = _RUN_TIPS[run.status]
        if look is FAILURES_LOOK:
            status_tip = (
                f"The run finished, but {plural(run.failed_projects, 'project')} could not be "
                f"fully refreshed ({plural(run.failed, 'code')} failed). "
                "Select the run to see why."
            )
        if run.dry_run:
            status_tip += " A dry run: nothing was sent to Procore."
        started_tip = f"Started {time_text(run.started_at)}"
        if run.finished_at is not None:
            started_tip += (
                f", ended {time_text(run.finished_at)} "
                f"({_duration(run.started_at, run.finished_at)})"
            )
        failed_tip = (
            f"{plural(run.failed_projects, 'project')} of {run.projects} failed; "
            f"{plural(run.failed, 'code')} could not be changed, "
            f"{plural(run.skipped, 'code')} skipped"
        )
        return _Row(
            item=run,
            display=(
                _short_time(run.started_at),
                status,
                run.user,
                run.environment,
                run.company_name,
                locale_number(run.projects),
                failed,
                locale_number(run.added),
                locale_number(run.updated),
            ),
            sort=(
                run.started_at.timestamp(),
                _RUN_RANK[rank],
                run.user.casefold(),
                run.environment.casefold(),
                run.company_name.casefold(),
                *counts,
            ),
            tips=(
                started_tip,
                status_tip,
                None,
                None,
                f"{run.company_name} ({run.company_id})",
                None,
                failed_tip,
                None,
                None,
            ),
            look=look,
            muted=_zeros((RUN_PROJECTS, RUN_FAILED, RUN_ADDED, RUN_UPDATED), counts),
        )


# -- the projects of one run ---------------------------------------------------------------------

(
    PROJECT_NUMBER,
    PROJECT_NAME,
    PROJECT_OUTCOME,
    PROJECT_ADDED,
    PROJECT_UPDATED,
    PROJECT_SKIPPED,
    PROJECT_FAILED,
    PROJECT_MESSAGE,
) = range(8)


class ProjectsInRunModel(_HistoryTable):
    HEADERS = ("Number", "Project", "Outcome", "Added", "Updated", "Skipped", "Failed", "Message")
    HEADER_TIPS = (
        "Project number in Procore",
        "Project name",
        "What the run did to the project",
        "Cost codes added",
        "Descriptions put back to the company list's",
        "Codes left alone (for example, codes Procore cannot accept)",
        "Changes that did not happen",
        "What the refresh reported",
    )
    NUMBER_COLUMNS = frozenset({PROJECT_ADDED, PROJECT_UPDATED, PROJECT_SKIPPED, PROJECT_FAILED})
    LOOK_COLUMNS = frozenset({PROJECT_OUTCOME})

    def set_projects(self, entries: Sequence[ProjectEntry]) -> None:
        self._set_items(entries)

    def entry_at(self, row: int) -> ProjectEntry:
        item: ProjectEntry = self._item(row)
        return item

    def _make_row(self, item: Any) -> _Row:
        entry: ProjectEntry = item
        look = OUTCOME_LOOKS[entry.outcome]
        counts = (entry.added, entry.updated, entry.skipped, entry.failed)
        requests = failure_request_ids(entry)
        message_tip = entry.message
        if requests:
            message_tip += "\n\nProcore request IDs (for Procore support): " + ", ".join(requests)
        name = entry.project_name
        return _Row(
            item=entry,
            display=(
                entry.project_number or "",
                name,
                look.label,
                *(locale_number(n) for n in counts),
                " ".join(entry.message.split()),  # one line in the table; whole in the tooltip
            ),
            sort=(
                natural_key(entry.project_number or ""),
                name.casefold(),
                list(RefreshOutcome).index(entry.outcome),
                *counts,
                entry.message.casefold(),
            ),
            tips=(
                f"Project id {entry.project_id}",
                name,
                f"Recorded {time_text(entry.recorded_at)}",
                None,
                None,
                None,
                None,
                message_tip,
            ),
            look=look,
            muted=_zeros((PROJECT_ADDED, PROJECT_UPDATED, PROJECT_SKIPPED, PROJECT_FAILED), counts),
        )


# -- one project's code changes ------------------------------------------------------------------

CHANGE_KIND, CHANGE_CODE, CHANGE_DESCRIPTION, CHANGE_REASON, CHANGE_REQUEST = range(5)


def change_description(change: CodeChange) -> str:
    if change.kind is ChangeKind.UPDATED and change.old_name is not None:
        return f"{change.old_name} → {change.new_name or change.name}"
    return change.name


class ChangesModel(_HistoryTable):
    HEADERS = ("Change", "Code", "Description (old → new)", "Reason", "Request ID")
    HEADER_TIPS = (
        "Added, updated, skipped or failed",
        "The full cost code",
        "The code's description; for an update, the project's old one and the company list's",
        "Why a code was skipped or failed",
        "Procore's id of the failed request, for Procore support",
    )
    LOOK_COLUMNS = frozenset({CHANGE_KIND})

    def set_changes(self, changes: Sequence[CodeChange]) -> None:
        self._set_items(changes)

    def change_at(self, row: int) -> CodeChange:
        item: CodeChange = self._item(row)
        return item

    def _make_row(self, item: Any) -> _Row:
        change: CodeChange = item
        look = CHANGE_LOOKS[change.kind]
        description = change_description(change)
        reason = change.reason or ""
        return _Row(
            item=change,
            display=(
                look.label,
                change.full_code,
                " ".join(description.split()),
                " ".join(reason.split()),
                change.request_id or "",
            ),
            sort=(
                list(ChangeKind).index(change.kind),
                natural_key(change.full_code),
                description.casefold(),
                reason.casefold(),
                change.request_id or "",
            ),
            tips=(None, None, description, reason or None, None),
            look=look,
        )
