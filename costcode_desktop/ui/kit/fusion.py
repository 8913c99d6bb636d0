"""Fusion with control edges that stay visible on a dark window, for the forced light and dark
modes (ui/kit/appearance.py). Its own module: a start that follows the system's style never
loads it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

from costcode_desktop.ui.kit import theme

FUSION = "Fusion"  # the Qt style underneath
Primitive = QStyle.PrimitiveElement
_EDGED = (
    Primitive.PE_IndicatorCheckBox,
    Primitive.PE_IndicatorRadioButton,
    Primitive.PE_FrameLineEdit,
)


class FusionStyle(QProxyStyle):
    """Fusion, with control edges that stay visible on a dark window (WCAG 1.4.11, 3:1)."""

    def __init__(self, name: str) -> None:
        super().__init__(QStyleFactory.create(FUSION))
        self.setObjectName(name)  # how appearance.py tells it from Qt's own

    def drawPrimitive(  # noqa: N802
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in _EDGED:
            round_mark = element == Primitive.PE_IndicatorRadioButton
            focus_ring = element == Primitive.PE_FrameLineEdit
            _draw_edge(option, painter, round_mark=round_mark, focus_ring=focus_ring)

    def drawComplexControl(  # noqa: N802
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control == QStyle.ComplexControl.CC_SpinBox:
            _draw_edge(option, painter, round_mark=False, focus_ring=True)


def _draw_edge(
    option: QStyleOption, painter: QPainter, *, round_mark: bool, focus_ring: bool
) -> None:
    state = option.state
    if focus_ring and state & QStyle.StateFlag.State_HasFocus:
        return  # Fusion's focus edge (the highlight colour) says more
    edge = theme.colour(theme.CONTROL_EDGE, option.palette)
    if not state & QStyle.StateFlag.State_Enabled:
        edge.setAlpha(110)
    rect = QRectF(option.rect)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(edge, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if round_mark:
        painter.drawEllipse(rect.adjusted(1.5, 1.5, -1.5, -1.5))
    else:
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)
    painter.restore()
