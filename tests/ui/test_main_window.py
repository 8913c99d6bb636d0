"""The real window, driven as a user would, on the sandbox over loopback."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.sandbox import FaultConfig, SandboxServer
from costcode_desktop.services import ProjectState
from costcode_desktop.services.text import without_isolates
from costcode_desktop.ui.compare.model import COL_COMPANY_NAME, COL_PROJECT_NAME
from costcode_desktop.ui.kit.roles import DIFF_STATUS_ROLE, WORD_DIFF_ROLE
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import COL_DIFFERS, COL_MISSING, COL_STATUS

from .conftest import HARBORVIEW, LINCOLN, PINECREST, SUMMIT, TRANSIT, GuiThreadGuard, shot

SHOTS = "screenshots"


def states(window: MainWindow) -> dict[int, ProjectState | None]:
    return {
        row.project.id: (row.status.state if row.status else None)
        for row in window.projects.model.rows()
    }


def compare_rows(window: MainWindow) -> list[tuple[str, DiffStatus]]:
    model = window.compare.model
    return [
        (model.row_at(i).full_code, model.index(i, 0).data(DIFF_STATUS_ROLE))
        for i in range(model.rowCount())
    ]


def test_window_lists_projects_with_their_state(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    found = states(window)
    assert len(found) == 12
    assert None not in found.values(), "every project was checked"
    assert list(found.values()).count(ProjectState.OUT_OF_DATE) == 8  # one of them inactive
    assert found[TRANSIT] is ProjectState.NOT_ERP_INTEGRATED
    assert without_isolates(window.signed_in.text()) == (
        "Signed in as A. P. Clerk · Example Builders · Demo"
    )
    count = window.projects.count_label  # counted once per turn of the event loop
    expected = "12 projects · 7 out of date (+1 inactive) · 1 sub job out of date"
    qtbot.waitUntil(lambda: count.text() == expected, timeout=1_000)

    window.projects.out_of_date_only.setChecked(True)
    # The 7 counted (the active ones), and Riverside Clinic (in sync) above its sub job E02,
    # which is out of date.
    assert window.projects.proxy.rowCount() == 7 + 2
    window.projects.search.setText("lincoln")
    assert window.projects.proxy.rowCount() == 1
    window.projects.search.clear()
    window.projects.out_of_date_only.setChecked(False)
    assert window.projects.proxy.rowCount() == 12 + 2  # Riverside Clinic's sub jobs
    shot(window, tmp_path / SHOTS, "1-loaded")


def test_selecting_a_project_shows_its_differences(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_project(LINCOLN)
    rows = dict(compare_rows(window))
    assert rows["01-016"] is DiffStatus.MISSING
    assert rows["01-010"] is DiffStatus.DESCRIPTION_DIFFERS
    assert rows["02 410"] is DiffStatus.IN_SYNC  # on both lists: nothing to send
    assert window.compare.outlook.text() == "Refresh will add 2 codes and fix 2 descriptions."
    assert "Lincoln Elementary School Addition" in window.compare.header.text()

    model = window.compare.model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).full_code == "01-010")
    project_spans = model.index(row, COL_PROJECT_NAME).data(WORD_DIFF_ROLE)
    company_spans = model.index(row, COL_COMPANY_NAME).data(WORD_DIFF_ROLE)
    assert "".join(text for text, _ in project_spans) == "Project Manager - J. Smith"
    assert [text for text, changed in project_spans if changed] == [" - J. Smith"]
    assert not any(changed for _, changed in company_spans)

    window.compare.differences_only.setChecked(True)
    assert {status for _, status in compare_rows(window)} <= {
        DiffStatus.MISSING,
        DiffStatus.DESCRIPTION_DIFFERS,
        DiffStatus.ONLY_ON_PROJECT,
    }
    window.compare.search.setText("safety")
    qtbot.waitUntil(lambda: window.compare.model.rowCount() == 1)
    assert compare_rows(window) == [("01-016", DiffStatus.MISSING)]


def test_refresh_shows_the_green_banner_then_the_project_in_sync(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    sandbox.faults = FaultConfig(latency=0.05)
    assert window.projects.select_project(LINCOLN)
    assert window.refresh_button.isEnabled()
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
        assert window.banner.isVisible()
        assert window.banner.property("state") == "working"
        assert "Refreshing cost codes on 'Lincoln Elementary School Addition'" in (
            without_isolates(window.banner.message.text())
        )
        assert not window.action("refresh").isEnabled(), "one refresh at a time"
        assert window.projects.view.isEnabled(), "the rest of the window stays usable"
        shot(window, tmp_path / SHOTS, "2-refreshing")

    run = finished.args[0]
    assert [r.outcome.value for r in run.results] == ["refreshed"]
    assert window.banner.property("state") == "hidden"
    assert not window.banner.isVisible()
    assert states(window)[LINCOLN] is ProjectState.IN_SYNC
    assert window.compare.comparison is not None
    assert window.compare.comparison.in_sync
    assert "Verified" in window.statusBar().currentMessage()
    assert "added 2 codes and updated 2 descriptions" in window.statusBar().currentMessage()
    codes = {c["full_code"]: c["name"] for c in sandbox.project_cost_codes(LINCOLN)}
    assert codes["01-016"] == "Safety Manager"
    row = window.projects.model.row_for(LINCOLN)
    assert row is not None
    assert row.last_refreshed is not None
    shot(window, tmp_path / SHOTS, "3-refreshed")


def test_cancel_stops_before_the_next_project(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    sandbox.faults = FaultConfig(latency=0.15)
    window.action("include_sub_jobs").setChecked(False)  # projects only: this counts them
    window.projects.out_of_date_only.setChecked(True)
    window.projects.view.selectAll()
    stale = window.projects.selected_projects()
    assert len(stale) == 7  # the active out-of-date ones
    window.refresh_flow.refresh_selected()
    assert "02 410" in _dialog_text(window)  # Harborview lacks the unsupported code
    with qtbot.waitSignal(window.controller.project_refreshed, timeout=30_000):
        _answer(window, QMessageBox.StandardButton.Ok)
    qtbot.mouseClick(window.banner.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        pass
    run = finished.args[0]
    assert run.cancelled
    assert 1 <= len(run.results) < 7
    assert len(run.results) + len(run.not_started) == 7
    assert "Cancelled" in window.statusBar().currentMessage()
    # Projects never started are checked again, and end in a definite state.
    qtbot.waitUntil(lambda: None not in states(window).values(), timeout=30_000)
    for project in run.not_started:
        assert states(window)[project.id] is ProjectState.OUT_OF_DATE
    assert window.banner.property("state") == "hidden"


def test_missing_permission_is_shown_as_no_access_and_changes_nothing(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    before = sandbox.project_cost_codes(SUMMIT)
    assert window.projects.select_project(SUMMIT)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        window.refresh_flow.refresh_selected()
    panel = window.result_panel
    assert panel.isVisible()
    reason = panel.lines[0].reason
    assert "You need 'Admin' on the Admin tool of 'Summit Ridge Data Center'" in (
        without_isolates(reason)
    )
    assert "Nothing was sent." in reason
    assert sandbox.project_cost_codes(SUMMIT) == before
    assert states(window)[SUMMIT] is ProjectState.NO_ACCESS
    shot(window, tmp_path / SHOTS, "4-no-access")
    qtbot.mouseClick(panel.dismiss, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()


def _dialog_text(window: MainWindow) -> str:
    dialog = window.refresh_flow.before_refresh_dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog.text()


def _answer(window: MainWindow, button: QMessageBox.StandardButton) -> None:
    dialog = window.refresh_flow.before_refresh_dialog
    assert dialog is not None
    dialog.button(button).click()


def test_refusals_are_explained_before_anything_is_sent(
    window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.clear_requests()
    assert window.projects.select_project(TRANSIT)
    window.refresh_flow.refresh_selected()
    text = _dialog_text(window)
    assert "Nothing was sent to Procore." in text
    assert "not connected to Sage 300 CRE" in text
    _answer(window, QMessageBox.StandardButton.Ok)
    assert not window.controller.refreshing
    assert [r for r in sandbox.requests if r.method != "GET"] == []


def test_export_writes_files_a_spreadsheet_opens(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    csv_path, xlsx_path = tmp_path / "lincoln.csv", tmp_path / "lincoln.xlsx"
    for path in (csv_path, xlsx_path):
        with qtbot.waitSignal(window.controller.export_finished, timeout=30_000):
            assert window.export(path)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    start = next(i for i, r in enumerate(rows) if r[:1] == ["Status"])
    assert rows[start][:3] == ["Status", "Company code", "Company description"]
    assert len(rows) == start + 1 + window.compare.model.rowCount()
    assert any(r[1:2] == ["'01-016"] and r[0] == "Missing from project" for r in rows)
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    values = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "Lincoln Elementary School Addition" in " ".join(values)
    assert "01-016" in values
    assert window.exported_note.text.text().startswith("Saved all ")


def test_window_layout_is_remembered(window: MainWindow, settings: QSettings, qtbot: QtBot) -> None:
    window.splitter.setSizes([500, 1000])
    window.compare.differences_only.setChecked(True)
    sizes = window.splitter.sizes()
    window.save_settings()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    again.resize(window.size())
    again.show()
    assert again.compare.differences_only.isChecked()
    # The panes share the room once the splitter has laid out for its width (next turn).
    qtbot.waitUntil(lambda: abs(again.splitter.sizes()[0] - sizes[0]) <= 5, timeout=5_000)


def test_no_network_call_ever_runs_on_the_gui_thread(
    window: MainWindow, guard: GuiThreadGuard, qtbot: QtBot
) -> None:
    before = guard.requests
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        window.reload()
    assert window.projects.select_project(PINECREST)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        window.refresh_flow.refresh_selected()
    assert guard.requests > before, "the work did reach the server"
    assert guard.violations == []


def test_plain_start_without_a_session_says_what_to_do(qtbot: QtBot, settings: QSettings) -> None:
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.show_sign_in_pending()
    assert win.start_page.isVisible()
    assert win.start_page.sign_in_button.text() == "Sign in to Procore"
    assert win.start_page.demo_button.text() == "Open the Demo"
    assert win.signed_in.text() == "Not signed in"
    assert win.action("demo").isEnabled()
    assert not win.action("refresh").isEnabled()


def test_counts_add_up_to_the_state_and_locked_descriptions_are_explained(
    window: MainWindow,
) -> None:
    model = window.projects.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).project.name.startswith("Oak"))

    def cell(column: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(row, column).data(role)

    # Oakmont: 2 missing, 01-010 edited, and 3 descriptions the Sage connector locks.
    assert cell(COL_STATUS) == "● 3 differences"
    assert (cell(COL_MISSING), cell(COL_DIFFERS)) == ("2", "1")
    assert cell(COL_DIFFERS, Qt.ItemDataRole.ToolTipRole) == (
        "3 more descriptions differ but are locked by the Sage 300 CRE connector: "
        "a refresh leaves them."
    )


def test_the_screenshot_shows_an_active_project_with_several_kinds_of_difference(
    window: MainWindow,
) -> None:
    # The inactive 22-088 comes first and Harborview (missing codes only) next; Lincoln is the
    # first active project with both missing codes and edited descriptions.
    assert window.select_most_telling_project()
    assert window.projects.current_project_id() == LINCOLN
    assert [p.id for p in window.projects.selected_projects()] == [LINCOLN]


@pytest.mark.skipif(sys.platform == "win32", reason="offscreen smoke test")
def test_screenshot_flag_writes_a_png(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "costcode-desktop"
    target = tmp_path / "window.png"
    env = {"COSTCODESYNC_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    import os

    done = subprocess.run(
        [str(exe), "--demo", "--screenshot", str(target)],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_codes_that_cannot_be_sent_are_explained_and_cancel_sends_nothing(
    window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.clear_requests()
    assert window.projects.select_project(HARBORVIEW)
    window.refresh_flow.refresh_selected()
    text = _dialog_text(window)
    assert "cannot be sent to Procore and will be skipped" in text
    assert "02 410" in text
    assert "space as a separator" in text
    _answer(window, QMessageBox.StandardButton.Cancel)
    assert not window.controller.refreshing
    assert [r for r in sandbox.requests if r.method != "GET"] == []


def test_help_opens_the_log_folder(window: MainWindow, isolated_home: Path) -> None:
    opened: list[str] = []
    window.url_opener = opened.append
    window.action("log_folder").trigger()
    assert opened == [(isolated_home / "log").as_uri()]
