from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.dialogs.crash import CrashReporter
from costcode_desktop.ui.dialogs.crash_dialog import APOLOGY, CrashDialog

TOKEN = "abcdefghijklmnop"


def report(qtbot: QtBot, reporter: CrashReporter, message: str) -> str:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        with qtbot.waitSignal(reporter.reported, timeout=5_000) as shown:
            reporter.handle(type(exc), exc, exc.__traceback__)
    details = shown.args[0]
    assert isinstance(details, str)
    return details


def shown_dialog(reporter: CrashReporter) -> CrashDialog:
    assert reporter.dialog is not None
    assert reporter.dialog.isVisible()
    return reporter.dialog


def test_an_unexpected_error_gets_a_plain_dialog_with_masked_details(qtbot: QtBot) -> None:
    reporter = CrashReporter()
    details = report(qtbot, reporter, f"boom while sending Authorization: Bearer {TOKEN}")
    assert "RuntimeError: boom" in details
    assert TOKEN not in details
    assert "CostCodeSync " in details
    assert "Python " in details
    assert "Qt " in details
    dialog = shown_dialog(reporter)
    assert dialog.apology.text() == APOLOGY
    assert dialog.details.isVisible(), "the details are in view, not behind a button"
    assert dialog.details.toPlainText() == details
    dialog.close()


def test_the_details_can_be_copied_without_the_secret(qtbot: QtBot) -> None:
    reporter = CrashReporter()
    report(qtbot, reporter, f"refresh_token={TOKEN} was rejected")
    dialog = shown_dialog(reporter)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "was rejected" in copied
    assert TOKEN not in copied
    assert dialog.copy_button.text() == "Copied"
    qtbot.waitUntil(lambda: dialog.copy_button.text() == "&Copy Details", timeout=5_000)
    dialog.close()


def test_a_second_error_joins_the_open_dialog(qtbot: QtBot) -> None:
    reporter = CrashReporter()
    report(qtbot, reporter, "first problem")
    first = shown_dialog(reporter)
    report(qtbot, reporter, "second problem")
    assert reporter.dialog is first
    text = first.details.toPlainText()
    assert "first problem" in text
    assert "second problem" in text
    first.close()


def test_an_error_in_a_worker_thread_reaches_the_gui_thread(qtbot: QtBot) -> None:
    reporter = CrashReporter()

    def fail() -> None:
        try:
            raise ValueError("in a thread")
        except ValueError as exc:
            reporter.handle(type(exc), exc, exc.__traceback__)

    with qtbot.waitSignal(reporter.reported, timeout=5_000) as shown:
        thread = threading.Thread(target=fail)
        thread.start()
        thread.join()
    assert "ValueError: in a thread" in shown.args[0]
    shown_dialog(reporter).close()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_click_handler_shows_the_dialog(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    window = QWidget()
    qtbot.addWidget(window)
    reporter = CrashReporter(window)
    reporter.install()
    button = QPushButton("Go", window)

    def broken() -> None:
        raise LookupError("a bug behind a button")

    button.clicked.connect(broken)
    window.show()
    with qtbot.waitSignal(reporter.reported, timeout=5_000) as shown:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "LookupError: a bug behind a button" in shown.args[0]
    dialog = shown_dialog(reporter)
    assert dialog.parent() is window
    dialog.close()


def test_open_log_folder_opens_the_folder_of_the_log(qtbot: QtBot, isolated_home: Path) -> None:
    reporter = CrashReporter()
    report(qtbot, reporter, "something odd")
    dialog = shown_dialog(reporter)
    opened: list[QUrl] = []
    dialog.open_url = opened.append
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(isolated_home / "log")]
    assert str(isolated_home / "log" / "costcodesync.log") in dialog.details.toPlainText()
    dialog.close()
