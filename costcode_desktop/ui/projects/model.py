"""The company's projects with their state against the company list.

A project's sub jobs (Sage Extras) are rows of their own just below it, indented, with their own
state and counts: a flat model rather than a tree, so that the sort, the filter, the selection
and the row copy of the list work as they always did. The sort keeps each sub job under its
project (ProjectsFilter.lessThan), and the filter shows a project whose sub job is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cmp_to_key
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from costcode_desktop.costcodes import COMMON, DiffStatus, natural_key
from costcode_desktop.costcodes.words import plural
from costcode_desktop.services import ProjectState, standing
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.headed_model import HeadedTableModel
from costcode_desktop.ui.kit.roles import (
    PROJECT_ID_ROLE,
    SORT_ROLE,
    STATE_ROLE,
    TARGET_KEY_ROLE,
)
from costcode_desktop.ui.kit.when import (
    day_or_time,
    locale_date_time,
    locale_number,
    long_time,
    short_time,
)

if TYPE_CHECKING:
    from costcode_desktop.services import Project, ProjectStatus, SubJob, TargetKey
    from costcode_desktop.services.cache.known import Staleness

AnyIndex = QModelIndex | QPersistentModelIndex

(
    COL_NUMBER,
    COL_NAME,
    COL_ACTIVE,
    COL_STATUS,
    COL_CHECKED,
    COL_MISSING,
    COL_DIFFERS,
    COL_ONLY_PROJECT,
    COL_LAST_REFRESHED,
) = range(9)
HEADERS = (
    "Number",
    "Project",
    "Active",
    "Status",
    "Checked",
    "Missing",
    "Differs",
    "Project-only",
    "Last refreshed",
)
TOOLTIPS = (
    "Project number in Procore",
    "Project name",
    "Whether the project is active in Procore",
    "How the project's cost codes compare with the company list",
    "When the project's cost codes were read from Procore; 'as of' marks a last-known state "
    "(from an earlier session, or kept because the latest check failed, marked ⚠)",
    "Codes on the company list that the project does not have",
    "Codes whose description on the project differs from the company list and a refresh puts "
    "back (descriptions locked by the ERP connector are not counted)",
    "Codes that exist only on the project (never deleted by a refresh)",
    "When CostCodeSync last refreshed this project",
)
COUNT_COLUMNS = {
    COL_MISSING: DiffStatus.MISSING,
    COL_DIFFERS: DiffStatus.DESCRIPTION_DIFFERS,
    COL_ONLY_PROJECT: DiffStatus.ONLY_ON_PROJECT,
}


def status_texts() -> list[str]:
    """Every kind of text the status column shows (with the widest numbers and times it may
    hold), so its width fits them all."""
    states = [look.label for look in theme.STATE_LOOKS.values()]
    out_of_date = theme.STATE_LOOKS[ProjectState.OUT_OF_DATE].symbol
    return [
        *states,
        theme.CHECKING_LOOK.label,
        f"{out_of_date} {plural(8888, 'difference')}",
        "⚠ Refresh failed 00:00",
        "↻ Waiting to refresh…",
    ]


# Sorting by Status, ascending: what needs doing first, then what failed or cannot be done,
# then what is fine, then what is not this app's business. (1: a failed refresh.)
SEVERITY = {
    ProjectState.OUT_OF_DATE: 0,
    ProjectState.ERROR: 1,
    ProjectState.NO_ACCESS: 2,
    ProjectState.IN_SYNC: 3,
    ProjectState.NOT_ERP_INTEGRATED: 4,
    ProjectState.OTHER_LIST: 5,
}


def count_text(count: int | None) -> str:
    return "" if count is None else locale_number(count)  # 1.234 in German


@dataclass
class ProjectRow:
    project: Project
    status: ProjectStatus | None = None  # None until first checked
    last_refreshed: datetime | None = None
    busy: str = ""  # set while a refresh of this project is queued or running
    mark: Staleness | None = None  # the status is last-known, not read just now
    pending: bool = False  # being checked again
    display: tuple[str, ...] = ()
    sub_job: SubJob | None = None  # a sub job's row, just below its project's
    # Sort keys worked out once per change (update_display clears them): sorting 300 rows
    # compares some 2,500 pairs, each asking for two keys.
    sort_keys: dict[int, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.update_display()

    @property
    def key(self) -> TargetKey:
        return self.project.id if self.sub_job is None else (self.project.id, self.sub_job.id)

    @property
    def look(self) -> theme.Look:
        return theme.STATE_LOOKS[self.status.state] if self.status else theme.CHECKING_LOOK

    @property
    def refresh_failed(self) -> bool:
        """Its latest refresh failed and no check has succeeded since."""
        return self.mark is not None and self.mark.failed and self.mark.doing == "refresh"

    @property
    def no_access(self) -> bool:
        return self.status is not None and self.status.state is ProjectState.NO_ACCESS

    @property
    def out_of_date(self) -> bool:
        """Counted as out of date (services.standing: active, and a refresh would change it)."""
        return standing(self.status).out_of_date

    def count(self, diff: DiffStatus) -> int | None:
        """A count column's number (None until checked). "Differs" leaves out descriptions the
        ERP connector locks: a refresh leaves them, so they do not make a project out of date,
        and the columns add up to the state's "N differences"."""
        s = self.status
        return None if s is None or s.comparison is None else s.comparison.count_unlocked(diff)

    @property
    def locked_differences(self) -> int:
        s = self.status
        return s.comparison.locked_differences if s is not None and s.comparison else 0

    @property
    def difference_kinds(self) -> int:
        """How many of missing, differs and project-only this project has."""
        return sum(1 for diff in COUNT_COLUMNS.values() if self.count(diff))

    def update_display(self) -> None:
        self.sort_keys.clear()
        s = self.status
        status_text = f"{self.look.symbol} {s.summary}" if s else theme.CHECKING_LOOK.label
        if s is not None and self.refresh_failed:
            status_text = self.failed_refresh_text()
        if self.busy:
            status_text = self.busy
        counts = [count_text(self.count(diff)) for diff in COUNT_COLUMNS.values()]
        when = locale_date_time(self.last_refreshed) if self.last_refreshed else ""
        number, name = self.project.project_number or "", self.project.name
        if self.sub_job is not None:  # '↳ E01', 'Parking Deck Extra', under its project
            number, name = f"↳ {self.sub_job.code}", self.sub_job.name
        self.display = (
            number,
            name,
            "Active" if self.project.active else "Inactive",
            status_text,
            self.checked_text(),
            *counts,
            when,
        )

    def show_busy(self) -> None:
        """update_display when only `busy` was set: the status column says it, nothing else
        changes."""
        display = list(self.display)
        display[COL_STATUS] = self.busy
        self.display = tuple(display)
        self.sort_keys.pop(COL_STATUS, None)

    def failed_refresh_text(self) -> str:
        """'⚠ Refresh failed 10:42' until a check succeeds; the reason is in the tooltip and
        the comparison's notice ('⚠ Last refresh failed 10:42 — could not reach Procore')."""
        mark = self.mark
        assert mark is not None
        failed = f" {short_time(mark.failed_at)}" if mark.failed_at else ""
        return f"⚠ Refresh failed{failed}"

    def checked_text(self) -> str:
        """'10:58' just read; 'as of 10:42' last-known; '⚠ as of 10:42' after a failure."""
        if self.status is None:
            return ""
        when = day_or_time(self.status.checked_at)
        if self.mark is None:
            return when
        return f"⚠ as of {when}" if self.mark.failed else f"as of {when}"

    def checked_tip(self) -> str | None:
        if self.status is None:
            return None
        read = long_time(self.status.checked_at)
        if self.mark is None:
            return f"Read from Procore at {read}."
        if self.mark.failed:
            failed = short_time(self.mark.failed_at) if self.mark.failed_at else ""
            return (
                f"⚠ Last {self.mark.doing} failed {failed} — {self.mark.failure}. "
                f"Showing what was read at {read} ({self.status.summary.lower()})."
            )
        tip = f"Last-known state, read at {read}."
        return tip + (" Being checked again…" if self.pending else "")

    def sort_value(self, column: int) -> Any:
        key = self.sort_keys.get(column)
        if key is None:
            key = self.sort_keys[column] = self._sort_value(column)
        return key

    def _sort_value(self, column: int) -> Any:
        if column in COUNT_COLUMNS:
            count = self.count(COUNT_COLUMNS[column])
            return -1 if count is None else count
        if column == COL_STATUS:
            if self.status is None:
                return (len(SEVERITY) + 1, 0)
            rank = 1 if self.refresh_failed else SEVERITY[self.status.state]
            differences = self.status.comparison.differences if self.status.comparison else 0
            return (rank, -differences)
        if column == COL_NUMBER:  # "25-2" before "25-10", "2" before "10"
            number = self.project.project_number or ""
            if self.sub_job is not None:  # among its project's sub jobs: E2 before E10
                number = self.sub_job.code
            return (natural_key(number), number.casefold())
        if column == COL_LAST_REFRESHED:
            return self.last_refreshed.timestamp() if self.last_refreshed else 0.0
        if column == COL_CHECKED:
            return self.status.checked_at.timestamp() if self.status else 0.0
        if column == COL_ACTIVE:
            return int(self.project.active)
        return self.display[column].casefold()


