"""The window's refresh while another process (a nightly costcode-sync) refreshes the company:
the banner says whom it waits for, the window stays usable, and Cancel ends the wait."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services.refresh_lock import COMMAND, company_lock
from costcode_desktop.ui.main.window import MainWindow
from tests.sandbox_support import api_writes

from .conftest import LINCOLN, shot

WAITING = "Waiting for the refresh running in costcode-sync pid"


def test_the_banner_names_the_other_run_and_the_refresh_follows_it(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    session = window.controller.state.session
    assert session is not None
    held = company_lock(session).acquire(COMMAND)  # as costcode-sync in another process holds it
    assert held is not None
    try:
        assert window.projects.select_project(LINCOLN)
        qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: WAITING in window.banner.detail.text(), timeout=30_000)
        assert window.banner.property("state") == "working"
        assert "started at" in window.banner.detail.text()
        assert WAITING in window.statusBar().currentMessage()
        assert window.projects.view.isEnabled(), "the window stays usable while it waits"
        assert api_writes(sandbox) == [], "nothing is sent while the other run holds the lock"
        shot(window, tmp_path / "screenshots", "waiting-for-another-refresh")
    finally:
        with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
            held.release()
    run = finished.args[0]
    assert [r.outcome.value for r in run.results] == ["refreshed"]


def test_cancel_while_waiting_sends_nothing(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    session = window.controller.state.session
    assert session is not None
    held = company_lock(session).acquire(COMMAND)
    assert held is not None
    with held:
        assert window.projects.select_project(LINCOLN)
        qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: WAITING in window.banner.detail.text(), timeout=30_000)
        with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
            window.banner.cancel_requested.emit()
    run = finished.args[0]
    assert run.cancelled
    assert run.results == []
    assert [p.id for p in run.not_started] == [LINCOLN]
    assert api_writes(sandbox) == []
