"""The comparison gets the room (issue 14, section 2): descriptions uncut at laptop sizes, the
projects beside it (or above it in a narrow window, or folded away), the selected line's
descriptions in full under the table, and the whole text of a cut cell in its tooltip."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextCharFormat
from PySide6.QtWidgets import QApplication, QStyle, QTableView, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.costcodes.worddiff import word_diff
from costcode_desktop.ui.compare.model import COL_COMPANY_NAME, COL_PROJECT_NAME
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import COL_NAME, COL_STATUS

from .conftest import LINCOLN, TRANSIT, scaled_text, shot

# 40 characters: a typical description, which the usual window sizes must show uncut.
TYPICAL = "Project Manager - Kitchen and Bath Works"
DESCRIPTIONS = (COL_COMPANY_NAME, COL_PROJECT_NAME)
LAPTOPS = [(1366, 768), (1280, 800)]


def settle(window: MainWindow, width: int, height: int) -> None:
    window.resize(width, height)
    for _ in range(3):  # the splitter's new orientation lays out on the next turn
        QApplication.processEvents()


def text_room(view: QTableView, width: int) -> int:
    """What a cell of `width` has for its text (the style's margins on both sides)."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
    return width - 2 * (margin + 1) - 6  # and the word-diff delegate's own 3 px a side


def on_screen(widget: QWidget, window: MainWindow) -> QRect:
    """The widget's rectangle in the window, asserting it is shown there whole."""
    assert widget.isVisible(), f"{widget.objectName()} is hidden"
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    assert window.rect().contains(rect), f"{widget.objectName()} runs out of the window"
    return rect


def select_code(window: MainWindow, code: str) -> int:
    model = window.compare.model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).full_code == code)
    window.compare.view.selectRow(row)
    return row


@pytest.fixture
def text_150(qapp: QApplication) -> Iterator[QFont]:
    """Text at 150 %, as Windows' display scaling for text gives it; the usual font after."""
    with scaled_text(qapp, 1.5) as bigger:
        yield bigger


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_laptop_sizes_show_typical_descriptions_uncut_beside_the_projects(
    qtbot: QtBot, window: MainWindow, width: int, height: int, tmp_path: Path
) -> None:
    settle(window, width, height)
    assert window.projects.select_project(LINCOLN)
    assert window.size().width() == width, "the window asks for more room than the screen"
    view = window.compare.view
    typical = QFontMetrics(view.font()).horizontalAdvance(TYPICAL)
    header = view.horizontalHeader()

    def uncut() -> bool:
        rooms = [text_room(view, header.sectionSize(c)) for c in DESCRIPTIONS]
        return min(rooms) >= typical

    # The window's new size reaches the splitter through queued resize events.
    qtbot.waitUntil(uncut, timeout=5_000)
    assert view.horizontalScrollBar().maximum() == 0, "the comparison scrolls sideways"
    projects, compare = on_screen(window.projects.view, window), on_screen(view, window)
    assert projects.right() < compare.left(), "side by side"
    assert window.projects.view.width() >= 300
    assert compare.width() > projects.width(), "the comparison gets most of the width"
    shot(window, tmp_path / "screenshots", f"laptop-{width}x{height}")


