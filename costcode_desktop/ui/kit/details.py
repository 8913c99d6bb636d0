"""The Details box behind an error: what IT needs to look into it, with secrets masked.

What was being done and when, then the failure as it happened (the request's method and path,
Procore's request id, a network error told from an HTTP one, the proxy in use): the lines
`ProcoreError.technical_details` gives, or the traceback of anything else.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from costcode_desktop.services.logging_setup import redact
from costcode_desktop.ui.kit.as_given import plain
from costcode_desktop.ui.kit.when import locale_date_time


def for_it(doing: str, details: str, when: datetime | None = None) -> str:
    """The details with what was being done and when on top; credentials masked."""
    moment = when or datetime.now().astimezone()
    head = f"What: {doing}\nWhen: {locale_date_time(moment)}"
    return redact(f"{head}\n{details}".rstrip())


def details_box(parent: QWidget, text: str, details: str) -> QMessageBox:
    """A message box with the details shown at once (plain text, selectable to copy)."""
    box = plain(QMessageBox(parent))
    box.setObjectName("errorDetails")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Details")
    box.setText(text)
    box.setInformativeText(details)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
