"""When the window's first useful paint is over: a staged start builds the rest after it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

# Should the paint never come (the window minimised at start, say), the rest is built anyway.
AT_THE_LATEST_MS = 1_000


class FirstPaint(QObject):
    """Emits `painted` once, after the projects table has been painted with what the start read
    from the cache, or at once when there was nothing to paint."""

    painted = Signal()

    def __init__(self, viewport: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._viewport = viewport
        self._waiting = False
        self._done = False
        self._latest = QTimer(self)
        self._latest.setSingleShot(True)
        self._latest.setInterval(AT_THE_LATEST_MS)
        self._latest.timeout.connect(self._emit)

    @property
    def done(self) -> bool:
        return self._done

    def arm(self, rows_shown: bool) -> None:
        """The start's read is over: with rows on the way to the screen, wait for their paint;
        without (nothing cached, the table hidden), go on from the event loop."""
        if self._done or self._waiting:
            return
        self._waiting = True
        if rows_shown and self._viewport.isVisible():
            self._viewport.installEventFilter(self)
            self._latest.start()
        else:
            QTimer.singleShot(0, self._emit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._viewport and event.type() == QEvent.Type.Paint:
            self._viewport.removeEventFilter(self)
            # Once this paint is over and on screen: what follows may take a while.
            QTimer.singleShot(0, self._emit)
        return False

    def _emit(self) -> None:
        if self._done:
            return
        self._done = True
        self._latest.stop()
        self._viewport.removeEventFilter(self)
        self.painted.emit()
