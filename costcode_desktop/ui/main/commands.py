"""The window's commands as data: id, words, keys, icon and what each does.

`Actions` (actions.py) turns this table into the menus, the toolbar and the shortcuts list in
Help; the window supplies the handlers through the `CommandTarget` it is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QKeySequence

from costcode_desktop.services.logging_setup import log_file
from costcode_desktop.ui.kit import toolbar_icons
from costcode_desktop.ui.main.actions import Command

if TYPE_CHECKING:  # the comparison and the refresh presenter: built after the first paint
    from costcode_desktop.ui.compare.pane import ComparePane
    from costcode_desktop.ui.main.panes import PaneSplit
    from costcode_desktop.ui.projects.pane import ProjectsPane
    from costcode_desktop.ui.refresh.flow import RefreshFlow


class CommandTarget(Protocol):
    """What the commands act on: the main window."""

    projects: ProjectsPane
    panes: PaneSplit
    url_opener: Callable[[str], object]

    @property
    def compare(self) -> ComparePane: ...
    @property
    def refresh_flow(self) -> RefreshFlow: ...

    def show_sign_in(self) -> object: ...
    def choose_company(self) -> None: ...
    def sign_out(self) -> None: ...
    def open_demo(self) -> None: ...
    def show_connection_settings(self) -> object: ...
    def choose_export(self, kind: str) -> None: ...
    def close(self) -> bool: ...
    def copy_focused(self) -> None: ...
    def select_all_focused(self) -> None: ...
    def reload(self) -> None: ...
    def show_history(self) -> object: ...
    def show_how_it_works(self) -> object: ...
    def show_about(self) -> object: ...
    def set_include_sub_jobs(self, on: bool) -> None: ...


def window_commands(w: CommandTarget, platform: str = sys.platform) -> list[Command]:
    """Every command of the window: menus, toolbar and the Help's shortcuts list.

    `platform` is sys.platform's value: macOS has Quit, not Exit, and Cmd+H hides the
    application there, so History takes Cmd+Y (as in Safari)."""
    icons, role = toolbar_icons, QAction.MenuRole
    mac = platform == "darwin"
    return [
        Command(
            "sign_in",
            "&Sign In to Procore…",
            "Sign in to your Procore company",
            ("Ctrl+Shift+L",),
            handler=w.show_sign_in,
        ),
        Command(
            "switch_company",
            "Switch Co&mpany…",
            "Show another of your Procore companies",
            ("Ctrl+Shift+C",),
            handler=w.choose_company,
        ),
        Command(
            "sign_out",
            "Sign &Out",
            "Sign out of Procore and remove the sign-in from this computer",
            handler=w.sign_out,
        ),
        Command(
            "demo",
            "Open &Demo Company",
            "Explore CostCodeSync on its built-in demo company",
            handler=w.open_demo,
        ),
        Command(
            "connection_settings",
            "Co&nnection Settings…",
            "The Procore app CostCodeSync signs in with: environment, client id and secret, "
            "redirect port; usually set once by IT",
            handler=w.show_connection_settings,
            role=role.PreferencesRole,  # macOS: the application menu's Settings…
            object_name="connectionSettingsAction",
        ),
        Command(
            "export_csv",
            "Export Comparison to &CSV…",
            "Save the comparison shown on the right as a CSV file",
            ("Ctrl+E",),
            icons.export_csv,
            handler=lambda: w.choose_export("csv"),
        ),
        Command(
            "export_xlsx",
            "Export Comparison to Exce&l…",
            "Save the comparison shown on the right as an Excel workbook",
            ("Ctrl+Shift+E",),
            icons.export_excel,
            handler=lambda: w.choose_export("xlsx"),
        ),
        Command(
            "quit",
            "&Quit" if mac else "E&xit",
            "Close CostCodeSync",
            (QKeySequence.StandardKey.Quit, "Ctrl+Q"),  # Cmd+Q on macOS; Windows has none
            handler=w.close,
            role=role.QuitRole,
        ),
        Command(
            "copy",
            "&Copy",
            "Copy the selected rows of the table (or the search box's text) to the clipboard",
            (QKeySequence.StandardKey.Copy,),
            handler=w.copy_focused,
            focused_keys=True,
        ),
        Command(
            "select_all",
            "Select &All",
            "Select every row of the table (or the search box's text)",
            (QKeySequence.StandardKey.SelectAll,),
            handler=w.select_all_focused,
            focused_keys=True,
        ),
        Command(
            "find",
            "&Find…",
            "Search the codes of the comparison",
            (QKeySequence.StandardKey.Find,),
            handler=lambda: w.compare.search.setFocus(),
        ),
        # F5 everywhere (the standard Refresh key is Ctrl+R on macOS: Refresh Selected here).
        Command(
            "reload",
            "&Reload",
            "Read the company list, every project and their sub jobs again",
            ("F5",),
            icons.reload,
            handler=w.reload,
        ),
        Command(
            "find_project",
            "&Find Project",
            "Type to filter the projects",
            ("Ctrl+Shift+F",),
            handler=w.projects.search.setFocus,
        ),
        Command(
            "out_of_date",
            "&Out-of-Date Projects Only",
            "Show only projects whose cost codes differ",
            ("Alt+O",),
            on_toggle=w.projects.out_of_date_only.setChecked,
        ),
        Command(
            "include_sub_jobs",
            "Include Sub &Jobs (Sage Extras)",
            "Check and refresh each project's sub jobs with it, each on a row of its own",
            on_toggle=w.set_include_sub_jobs,
        ),
        Command(
            "projects_pane",
            "&Projects List",
            "Show the projects beside the comparison, or fold them away for more room",
            ("Ctrl+B",),
            on_toggle=lambda shown: w.panes.set_collapsed(not shown),
        ),
        Command(
            "differences",
            "&Differences Only",
            "Hide codes that are the same on both lists",
            ("Ctrl+D",),
            on_toggle=lambda on: w.compare.differences_only.setChecked(on),
        ),
        Command(
            "history",
            "Refresh &History…",
            "See past refreshes: what each run changed, on which project, and when",
            ("Ctrl+Y" if mac else "Ctrl+H",),  # Cmd+H is Hide on macOS
            handler=w.show_history,
            object_name="historyAction",
        ),
        Command(
            "refresh",
            "Refresh &Selected",
            "Refresh the selected projects' cost codes from the company list",
            ("Ctrl+R",),
            icons.refresh_one,
            handler=lambda: w.refresh_flow.refresh_selected(),
            object_name="refreshAction",
        ),
        Command(
            "refresh_all",
            "Refresh &All Out-of-Date Projects…",
            "Refresh every active project that differs from the company list",
            ("Ctrl+Shift+R",),
            icons.refresh_all,
            handler=lambda: w.refresh_flow.refresh_all_out_of_date(),
            object_name="refreshAllAction",
        ),
        Command(
            "how_it_works",
            "&How It Works",
            "What CostCodeSync compares, what a refresh changes and what it never touches",
            (QKeySequence.StandardKey.HelpContents, "F1"),
            handler=w.show_how_it_works,
            object_name="howItWorksAction",
        ),
        Command(
            "log_folder",
            "Open &Log Folder",
            "Show the folder with CostCodeSync's log files",
            handler=lambda: w.url_opener(QUrl.fromLocalFile(str(log_file().parent)).toString()),
        ),
        Command(
            "about",
            "&About CostCodeSync",
            "Version, system information and licences",
            handler=w.show_about,
            role=role.AboutRole,
        ),
    ]
