"""Platform habits: menus and keys as each system has them, the Edit menu, the locale, Escape,
sorting, the demo while signed in, and windows that open where they can be seen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from PySide6.QtCore import QByteArray, QLocale, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.services import Project, ProjectState
from costcode_desktop.ui.kit.when import day_or_time, locale_date_time, short_time
from costcode_desktop.ui.main.actions import Actions
from costcode_desktop.ui.main.commands import window_commands
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import (
    COL_NUMBER,
    COL_STATUS,
    ProjectsFilter,
    ProjectsModel,
    count_text,
)
from costcode_desktop.ui.projects.pane import ProjectsPane

from .conftest import LINCOLN

ROLE = QAction.MenuRole


def _built(window: MainWindow, platform: str, qtbot: QtBot) -> tuple[QMainWindow, Actions]:
    host = QMainWindow()
    qtbot.addWidget(host)
    return host, Actions(host, window_commands(window, platform), lambda _mode: None)


def _keys(action: QAction) -> list[str]:
    return [key.toString(QKeySequence.SequenceFormat.PortableText) for key in action.shortcuts()]


@pytest.mark.parametrize("platform", ["darwin", "win32", "linux"])
def test_menu_words_roles_and_keys_follow_the_platform(
    plain_window: MainWindow, qtbot: QtBot, platform: str
) -> None:
    host, actions = _built(plain_window, platform, qtbot)
    mac = platform == "darwin"
    quit_action = actions["quit"]
    assert quit_action.text() == ("&Quit" if mac else "E&xit")
    assert quit_action.menuRole() is ROLE.QuitRole
    assert "Ctrl+Q" in _keys(quit_action)  # Cmd+Q on macOS
    assert actions["about"].menuRole() is ROLE.AboutRole
    assert actions["connection_settings"].menuRole() is ROLE.PreferencesRole
    # Cmd+H hides the application on macOS: History takes Cmd+Y there, as in Safari.
    assert _keys(actions["history"]) == (["Ctrl+Y"] if mac else ["Ctrl+H"])
    every = [key for action in actions.by_id.values() for key in _keys(action)]
    assert len(every) == len(set(every)), "no key does two things"
    if mac:
        assert not {"Ctrl+H", "Ctrl+M", "Ctrl+W"} & set(every), "the system's own keys"
    edit = next(a.menu() for a in host.menuBar().actions() if a.text() == "&Edit")
    words = [a.text() for a in edit.actions() if not a.isSeparator()]
    assert words == ["&Copy", "Select &All", "&Find…"]


def test_the_edit_menu_copies_selects_and_finds(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    assert window.projects.select_project(LINCOLN)
    window.projects.view.setFocus()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("")
    window.action("copy").trigger()
    assert "Lincoln Elementary School Addition" in clipboard.text()
    assert "\n" not in clipboard.text(), "one row, no header"

    qtbot.waitUntil(lambda: window.compare.model.rowCount() > 2)
    window.compare.view.setFocus()
    window.action("select_all").trigger()
    window.action("copy").trigger()
    lines = clipboard.text().splitlines()
    assert len(lines) == window.compare.model.rowCount() + 1, "every row, with the column names"

    window.action("find").trigger()
    assert window.compare.search.hasFocus(), "Find searches the comparison"
    window.compare.search.setText("safety")
    window.action("select_all").trigger()
    assert window.compare.search.selectedText() == "safety"


def test_escape_clears_the_search_boxes(plain_window: MainWindow, qtbot: QtBot) -> None:
    plain_window.show_sign_in_pending()
    for box in (plain_window.projects.search, plain_window.compare.search):
        box.setText("harbor")
        QTest.keyClick(box, Qt.Key.Key_Escape)
        assert box.text() == ""


@pytest.fixture
def german() -> Iterator[QLocale]:
    before = QLocale()
    locale = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    QLocale.setDefault(locale)
    yield locale
    QLocale.setDefault(before)


def test_times_and_counts_are_in_the_users_locale(german: QLocale) -> None:
    then = datetime(2025, 5, 12, 14, 5, tzinfo=UTC)
    local = then.astimezone()
    day = f"{local.day:02d}.{local.month:02d}.25"
    assert day_or_time(then) == day
    assert short_time(then) == f"{day} {local:%H:%M}"
    assert locale_date_time(then) == f"{day} {local:%H:%M}"
    assert count_text(1234) == "1.234"


def test_the_window_shows_last_refreshed_in_the_locale(window: MainWindow, german: QLocale) -> None:
    when = datetime(2025, 5, 12, 14, 5, tzinfo=UTC)
    window.projects.model.set_last_refreshed(LINCOLN, when)
    row = window.projects.model.row_for(LINCOLN)
    assert row is not None
    assert row.display[-1] == locale_date_time(when)
    assert "." in row.display[-1]


def test_sorting_by_status_puts_out_of_date_first(window: MainWindow) -> None:
    pane = window.projects
    pane.view.sortByColumn(COL_STATUS, Qt.SortOrder.AscendingOrder)
    proxy = pane.proxy
    rows = [
        pane.model.row_at(proxy.mapToSource(proxy.index(r, 0)).row())
        for r in range(proxy.rowCount())
    ]
    # A sub job stays under its project (Riverside Clinic's E02, out of date, under it in sync).
    for above, row in pairwise(rows):
        if row.sub_job is not None:
            assert above.project.id == row.project.id, "a sub job left its project"
    shown = [row.status for row in rows if row.sub_job is None]
    states = [status.state for status in shown if status is not None]
    order = [
        ProjectState.OUT_OF_DATE,
        ProjectState.ERROR,
        ProjectState.NO_ACCESS,
        ProjectState.IN_SYNC,
        ProjectState.NOT_ERP_INTEGRATED,
        ProjectState.OTHER_LIST,
    ]
    assert states[0] is ProjectState.OUT_OF_DATE
    ranks = [order.index(state) for state in states]
    assert ranks == sorted(ranks), states
    assert len(set(states)) >= 3, states


def test_project_numbers_sort_naturally(qtbot: QtBot) -> None:
    pane = ProjectsPane()
    qtbot.addWidget(pane)
    numbers = ["25-10", "10", "25-2", "2", "A-3", "25-1"]
    pane.model.set_projects([Project(i + 1, f"P{i}", n, True) for i, n in enumerate(numbers)])
    pane.view.sortByColumn(COL_NUMBER, Qt.SortOrder.AscendingOrder)
    proxy = pane.proxy
    shown = [proxy.index(row, COL_NUMBER).data() for row in range(proxy.rowCount())]
    assert shown == ["2", "10", "25-1", "25-2", "25-10", "A-3"]


def test_rows_set_while_an_unsorted_list_holds_its_sort_keep_their_order() -> None:
    """A held sort of a list not sorted yet (column -1) keeps the rows as they come."""
    model, proxy = ProjectsModel(), ProjectsFilter()
    proxy.setSourceModel(model)
    proxy.hold_sort()
    numbers = ["25-10", "10", "25-2", "2"]
    # Refreshed latest first: in any column's order but their own, the rows would move.
    refreshed = {i + 1: datetime(2026, 3, 9 - i, 10, tzinfo=UTC) for i in range(len(numbers))}
    model.set_projects([Project(i + 1, f"P{i}", n, True) for i, n in enumerate(numbers)], refreshed)
    shown = [proxy.index(row, COL_NUMBER).data() for row in range(proxy.rowCount())]
    assert shown == numbers
    proxy.release_sort()
    assert [proxy.index(row, COL_NUMBER).data() for row in range(proxy.rowCount())] == numbers


def test_the_demo_opens_while_signed_in(window: MainWindow, qtbot: QtBot) -> None:
    before = window.controller.session
    assert before is not None
    demo = window.action("demo")
    assert demo.isEnabled(), "signed in, the demo is one click away"
    with qtbot.waitSignal(window.controller.session_opened, timeout=120_000) as opened:
        demo.trigger()
    assert opened.args[0].client is not before.client, "the demo's own sandbox"
    qtbot.waitUntil(lambda: not window.controller.loading, timeout=120_000)
    assert window.action("sign_in").isEnabled(), "signing in again brings the company back"


def _geometry(rect: QRect) -> QByteArray:
    widget = QWidget()
    widget.setGeometry(rect)
    saved = widget.saveGeometry()
    widget.deleteLater()
    return saved


def test_the_history_window_opens_where_it_was_left(
    plain_window: MainWindow, settings: QSettings
) -> None:
    area = plain_window.screen().availableGeometry()
    place = QRect(area.left() + 40, area.top() + 30, area.width() // 2, area.height() // 2)
    settings.setValue("history/geometry", _geometry(place))
    history = plain_window.show_history()
    assert history.geometry().height() == place.height(), "restored"
    assert history.geometry().top() == place.top()
    assert area.contains(history.geometry().topLeft())


def test_the_history_window_opens_on_screen_when_saved_off_it(
    plain_window: MainWindow, settings: QSettings
) -> None:
    area = plain_window.screen().availableGeometry()
    far = QRect(area.right() + 3000, area.bottom() + 2000, area.width() + 500, area.height())
    settings.setValue("history/geometry", _geometry(far))
    history = plain_window.show_history()
    shown = history.geometry()
    assert area.contains(shown.topLeft()), (area, shown)  # its title bar can be reached
    least = history.minimumSizeHint().expandedTo(history.minimumSize())
    assert shown.width() <= max(area.width(), least.width()), "shrunk to the screen"
    assert shown.height() <= max(area.height(), least.height())
