"""The main window's actions, menus, toolbar, status bar and tab order, and when each is enabled."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QToolBar,
    QWidget,
)

from costcode_desktop.ui.compare.pane import ComparePane
from costcode_desktop.ui.kit import theme, toolbar_icons
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.appearance import (
    DARK,
    LIGHT,
    SYSTEM,
    apply_appearance,
    current_appearance,
    save_appearance,
    saved_appearance,
)
from costcode_desktop.ui.kit.banner import StatusBanner
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.main.mixin import WindowMixin
from costcode_desktop.ui.projects.pane import ProjectsPane

Keys = QKeySequence | QKeySequence.StandardKey | str

APPEARANCES = (
    (SYSTEM, "Match &System", "Light or dark, as your computer is set"),
    (LIGHT, "&Light", "Always light"),
    (DARK, "&Dark", "Always dark"),
)


def _action(
    window: QMainWindow, text: str, shortcut: Keys | None, tip: str, *more: Keys
) -> QAction:
    """A menu action; its tooltip and status tip end with its shortcut, as the user types it."""
    action = QAction(text, window)
    keys: list[QKeySequence] = []
    for value in (shortcut, *more) if shortcut is not None else more:
        sequence = QKeySequence(value)
        if not sequence.isEmpty() and sequence not in keys:  # a standard key may be unset
            keys.append(sequence)
    action.setShortcuts(keys)
    describe(action, tip)
    return action


def describe(action: QAction, tip: str) -> None:
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    text = f"{tip} ({keys})" if keys else tip
    action.setToolTip(text)
    action.setStatusTip(text)


class ActionsMixin(WindowMixin):
    """Builds the window's commands and chrome; MainWindow connects them to what they do."""

    # Set by MainWindow before the build methods run (declared here for mypy only).
    settings: QSettings | None
    controller: Controller
    banner: StatusBanner
    projects: ProjectsPane
    compare: ComparePane

    def _build_actions(self) -> None:
        # F5 everywhere (the standard Refresh key is Ctrl+R on macOS: Refresh Selected here).
        self.reload_action = _action(
            self, "&Reload", "F5", "Read the company list and every project again"
        )
        self.refresh_action = _action(
            self,
            "Refresh &Selected",
            "Ctrl+R",
            "Refresh the selected projects' cost codes from the company list",
        )
        self.refresh_action.setObjectName("refreshAction")
        self.export_csv_action = _action(
            self,
            "Export Comparison to &CSV…",
            "Ctrl+E",
            "Save the comparison shown on the right as a CSV file",
        )
        self.export_xlsx_action = _action(
            self,
            "Export Comparison to E&xcel…",
            "Ctrl+Shift+E",
            "Save the comparison shown on the right as an Excel workbook",
        )
        self.quit_action = _action(self, "&Quit", "Ctrl+Q", "Close CostCodeSync")
        self.differences_action = _action(
            self, "&Differences Only", "Ctrl+D", "Hide codes that are the same on both lists"
        )
        self.differences_action.setCheckable(True)
        self.out_of_date_action = _action(
            self,
            "&Out-of-Date Projects Only",
            "Alt+O",
            "Show only projects whose cost codes differ",
        )
        self.out_of_date_action.setCheckable(True)
        self.history_action = _action(
            self,
            "Refresh &History…",
            "Ctrl+H",
            "See past refreshes: what each run changed, on which project, and when",
        )
        self.history_action.setObjectName("historyAction")
        self.find_action = _action(
            self, "&Find Project", QKeySequence.StandardKey.Find, "Type to filter the projects"
        )
        self.about_action = _action(
            self, "&About CostCodeSync", None, "Version, system information and licences"
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.how_it_works_action = _action(
            self,
            "&How It Works",
            QKeySequence.StandardKey.HelpContents,
            "What CostCodeSync compares, what a refresh changes and what it never touches",
            "F1",
        )
        self.how_it_works_action.setObjectName("howItWorksAction")
        self.log_folder_action = _action(
            self, "Open &Log Folder", None, "Show the folder with CostCodeSync's log files"
        )
        self.demo_action = _action(
            self, "Open &Demo Company", None, "Explore CostCodeSync on its built-in demo company"
        )
        self.sign_in_action = _action(
            self,
            "&Sign In to Procore…",
            "Ctrl+Shift+L",
            "Choose the Procore environment and sign in",
        )
        self.switch_company_action = _action(
            self, "Switch Co&mpany…", "Ctrl+Shift+C", "Show another of your Procore companies"
        )
        self.sign_out_action = _action(
            self, "Sign &Out", None, "Sign out of Procore and remove the sign-in from this computer"
        )
        self.refresh_all_action = _action(
            self,
            "Refresh &All Out-of-Date Projects…",
            "Ctrl+Shift+R",
            "Refresh every active project that differs from the company list",
        )
        self.refresh_all_action.setObjectName("refreshAllAction")

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions(
            [self.sign_in_action, self.switch_company_action, self.sign_out_action]
        )
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addActions([self.export_csv_action, self.export_xlsx_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu.addMenu("&View")
        view_menu.addActions([self.reload_action, self.find_action])
        view_menu.addSeparator()
        view_menu.addActions([self.out_of_date_action, self.differences_action])
        view_menu.addSeparator()
        view_menu.addAction(self.history_action)
        view_menu.addSeparator()
        self._build_appearance_menu(view_menu)
        project_menu = menu.addMenu("&Project")
        project_menu.addAction(self.refresh_action)
        project_menu.addAction(self.refresh_all_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.how_it_works_action)
        help_menu.addSeparator()
        help_menu.addAction(self.log_folder_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

        for action, glyph in (
            (self.reload_action, toolbar_icons.reload),
            (self.refresh_action, toolbar_icons.refresh_one),
            (self.refresh_all_action, toolbar_icons.refresh_all),
            (self.export_csv_action, toolbar_icons.export_csv),
            (self.export_xlsx_action, toolbar_icons.export_excel),
        ):
            action.setIcon(toolbar_icons.glyph_icon(glyph))
            action.setIconVisibleInMenu(False)  # the menus stay words only, as on macOS
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.reload_action)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.refresh_all_action)
        toolbar.addSeparator()
        toolbar.addAction(self.export_csv_action)
        toolbar.addAction(self.export_xlsx_action)
        self.addToolBar(toolbar)
        button = toolbar.widgetForAction(self.refresh_action)
        button.setObjectName("refreshButton")
        button.setAccessibleName("Refresh selected projects")
        self.refresh_button = button

    def _build_appearance_menu(self, view_menu: QMenu) -> None:
        menu = view_menu.addMenu("&Appearance")
        menu.setObjectName("appearanceMenu")
        group = QActionGroup(self)
        group.setExclusive(True)
        self.appearance_actions: dict[str, QAction] = {}
        for mode, text, tip in APPEARANCES:
            action = _action(self, text, None, tip)
            action.setObjectName(f"appearance_{mode}")
            action.setCheckable(True)
            action.setData(mode)
            group.addAction(action)
            menu.addAction(action)
            self.appearance_actions[mode] = action
        self.appearance_actions[saved_appearance(self.settings)].setChecked(True)
        self._sync_appearance_checks()
        group.triggered.connect(lambda action: self.set_appearance(str(action.data())))
        theme.palette_notifier().changed.connect(self._sync_appearance_checks)

    @Slot()
    def _sync_appearance_checks(self) -> None:
        """The check mark follows the mode in force, however it was chosen."""
        app = QApplication.instance()
        mode = current_appearance(app) if isinstance(app, QApplication) else None
        action = self.appearance_actions.get(mode or "")
        if action is not None and not action.isChecked():
            action.setChecked(True)

    def set_appearance(self, mode: str) -> None:
        """Switch to "system", "light" or "dark" now, and remember it for the next start."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_appearance(app, mode)
        save_appearance(self.settings, mode)
        action = self.appearance_actions.get(mode)
        if action is not None and not action.isChecked():
            action.setChecked(True)

    def _build_tab_order(self) -> None:
        """Tab walks the window left to right: projects, the comparison, then the banner."""
        banner = self.banner
        self.tab_order: list[QWidget] = [
            self.projects.search,
            self.projects.out_of_date_only,
            self.projects.view,
            self.compare.search,
            self.compare.differences_only,
            self.compare.view,
            banner.details_button,
            banner.retry_button,
            banner.cancel_button,
            banner.dismiss_button,
        ]
        set_tab_order(self.tab_order)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("loadProgress")
        self.progress.setFixedWidth(180)
        self.progress.setFormat("Checking %v of %m")
        self.progress.hide()
        self.signed_in = QLabel("Not signed in", self)
        self.signed_in.setObjectName("signedInLabel")
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.signed_in)

    def _update_actions(self) -> None:
        """Enable what makes sense now: signed in or not, refreshing or not, what is selected."""
        has_session = self.controller.session is not None
        refreshing = self.controller.refreshing
        self.demo_action.setEnabled(not has_session and not self.controller.loading)
        self.sign_in_action.setEnabled(not refreshing)
        session = self.controller.session
        self.switch_company_action.setEnabled(
            session is not None and len(session.companies) > 1 and not refreshing
        )
        self.sign_out_action.setEnabled(has_session and not refreshing)
        self.reload_action.setEnabled(has_session and not refreshing)
        self.refresh_action.setEnabled(
            has_session and not refreshing and bool(self.projects.selected_projects())
        )
        self.refresh_all_action.setEnabled(
            has_session
            and not refreshing
            and any(row.out_of_date and row.project.active for row in self.projects.model.rows())
        )
        has_comparison = self.compare.comparison is not None
        self.export_csv_action.setEnabled(has_comparison)
        self.export_xlsx_action.setEnabled(has_comparison)
