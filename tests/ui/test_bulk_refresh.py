"""Refreshing every out-of-date project from the window: preview, progress, skips, retry."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from costcode_desktop.procore.records import Project
from costcode_desktop.sandbox import FaultConfig, SandboxServer
from costcode_desktop.services import ProjectState
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN, PINECREST, SUMMIT, GuiThreadGuard, shot


def states(window: MainWindow) -> dict[int, ProjectState | None]:
    return {
        row.project.id: (row.status.state if row.status else None)
        for row in window.projects.model.rows()
    }


def test_refresh_all_out_of_date_projects(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    sandbox.faults = FaultConfig(latency=0.03)
    assert window.action("refresh_all").isEnabled()
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.table.rowCount() == 7  # the 8 out-of-date projects but the inactive one
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert not any("Pinecrest" in name for name in names)
    dialog.grab().save(str(tmp_path / "bulk-dialog.png"))
    dialog.concurrency.setValue(3)

    title = window.windowTitle()
    titles: list[str] = []
    window.windowTitleChanged.connect(titles.append)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        dialog.accept()
        assert window.banner.property("state") == "working"
        assert "of 7 projects done" in window.banner.message.text()
        shot(window, tmp_path, "bulk-running")
    # The taskbar button and Alt+Tab show the progress, then the usual title comes back.
    assert titles == [f"{n} of 7 done — {title}" for n in range(8)] + [title]
    assert title == "CostCodeSync — Example Builders"
    run = finished.args[0]
    outcomes = {r.project.id: r.outcome.value for r in run.results}
    assert len(outcomes) == 7
    assert outcomes[SUMMIT] == "refused"  # no Admin there: skipped with its reason
    assert {v for k, v in outcomes.items() if k != SUMMIT} == {"refreshed"}
    assert window.banner.property("state") == "hidden", "skips are not failures"
    found = states(window)
    assert found[LINCOLN] is ProjectState.IN_SYNC
    assert found[SUMMIT] is ProjectState.OUT_OF_DATE
    assert found[PINECREST] is ProjectState.OUT_OF_DATE, "inactive projects only by hand"
    assert "6 of 7 projects refreshed" in window.statusBar().currentMessage()
    assert window.action("refresh_all").isEnabled(), "Summit Ridge is still out of date"


def test_failed_projects_can_be_retried_alone(
    window: MainWindow, sandbox: SandboxServer, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    guard.fail_copies_for = {LINCOLN}
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        dialog.accept()
    run = finished.args[0]
    failed = [r.project.id for r in run.results if r.outcome.value == "failed"]
    assert failed == [LINCOLN]
    assert window.banner.property("state") == "error"
    assert window.banner.retry_button.isVisible()
    headline = window.banner.message.text()
    assert headline.startswith("1 of 7 projects could not be refreshed. 'Lincoln Elementary")
    shot(window, tmp_path, "bulk-failed")

    guard.fail_copies_for = set()
    sandbox.clear_requests()
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as again:
        qtbot.mouseClick(window.banner.retry_button, Qt.MouseButton.LeftButton)
    retried = again.args[0]
    assert [r.project.id for r in retried.results] == [LINCOLN]
    assert retried.results[0].outcome.value == "refreshed"
    assert states(window)[LINCOLN] is ProjectState.IN_SYNC
    writes = {r.query.get("project_id", [""])[0] for r in sandbox.requests if r.method != "GET"}
    assert writes <= {str(LINCOLN), ""}, "only the failed project was sent again"


def test_history_shows_what_a_refresh_did(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    assert window.projects.select_project(LINCOLN)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()
    history = window.show_history()  # reads on the worker, then fills in
    qtbot.waitUntil(lambda: history.runs_model.rowCount() == 1, timeout=30_000)
    run_id = history.listed_run_ids()[0]
    assert history.select_run(run_id)
    # The window selects the newest run by itself: its details may be in before the click.
    qtbot.waitUntil(
        lambda: history.shown_details is not None and history.shown_details.run.id == run_id,
        timeout=30_000,
    )
    assert history.projects_model.rowCount() == 1
    history.resize(1100, 700)
    history.grab().save(str(tmp_path / "history-after-refresh.png"))


def test_the_concurrency_chosen_for_a_run_is_kept_for_the_next(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    real = window.controller.refresh

    def spy(projects: list[Project], *, concurrency: int = 3) -> bool:
        asked.append(concurrency)
        return real(projects, concurrency=concurrency)

    monkeypatch.setattr(window.controller, "refresh", spy)
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    dialog.concurrency.setValue(1)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        dialog.accept()
    assert window.projects.select_project(LINCOLN)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()
    assert asked == [1, 1]


@pytest.mark.parametrize(("active", "alerts"), [(False, 1), (True, 0)])
def test_a_finished_refresh_calls_back_someone_working_elsewhere(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, active: bool, alerts: int
) -> None:
    called: list[object] = []
    monkeypatch.setattr(QApplication, "alert", lambda widget, msec=0: called.append(widget))
    monkeypatch.setattr(MainWindow, "isActiveWindow", lambda self: active)
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        dialog.accept()
    assert called == [window] * alerts
