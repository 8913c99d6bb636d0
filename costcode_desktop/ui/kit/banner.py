"""The status banner across the top of the window: green while working, red on failure.

Its state is a Qt property (`state`: hidden, working, ok, error) that the stylesheet and the
tests read, so colour follows state in one place.
"""

from __future__ import annotations

from PySide6.QtCore import Property, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.details import details_box
from costcode_desktop.ui.kit.elided import ElidedLabel

HIDDEN, WORKING, OK, ERROR = "hidden", "working", "ok", "error"

# The symbol beside the message, so the state never depends on colour alone.
SYMBOLS = {WORKING: "↻", OK: "✓", ERROR: "⚠ Error"}
SYMBOL_NAMES = {WORKING: "Working", OK: "Done", ERROR: "Error"}

STYLE = """
#statusBanner { border-radius: 4px; padding: 2px; }
#statusBanner[state="working"] { background: %(ok)s; }
#statusBanner[state="ok"] { background: %(ok)s; }
#statusBanner[state="error"] { background: %(error)s; }
#statusBanner QLabel { color: %(text)s; font-weight: 600; }
#statusBanner QLabel#bannerDetail { font-weight: normal; padding-right: 8px; }
#statusBanner QLabel#bannerSymbol { padding-right: 4px; }
#statusBanner QPushButton { color: %(text)s; background: transparent;
    border: 1px solid rgba(255, 255, 255, 0.7); border-radius: 3px; padding: 3px 10px; }
#statusBanner QPushButton:hover { background: rgba(255, 255, 255, 0.15); }
#statusBanner QPushButton:focus { border: 2px solid %(text)s; padding: 2px 9px; }
#statusBanner QPushButton:disabled { color: rgba(255, 255, 255, 0.6);
    border-color: rgba(255, 255, 255, 0.4); }
#statusBanner QProgressBar { background: rgba(255, 255, 255, 0.25); border: none;
    border-radius: 3px; color: %(text)s; text-align: center; max-height: 14px; }
#statusBanner QProgressBar::chunk { background: %(text)s; border-radius: 3px; }
"""


def banner_style(dark: bool) -> str:
    """The banner's stylesheet for a light or a dark palette (colours from ui/theme.py)."""
    return STYLE % {
        "ok": theme.BANNER_OK.pick(dark),
        "error": theme.BANNER_ERROR.pick(dark),
        "text": theme.BANNER_TEXT.pick(dark),
    }


class StatusBanner(QFrame):
    cancel_requested = Signal()
    retry_requested = Signal()
    state_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self.setAccessibleName("Status banner")
        self._state = HIDDEN
        self._details = ""
        self.details_box: QMessageBox | None = None  # the last Details box opened
        self.symbol = QLabel(self)
        self.symbol.setObjectName("bannerSymbol")
        # Plain text, elided: the message and the step name projects (see ElidedLabel).
        self.message = ElidedLabel(parent=self, wrap=True)
        self.message.setObjectName("bannerMessage")
        self.detail = ElidedLabel(parent=self, widest=60)
        self.detail.setObjectName("bannerDetail")
        # A steady width: the step text changes every second and must not push the buttons.
        self.detail.setMinimumWidth(240)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("bannerProgress")
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("bannerCancel")
        self.cancel_button.setAccessibleName("Cancel the running refresh")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self.details_button = QPushButton("Details…", self)
        self.details_button.setObjectName("bannerDetails")
        self.details_button.setAccessibleName("Show the details of the error")
        self.details_button.clicked.connect(self.show_details)
        self.retry_button = QPushButton("Try Again", self)
        self.retry_button.setObjectName("bannerRetry")
        self.retry_button.setAccessibleName("Refresh the failed projects again")
        self.retry_button.clicked.connect(self.retry_requested)
        self._can_retry = False
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setObjectName("bannerDismiss")
        self.dismiss_button.setAccessibleName("Dismiss the message")
        self.dismiss_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.symbol)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.progress)
        layout.addWidget(self.details_button)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.dismiss_button)
        self._restyle()
        theme.palette_notifier().changed.connect(self._restyle)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.clear)
        self._apply(HIDDEN)

    @Slot()
    def _restyle(self) -> None:
        """The stylesheet for the application's palette (light or dark), set only on change."""
        style = banner_style(theme.is_dark(QApplication.palette()))
        if style != self.styleSheet():
            self.setStyleSheet(style)

    # -- the state property --------------------------------------------------------------------

    def _get_state(self) -> str:
        return self._state

    state = Property(str, _get_state, notify=state_changed)

    def _apply(self, state: str) -> None:
        self._hide_timer.stop()
        self._state = state
        self.setProperty("state", state)  # dynamic property: what the stylesheet matches on
        self.style().unpolish(self)
        self.style().polish(self)
        self.setVisible(state != HIDDEN)
        self.symbol.setText(SYMBOLS.get(state, ""))
        self.symbol.setAccessibleName(SYMBOL_NAMES.get(state, ""))
        self.setAccessibleDescription(SYMBOL_NAMES.get(state, ""))
        self.progress.setVisible(state == WORKING)
        self.detail.setVisible(state == WORKING)
        self.cancel_button.setVisible(state == WORKING)
        self.details_button.setVisible(state == ERROR and bool(self._details))
        self.retry_button.setVisible(state == ERROR and self._can_retry)
        self.dismiss_button.setVisible(state in (OK, ERROR))
        self.state_changed.emit(state)

    # -- what callers use ----------------------------------------------------------------------

    def show_working(
        self, text: str, detail: str = "", done: int = 0, total: int = 0, cancellable: bool = True
    ) -> None:
        self.message.setText(text)
        self.detail.setText(detail)
        # QProgressBar.setValue repaints at once, and a synchronous paint paints everything the
        # window has waiting (both tables, after rows changed) inside this call. With updates
        # off it only schedules its paint, which the event loop then does with the others.
        self.progress.setUpdatesEnabled(False)
        if total > 1:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)  # busy indicator
        self.progress.setUpdatesEnabled(True)
        self._details = ""
        if self._state != WORKING:
            self._apply(WORKING)
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setVisible(cancellable)

    def show_ok(self, text: str, hide_after_ms: int = 6000) -> None:
        self.message.setText(text)
        self._details = ""
        self._apply(OK)
        if hide_after_ms:
            self._hide_timer.start(hide_after_ms)

    def show_error(self, text: str, details: str = "", *, can_retry: bool = False) -> None:
        self.message.setText(text)
        self._details = details
        self._can_retry = can_retry
        self._apply(ERROR)

    @Slot()
    def clear(self) -> None:
        self._details = ""
        self._can_retry = False
        self._apply(HIDDEN)

    @property
    def details(self) -> str:
        return self._details

    @Slot()
    def show_details(self) -> None:
        self.details_box = details_box(self.window(), self.message.text(), self._details)

    @Slot()
    def _cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.message.setText(self.message.text() + " Cancelling…")
        self.cancel_requested.emit()
