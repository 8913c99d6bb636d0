from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from costcode_desktop.ui.crash import APOLOGY, CrashReporter


def test_an_unexpected_error_gets_a_plain_dialog_with_masked_details(qtbot: QtBot) -> None:
    reporter = CrashReporter()
    try:
        raise RuntimeError("boom while sending Authorization: Bearer abcdefghijklmnop")
    except RuntimeError as exc:
        with qtbot.waitSignal(reporter.reported, timeout=5_000) as shown:
            reporter.handle(type(exc), exc, exc.__traceback__)
    details = shown.args[0]
    assert "RuntimeError: boom" in details
    assert "abcdefghijklmnop" not in details
    assert reporter.dialog is not None
    assert reporter.dialog.isVisible()
    assert reporter.dialog.text() == APOLOGY
    reporter.dialog.close()


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
    assert reporter.dialog is not None
    reporter.dialog.close()
