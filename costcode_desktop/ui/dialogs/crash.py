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
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot, qVersion
from PySide6.QtWidgets import QApplication, QWidget

from costcode_desktop import __version__
from costcode_desktop.services.logging_setup import log_file, redact

if TYPE_CHECKING:
    from costcode_desktop.ui.dialogs.crash_dialog import CrashDialog

log = logging.getLogger(__name__)


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
            from costcode_desktop.ui.dialogs.crash_dialog import CrashDialog

            self.dialog = CrashDialog(details, self._window)
            self.dialog.open()
        self.reported.emit(details)
