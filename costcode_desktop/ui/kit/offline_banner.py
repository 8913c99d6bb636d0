"""The banner that says the window works offline: what is shown, why, and what happens next.

It stays while Procore cannot be reached, apart from the status banner (whose refresh progress
and errors come and go), in a quiet slate colour rather than the red of a failure: nothing is
broken, the window is read-only until Procore answers. Its texts are plain text (they carry
messages about the network, never markup).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.details import details_box

STYLE = """
#offlineBanner { background: %(back)s; border-radius: 4px; }
#offlineBanner QLabel { color: %(text)s; }
#offlineBanner QLabel#offlineHeadline { font-weight: 600; }
#offlineBanner QPushButton { color: %(text)s; background: transparent;
    border: 1px solid rgba(255, 255, 255, 0.7); border-radius: 3px; padding: 3px 10px; }
#offlineBanner QPushButton:hover { background: rgba(255, 255, 255, 0.15); }
#offlineBanner QPushButton:focus { border: 2px solid %(text)s; padding: 2px 9px; }
#offlineBanner QPushButton:disabled { color: rgba(255, 255, 255, 0.6);
    border-color: rgba(255, 255, 255, 0.4); }
"""


def offline_style(dark: bool) -> str:
    return STYLE % {
        "back": theme.BANNER_OFFLINE.pick(dark),
        "text": theme.BANNER_TEXT.pick(dark),
    }


class OfflineBanner(QFrame):
    try_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.setAccessibleName("Offline")
        self.symbol = QLabel("⚠", self)
        self.symbol.setObjectName("offlineSymbol")
        self.symbol.setAccessibleName("Offline")
        self.headline = QLabel(self)
        self.headline.setObjectName("offlineHeadline")
        self.detail = QLabel(self)
        self.detail.setObjectName("offlineDetail")
        self.detail.setWordWrap(True)
        for label in (self.headline, self.detail):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._details = ""
        self.details_button = QPushButton("Details…", self)
        self.details_button.setObjectName("offlineDetails")
        self.details_button.setAccessibleName("Show the details of the network error")
        self.details_button.clicked.connect(self.show_details)
        self.details_button.hide()
        self.details_box: QMessageBox | None = None  # the last Details box opened
        self.button = QPushButton("Try Again", self)
        self.button.setObjectName("offlineTryAgain")
        self.button.setAccessibleName("Try to reach Procore again now")
        self.button.clicked.connect(self._clicked)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.headline)
        words.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.symbol, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(words, 1)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._restyle()
        theme.palette_notifier().changed.connect(self._restyle)
        self.hide()

    @Slot()
    def _restyle(self) -> None:
        style = offline_style(theme.is_dark(QApplication.palette()))
        if style != self.styleSheet():
            self.setStyleSheet(style)

    def show_offline(self, headline: str, detail: str, details: str = "") -> None:
        """`details`: for IT, behind a Details… button (none when empty)."""
        self.headline.setText(headline)
        self.detail.setText(detail)
        self._details = details
        self.details_button.setVisible(bool(details))
        self.button.setEnabled(True)
        self.setAccessibleDescription(f"{headline} {detail}")
        self.show()

    @Slot()
    def show_details(self) -> None:
        text = f"{self.headline.text()} {self.detail.text()}"
        self.details_box = details_box(self.window(), text, self._details)

    @Slot()
    def _clicked(self) -> None:
        self.button.setEnabled(False)  # until this try has an answer
        self.detail.setText("Trying to reach Procore…")
        self.try_again.emit()
