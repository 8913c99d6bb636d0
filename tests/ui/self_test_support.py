"""The self-test run in this process, for the tests that read what it found."""

from __future__ import annotations

import io
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from costcode_desktop.self_test import SelfTest
from costcode_desktop.ui.main.window import MainWindow


def run_self_test(qtbot: QtBot, tmp_path: Path) -> tuple[SelfTest, str]:
    """The self-test in this process, on a window of its own: the test, and what it printed."""
    window = MainWindow(settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    out = io.StringIO()
    test = SelfTest(window, tmp_path, out)
    with qtbot.waitSignal(test.finished, timeout=120_000):
        test.start()
    return test, out.getvalue()
