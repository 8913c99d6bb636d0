"""The toolbar's icons, drawn as vector paths in the palette's text colour.

Painted at whatever size and pixel ratio Qt asks for, so they are sharp on every screen, and
coloured from the application palette at paint time, so they follow light and dark mode and grey
out with a disabled action. Each glyph is drawn on a 24-unit grid with 2-unit round strokes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

Glyph = Callable[[QPainter], None]
GRID = 24.0


def _arrow_arc(painter: QPainter, start: float, sweep: float, radius: float = 7.5) -> None:
    """A circular arc around the centre (degrees, counter-clockwise from 3 o'clock) ending in an
    arrowhead that points along the direction of travel."""
    centre = QPointF(12, 12)
    box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
    path = QPainterPath()
    path.arcMoveTo(box, start)
    path.arcTo(box, start, sweep)
    painter.drawPath(path)
    end = math.radians(start + sweep)
    tip = QPointF(centre.x() + radius * math.cos(end), centre.y() - radius * math.sin(end))
    # The tangent at the end, in the direction the arc travels (screen y points down).
    sign = 1.0 if sweep > 0 else -1.0
    tangent = QPointF(-math.sin(end) * sign, -math.cos(end) * sign)
    normal = QPointF(-tangent.y(), tangent.x())
    back = tip - tangent * 3.0
    head = QPainterPath(back + normal * 3.0)
    head.lineTo(tip)
    head.lineTo(back - normal * 3.0)
    painter.drawPath(head)


def reload(painter: QPainter) -> None:
    """Read again: one circular arrow, clockwise."""
    _arrow_arc(painter, 20, -300)


def refresh_one(painter: QPainter) -> None:
    """Refresh a project: two arrows chasing round one code."""
    _arrow_arc(painter, 200, -140)
    _arrow_arc(painter, 20, -140)
    painter.setBrush(painter.pen().color())
    painter.drawEllipse(QPointF(12, 12), 1.4, 1.4)


def refresh_all(painter: QPainter) -> None:
    """Refresh every project: the same arrows round a list."""
    _arrow_arc(painter, 200, -140, radius=8.5)
    _arrow_arc(painter, 20, -140, radius=8.5)
    pen = painter.pen()
    pen.setWidthF(1.6)
    painter.setPen(pen)
    for y in (10.2, 13.8):
        painter.drawLine(QPointF(9.2, y), QPointF(14.8, y))


def _page(painter: QPainter) -> None:
    """A sheet with its top-right corner folded."""
    path = QPainterPath(QPointF(14, 3))
    for x, y in ((6, 3), (6, 21), (18, 21), (18, 7), (14, 3), (14, 7), (18, 7)):
        path.lineTo(x, y)
    painter.drawPath(path)


def export_csv(painter: QPainter) -> None:
    """A sheet of text lines."""
    _page(painter)
    for y in (11.0, 14.0, 17.0):
        painter.drawLine(QPointF(9, y), QPointF(15, y))


def export_excel(painter: QPainter) -> None:
    """A sheet with a grid of cells."""
    _page(painter)
    pen = painter.pen()
    pen.setWidthF(1.5)
    painter.setPen(pen)
    painter.drawRect(QRectF(8.5, 10, 7, 8))
    painter.drawLine(QPointF(12, 10), QPointF(12, 18))
    for y in (12.7, 15.3):
        painter.drawLine(QPointF(8.5, y), QPointF(15.5, y))


class GlyphIconEngine(QIconEngine):
    """Paints one glyph in the palette's text colour of the state asked for."""

    def __init__(self, glyph: Glyph) -> None:
        super().__init__()
        self.glyph = glyph
        # Toolbars repaint often: keep what was drawn, per size, ratio and colour (a new palette
        # makes new keys, so nothing stale is ever shown).
        self._drawn: dict[tuple[int, int, float, int], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return GlyphIconEngine(self.glyph)

    @staticmethod
    def colour(mode: QIcon.Mode) -> QColor:
        disabled = mode == QIcon.Mode.Disabled
        group = QPalette.ColorGroup.Disabled if disabled else QPalette.ColorGroup.Active
        return QGuiApplication.palette().color(group, QPalette.ColorRole.WindowText)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        colour = self.colour(mode)
        side = min(rect.width(), rect.height())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(
            rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2
        )
        painter.scale(side / GRID, side / GRID)
        pen = QPen(colour, 2.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self.glyph(painter)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(  # noqa: N802
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        key = (size.width(), size.height(), scale, self.colour(mode).rgba())
        if key in self._drawn:
            return self._drawn[key]
        if len(self._drawn) > 32:
            self._drawn.clear()
        pixmap = QPixmap(size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        self._drawn[key] = pixmap
        return pixmap


def glyph_icon(glyph: Glyph) -> QIcon:
    return QIcon(GlyphIconEngine(glyph))
