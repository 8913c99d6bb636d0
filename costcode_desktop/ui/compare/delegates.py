"""Painting of differing descriptions with the changed words emphasised."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.roles import WORD_DIFF_ROLE

ELLIPSIS = "…"


class WordDiffDelegate(QStyledItemDelegate):
    """Draws a description as spans; changed words get a tint and bold (not colour alone)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        spans: list[tuple[str, bool]] | None = index.data(WORD_DIFF_ROLE)
        if not spans:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget: Any = opt.widget
        style = widget.style() if widget is not None else None
        opt.text = ""
        if style is None:
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        rect = rect.adjusted(3, 0, -3, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_colour = opt.palette.color(role)
        tint = theme.changed_words_colour(opt.palette)
        plain: QFont = QFont(opt.font)
        bold = QFont(plain)
        bold.setBold(True)

        painter.save()
        painter.setClipRect(rect)
        x = rect.left()
        right = rect.right()
        for text, changed in spans:
            font = bold if changed else plain
            metrics = QFontMetrics(font)
            width = metrics.horizontalAdvance(text)
            if x + width > right:
                text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, right - x)
                width = metrics.horizontalAdvance(text)
            span_rect = QRect(x, rect.top(), width, rect.height())
            if changed and text.strip() and not selected:
                painter.fillRect(span_rect.adjusted(0, 2, 0, -2), tint)
            painter.setFont(font)
            painter.setPen(text_colour)
            painter.drawText(span_rect, int(Qt.AlignmentFlag.AlignVCenter), text)
            if changed and text.strip():
                underline_y = rect.center().y() + metrics.ascent() // 2 + 2
                painter.drawLine(x, underline_y, x + width, underline_y)
            x += width
            if x >= right:
                break
        painter.restore()
