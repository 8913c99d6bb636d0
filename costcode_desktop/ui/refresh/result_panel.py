"""What a refresh run did, kept on screen until dismissed: each project's outcome and reason.

The status bar's message is gone at the next check; this panel stays until the user dismisses
it or starts another run. Names and reasons come from Procore: the list's items are plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.costcodes import plural
from costcode_desktop.services import RefreshOutcome
from costcode_desktop.services.text import isolated, quoted
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.as_given import plain, tooltip_as_given
from costcode_desktop.ui.kit.when import short_time

if TYPE_CHECKING:
    from costcode_desktop.services import CostTypeTodo, RefreshResult, RefreshRun

MOST_LINES = 6  # the list scrolls beyond this; the window keeps its room for the projects
MOST_TODOS = 3  # projects listed in the checklist; the rest are counted


@dataclass(frozen=True, slots=True)
class Line:
    """One project's outcome as the panel lists it."""

    symbol: str
    word: str
    name: str
    reason: str

    @property
    def text(self) -> str:
        return f"{self.symbol} {self.word}: {isolated(self.name)} — {self.reason}"


# Failures first (they want something done), then refusals, then what went well.
ORDER = (
    RefreshOutcome.FAILED,
    RefreshOutcome.REFUSED,
    RefreshOutcome.REFRESHED,
    RefreshOutcome.UNCHANGED,
)
WORDS = {
    RefreshOutcome.FAILED: ("⚠", "Failed"),
    RefreshOutcome.REFUSED: ("⊘", "Skipped"),
    RefreshOutcome.REFRESHED: ("✓", "Refreshed"),
    RefreshOutcome.UNCHANGED: ("✓", "Unchanged"),
}


def run_lines(run: RefreshRun) -> list[Line]:
    """Every project of the run, failures first, each with its reason in plain words."""
    lines = []
    for outcome in ORDER:
        symbol, word = WORDS[outcome]
        for result in run.results:
            if result.outcome is outcome:
                lines.append(Line(symbol, word, _name(result), _reason(result)))
    lines.extend(
        Line("…", "Not started", p.name, "the run was cancelled first") for p in run.not_started
    )
    return lines


def headline(run: RefreshRun, finished_at: datetime) -> str:
    """'Refresh finished 10:42 — 5 refreshed, 1 failed, 1 skipped (no access or not ERP).'"""
    parts = []
    for outcome, count in (
        (RefreshOutcome.REFRESHED, len(run.refreshed)),
        (RefreshOutcome.FAILED, len(run.failed)),
        (RefreshOutcome.REFUSED, len(run.skipped)),
        (RefreshOutcome.UNCHANGED, len(run.unchanged)),
    ):
        if count:
            parts.append(f"{count} {WORDS[outcome][1].lower()}")
    if run.not_started:
        parts.append(f"{len(run.not_started)} not started")
    doing = "Dry run" if run.dry_run else "Refresh"
    ended = "cancelled" if run.cancelled else "finished"
    text = f"{doing} of {plural(run.total, 'project')} {ended} {short_time(finished_at)}"
    text += ": " + ", ".join(parts) + "." if parts else "."
    if run.history_problem:
        text += f" {run.history_problem}"
    return text


def _reason(result: RefreshResult) -> str:
    """The result's message without the "'Name': " it starts with (the line names it)."""
    message = result.message
    named = f"{quoted(result.project.name)}: "
    if message.startswith(named):
        rest = message[len(named) :]
        return rest[:1].upper() + rest[1:]
    return message


def _name(result: RefreshResult) -> str:
    project = result.project
    return f"{project.project_number} {project.name}" if project.project_number else project.name


