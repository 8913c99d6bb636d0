"""The crash report's dialog: the apology, the details (masked) and ways to pass them on.

Its own module, loaded when something has gone wrong, so the window's start does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.services.logging_setup import log_file
from costcode_desktop.ui.kit.sizing import scaled_size

APOLOGY = (
    "Sorry, CostCodeSync ran into a problem it did not expect. Restart CostCodeSync and look "
    "at the project list: refreshing a project again is always safe, because a refresh only "
    "adds missing codes and updates descriptions. If it happens again, send the details below "
    "and the log file (Open Log Folder) to your support contact."
)


class CrashDialog(QDialog):
    """The apology, the details in view (masked), and buttons to copy them or open the log."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("CostCodeSync ran into a problem")
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.apology = QLabel(APOLOGY)
        self.apology.setWordWrap(True)
        self.apology.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.apology, 1)

        label = QLabel("&Details for your support contact (passwords and tokens are hidden):")
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setAccessibleName("Error details")
        label.setBuddy(self.details)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy Details")
        self.copy_button.setToolTip("Copy the details to the clipboard, to paste in an e-mail")
        self.log_button = QPushButton("Open &Log Folder")
        self.log_button.setToolTip("Show the folder with CostCodeSync's log file")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.log_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl  # tests replace it
        self.log_button.clicked.connect(
            lambda: self.open_url(QUrl.fromLocalFile(str(log_file().parent)))
        )

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(label)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.set_details(details)
        self.resize(scaled_size(self, 640, 420))
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)

    def set_details(self, details: str) -> None:
        self.details.setPlainText(details)

    def add_details(self, details: str) -> None:
        """A further error while the dialog is open: appended, not a second dialog."""
        self.details.appendPlainText("\n" + details)

    @Slot()
    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")
        QTimer.singleShot(2000, lambda: self.copy_button.setText("&Copy Details"))
