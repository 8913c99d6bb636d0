"""The filter bar over the refresh history: project words, a From–To range of days, failures only.

Typing waits a moment before asking for a reload; Enter, the tick box and Reload ask at once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from costcode_desktop.services.history.query import HistoryQuery, search_words
from costcode_desktop.ui.kit.accessibility import name_clear_button

DEFAULT_DAYS = 90
FILTER_DELAY_MS = 350  # let a typist finish the project number before reading again


class HistoryFilterBar(QWidget):
    """The row of filters above the runs; `reload_requested` when they change or Reload is hit."""

    reload_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("historyFilters")
        self._to_follows_today = True  # until the user picks another To day
        self._setting_dates = False

        self.project_filter = QLineEdit(self)
        self.project_filter.setObjectName("historyProjectFilter")
        self.project_filter.setAccessibleName("Filter runs by project")
        self.project_filter.setPlaceholderText("Project number or name")
        name_clear_button(self.project_filter, "Clear the project filter")
        self.project_filter.setToolTip(
            "Show only runs that touched a project whose number or name contains these words "
            "(Ctrl+F)"
        )
        self.project_filter.setMinimumWidth(200)
        self.project_filter.setMaximumWidth(360)
        today = QDate.currentDate()
        self.from_date = self._date_edit(
            "historyFromDate", "Runs from", today.addDays(-DEFAULT_DAYS)
        )
        self.from_date.setToolTip("Show runs started on or after this day")
        self.to_date = self._date_edit("historyToDate", "Runs up to", today)
        self.to_date.setToolTip("Show runs started on or before this day")
        self.failures_only = QCheckBox("Only runs with fai&lures", self)
        self.failures_only.setObjectName("historyFailuresOnly")
        self.failures_only.setToolTip(
            "Show only runs where a project or code failed, and runs that never finished"
        )
        self.reload_button = QPushButton("&Reload", self)
        self.reload_button.setObjectName("historyReload")
        self.reload_button.setAccessibleName("Read the history again")
        self.reload_button.setToolTip("Read the history again (F5)")

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self.reload_requested)
        self.reload_button.clicked.connect(self.reload_requested)
        self.project_filter.textChanged.connect(lambda _text: self._timer.start())
        self.project_filter.returnPressed.connect(self.reload_requested)
        self.from_date.dateChanged.connect(self._dates_changed)
        self.to_date.dateChanged.connect(self._dates_changed)
        self.to_date.dateChanged.connect(self._to_date_edited)
        self.failures_only.toggled.connect(self.reload_requested)
        self._build_layout()

    def _date_edit(self, name: str, accessible: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _build_layout(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for text, editor in (
            ("&Project:", self.project_filter),
            ("&From:", self.from_date),
            ("&To:", self.to_date),
        ):
            label = QLabel(text, self)
            label.setBuddy(editor)
            if editor is self.from_date:
                layout.addSpacing(12)
            layout.addWidget(label)
            layout.addWidget(editor, 1 if editor is self.project_filter else 0)
        layout.addSpacing(12)
        layout.addWidget(self.failures_only)
        layout.addStretch(1)
        layout.addWidget(self.reload_button)

    def catch_up(self) -> None:
        """Before a reload: drop the delayed one, and keep a To day of today on today."""
        self._timer.stop()
        if self._to_follows_today and self.to_date.date() != QDate.currentDate():
            self._setting_dates = True
            self.to_date.setDate(QDate.currentDate())  # a window left open past midnight
            self._setting_dates = False

    def query(self, company_id: int | None, environment: str | None) -> HistoryQuery:
        """The runs of that company and environment the filters select."""
        first = _day(self.from_date.date())
        last = _day(self.to_date.date())
        return HistoryQuery(
            company_id=company_id,
            environment=environment,
            since=datetime.combine(first, time.min).astimezone(),
            until=datetime.combine(last + timedelta(days=1), time.min).astimezone(),
            words=tuple(search_words(self.project_filter.text())),
            failures_only=self.failures_only.isChecked(),
        )

    @Slot()
    def _dates_changed(self) -> None:
        if not self._setting_dates:
            self._timer.start()

    @Slot()
    def _to_date_edited(self) -> None:
        if not self._setting_dates:
            self._to_follows_today = self.to_date.date() == QDate.currentDate()


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
