"""Failures and refusals stay visible (issue 14, section 1): a failed refresh keeps its row out of
date with its last comparison and the reason, a partial write shows when it was made, a project
the user may not change is *No access* and left out of Refresh All, and a run's result stays on
screen until dismissed. The real window on the demo sandbox."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services import ProjectState
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import (
    COL_CHECKED,
    COL_DIFFERS,
    COL_LAST_REFRESHED,
    COL_MISSING,
    COL_STATUS,
)

from .conftest import LINCOLN, SUMMIT, GuiThreadGuard, refresh_all, shot

SHOTS = "screenshots"
SUMMIT_NAME = "Summit Ridge Data Center"


def cell(window: MainWindow, project_id: int, column: int, role: int = 0) -> str:
    model = window.projects.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).project.id == project_id)
    return str(model.index(row, column).data(role or Qt.ItemDataRole.DisplayRole))


def listed(window: MainWindow) -> set[int]:
    """The projects the (filtered) list shows."""
    proxy = window.projects.proxy
    model = window.projects.model
    return {
        model.row_at(proxy.mapToSource(proxy.index(r, 0)).row()).project.id
        for r in range(proxy.rowCount())
    }


def test_a_refresh_that_cannot_reach_procore_keeps_the_row_out_of_date_and_says_why(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    window.projects.out_of_date_only.setChecked(True)
    assert window.projects.select_project(LINCOLN)
    shown = window.compare.model.rowCount()
    sandbox.stop()  # the network goes
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()

    status = window.controller.status(LINCOLN)
    assert status is not None
    assert status.state is ProjectState.OUT_OF_DATE
    assert cell(window, LINCOLN, COL_STATUS).startswith("⚠ Refresh failed ")
    tip = cell(window, LINCOLN, COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("⚠ Last refresh failed ")
    assert " — could not reach Procore. " in tip
    assert "4 differences" in tip, "the tooltip says what the kept comparison found"
    assert (cell(window, LINCOLN, COL_MISSING), cell(window, LINCOLN, COL_DIFFERS)) == ("2", "2")
    assert cell(window, LINCOLN, COL_CHECKED).startswith("⚠ as of ")
    assert LINCOLN in listed(window), "still in the Out of date only list"
    count = window.projects.count_label
    qtbot.waitUntil(lambda: "7 out of date" in count.text(), timeout=5_000)  # active ones
    assert window.compare.model.rowCount() == shown, "the last comparison stays"
    assert "could not reach Procore" in window.compare.notice.text()
    # The header no longer claims the company list was just read.
    header = window.compare.header.company.text()
    assert " · as of " in header
    assert " · read " not in header
    panel = window.result_panel
    assert panel.isVisible()
    assert [line.word for line in panel.lines] == ["Failed"]
    assert not panel.try_again.isVisible(), "offline: the banner's Try Again is the one"
    assert panel.lines[0].name.endswith("Lincoln Elementary School Addition")
    assert panel.lines[0].reason.startswith("Could not reach Procore.")
    shot(window, tmp_path / SHOTS, "failed-row")


def test_a_write_that_fails_part_way_shows_what_was_written_and_that_it_failed(
    window: MainWindow, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    assert cell(window, LINCOLN, COL_LAST_REFRESHED) == ""
    guard.fail_copies_for = {LINCOLN}  # the codes cannot be added; the descriptions can
    assert window.projects.select_project(LINCOLN)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        window.refresh_flow.refresh_selected()
    result = finished.args[0].results[0]
    assert result.outcome.value == "failed"
    assert len(result.updated) == 2

    assert cell(window, LINCOLN, COL_LAST_REFRESHED) != "", "2 descriptions were written"
    assert cell(window, LINCOLN, COL_STATUS).startswith("⚠ Refresh failed ")
    tip = cell(window, LINCOLN, COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("⚠ Last refresh failed ")
    assert " — 2 changes not made: Procore had a problem answering (a server error). " in tip
    assert (cell(window, LINCOLN, COL_MISSING), cell(window, LINCOLN, COL_DIFFERS)) == ("2", "0")
    assert window.result_panel.lines[0].word == "Failed"
    assert window.result_panel.lines[0].reason.startswith("Updated 2 descriptions. 2 codes failed.")

    history = window.show_history()
    qtbot.waitUntil(lambda: history.runs_model.rowCount() == 1, timeout=30_000)
    qtbot.waitUntil(lambda: history.shown_details is not None, timeout=30_000)
    assert history.shown_details is not None
    entry = history.shown_details.projects[0]
    assert (entry.outcome.value, entry.updated) == ("failed", 2)
    history.close()

    # A reload reads Last refreshed from the history: the partial write is still there, and a
    # check that succeeds ends the failure's mark.
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.reload()
    assert cell(window, LINCOLN, COL_LAST_REFRESHED) != ""
    assert cell(window, LINCOLN, COL_STATUS) == "● 2 differences"


def test_a_project_without_admin_is_no_access_and_left_out_of_refresh_all(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    assert cell(window, SUMMIT, COL_STATUS) == "● 4 differences"
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    assert dialog.table.rowCount() == 7
    # The permission check finds no Admin on Summit Ridge: it leaves the preview and its counts.
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 6, timeout=30_000)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert not any(SUMMIT_NAME in name for name in names)
    assert dialog.title.text() == "Refresh 6 out-of-date projects?"
    assert dialog.go_button.text() == "Refresh 6 Projects"
    assert dialog.left_out.isVisible()
    assert dialog.left_out.text() == f"1 project left out: no access — {SUMMIT_NAME}."
    assert "skipped" not in dialog.heading.text()
    shot(dialog, tmp_path / SHOTS, "bulk-left-out")

    assert cell(window, SUMMIT, COL_STATUS) == "⊘ No access"
    tip = cell(window, SUMMIT, COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert "You need 'Admin'" in tip
    assert SUMMIT not in {s.project.id for s in window.refresh_flow._out_of_date()}
    count = window.projects.count_label
    expected = "6 out of date (+1 inactive) · 1 no access"
    qtbot.waitUntil(lambda: expected in count.text(), timeout=5_000)

    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        dialog.accept()
    run = finished.args[0]
    assert SUMMIT not in {r.project.id for r in run.results}, "not sent, not counted as skipped"
    assert len(run.results) == 6
    assert window.projects.select_project(SUMMIT)
    notice = window.compare.notice
    assert notice.isVisible()
    assert notice.text().startswith("⊘ No access — You need 'Admin'")
    shot(window, tmp_path / SHOTS, "no-access-row")
    window.projects.out_of_date_only.setChecked(True)
    assert SUMMIT not in listed(window), "nothing to act on: not in the out-of-date list"
    window.projects.out_of_date_only.setChecked(False)

    # Not offered again: nothing is left to refresh, and the window says why.
    assert not window.action("refresh_all").isEnabled()
    assert window.refresh_flow.refresh_all_out_of_date() is None
    assert window.statusBar().currentMessage() == (
        f"Nothing to refresh: 1 project left out: no access — {SUMMIT_NAME}."
    )


def test_a_refresh_refused_for_want_of_admin_makes_the_project_no_access(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    before = sandbox.project_cost_codes(SUMMIT)
    assert window.projects.select_project(SUMMIT)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()
    assert sandbox.project_cost_codes(SUMMIT) == before
    assert cell(window, SUMMIT, COL_STATUS) == "⊘ No access"
    assert cell(window, SUMMIT, COL_MISSING) == "4", "its comparison is kept to look at"
    lines = window.result_panel.lines
    assert [(line.word, line.name) for line in lines] == [("Skipped", f"24-080 {SUMMIT_NAME}")]
    assert "You need 'Admin'" in lines[0].reason

    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert len(names) == 6, "the other out-of-date active projects, and no more"
    assert not any(SUMMIT_NAME in name for name in names)
    assert dialog.left_out.text() == f"1 project left out: no access — {SUMMIT_NAME}."
    dialog.reject()


def test_a_runs_result_stays_until_dismissed_with_each_outcome_and_its_reason(
    window: MainWindow, sandbox: SandboxServer, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    guard.fail_copies_for = {LINCOLN}
    refresh_all(window, qtbot)  # at once: Summit Ridge is refused by the run itself
    panel = window.result_panel
    assert panel.isVisible()
    words = [line.word for line in panel.lines]
    assert words == ["Failed", "Skipped"] + ["Refreshed"] * 5
    failed, skipped = panel.lines[0], panel.lines[1]
    assert failed.name.endswith("Lincoln Elementary School Addition")
    assert "2 codes failed" in failed.reason
    assert skipped.name.endswith(SUMMIT_NAME)
    assert "You need 'Admin'" in skipped.reason
    assert panel.headline.text().startswith("Refresh of 7 projects finished ")
    assert panel.headline.text().endswith(": 5 refreshed, 1 failed, 1 skipped.")
    assert panel.list.count() == 7
    assert panel.try_again.isVisible()
    assert window.banner.property("state") == "hidden", "the panel says it, once"
    shot(window, tmp_path / SHOTS, "result-panel")

    # A check, a reload and the time that passes leave it where it is.
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.reload()
    assert panel.isVisible()
    assert panel.list.count() == 7

    qtbot.mouseClick(panel.history, Qt.MouseButton.LeftButton)
    assert window.history_window is not None
    assert window.history_window.isVisible()
    window.history_window.close()

    guard.fail_copies_for = set()
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as again:
        qtbot.mouseClick(panel.try_again, Qt.MouseButton.LeftButton)
    assert [r.project.id for r in again.args[0].results] == [LINCOLN]
    assert [line.word for line in panel.lines] == ["Refreshed"]
    assert not panel.try_again.isVisible()
    assert cell(window, LINCOLN, COL_STATUS) == "✓ In sync", "a success ends the failure's mark"

    qtbot.mouseClick(panel.dismiss, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()
