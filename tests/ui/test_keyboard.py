"""Keyboard and screen-reader use: shortcuts, mnemonics, tooltips, tab order, accessible names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QMenuBar,
    QTableView,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN

NATIVE = QKeySequence.SequenceFormat.NativeText
MNEMONIC = re.compile(r"&([^&])")
INPUTS = (QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView, QAbstractButton)


def activate(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5_000)


def keys(action: QAction) -> str:
    return str(action.shortcut().toString(NATIVE))


def _menu_actions(menu: QMenu | QMenuBar) -> list[QAction]:
    """Every action of a menu bar or menu, submenus included, in order, as a user finds them."""
    found: list[QAction] = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        found.append(action)
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            found.extend(_menu_actions(submenu))
    return found


def mnemonic(text: str) -> str | None:
    found = MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def tab_walk(qtbot: QtBot, start: QWidget, steps: int) -> list[QWidget]:
    """Press Tab until the focus has moved `steps` times from `start`; where it went, in order.

    A date edit takes a few presses (Tab goes through its year, month and day first).
    """
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus, timeout=5_000)
    seen: list[QWidget] = []
    current = start
    for _ in range(steps * 4):
        if len(seen) == steps:
            break
        focus = QApplication.focusWidget()
        assert focus is not None
        QTest.keyClick(focus, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert focus is not None
        parent = focus.parentWidget()
        if isinstance(parent, QAbstractSpinBox):
            focus = parent  # a spin box's own line edit stands for the spin box
        if focus is not current:
            seen.append(focus)
            current = focus
    return seen


def expected_walk(order: Sequence[QWidget]) -> list[QWidget]:
    return [w for w in order if w.isVisible() and w.isEnabled()]


# -- menus ---------------------------------------------------------------------------------------


def test_every_menu_action_has_a_shortcut_or_a_mnemonic(plain_window: MainWindow) -> None:
    bar = plain_window.menuBar()
    menus = [action.menu() for action in bar.actions()]
    titles = [mnemonic(action.text()) for action in bar.actions()]
    assert None not in titles
    assert len(titles) == len(set(titles)), "the menu titles' letters differ"
    actions = _menu_actions(bar)
    assert len(actions) >= 20
    for action in actions:
        assert keys(action) or mnemonic(action.text()), f"{action.text()!r}: no key at all"
    for menu in menus:
        assert isinstance(menu, QMenu)
        letters = [mnemonic(a.text()) for a in menu.actions() if not a.isSeparator()]
        assert len(letters) == len(set(letters)), f"{menu.title()}: a letter is used twice"


def test_tooltips_say_the_shortcut(plain_window: MainWindow) -> None:
    with_keys = [a for a in _menu_actions(plain_window.menuBar()) if keys(a)]
    assert len(with_keys) >= 12
    for action in with_keys:
        assert action.toolTip().endswith(f"({keys(action)})"), action.toolTip()
        assert action.statusTip() == action.toolTip()
    for action in _menu_actions(plain_window.menuBar()):
        if not keys(action):
            assert not action.toolTip().endswith(")"), action.toolTip()
    assert plain_window.action("reload").toolTip().endswith("(F5)")
    assert plain_window.action("how_it_works").toolTip().endswith("(F1)")
    assert plain_window.refresh_button.toolTip().endswith(
        f"({keys(plain_window.action('refresh'))})"
    )


def test_the_shortcuts_table_lists_the_menu_shortcuts(plain_window: MainWindow) -> None:
    table = dict(plain_window.shortcuts())
    assert table["How It Works"] == "F1"
    assert table["Refresh History"] == keys(plain_window.action("history"))
    assert table["Refresh Selected"] == keys(plain_window.action("refresh"))
    assert table["Copy (in a table)"] == QKeySequence(QKeySequence.StandardKey.Copy).toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert "Select All (in a table)" in table
    page = plain_window.show_how_it_works().browser.toPlainText()
    assert "Keyboard shortcuts" in page
    assert "Refresh History" in page


# -- pressing the keys ---------------------------------------------------------------------------


def test_shortcuts_do_what_they_say(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_project(LINCOLN)
    activate(qtbot, window)

    QTest.keyClick(window, Qt.Key.Key_F1)
    dialog = window.how_it_works_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "What a refresh never does" in dialog.browser.toPlainText()
    dialog.close()

    activate(qtbot, window)
    QTest.keySequence(window, QKeySequence("Ctrl+H"))
    history = window.history_window
    assert history is not None
    assert history.isVisible()
    history.close()

    activate(qtbot, window)
    QTest.keySequence(window, QKeySequence("Ctrl+D"))
    assert window.compare.differences_only.isChecked()
    QTest.keySequence(window, QKeySequence("Ctrl+D"))
    assert not window.compare.differences_only.isChecked()
    QTest.keySequence(window, QKeySequence("Alt+O"))
    assert window.projects.out_of_date_only.isChecked()
    QTest.keySequence(window, QKeySequence("Alt+O"))
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Find))
    assert window.compare.search.hasFocus(), "Edit › Find searches the comparison"
    QTest.keySequence(window, QKeySequence("Ctrl+Shift+F"))
    assert window.projects.search.hasFocus()
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_F5)


def test_help_menu_opens_about_and_how_it_works(plain_window: MainWindow) -> None:
    plain_window.action("about").trigger()
    about = plain_window.about_dialog
    assert about is not None
    assert about.isVisible()
    plain_window.action("how_it_works").trigger()
    assert plain_window.how_it_works_dialog is not None
    assert plain_window.how_it_works_dialog.isVisible()


# -- tab order -----------------------------------------------------------------------------------


def test_tab_walks_the_main_window_in_reading_order(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_project(LINCOLN)
    window.banner.show_error("Refresh failed.", "details", can_retry=True)
    activate(qtbot, window)
    expected = expected_walk(window.tab_order)
    assert [w.objectName() for w in expected] == [
        "searchField",
        "outOfDateOnly",
        "projectsView",
        "compareSearchField",
        "differencesOnly",
        "compareView",
        "bannerDetails",
        "bannerRetry",
        "bannerDismiss",
    ]
    walked = tab_walk(qtbot, expected[0], len(expected) - 1)
    assert walked == expected[1:]
    # Tab leaves a table instead of moving from cell to cell.
    assert not window.projects.view.tabKeyNavigation()
    assert not window.compare.view.tabKeyNavigation()


def test_tab_order_of_the_connection_settings_dialog(
    plain_window: MainWindow, qtbot: QtBot
) -> None:
    dialog = plain_window.show_connection_settings()
    dialog.environment.setCurrentIndex(dialog.environment.findData("custom"))
    activate(qtbot, dialog)
    expected = expected_walk(dialog.tab_order)
    names = [
        w.objectName() or (w.text() if isinstance(w, QAbstractButton) else "") for w in expected
    ]
    assert names[:6] == [
        "environmentChoice",
        "customLoginUrl",
        "customApiUrl",
        "clientId",
        "clientSecret",
        "signInMethod",
    ]
    assert names[-1] == "Cancel"
    walked = tab_walk(qtbot, expected[0], len(expected) - 1)
    assert walked == expected[1:]
    dialog.reject()


def test_tab_order_of_the_sign_in_dialog(plain_window: MainWindow, qtbot: QtBot) -> None:
    dialog = plain_window.show_sign_in()
    activate(qtbot, dialog)
    expected = expected_walk(dialog.tab_order)
    names = [w.objectName() for w in expected]
    # Not set up yet: Sign In waits for Connection settings, which has the focus first.
    assert names == ["openConnectionSettings", ""]  # "": Cancel
    walked = tab_walk(qtbot, expected[0], len(expected) - 1)
    assert walked == expected[1:]
    dialog.reject()


def test_tab_order_of_the_history_window(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_project(LINCOLN)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        window.refresh_flow.refresh_selected()  # one run, so the three tables show
    history = window.show_history()
    with qtbot.waitSignal(history.details_loaded, timeout=10_000):
        history.reload()
    activate(qtbot, history)
    expected = expected_walk(history.tab_order)
    assert expected == [
        history.project_filter,
        history.from_date,
        history.to_date,
        history.failures_only,
        history.reload_button,
        history.runs_view,
        history.projects_view,
        history.changes_view,
        history.export_csv_button,
        history.export_xlsx_button,
    ]
    walked = tab_walk(qtbot, expected[0], len(expected) - 1)
    assert walked == expected[1:]
    history.close()


def test_tab_order_of_the_bulk_dialog(window: MainWindow, qtbot: QtBot) -> None:
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    activate(qtbot, dialog)
    expected = expected_walk(dialog.tab_order)
    assert expected == [dialog.table, dialog.concurrency, dialog.go_button, dialog.cancel_button]
    walked = tab_walk(qtbot, expected[0], len(expected) - 1)
    assert walked == expected[1:]
    dialog.reject()


# -- names for screen readers -------------------------------------------------------------------


def unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or not widget.isVisible():
            continue
        if isinstance(widget.parent(), QAbstractSpinBox | QComboBox):
            continue  # the text field inside a spin box: the spin box's name is the one read
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName().strip() or text.strip()):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_everything_a_user_can_reach_has_a_name(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_project(LINCOLN)
    window.banner.show_error("Refresh failed.", "details", can_retry=True)
    window.projects.search.setText("24")  # the clear buttons show
    window.compare.search.setText("safety")
    assert window.banner.accessibleName() == "Status banner"
    assert window.banner.accessibleDescription() == "Error"
    clear = window.projects.search.findChildren(QToolButton)
    assert [button.text() for button in clear if button.isVisible()] == ["Clear the filter"]
    assert unnamed(window) == []
    history = window.show_history()
    with qtbot.waitSignal(history.loaded, timeout=10_000):
        history.reload()
    assert unnamed(history) == []
    history.close()
    dialog = window.show_sign_in()
    assert unnamed(dialog) == []
    dialog.reject()
    settings = window.show_connection_settings()
    settings.environment.setCurrentIndex(settings.environment.findData("custom"))
    assert unnamed(settings) == []
    settings.reject()
    about = window.show_about()
    qtbot.waitUntil(lambda: about.table.rowCount() > 0, timeout=10_000)
    assert unnamed(about) == []
    bulk = window.refresh_flow.refresh_all_out_of_date()
    assert bulk is not None
    assert unnamed(bulk) == []
    bulk.reject()


def test_every_column_header_explains_itself(window: MainWindow, qtbot: QtBot) -> None:
    history = window.show_history()
    with qtbot.waitSignal(history.loaded, timeout=10_000):
        history.reload()
    views = [window.projects.view, window.compare.view, *history.findChildren(QTableView)]
    assert len(views) == 5
    for view in views:
        model = view.model()
        for column in range(model.columnCount()):
            name = model.headerData(column, Qt.Orientation.Horizontal)
            tip = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            assert isinstance(tip, str), f"{view.objectName()}: '{name}' has no tooltip"
            assert len(tip) > len(name), f"{view.objectName()}: '{name}' tooltip says nothing more"
    history.close()
