"""What a user sees in light and dark mode, measured on the pixels of the real window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QTableView, QToolBar

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.ui.compare.model import COL_STATUS as COMPARE_STATUS
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.appearance import DARK, LIGHT
from costcode_desktop.ui.kit.roles import DIFF_STATUS_ROLE, PROJECT_ID_ROLE
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import COL_NAME, COL_STATUS

from .conftest import LINCOLN, shot

Role = QPalette.ColorRole
Apply = Callable[[str], None]
RIVERSIDE = 562949953421313  # in sync, active
SHOTS = "screenshots"


def grab(window: MainWindow) -> QImage:
    QApplication.processEvents()
    return window.grab().toImage()


def cell_rect(window: MainWindow, view: QTableView, row: int, column: int) -> QRect:
    """A cell's rectangle in window coordinates."""
    rect = view.visualRect(view.model().index(row, column))
    top_left = view.viewport().mapTo(window, rect.topLeft())
    return QRect(top_left, rect.size())


def project_row(window: MainWindow, project_id: int) -> int:
    proxy = window.projects.proxy
    return next(
        row
        for row in range(proxy.rowCount())
        if proxy.index(row, 0).data(PROJECT_ID_ROLE) == project_id
    )


def background_of(image: QImage, rect: QRect) -> QColor:
    """The colour at the right end of a cell, away from its text."""
    return image.pixelColor(rect.right() - 3, rect.center().y())


def text_extreme(image: QImage, rect: QRect, dark: bool) -> QColor:
    """The lightest pixel of a cell on a dark palette (its text), else the darkest."""
    colours = [
        image.pixelColor(x, y)
        for x in range(rect.left() + 2, rect.right() - 2)
        for y in range(rect.top() + 2, rect.bottom() - 2)
    ]
    return (max if dark else min)(colours, key=lambda c: c.lightness())


def near(colour: QColor, expected: str, tolerance: int = 3) -> bool:
    other = QColor(expected)
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (colour.red(), colour.green(), colour.blue()),
            (other.red(), other.green(), other.blue()),
            strict=True,
        )
    )


def window_background(image: QImage, window: MainWindow) -> QColor:
    """A point of the central widget's left margin: nothing but the window's own colour."""
    central = window.centralWidget()
    assert central is not None
    point = central.mapTo(window, QPoint(3, central.height() // 2))
    return image.pixelColor(point)


@pytest.mark.parametrize("mode", [LIGHT, DARK])
def test_the_window_in_light_and_dark(
    window: MainWindow, appearance: Apply, mode: str, tmp_path: Path
) -> None:
    dark = mode == DARK
    appearance(mode)
    assert window.projects.select_project(LINCOLN)
    image = grab(window)
    palette = theme.DARK_PALETTE if dark else theme.LIGHT_PALETTE

    background = window_background(image, window)
    assert near(background, palette[Role.Window]), background.name()
    assert (background.lightness() < 70) if dark else (background.lightness() > 200)

    projects = window.projects.view
    riverside = project_row(window, RIVERSIDE)
    name_cell = cell_rect(window, projects, riverside, COL_NAME)
    text = text_extreme(image, name_cell, dark)
    assert (text.lightness() > 180) if dark else (text.lightness() < 70), text.name()
    cell = background_of(image, name_cell)
    assert theme.contrast_ratio(text.name(), cell.name()) >= 4.5

    stale_row = project_row(window, LINCOLN) + 1  # the next one, out of date and not selected
    proxy = window.projects.proxy
    assert window.projects.model.row_at(
        proxy.mapToSource(proxy.index(stale_row, 0)).row()
    ).out_of_date
    stale = cell_rect(window, projects, stale_row, COL_STATUS)
    assert near(background_of(image, stale), theme.ORANGE.pick(dark))

    compare = window.compare.view
    model = window.compare.model
    missing = next(
        row
        for row in range(model.rowCount())
        if model.index(row, 0).data(DIFF_STATUS_ROLE) is DiffStatus.MISSING
    )
    missing_cell = cell_rect(window, compare, missing, COMPARE_STATUS)
    assert near(background_of(image, missing_cell), theme.BLUE.pick(dark))
    missing_text = text_extreme(image, missing_cell, dark)
    assert theme.contrast_ratio(missing_text.name(), theme.BLUE.pick(dark)) >= 4.5

    window.banner.show_error("Refresh failed: the demo says no.", "details")
    image = grab(window)
    banner = window.banner
    left = banner.mapTo(window, QPoint(4, banner.height() // 2))
    banner_colour = image.pixelColor(left)
    assert near(banner_colour, theme.BANNER_ERROR.pick(dark))
    message = QRect(banner.message.mapTo(window, QPoint(0, 0)), banner.message.size())
    letters = max(
        (
            image.pixelColor(x, y)
            for x in range(message.left(), message.left() + 200)
            for y in range(message.top(), message.bottom())
        ),
        key=lambda c: c.lightness(),
    )
    assert theme.contrast_ratio(letters.name(), banner_colour.name()) >= 4.5
    shot(window, tmp_path / SHOTS, f"window-{mode}")
    banner.clear()


def test_switching_at_run_time_repaints_what_is_open(window: MainWindow, appearance: Apply) -> None:
    appearance(LIGHT)
    assert window.projects.select_project(LINCOLN)
    row = project_row(window, LINCOLN) + 1
    cell = cell_rect(window, window.projects.view, row, COL_STATUS)
    assert near(background_of(grab(window), cell), theme.ORANGE.light)
    appearance(DARK)
    for widget in (window, window.projects.view, window.compare.view, window.compare.search):
        assert widget.palette().color(Role.Base).name() == theme.DARK_PALETTE[Role.Base]
        assert widget.palette().color(Role.Window).name() == theme.DARK_PALETTE[Role.Window]
    image = grab(window)
    assert near(background_of(image, cell), theme.ORANGE.dark)
    assert near(window_background(image, window), theme.DARK_PALETTE[Role.Window])
    appearance(LIGHT)
    assert near(background_of(grab(window), cell), theme.ORANGE.light)


def solid_colours(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> set[str]:
    """The fully opaque colours of an icon drawn large (anti-aliased edges left out)."""
    image = icon.pixmap(QSize(96, 96), mode).toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }


@pytest.mark.parametrize("mode", [LIGHT, DARK])
def test_toolbar_icons_take_the_text_colour_and_grey_out(
    window: MainWindow, appearance: Apply, mode: str
) -> None:
    appearance(mode)
    palette = theme.DARK_PALETTE if mode == DARK else theme.LIGHT_PALETTE
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    actions = [action for action in toolbar.actions() if not action.isSeparator()]
    assert len(actions) == 5
    drawn = {}
    for action in actions:
        assert not action.isIconVisibleInMenu(), "menus stay words only"
        colours = solid_colours(action.icon())
        assert colours, action.text()
        assert all(near(QColor(c), palette[Role.WindowText]) for c in colours), action.text()
        drawn[action.text()] = action.icon().pixmap(QSize(48, 48)).toImage()
    assert len({image.bits().tobytes() for image in drawn.values()}) == 5, "five different glyphs"
    greyed = solid_colours(actions[0].icon(), QIcon.Mode.Disabled)
    assert greyed, "a disabled icon is still drawn"
    assert not any(near(QColor(c), palette[Role.WindowText]) for c in greyed)
