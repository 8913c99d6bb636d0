"""The main window: projects on the left, the comparison on the right, the banner on top.

It builds the widgets, wires them to the controller (the one owner of the state) and shows
what the controller says changed. Refreshing is the RefreshFlow presenter's; the commands are
one table (`_commands`) turned into menus and a toolbar by `Actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop import APP_NAME
from costcode_desktop.costcodes.words import plural
from costcode_desktop.services import count_out_of_date
from costcode_desktop.services.text import isolated, quoted
from costcode_desktop.ui.kit import memory, theme
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.appearance import (
    apply_appearance,
    current_appearance,
    save_appearance,
    saved_appearance,
)
from costcode_desktop.ui.kit.banner import StatusBanner
from costcode_desktop.ui.kit.copy_rows import enable_row_copy
from costcode_desktop.ui.kit.elided import ElidedLabel
from costcode_desktop.ui.kit.offline_banner import OfflineBanner
from costcode_desktop.ui.kit.paint import paint_holding_gil
from costcode_desktop.ui.kit.sizing import keep_on_screen
from costcode_desktop.ui.kit.typed_lookup import button_of
from costcode_desktop.ui.kit.when import short_time
from costcode_desktop.ui.main.actions import Actions, named
from costcode_desktop.ui.main.commands import window_commands
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.main.first_paint import FirstPaint
from costcode_desktop.ui.main.panes import WANTED_WIDTH_KEY, PaneSplit, PendingComparison
from costcode_desktop.ui.projects.pane import ProjectsPane

if TYPE_CHECKING:  # the dialogs and the session's types load when first needed, after the paint
    from PySide6.QtWidgets import QInputDialog

    from costcode_desktop.services import CompanyLoad, ProjectStatus, RefreshResult, Session
    from costcode_desktop.services.cache.store import CachedCompany
    from costcode_desktop.ui.compare.pane import ComparePane
    from costcode_desktop.ui.dialogs.about import AboutDialog
    from costcode_desktop.ui.dialogs.how_it_works import HowItWorksDialog
    from costcode_desktop.ui.history.window import HistoryWindow
    from costcode_desktop.ui.main.export_flow import ExportedNote, ExportFlow
    from costcode_desktop.ui.main.quit_question import QuitAnswer, QuitQuestion
    from costcode_desktop.ui.refresh.flow import RefreshFlow
    from costcode_desktop.ui.refresh.result_panel import RunResultPanel
    from costcode_desktop.ui.signin.dialog import SignInDialog
    from costcode_desktop.ui.signin.settings_dialog import ConnectionSettingsDialog
    from costcode_desktop.ui.signin.start_page import StartPage


class MainWindow(QMainWindow):
    checks_finished = Signal()  # every project of the company has been checked
    refresh_finished = Signal(object)  # RefreshRun, once the window shows its outcome

    def __init__(
        self,
        controller: Controller | None = None,
        settings: QSettings | None = None,
        *,
        staged: bool = False,
    ) -> None:
        """`staged`: build only what the first paint shows (the frame, the menus, the projects
        and the comparison's empty place); the rest follows right after the cached rows are
        painted (see `finish_building`). Otherwise the whole window is built at once."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        paint_holding_gil(self)  # its paints keep up while the pool's threads run Python
        self.controller = controller or Controller(self)
        self.settings = settings
        self.sign_in_dialog: SignInDialog | None = None
        self.connection_dialog: ConnectionSettingsDialog | None = None
        self.company_dialog: QInputDialog | None = None
        self.url_opener: Callable[[str], object] = self._system_browser
        self.history_window: HistoryWindow | None = None
        self.about_dialog: AboutDialog | None = None
        self.how_it_works_dialog: HowItWorksDialog | None = None
        self.quit_question: QuitQuestion | None = None
        self.quit_when_refresh_ends = False  # answered "Finish" or "Stop" to the quit question

        self._result_panel: RunResultPanel | None = None
        self._refresh_flow: RefreshFlow | None = None
        self._exports: ExportFlow | None = None
        self._exported_note: ExportedNote | None = None
        self._compare: ComparePane | None = None
        self._built = False  # finish_building has run

        self.banner = StatusBanner(self)
        self.offline_banner = OfflineBanner(self)
        self.projects = ProjectsPane(self)
        if staged:  # the cached rows come sorted by the model; the proxy sorts after the paint
            self.projects.proxy.hold_sort()
        self.row_copy = {  # each table's Copy and Select All, for the Edit menu too
            self.projects.view: enable_row_copy(self.projects.view, self._rows_copied)
        }
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.projects)
        # The comparison's place, as wide as it last was, until it is built: the split is
        # where it will stay.
        wanted = settings.value(WANTED_WIDTH_KEY, 0, int) if settings is not None else 0
        pending = PendingComparison(wanted if isinstance(wanted, int) else 0, self)
        self.splitter.addWidget(pending)
        self.panes = PaneSplit(self.splitter, pending)
        # Nobody signed in and nothing to show: the start page (`start_page`, built when first
        # shown) instead of the empty panes.
        self._start_page: StartPage | None = None
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("mainPages")
        self.pages.addWidget(self.splitter)
        central = QWidget(self)
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(8, 6, 8, 4)
        self._column.addWidget(self.banner)
        self._column.addWidget(self.offline_banner)
        self._column.addWidget(self.pages, 1)  # the result panel goes above, once built
        self.setCentralWidget(central)

        self.commands = Actions(self, window_commands(self), self.set_appearance)
        self.refresh_button = button_of(self.commands.toolbar, self.action("refresh"))
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setAccessibleName("Refresh selected projects")
        self._start_appearance_checks()
        self._build_status_bar()
        self._connect()
        self._default_size()
        self._restore_settings()
        self.controller.paint_first = staged
        self.first_paint = FirstPaint(self.projects.view.viewport(), self)
        self.first_paint.painted.connect(self._after_first_paint)
        self.controller.last_known_read.connect(
            lambda: self.first_paint.arm(self.projects.model.rowCount() > 0)
        )
        if not staged:
            self.finish_building()
        self._update_actions()

    def finish_building(self) -> None:
        """The part of the window the first paint can do without: the comparison (its place is
        kept empty until then), the run's result panel (hidden until a run ends), the refresh
        presenter and the exports, with their wiring and the tab order. A staged start builds
        it right after the cached rows are painted; anything that needs it sooner (a shortcut
        typed at once, a test) builds it then."""
        if self._built:
            return
        self._built = True
        from costcode_desktop.ui.compare.pane import ComparePane
        from costcode_desktop.ui.main.export_flow import ExportedNote, ExportFlow
        from costcode_desktop.ui.refresh.flow import RefreshFlow
        from costcode_desktop.ui.refresh.result_panel import RunResultPanel

        c = self.controller
        compare = ComparePane(
            lambda: c.company_list,
            self,
            # Offline, the list shown is what was read then: 'as of', not 'read'.
            list_cached=lambda: c.state.list_cached or bool(c.offline),
            mark=c.mark,
            allowed=c.permission,
        )
        self._compare = compare
        self.row_copy[compare.view] = enable_row_copy(compare.view, self._rows_copied)
        self.panes.replace_comparison(compare)
        compare.wanted_width_changed.connect(self.panes.refit)
        panel = RunResultPanel(self)
        panel.history_requested.connect(self.show_history)
        panel.open_url_requested.connect(self.open_external_url)
        self._column.insertWidget(self._column.indexOf(self.pages), panel)
        self._result_panel = panel
        self._refresh_flow = RefreshFlow(self, self.controller, self.banner, self.projects, panel)
        self._refresh_flow.finished.connect(self._refresh_finished)
        # Hidden until an export: first of the status bar's widgets, as if there all along.
        note = ExportedNote(self)
        self.statusBar().insertWidget(0, note, 1)
        self._exported_note = note
        self._exports = ExportFlow(self.controller, compare, self.settings, note, self)
        self._exports.saved.connect(lambda _path: self.statusBar().clearMessage())
        # A permission answer can turn "Refresh will add…" into "Refresh will skip…".
        c.permissions_checked.connect(compare.show_outlook)
        c.project_refreshed.connect(self._outlook_after_refresh)
        compare.differences_only.toggled.connect(self.action("differences").setChecked)
        self._restore_compare_settings()
        self._build_tab_order()
        self._selection_changed()  # the comparison shows the selection, with today's header

    @property
    def compare(self) -> ComparePane:
        self.finish_building()
        assert self._compare is not None
        return self._compare

    @property
    def result_panel(self) -> RunResultPanel:
        self.finish_building()
        assert self._result_panel is not None
        return self._result_panel

    @property
    def refresh_flow(self) -> RefreshFlow:
        self.finish_building()
        assert self._refresh_flow is not None
        return self._refresh_flow

    @property
    def exports(self) -> ExportFlow:
        self.finish_building()
        assert self._exports is not None
        return self._exports

    @property
    def exported_note(self) -> ExportedNote:
        self.finish_building()
        assert self._exported_note is not None
        return self._exported_note

    @Slot()
    def _after_first_paint(self) -> None:
        """The cached rows are on screen: build the rest, then try the stored sign-in."""
        self.projects.proxy.release_sort()
        self.finish_building()
        self.controller.after_first_paint()

    # -- construction --------------------------------------------------------------------------

    def action(self, command_id: str) -> QAction:
        return self.commands[command_id]

    def _default_size(self) -> None:
        """Room for every column on a 1080p screen; smaller screens get most of their area."""
        width, height = 1640, 880
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            width = min(width, int(area.width() * 0.95))
            height = min(height, int(area.height() * 0.9))
        self.resize(width, height)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("loadProgress")
        self.progress.setFixedWidth(180)
        self.progress.setFormat("Checking %v of %m")
        self.progress.hide()
        self.signed_in = ElidedLabel("Not signed in", self)  # names from Procore, elided
        self.signed_in.setObjectName("signedInLabel")
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.signed_in)

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
            self.result_panel.try_again,
            self.result_panel.history,
            self.result_panel.dismiss,
            self.result_panel.list,
            self.offline_banner.details_button,
            self.offline_banner.button,
        ]
        set_tab_order(self.tab_order)

    def _connect(self) -> None:
        c, model = self.controller, self.projects.model
        c.session_opened.connect(self._session_opened)
        c.signed_out.connect(self._signed_out)
        c.company_loaded.connect(self._company_loaded)
        c.checks_started.connect(model.mark_checking)
        c.cached_shown.connect(self._cached_shown)
        c.offline_changed.connect(self._offline_changed)
        c.notice.connect(self._notice)
        self.offline_banner.try_again.connect(c.try_again)
        c.status_changed.connect(self._status_changed)
        c.checking_progress.connect(self._checking_progress)
        c.checks_finished.connect(self._checks_finished)
        c.refresh_started.connect(
            lambda projects: model.mark_all_busy([p.id for p in projects], "↻ Waiting to refresh…")
        )
        c.refresh_step.connect(lambda event: model.mark_busy(event.project.id, "↻ Refreshing…"))
        c.last_refreshed_changed.connect(model.set_last_refreshed)
        c.refresh_started.connect(lambda _projects: self._update_actions())
        c.refresh_ended.connect(self._refresh_ended)
        c.failed.connect(self._failed)
        c.worker.busy_changed.connect(lambda _busy: self._update_actions())
        c.account.sign_in_needed.connect(self._sign_in_needed)
        # New Connection settings: what the start page said about the old ones no longer applies.
        c.account.connection_saved.connect(self._clear_start_message)
        self.projects.selection_changed.connect(self._selection_changed)
        self.projects.out_of_date_only.toggled.connect(self.action("out_of_date").setChecked)
        projects_shown = self.action("projects_pane")
        projects_shown.setChecked(not self.panes.collapsed)
        self.panes.collapsed_changed.connect(lambda folded: projects_shown.setChecked(not folded))

    @Slot(str)
    def _notice(self, text: str) -> None:
        """Kept on screen until dismissed: it may say where a file went. Notices that come
        together are shown together."""
        shown = self.banner.message.text() if self.banner.property("state") == "ok" else ""
        self.banner.show_ok(f"{shown} {text}".strip(), hide_after_ms=0)

    # -- signing in and out --------------------------------------------------------------------

    def start(self) -> None:
        """A normal start: the last-known state at once if there is one, then the stored sign-in
        (or the sign-in dialog when there is none)."""
        self.signed_in.setText("Signing in…")
        self._show_loading("Signing in to Procore…")
        self.controller.start()

    @property
    def start_page(self) -> StartPage:
        """The two choices when nobody is signed in; a start from the cache never shows it."""
        if self._start_page is None:
            from costcode_desktop.ui.signin.start_page import StartPage

            page = StartPage(self)
            page.sign_in_clicked.connect(lambda: self.show_sign_in())
            page.demo_clicked.connect(lambda: self.open_demo())
            page.settings_clicked.connect(lambda: self.show_connection_settings())
            self.pages.addWidget(page)
            self._start_page = page
        return self._start_page

    def _clear_start_message(self) -> None:
        if self._start_page is not None:
            self._start_page.set_message("")

    def show_sign_in_pending(self, message: str = "") -> None:
        """No session: the start page, with why the stored sign-in could not be used."""
        self.start_page.set_message(message)
        self.pages.setCurrentWidget(self.start_page)
        self.signed_in.setText("Not signed in")

    def _show_company_view(self) -> None:
        self.pages.setCurrentWidget(self.splitter)

    def show_sign_in(self, message: str = "") -> SignInDialog:
        from costcode_desktop.ui.signin.dialog import SignInDialog

        current = self.sign_in_dialog
        if current is not None and current.isVisible():
            current.raise_()
            return current
        dialog = SignInDialog(self.controller, self, message=message)
        dialog.settings_requested.connect(lambda: self.show_connection_settings())
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def show_connection_settings(self) -> ConnectionSettingsDialog:
        """IT's part of signing in: environment, the app's client id and secret, the port."""
        from costcode_desktop.ui.signin.settings_dialog import ConnectionSettingsDialog

        current = self.connection_dialog
        if current is not None and current.isVisible():
            current.raise_()
            return current
        over = self.sign_in_dialog
        parent: QWidget = over if over is not None and over.isVisible() else self
        dialog = ConnectionSettingsDialog(self.controller.account, parent)
        self.connection_dialog = dialog
        dialog.open()
        return dialog

    @Slot(object, str)
    def _sign_in_needed(self, _settings: object, message: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        if self.controller.company_list is None:  # nothing on screen: the start page says it
            self.show_sign_in_pending(message)
        else:  # the last-known state stays on screen; signing in again reads it anew
            self.signed_in.setText("Not signed in")
            self.show_sign_in(message)

    def choose_company(self) -> None:
        session = self.controller.session
        if session is None:
            return
        names = [f"{c.name}  ({c.id})" for c in session.companies]
        current = next(i for i, c in enumerate(session.companies) if c.id == session.company.id)
        from PySide6.QtWidgets import QInputDialog

        dialog = QInputDialog(self)
        dialog.setObjectName("companyDialog")
        dialog.setWindowTitle("Switch company")
        dialog.setLabelText("Show the projects of:")
        dialog.setComboBoxItems(names)
        dialog.setTextValue(names[current])
        dialog.setComboBoxEditable(False)
        dialog.textValueSelected.connect(
            lambda text: self.controller.switch_company(session.companies[names.index(text)])
        )
        self.company_dialog = dialog
        dialog.open()

    def sign_out(self) -> None:
        self.statusBar().showMessage("Signing out…")
        self.controller.sign_out()
        self._clear_company_view()
        self._update_actions()

    @Slot()
    def _signed_out(self) -> None:
        self._clear_company_view()
        self.show_sign_in_pending()
        self.setWindowTitle(APP_NAME)
        self.statusBar().showMessage(
            "Signed out. The sign-in was removed from this computer.", 15_000
        )
        self._update_actions()

    def open_demo(self, *, reset: bool = False) -> None:
        self.signed_in.setText("Starting the demo…")
        self._show_loading("Starting the built-in demo sandbox…")
        self.controller.open_demo(reset=reset)

    # -- loading -------------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        c = self.controller
        if c.refreshing or (c.session is None and c.company_list is None):
            return
        self._show_loading(
            "Reading the company list and projects…" if c.session else "Signing in to Procore…"
        )
        c.reload(reread_sub_jobs=True)  # asked for: sub jobs added today are seen too

    def _show_loading(self, text: str) -> None:
        self.statusBar().showMessage(text)
        self.progress.setRange(0, 0)
        self.progress.show()

    def _clear_company_view(self) -> None:
        self.projects.model.set_projects([])
        self.compare.show_message("")
        self.show_sign_in_pending()

    @Slot(object)
    def _session_opened(self, session: Session) -> None:
        # A new sign-in or another company: nothing of the previous one stays on screen (its
        # own last-known state does, until it is read again).
        if self.controller.company_list is None:
            self._clear_company_view()
            self.compare.show_message(
                f"Reading the company list of {isolated(session.company.name)}…"
            )
        self._show_company_view()
        self.signed_in.setText(f"Signed in as {session.signed_in_text}")
        self.signed_in.setToolTip(f"{session.user.login} at {session.environment.api_url}")
        self.setWindowTitle(f"{APP_NAME} — {session.company.name}")
        self._show_loading("Reading the company list and projects…")
        self._update_actions()

    @Slot(object)
    def _company_loaded(self, load: CompanyLoad) -> None:
        keep = self.projects.current_project_id()
        if self.banner.property("state") == "error":  # an earlier failure is over
            self.banner.clear()
        memory.settle()
        self._show_projects()
        if keep is not None:
            self.projects.select_project(keep)
        self._selection_changed()
        projects = plural(len(load.projects), "project")
        self.statusBar().showMessage(
            f"{projects}; comparing each with {quoted(load.company_list.list.name)}…"
        )

    @Slot(object)
    def _cached_shown(self, cached: CachedCompany) -> None:
        """The last-known state, at once: each row says how old it is."""
        keep = self.projects.current_project_id()
        self._show_projects()
        self._show_company_view()
        if keep is not None:
            self.projects.select_project(keep)
        self._selection_changed()
        self.setWindowTitle(f"{APP_NAME} — {cached.company.name}")
        if self.controller.session is None:
            self.signed_in.setText(
                f"{isolated(cached.company.name)} · as of {short_time(cached.as_of)}"
            )
            self.signed_in.setToolTip("The last-known state, read by CostCodeSync earlier")
        self.statusBar().showMessage(
            f"Showing the last-known state of {plural(len(cached.projects), 'project')} "
            f"(as of {short_time(cached.as_of)}); reading them again…"
        )
        self._update_actions()

    def _show_projects(self) -> None:
        c = self.controller
        self.projects.model.set_projects(
            c.state.projects, c.state.last_refreshed, c.statuses, c.marks, c.sub_job_statuses
        )

    @Slot(str)
    def _offline_changed(self, why: str) -> None:
        """Procore cannot be reached (or can again): read-only, and the banner says so."""
        self.progress.hide()
        self.projects.model.checks_ended()
        if self._compare is not None:  # otherwise built later, with the header as it is then
            self._compare.refresh_header()
        if not why:
            self.offline_banner.hide()
            self._update_actions()
            return
        self.statusBar().clearMessage()
        c = self.controller
        later = (
            "CostCodeSync tries again by itself and catches up as soon as Procore answers."
            if c.next_try_in >= 0
            else "Fix that, then choose Try Again."
        )
        company_list = c.company_list
        if company_list is not None:
            self.offline_banner.show_offline(
                "Working offline — showing the last-known state, as of "
                f"{short_time(company_list.read_at)}. Read-only until Procore answers.",
                f"{why} Meanwhile you can browse, compare and export. {later}",
                c.offline_details,
            )
        else:
            self.compare.show_message(
                "CostCodeSync could not reach Procore to read your company, and has nothing "
                "saved from an earlier session to show. The banner above says why."
            )
            self.offline_banner.show_offline(
                "Cannot reach Procore.", f"{why} {later}", c.offline_details
            )
        if c.session is None:
            self.signed_in.setText(
                f"Offline · {isolated(c.company.name)}" if c.company else "Offline"
            )
        self._update_actions()

    @Slot(object)
    def _status_changed(self, status: ProjectStatus) -> None:
        mark = self.controller.mark(status.project.id) if status.sub_job is None else None
        self.projects.model.set_status(status, mark)
        memory.settle()
        if self.projects.current_target_key() == status.key:
            self.compare.show_status(status)
        self._update_actions()

    @Slot(int, int)
    def _checking_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.setVisible(True)

    @Slot()
    def _checks_finished(self) -> None:
        self.progress.hide()
        self.projects.model.checks_ended()
        statuses = self.controller.statuses
        stale = count_out_of_date(statuses.values())
        projects = plural(len(self.controller.state.projects), "project")
        text = f"Checked {projects}: {stale} out of date"
        jobs = count_out_of_date(self.controller.sub_job_statuses.values())
        if jobs:  # counted apart, as the count above the list and costcode-sync do
            text += f", and {plural(jobs, 'sub job')}"
        if not self.controller.offline:
            self.statusBar().showMessage(f"{text}.", 15_000)
        self._update_actions()
        memory.settle()
        self.checks_finished.emit()

    @Slot(object)
    def _outlook_after_refresh(self, result: RefreshResult) -> None:
        """The refresh's permission answer may change what the shown project's sentence says;
        the other projects' results leave it alone (a run of hundreds sends one each)."""
        shown = self.compare.status
        if shown is not None and shown.project.id == result.project.id:
            self.compare.show_outlook()

    def _refresh_finished(self, run: object) -> None:
        self._update_actions()
        if self.history_window is not None and self.history_window.isVisible():
            self.history_window.reload()
        self.refresh_finished.emit(run)

    # -- selection -----------------------------------------------------------------------------

    @Slot()
    def _selection_changed(self) -> None:
        if not self._built:  # finish_building shows the selection in the comparison
            self._update_actions()
            return
        key = self.projects.current_target_key()
        row = self.projects.model.row_for(key) if key is not None else None
        status = self.controller.target_status(key) if key is not None else None
        if row is None:
            self.compare.show_message(
                "Select a project to compare its cost codes with the company list."
            )
        elif status is None:
            self.compare.show_message(f"Checking {quoted(row.project.name)}…")
        else:
            self.compare.show_status(status)
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
            if entry.out_of_date and entry.sub_job is None
        ]
        return bool(candidates) and self.projects.select_project(min(candidates)[3])

    def copy_focused(self) -> None:
        """Edit › Copy: the focused table's selected rows, or a search box's selected text."""
        widget = self.focusWidget()
        if isinstance(widget, QLineEdit):
            widget.copy()
        elif widget in self.row_copy:
            self.row_copy[widget][0].trigger()

    def select_all_focused(self) -> None:
        widget = self.focusWidget()
        if isinstance(widget, QLineEdit | QTableView):
            widget.selectAll()

    def _rows_copied(self, count: int) -> None:
        self.statusBar().showMessage(f"Copied {plural(count, 'row')} to the clipboard.", 5_000)

    # -- what is enabled -----------------------------------------------------------------------

    @Slot()
    def _update_actions(self) -> None:
        """Enable what makes sense now: signed in or not, refreshing or not, what is selected."""
        c = self.controller
        session = c.session
        has_session, refreshing = session is not None, c.refreshing
        idle_session = has_session and not refreshing
        # Sending needs Procore, and a company list read this session: read-only until then.
        can_send = idle_session and not c.offline and not c.state.list_cached
        stale_active = count_out_of_date(c.statuses.values()) > 0
        has_comparison = self._compare is not None and self._compare.comparison is not None
        enabled = {
            # Signed in too: it switches to the demo; signing in again comes back.
            "demo": not refreshing and not c.loading,
            "sign_in": not refreshing,
            "switch_company": session is not None and len(session.companies) > 1 and not refreshing,
            "sign_out": idle_session,
            "reload": idle_session or (not has_session and c.company_list is not None),
            "refresh": can_send and self.projects.has_selection(),
            "refresh_all": can_send and stale_active,
            "export_csv": has_comparison,
            "export_xlsx": has_comparison,
        }
        for command_id, on in enabled.items():
            self.action(command_id).setEnabled(on)

    # -- appearance ----------------------------------------------------------------------------

    def _start_appearance_checks(self) -> None:
        self.commands.appearance[saved_appearance(self.settings)].setChecked(True)
        self._sync_appearance_checks()
        theme.palette_notifier().changed.connect(self._sync_appearance_checks)

    @Slot()
    def _sync_appearance_checks(self) -> None:
        """The check mark follows the mode in force, however it was chosen."""
        app = QApplication.instance()
        mode = current_appearance(app) if isinstance(app, QApplication) else None
        action = self.commands.appearance.get(mode or "")
        if action is not None and not action.isChecked():
            action.setChecked(True)

    def set_appearance(self, mode: str) -> None:
        """Switch to "system", "light" or "dark" now, and remember it for the next start."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_appearance(app, mode)
        save_appearance(self.settings, mode)
        action = self.commands.appearance.get(mode)
        if action is not None and not action.isChecked():
            action.setChecked(True)

    # -- history, export, failures -------------------------------------------------------------

    def show_history(self) -> HistoryWindow:
        """The history of this company's refreshes (read on the worker when shown)."""
        from costcode_desktop.ui.history.window import HistoryWindow

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
            saved = self.settings.value("history/geometry") if self.settings else None
            if isinstance(saved, QByteArray):
                window.restoreGeometry(saved)
        was_visible = window.isVisible()
        window.show()
        keep_on_screen(window, self.screen())  # also when saved on a monitor since unplugged
        window.raise_()
        window.activateWindow()
        if was_visible:
            window.reload()
        return window

    def choose_export(self, kind: str) -> None:
        self.exports.choose(self, kind)

    def export(self, path: Path) -> bool:
        """Export the comparison shown (the lines the table shows) to `path`, on the worker."""
        if not self.exports.export(path):
            return False
        self.statusBar().showMessage(f"Exporting to {path.name}…")
        return True

    @Slot(str, str, str)
    def _failed(self, doing: str, message: str, details: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        session = self.controller.session
        if self.controller.company_list is None and session is not None:
            self.compare.show_message(
                f"The company list of {isolated(session.company.name)} could not be read. The red "
                "message above says why; choose Reload (F5) to try again."
            )
        self.banner.show_error(f"{doing} failed: {message}", details)
        if session is None:
            self.signed_in.setText("Not signed in")
        self._update_actions()

    # -- window state --------------------------------------------------------------------------

    def set_include_sub_jobs(self, on: bool) -> None:
        """Whether checks and refreshes take the projects' sub jobs too (from the next one)."""
        self.controller.include_sub_jobs = on
        self.projects.proxy.set_sub_jobs_shown(on)
        if self.settings is not None:
            self.settings.setValue("projects/include_sub_jobs", on)

    def _restore_settings(self) -> None:
        s = self.settings
        include = True if s is None else bool(s.value("projects/include_sub_jobs", True, bool))
        self.action("include_sub_jobs").setChecked(include)
        self.set_include_sub_jobs(include)
        if s is None:
            return
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("projects/header", self.projects.view.horizontalHeader().restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        self.panes.restore(s)

    def _restore_compare_settings(self) -> None:
        s = self.settings
        if s is None:
            return
        compare = self.compare
        value = s.value("compare/header")
        if isinstance(value, QByteArray):
            compare.view.horizontalHeader().restoreState(value)
        compare.differences_only.setChecked(bool(s.value("compare/differences_only", False, bool)))

    def save_settings(self) -> None:
        s = self.settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        self.panes.save(s)
        s.setValue("projects/header", self.projects.view.horizontalHeader().saveState())
        compare = self._compare
        if compare is not None:  # not built yet: what was saved stays
            s.setValue("compare/header", compare.view.horizontalHeader().saveState())
            s.setValue("compare/differences_only", compare.differences_only.isChecked())
            s.setValue(WANTED_WIDTH_KEY, compare.wanted_width())
        if self.history_window is not None:
            s.setValue("history/geometry", self.history_window.saveGeometry())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Quitting during a refresh asks first; otherwise the window closes at once and the
        controller winds the work down in the background (the GUI thread never waits)."""
        if self.controller.refreshing:
            event.ignore()
            if not self.quit_when_refresh_ends:
                self._ask_before_quitting()
            return
        self.save_settings()
        self.controller.shutdown()
        super().closeEvent(event)

    def _ask_before_quitting(self) -> QuitQuestion:
        from costcode_desktop.ui.main.quit_question import QuitQuestion

        current = self.quit_question
        if current is not None and current.isVisible():
            current.raise_()
            return current
        quit_word = named(self.action("quit"))[0]
        question = QuitQuestion(self, quit_word)
        question.answered.connect(self._quit_answered)
        self.quit_question = question
        question.open()  # not exec(): the window keeps painting and the run keeps going
        return question

    @Slot(object)
    def _quit_answered(self, answer: QuitAnswer) -> None:
        from costcode_desktop.ui.main.quit_question import QuitAnswer

        if answer is QuitAnswer.KEEP or not self.controller.refreshing:
            if answer is not QuitAnswer.KEEP:
                self.close()  # the run ended while the question was open
            return
        self.quit_when_refresh_ends = True
        if answer is QuitAnswer.STOP:
            self.controller.cancel_refresh()
            text = "Stopping after the projects under way; CostCodeSync then closes."
        else:
            text = "Finishing the refresh; CostCodeSync closes when it ends."
        self.statusBar().showMessage(text)

    @Slot()
    def _refresh_ended(self) -> None:
        if self.quit_when_refresh_ends:
            self.quit_when_refresh_ends = False
            self.close()

    # -- help ----------------------------------------------------------------------------------

    def shortcuts(self) -> list[tuple[str, str]]:
        """(what, keys) of every command with a shortcut, in menu order, then the tables'."""
        tables = [named(action) for action in self.projects.view.actions()]  # same in each table
        return self.commands.shortcuts() + [(f"{what} (in a table)", keys) for what, keys in tables]

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
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl(url))

    def show_about(self) -> AboutDialog:
        from costcode_desktop.ui.dialogs.about import AboutDialog

        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.controller.worker, self)
        self.about_dialog.show()
        self.about_dialog.raise_()
        self.about_dialog.activateWindow()
        return self.about_dialog

    def show_how_it_works(self) -> HowItWorksDialog:
        """Not modal, so it can stay open beside the window."""
        from costcode_desktop.ui.dialogs.how_it_works import HowItWorksDialog

        if self.how_it_works_dialog is None:
            self.how_it_works_dialog = HowItWorksDialog(self, self.shortcuts())
        self.how_it_works_dialog.show()
        self.how_it_works_dialog.raise_()
        self.how_it_works_dialog.activateWindow()
        return self.how_it_works_dialog
