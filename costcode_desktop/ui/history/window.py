"""The refresh history: which runs happened, what each did to each project, and every code change.

The window puts together the filter bar, the runs, the selected run's details and the footer.
Every read and export goes through a HistoryReader on the background worker; the window only
shows what comes back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from costcode_desktop.services.history.query import RUN_LIMIT, HistoryQuery, LoadedRuns
from costcode_desktop.services.history.store import RunDetails
from costcode_desktop.ui.history.details import RunDetailsPanes
from costcode_desktop.ui.history.filters import HistoryFilterBar
from costcode_desktop.ui.history.footer import HistoryFooter, ask_export_path
from costcode_desktop.ui.history.models import (
    RUN_COMPANY,
    RUN_ENVIRONMENT,
    RUN_STARTED,
    RUN_STATUS,
    RUN_USER,
    RunsModel,
    summarise_runs,
)
from costcode_desktop.ui.history.reader import NOT_AVAILABLE, HistoryReader, OpenStore
from costcode_desktop.ui.history.tables import (
    TablePane,
    history_table,
    select_row,
    set_column_widths,
    source_rows,
)
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.banner import StatusBanner
from costcode_desktop.ui.kit.paint import paint_holding_gil
from costcode_desktop.ui.kit.sizing import scaled_size
from costcode_desktop.ui.kit.worker import Worker

__all__ = ["NOT_AVAILABLE", "HistoryWindow"]  # NOT_AVAILABLE: what the window says without a store


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
        paint_holding_gil(self)  # often open while a refresh runs
        self.setAccessibleName("Refresh history")
        self.company_id = company_id
        self.environment = environment
        self.company_name = company_name
        self._shown_run_id: int | None = None
        self._applied_words: tuple[str, ...] = ()  # the project filter of the runs listed
        self._exporting = False
        self._update_title()

        self.reader = HistoryReader(worker, open_store, self)
        self.reader.runs_read.connect(self._runs_loaded)
        self.reader.runs_failed.connect(self._load_failed)
        self.reader.details_read.connect(self._show_details)
        self.reader.details_failed.connect(self._details_failed)
        self.reader.exported.connect(self._export_done)
        self.reader.export_failed.connect(self._export_failed)

        self._build_parts()
        self._build_layout()
        self._build_actions()
        self.resize(scaled_size(self, 1100, 700))
        self.runs_pane.show_message("Loading…")
        self._update_exports()

    # -- construction --------------------------------------------------------------------------

    def _build_parts(self) -> None:
        self.filters = HistoryFilterBar(self)
        self.filters.reload_requested.connect(self.reload)

        self.runs_model = RunsModel(self)
        self.runs_view, self.runs_proxy = history_table(
            self, "historyRunsView", "Runs", self.runs_model
        )
        self.runs_view.sortByColumn(RUN_STARTED, Qt.SortOrder.DescendingOrder)
        set_column_widths(
            self.runs_view,
            {RUN_STARTED: 124, RUN_STATUS: 190, RUN_USER: 120, RUN_ENVIRONMENT: 100},
            stretch=RUN_COMPANY,
        )
        self.runs_view.selectionModel().currentRowChanged.connect(self._run_selected)
        self.details = RunDetailsPanes(self)
        self.runs_pane = TablePane("Runs", self.runs_view, self)

        self.banner = StatusBanner(self)
        self.footer = HistoryFooter(self)
        self.footer.export_requested.connect(self.choose_export)

        # The parts' widgets, reachable from the window as its callers and tests expect.
        self.project_filter = self.filters.project_filter
        self.from_date = self.filters.from_date
        self.to_date = self.filters.to_date
        self.failures_only = self.filters.failures_only
        self.reload_button = self.filters.reload_button
        self.projects_model = self.details.projects_model
        self.projects_view = self.details.projects_view
        self.projects_proxy = self.details.projects_proxy
        self.projects_pane = self.details.projects_pane
        self.run_heading = self.details.run_heading
        self.changes_model = self.details.changes_model
        self.changes_view = self.details.changes_view
        self.changes_proxy = self.details.changes_proxy
        self.changes_pane = self.details.changes_pane
        self.summary = self.footer.summary
        self.export_csv_button = self.footer.export_csv_button
        self.export_xlsx_button = self.footer.export_xlsx_button

    def _build_layout(self) -> None:
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.footer)

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
        """What the filters select, for this window's company and environment."""
        return self.filters.query(self.company_id, self.environment)

    @Slot()
    def reload(self) -> None:
        """Read the runs again with the current filters (on the worker)."""
        self.filters.catch_up()
        query = self.query()
        self.summary.setText("Loading…")
        if self.runs_model.rowCount() == 0:
            self.runs_pane.show_message("Loading…")
        self.reader.read_runs(query)

    def _runs_loaded(self, query: HistoryQuery, loaded: LoadedRuns) -> None:
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
        self.details.set_visible(bool(loaded.runs))
        if loaded.runs:
            self.runs_pane.show_table()
            if not self._select_run(keep) and not self._select_run(None):
                self._show_no_run()
        else:
            self.runs_pane.show_message(_empty_text(query, loaded))
            self._show_no_run()
        self._update_exports()
        self.loaded.emit()

    def _load_failed(self, message: str, more: str) -> None:
        self.summary.setText("")
        self.banner.show_error(message, more)
        if self.runs_model.rowCount() == 0:
            self.runs_pane.show_message("The history could not be read: see the message above.")
            self.details.set_visible(False)
        self.loaded.emit()

    def _select_run(self, run_id: int | None) -> bool:
        """Select that run (or the first listed when None); False when it is not listed."""
        proxy = self.runs_proxy
        for row, source in enumerate(source_rows(proxy)):
            run = self.runs_model.run_at(source)
            if run_id is None or run.id == run_id:
                select_row(self.runs_view, proxy.index(row, 0))
                if self._shown_run_id != run.id:
                    self._run_selected(proxy.index(row, 0))
                return True
        return False

    def select_run(self, run_id: int) -> bool:
        """Select a listed run (for tests and for the main window)."""
        return self._select_run(run_id)

    def select_project(self, project_id: int) -> bool:
        return self.details.select_project(project_id)

    # -- details of the selected run -----------------------------------------------------------

    @property
    def shown_details(self) -> RunDetails | None:
        """The run whose details the lower panes show."""
        return self.details.shown

    @Slot(QModelIndex, QModelIndex)
    def _run_selected(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            return
        run = self.runs_model.run_at(self.runs_proxy.mapToSource(current).row())
        if run.id == self._shown_run_id:
            return
        self._shown_run_id = run.id
        self.details.show_heading(run)
        cached = self.reader.read_details(run.id)
        if cached is not None:
            self._show_details(cached)
        else:
            self.details.show_loading()

    def _show_details(self, details: RunDetails) -> None:
        self.details.show_details(details, self._applied_words)
        self.details_loaded.emit(details)

    def _details_failed(self, message: str, more: str) -> None:
        self.projects_pane.show_message(message)
        self.banner.show_error(message, more)

    def _show_no_run(self) -> None:
        self._shown_run_id = None
        self.reader.ignore_details()
        self.details.show_no_run()

    # -- export --------------------------------------------------------------------------------

    def listed_run_ids(self) -> list[int]:
        """The runs as listed, in the order shown."""
        return [self.runs_model.run_at(row).id for row in source_rows(self.runs_proxy)]

    def choose_export(self, kind: str) -> None:
        """Ask where to save the listed runs as `kind` ("csv" or "xlsx"), then export them."""
        if not self.listed_run_ids():
            return
        path = ask_export_path(self, self.company_name, kind)
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Write the listed runs to `path` (.xlsx for a workbook, else CSV) on the worker."""
        run_ids = self.listed_run_ids()
        self.summary.setText(f"Exporting to {path.name}…")
        self._set_exporting(True)
        self.reader.export(path, run_ids, self._applied_words)

    def _export_done(self, path: str) -> None:
        self._set_exporting(False)
        self.summary.setText(f"{summarise_runs(self.runs_model.runs())} · saved {path}")
        self.exported.emit(path)

    def _export_failed(self, message: str, more: str) -> None:
        self._set_exporting(False)
        self.summary.setText(summarise_runs(self.runs_model.runs()))
        self.banner.show_error(f"Export failed: {message}", more)

    def _set_exporting(self, busy: bool) -> None:
        self._exporting = busy
        self._update_exports()

    def _update_exports(self) -> None:
        self.footer.enable_exports(self.runs_model.rowCount() > 0 and not self._exporting)

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
        self.reader.cancel()
        super().closeEvent(event)


def _empty_text(query: HistoryQuery, loaded: LoadedRuns) -> str:
    """Why no run is listed, and what to do about it."""
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
