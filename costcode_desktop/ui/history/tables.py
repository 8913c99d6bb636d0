"""The history window's tables: read-only and sortable, each in a titled pane that shows a plain
sentence in place of the table when there is nothing to list.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.ui.kit.copy_rows import enable_row_copy
from costcode_desktop.ui.kit.elided import ElidedLabel
from costcode_desktop.ui.kit.roles import SORT_ROLE
from costcode_desktop.ui.kit.sizing import set_row_height, size_columns


class TablePane(QWidget):
    """A titled table that shows a plain sentence instead when it has nothing to show."""

    def __init__(self, title: str, view: QTableView, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = ElidedLabel(title, self)  # names a project and a user: plain, elided
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.view = view
        self.placeholder = QLabel(self)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMargin(16)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(view)
        self.stack.addWidget(self.placeholder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)

    def show_table(self) -> None:
        self.stack.setCurrentWidget(self.view)

    def show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    @property
    def message(self) -> str:
        """The sentence shown in place of the table, or "" while the table shows."""
        return self.placeholder.text() if self.stack.currentWidget() is self.placeholder else ""


def history_table(
    parent: QWidget, name: str, accessible: str, model: QAbstractItemModel
) -> tuple[QTableView, QSortFilterProxyModel]:
    """A read-only table over `model`, sorted through a proxy on the models' SORT_ROLE."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setModel(proxy)
    # Unsorted until a header is clicked: rows keep the order the run recorded them in.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # arrows move in the table; Tab goes on to the next one
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    set_row_height(view)
    header = view.horizontalHeader()
    header.setAccessibleName(f"Columns of {accessible.lower()}")
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setDefaultSectionSize(64)
    header.setMinimumSectionSize(40)
    enable_row_copy(view)
    return view, proxy


def set_column_widths(view: QTableView, widths: dict[int, int], stretch: int | None = None) -> None:
    """Starting widths; the stretch column (else the last) takes the room that is left."""
    size_columns(view, widths)
    header = view.horizontalHeader()
    if stretch is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def source_rows(proxy: QSortFilterProxyModel) -> list[int]:
    """The model rows behind the table's rows, in the order shown."""
    return [proxy.mapToSource(proxy.index(row, 0)).row() for row in range(proxy.rowCount())]


def select_row(view: QTableView, index: QModelIndex) -> None:
    """Make that row the current and only selected one, scrolled into view."""
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | (
        QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(index, flags)
    view.scrollTo(index)