class ProjectsModel(HeadedTableModel):
    HEADERS = HEADERS
    HEADER_TIPS = TOOLTIPS
    NUMBER_COLUMNS = frozenset(COUNT_COLUMNS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ProjectRow] = []
        self._index_of: dict[TargetKey, int] = {}
        self._kept_order: tuple[int, Qt.SortOrder] | None = None  # see keep_order

    # -- updates (GUI thread) -----------------------------------------------------------------

    def set_projects(
        self,
        projects: Sequence[Project],
        last_refreshed: Mapping[int, datetime] | None = None,
        statuses: Mapping[int, ProjectStatus] | None = None,
        marks: Mapping[int, Staleness] | None = None,
        sub_jobs: Mapping[tuple[int, int], ProjectStatus] | None = None,
    ) -> None:
        """The company's projects, with what is known of each (nothing: being checked), each
        followed by its sub jobs known so far."""
        last_refreshed, statuses, marks = last_refreshed or {}, statuses or {}, marks or {}
        by_project: dict[int, list[ProjectStatus]] = {}
        for status in (sub_jobs or {}).values():
            by_project.setdefault(status.project.id, []).append(status)
        self.beginResetModel()
        self._rows = []
        for p in projects:
            self._rows.append(
                ProjectRow(
                    statuses[p.id].project if p.id in statuses else p,
                    statuses.get(p.id),
                    last_refreshed.get(p.id),
                    mark=marks.get(p.id),
                )
            )
            self._rows.extend(_sub_job_row(s) for s in by_project.get(p.id, []))
        if self._kept_order is not None:
            self._reindex()  # a sub job sorts as its project, found through the index
            self._rows = self._in_kept_order(self._rows)
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._index_of = {row.key: i for i, row in enumerate(self._rows)}

    def set_status(self, status: ProjectStatus, mark: Staleness | None = None) -> None:
        """A project's or a sub job's result (`mark`: it is last-known, kept after a failure).
        A sub job seen for the first time gets its row, after its project's and its siblings'."""
        index = self._index_of.get(status.key)
        if index is None:
            if status.sub_job is not None:
                self._add_sub_job(status)
            return
        row = self._rows[index]
        before = row.display
        row.status = status
        row.mark = mark
        row.busy = ""
        row.pending = False
        row.project = status.project  # the detail read carries the fresher fields
        row.update_display()
        self._changed([index], [before], always=COL_STATUS)

    def _add_sub_job(self, status: ProjectStatus) -> None:
        parent = self._index_of.get(status.project.id)
        if parent is None:
            return
        at = parent + 1
        while at < len(self._rows) and self._rows[at].sub_job is not None:
            at += 1
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, _sub_job_row(status))
        self._reindex()
        self.endInsertRows()

    def mark_checking(self, project_ids: list[int]) -> None:
        """These projects are being checked again; what is known of them stays until then."""
        self._change(project_ids, pending=True, busy="")

    def checks_ended(self) -> None:
        """Checking is over (done, or stopped): no row waits for an answer any more."""
        self._change([row.project.id for row in self._rows if row.pending], pending=False)

    def mark_busy(self, project_id: int, text: str) -> None:
        """Show that a refresh is waiting or running; the last known counts stay visible."""
        index = self._index_of.get(project_id)
        if index is not None and self._rows[index].busy != text:  # every step says the same
            self._change([project_id], busy=text)

    def mark_all_busy(self, project_ids: list[int], text: str) -> None:
        """mark_busy for many rows with one change notification."""
        self._change(project_ids, busy=text)

    def _change(self, project_ids: list[int], **values: Any) -> None:
        rows = [self._index_of[pid] for pid in project_ids if pid in self._index_of]
        before = [self._rows[index].display for index in rows]
        busy_only = values.keys() == {"busy"} and bool(values["busy"])
        for index in rows:
            row = self._rows[index]
            for name, value in values.items():
                setattr(row, name, value)
            if busy_only:  # a run starting: only the status text changes, for hundreds of rows
                row.show_busy()
            else:
                row.update_display()
        self._changed(rows, before)

    def _changed(self, rows: list[int], before: list[tuple[str, ...]], always: int = -1) -> None:
        """Signal only the columns whose text changed (and `always`): a change that leaves the
        sort column alone costs the sort proxy no re-sort, which matters while a run of
        hundreds of projects updates rows many times a second."""
        columns = {always} - {-1}
        for index, old in zip(rows, before, strict=True):
            new = self._rows[index].display
            columns.update(c for c, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)
        if rows and columns:
            first, last = self.index(min(rows), min(columns)), self.index(max(rows), max(columns))
            self.dataChanged.emit(first, last)

    def set_last_refreshed(self, project_id: int, when: datetime) -> None:
        index = self._index_of.get(project_id)
        if index is None:
            return
        self._rows[index].last_refreshed = when
        self._rows[index].update_display()
        cell = self.index(index, COL_LAST_REFRESHED)
        self.dataChanged.emit(cell, cell)

    # -- reading -------------------------------------------------------------------------------

    def row_for(self, key: TargetKey) -> ProjectRow | None:
        """A project's row (key: its id) or a sub job's ((project id, sub job id))."""
        index = self._index_of.get(key)
        return self._rows[index] if index is not None else None

    def rows(self) -> list[ProjectRow]:
        """The projects' rows (their sub jobs' are sub_job_rows)."""
        return [row for row in self._rows if row.sub_job is None]

    def sub_job_rows(self, project_id: int | None = None) -> list[ProjectRow]:
        return [
            row
            for row in self._rows
            if row.sub_job is not None and project_id in (None, row.project.id)
        ]

    def row_at(self, row: int) -> ProjectRow:
        return self._rows[row]

    def row_less(self, a: ProjectRow, b: ProjectRow, column: int, descending: bool) -> bool:
        """The sort's order: by the column's value, a sub job as its project; within a project,
        the project's row first and its sub jobs after it in either order of the sort."""
        if a.sub_job is None and b.sub_job is None:
            return _less(a.sort_value(column), b.sort_value(column))
        if a.project.id == b.project.id:
            if a.sub_job is None or b.sub_job is None:
                return (a.sub_job is None) != descending
            return _less(a.sort_value(column), b.sort_value(column))
        return _less(self.group_sort_value(a, column), self.group_sort_value(b, column))

    def keep_order(self, order: tuple[int, Qt.SortOrder] | None) -> None:
        """The order the projects' sort asks for while it is held (ProjectsFilter.hold_sort);
        None: the sort is the proxy's again."""
        self._kept_order = order
        if order is None or not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        keys = [self._rows[index.row()].key for index in before]
        self._rows = self._in_kept_order(self._rows)
        self._reindex()
        moved = zip(keys, before, strict=True)
        after = [self.index(self._index_of[key], i.column()) for key, i in moved]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _in_kept_order(self, rows: list[ProjectRow]) -> list[ProjectRow]:
        """The rows as the proxy's stable sort would order them (its lessThan, its
        greater-than for a descending sort)."""
        if self._kept_order is None:
            return rows
        column, order = self._kept_order
        descending = order is Qt.SortOrder.DescendingOrder

        def compare(a: ProjectRow, b: ProjectRow) -> int:
            first, second = (b, a) if descending else (a, b)
            if self.row_less(first, second, column, descending):
                return -1
            return 1 if self.row_less(second, first, column, descending) else 0

        return sorted(rows, key=cmp_to_key(compare))

    def group_sort_value(self, row: ProjectRow, column: int) -> Any:
        """A sub job sorts as its project does (so it stays below it)."""
        if row.sub_job is None:
            return row.sort_value(column)
        parent = self.row_for(row.project.id)
        return parent.sort_value(column) if parent is not None else row.sort_value(column)

    # -- Qt model API --------------------------------------------------------------------------

    def shown_rows(self) -> int:
        return len(self._rows)

    def text(self, row: int, column: int) -> str:
        return self._rows[row].display[column]

    def sort_value(self, row: int, column: int) -> Any:
        return self._rows[row].sort_value(column)

    def look(self, row: int, column: int) -> theme.Look | None:
        return self._rows[row].look if column == COL_STATUS else None

    def muted(self, row: int, column: int) -> bool:
        # Inactive projects: quiet but readable (4.5:1 on every state colour); "Inactive" says
        # it in words. A last-known time is quiet too ("as of" says it), unless its check failed.
        entry = self._rows[row]
        quiet_age = entry.mark is not None and not entry.mark.failed
        return not entry.project.active or (column == COL_CHECKED and quiet_age)

    def tooltip(self, row: int, column: int) -> str | None:
        entry = self._rows[row]
        if column == COL_NAME:  # the whole name, however narrow the column (as the comparison)
            why = entry.status.message if entry.status is not None else ""
            return f"{entry.project.name}\n\n{why}" if why else entry.project.name
        if column == COL_CHECKED or (column == COL_STATUS and entry.mark and entry.mark.failed):
            return entry.checked_tip()
        if column == COL_DIFFERS and entry.locked_differences:
            n = entry.locked_differences
            differ = "differs but is" if n == 1 else "differ but are"
            status = entry.status
            comparison = status.comparison if status is not None else None
            connector = comparison.connector if comparison is not None else COMMON
            return (
                f"{plural(n, 'more description')} {differ} locked by "
                f"{connector.connector_words}: a refresh leaves them."
            )
        if entry.status is not None and entry.status.message:
            return entry.status.message
        return None

    def other_role(self, row: int, column: int, role: int) -> Any:
        entry = self._rows[row]
        if role == PROJECT_ID_ROLE:
            return entry.project.id if entry.sub_job is None else None
        if role == TARGET_KEY_ROLE:
            return entry.key
        if role == STATE_ROLE:
            return entry.status.state if entry.status else None
        return None


