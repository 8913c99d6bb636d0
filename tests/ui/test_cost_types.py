"""Cost types (issue 15, section 2): the comparison shows each code's cost types beside the
company's defaults, and after a refresh the window lists the codes left without a cost type,
what to do in Procore and where. The real window on the demo sandbox."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services.text import isolated
from costcode_desktop.ui.compare.model import COL_COST_TYPES, COL_PROJECT_CODE, HEADERS
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.main.window import MainWindow

from .conftest import HARBORVIEW, shot

SHOTS = "screenshots"
RIVERSIDE = 562949953421312  # cost types edited on 03-300 and 09-900


def comparison_cell(window: MainWindow, full_code: str, role: int = 0) -> str:
    model = window.compare.model
    row = next(
        r
        for r in range(model.rowCount())
        if model.index(r, COL_PROJECT_CODE).data().strip() == full_code
    )
    return str(model.index(row, COL_COST_TYPES).data(role or Qt.ItemDataRole.DisplayRole))


def test_the_comparison_shows_each_codes_cost_types_and_a_difference_from_the_company(
    window: MainWindow,
) -> None:
    assert HEADERS[COL_COST_TYPES] == "Cost types"
    assert window.projects.select_project(RIVERSIDE)
    assert comparison_cell(window, "01-010") == "L"
    tip = comparison_cell(window, "01-010", Qt.ItemDataRole.ToolTipRole)
    assert "Company default: L Labor" in tip
    assert "On the project: L Labor" in tip
    # 03-300 has Material only on the project; the company's default differs: shown and marked.
    assert comparison_cell(window, "03-300") == "≠ M"
    tip = comparison_cell(window, "03-300", Qt.ItemDataRole.ToolTipRole)
    assert "On the project: M Material" in tip
    assert "Company default: " in tip
    assert "not the company's defaults" in tip
    model = window.compare.model
    row = next(
        r
        for r in range(model.rowCount())
        if model.index(r, COL_PROJECT_CODE).data().strip() == "03-300"
    )
    look = model.look(row, COL_COST_TYPES)
    assert look is theme.COST_TYPES_DIFFER_LOOK, "a difference is highlighted"
    assert model.look(row - 1, COL_COST_TYPES) is None, "codes that agree are not"
    # On a wide screen the column is on view; the strip under the table always gives both.
    window.resize(1920, 1080)
    QApplication.processEvents()
    assert not window.compare.view.isColumnHidden(COL_COST_TYPES)
    window.compare.view.selectRow(row)
    strip = window.compare.detail
    assert strip.project_types.text() == "Cost types: M"
    assert strip.company_types.text().startswith("Cost types: ")
    assert strip.company_types.text() != "Cost types: M"


def test_after_a_refresh_the_codes_without_cost_type_are_listed_with_a_link_to_procore(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    opened: list[str] = []
    window.url_opener = opened.append
    assert window.projects.select_project(HARBORVIEW)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()
        dialog = window.refresh_flow.before_refresh_dialog  # "02 410" cannot be sent
        assert dialog is not None
        dialog.button(QMessageBox.StandardButton.Ok).click()

    checklist = window.result_panel.checklist
    assert checklist.isVisible()
    texts = [label.text() for label in checklist.findChildren(QLabel)]
    assert texts == [
        f"☐ 4 new codes in {isolated('Harborview Apartments')} have no cost type. In Procore: "
        "Project Admin → "
        "Cost Code Cost Type Assignments → assign cost types, then Resend the Project Cost Codes "
        "to ERP (Admin → General → Re-send to ERP); an accounting approver then updates the job "
        "in ERP Integrations."
    ]
    label = checklist.findChild(QLabel, "costTypeTodoText")
    assert label is not None
    assert label.textFormat() is Qt.TextFormat.PlainText
    assert "01-016, 03-360, 18, 18-100" in label.toolTip()
    # The new codes show with no cost type in the comparison, against the company's defaults.
    assert comparison_cell(window, "03-360") == "≠ (none)"
    button = checklist.findChild(QPushButton, "costTypeOpenInProcore")
    assert button is not None
    button.click()
    assert opened == [f"{sandbox.url}/{HARBORVIEW}/project/admin"]
    shot(window, tmp_path / SHOTS, "after-refresh-cost-types")
