"""The refresh history: which runs happened, what each did to each project, and every code change.

Every read of the history and every export runs on the background worker; the window only shows
what comes back. Details of finished runs never change, so they are kept and reused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QDate,
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.procore.errors import Cancelled
from costcode_desktop.services.export import ExportError
from costcode_desktop.services.history import (
    HistoryError,
    HistoryStore,
    RunDetails,
    RunStatus,
    RunSummary,
)
from costcode_desktop.services.history_export import (
    suggested_history_file_name,
    write_history_csv,
    write_history_xlsx,
)
from costcode_desktop.services.history_query import (
    RUN_LIMIT,
    HistoryQuery,
    LoadedRuns,
    details_for_export,
    load_runs,
    project_matches,
    search_words,
)
from costcode_desktop.ui.accessibility import name_clear_button, set_tab_order
from costcode_desktop.ui.banner import StatusBanner
from costcode_desktop.ui.explain import explain
from costcode_desktop.ui.history_models import (
    CHANGE_CODE,
    CHANGE_DESCRIPTION,
    CHANGE_KIND,
    CHANGE_REASON,
    PROJECT_MESSAGE,
    PROJECT_NAME,
    PROJECT_NUMBER,
    PROJECT_OUTCOME,
    RUN_COMPANY,
    RUN_ENVIRONMENT,
    RUN_STARTED,
    RUN_STATUS,
    RUN_USER,
    ChangesModel,
    ProjectsInRunModel,
    RunsModel,
    run_look,
    summarise_runs,
)
from costcode_desktop.ui.roles import SORT_ROLE
from costcode_desktop.ui.worker import Job, Worker

log = logging.getLogger(__name__)

DEFAULT_DAYS = 90
CACHE_LIMIT = 500  # run details kept in memory
FILTER_DELAY_MS = 350  # let a typist finish the project number before reading again
NOT_AVAILABLE = (
    "The refresh history is not available. It opens once you sign in or open the demo "
    "company; if you are signed in, it could not be opened (the log says why)."
)

NO_RUN_TITLE = "Projects in the selected run"
NO_PROJECT_TITLE = "Code changes of the selected project"

OpenStore = Callable[[], HistoryStore | None]


class _TablePane(QWidget):
    """A titled table that shows a plain sentence instead when it has nothing to show."""

    def __init__(self, title: str, view: QTableView, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.view = view
        self.placeholder = QLabel(self)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMargin(16)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(view)
        self.stack.addWidget(self.placeholder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)

    def show_table(self) -> None:
        self.stack.setCurrentWidget(self.view)

    def show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    @property
    def message(self) -> str:
        return self.placeholder.text() if self.stack.currentWidget() is self.placeholder else ""


def _widths(view: QTableView, widths: dict[int, int], stretch: int | None = None) -> None:
    """Starting widths; the stretch column (else the last) takes the room that is left."""
    header = view.horizontalHeader()
    for column, width in widths.items():
        header.resizeSection(column, width)
    if stretch is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def _table(
    parent: QWidget,
    name: str,
    accessible: str,
    model: RunsModel | ProjectsInRunModel | ChangesModel,
) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setModel(proxy)
    # Unsorted until a header is clicked: rows keep the order the run recorded them in.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # arrows move in the table; Tab goes on to the next one
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setAccessibleName(f"Columns of {accessible.lower()}")
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setDefaultSectionSize(64)
    header.setMinimumSectionSize(40)
    return view, proxy


class HistoryWindow(QWidget):
    """A top-level window over the refresh history of one company (or all of them)."""

    loaded = Signal()  # the runs are shown (or the reason they cannot be)
    details_loaded = Signal(object)  # RunDetails of the selected run, now shown
    exported = Signal(str)  # path of the file written

    def __init__(
        self,
        worker: Worker,
        open_store: OpenStore,
        company_id: int | None,
        environment: str | None,
        parent: QWidget | None = None,
        *,
        company_name: str = "",
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("historyWindow")
        self.setAccessibleName("Refresh history")
        self.worker = worker
        self.open_store = open_store
        self.company_id = company_id
        self.environment = environment
        self.company_name = company_name
        self._cache: dict[int, RunDetails] = {}
        self._load_job: Job | None = None
        self._load_generation = 0
        self._details_job: Job | None = None
        self._details_generation = 0  # only the latest details read is shown
        self._shown_run_id: int | None = None
        self.shown_details: RunDetails | None = None  # what the details pane shows
        self._to_follows_today = True
        self._applied_words: tuple[str, ...] = ()
        self._setting_dates = False
        self._exporting = False
        self._update_title()

        self._build_filters()
        self._build_tables()
        self._build_footer()
        self._build_layout()
        self._build_actions()
        self.resize(1100, 700)
        self.runs_pane.show_message("Loading…")
        self.projects_pane.show_message("Select a run to see what it did to each project.")
        self.changes_pane.show_message("Select a project to see its code changes.")
        self._update_exports()

    # -- construction --------------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.project_filter = QLineEdit(self)
        self.project_filter.setObjectName("historyProjectFilter")
        self.project_filter.setAccessibleName("Filter runs by project")
        self.project_filter.setPlaceholderText("Project number or name")
        name_clear_button(self.project_filter, "Clear the project filter")
        self.project_filter.setToolTip(
            "Show only runs that touched a project whose number or name contains these words "
            "(Ctrl+F)"
        )
        self.project_filter.setMinimumWidth(200)
        self.project_filter.setMaximumWidth(360)
        today = QDate.currentDate()
        self.from_date = self._date_edit(
            "historyFromDate", "Runs from", today.addDays(-DEFAULT_DAYS)
        )
        self.from_date.setToolTip("Show runs started on or after this day")
        self.to_date = self._date_edit("historyToDate", "Runs up to", today)
        self.to_date.setToolTip("Show runs started on or before this day")
        self.failures_only = QCheckBox("Only runs with fai&lures", self)
        self.failures_only.setObjectName("historyFailuresOnly")
        self.failures_only.setToolTip(
            "Show only runs where a project or code failed, and runs that never finished"
        )
        self.reload_button = QPushButton("&Reload", self)
        self.reload_button.setObjectName("historyReload")
        self.reload_button.setAccessibleName("Read the history again")
        self.reload_button.setToolTip("Read the history again (F5)")
        self.reload_button.clicked.connect(self.reload)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.reload)
        self.project_filter.textChanged.connect(lambda _text: self._filter_timer.start())
        self.project_filter.returnPressed.connect(self.reload)
        self.from_date.dateChanged.connect(self._dates_changed)
        self.to_date.dateChanged.connect(self._dates_changed)
        self.to_date.dateChanged.connect(self._to_date_edited)
        self.failures_only.toggled.connect(lambda _on: self.reload())

    def _date_edit(self, name: str, accessible: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _build_tables(self) -> None:
        self.runs_model = RunsModel(self)
        self.runs_view, self.runs_proxy = _table(self, "historyRunsView", "Runs", self.runs_model)
        self.runs_view.sortByColumn(RUN_STARTED, Qt.SortOrder.DescendingOrder)
        _widths(
            self.runs_view,
            {RUN_STARTED: 124, RUN_STATUS: 190, RUN_USER: 120, RUN_ENVIRONMENT: 100},
            stretch=RUN_COMPANY,
        )
        self.runs_view.selectionModel().currentRowChanged.connect(self._run_selected)

        self.projects_model = ProjectsInRunModel(self)
        self.projects_view, self.projects_proxy = _table(
            self, "historyProjectsView", "Projects in the selected run", self.projects_model
        )
        counts = dict.fromkeys(range(PROJECT_OUTCOME + 1, PROJECT_MESSAGE), 64)
        _widths(
            self.projects_view,
            {PROJECT_NUMBER: 84, PROJECT_NAME: 210, PROJECT_OUTCOME: 120, **counts},
        )
        self.projects_view.selectionModel().currentRowChanged.connect(self._project_selected)

        self.changes_model = ChangesModel(self)
        self.changes_view, self.changes_proxy = _table(
            self, "historyChangesView", "Code changes of the selected project", self.changes_model
        )
        _widths(
            self.changes_view,
            {CHANGE_KIND: 100, CHANGE_CODE: 96, CHANGE_DESCRIPTION: 400, CHANGE_REASON: 300},
        )

        self.runs_pane = _TablePane("Runs", self.runs_view, self)
        self.projects_pane = _TablePane(NO_RUN_TITLE, self.projects_view, self)
        self.changes_pane = _TablePane(NO_PROJECT_TITLE, self.changes_view, self)
        self.run_heading = self.projects_pane.title  # says which run the projects belong to
        self.run_heading.setObjectName("historyRunHeading")

    def _build_footer(self) -> None:
        self.banner = StatusBanner(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("historySummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.export_csv_button = QPushButton("Export &CSV…", self)
        self.export_csv_button.setObjectName("historyExportCsv")
        self.export_csv_button.setAccessibleName("Export the listed runs to a CSV file")
        self.export_csv_button.setToolTip(
            "Save the listed runs, one row per project, as a CSV file (Ctrl+E)"
        )
        self.export_csv_button.clicked.connect(lambda: self.choose_export("csv"))
        self.export_xlsx_button = QPushButton("Export E&xcel…", self)
        self.export_xlsx_button.setObjectName("historyExportXlsx")
        self.export_xlsx_button.setAccessibleName("Export the listed runs to an Excel workbook")
        self.export_xlsx_button.setToolTip(
            "Save the listed runs as an Excel workbook: one sheet of projects, one of code "
            "changes (Ctrl+Shift+E)"
        )
        self.export_xlsx_button.clicked.connect(lambda: self.choose_export("xlsx"))

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for text, editor in (
            ("&Project:", self.project_filter),
            ("&From:", self.from_date),
            ("&To:", self.to_date),
        ):
            label = QLabel(text, self)
            label.setBuddy(editor)
            if editor is self.from_date:
                filters.addSpacing(12)
            filters.addWidget(label)
            filters.addWidget(editor, 1 if editor is self.project_filter else 0)
        filters.addSpacing(12)
        filters.addWidget(self.failures_only)
        filters.addStretch(1)
        filters.addWidget(self.reload_button)

        # Runs on top; the selected run's projects under them, and the selected project's
        # changes at the bottom, each as wide as the window so messages and names fit.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("historySplitter")
        for pane in (self.runs_pane, self.projects_pane, self.changes_pane):
            self.splitter.addWidget(pane)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([260, 180, 200])

        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(self.export_csv_button)
        footer.addWidget(self.export_xlsx_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(footer)

        # Tab follows the filters, the three tables top to bottom, the exports, then the banner.
        banner = self.banner
        self.tab_order: list[QWidget] = [
            self.project_filter,
            self.from_date,
            self.to_date,
            self.failures_only,
            self.reload_button,
            self.runs_view,
            self.projects_view,
            self.changes_view,
            self.export_csv_button,
            self.export_xlsx_button,
            banner.details_button,
            banner.retry_button,
            banner.cancel_button,
            banner.dismiss_button,
        ]
        set_tab_order(self.tab_order)

    def _build_actions(self) -> None:
        for keys, slot in (
            (QKeySequence("F5"), self.reload),
            (QKeySequence(QKeySequence.StandardKey.Find), lambda: self.project_filter.setFocus()),
            (QKeySequence("Ctrl+E"), lambda: self.choose_export("csv")),
            (QKeySequence("Ctrl+Shift+E"), lambda: self.choose_export("xlsx")),
            (QKeySequence(QKeySequence.StandardKey.Close), self.close),
        ):
            if keys.isEmpty():
                continue
            action = QAction(self)
            action.setShortcut(keys)
            action.triggered.connect(slot)
            self.addAction(action)

    # -- loading the runs ----------------------------------------------------------------------

    def query(self) -> HistoryQuery:
        first = _day(self.from_date.date())
        last = _day(self.to_date.date())
        return HistoryQuery(
            company_id=self.company_id,
            environment=self.environment,
            since=datetime.combine(first, time.min).astimezone(),
            until=datetime.combine(last + timedelta(days=1), time.min).astimezone(),
            words=tuple(search_words(self.project_filter.text())),
            failures_only=self.failures_only.isChecked(),
        )

    @Slot()
    def reload(self) -> None:
        """Read the runs again with the current filters (on the worker)."""
        self._filter_timer.stop()
        if self._to_follows_today and self.to_date.date() != QDate.currentDate():
            self._setting_dates = True
            self.to_date.setDate(QDate.currentDate())  # a window left open past midnight
            self._setting_dates = False
        if self._load_job is not None:
            self._load_job.cancel.cancel()
        self._load_generation += 1
        generation = self._load_generation
        query = self.query()
        known = dict(self._cache)
        open_store = self.open_store

        def work(job: Job) -> LoadedRuns:
            store = _store(open_store)
            return load_runs(store, query, known, job.cancel)

        self.summary.setText("Loading…")
        if self.runs_model.rowCount() == 0:
            self.runs_pane.show_message("Loading…")
        self._load_job = self.worker.submit(
            work,
            on_result=lambda loaded: self._runs_loaded(generation, query, loaded),
            on_error=lambda error, details: self._load_failed(generation, error, details),
        )

    def _runs_loaded(self, generation: int, query: HistoryQuery, loaded: LoadedRuns) -> None:
        if not shiboken6.isValid(self) or generation != self._load_generation:
            return
        self._load_job = None
        self._remember(loaded.details)
        self._applied_words = query.words
        keep = self._shown_run_id
        self._shown_run_id = None  # show the kept run's details again: it may have moved on
        self.runs_model.set_runs(loaded.runs)
        if not self.company_name and loaded.runs:
            self.company_name = loaded.runs[0].company_name
            self._update_title()
        if self.banner.property("state") == "error":
            self.banner.clear()
        summary = summarise_runs(loaded.runs)
        if loaded.truncated:
            summary += f" · only the newest {RUN_LIMIT:,} runs were read: narrow the dates"
        self.summary.setText(summary)
        self._show_details_panes(bool(loaded.runs))
        if loaded.runs:
            self.runs_pane.show_table()
            if not self._select_run(keep) and not self._select_run(None):
                self._show_no_run()
        else:
            self.runs_pane.show_message(self._empty_text(query, loaded))
            self._show_no_run()
        self._update_exports()
        self.loaded.emit()

    def _empty_text(self, query: HistoryQuery, loaded: LoadedRuns) -> str:
        if not loaded.any_runs:
            return (
                "No refreshes recorded yet. Each refresh you run from the main window is "
                "recorded here, with every code it added or updated."
            )
        if query.since >= query.until:
            return "No runs match the filters: the From day is after the To day."
        return (
            "No runs match the filters. Widen the dates, clear the project filter or untick "
            "'Only runs with failures'."
        )

    def _load_failed(self, generation: int, error: BaseException, details: str) -> None:
        if not shiboken6.isValid(self) or generation != self._load_generation:
            return
        self._load_job = None
        if isinstance(error, Cancelled):
            return
        message, more = _explain(error, details)
        log.warning("reading the refresh history failed: %s", message)
        self.summary.setText("")
        self.banner.show_error(message, more)
        if self.runs_model.rowCount() == 0:
            self.runs_pane.show_message("The history could not be read: see the message above.")
            self._show_details_panes(False)
        self.loaded.emit()

    def _select_run(self, run_id: int | None) -> bool:
        """Select that run (or the first listed when None); False when it is not listed."""
        proxy = self.runs_proxy
        for row in range(proxy.rowCount()):
            source = proxy.mapToSource(proxy.index(row, 0)).row()
            if run_id is None or self.runs_model.run_at(source).id == run_id:
                self._select_row(self.runs_view, proxy.index(row, 0))
                if self._shown_run_id != self.runs_model.run_at(source).id:
                    self._run_selected(proxy.index(row, 0))
                return True
        return False

    @staticmethod
    def _select_row(view: QTableView, index: QModelIndex) -> None:
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | (
            QItemSelectionModel.SelectionFlag.Rows
        )
        view.selectionModel().setCurrentIndex(index, flags)
        view.scrollTo(index)

    def select_run(self, run_id: int) -> bool:
        """Select a listed run (for tests and for the main window)."""
        return self._select_run(run_id)

    def select_project(self, project_id: int) -> bool:
        proxy = self.projects_proxy
        for row in range(proxy.rowCount()):
            source = proxy.mapToSource(proxy.index(row, 0)).row()
            if self.projects_model.entry_at(source).project_id == project_id:
                self._select_row(self.projects_view, proxy.index(row, 0))
                return True
        return False

    # -- details of the selected run -----------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _run_selected(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            return
        run = self.runs_model.run_at(self.runs_proxy.mapToSource(current).row())
        if run.id == self._shown_run_id:
            return
        self._shown_run_id = run.id
        self._set_run_heading(run)
        if self._details_job is not None:
            self._details_job.cancel.cancel()
            self._details_job = None
        self._details_generation += 1
        generation = self._details_generation
        cached = self._cache.get(run.id)
        if cached is not None:
            self._show_details(cached)
            return
        open_store = self.open_store
        run_id = run.id

        def work(job: Job) -> RunDetails:
            return _store(open_store).run_details(run_id)

        self.shown_details = None
        self.projects_model.clear()
        self.changes_model.clear()
        self.projects_pane.show_message("Loading…")
        self.changes_pane.show_message("")
        self._details_job = self.worker.submit(
            work,
            on_result=lambda details: self._details_read(generation, details),
            on_error=lambda error, details: self._details_failed(generation, error, details),
        )

    def _details_read(self, generation: int, details: RunDetails) -> None:
        if not shiboken6.isValid(self):
            return
        if details.run.status is not RunStatus.RUNNING:
            self._remember({details.run.id: details})
        if generation != self._details_generation:
            return
        self._details_job = None
        self._show_details(details)

    def _details_failed(self, generation: int, error: BaseException, details: str) -> None:
        if not shiboken6.isValid(self) or generation != self._details_generation:
            return
        self._details_job = None
        if isinstance(error, Cancelled):
            return
        if isinstance(error, KeyError):
            message, more = "That run is no longer in the history. Choose Reload.", ""
        else:
            message, more = _explain(error, details)
        self.projects_pane.show_message(message)
        self.banner.show_error(message, more)

    def _show_details(self, details: RunDetails) -> None:
        self.shown_details = details
        self._set_run_heading(details.run)
        self.projects_model.set_projects(details.projects)
        self.changes_model.clear()
        if details.projects:
            self.projects_pane.show_table()
            words = self._applied_words
            first = next(
                (p.project_id for p in details.projects if project_matches(p, words)),
                details.projects[0].project_id,
            )
            self.select_project(first)
        else:
            text = (
                "The run stopped before any project was recorded."
                if details.run.status is RunStatus.INTERRUPTED
                else "No project was recorded in this run."
            )
            self.projects_pane.show_message(text)
            self.changes_pane.title.setText(NO_PROJECT_TITLE)
            self.changes_pane.show_message("")
        self.details_loaded.emit(details)

    def _show_details_panes(self, visible: bool) -> None:
        """With no run listed, the sentence saying why gets the whole window."""
        self.projects_pane.setVisible(visible)
        self.changes_pane.setVisible(visible)

    def _show_no_run(self) -> None:
        self._shown_run_id = None
        self._details_generation += 1
        self.shown_details = None
        self.run_heading.setText(NO_RUN_TITLE)
        self.projects_model.clear()
        self.changes_model.clear()
        self.projects_pane.show_message("Select a run to see what it did to each project.")
        self.changes_pane.title.setText(NO_PROJECT_TITLE)
        self.changes_pane.show_message("")

    def _set_run_heading(self, run: RunSummary) -> None:
        look = run_look(run)
        when = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        parts = [
            f"Run of {when} by {run.user}",
            look.label + (" (dry run)" if run.dry_run else ""),
            f"{run.projects} project{'s' if run.projects != 1 else ''}",
            f"{run.added} added",
            f"{run.updated} updated",
        ]
        if run.skipped:
            parts.append(f"{run.skipped} skipped")
        if run.failed:
            parts.append(f"{run.failed} failed")
        self.run_heading.setText(" · ".join(parts))

    @Slot(QModelIndex, QModelIndex)
    def _project_selected(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            return
        entry = self.projects_model.entry_at(self.projects_proxy.mapToSource(current).row())
        number = f"{entry.project_number} " if entry.project_number else ""
        self.changes_pane.title.setText(f"Code changes — {number}{entry.project_name}")
        self.changes_model.set_changes(entry.changes)
        if entry.changes:
            self.changes_pane.show_table()
        else:
            self.changes_pane.show_message("No code was added, updated, skipped or failed here.")

    def _remember(self, details: dict[int, RunDetails]) -> None:
        self._cache.update(details)
        while len(self._cache) > CACHE_LIMIT:
            del self._cache[next(iter(self._cache))]

    # -- filters -------------------------------------------------------------------------------

    @Slot()
    def _dates_changed(self) -> None:
        if not self._setting_dates:
            self._filter_timer.start()

    @Slot()
    def _to_date_edited(self) -> None:
        if not self._setting_dates:
            self._to_follows_today = self.to_date.date() == QDate.currentDate()

    # -- export --------------------------------------------------------------------------------

    def listed_run_ids(self) -> list[int]:
        """The runs as listed, in the order shown."""
        proxy = self.runs_proxy
        return [
            self.runs_model.run_at(proxy.mapToSource(proxy.index(row, 0)).row()).id
            for row in range(proxy.rowCount())
        ]

    def choose_export(self, kind: str) -> None:
        if not self.listed_run_ids():
            return
        name = suggested_history_file_name(self.company_name, _day(QDate.currentDate()), f".{kind}")
        filters = "Excel workbook (*.xlsx)" if kind == "xlsx" else "CSV file (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, "Export refresh history", name, filters)
        if path:
            if not path.lower().endswith(f".{kind}"):
                path += f".{kind}"
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the listed runs to `path` (.xlsx for a workbook, else CSV) on the worker."""
        writer = write_history_xlsx if path.suffix.lower() == ".xlsx" else write_history_csv
        run_ids = self.listed_run_ids()
        known = dict(self._cache)
        words = self._applied_words
        open_store = self.open_store

        def work(job: Job) -> str:
            chosen = details_for_export(_store(open_store), run_ids, known, words, job.cancel)
            writer(path, chosen)
            return str(path)

        self.summary.setText(f"Exporting to {path.name}…")
        self._set_exporting(True)
        self.worker.submit(work, on_result=self._export_done, on_error=self._export_failed)

    def _export_done(self, path: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_exporting(False)
        self.summary.setText(f"{summarise_runs(self.runs_model.runs())} · saved {path}")
        self.exported.emit(path)

    def _export_failed(self, error: BaseException, details: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_exporting(False)
        self.summary.setText(summarise_runs(self.runs_model.runs()))
        message, more = _explain(error, details)
        self.banner.show_error(f"Export failed: {message}", more)

    def _set_exporting(self, busy: bool) -> None:
        self._exporting = busy
        self._update_exports()

    def _update_exports(self) -> None:
        enabled = self.runs_model.rowCount() > 0 and not self._exporting
        self.export_csv_button.setEnabled(enabled)
        self.export_xlsx_button.setEnabled(enabled)

    # -- window --------------------------------------------------------------------------------

    def _update_title(self) -> None:
        who = self.company_name or ("all companies" if self.company_id is None else "")
        self.setWindowTitle(f"Refresh history — {who}" if who else "Refresh history")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Read afresh each time the window is opened (not when it is only un-minimised)."""
        super().showEvent(event)
        if not event.spontaneous():
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        for job in (self._load_job, self._details_job):
            if job is not None:
                job.cancel.cancel()
        super().closeEvent(event)


def _store(open_store: OpenStore) -> HistoryStore:
    """Open (or reuse) the history on the worker; a plain error when there is none."""
    store = open_store()
    if store is None:
        raise HistoryError(NOT_AVAILABLE)
    return store


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _explain(error: BaseException, details: str) -> tuple[str, str]:
    if isinstance(error, ExportError | HistoryError):
        return str(error), ""
    return explain(error, details)
