"""Refreshing every out-of-date project from the window: preview, progress, skips, retry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from costcode_desktop.procore import RetryPolicy
from costcode_desktop.procore.records import Project
from costcode_desktop.sandbox import FaultConfig, SandboxServer, SimulatedTime
from costcode_desktop.sandbox.synthetic import mixed_company_seed
from costcode_desktop.services import ProjectState
from costcode_desktop.services.history.store import HistoryStore
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN, PINECREST, SUMMIT, GuiThreadGuard, make_session, refresh_all, shot


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
    assert found[SUMMIT] is ProjectState.NO_ACCESS, "refused: not out of date to act on"
    assert found[PINECREST] is ProjectState.OUT_OF_DATE, "inactive projects only by hand"
    assert "6 of 7 projects refreshed" in window.statusBar().currentMessage()
    assert not window.action("refresh_all").isEnabled(), "Summit Ridge is No access now"


def test_the_preview_counts_only_what_will_be_refreshed(window: MainWindow, qtbot: QtBot) -> None:
    """Summit Ridge (no Admin) leaves the preview once Procore has said so; the inactive
    Pinecrest is named as not included, in the words of the out-of-date rule."""
    with qtbot.waitSignal(window.controller.permissions_checked, timeout=30_000):
        dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 6, timeout=5_000)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert not any("Summit" in name for name in names)
    assert dialog.go_button.text() == "Refresh 6 Projects"
    notes = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("1 inactive project with differences is not included" in t for t in notes)
    dialog.reject()


def test_failed_projects_can_be_retried_alone(
    window: MainWindow, sandbox: SandboxServer, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    guard.fail_copies_for = {LINCOLN}
    run = refresh_all(window, qtbot)
    failed = [r.project.id for r in run.results if r.outcome.value == "failed"]
    assert failed == [LINCOLN]
    panel = window.result_panel
    assert panel.isVisible()
    assert panel.try_again.isVisible()
    assert panel.headline.text().endswith(": 5 refreshed, 1 failed, 1 skipped.")
    assert panel.lines[0].word == "Failed"
    assert panel.lines[0].name == "24-021 Lincoln Elementary School Addition"
    shot(window, tmp_path, "bulk-failed")

    guard.fail_copies_for = set()
    sandbox.clear_requests()
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as again:
        qtbot.mouseClick(panel.try_again, Qt.MouseButton.LeftButton)
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
    refresh_all(window, qtbot)
    assert called == [window] * alerts


def test_the_preview_asks_permissions_once_and_leaves_out_who_may_not_change(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    sandbox.clear_requests()
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    assert dialog.estimate.text().startswith("About ")
    assert "within Procore's limit of 600 an hour" in dialog.estimate.text()
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    summit = next(row for name, row in rows.items() if "Summit Ridge" in name)
    assert dialog.table.item(summit, 4).text() == "Checking…"
    # The permissions are asked in the background; the dialog is filled in again with them,
    # without the project the user may not change.
    qtbot.waitUntil(lambda: not dialog.preview.checking, timeout=30_000)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert len(names) == 6
    assert not any("Summit Ridge" in name for name in names)
    assert dialog.left_out.text() == "1 project left out: no access — Summit Ridge Data Center."
    others = [dialog.table.item(r, 4).text() for r in range(dialog.table.rowCount())]
    assert set(others) == {""}
    dialog.grab().save(str(tmp_path / "bulk-dialog-permissions.png"))
    asked = [r for r in sandbox.requests if r.path.endswith("/settings/permissions")]
    assert len(asked) == 7

    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        dialog.accept()
    run = finished.args[0]
    assert SUMMIT not in {r.project.id for r in run.results}
    again = [r for r in sandbox.requests if r.path.endswith("/settings/permissions")]
    assert len(again) == 7, "the run reuses the preview's answers"
    details = [r for r in sandbox.requests if r.path.startswith("/rest/v1.0/projects/")]
    assert details == [], "the run starts from the results on screen"


@pytest.fixture
def big_window(
    qtbot: QtBot, guard: GuiThreadGuard, settings: QSettings, tmp_path: Path
) -> Iterator[tuple[MainWindow, SandboxServer]]:
    """The window on a company of 300 projects under Procore's limits (simulated time)."""
    server = SandboxServer(mixed_company_seed(300, 12), simulated=SimulatedTime()).start()
    session = make_session(server, guard, RetryPolicy())  # the real wait: up to an hour
    guard.armed = True
    # This company has no sub jobs: asking each project for them (one request each) would
    # spend the hour before the run this test estimates (docs/request-budget.md, sub jobs).
    settings.setValue("projects/include_sub_jobs", False)
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.resize(1560, 880)
    win.show()
    with qtbot.waitSignal(win.checks_finished, timeout=120_000):
        win.controller.use_session(session, HistoryStore(tmp_path / "history.sqlite3"))
    yield win, server
    win.close()
    server.stop()
    assert guard.violations == [], "the GUI thread made network calls"


def test_a_run_the_hour_will_not_cover_is_announced_and_its_time_left_shown(
    big_window: tuple[MainWindow, SandboxServer], qtbot: QtBot, tmp_path: Path
) -> None:
    window, server = big_window
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.preview.checking, timeout=60_000)
    text = dialog.estimate.text()
    assert "Procore allows 600 an hour and about" in text, text
    assert "left this hour, so this takes about" in text
    assert dialog.estimate.font().bold(), "worth noticing before pressing Refresh"
    dialog.grab().save(str(tmp_path / "bulk-dialog-over-the-hour.png"))

    headlines: list[str] = []
    window.controller.refresh_estimate.connect(
        lambda _event: headlines.append(window.banner.message.text())
    )
    with qtbot.waitSignal(window.refresh_finished, timeout=120_000) as finished:
        dialog.accept()
    run = finished.args[0]
    assert not run.failed
    assert any("minutes left…" in h or "hour left…" in h for h in headlines), headlines
    assert [r for r in server.requests if r.status == 429] == []
