"""A staged start (what costcode-desktop does): the frame, the menus and the cached rows are
painted first; the comparison, the refresh presenter and the rest are built right after, the
stored sign-in waits for that paint, and nothing on screen moves when they come. A shortcut
typed before the rest is built still does its work (benchmarks/startup.py times the paint).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.main.window import MainWindow
from tests.keyring_memory import MemoryKeyring

from .conftest import LINCOLN, shot
from .test_offline import Procore, first_session, procore, quick_retries, signed_in

__all__ = ["procore", "quick_retries", "signed_in"]  # fixtures, from the offline tests


def staged_window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    """The window as costcode-desktop builds it, with the settings the first session left."""
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, staged=True)
    qtbot.addWidget(window)
    window.resize(1640, 880)
    window.show()
    return window


class FirstRowsPaint(QObject):
    """What the window was like when its projects table was first painted with rows."""

    def __init__(self, window: MainWindow, procore: Procore) -> None:
        super().__init__(window)
        self.window, self.procore = window, procore
        self.seen = False
        self.compare_there = True
        self.pending_shown = False
        self.sizes: list[int] = []
        self.requests: list[str] = []
        window.projects.view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        window = self.window
        if event.type() == QEvent.Type.Paint and not self.seen and window.projects.model.rowCount():
            self.seen = True
            self.compare_there = window.findChild(QTableView, "compareView") is not None
            pending = window.findChild(QWidget, "pendingComparison")
            self.pending_shown = pending is not None and pending.isVisible()
            self.sizes = window.splitter.sizes()
            self.requests = [r.path for r in self.procore.server.requests]
        return False


def test_the_cached_rows_are_painted_first_and_the_rest_comes_without_moving_them(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    first_session(qtbot, tmp_path)
    procore.server.clear_requests()

    window = staged_window(qtbot, tmp_path)
    painted = FirstRowsPaint(window, procore)
    window.start()
    qtbot.waitUntil(lambda: painted.seen, timeout=10_000)
    assert not painted.compare_there, "the comparison waits for the rows' first paint"
    assert painted.pending_shown, "its place is there, empty"
    assert painted.requests == [], "the sign-in waits for the rows' first paint too"

    compare = window.compare  # built by now or at once: the same for the user
    qtbot.waitUntil(lambda: compare.isVisible(), timeout=10_000)
    pending = window.findChild(QWidget, "pendingComparison")
    assert pending is None or not pending.isVisible(), "the comparison took its place"
    assert window.splitter.sizes() == painted.sizes, "the split stays where it was painted"
    assert "as of" in compare.header.text(), "the comparison names the cached list"
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        pass  # the stored sign-in, then every project checked again
    assert any(r.path.startswith("/rest/") for r in procore.server.requests)
    assert window.projects.select_project(LINCOLN)
    assert window.compare.model.rowCount() > 300
    shot(window, tmp_path / "screenshots", "staged-start")
    window.close()
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)


def test_a_shortcut_typed_before_the_rest_is_built_does_its_work(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    first_session(qtbot, tmp_path)

    window = staged_window(qtbot, tmp_path)
    window.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    window.start()
    assert window.findChild(QTableView, "compareView") is None, "typed before it is built"
    QTest.keySequence(window, QKeySequence("Ctrl+D"))  # Differences Only: the comparison's
    assert window.action("differences").isChecked()
    assert window.compare.differences_only.isChecked()
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Find))
    qtbot.waitUntil(lambda: window.compare.search.hasFocus(), timeout=5_000)

    with qtbot.waitSignal(window.controller.cached_shown, timeout=10_000):
        pass  # the start goes on as usual
    assert len(window.projects.model.rows()) == 12
    QTest.keyClick(window.compare.search, Qt.Key.Key_Escape)
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        pass
    assert window.action("refresh_all").isEnabled()
    window.close()
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)


def test_a_staged_start_with_nothing_cached_signs_in_and_builds_the_rest(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    window = staged_window(qtbot, tmp_path)  # no earlier session: nothing to paint first
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.start()
    assert window.findChild(QTableView, "compareView") is not None
    assert len(window.projects.model.rows()) == 12
    window.close()
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)


def test_after_a_staged_start_the_demo_opened_later_starts_at_once(
    qtbot: QtBot, isolated_home: Path, keyring_backend: MemoryKeyring, tmp_path: Path
) -> None:
    window = staged_window(qtbot, tmp_path)  # nobody signed in, nothing cached
    window.start()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.start_page, timeout=30_000)
    with qtbot.waitSignal(window.checks_finished, timeout=120_000):
        window.start_page.demo_clicked.emit()  # Open the Demo, long after the first paint
    assert len(window.projects.model.rows()) == 12
    window.close()
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)


def test_a_window_closed_before_its_first_paint_starts_no_sign_in(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    first_session(qtbot, tmp_path)
    procore.server.clear_requests()

    window = staged_window(qtbot, tmp_path)
    window.start()
    window.close()  # at once: the cached rows are not even read yet
    qtbot.waitUntil(lambda: window.first_paint.done, timeout=10_000)
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)
    # A sign-in started at that paint would be on the worker now, and asking Procore.
    qtbot.waitUntil(lambda: not window.controller.worker.busy, timeout=30_000)
    assert procore.server.requests == []
