"""A Refresh click answers at once: the banner and the rows marked busy are on screen before
the run's thread starts. (A pool thread running Python holds the GIL, and a paint that runs
beside it waits for it at each of its calls into Python: the click's answer came late.)"""

from __future__ import annotations

import sys
import threading
from types import FrameType
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.services import bulk
from costcode_desktop.ui.history.window import HistoryWindow
from costcode_desktop.ui.kit import paint
from costcode_desktop.ui.kit.worker import Job, Worker
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_the_banner_is_painted_before_the_refresh_starts_working(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = PaintCounter()
    window.banner.installEventFilter(counter)
    seen: dict[str, Any] = {}
    real = bulk.refresh_many

    def watched(*args: Any, **kwargs: Any) -> Any:
        # Read on the worker, the moment the run starts: what had the user seen by then?
        seen["banner_paints"] = counter.paints
        seen["banner_text"] = window.banner.message.text()
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "refresh_many", watched)
    assert window.projects.select_project(LINCOLN)
    qtbot.wait(50)  # the selection painted
    before = counter.paints
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
    assert seen["banner_paints"] > before, "the run started before the banner was on screen"
    assert "Refreshing cost codes on" in seen["banner_text"]


def test_a_job_started_after_the_paint_is_busy_and_cancellable_at_once(qtbot: QtBot) -> None:
    worker = Worker()
    started = threading.Event()
    results: list[object] = []

    def work(job: Job) -> bool:
        started.set()
        return job.cancel.cancelled

    with qtbot.waitSignal(worker.busy_changed, timeout=5_000) as busy:
        job = worker.submit(work, on_result=results.append, after_paint=True)
    assert busy.args == [True]
    assert worker.busy
    assert not started.is_set(), "its thread waits for the next turn of the event loop"
    job.cancel.cancel()  # a Cancel in the same turn as the click reaches the job
    qtbot.waitUntil(lambda: not worker.busy, timeout=5_000)
    assert results == [True]


def test_waiting_for_the_pool_starts_a_job_still_waiting_for_its_turn(qtbot: QtBot) -> None:
    worker = Worker()
    ran = threading.Event()
    worker.submit(lambda job: ran.set(), after_paint=True)
    assert worker.wait_for_done(5_000)
    assert ran.is_set()


class PaintProbe(QLabel):
    """Records, at each paint, whether the paint was served from the window's Python filter."""

    def __init__(self) -> None:
        super().__init__("probe")
        self.served_from_python: list[bool] = []

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        frame: FrameType | None = sys._getframe(1)
        found = False
        while frame is not None:
            found = found or frame.f_code is paint._PaintFromPython.eventFilter.__code__
            frame = frame.f_back
        self.served_from_python.append(found)
        super().paintEvent(event)


def repainted(qtbot: QtBot, probe: PaintProbe) -> bool:
    qtbot.waitUntil(lambda: bool(probe.served_from_python))  # shown: the window's first paint
    before = len(probe.served_from_python)
    probe.update()  # as a model's change does: Qt paints it on a later turn of the loop
    qtbot.waitUntil(lambda: len(probe.served_from_python) > before)
    return probe.served_from_python[-1]


def test_the_main_window_paints_inside_one_python_call(
    plain_window: MainWindow, qtbot: QtBot
) -> None:
    """Its paint holds the GIL throughout: a table's hundreds of calls into Python do not each
    wait for the pool's threads (300 ms instead of 5 beside one busy thread)."""
    probe = PaintProbe()
    plain_window.statusBar().addPermanentWidget(probe)
    qtbot.waitExposed(plain_window)
    assert repainted(qtbot, probe)


def test_the_history_window_paints_inside_one_python_call(qtbot: QtBot) -> None:
    window = HistoryWindow(Worker(), lambda: None, 1, "sandbox")
    qtbot.addWidget(window)
    probe = PaintProbe()
    layout = window.layout()
    assert layout is not None
    layout.addWidget(probe)
    window.show()
    qtbot.waitExposed(window)
    assert repainted(qtbot, probe)


def test_a_window_without_the_filter_is_painted_from_the_event_loop(qtbot: QtBot) -> None:
    """The probe itself: without the filter, the paint does not come from Python."""
    window = QWidget()
    qtbot.addWidget(window)
    probe = PaintProbe()
    QVBoxLayout(window).addWidget(probe)
    window.show()
    qtbot.waitExposed(window)
    assert not repainted(qtbot, probe)
