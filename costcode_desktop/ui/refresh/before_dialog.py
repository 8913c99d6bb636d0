"""What cannot be refreshed, said before anything is sent to Procore."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.services import Project, ProjectStatus

Unsendable = tuple[str, str, str]  # full code, name, reason


def unsendable_codes(statuses: Iterable[ProjectStatus | None]) -> list[Unsendable]:
    """Company codes these projects lack that cannot be sent (unsupported by the connector)."""
    found: dict[str, Unsendable] = {}
    for status in statuses:
        comparison = status.comparison if status is not None else None
        if comparison is None or not comparison.count(DiffStatus.UNSUPPORTED):
            continue
        for line in comparison.rows_with(DiffStatus.UNSUPPORTED):
            if line.project is None and line.standard is not None:
                code = line.standard
                found.setdefault(code.full_code, (code.full_code, code.name, line.note))
    return list(found.values())


def erp_system(statuses: Iterable[ProjectStatus | None]) -> str:
    """Where such codes are corrected: the connector's system ('your ERP system' if unknown)."""
    for status in statuses:
        if status is not None and status.comparison is not None:
            return status.comparison.connector.system
    return "your ERP system"


class BeforeRefreshDialog(QMessageBox):
    """Lists refused projects and unsendable codes; emits `go_ahead` if the user continues."""

    go_ahead = Signal()

    def __init__(
        self,
        parent: QWidget,
        refused: list[tuple[Project, str]],
        unsendable: list[Unsendable],
        rest: list[Project],
        system: str = "your ERP system",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("beforeRefreshDialog")
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle("Before refreshing")
        self.setTextFormat(Qt.TextFormat.RichText)
        parts = []
        if refused:
            items = "".join(
                f"<li><b>{escape(p.name)}</b>: {escape(why)}</li>" for p, why in refused
            )
            parts.append(
                f"These projects cannot be refreshed from the company list:<ul>{items}</ul>"
            )
        if unsendable:
            items = "".join(
                f"<li><b>{escape(code)}</b> {escape(name)}: {escape(why)}</li>"
                for code, name, why in unsendable
            )
            parts.append(
                "These codes on the company list cannot be sent to Procore and will be skipped "
                f"(correct them in {escape(system)}; the next sync brings them over):"
                f"<ul>{items}</ul>"
            )
        if rest:
            self.setText("".join(parts))
            self.setStandardButtons(
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
            )
            noun = "project" if len(rest) == 1 else f"{len(rest)} projects"
            self.button(QMessageBox.StandardButton.Ok).setText(f"Refresh {noun}")
        else:
            self.setText("Nothing was sent to Procore.<br><br>" + "".join(parts))
            self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self._can_go = bool(rest)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: QAbstractButton) -> None:
        if self._can_go and self.standardButton(button) == QMessageBox.StandardButton.Ok:
            self.go_ahead.emit()
