"""Confirm a refresh of many projects, with what each would change (a dry run, nothing sent)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.costcodes import plan_refresh
from costcode_desktop.services import MAX_CONCURRENCY, Project, ProjectStatus
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.sizing import scaled_size


@dataclass(frozen=True)
class PreviewLine:
    project: Project
    to_add: int
    to_update: int
    skipped: int  # codes that cannot be sent, or locked descriptions


def preview(statuses: list[ProjectStatus]) -> list[PreviewLine]:
    """What a refresh would do to each project, from the comparisons already on screen."""
    lines = []
    for status in statuses:
        if status.comparison is None:
            continue
        plan = plan_refresh(status.comparison)
        lines.append(
            PreviewLine(status.project, len(plan.to_add), len(plan.updates), len(plan.skipped))
        )
    return lines


class BulkRefreshDialog(QDialog):
    """Lists the projects and their changes; accepted means go, at the chosen concurrency."""

    def __init__(
        self,
        lines: list[PreviewLine],
        parent: QWidget | None = None,
        *,
        inactive_left_out: int = 0,
        concurrency: int = 3,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bulkRefreshDialog")
        self.setWindowTitle("Refresh out-of-date projects")
        self.setMinimumSize(scaled_size(self, 720, 460))
        adds = sum(line.to_add for line in lines)
        updates = sum(line.to_update for line in lines)
        noun = "project" if len(lines) == 1 else "projects"
        title = QLabel(f"Refresh {len(lines)} out-of-date {noun}?", self)
        title.setObjectName("bulkTitle")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        heading = QLabel(
            f"{adds} codes will be added and {updates} descriptions updated from the company "
            "list. Nothing is deleted; each project is read again afterwards to check the result.",
            self,
        )
        heading.setObjectName("bulkSummary")
        heading.setWordWrap(True)
        self.table = QTableWidget(len(lines), 4, self)
        self.table.setObjectName("bulkPreview")
        self.table.setAccessibleName("Projects to refresh and what would change on each")
        self.table.setTabKeyNavigation(False)
        self.table.setHorizontalHeaderLabels(
            ["Project", "Codes to add", "Descriptions to update", "Not sent"]
        )
        self.table.horizontalHeaderItem(3).setToolTip(  # type: ignore[union-attr]
            "Codes Sage 300 CRE cannot take, and descriptions locked by the Sage connector: "
            "left as they are"
        )
        self.table.setWordWrap(False)  # one line per project; the full name is in its tooltip
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row, line in enumerate(lines):
            name = f"{line.project.project_number or ''} {line.project.name}".strip()
            cells = [name, str(line.to_add), str(line.to_update), str(line.skipped or "")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not column:
                    item.setToolTip(name)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setAccessibleName("Columns of the projects to refresh")
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        notes = []
        if inactive_left_out:
            notes.append(
                f"{inactive_left_out} inactive out-of-date project"
                + (
                    " is not included: select it and choose Refresh Selected to refresh it."
                    if inactive_left_out == 1
                    else "s are not included: select them and choose Refresh Selected to "
                    "refresh them."
                )
            )
        notes.append(
            "Projects that cannot be refreshed (not connected to Sage 300 CRE, on another list, "
            "or without Admin permission) are skipped with the reason, not counted as failures."
        )
        note = QLabel(" ".join(notes))
        note.setWordWrap(True)
        self.concurrency = QSpinBox(self)
        self.concurrency.setObjectName("bulkConcurrency")
        self.concurrency.setAccessibleName("Projects refreshed at a time")
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(concurrency)
        self.concurrency.setToolTip(
            "How many projects are refreshed at the same time. More is faster, within Procore's "
            "request limits (CostCodeSync slows down on its own before it reaches them)."
        )
        at_once = QHBoxLayout()
        at_once_label = QLabel("Projects at a &time:", self)
        at_once_label.setBuddy(self.concurrency)
        at_once.addWidget(at_once_label)
        at_once.addWidget(self.concurrency)
        at_once.addStretch(1)
        buttons = QDialogButtonBox(self)
        go = buttons.addButton(
            f"Refresh {len(lines)} {noun.title()}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        go.setObjectName("bulkGo")
        self.go_button = go
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(at_once)
        layout.addWidget(buttons)
        self.tab_order: list[QWidget] = [self.table, self.concurrency, go, self.cancel_button]
        set_tab_order(self.tab_order)
