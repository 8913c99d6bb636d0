"""Row heights, column widths and window sizes that follow the font, so bigger text never clips.

The pixel widths in the panes were chosen for a 9-point font (14 px high). A bigger system font,
Windows' "Make text bigger" or a screen reader user's settings scale them up, and no column is
ever narrower than its own header's words (nor, for the sorted column, its sort arrow).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QResizeEvent, QScreen
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView, QWidget

DESIGN_FONT_HEIGHT = 14  # px: the font the pixel widths were chosen with
ROW_PADDING = 8  # px above and below the text of a row, together
CELL_PADDING = 16  # design px: a cell's margins on both sides, with room to spare


def font_scale(widget: QWidget) -> float:
    """1.0 for the design font, more for a bigger one (never less: small fonts keep the room)."""
    return max(1.0, widget.fontMetrics().height() / DESIGN_FONT_HEIGHT)


def scaled_size(widget: QWidget, width: int, height: int) -> QSize:
    """A window size in design pixels, grown with the widget's font but never past 90% of the
    screen it will open on."""
    scale = font_scale(widget)
    wanted = QSize(round(width * scale), round(height * scale))
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    room = screen.availableGeometry().size() * 0.9
    return wanted.boundedTo(room)


def set_row_height(view: QTableView, padding: int = ROW_PADDING) -> None:
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + padding)


def header_width(header: QHeaderView, column: int) -> int:
    """Room for a header's words; the sorted column's also for its arrow (Qt's own hint)."""
    if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
        return header.sectionSizeHint(column)
    label = header.model().headerData(column, Qt.Orientation.Horizontal) if header.model() else ""
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    return header.fontMetrics().horizontalAdvance(str(label or "")) + 4 * margin


def size_columns(view: QTableView, widths: dict[int, int]) -> None:
    """Each column's design width, scaled to the font, and never narrower than its header."""
    header = view.horizontalHeader()
    scale = font_scale(view)
    for column, width in widths.items():
        header.resizeSection(column, max(round(width * scale), header_width(header, column)))


def fitted_width(view: QTableView, column: int, texts: Iterable[str], *, bold: bool = False) -> int:
    """Room for the widest of `texts` in a cell of the view (bold if some rows are) and for the
    column's header."""
    font = QFont(view.font())
    font.setBold(bold)
    metrics = QFontMetrics(font)
    widest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
    padding = round(CELL_PADDING * font_scale(view))
    return max(widest + padding, header_width(view.horizontalHeader(), column))


def width_changed(event: QEvent) -> bool:
    """A resize that changed the width: what column widths depend on (a banner shown or hidden
    above a table changes its height alone)."""
    return isinstance(event, QResizeEvent) and event.size().width() != event.oldSize().width()


def keep_on_screen(window: QWidget, screen: QScreen | None) -> None:
    """Move (and shrink, if it is bigger) a window into the screen's available area: a saved
    place on a monitor since unplugged must not open it where nobody can see it."""
    if screen is None:
        return
    area = screen.availableGeometry()
    size = window.size().boundedTo(area.size())
    if size != window.size():
        window.resize(size)
    place = window.geometry()  # a minimum size may still exceed the screen: the top left
    # corner (title bar, close button) is what must stay visible then
    x = max(min(place.x(), area.left() + area.width() - size.width()), area.left())
    y = max(min(place.y(), area.top() + area.height() - size.height()), area.top())
    if (x, y) != (place.x(), place.y()):
        window.move(x + window.x() - place.x(), y + window.y() - place.y())
