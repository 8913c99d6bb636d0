"""A plain-text label that never widens its window: a name too long for the room shows '…'.

A label asks its layout for room for its whole text, and a name without spaces cannot wrap: a
project named with 10,000 letters made the window 93,067 px wide (issue 13). It asks for at most
WIDEST average characters, makes do with a few, and elides whatever does not fit its width
(again on every resize), with the whole text in its tooltip. `text()` is the whole text;
`shown_text()` what is drawn.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from costcode_desktop.ui.kit.as_given import tooltip_as_given

WIDEST = 120  # average characters: the most a label asks for (a long company name and a user)
NARROWEST = 6  # average characters: the least it makes do with
WORD = re.compile(r"\S+")


class ElidedLabel(QLabel):
    """Plain text, elided in the middle to its width. With `wrap`, lines wrap at spaces and only
    a word wider than the label is elided."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        wrap: bool = False,
        widest: int = WIDEST,
    ) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        self._full = text
        self._tip = ""
        self._widest = widest
        self._elide()

    # -- QLabel's API, on the whole text -------------------------------------------------------

    def setText(self, text: str, /) -> None:  # noqa: N802
        if text == self._full:  # the banner sets its text on every step of a run
            return
        self._full = text
        self._elide()
        self.updateGeometry()  # the hints follow the whole text, not only what is drawn

    def text(self) -> str:
        return self._full

    def setToolTip(self, tip: str, /) -> None:  # noqa: N802
        """The label's own tooltip; while the text is elided, the whole text comes first."""
        self._tip = tip
        self._update_tip()

    def natural_width(self) -> int:
        """The width the whole text needs on one line (each line, if it has several)."""
        return self._widest_of(self._full.split("\n")) + self._extra()

    def shown_text(self) -> str:
        return super().text()

    def elided(self) -> bool:
        return self.shown_text() != self._full

    # -- size ----------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802
        qt_hint = super().sizeHint()
        width = min(
            self.natural_width() - self._extra(),
            self._widest * self.fontMetrics().averageCharWidth(),
        )
        if self.wordWrap():  # Qt's own choice of where to wrap, if narrower
            width = min(width, qt_hint.width() - self._extra())
        return self._hint(width, qt_hint)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        parts = WORD.findall(self._full) if self.wordWrap() else self._full.split("\n")
        width = min(self._widest_of(parts), NARROWEST * self.fontMetrics().averageCharWidth())
        return self._hint(width, super().minimumSizeHint())

    def _hint(self, text_width: int, qt_hint: QSize) -> QSize:
        width = text_width + self._extra()
        return QSize(width, self.heightForWidth(width) if self.wordWrap() else qt_hint.height())

    def _widest_of(self, parts: list[str]) -> int:
        metrics = self.fontMetrics()
        return max((metrics.horizontalAdvance(part) for part in parts), default=0)

    def _extra(self) -> int:
        margins = self.contentsMargins()
        return margins.left() + margins.right() + 2 * self.margin()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # bold, or a bigger system font
            self._elide()

    # -- eliding -------------------------------------------------------------------------------

    def _elide(self) -> None:
        room = max(1, self.contentsRect().width() - 2 * self.margin())
        metrics = self.fontMetrics()
        mode = Qt.TextElideMode.ElideMiddle

        def fit(part: str) -> str:
            if metrics.horizontalAdvance(part) <= room:
                return part
            return metrics.elidedText(part, mode, room)

        if self.wordWrap():
            shown = WORD.sub(lambda word: fit(word[0]), self._full)
        else:
            shown = "\n".join(fit(line) for line in self._full.split("\n"))
        if shown != super().text():
            super().setText(shown)
        self._update_tip()

    def _update_tip(self) -> None:
        tip = "\n\n".join(t for t in (self._full if self.elided() else "", self._tip) if t)
        super().setToolTip(tooltip_as_given(tip) if tip else "")
