"""The main window: projects on the left, the comparison on the right, the banner on top.

Its actions and chrome live in main_actions, refreshing in main_refresh; this module builds the
window, wires it to the controller, and handles loading, selection, export and window state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMenu,
    QMenuBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop import APP_NAME
from costcode_desktop.procore.records import Project
from costcode_desktop.services import CompanyList, ProjectStatus
from costcode_desktop.services.export import ExportHeader
from costcode_desktop.services.logging_setup import log_file
from costcode_desktop.services.session import Session
from costcode_desktop.services.settings import Settings
from costcode_desktop.ui.compare.pane import ComparePane
from costcode_desktop.ui.dialogs.about import AboutDialog
from costcode_desktop.ui.dialogs.how_it_works import HowItWorksDialog
from costcode_desktop.ui.history.window import HistoryWindow
from costcode_desktop.ui.kit import memory
from costcode_desktop.ui.kit.banner import StatusBanner
from costcode_desktop.ui.kit.copy_rows import enable_row_copy
from costcode_desktop.ui.main.actions import ActionsMixin
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.projects.pane import ProjectsPane
from costcode_desktop.ui.refresh.flow import RefreshMixin
from costcode_desktop.ui.signin.dialog import SignInDialog


class MainWindow(ActionsMixin, RefreshMixin, QMainWindow):
    # Declared on the Qt class, the form PySide6 documents; RefreshMixin emits refresh_finished.
    checks_finished = Signal()
    refresh_finished = Signal(object)  # RefreshRun

    def __init__(
        self, controller: Controller | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.controller = controller or Controller(self)
        self.settings = settings
        self.session: Session | None = None
        self.company_list: CompanyList | None = None
        self.sign_in_dialog: SignInDialog | None = None
        self.company_dialog: QInputDialog | None = None
        self.url_opener: Callable[[str], object] = self._system_browser
        self.history_window: HistoryWindow | None = None
        self.about_dialog: AboutDialog | None = None
        self.how_it_works_dialog: HowItWorksDialog | None = None

        self.banner = StatusBanner(self)
        self.projects = ProjectsPane(self)
        self.compare = ComparePane(self)
        for view in (self.projects.view, self.compare.view):
            enable_row_copy(view, self._rows_copied)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.projects)
        self.splitter.addWidget(self.compare)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()
        self._build_tab_order()
        self._connect()
        self._update_actions()
        self._default_size()
        self._restore_settings()

    # -- construction --------------------------------------------------------------------------

    def _default_size(self) -> None:
        """Room for every column on a 1080p screen; smaller screens get most of their area."""
        width, height = 1560, 880
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            width = min(width, int(area.width() * 0.95))
            height = min(height, int(area.height() * 0.9))
        self.resize(width, height)
        self.splitter.setSizes([int(width * 0.53), int(width * 0.47)])

    def _connect(self) -> None:
        c = self.controller
        c.session_opened.connect(self._session_opened)
        c.company_loaded.connect(self._company_loaded)
        c.project_checked.connect(self._project_checked)
        c.checking_progress.connect(self._checking_progress)
        c.checks_finished.connect(self._checks_finished)
        c.refresh_progress.connect(self._refresh_progress)
        c.project_refreshed.connect(self._project_refreshed)
        c.refresh_finished.connect(self._refresh_finished)
        c.export_finished.connect(self._export_finished)
        c.failed.connect(self._failed)
        c.worker.busy_changed.connect(lambda _busy: self._update_actions())
        self.banner.cancel_requested.connect(c.cancel_refresh)
        self.projects.selection_changed.connect(self._selection_changed)
        self.reload_action.triggered.connect(self.reload)
        self.refresh_action.triggered.connect(self.refresh_selected)
        self.refresh_all_action.triggered.connect(self.refresh_all_out_of_date)
        self.banner.retry_requested.connect(self.retry_failed)
        c.refresh_waiting.connect(self._refresh_waiting)
        self.history_action.triggered.connect(self.show_history)
        c.refresh_finished.connect(self._reload_history)
        self.export_csv_action.triggered.connect(lambda: self.choose_export("csv"))
        self.export_xlsx_action.triggered.connect(lambda: self.choose_export("xlsx"))
        self.quit_action.triggered.connect(self.close)
        self.differences_action.toggled.connect(self.compare.differences_only.setChecked)
        self.compare.differences_only.toggled.connect(self.differences_action.setChecked)
        self.out_of_date_action.toggled.connect(self.projects.out_of_date_only.setChecked)
        self.projects.out_of_date_only.toggled.connect(self.out_of_date_action.setChecked)
        self.find_action.triggered.connect(lambda: self.projects.search.setFocus())
        self.about_action.triggered.connect(self.show_about)
        self.how_it_works_action.triggered.connect(self.show_how_it_works)
        self.log_folder_action.triggered.connect(
            lambda: self.url_opener(QUrl.fromLocalFile(str(log_file().parent)).toString())
        )
        self.demo_action.triggered.connect(lambda: self.open_demo())
        self.sign_in_action.triggered.connect(lambda: self.show_sign_in())
        self.switch_company_action.triggered.connect(self.choose_company)
        self.sign_out_action.triggered.connect(self.sign_out)
        c.account.sign_in_needed.connect(self._sign_in_needed)
        c.account.signed_out.connect(self._signed_out)

    # -- loading -------------------------------------------------------------------------------

    def start(self) -> None:
        """A normal start: the stored sign-in if there is one, else the sign-in dialog."""
        self.signed_in.setText("Signing in…")
        self._show_loading("Signing in to Procore…")
        self.controller.account.restore()

    def show_sign_in_pending(self) -> None:
        """No session: say what to do, plainly."""
        self.compare.show_message(
            "<h3>Not signed in</h3><p>Choose <b>File → Sign In to Procore…</b> to connect to "
            "your company, or <b>File → Open Demo Company</b> to explore CostCodeSync on its "
            "built-in demo company.</p>"
        )
        self.signed_in.setText("Not signed in")

    def show_sign_in(self, message: str = "", settings: Settings | None = None) -> SignInDialog:
        store = self.controller.account.store
        dialog = SignInDialog(
            self.controller,
            settings or self.controller.account.settings,
            self,
            message=message,
            secret_location=store.location if store is not None else "",
            keyring_problem=message if "password store" in message else "",
        )
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def _rows_copied(self, count: int) -> None:
        rows = "1 row" if count == 1 else f"{count} rows"
        self.statusBar().showMessage(f"Copied {rows} to the clipboard.", 5_000)

    def bring_to_front(self) -> None:
        """Another launch asked for this window: show it instead of starting a second copy."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def open_external_url(self, url: str) -> None:
        """Open a page in the system browser (tests replace `url_opener`)."""
        self.url_opener(url)

    @staticmethod
    def _system_browser(url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    @Slot(object, str)
    def _sign_in_needed(self, settings: Settings, message: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        self.show_sign_in_pending()
        self.show_sign_in(message, settings)

    def choose_company(self) -> None:
        session = self.controller.session
        if session is None:
            return
        names = [f"{c.name}  ({c.id})" for c in session.companies]
        current = next(i for i, c in enumerate(session.companies) if c.id == session.company.id)
        dialog = QInputDialog(self)
        dialog.setObjectName("companyDialog")
        dialog.setWindowTitle("Switch company")
        dialog.setLabelText("Show the projects of:")
        dialog.setComboBoxItems(names)
        dialog.setTextValue(names[current])
        dialog.setComboBoxEditable(False)
        dialog.textValueSelected.connect(
            lambda text: self.controller.account.switch_company(
                session.companies[names.index(text)]
            )
        )
        self.company_dialog = dialog
        dialog.open()

    def sign_out(self) -> None:
        self.statusBar().showMessage("Signing out…")
        self.controller.account.sign_out()

    @Slot()
    def _signed_out(self) -> None:
        self.session = None
        self.company_list = None
        self.compare.company_list = None
        self.projects.model.set_projects([])
        self.show_sign_in_pending()
        self.setWindowTitle(APP_NAME)
        self.statusBar().showMessage(
            "Signed out. The sign-in was removed from this computer.", 15_000
        )
        self._update_actions()

    def select_most_telling_project(self) -> bool:
        """For --screenshot: an active out-of-date project showing the most kinds of difference."""
        proxy = self.projects.proxy
        shown = [  # in the order the list shows them, which breaks ties
            self.projects.model.row_at(proxy.mapToSource(proxy.index(row, 0)).row())
            for row in range(proxy.rowCount())
        ]
        candidates = [
            (not entry.project.active, -entry.difference_kinds, position, entry.project.id)
            for position, entry in enumerate(shown)
            if entry.out_of_date
        ]
        return bool(candidates) and self.projects.select_project(min(candidates)[3])

    def open_demo(self, *, reset: bool = False) -> None:
        self.signed_in.setText("Starting the demo…")
        self._show_loading("Starting the built-in demo sandbox…")
        self.controller.open_demo(reset=reset)

    @Slot()
    def reload(self) -> None:
        if self.controller.session is None or self.controller.refreshing:
            return
        self._show_loading("Reading the company list and projects…")
        self.controller.reload()

    def _show_loading(self, text: str) -> None:
        self.statusBar().showMessage(text)
        self.progress.setRange(0, 0)
        self.progress.show()

    @Slot(object)
    def _session_opened(self, session: Session) -> None:
        # A new sign-in or another company: nothing of the previous one stays on screen.
        self.company_list = None
        self.compare.company_list = None
        self.projects.model.set_projects([])
        self.compare.show_message(f"Reading the company list of {session.company.name}…")
        self.session = session
        self.signed_in.setText(f"Signed in as {session.signed_in_text}")
        self.signed_in.setToolTip(f"{session.user.login} at {session.environment.api_url}")
        self.setWindowTitle(f"{APP_NAME} — {session.company.name}")
        self._show_loading("Reading the company list and projects…")

    @Slot(object, object, object)
    def _company_loaded(
        self, company_list: CompanyList, projects: list[Project], last: dict[int, datetime]
    ) -> None:
        keep = self.projects.current_project_id()
        if self.banner.property("state") == "error":  # an earlier failure is over
            self.banner.clear()
        self.company_list = company_list
        self.compare.company_list = company_list
        memory.settle()
        self.projects.model.set_projects(projects, last)
        if keep is not None:
            self.projects.select_project(keep)
        self._selection_changed()
        self.statusBar().showMessage(
            f"{len(projects)} projects; comparing each with '{company_list.list.name}'…"
        )

    @Slot(object)
    def _project_checked(self, status: ProjectStatus) -> None:
        self.projects.model.set_status(status)
        memory.settle()
        if self.projects.current_project_id() == status.project.id:
            self.compare.show_status(status, self.company_list)
        self._update_actions()

    @Slot(int, int)
    def _checking_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.setVisible(True)

    @Slot()
    def _checks_finished(self) -> None:
        self.progress.hide()
        rows = self.projects.model.rows()
        stale = sum(1 for row in rows if row.out_of_date)
        self.statusBar().showMessage(f"Checked {len(rows)} projects: {stale} out of date.", 15_000)
        self._update_actions()
        memory.settle()
        self.checks_finished.emit()

    # -- selection -----------------------------------------------------------------------------

    @Slot()
    def _selection_changed(self) -> None:
        project_id = self.projects.current_project_id()
        row = self.projects.model.row_for(project_id) if project_id is not None else None
        if row is None:
            self.compare.show_message(
                "Select a project to compare its cost codes with the company list."
            )
        elif row.status is None:
            self.compare.show_message(f"Checking '{row.project.name}'…")
        else:
            self.compare.show_status(row.status, self.company_list)
        self._update_actions()

    # -- history -------------------------------------------------------------------------------

    def show_history(self) -> HistoryWindow:
        """The history of this company's refreshes (read on the worker when shown)."""
        c, session = self.controller, self.controller.session
        company_id = session.company.id if session else None
        environment = session.environment.key if session else None
        window = self.history_window
        if window is None or (window.company_id, window.environment) != (company_id, environment):
            if window is not None:
                window.close()
                window.deleteLater()
            window = HistoryWindow(
                c.worker,
                lambda: c.history,
                company_id,
                environment,
                self,
                company_name=session.company.name if session else "",
            )
            self.history_window = window
        was_visible = window.isVisible()
        window.show()
        window.raise_()
        window.activateWindow()
        if was_visible:
            window.reload()
        return window

    def _reload_history(self, _run: object) -> None:
        if self.history_window is not None and self.history_window.isVisible():
            self.history_window.reload()

    # -- export --------------------------------------------------------------------------------

    def choose_export(self, kind: str) -> None:
        status = self.compare.status
        if status is None or self.compare.comparison is None:
            return
        project = status.project
        name = f"{project.project_number or project.id} {project.name} cost codes.{kind}"
        name = "".join(ch for ch in name if ch not in '<>:"/\\|?*')
        filters = "Excel workbook (*.xlsx)" if kind == "xlsx" else "CSV file (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, "Export comparison", name, filters)
        if path:
            if not path.lower().endswith(f".{kind}"):
                path += f".{kind}"
            self.export(Path(path))

    def export(self, path: Path) -> bool:
        status, comparison, company = (
            self.compare.status,
            self.compare.comparison,
            self.company_list,
        )
        if status is None or comparison is None or company is None or self.session is None:
            return False
        header = ExportHeader(
            company_name=self.session.company.name,
            list_name=company.list.name,
            project_name=status.project.name,
            project_number=status.project.project_number,
            company_read_at=company.read_at,
            project_read_at=status.checked_at,
        )
        self.statusBar().showMessage(f"Exporting to {path.name}…")
        self.controller.export(path, header, comparison)
        return True

    @Slot(str)
    def _export_finished(self, path: str) -> None:
        self.statusBar().showMessage(f"Saved {path}", 15_000)

    # -- failures ------------------------------------------------------------------------------

    @Slot(str, str, str)
    def _failed(self, doing: str, message: str, details: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        if self.company_list is None and self.session is not None:
            self.compare.show_message(
                f"The company list of {self.session.company.name} could not be read. The red "
                "message above says why; choose Reload (F5) to try again."
            )
        self.banner.show_error(f"{doing} failed: {message}", details)
        if self.controller.session is None:
            self.signed_in.setText("Not signed in")
        self._update_actions()

    # -- window state --------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        if s is None:
            return
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("window/splitter", self.splitter.restoreState),
            ("projects/header", self.projects.view.horizontalHeader().restoreState),
            ("compare/header", self.compare.view.horizontalHeader().restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        self.compare.differences_only.setChecked(
            bool(s.value("compare/differences_only", False, bool))
        )

    def save_settings(self) -> None:
        s = self.settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("projects/header", self.projects.view.horizontalHeader().saveState())
        s.setValue("compare/header", self.compare.view.horizontalHeader().saveState())
        s.setValue("compare/differences_only", self.compare.differences_only.isChecked())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_settings()
        self.controller.shutdown()
        super().closeEvent(event)

    # -- help ----------------------------------------------------------------------------------

    def shortcuts(self) -> list[tuple[str, str]]:
        """(what, keys) of every menu action with a shortcut, in menu order, then the tables'."""

        def named(action: QAction) -> tuple[str, str]:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            return action.text().replace("&", "").rstrip("…"), keys

        found = [named(action) for action in _menu_actions(self.menuBar())]
        tables = [named(action) for action in self.projects.view.actions()]  # same in each table
        return [(what, keys) for what, keys in found if keys] + [
            (f"{what} (in a table)", keys) for what, keys in tables
        ]

    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.controller.worker, self)
        self.about_dialog.show()
        self.about_dialog.raise_()
        self.about_dialog.activateWindow()
        return self.about_dialog

    def show_how_it_works(self) -> HowItWorksDialog:
        """Not modal, so it can stay open beside the window."""
        if self.how_it_works_dialog is None:
            self.how_it_works_dialog = HowItWorksDialog(self, self.shortcuts())
        self.how_it_works_dialog.show()
        self.how_it_works_dialog.raise_()
        self.how_it_works_dialog.activateWindow()
        return self.how_it_works_dialog


def _menu_actions(menu: QMenu | QMenuBar) -> list[QAction]:
    """Every action of a menu bar or menu, submenus included, in order."""
    found: list[QAction] = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        found.append(action)
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            found.extend(_menu_actions(submenu))
    return found
