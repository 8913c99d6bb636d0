"""The Qt binding must not corrupt Python's reference counts (PySide6 6.12.0 on Python 3.11 did).

Every processEvents() and Signal.emit() there dropped a reference to None or to a bool; after
enough of them the interpreter aborts ("deallocating None"), taking the user's session with it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

ROUNDS = 2_000


class _Emitter(QObject):
    happened = Signal(object)


def test_process_events_and_emit_keep_reference_counts(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    emitter = _Emitter()
    received: list[object] = []
    emitter.happened.connect(received.append)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(ROUNDS):
        app.processEvents()
        emitter.happened.emit(None)
        emitter.happened.emit(1)
    received.clear()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    drift = [b - a for a, b in zip(before, after, strict=True)]
    assert all(abs(d) < ROUNDS // 2 for d in drift), f"reference counts drifted by {drift}"
