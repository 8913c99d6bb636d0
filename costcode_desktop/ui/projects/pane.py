"""Left pane: the company's projects, type-to-filter, and the out-of-date switch."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
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
from costcode_desktop.services import Project, Target, TargetKey
from costcode_desktop.ui.kit.accessibility import name_clear_button
from costcode_desktop.ui.kit.roles import PROJECT_ID_ROLE, TARGET_KEY_ROLE
from costcode_desktop.ui.kit.sizing import set_row_height, size_columns
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
)

DEFAULT_WIDTHS = {
    COL_NUMBER: 72,  # the column sorted at first: room for the arrow
    COL_NAME: 178,
    COL_ACTIVE: 58,
    COL_STATUS: 150,  # '⚠ Refresh failed 10:42'
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

        title = QLabel("<b>Projects</b>", self)
        self.search = QLineEdit(self)
        self.search.setObjectName("searchField")
        self.search.setPlaceholderText("Filter projects by number or name")
        name_clear_button(self.search, "Clear the filter")
        self.search.setAccessibleName("Filter projects")
        self.search.textChanged.connect(self.proxy.set_text)
        self.out_of_date_only = QCheckBox("Out of date only", self)
        self.out_of_date_only.setObjectName("outOfDateOnly")
        self.out_of_date_only.setToolTip("Show only projects whose cost codes differ (Alt+O)")
        self.out_of_date_only.toggled.connect(self.proxy.set_out_of_date_only)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("projectsCount")

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
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )
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

    def _update_count(self) -> None:
        rows = self.model.rows()
        stale = sum(1 for row in rows if row.out_of_date)
        checking = sum(1 for row in rows if row.status is None or row.pending)
        text = f"{len(rows)} projects · {stale} out of date"
        refused = sum(1 for row in rows if row.no_access)
        if refused:
            text += f" · {refused} no access"
        if checking:
            text += f" · checking {checking}…"
        jobs = [row for row in self.model.sub_job_rows() if row.out_of_date]
        if jobs:  # a sub job (Sage Extra) out of date is one more list to refresh
            text += f" · {plural(len(jobs), 'sub job')} out of date"
        shown = sum(  # projects shown: their sub jobs' rows are not counted
            1
            for row in range(self.proxy.rowCount())
            if isinstance(self.proxy.index(row, 0).data(PROJECT_ID_ROLE), int)
        )
        if shown != len(rows):
            text = f"showing {shown} of " + text
        self.count_label.setText(text)

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
        rows = self.view.selectionModel().selectedRows()
        keys = [_key(index.data(TARGET_KEY_ROLE)) for index in sorted(rows, key=QModelIndex.row)]
        found = [self.model.row_for(key) for key in keys if key is not None]
        return [
            row.project if row.sub_job is None else Target(row.project, row.sub_job)
            for row in found
            if row is not None
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
