"""Left pane: the company's projects, type-to-filter, and the out-of-date switch."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.costcodes.words import plural
from costcode_desktop.services import count_inactive_changed, count_out_of_date
from costcode_desktop.ui.kit.accessibility import name_clear_button
from costcode_desktop.ui.kit.roles import PROJECT_ID_ROLE, TARGET_KEY_ROLE
from costcode_desktop.ui.kit.sizing import (
    fitted_width,
    font_scale,
    set_row_height,
    size_columns,
    width_changed,
)
from costcode_desktop.ui.kit.typed_lookup import viewport_of
from costcode_desktop.ui.projects.model import (
    COL_ACTIVE,
    COL_CHECKED,
    COL_DIFFERS,
    COL_LAST_REFRESHED,
    COL_MISSING,
    COL_NAME,
    COL_NUMBER,
    COL_ONLY_PROJECT,
    COL_STATUS,
    ProjectsFilter,
    ProjectsModel,
    status_texts,
)

if TYPE_CHECKING:
    from costcode_desktop.costcodes import Comparison
    from costcode_desktop.services import Project, Target, TargetKey

DEFAULT_WIDTHS = {
    COL_NUMBER: 72,  # the column sorted at first: room for the arrow
    COL_NAME: 190,
    COL_ACTIVE: 58,
    COL_STATUS: 150,  # at least: widened to its longest words (status_texts)
    COL_CHECKED: 96,
    COL_MISSING: 62,
    COL_DIFFERS: 62,
    COL_ONLY_PROJECT: 86,
    COL_LAST_REFRESHED: 116,
}


class ProjectsPane(QWidget):
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ProjectsModel(self)
        self.proxy = ProjectsFilter(self)
        self.proxy.setSourceModel(self.model)

        title = QLabel("Projects", self)
        title.setTextFormat(Qt.TextFormat.PlainText)  # bold by its font: no rich-text engine
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        self.search = QLineEdit(self)
        self.search.setObjectName("searchField")
        self.search.setPlaceholderText("Filter projects by number or name")
        name_clear_button(self.search, "Clear the filter")
        self.search.setAccessibleName("Filter projects")
        self.search.textChanged.connect(self.proxy.set_text)
        self.out_of_date_only = QCheckBox("Out of date only", self)
        self.out_of_date_only.setObjectName("outOfDateOnly")
        self.out_of_date_only.setToolTip(
            "Show only the active projects a refresh would change (Alt+O)"
        )
        self.out_of_date_only.toggled.connect(self.proxy.set_out_of_date_only)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("projectsCount")
        # A long count (sub jobs, no access, checking) wraps rather than widening the list
        # into the comparison's room.
        self.count_label.setWordWrap(True)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count_label.setToolTip(_count_tip(None))

        self.view = QTableView(self)
        self.view.setObjectName("projectsView")
        self.view.setAccessibleName("Projects")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setTabKeyNavigation(False)  # arrows move in the table; Tab leaves it
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_NUMBER, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        set_row_height(self.view)
        header = self.view.horizontalHeader()
        header.setAccessibleName("Columns of the projects")
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        size_columns(self.view, DEFAULT_WIDTHS)
        # The state is what people scan for: beside the name, so a narrowed list still shows
        # it; whether the project is active ('Inactive' rows are quiet too) comes after.
        header.moveSection(header.visualIndex(COL_STATUS), header.visualIndex(COL_ACTIVE))
        status = fitted_width(self.view, COL_STATUS, status_texts())
        header.resizeSection(COL_STATUS, max(status, header.sectionSize(COL_STATUS)))
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )
        viewport_of(self.view).installEventFilter(self)
        self.model.modelReset.connect(self._fit_names)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)
        # A run changes rows many times a second: count them once per turn of the event loop.
        self._count_soon = QTimer(self)
        self._count_soon.setSingleShot(True)
        self._count_soon.setInterval(0)
        self._count_soon.timeout.connect(self._update_count)
        self.model.dataChanged.connect(lambda *_: self._count_soon.start())

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.out_of_date_only)
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        self._update_count()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view.viewport() and width_changed(event):
            self._fit_names()
        return super().eventFilter(watched, event)

    def _fit_names(self) -> None:
        """Names whole when the list has the room: the name column widens to the longest one,
        as far as the number and the status beside it stay in view."""
        header = self.view.horizontalHeader()
        names = heapq.nlargest(24, (row.project.name for row in self.model.rows()), key=len)
        wanted = fitted_width(self.view, COL_NAME, names)
        beside = header.sectionSize(COL_NUMBER) + header.sectionSize(COL_STATUS)
        least = round(DEFAULT_WIDTHS[COL_NAME] * font_scale(self.view))
        header.resizeSection(
            COL_NAME, max(least, min(wanted, self.view.viewport().width() - beside))
        )

    def _update_count(self) -> None:
        rows = self.model.rows()
        statuses = [row.status for row in rows]
        checking = sum(1 for row in rows if row.status is None or row.pending)
        text = f"{len(rows)} projects · {count_out_of_date(statuses)} out of date"
        inactive = count_inactive_changed(statuses)
        if inactive:  # not counted (services.out_of_date); the tooltip says why
            text += f" (+{inactive} inactive)"
        refused = sum(1 for row in rows if row.no_access)
        if refused:
            text += f" · {refused} no access"
        jobs = count_out_of_date(row.status for row in self.model.sub_job_rows())
        if jobs:  # by the same rule, apart: a sub job (Sage Extra) is one more list to refresh
            text += f" · {plural(jobs, 'sub job')} out of date"
        if checking:
            text += f" · checking {checking}…"
        shown = self.proxy.shown_projects()  # their sub jobs' rows are not counted
        if shown != len(rows):
            text = f"showing {shown} of " + text
        self.count_label.setText(text)
        compared = (s.comparison for s in statuses if s is not None and s.comparison is not None)
        self.count_label.setToolTip(_count_tip(next(compared, None)))

    def selected_projects(self) -> list[Project]:
        rows = self.view.selectionModel().selectedRows()
        ids = [index.data(PROJECT_ID_ROLE) for index in sorted(rows, key=QModelIndex.row)]
        found = [self.model.row_for(pid) for pid in ids]
        return [row.project for row in found if row is not None]

    def has_selection(self) -> bool:
        return self.view.selectionModel().hasSelection()

    def selected_targets(self) -> list[Project | Target]:
        """The selected rows: a project's as its Project (its sub jobs follow it in a refresh),
        a sub job's as its Target."""
        from costcode_desktop.services import Target

        # From the selection's ranges (one after Select All), each row mapped once: asking
        # selectedRows() and each row's data costs Qt thousands of calls into Python.
        shown: set[int] = set()
        for part in self.view.selectionModel().selection().toList():
            shown.update(range(part.top(), part.bottom() + 1))
        proxy, model = self.proxy, self.model
        source_rows = (proxy.mapToSource(proxy.index(row, 0)).row() for row in sorted(shown))
        found = [model.row_at(row) for row in source_rows]
        return [
            row.project if row.sub_job is None else Target(row.project, row.sub_job)
            for row in found
        ]

    def current_project_id(self) -> int | None:
        """The current row's project if it is a project's row (None for a sub job's)."""
        key = self.current_target_key()
        return key if isinstance(key, int) else None

    def current_target_key(self) -> TargetKey | None:
        """The current row if it is selected, else the topmost selected row. Asked on every
        result of a run, so it reads the selection's ranges (one after Select All), not each
        selected row."""
        index = self.view.currentIndex()
        selection = self.view.selectionModel()
        if not index.isValid() or not selection.isRowSelected(index.row(), QModelIndex()):
            ranges = selection.selection()
            if ranges.isEmpty():
                return None
            index = self.proxy.index(min(r.top() for r in ranges.toList()), 0)
        return _key(index.data(TARGET_KEY_ROLE))

    def select_project(self, project_id: int) -> bool:
        return self.select_target(project_id)

    def select_target(self, key: TargetKey) -> bool:
        """Select a project's row (key: its id) or a sub job's ((project id, sub job id))."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if _key(index.data(TARGET_KEY_ROLE)) == key:
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                self.view.selectionModel().setCurrentIndex(index, flags)
                self.view.scrollTo(index)
                return True
        return False


def _key(value: object) -> TargetKey | None:
    """A row's key as the model gives it (Qt may hand a sub job's pair back as a list)."""
    if isinstance(value, tuple | list) and len(value) == 2:
        return (int(value[0]), int(value[1]))
    return int(value) if isinstance(value, int) else None


def _count_tip(comparison: Comparison | None) -> str:
    """What the count leaves out, naming the ERP whose connector the company list comes from."""
    system = comparison.connector.system if comparison is not None else "the ERP system"
    return (
        "Out of date: an active project a refresh would add codes to or fix descriptions "
        f"on. Descriptions locked by {system}, codes {system} cannot send and codes only on the "
        "project do not count. Inactive projects with differences are not counted (+N "
        "inactive): select one and choose Refresh Selected to refresh it."
    )
