"""The window on a Procore that refuses the deprecated List Standard Cost Code Lists, as it does
for new applications (rest_api_lifecycle.md): the company list comes through WBS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.services import ProjectState
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN

LEGACY = "/rest/v1.0/standard_cost_code_lists"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """conftest's window, on a sandbox that denies the deprecated call."""
    limits = RateLimitConfig(hourly=0, spike=0)
    server = SandboxServer(demo_seed(), rate_limits=limits, refuse_deprecated=True).start()
    yield server
    server.stop()


def test_the_window_loads_checks_and_refreshes_without_the_deprecated_call(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    found = {row.project.id: row.status.state for row in window.projects.model.rows() if row.status}
    assert len(found) == 12
    assert list(found.values()).count(ProjectState.OUT_OF_DATE) == 8

    assert window.projects.select_project(LINCOLN)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
    assert [r.outcome.value for r in finished.args[0].results] == ["refreshed"]
    assert window.projects.model.row_for(LINCOLN).status.state is ProjectState.IN_SYNC

    paths = [r.path for r in sandbox.requests]
    assert LEGACY not in paths, "never needed, so never asked"
    assert any(p.endswith("/work_breakdown_structure/segments") for p in paths)