def test_a_narrow_window_stacks_the_panes_and_widened_puts_them_back(
    window: MainWindow, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    settle(window, 1024, 700)
    projects = on_screen(window.projects.view, window)
    compare = on_screen(window.compare.view, window)
    assert projects.bottom() < compare.top(), "the projects above the comparison"
    rows = window.projects.view.verticalHeader().defaultSectionSize()
    assert projects.height() >= 4 * rows
    assert compare.height() >= 8 * rows
    assert compare.width() > 900, "the comparison has the window's width"
    shot(window, tmp_path / "screenshots", "stacked-1024x700")

    settle(window, 1366, 768)
    projects = on_screen(window.projects.view, window)
    assert projects.right() < on_screen(window.compare.view, window).left(), "side by side"


def test_text_at_150_percent_keeps_everything_in_view(
    text_150: QFont, window: MainWindow, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    select_code(window, "03-300")
    for width, height in [(1366, 768), (1024, 700)]:
        settle(window, width, height)
        assert (window.width(), window.height()) == (width, height), "content larger than window"
        for widget in (
            window.projects.search,
            window.projects.view,
            window.compare.search,
            window.compare.view,
            window.compare.detail,
        ):
            on_screen(widget, window)
        view = window.compare.view
        assert view.horizontalScrollBar().maximum() == 0, "columns scroll out of view"
        assert window.projects.view.height() >= 3 * view.verticalHeader().defaultSectionSize()
        shot(window, tmp_path / "screenshots", f"text-150-{width}x{height}")


def highlighted(document_owner: object, changed: QTextCharFormat) -> list[str]:
    """The runs of text in the strip drawn with the changed-words marks."""
    from PySide6.QtWidgets import QTextEdit

    assert isinstance(document_owner, QTextEdit)
    runs: list[str] = []
    block = document_owner.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.fontUnderline() and fmt.background().color() == changed.background().color():
                assert fmt.fontWeight() == QFont.Weight.Bold
                runs.append(fragment.text())
            it += 1
        block = block.next()
    return runs


def test_the_detail_strip_shows_both_descriptions_whole_with_the_changes_marked(
    window: MainWindow, appearance: Callable[[str], None], tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    detail = window.compare.detail
    row = window.compare.model.row_at(select_code(window, "03-300"))
    assert row.status is DiffStatus.DESCRIPTION_DIFFERS
    assert row.standard is not None
    assert row.project is not None
    company, project = row.standard.name, row.project.name
    assert detail.company.toPlainText() == company
    assert detail.project.toPlainText() == project
    project_spans, company_spans = word_diff(project, company)
    for mode in ("light", "dark"):
        appearance(mode)
        changed = detail.changed_format()
        assert changed.background().color() == theme.changed_words_colour(detail.palette())
        marked = [text.strip() for text, is_changed in company_spans if is_changed and text.strip()]
        assert highlighted(detail.company, changed) == marked
        marked = [text.strip() for text, is_changed in project_spans if is_changed and text.strip()]
        assert highlighted(detail.project, changed) == marked
        shot(window, tmp_path / "screenshots", f"detail-{mode}")

    missing = window.compare.model.row_at(select_code(window, "01-016"))
    assert missing.status is DiffStatus.MISSING
    assert missing.standard is not None
    assert detail.company.toPlainText() == missing.standard.name
    assert detail.project.toPlainText() == "Not on the project"


def test_hostile_descriptions_are_shown_as_given_in_the_strip(window: MainWindow) -> None:
    assert window.projects.select_project(LINCOLN)
    detail = window.compare.detail
    row = window.compare.model.row_at(select_code(window, "01-010"))
    assert row.project is not None
    hostile = row._replace(project=replace(row.project, name="<b>Boss</b> <img src=x>"))
    detail.show_row(hostile)
    assert detail.project.toPlainText() == "<b>Boss</b> <img src=x>"


def test_a_cut_cell_has_its_whole_text_in_its_tooltip(window: MainWindow) -> None:
    settle(window, 1280, 800)
    assert window.projects.select_project(LINCOLN)
    view = window.compare.view
    model, width = window.compare.model, view.horizontalHeader().sectionSize(COL_COMPANY_NAME)
    metrics = QFontMetrics(view.font())
    cut = next(
        row
        for row in range(model.rowCount())
        if metrics.horizontalAdvance(model.text(row, COL_COMPANY_NAME)) > text_room(view, width)
    )
    whole = model.text(cut, COL_COMPANY_NAME)
    tip = model.index(cut, COL_COMPANY_NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(whole + "\n"), "the whole description leads its tooltip"

    projects = window.projects
    name_width = projects.view.horizontalHeader().sectionSize(COL_NAME)
    names = projects.proxy
    cut_name = next(
        names.index(row, COL_NAME)
        for row in range(names.rowCount())
        if metrics.horizontalAdvance(names.index(row, COL_NAME).data())
        > text_room(projects.view, name_width)
    )
    assert cut_name.data(Qt.ItemDataRole.ToolTipRole).startswith(cut_name.data())


@pytest.fixture
def wide_text(qapp: QApplication) -> Iterator[QFont]:
    """A font as tall as the usual one but wider (as some desktops' are); the usual after."""
    usual = qapp.font()
    wide = QFont(usual)
    wide.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 115)
    qapp.setFont(wide)
    yield wide
    qapp.setFont(usual)


def test_the_status_column_shows_its_words_whole(wide_text: QFont, window: MainWindow) -> None:
    view = window.projects.view
    assert window.projects.select_project(TRANSIT)
    metrics = QFontMetrics(view.font())
    room = text_room(view, view.horizontalHeader().sectionSize(COL_STATUS)) + 6
    model = window.projects.proxy
    texts = [model.index(row, COL_STATUS).data() for row in range(model.rowCount())]
    assert "– Not ERP-integrated" in texts
    for text in [*texts, "⚠ Refresh failed 10:42", "↻ Waiting to refresh…"]:
        assert metrics.horizontalAdvance(text) <= room, f"'{text}' is cut"


def test_the_projects_fold_away_and_stay_folded_next_time(
    window: MainWindow, settings: QSettings, qtbot: QtBot
) -> None:
    settle(window, 1366, 768)
    toggle = window.action("projects_pane")
    assert toggle.isChecked()
    assert toggle.shortcut().toString() == "Ctrl+B"
    wide_before = window.compare.width()
    toggle.trigger()
    QApplication.processEvents()
    assert window.splitter.sizes()[0] == 0
    assert not toggle.isChecked()
    assert window.compare.width() > wide_before + 300, "the comparison takes the room"
    assert window.splitter.handle(1).isVisible(), "the handle stays, to drag the list back"
    window.save_settings()

    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    again.resize(1366, 768)
    again.show()
    QApplication.processEvents()
    assert again.splitter.sizes()[0] == 0
    assert not again.action("projects_pane").isChecked()
    again.action("projects_pane").trigger()
    QApplication.processEvents()
    assert again.splitter.sizes()[0] >= 300
    assert again.action("projects_pane").isChecked()


def test_project_names_are_whole_when_the_window_is_wide(window: MainWindow) -> None:
    settle(window, 1560, 880)
    view = window.projects.view
    metrics = QFontMetrics(view.font())
    room = text_room(view, view.horizontalHeader().sectionSize(COL_NAME)) + 6  # no delegate
    names = window.projects.proxy
    for row in range(names.rowCount()):
        name = names.index(row, COL_NAME).data()
        assert metrics.horizontalAdvance(name) <= room, f"'{name}' is cut"
