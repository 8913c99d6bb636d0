"""Light, dark and system modes: the palettes, the menu, the saved choice, and run-time switches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QProxyStyle
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.appearance import (
    DARK,
    LIGHT,
    SYSTEM,
    current_appearance,
    palette,
    saved_appearance,
)
from costcode_desktop.ui.kit.banner import banner_style
from costcode_desktop.ui.main.window import MainWindow

Role = QPalette.ColorRole
Group = QPalette.ColorGroup
Apply = Callable[[str], None]
ROLES = [role for role in Role if role not in (Role.NoRole, Role.NColorRoles)]


def window_colour(app: QApplication) -> str:
    return str(app.palette().color(Role.Window).name())


def is_fusion(app: QApplication) -> bool:
    style = app.style()
    base = style.baseStyle() if isinstance(style, QProxyStyle) else style
    return bool(base.name().lower() == "fusion")


@pytest.mark.parametrize("dark", [False, True])
def test_palettes_set_every_role_in_every_group(dark: bool) -> None:
    made = palette(dark)
    for group in (Group.Active, Group.Inactive, Group.Disabled):
        for role in ROLES:
            assert made.isBrushSet(group, role), f"{group.name} {role.name} is not set"
    source = theme.DARK_PALETTE if dark else theme.LIGHT_PALETTE
    assert made.color(Group.Active, Role.PlaceholderText) == QColor(source[Role.PlaceholderText])
    assert made.color(Group.Inactive, Role.Highlight) == made.color(Group.Active, Role.Highlight)
    disabled = made.color(Group.Disabled, Role.Text)
    assert disabled != made.color(Group.Active, Role.Text), "disabled text looks disabled"


def test_forced_modes_use_fusion_and_our_palette(qapp: QApplication, appearance: Apply) -> None:
    appearance(DARK)
    assert is_fusion(qapp)
    assert window_colour(qapp) == theme.DARK_PALETTE[Role.Window]
    assert theme.is_dark()
    assert current_appearance(qapp) == DARK
    appearance(LIGHT)
    assert is_fusion(qapp)
    assert window_colour(qapp) == theme.LIGHT_PALETTE[Role.Window]
    assert not theme.is_dark()


def test_system_mode_goes_back_to_the_platform_look(qapp: QApplication, appearance: Apply) -> None:
    appearance(SYSTEM)
    native_style = qapp.style().name()
    native_window = window_colour(qapp)
    appearance(DARK)
    assert window_colour(qapp) != native_window
    appearance(SYSTEM)
    assert qapp.style().name() == native_style
    assert window_colour(qapp) == native_window


def test_system_mode_follows_the_os_at_run_time(qapp: QApplication, appearance: Apply) -> None:
    appearance(SYSTEM)
    assert not theme.is_dark(), "the offscreen platform is light"
    hints = qapp.styleHints()
    # The OS turns dark: the platform palette stays light here, so our dark palette steps in.
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.is_dark()
    assert window_colour(qapp) == theme.DARK_PALETTE[Role.Window]
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not theme.is_dark()
    # A forced mode ignores the OS.
    appearance(LIGHT)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not theme.is_dark()


def test_the_saved_appearance(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "a.ini"), QSettings.Format.IniFormat)
    assert saved_appearance(settings) == SYSTEM
    assert saved_appearance(None) == SYSTEM
    settings.setValue("appearance", "dark")
    assert saved_appearance(settings) == DARK
    settings.setValue("appearance", "purple")
    assert saved_appearance(settings) == SYSTEM


def test_view_menu_switches_and_remembers(
    qapp: QApplication, appearance: Apply, plain_window: MainWindow, settings: QSettings
) -> None:
    appearance(SYSTEM)
    actions = plain_window.commands.appearance
    assert list(actions) == [SYSTEM, LIGHT, DARK]
    assert all(action.isCheckable() for action in actions.values())
    assert actions[SYSTEM].isChecked()
    actions[DARK].trigger()
    assert theme.is_dark()
    assert settings.value("appearance") == DARK
    assert [mode for mode, action in actions.items() if action.isChecked()] == [DARK]
    actions[LIGHT].trigger()
    assert not theme.is_dark()
    assert actions[LIGHT].isChecked()
    assert not actions[DARK].isChecked()
    appearance(DARK)  # as the application does at start-up, from the saved choice
    assert actions[DARK].isChecked(), "the check mark follows the mode in force"
    menu = plain_window.findChild(QMenu, "appearanceMenu")
    assert isinstance(menu, QMenu)
    assert menu.title() == "&Appearance"


def test_existing_widgets_take_the_new_colours(
    qapp: QApplication, appearance: Apply, plain_window: MainWindow, qtbot: QtBot
) -> None:
    appearance(LIGHT)
    banner = plain_window.banner
    banner.show_error("Something failed.")
    assert banner.styleSheet() == banner_style(False)
    view = plain_window.projects.view
    appearance(DARK)
    assert plain_window.palette().color(Role.Window).name() == theme.DARK_PALETTE[Role.Window]
    assert view.palette().color(Role.Base).name() == theme.DARK_PALETTE[Role.Base]
    assert banner.styleSheet() == banner_style(True)
    assert theme.BANNER_ERROR.dark in banner.styleSheet()
    dialog = plain_window.show_sign_in("The client secret was refused.")
    assert theme.ERROR_TEXT.dark in dialog.styleSheet()
    assert dialog.status.text().startswith("⚠ "), "an error is marked by more than its colour"
    appearance(LIGHT)
    assert theme.ERROR_TEXT.light in dialog.styleSheet()
    assert banner.styleSheet() == banner_style(False)
    dialog.reject()


def test_banner_marks_its_state_with_a_symbol(plain_window: MainWindow) -> None:
    banner = plain_window.banner
    banner.show_error("Refresh failed: no permission.")
    assert banner.symbol.text() == "⚠ Error"
    banner.show_working("Refreshing…")
    assert banner.symbol.text() == "↻"
    banner.show_ok("Done.")
    assert banner.symbol.text() == "✓"
    banner.clear()