class ProjectsFilter(QSortFilterProxyModel):
    """Type-to-filter on number and name, and an "out of date only" switch."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._out_of_date_only = False
        self._sub_jobs_shown = True
        self._held: tuple[int, Qt.SortOrder] | None = None  # see hold_sort
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_text(self, text: str) -> None:
        self._refilter(_text=text.strip().casefold())

    def set_out_of_date_only(self, enabled: bool) -> None:
        self._refilter(_out_of_date_only=enabled)

    def set_sub_jobs_shown(self, shown: bool) -> None:
        """Project → Include Sub Jobs off: their rows go, as they leave checks and refreshes."""
        self._refilter(_sub_jobs_shown=shown)

    def _refilter(self, **values: Any) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+; invalidate*Filter is deprecated there
            self.beginFilterChange()
            for name, value in values.items():
                setattr(self, name, value)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            for name, value in values.items():
                setattr(self, name, value)
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, ProjectsModel)
        row = model.row_at(source_row)
        if row.sub_job is not None and not self._sub_jobs_shown:
            return False
        if row.sub_job is None and self._accepts(row):
            return True
        if not self._sub_jobs_shown:
            return False
        if row.sub_job is None:  # shown when one of its sub jobs is: a sub job is never alone
            return any(self._accepts(job) for job in model.sub_job_rows(row.project.id))
        return self._accepts(row)

    def shown_projects(self) -> int:
        """How many projects the filter lets through (sub jobs not counted), asked of the rows
        themselves: no call through Qt per row, which waits for the GIL while a run works."""
        model = self.sourceModel()
        assert isinstance(model, ProjectsModel)
        top = QModelIndex()
        return sum(
            1
            for i in range(model.shown_rows())
            if model.row_at(i).sub_job is None and self.filterAcceptsRow(i, top)
        )

    def _accepts(self, row: ProjectRow) -> bool:
        if self._out_of_date_only and not row.out_of_date:
            return False
        if self._text:
            haystack = f"{row.project.project_number or ''} {row.project.name}"
            if row.sub_job is not None:
                haystack += f" {row.sub_job.code} {row.sub_job.name}"
            return all(word in haystack.casefold() for word in self._text.split())
        return True

    def multiData(  # noqa: N802
        self, index: AnyIndex, roles: QModelRoleDataSpan | QModelRoleData
    ) -> None:
        """All of a cell's roles in one call into Python (the proxy would ask per role)."""
        model = self.sourceModel()
        assert isinstance(model, ProjectsModel)
        model.multiData(self.mapToSource(index), roles)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802
        """By the column's value (the rows' cached keys, not data(SORT_ROLE): no round trip
        through Qt per key); see ProjectsModel.row_less."""
        model = self.sourceModel()
        assert isinstance(model, ProjectsModel)
        descending = self.sortOrder() is Qt.SortOrder.DescendingOrder
        return model.row_less(
            model.row_at(left.row()), model.row_at(right.row()), left.column(), descending
        )

    # -- a sort held until the first paint -----------------------------------------------------
    # Sorting 300 rows here asks lessThan about 1,500 pairs, each a call from Qt into Python
    # with two more for the indexes: 6 ms of a start that paints its cached rows first. While
    # held, the sort asked for is the source model's to keep (its rows in the order this
    # would give them, sorted in Python); released, the proxy sorts as always and finds that
    # order.

    def hold_sort(self) -> None:
        """Until `release_sort`, the source model keeps its rows in the order asked for."""
        if self._held is None:
            self._held = (self.sortColumn(), self.sortOrder())
            super().sort(-1)
            self._source_keeps(self._held)

    def release_sort(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._source_keeps(None)
            super().sort(*held)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._held is None:
            super().sort(column, order)
        else:
            self._held = (column, order)
            self._source_keeps(self._held)

    def _source_keeps(self, order: tuple[int, Qt.SortOrder] | None) -> None:
        model = self.sourceModel()
        if isinstance(model, ProjectsModel):  # column -1: unsorted, the source's own order
            model.keep_order(order if order is not None and order[0] >= 0 else None)


def _less(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return str(a) < str(b)


def _sub_job_row(status: ProjectStatus) -> ProjectRow:
    return ProjectRow(status.project, status, sub_job=status.sub_job)
