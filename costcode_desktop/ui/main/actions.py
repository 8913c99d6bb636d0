"""The window's commands as one table: id, words, keys, icon, menu, handler.

The menus, the toolbar, the tooltips and the shortcuts list in Help all come from this table,
so a command is added or renamed in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from costcode_desktop.ui.kit import toolbar_icons
from costcode_desktop.ui.kit.appearance import DARK, LIGHT, SYSTEM

Keys = QKeySequence | QKeySequence.StandardKey | str
SEPARATOR = "-"  # in a menu or toolbar layout

APPEARANCES = (
    (SYSTEM, "Match &System", "Light or dark, as your computer is set"),
    (LIGHT, "&Light", "Always light"),
    (DARK, "&Dark", "Always dark"),
)


@dataclass(frozen=True)
class Command:
    """One row of the table. A checkable command's handler gets the new checked state."""

    id: str
    text: str
    tip: str
    keys: tuple[Keys, ...] = ()
    icon: toolbar_icons.Glyph | None = None
    handler: Callable[[], object] | None = None
    on_toggle: Callable[[bool], object] | None = None
    role: QAction.MenuRole | None = None
    object_name: str = ""
    # The keys are shown in the menu, but the focused widget's own action takes them (a table's
    # Copy, a search box's Select All): two window-wide shortcuts on one key would do nothing.
    focused_keys: bool = False


@dataclass(frozen=True)
class Layout:
    """Where the commands go: menus in order (SEPARATOR between groups), then the toolbar."""

    menus: tuple[tuple[str, tuple[str, ...]], ...]
    toolbar: tuple[str, ...]


LAYOUT = Layout(
    menus=(
        (
            "&File",
            (
                "sign_in",
                "switch_company",
                "sign_out",
                "demo",
                "connection_settings",
                SEPARATOR,
                "export_csv",
                "export_xlsx",
                SEPARATOR,
                "quit",
            ),
        ),
        ("&Edit", ("copy", "select_all", SEPARATOR, "find")),
        (
            "&View",
            (
                "reload",
                "find_project",
                SEPARATOR,
                "projects_pane",
                "out_of_date",
                "differences",
                SEPARATOR,
                "history",
                SEPARATOR,
                "appearance",
            ),
        ),
        ("&Project", ("refresh", "refresh_all", SEPARATOR, "include_sub_jobs")),
        ("&Help", ("how_it_works", SEPARATOR, "log_folder", SEPARATOR, "about")),
    ),
    toolbar=("reload", "refresh", "refresh_all", SEPARATOR, "export_csv", "export_xlsx"),
)


def describe(action: QAction, tip: str) -> None:
    """Tooltip and status tip end with the shortcut, as the user types it."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    text = f"{tip} ({keys})" if keys else tip
    action.setToolTip(text)
    action.setStatusTip(text)


def make_action(parent: QWidget, command: Command) -> QAction:
    action = QAction(command.text, parent)
    keys: list[QKeySequence] = []
    for value in command.keys:
        sequence = QKeySequence(value)
        if not sequence.isEmpty() and sequence not in keys:  # a standard key may be unset
            keys.append(sequence)
    action.setShortcuts(keys)
    if command.focused_keys:
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    describe(action, command.tip)
    if command.object_name:
        action.setObjectName(command.object_name)
    if command.role is not None:
        action.setMenuRole(command.role)
    if command.icon is not None:
        action.setIcon(toolbar_icons.glyph_icon(command.icon))
        action.setIconVisibleInMenu(False)  # the menus stay words only, as on macOS
    if command.on_toggle is not None:
        action.setCheckable(True)
        action.toggled.connect(command.on_toggle)
    elif command.handler is not None:
        handler = command.handler
        action.triggered.connect(lambda _checked=False: handler())
    return action


class Actions:
    """The window's QActions by id, built from the table, and its menus and toolbar."""

    def __init__(
        self,
        window: QMainWindow,
        commands: Sequence[Command],
        appearance: Callable[[str], object],
        layout: Layout = LAYOUT,
    ) -> None:
        self.commands = {command.id: command for command in commands}
        self.by_id = {command.id: make_action(window, command) for command in commands}
        self.appearance: dict[str, QAction] = {}
        self._layout = layout
        for title, ids in layout.menus:
            menu = window.menuBar().addMenu(title)
            self._fill(menu, ids, window, appearance)
        self.toolbar = self._build_toolbar(window, layout.toolbar)

    def __getitem__(self, command_id: str) -> QAction:
        return self.by_id[command_id]

    def _fill(
        self,
        menu: QMenu,
        ids: tuple[str, ...],
        window: QMainWindow,
        appearance: Callable[[str], object],
    ) -> None:
        for command_id in ids:
            if command_id == SEPARATOR:
                menu.addSeparator()
            elif command_id == "appearance":
                self._appearance_menu(menu, window, appearance)
            else:
                menu.addAction(self.by_id[command_id])

    def _appearance_menu(
        self, parent: QMenu, window: QMainWindow, choose: Callable[[str], object]
    ) -> None:
        menu = parent.addMenu("&Appearance")
        menu.setObjectName("appearanceMenu")
        group = QActionGroup(window)
        group.setExclusive(True)
        for mode, text, tip in APPEARANCES:
            action = make_action(window, Command(f"appearance_{mode}", text, tip))
            action.setObjectName(f"appearance_{mode}")
            action.setCheckable(True)
            action.setData(mode)
            group.addAction(action)
            menu.addAction(action)
            self.appearance[mode] = action
        group.triggered.connect(lambda action: choose(str(action.data())))

    def _build_toolbar(self, window: QMainWindow, ids: tuple[str, ...]) -> QToolBar:
        toolbar = QToolBar("Main", window)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for command_id in ids:
            if command_id == SEPARATOR:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self.by_id[command_id])
        window.addToolBar(toolbar)
        return toolbar

    def shortcuts(self) -> list[tuple[str, str]]:
        """(what, keys) of every menu command with a shortcut, in menu order."""
        found: list[tuple[str, str]] = []
        for _title, ids in self._layout.menus:
            for command_id in ids:
                action = self.by_id.get(command_id)
                if action is not None:
                    found.append(named(action))
        return [(what, keys) for what, keys in found if keys]


def named(action: QAction) -> tuple[str, str]:
    """An action's words (without & and …) and its shortcut as the user types it."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return action.text().replace("&", "").rstrip("…"), keys
