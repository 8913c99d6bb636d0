"""Each ERP connector's code rules in the window: the demo's Acumatica company refuses `/`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.sandbox import demo
from costcode_desktop.sandbox.server import SandboxServer
from costcode_desktop.ui.compare.model import COL_STATUS
from costcode_desktop.ui.main.window import MainWindow
from tests.keyring_memory import MemoryKeyring

from .conftest import HARBORVIEW, shot
from .signin_support import fill

SHOTS = "screenshots"


def switch_to(window: MainWindow, qtbot: QtBot, name: str) -> None:
    """File → Switch Company, as a user does, then wait for every project to be checked."""
    window.choose_company()
    dialog = window.company_dialog
    assert dialog is not None
    dialog.setTextValue(next(t for t in dialog.comboBoxItems() if t.startswith(name)))
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.accept()
    assert name in window.signed_in.text()


def row_of(window: MainWindow, full_code: str) -> tuple[DiffStatus, str]:
    """A comparison row's status and the tooltip of its status cell, as a user reads them."""
    model = window.compare.model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).full_code == full_code)
    index = model.index(row, COL_STATUS)
    return model.row_at(row).status, str(index.data(0x03))  # Qt.ToolTipRole


def test_acumatica_company_flags_slash_codes_as_unsupported(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(HARBORVIEW)  # Example Builders: Sage 300 CRE
    assert "Sage 300 CRE code rules: only / - and . between sections" in (
        window.compare.header.text()
    )

    switch_to(window, qtbot, "Example Builders West")
    assert window.projects.select_project(demo.HARBOR_POINT_MEDICAL)
    header = window.compare.header.text()
    assert "Acumatica Standard Cost Code List" in header
    assert "Acumatica code rules: only - between sections" in header
    for code in demo.ACUMATICA_SLASH_CODES:
        status, tip = row_of(window, code)
        assert status is DiffStatus.UNSUPPORTED
        assert tip.startswith("Acumatica cannot send this code. ")
        assert "The code uses '/' as a separator; Acumatica allows only -" in tip
    assert row_of(window, "01-200")[0] is DiffStatus.MISSING
    # What the count leaves out names the company's ERP, as the legend of costcode-sync does
    # (the count is redrawn a moment after the last status: waited for).
    qtbot.waitUntil(
        lambda: (
            "Descriptions locked by Acumatica, codes Acumatica cannot send"
            in window.projects.count_label.toolTip()
        ),
        timeout=5_000,
    )
    assert window.compare.outlook.text() == (
        "Refresh will add 1 code; 2 unsupported codes stay as they are."
    )
    path = shot(window, tmp_path / SHOTS, "acumatica-slash-code-unsupported")
    assert path.stat().st_size > 0


def test_the_connection_settings_choice_overrides_the_lists_name(
    window: MainWindow,
    qtbot: QtBot,
    sandbox: SandboxServer,
    keyring_backend: MemoryKeyring,
) -> None:
    switch_to(window, qtbot, "Example Builders West")
    assert window.projects.select_project(demo.HARBOR_POINT_MEDICAL)
    assert row_of(window, "03/300")[0] is DiffStatus.UNSUPPORTED

    dialog = window.show_connection_settings()
    fill(dialog, sandbox, 8765, "browser")
    dialog.erp_connector.setCurrentIndex(dialog.erp_connector.findData("sage300"))
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted

    assert window.projects.select_project(demo.HARBOR_POINT_MEDICAL)
    assert "Sage 300 CRE code rules" in window.compare.header.text()
    for code in demo.ACUMATICA_SLASH_CODES:  # Sage 300 CRE takes `/`: a refresh adds them
        assert row_of(window, code)[0] is DiffStatus.MISSING
    assert window.compare.outlook.text() == "Refresh will add 3 codes."
