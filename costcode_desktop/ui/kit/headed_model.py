"""The plumbing every flat table model here shares: named columns, header tooltips, row count,
and one `data()` that turns each item role into a question the model answers per cell.

A model says what a cell shows (`text`), how it sorts, its tooltip, its state colour (`look`)
and whether it is drawn quietly (`muted`); right alignment comes from NUMBER_COLUMNS. Roles of
its own go through `other_role`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.roles import SORT_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class HeadedTableModel(QAbstractTableModel):
    """A flat table whose columns HEADERS names and HEADER_TIPS explains (hover a header)."""

    HEADERS: tuple[str, ...] = ()
    HEADER_TIPS: tuple[str, ...] = ()
    NUMBER_COLUMNS: frozenset[int] = frozenset()  # right-aligned

    # -- what a model answers per cell (row is the row shown, column the column) ----------------

    def shown_rows(self) -> int:
        """How many rows the table has now (subclasses keep their rows their own way)."""
        raise NotImplementedError

    def text(self, row: int, column: int) -> str:
        raise NotImplementedError

    def sort_value(self, row: int, column: int) -> Any:
        """The native value to sort on (numbers as numbers); the text unless a model says."""
        return self.text(row, column)

    def tooltip(self, row: int, column: int) -> str | None:
        return None

    def look(self, row: int, column: int) -> theme.Look | None:
        """The state colour of the cell's background, if it has one."""
        return None

    def muted(self, row: int, column: int) -> bool:
        """Drawn in the quiet placeholder colour (still readable) so other cells stand out."""
        return False

    def other_role(self, row: int, column: int, role: int) -> Any:
        return None

    # -- Qt model API --------------------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Role.DisplayRole:
            return self.text(row, column)
        if role == SORT_ROLE:
            return self.sort_value(row, column)
        if role == Role.ToolTipRole:
            return self.tooltip(row, column)
        if role == Role.BackgroundRole:
            look = self.look(row, column)
            return theme.background(look) if look is not None else None
        if role == Role.ForegroundRole:
            if self.muted(row, column):
                return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
            return None
        if role == Role.TextAlignmentRole:
            return RIGHT if column in self.NUMBER_COLUMNS else None
        return self.other_role(row, column, role)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.shown_rows()

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Role.DisplayRole:
            return self.HEADERS[section]
        if role == Role.ToolTipRole and section < len(self.HEADER_TIPS):
            return self.HEADER_TIPS[section]
        return None

    def last_column(self) -> int:
        return len(self.HEADERS) - 1
