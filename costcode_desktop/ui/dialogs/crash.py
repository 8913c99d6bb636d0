"""An unexpected error: log it, say sorry in plain words, and keep the details copyable.

Installed as sys.excepthook and threading.excepthook by the application. The dialog is shown on
the GUI thread whatever thread failed; its details are masked like the log, so no credential
can be copied out of it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal, Slot, qVersion
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
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

from costcode_desktop import __version__
from costcode_desktop.services.logging_setup import log_file, redact
from costcode_desktop.ui.kit.sizing import scaled_size

log = logging.getLogger(__name__)

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


class CrashReporter(QObject):
    """Turns uncaught exceptions into a log entry and one dialog at a time."""

    reported = Signal(str)  # the details shown (for tests)
    _arrived = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._window = parent
        self._arrived.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.dialog: CrashDialog | None = None

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = lambda args: self.handle(
            args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback
        )

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("unexpected error", exc_info=(kind, error, trace))
        import platform  # here: only a crash needs it

        text = "".join(traceback.format_exception(kind, error, trace))
        versions = f"Python {platform.python_version()}; Qt {qVersion()}; {platform.platform()}"
        details = redact(f"CostCodeSync {__version__}\n{versions}\nLog: {log_file()}\n\n{text}")
        self._arrived.emit(details)  # queued: shown on the GUI thread

    @Slot(str)
    def _show(self, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_details(details)
        else:
            self.dialog = CrashDialog(details, self._window)
            self.dialog.open()
        self.reported.emit(details)
