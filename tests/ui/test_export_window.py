"""Exporting from the window: where the save dialog opens, what the file holds, the window's
colours in the workbook, the note with Open and Show in Folder, and a folder it may not write."""

from __future__ import annotations

import csv
import errno
import os
from collections.abc import Callable
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from costcode_desktop.services.export import COLUMNS
from costcode_desktop.ui.main import export_flow
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN

Dialog = Callable[..., tuple[str, str]]


def fake_dialog(answer: Path, asked: list[str]) -> Dialog:
    def get_save_file_name(_parent: object, _title: str, start: str, _filters: str) -> tuple:
        asked.append(start)
        return str(answer), ""

    return get_save_file_name


def exported(window: MainWindow, qtbot: QtBot, kind: str) -> None:
    with qtbot.waitSignal(window.exports.saved, timeout=30_000):
        window.choose_export(kind)


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_save_dialog_opens_in_documents_then_in_the_last_folder(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.projects.select_project(LINCOLN)
    asked: list[str] = []
    target = tmp_path / "exports" / "lincoln.csv"
    target.parent.mkdir()
    monkeypatch.setattr(export_flow.QFileDialog, "getSaveFileName", fake_dialog(target, asked))
    exported(window, qtbot, "csv")
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(asked[0]).parent == Path(documents)
    assert Path(asked[0]).name.endswith("Lincoln Elementary School Addition cost codes.csv")
    assert Path(asked[0]).parent != Path.cwd()

    exported(window, qtbot, "xlsx")
    assert Path(asked[1]).parent == target.parent, "the last folder used"
    assert window.settings is not None
    assert window.settings.value(export_flow.LAST_FOLDER_KEY) == str(target.parent)


def test_the_csv_holds_what_the_table_shows_and_says_so(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    total = window.compare.model.rowCount()
    window.compare.differences_only.setChecked(True)
    shown = window.compare.model.rowCount()
    assert 0 < shown < total
    path = tmp_path / "shown.csv"
    with qtbot.waitSignal(window.exports.saved, timeout=30_000):
        assert window.export(path)
    rows = csv_rows(path)
    start = rows.index(list(COLUMNS))
    title = {row[0]: row[1] for row in rows[:start] if len(row) == 2}
    assert title["Lines"] == f"The {shown} lines shown in the window (Differences only) of {total}"
    assert len(rows) - start - 1 == shown
    model = window.compare.model
    codes = [model.index(r, 1).data().strip() for r in range(shown)]
    assert [row[1].lstrip("'") for row in rows[start + 1 :]] == codes

    window.compare.search.setText("flooring")
    window.compare._apply_search()  # as the search's short pause would
    assert window.compare.model.rowCount() < shown
    with qtbot.waitSignal(window.exports.saved, timeout=30_000):
        assert window.export(path)
    rows = csv_rows(path)
    start = rows.index(list(COLUMNS))
    assert len(rows) - start - 1 == window.compare.model.rowCount()
    assert 'Differences only; search "flooring"' in rows[start - 3][1]


def test_the_workbook_has_the_windows_row_colours(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, appearance: Callable[[str], None]
) -> None:
    appearance("light")
    assert window.projects.select_project(LINCOLN)
    path = tmp_path / "lincoln.xlsx"
    with qtbot.waitSignal(window.exports.saved, timeout=30_000):
        assert window.export(path)
    sheet = openpyxl.load_workbook(path).active
    header_row = next(c.row for c in sheet["A"] if c.value == "Status" and c.font.bold)
    model = window.compare.model
    for row in range(model.rowCount()):
        painted = model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole)
        cell = sheet.cell(header_row + 1 + row, 1)
        if painted is None:
            assert cell.fill.fill_type is None, "no colour in the window, none in the file"
        else:
            assert isinstance(painted, QColor)
            assert cell.fill.fgColor.rgb[-6:] == painted.name()[1:].upper(), row


def test_after_saving_open_and_show_in_folder(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    opened: list[Path] = []
    shown: list[Path] = []
    window.exports.open_file = opened.append
    window.exports.show_in_folder = shown.append
    path = tmp_path / "lincoln.csv"
    with qtbot.waitSignal(window.exports.saved, timeout=30_000):
        assert window.export(path)
    note = window.exported_note
    assert note.isVisible()
    assert note.text.textFormat() == Qt.TextFormat.PlainText
    assert note.text.text() == f"Saved all {window.compare.model.rowCount()} lines to {path}"
    qtbot.mouseClick(note.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(note.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [path]
    assert shown == [path]
    qtbot.mouseClick(note.close_button, Qt.MouseButton.LeftButton)
    assert not note.isVisible()


def test_an_export_into_a_folder_it_may_not_write_leaves_nothing_and_says_what_to_do(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.projects.select_project(LINCOLN)
    folder = tmp_path / "locked"
    folder.mkdir()

    def refused(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refused)
    with qtbot.waitSignal(window.controller.failed, timeout=30_000):
        assert window.export(folder / "lincoln.xlsx")
    assert os.listdir(folder) == []
    message = window.banner.message.text()
    assert "Could not write 'lincoln.xlsx'" in message
    assert "Choose another folder and export again." in message
    assert not window.exported_note.isVisible()


def test_show_in_folder_selects_the_file_where_the_system_can(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(export_flow.subprocess, "Popen", started.append)
    path = tmp_path / "a b.csv"
    monkeypatch.setattr(export_flow.sys, "platform", "win32")
    export_flow.show_in_folder(path)
    monkeypatch.setattr(export_flow.sys, "platform", "darwin")
    export_flow.show_in_folder(path)
    assert started == [["explorer", f"/select,{path}"], ["open", "-R", str(path)]]
    opened: list[str] = []
    monkeypatch.setattr(export_flow.sys, "platform", "linux")
    monkeypatch.setattr(
        export_flow.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile())
    )
    export_flow.show_in_folder(path)
    assert opened == [str(tmp_path)]
