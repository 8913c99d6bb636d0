"""Bigger text (a larger system font, Windows' "Make text bigger"): nothing is clipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.kit.sizing import DESIGN_FONT_HEIGHT, scaled_size
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN, scaled_text, shot


@pytest.fixture
def big_text(qapp: QApplication) -> Iterator[QFont]:
    """A font twice the usual size for the test; the usual one back afterwards."""
    with scaled_text(qapp, 2) as big:
        yield big


def tables(window: MainWindow) -> list[QTableView]:
    return [window.projects.view, window.compare.view]


def assert_fits(view: QTableView) -> None:
    header = view.horizontalHeader()
    words = header.fontMetrics()
    for column in range(header.count()):
        if view.isColumnHidden(column):  # Cost types gives way on narrow windows: no header
            continue
        name = str(view.model().headerData(column, header.orientation()))
        needed = words.horizontalAdvance(name) + 8
        if header.sortIndicatorSection() == column and header.isSortIndicatorShown():
            needed = header.sectionSizeHint(column)  # Qt's own room for words and arrow
        assert header.sectionSize(column) >= needed, (
            f"{view.objectName()}: the '{name}' header is cut off"
        )
    rows = view.verticalHeader().defaultSectionSize()
    assert rows >= view.fontMetrics().height() + 4, f"{view.objectName()}: rows clip the text"


def test_the_usual_font_fits_too(window: MainWindow) -> None:
    for view in tables(window):
        assert_fits(view)


def test_twice_the_text_size_scales_rows_and_columns(
    big_text: QFont, window: MainWindow, tmp_path: Path
) -> None:
    assert window.projects.view.fontMetrics().height() > 1.5 * DESIGN_FONT_HEIGHT
    assert window.projects.select_project(LINCOLN)
    for view in tables(window):
        assert_fits(view)
    shot(window, tmp_path / "screenshots", "big-text")


def test_windows_open_bigger_with_bigger_text_but_stay_on_the_screen(
    qapp: QApplication, big_text: QFont, qtbot: QtBot
) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    scale = widget.fontMetrics().height() / DESIGN_FONT_HEIGHT
    assert scale > 1.5
    assert scaled_size(widget, 100, 50) == QSize(round(100 * scale), round(50 * scale))
    screen = qapp.primaryScreen().availableGeometry()
    huge = scaled_size(widget, 5000, 5000)
    assert huge.width() <= screen.width() * 0.9
    assert huge.height() <= screen.height() * 0.9


def test_a_smaller_font_keeps_the_design_sizes(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    small = widget.font()
    small.setPointSizeF(6)
    widget.setFont(small)
    assert widget.fontMetrics().height() < DESIGN_FONT_HEIGHT
    assert scaled_size(widget, 300, 200) == QSize(300, 200), "never shrunk below the design"
