"""Confirm a refresh of many projects, with what each would change and what it costs.

Nothing is sent from here: the preview comes from services (the comparisons on screen, the
permissions the session knows, the requests and time within Procore's limits). While services
ask for the permissions not known yet, the dialog says so; `show_preview` fills it in again.
"""

from __future__ import annotations

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

from costcode_desktop.costcodes import plural
from costcode_desktop.services import MAX_CONCURRENCY, PreviewLine, RefreshPreview
from costcode_desktop.ui.kit.accessibility import set_tab_order
from costcode_desktop.ui.kit.as_given import plain, tooltip_as_given
from costcode_desktop.ui.kit.sizing import scaled_size

COLUMNS = ["Project", "Codes to add", "Descriptions to update", "Not sent", "Permission"]


MOST_NAMES = 5  # names in the left-out note; the rest are counted


def left_out_text(names: list[str]) -> str:
    """'1 project left out: no access — Summit Ridge Data Center.'"""
    shown = ", ".join(names[:MOST_NAMES])
    more = len(names) - MOST_NAMES
    if more > 0:
        shown += f" and {more} more"
    return f"{plural(len(names), 'project')} left out: no access — {shown}."


def _permission_text(line: PreviewLine) -> str:
    if line.checking:
        return "Checking…"
    if line.refused:
        return "Will be skipped"
    return ""


class BulkRefreshDialog(QDialog):
    """Lists the projects and their changes; accepted means go, at the chosen concurrency."""

    def __init__(
        self,
        preview: RefreshPreview,
        parent: QWidget | None = None,
        *,
        inactive_left_out: int = 0,
        concurrency: int = 3,
        no_access: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bulkRefreshDialog")
        self.setWindowTitle("Refresh out-of-date projects")
        self.setMinimumSize(scaled_size(self, 760, 480))
        self.title = title = QLabel(self)
        title.setObjectName("bulkTitle")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        self.heading = plain(QLabel(self))
        self.heading.setObjectName("bulkSummary")
        self.heading.setWordWrap(True)
        self.estimate = plain(QLabel(self))
        self.estimate.setObjectName("bulkEstimate")
        self.estimate.setAccessibleName("Requests and time within Procore's limits")
        self.estimate.setWordWrap(True)
        # Projects the permission check refused: named here, not in the table or the counts.
        self.left_out = plain(QLabel(self))
        self.left_out.setObjectName("bulkLeftOut")
        self.left_out.setWordWrap(True)
        self.left_out.setToolTip(
            "You need 'Admin' on a project's Admin tool in Procore to refresh its cost codes. "
            "Once it is given, choose Reload (F5) and the project is checked again."
        )
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("bulkPreview")
        self.table.setAccessibleName("Projects to refresh and what would change on each")
        self.table.setTabKeyNavigation(False)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeaderItem(3).setToolTip(  # type: ignore[union-attr]
            "Codes the company's ERP connector cannot take, and descriptions it locks: "
            "left as they are"
        )
        self.table.horizontalHeaderItem(4).setToolTip(  # type: ignore[union-attr]
            "Whether you may change the project's cost codes ('Admin' on its Admin tool): "
            "asked of Procore once, and kept for the refresh"
        )
        self.table.setWordWrap(False)  # one line per project; the full name is in its tooltip
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setAccessibleName("Columns of the projects to refresh")
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        notes = []
        if inactive_left_out:
            notes.append(
                f"{plural(inactive_left_out, 'inactive project')} with differences "
                + (
                    "is not included: select it and choose Refresh Selected to refresh it."
                    if inactive_left_out == 1
                    else "are not included: select them and choose Refresh Selected to "
                    "refresh them."
                )
            )
        notes.append(
            "Projects that cannot be refreshed (not connected to the ERP system, on another "
            "list, or without Admin permission) are skipped with the reason, not counted as "
            "failures."
        )
        note = QLabel(" ".join(notes))
        note.setWordWrap(True)
        self.concurrency = QSpinBox(self)
        self.concurrency.setObjectName("bulkConcurrency")
        self.concurrency.setAccessibleName("Projects refreshed at a time")
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(concurrency)
        self.concurrency.setToolTip(
            "How many projects are refreshed at the same time. More can be faster until "
            "Procore's request limits are reached (CostCodeSync slows down on its own before "
            "it reaches them), and leaves the window less smooth while the refresh runs."
        )
        at_once = QHBoxLayout()
        at_once_label = QLabel("Projects at a &time:", self)
        at_once_label.setBuddy(self.concurrency)
        at_once.addWidget(at_once_label)
        at_once.addWidget(self.concurrency)
        at_once.addStretch(1)
        buttons = QDialogButtonBox(self)
        go = buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        go.setObjectName("bulkGo")
        self.go_button = go
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.heading)
        layout.addWidget(self.estimate)
        layout.addWidget(self.left_out)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(at_once)
        layout.addWidget(buttons)
        self.tab_order: list[QWidget] = [self.table, self.concurrency, go, self.cancel_button]
        set_tab_order(self.tab_order)
        self.show_preview(preview, no_access or [])

    def show_preview(self, preview: RefreshPreview, no_access: list[str] | None = None) -> None:
        """Fill in the rows, the summary and the estimate (again once permissions are known);
        `no_access` names the projects left out because the user may not change them."""
        self.preview = preview
        lines = preview.lines
        noun = "project" if len(lines) == 1 else "projects"
        self.title.setText(
            f"Refresh {len(lines)} out-of-date {noun}?" if lines else "Nothing to refresh"
        )
        self.go_button.setText(f"Refresh {len(lines)} {noun.title()}")
        self.go_button.setEnabled(bool(lines))
        self.left_out.setText(left_out_text(no_access) if no_access else "")
        self.left_out.setVisible(bool(no_access))
        self.table.setRowCount(len(lines))
        going = [line for line in preview.lines if line.will_change or line.checking]
        adds = sum(line.to_add for line in going)
        updates = sum(line.to_update for line in going)
        text = (
            f"{plural(adds, 'code')} will be added and {plural(updates, 'description')} updated "
            "from the company list. Nothing is deleted; each project is read again afterwards "
            "to check the result."
        )
        refused = preview.refused
        if refused:
            text += (
                f" {plural(len(refused), 'project')} will be skipped: you may not change "
                f"{'its' if len(refused) == 1 else 'their'} cost codes ('Admin' is needed)."
            )
        checking = sum(1 for line in preview.lines if line.checking)
        if checking:
            text += f" Checking your permission on {plural(checking, 'project')}…"
        self.heading.setText(text)
        self.estimate.setText(preview.estimate.text)
        font = self.estimate.font()
        font.setBold(not preview.estimate.fits)  # the hour will not cover it: worth noticing
        self.estimate.setFont(font)
        for row, line in enumerate(preview.lines):
            name = f"{line.project.project_number or ''} {line.project.name}".strip()
            cells = [
                name,
                str(line.to_add),
                str(line.to_update),
                str(line.skipped or ""),
                _permission_text(line),
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 0:
                    item.setToolTip(tooltip_as_given(name))
                elif column == 4:
                    item.setToolTip(tooltip_as_given(line.refused))
                else:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
