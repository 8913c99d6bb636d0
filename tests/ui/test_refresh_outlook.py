"""The comparison says exactly what a refresh will do, and draws what it leaves quietly.

Issue 14, section 3: Oakmont read "In sync" above three amber locked rows styled like fixable
ones, and the unsupported 02 410 was red on projects that already have it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.sandbox.demo import (
    CEDAR_RIDGE_FIRE_STATION,
    HARBORVIEW_APARTMENTS,
    LINCOLN_ELEMENTARY,
    OAKMONT_WATER_PLANT,
    RIVERSIDE_CLINIC,
    SUMMIT_RIDGE_DATA_CENTER,
)
from costcode_desktop.ui.compare.model import COL_COMPANY_NAME, COL_PROJECT_NAME, COL_STATUS
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.roles import DIFF_STATUS_ROLE, WORD_DIFF_ROLE
from costcode_desktop.ui.main.window import MainWindow

from .conftest import shot

Role = Qt.ItemDataRole


def outlook_of(window: MainWindow, project_id: int) -> str:
    assert window.projects.select_project(project_id)
    assert window.compare.outlook.isVisible()
    assert window.compare.outlook.textFormat() is Qt.TextFormat.PlainText
    return window.compare.outlook.text()


def row_of(window: MainWindow, full_code: str) -> int:
    model = window.compare.model
    return next(i for i in range(model.rowCount()) if model.row_at(i).full_code == full_code)


def cell(window: MainWindow, full_code: str, column: int, role: int = Role.DisplayRole) -> object:
    model = window.compare.model
    return model.index(row_of(window, full_code), column).data(role)


def muted_colour() -> object:
    return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)


def test_the_sentence_says_what_a_refresh_will_do(window: MainWindow, qtbot: QtBot) -> None:
    assert outlook_of(window, LINCOLN_ELEMENTARY) == (
        "Refresh will add 2 codes and fix 2 descriptions."
    )
    assert outlook_of(window, OAKMONT_WATER_PLANT) == (
        "Refresh will add 2 codes and fix 1 description; 3 descriptions locked by Sage 300 CRE "
        "stay as they are."
    )
    assert outlook_of(window, HARBORVIEW_APARTMENTS) == (
        "Refresh will add 4 codes; 1 unsupported code stays as it is."
    )
    assert outlook_of(window, CEDAR_RIDGE_FIRE_STATION) == (
        "Refresh will add 1 code; 3 codes only on the project stay as they are."
    )
    assert outlook_of(window, RIVERSIDE_CLINIC) == (
        "Nothing to refresh: the project matches the company list."
    )
    # The counts of each kind follow, with what stays apart from what a refresh fixes.
    window.projects.select_project(OAKMONT_WATER_PLANT)
    assert window.compare.summary.text() == (
        "+ 2 missing · ≠ 1 differs · ◆ 0 only on project · ✓ 299 in sync · ≠ 3 locked by "
        "Sage 300 CRE"
    )


def test_after_a_refresh_the_locked_descriptions_are_said_to_stay(
    window: MainWindow, qtbot: QtBot
) -> None:
    """What testers saw: 'In sync with the company list' above three amber locked rows."""
    assert window.projects.select_project(OAKMONT_WATER_PLANT)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000) as finished:
        window.refresh_flow.refresh_selected()
    assert [r.outcome.value for r in finished.args[0].results] == ["refreshed"]
    qtbot.waitUntil(
        lambda: (
            window.compare.outlook.text()
            == "Nothing to refresh: 3 descriptions locked by Sage 300 CRE stay as they are."
        ),
        timeout=5_000,
    )


def test_a_project_the_user_may_not_change_is_said_to_be_skipped(
    window: MainWindow, qtbot: QtBot
) -> None:
    assert outlook_of(window, SUMMIT_RIDGE_DATA_CENTER) == "Refresh will add 4 codes."
    summit = window.controller.status(SUMMIT_RIDGE_DATA_CENTER)
    assert summit is not None
    with qtbot.waitSignal(window.controller.permissions_checked, timeout=30_000):
        window.controller.check_permissions([summit.project])
    assert window.compare.outlook.text() == (
        "Refresh will skip this project: Procore says you may not change its cost codes, so "
        "nothing is sent."
    )


def test_rows_a_refresh_leaves_are_muted_and_not_coloured_as_fixes(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(OAKMONT_WATER_PLANT)
    grey, orange = theme.colour(theme.GREY), theme.colour(theme.ORANGE)
    for locked in ("02-200", "02-300", "03-210"):
        # The narrow column says "ERP" for every connector; the tooltip names the one in use.
        assert cell(window, locked, COL_STATUS) == "≠ Locked by ERP, stays"
        for column in (COL_STATUS, COL_COMPANY_NAME, COL_PROJECT_NAME):
            assert cell(window, locked, column, Role.BackgroundRole) == grey
            assert cell(window, locked, column, Role.ForegroundRole) == muted_colour()
        assert cell(window, locked, COL_PROJECT_NAME, WORD_DIFF_ROLE) is None, "no emphasis"
        tip = str(cell(window, locked, COL_STATUS, Role.ToolTipRole))
        assert "a refresh leaves it as it is" in tip
        assert tip.startswith("Locked by the Sage 300 CRE connector: ")
    # The description a refresh fixes keeps the look of a fix.
    assert cell(window, "01-010", COL_STATUS) == "≠ Differs"
    assert cell(window, "01-010", COL_STATUS, Role.BackgroundRole) == orange
    assert cell(window, "01-010", COL_STATUS, Role.ForegroundRole) is None
    window.compare.differences_only.setChecked(True)  # the locked rows beside the fixes
    shot(window.compare, tmp_path / "screenshots", "compare-oakmont")

    assert window.projects.select_project(HARBORVIEW_APARTMENTS)  # lacks 02 410
    assert cell(window, "02 410", COL_STATUS) == "⊘ Unsupported, stays"
    assert cell(window, "02 410", COL_STATUS, DIFF_STATUS_ROLE) is DiffStatus.UNSUPPORTED
    assert cell(window, "02 410", COL_STATUS, Role.BackgroundRole) == grey
    assert cell(window, "02 410", COL_STATUS, Role.BackgroundRole) != theme.colour(
        theme.VERMILLION
    ), "not drawn as an error"
    assert cell(window, "02 410", COL_STATUS, Role.ForegroundRole) == muted_colour()
    shot(window.compare, tmp_path / "screenshots", "compare-harborview")

    assert window.projects.select_project(LINCOLN_ELEMENTARY)
    shot(window.compare, tmp_path / "screenshots", "compare-lincoln")


def test_an_unsupported_code_the_project_already_has_is_fine(
    window: MainWindow, qtbot: QtBot
) -> None:
    """02 410 is on both lists in ten projects: nothing needs sending, so no red, no warning."""
    assert window.projects.select_project(RIVERSIDE_CLINIC)
    assert cell(window, "02 410", COL_STATUS, DIFF_STATUS_ROLE) is DiffStatus.IN_SYNC
    assert cell(window, "02 410", COL_STATUS) == "✓ In sync"
    assert cell(window, "02 410", COL_STATUS, Role.BackgroundRole) is None
    tip = str(cell(window, "02 410", COL_STATUS, Role.ToolTipRole))
    assert "the project has it already: nothing to send" in tip
    window.compare.differences_only.setChecked(True)
    assert window.compare.model.rowCount() == 0, "no difference to show"
    assert window.compare.summary.text().endswith("✓ 305 in sync")
