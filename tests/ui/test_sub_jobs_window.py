"""Sub jobs (Sage Extras) in the window, on the demo sandbox: Riverside Clinic (23-104) is in
sync, and so is its E01; its E02 lacks 18 and 18-100 and has one description edited."""

from __future__ import annotations

from itertools import product
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox import demo as d
from costcode_desktop.services import ProjectState
from costcode_desktop.ui.kit.roles import DIFF_STATUS_ROLE, TARGET_KEY_ROLE
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import (
    COL_CHECKED,
    COL_DIFFERS,
    COL_NAME,
    COL_NUMBER,
    COL_STATUS,
)

from .conftest import shot

RIVERSIDE = d.RIVERSIDE_CLINIC
E01 = (RIVERSIDE, d.RIVERSIDE_EXTRA_IN_SYNC)
E02 = (RIVERSIDE, d.RIVERSIDE_EXTRA_OUT_OF_DATE)


def shown_keys(window: MainWindow) -> list[object]:
    proxy = window.projects.proxy
    keys = [proxy.index(row, 0).data(TARGET_KEY_ROLE) for row in range(proxy.rowCount())]
    return [tuple(k) if isinstance(k, list | tuple) else k for k in keys]


def test_a_projects_sub_jobs_are_rows_below_it_with_their_own_state(
    window: MainWindow, tmp_path: Path
) -> None:
    model = window.projects.model
    jobs = {row.key: row for row in model.sub_job_rows(RIVERSIDE)}
    assert set(jobs) == {E01, E02}
    assert jobs[E01].status is not None
    assert jobs[E01].status.state is ProjectState.IN_SYNC
    e02 = jobs[E02]
    assert e02.status is not None
    assert e02.status.state is ProjectState.OUT_OF_DATE
    assert (e02.count(DiffStatus.MISSING), e02.count(DiffStatus.DESCRIPTION_DIFFERS)) == (2, 1)
    assert e02.display[COL_NUMBER] == "↳ E02"
    assert e02.display[COL_NAME] == "Owner Change Extras"
    riverside = model.row_for(RIVERSIDE)
    assert riverside is not None
    assert riverside.status is not None
    assert riverside.status.state is ProjectState.IN_SYNC  # its own list, not its sub jobs'
    assert len(model.rows()) == 12  # the projects; the count line counts them

    keys = shown_keys(window)
    at = keys.index(RIVERSIDE)
    assert keys[at + 1 : at + 3] == [E01, E02]
    assert window.projects.select_target(E02)
    path = shot(window, tmp_path / "screenshots", "sub-jobs")
    assert path.stat().st_size > 0


def test_sorting_and_filtering_keep_sub_jobs_under_their_project(window: MainWindow) -> None:
    view = window.projects.view
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        view.sortByColumn(COL_STATUS, order)
        keys = shown_keys(window)
        at = keys.index(RIVERSIDE)
        assert sorted(keys[at + 1 : at + 3]) == sorted([E01, E02]), order
    window.projects.out_of_date_only.setChecked(True)
    keys = shown_keys(window)
    assert E02 in keys
    assert E01 not in keys
    assert keys[keys.index(E02) - 1] == RIVERSIDE  # shown with its project
    window.projects.out_of_date_only.setChecked(False)
    window.projects.search.setText("owner change")
    assert shown_keys(window) == [RIVERSIDE, E02]


def test_rows_set_while_the_sort_is_held_come_in_the_order_the_sort_keeps_after(
    window: MainWindow,
) -> None:
    """A staged start paints its cached rows before the proxy sorts (ProjectsFilter.hold_sort):
    the model orders them as the sort would, so nothing moves when the sort is released."""
    view, proxy, c = window.projects.view, window.projects.proxy, window.controller

    def reset() -> list[object]:  # the start's reset, from rows in another order (the cache's)
        window.projects.model.set_projects(
            list(reversed(c.state.projects)),
            c.state.last_refreshed,
            c.statuses,
            c.marks,
            c.sub_job_statuses,
        )
        return shown_keys(window)

    columns = (COL_NUMBER, COL_NAME, COL_STATUS, COL_DIFFERS, COL_CHECKED)
    orders = (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)
    for column, order in product(columns, orders):
        view.sortByColumn(column, order)
        sorted_by_the_proxy = reset()
        proxy.hold_sort()
        assert reset() == sorted_by_the_proxy, (column, order)
        proxy.release_sort()
        assert shown_keys(window) == sorted_by_the_proxy, (column, order)
        assert proxy.sortColumn() == column
        assert proxy.sortOrder() == order


def test_selecting_a_sub_job_compares_its_own_list(window: MainWindow) -> None:
    assert window.projects.select_target(E02)
    model = window.compare.model
    rows = {
        model.row_at(i).full_code: model.index(i, 0).data(DIFF_STATUS_ROLE)
        for i in range(model.rowCount())
    }
    assert rows["18"] is DiffStatus.MISSING
    assert rows["01-010"] is DiffStatus.DESCRIPTION_DIFFERS
    assert "23-104 / E02 Owner Change Extras" in window.compare.header.text()


def test_refreshing_a_project_refreshes_its_sub_jobs_one_history_entry_each(
    window: MainWindow, qtbot: QtBot
) -> None:
    assert window.projects.select_project(RIVERSIDE)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        window.refresh_flow.refresh_selected()
    run = finished.args[0]
    assert [(r.sub_job.id if r.sub_job else None) for r in run.results] == [None, E01[1], E02[1]]
    e02 = window.projects.model.row_for(E02)
    assert e02 is not None
    assert e02.status is not None
    assert e02.status.state is ProjectState.IN_SYNC
    history = window.controller.history
    assert history is not None
    (summary,) = history.runs()
    entries = history.run_details(summary.id).projects
    assert [(e.project_id, e.sub_job_id) for e in entries] == [
        (RIVERSIDE, None),
        E01,
        E02,
    ]


def test_refreshing_a_selected_sub_job_refreshes_it_alone(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_target(E02)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        window.refresh_flow.refresh_selected()
    run = finished.args[0]
    assert [(r.project.id, r.sub_job.id if r.sub_job else None) for r in run.results] == [E02]
    assert "23-104 / E02 Owner Change Extras" in window.compare.header.text()
    assert window.compare.summary.text()  # the comparison of what was read back is shown


def test_the_option_off_leaves_sub_jobs_out(window: MainWindow, qtbot: QtBot) -> None:
    window.action("include_sub_jobs").setChecked(False)
    assert not window.controller.include_sub_jobs
    assert window.projects.select_project(RIVERSIDE)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        window.refresh_flow.refresh_selected()
    assert [r.sub_job for r in finished.args[0].results] == [None]


def sub_job_lists_read(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.requests if r.path == "/rest/v1.0/sub_jobs")


def test_reload_lists_sub_jobs_again_and_a_load_by_itself_does_not(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    """The window's own loads (a start, another company, Procore back) take the sub job lists
    the first check kept; Reload (F5), asked for by the user, lists each project's again."""
    sandbox.clear_requests()
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        window.controller.reload()
    assert sub_job_lists_read(sandbox) == 0
    assert window.projects.model.row_for(E02) is not None  # still there, from the kept list

    sandbox.clear_requests()
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        window.action("reload").trigger()
    assert sub_job_lists_read(sandbox) == 10  # one per compared project of the demo
    assert window.projects.model.row_for(E02) is not None
