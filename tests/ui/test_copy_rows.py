"""Ctrl+C on a table copies the selected rows as text a spreadsheet pastes into cells."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.kit.copy_rows import enable_row_copy, selected_rows_text
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN


def press_copy(qtbot: QtBot, view: QTableView) -> str:
    view.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    return QGuiApplication.clipboard().text()


def test_comparison_rows_copy_with_their_column_names(window: MainWindow, qtbot: QtBot) -> None:
    assert window.projects.select_project(LINCOLN)
    view = window.compare.view
    view.selectRow(3)  # 01-010, whose description differs
    text = press_copy(qtbot, view)
    assert text == "≠ Differs\t01-010\tProject Manager\t01-010\tProject Manager - J. Smith"
    assert window.statusBar().currentMessage() == "Copied 1 row to the clipboard."

    for row in (1, 2, 3):
        view.selectionModel().select(
            view.model().index(row, 0),
            view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
        )
    lines = press_copy(qtbot, view).split("\n")
    assert lines[0] == (
        "Status\tCompany code\tCompany description\tProject code\tProject description"
    )
    assert [line.split("\t")[1] for line in lines[1:]] == ["01-000", "01-002", "01-010"]
    assert window.statusBar().currentMessage() == "Copied 3 rows to the clipboard."


def test_select_all_then_copy_gives_every_project(window: MainWindow, qtbot: QtBot) -> None:
    view = window.projects.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    lines = press_copy(qtbot, view).split("\n")
    assert lines[0].startswith("Number\tProject\tStatus\tActive\tChecked\tMissing")
    assert len(lines) == 1 + 12 + 2  # the projects, and Riverside Clinic's two sub jobs
    assert any(line.startswith("↳ E02\tOwner Change Extras\t") for line in lines)
    assert [action.text() for action in view.actions()] == ["&Copy", "Select &All"]
    assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu


def test_cells_stay_cells_and_formulas_stay_text(qtbot: QtBot) -> None:
    model = QStandardItemModel(2, 2)
    model.setHorizontalHeaderLabels(["Code", "Description"])
    for row, values in enumerate(
        [("01-100", '=HYPERLINK("http://x","click")'), ("01-200", "two\tparts\nand a line")]
    ):
        for column, value in enumerate(values):
            model.setItem(row, column, QStandardItem(value))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    enable_row_copy(view)
    view.selectAll()
    text, count = selected_rows_text(view)
    assert count == 2
    assert text.split("\n") == [
        "Code\tDescription",
        '01-100\t\'=HYPERLINK("http://x","click")',
        "01-200\ttwo parts and a line",
    ]