class RunResultPanel(QFrame):
    """The last run's outcome, project by project, with Try Again, History and Dismiss."""

    try_again_requested = Signal()
    history_requested = Signal()
    open_url_requested = Signal(str)  # a project's Admin page in Procore

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runResult")
        self.setAccessibleName("Result of the last refresh")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.headline = plain(QLabel(self))
        self.headline.setObjectName("runResultHeadline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.list = QListWidget(self)  # items are plain text: names as given
        self.list.setObjectName("runResultList")
        self.list.setAccessibleName("Each project's outcome and why")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setWordWrap(False)  # one line each; the whole reason is in the tooltip
        # One line each: the list need not measure hundreds of items to lay them out.
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(1)
        self.try_again = QPushButton("&Try Again", self)
        self.try_again.setObjectName("runResultTryAgain")
        self.try_again.setAccessibleName("Refresh the failed projects again")
        self.try_again.clicked.connect(self.try_again_requested)
        self.history = QPushButton("Open &History", self)
        self.history.setObjectName("runResultHistory")
        self.history.setAccessibleName("Open the refresh history")
        self.history.clicked.connect(self.history_requested)
        self.dismiss = QPushButton("Dismiss", self)
        self.dismiss.setObjectName("runResultDismiss")
        self.dismiss.setAccessibleName("Dismiss the result of the last refresh")
        self.dismiss.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.try_again)
        top.addWidget(self.history)
        top.addWidget(self.dismiss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.checklist = CostTypeChecklist(self)
        self.checklist.open_url_requested.connect(self.open_url_requested)
        layout.addWidget(self.checklist)
        self._lines: list[Line] = []
        self._failed = False  # the run shown has failed projects
        self._offline = False
        self.hide()

    @property
    def lines(self) -> list[Line]:
        return list(self._lines)

    def show_run(
        self, run: RefreshRun, finished_at: datetime, todos: Sequence[CostTypeTodo] = ()
    ) -> None:
        self.checklist.show_todos(todos)
        self._lines = run_lines(run)
        self.headline.setText(headline(run, finished_at))
        self.list.clear()
        failed = theme.ERROR_TEXT.pick(theme.is_dark(self.palette()))
        for line in self._lines:
            item = QListWidgetItem(line.text)
            item.setToolTip(tooltip_as_given(line.text))
            if line.word == WORDS[RefreshOutcome.FAILED][1]:
                item.setForeground(QColor(failed))
            self.list.addItem(item)
        rows = min(max(len(self._lines), 1), MOST_LINES)
        row = self.list.sizeHintForRow(0) + 2 * self.list.spacing()
        height = row * rows + 2 * self.list.frameWidth() + 2
        self.list.setFixedHeight(height)
        self._failed = bool(run.failed)
        self._show_try_again()
        self.show()

    def set_offline(self, offline: bool) -> None:
        """While Procore cannot be reached the offline banner's Try Again is the one to use."""
        self._offline = offline
        self._show_try_again()

    def _show_try_again(self) -> None:
        self.try_again.setVisible(self._failed and not self._offline)


class CostTypeChecklist(QFrame):
    """After a refresh: the codes left without a cost type, what to do in Procore and where."""

    open_url_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costTypeChecklist")
        self.setAccessibleName("Left to do in Procore: codes without a cost type")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 4, 0, 0)
        self._layout.setSpacing(4)
        self._rows: list[QWidget] = []
        self.todos: list[CostTypeTodo] = []
        self.hide()

    def show_todos(self, todos: Sequence[CostTypeTodo]) -> None:
        for row in self._rows:
            row.deleteLater()
        self._rows = []
        self.todos = list(todos)
        for todo in self.todos[:MOST_TODOS]:
            self._add(self._todo_row(todo))
        if len(self.todos) > MOST_TODOS:
            more = len(self.todos) - MOST_TODOS
            label = plain(QLabel(f"… and {plural(more, 'more project')} with codes to assign."))
            self._add(label)
        self.setVisible(bool(self.todos))

    def _add(self, widget: QWidget) -> None:
        self._rows.append(widget)
        self._layout.addWidget(widget)

    def _todo_row(self, todo: CostTypeTodo) -> QWidget:
        row = QWidget(self)
        row.setObjectName("costTypeTodo")
        text = plain(QLabel(f"☐ {todo.text}", row))  # names as given: plain text
        text.setObjectName("costTypeTodoText")
        text.setWordWrap(True)
        text.setToolTip(tooltip_as_given("Codes without a cost type: " + ", ".join(todo.codes)))
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(text, 1)
        if todo.admin_url:
            url = todo.admin_url
            button = QPushButton("Open in Procore", row)
            button.setObjectName("costTypeOpenInProcore")
            button.setAccessibleName(f"Open the Admin tool of {todo.project.name} in Procore")
            button.setToolTip(tooltip_as_given(url))
            button.clicked.connect(lambda: self.open_url_requested.emit(url))
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row
