"""Right pane: the company list and the selected project's list, aligned, differences marked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.costcodes import Comparison, DiffStatus, outlook
from costcode_desktop.services import CompanyList, ProjectState, ProjectStatus, Standing, standing
from costcode_desktop.services.cache.known import Staleness
from costcode_desktop.ui.compare.delegates import WordDiffDelegate
from costcode_desktop.ui.compare.detail import DetailStrip
from costcode_desktop.ui.compare.header import CompareHeader
from costcode_desktop.ui.compare.model import (
    COL_COMPANY_CODE,
    COL_COMPANY_NAME,
    COL_COST_TYPES,
    COL_PROJECT_CODE,
    COL_PROJECT_NAME,
    COL_STATUS,
    CompareModel,
    status_labels,
)
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.accessibility import name_clear_button
from costcode_desktop.ui.kit.elided import ElidedLabel
from costcode_desktop.ui.kit.sizing import (
    CELL_PADDING,
    fitted_width,
    font_scale,
    header_width,
    set_row_height,
    width_changed,
)
from costcode_desktop.ui.kit.typed_lookup import viewport_of
from costcode_desktop.ui.kit.when import long_time, short_time

SUMMARY_ORDER = (
    DiffStatus.MISSING,
    DiffStatus.DESCRIPTION_DIFFERS,
    DiffStatus.ONLY_ON_PROJECT,
    DiffStatus.IN_SYNC,
)
MIN_DESCRIPTION_WIDTH = 150  # design px: below this the table scrolls sideways instead
# What a description column should fit at the window's usual sizes: 40 characters of a
# typical description, measured in the table's own font.
TYPICAL_DESCRIPTION = "Project Manager - Kitchen and Bath Works"
LEFT_MARGIN = 4  # px between the splitter's handle and the pane
# Sized to their content; the two descriptions share what is left.
FIXED_COLUMNS = (COL_STATUS, COL_COMPANY_CODE, COL_PROJECT_CODE)
SEARCH_DELAY_MS = 150  # let fast typists finish a word before filtering 20,000 rows


def _time(moment: datetime | None) -> str:
    """'10:42:05' today, with the day before (a last-known list may be days old)."""
    if moment is None:
        return "—"
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"{local:%H:%M:%S}"
    return short_time(moment)


class ComparePane(QWidget):
    """Shows one project's status; the company list, whether it is last-known, and each
    project's mark are read from their owner when needed."""

    wanted_width_changed = Signal()  # another comparison's codes need other column widths

    def __init__(
        self,
        company_list: Callable[[], CompanyList | None],
        parent: QWidget | None = None,
        *,
        list_cached: Callable[[], bool] = lambda: False,
        mark: Callable[[int], Staleness | None] = lambda _project_id: None,
        allowed: Callable[[int], bool | None] = lambda _project_id: None,
    ) -> None:
        super().__init__(parent)
        self._wanted = 0
        self.model = CompareModel(self)
        self.status: ProjectStatus | None = None  # the one shown
        self._company_list = company_list
        self._list_cached = list_cached
        self._mark = mark
        self._allowed = allowed  # the session's kept permission answer for a project

        self.header = CompareHeader(self)
        # Why the comparison shown is last-known, after a failure (the failure's own words).
        self.notice = ElidedLabel(parent=self, wrap=True)
        self.notice.setObjectName("compareNotice")
        self.notice.hide()
        # What a refresh will do for this project, in one sentence (services' rule, the plan's
        # numbers); the counts of each kind follow in `summary`.
        self.outlook = QLabel(self)
        self.outlook.setTextFormat(Qt.TextFormat.PlainText)
        self.outlook.setObjectName("compareOutlook")
        self.outlook.setAccessibleName("What a refresh will do")
        self.outlook.setWordWrap(True)
        font = self.outlook.font()
        font.setBold(True)
        self.outlook.setFont(font)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setObjectName("compareSummary")
        self.summary.setWordWrap(True)

        self.search = QLineEdit(self)
        self.search.setObjectName("compareSearchField")
        self.search.setPlaceholderText("Search codes and descriptions")
        name_clear_button(self.search, "Clear the search")
        self.search.setAccessibleName("Search the comparison")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.differences_only = QCheckBox("Differences only", self)
        self.differences_only.setObjectName("differencesOnly")
        self.differences_only.setToolTip("Hide codes that are the same on both lists (Ctrl+D)")
        self.differences_only.toggled.connect(lambda on: self.model.set_filter(differences_only=on))

        self.view = QTableView(self)
        self.view.setObjectName("compareView")
        self.view.setAccessibleName("Comparison of the company list and the project's list")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setTabKeyNavigation(False)  # arrows move in the table; Tab leaves it
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        set_row_height(self.view, padding=6)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.horizontalHeader().setAccessibleName("Columns of the comparison")
        delegate = WordDiffDelegate(self.view)
        self.view.setItemDelegateForColumn(COL_COMPANY_NAME, delegate)
        self.view.setItemDelegateForColumn(COL_PROJECT_NAME, delegate)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        self._types_width = 0  # the Cost types column's fitted width (see _fit_code_columns)
        header.resizeSection(COL_STATUS, fitted_width(self.view, COL_STATUS, status_labels()))
        self._fit_code_columns()
        viewport_of(self.view).installEventFilter(self)
        self.detail = DetailStrip(self)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_detail())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        self.model.modelReset.connect(self._show_detail)

        # What is shown instead of a comparison: plain text, names elided (see ElidedLabel).
        self.placeholder_heading = ElidedLabel(parent=self, wrap=True)
        self.placeholder_heading.setObjectName("comparePlaceholderHeading")
        font = self.placeholder_heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.placeholder_heading.setFont(font)
        self.placeholder = ElidedLabel(parent=self, wrap=True)
        self.placeholder.setObjectName("comparePlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Wrapped at its narrowest, a long message would ask for more height than a small
        # screen has: it takes the height the pane gives it instead.
        policy = self.placeholder.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
        self.placeholder.setSizePolicy(policy)
        self.placeholder_box = QWidget(self)
        box = QVBoxLayout(self.placeholder_box)
        box.setContentsMargins(24, 24, 24, 24)
        box.addWidget(self.placeholder_heading)
        box.addWidget(self.placeholder, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.placeholder_box)

        tools = QHBoxLayout()
        tools.addWidget(self.search, 1)
        tools.addWidget(self.differences_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(LEFT_MARGIN, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.outlook)
        layout.addWidget(self.summary)
        layout.addLayout(tools)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.detail)
        self.show_message("Select a project to compare its cost codes with the company list.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view.viewport() and width_changed(event):
            self._share_description_width()
        return super().eventFilter(watched, event)

    def _share_description_width(self) -> None:
        """The two descriptions stretch over the room the status and codes leave, shared, so
        neither side is cut off first."""
        header = self.view.horizontalHeader()
        fixed = sum(header.sectionSize(c) for c in FIXED_COLUMNS)
        least = max(
            round(MIN_DESCRIPTION_WIDTH * font_scale(self.view)),
            header_width(header, COL_COMPANY_NAME),
            header_width(header, COL_PROJECT_NAME),
        )
        # The descriptions come first: cost types get a column only when both descriptions
        # still have a typical one's room (the detail strip always shows them).
        room = self.view.viewport().width() - fixed - self._types_width
        bar = self.view.verticalScrollBar()
        if not bar.isVisible():  # rows still to come may bring it, and take its width
            room -= bar.sizeHint().width()
        with_types = room >= 2 * max(least, self.description_room())
        if with_types != (not self.view.isColumnHidden(COL_COST_TYPES)):
            self.view.setColumnHidden(COL_COST_TYPES, not with_types)
        if with_types:
            header.resizeSection(COL_COST_TYPES, self._types_width)
            fixed += self._types_width
        each = max(least, (self.view.viewport().width() - fixed) // 2)
        header.resizeSection(COL_COMPANY_NAME, each)
        header.resizeSection(COL_PROJECT_NAME, each)

    def _fit_code_columns(self) -> None:
        """The codes (and cost types, when shown) take what their longest text needs; the
        descriptions get the rest."""
        header = self.view.horizontalHeader()
        for column in (COL_COMPANY_CODE, COL_PROJECT_CODE):
            texts = self.model.longest(column)
            header.resizeSection(column, fitted_width(self.view, column, texts, bold=True))
        texts = self.model.longest(COL_COST_TYPES)
        self._types_width = fitted_width(self.view, COL_COST_TYPES, texts, bold=True)
        self._share_description_width()
        wanted = self.wanted_width()
        if wanted != self._wanted:  # the split between the panes may want redoing
            self._wanted = wanted
            self.wanted_width_changed.emit()

    def description_room(self) -> int:
        """What one description column should have: a typical description, uncut."""
        metrics = QFontMetrics(self.view.font())
        padding = round(CELL_PADDING * font_scale(self.view))
        return metrics.horizontalAdvance(TYPICAL_DESCRIPTION) + padding

    def wanted_width(self) -> int:
        """The pane's width with every column at its size (Cost types too) and both
        descriptions uncut."""
        header = self.view.horizontalHeader()
        fixed = sum(header.sectionSize(c) for c in FIXED_COLUMNS) + self._types_width
        scroll_bar = self.view.verticalScrollBar().sizeHint().width()
        frame = 2 * self.view.frameWidth() + LEFT_MARGIN
        return fixed + 2 * self.description_room() + scroll_bar + frame

    def _show_detail(self) -> None:
        """The current line's descriptions, whole, in the strip under the table."""
        index = self.view.currentIndex()
        selected = index.isValid() and self.view.selectionModel().isRowSelected(index.row())
        self.detail.show_row(self.model.row_at(index.row()) if selected else None)

    def _apply_search(self) -> None:
        self.model.set_filter(text=self.search.text())

    # -- what the window calls ----------------------------------------------------------------

    def show_message(self, text: str, *, heading: str = "") -> None:
        """Plain text (it names projects and companies) instead of a comparison."""
        self.status = None
        self.model.set_comparison(None)
        self.outlook.setText("")
        self.outlook.hide()
        self.summary.setText("")
        self.placeholder_heading.setText(heading)
        self.placeholder_heading.setVisible(bool(heading))
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder_box)
        self.detail.hide()
        self._set_header(None)

    def show_status(self, status: ProjectStatus) -> None:
        if status.comparison is None:
            self.show_message(f"{status.state.label}.\n\n{status.message}", heading=status.label)
            self.status = status
            self._set_header(status)
            return
        same_project = self.status is not None and self.status.key == status.key
        self.status = status
        scroll = self.view.verticalScrollBar().value() if same_project else 0
        self.model.set_comparison(status.comparison)
        self._fit_code_columns()
        self.view.verticalScrollBar().setValue(scroll)
        self.stack.setCurrentWidget(self.view)
        self.detail.show()
        self._set_header(status)
        self.show_outlook()
        self.summary.setText(_summary(status.comparison))

    def show_outlook(self) -> None:
        """Say again what a refresh will do (a permission answer may have come meanwhile)."""
        status = self.status
        if status is None or status.comparison is None:
            return
        self.outlook.setText(_outlook(status, self._allowed(status.project.id)))
        self.outlook.show()

    @property
    def comparison(self) -> Comparison | None:
        return self.model.comparison

    def refresh_header(self) -> None:
        """The company list or the shown project's mark changed: say so in the header."""
        self._set_header(self.status)

    def _set_header(self, status: ProjectStatus | None) -> None:
        company = self._company_list()
        self.header.rules.setVisible(company is not None)
        if company is None:
            self.header.company.set("", "not loaded yet")
        else:
            self.header.rules.setText(company.connector.rules_words)
            read = _time(company.read_at)
            when = f"as of {read}" if self._list_cached() else f"read {read}"
            self.header.company.set(company.list.name, f" · {len(company.codes)} codes · {when}")
        # A sub job's result is never last-known: it is read this session.
        mark = self._mark(status.project.id) if status is not None and not status.sub_job else None
        self._set_notice(status, mark)
        self.header.project.setVisible(status is not None)
        if status is None:
            return
        when = f"as of {_time(status.checked_at)}" if mark else f"read {_time(status.checked_at)}"
        # '23-104 Riverside Clinic', or for a sub job '23-104 / E02 Owner Change Extras'.
        self.header.project.set(status.label, f" · {when}")

    def _set_notice(self, status: ProjectStatus | None, mark: Staleness | None) -> None:
        """'⚠ Last check failed 10:58 — could not reach Procore. Showing …', or why a
        project is *No access* (its comparison is shown, but it cannot be refreshed)."""
        if status is not None and status.state is ProjectState.NO_ACCESS and status.message:
            self.notice.setText(f"⊘ No access — {status.message}")
            self.notice.show()
            return
        if status is None or mark is None or not mark.failed:
            self.notice.hide()
            return
        failed = short_time(mark.failed_at) if mark.failed_at else ""
        self.notice.setText(
            f"⚠ Last {mark.doing} failed {failed} — {mark.failure}. Showing the comparison "
            f"read at {long_time(status.checked_at)}."
        )
        self.notice.show()


def _outlook(status: ProjectStatus, allowed: bool | None) -> str:
    """One sentence: what a refresh will do for this project, or why it will not."""
    assert status.comparison is not None
    refused = standing(status, allowed) is Standing.REFUSED
    if refused or status.state is ProjectState.NO_ACCESS:  # the comparison kept, not sendable
        return (
            "Refresh will skip this project: Procore says you may not change its cost codes, "
            "so nothing is sent."
        )
    return outlook(status.comparison).sentence()


def _summary(comparison: Comparison) -> str:
    """The count of each kind, those a refresh fixes first, then those it leaves."""
    parts = []
    connector = comparison.connector
    locked_by = connector.name if connector.known else "the ERP"  # the full name: room here
    for status in SUMMARY_ORDER:
        look = theme.DIFF_LOOKS[status]
        parts.append(f"{look.symbol} {comparison.count_unlocked(status)} {look.word.lower()}")
    stays = [
        (theme.LOCKED_LOOK.symbol, comparison.locked_differences, f"locked by {locked_by}"),
        (theme.UNSENT_LOOK.symbol, comparison.count(DiffStatus.UNSUPPORTED), "unsupported"),
    ]
    parts += [f"{symbol} {n} {words}" for symbol, n, words in stays if n]
    return " · ".join(parts)
