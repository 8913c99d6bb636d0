"""Quitting: during a refresh the window asks, and never freezes while the work winds down."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import FaultConfig, SandboxServer
from costcode_desktop.services import ProjectState
from costcode_desktop.ui.main.quit_question import QuitQuestion
from costcode_desktop.ui.main.window import MainWindow

from .conftest import GuiThreadGuard, shot

SHOTS = "screenshots"


class GapMeter:
    """A 10 ms timer on the GUI thread: the longest gap between its ticks is the longest time
    the GUI thread was busy (a frozen window shows as one long gap)."""

    def __init__(self) -> None:
        self.ticks = 0
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1

    def stop(self) -> None:
        self._timer.stop()
        self._tick()


def _out_of_date(window: MainWindow) -> list[object]:
    c = window.controller
    return [s.project for s in c.statuses.values() if s.state is ProjectState.OUT_OF_DATE]


def _start_slow_refresh(window: MainWindow, sandbox: SandboxServer, qtbot: QtBot) -> int:
    """Refresh every out-of-date project, one at a time, against a slow server."""
    projects = _out_of_date(window)
    assert len(projects) >= 4
    sandbox.faults = FaultConfig(latency=0.08)
    with qtbot.waitSignal(window.controller.project_refreshed, timeout=60_000):
        assert window.controller.refresh(projects, concurrency=1)  # type: ignore[arg-type]
    return len(projects)


def _quit(window: MainWindow) -> None:
    window.action("quit").trigger()  # Ctrl+Q / Cmd+Q / the File menu's Exit


def _quit_during_a_slow_refresh(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> tuple[int, QuitQuestion]:
    """Quit while a slow refresh runs: how many projects it refreshes, and the question asked."""
    total = _start_slow_refresh(window, sandbox, qtbot)
    _quit(window)
    question = window.quit_question
    assert question is not None
    return total, question


def test_quitting_during_a_refresh_asks_and_keep_working_keeps_it_running(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    total, question = _quit_during_a_slow_refresh(window, sandbox, qtbot)
    assert question.isVisible()
    assert question.windowModality() is Qt.WindowModality.WindowModal, "opened with open()"
    buttons = [b.text().replace("&", "") for b in (question.finish, question.stop, question.keep)]
    assert buttons == ["Finish, Then Quit", "Stop After the Current Project", "Keep Working"]
    assert window.isVisible()
    assert window.controller.refreshing
    shot(question, tmp_path / SHOTS, "quit-question")
    print(f"screenshot: {tmp_path / SHOTS / 'quit-question.png'}")
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        question.keep.click()
    assert len(finished.args[0].results) == total, "Keep Working: the whole run goes on"
    assert window.isVisible(), "and the window stays"
    assert not window.controller.is_shut_down


def test_finish_then_quit_refreshes_every_project_then_closes(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    total, question = _quit_during_a_slow_refresh(window, sandbox, qtbot)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        question.finish.click()
        assert window.isVisible(), "the window stays while the run finishes"
        _quit(window)  # asking again while it finishes changes nothing
    run = finished.args[0]
    assert len(run.results) == total
    assert not run.not_started
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)
    assert not window.isVisible()


def test_stop_after_the_current_project_quits_without_freezing(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    total, question = _quit_during_a_slow_refresh(window, sandbox, qtbot)
    meter = GapMeter()
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        question.stop.click()
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)
    meter.stop()
    run = finished.args[0]
    assert run.cancelled
    assert run.not_started, "projects not started are left alone"
    assert len(run.results) + len(run.not_started) == total
    assert not window.isVisible()
    # A figure for the report (not asserted: no wall-clock limits in tests).
    print(f"longest GUI-thread gap while winding down: {meter.longest * 1000:.1f} ms")


def test_closing_while_checks_run_does_not_wait_on_the_network(
    window: MainWindow, sandbox: SandboxServer, guard: GuiThreadGuard, qtbot: QtBot
) -> None:
    """The 3.8 s freeze: the GUI thread waited for the workers and closed the session itself."""
    session = window.controller.session
    assert session is not None
    closed_at: list[int] = []
    meter = GapMeter()
    original_close = session.close

    def close() -> None:
        closed_at.append(meter.ticks)
        original_close()

    object.__setattr__(session, "close", close)  # a frozen dataclass: patched for this test
    sandbox.faults = FaultConfig(latency=0.3)
    sent = guard.requests
    window.reload()  # every project is read again, slowly
    qtbot.waitUntil(lambda: guard.requests > sent)  # a request is on its way: 0.3 s to go
    ticks_at_close = meter.ticks
    assert window.close(), "no refresh running: the window closes at once, no question"
    assert not window.isVisible()
    assert window.quit_question is None
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)
    meter.stop()
    assert closed_at, "the session is closed"
    assert closed_at[0] > ticks_at_close, "the window kept answering while the work stopped"
    print(f"longest GUI-thread gap while closing during checks: {meter.longest * 1000:.1f} ms")
