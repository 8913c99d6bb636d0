"""The plumbing every flat table model here shares: named columns, header tooltips, row count,
and one `data()` that turns each item role into a question the model answers per cell.

A model says what a cell shows (`text`), how it sorts, its tooltip, its state colour (`look`)
and whether it is drawn quietly (`muted`); right alignment comes from NUMBER_COLUMNS. Roles of
its own go through `other_role`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.as_given import tooltip_as_given
from costcode_desktop.ui.kit.roles import SORT_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY = int(Role.DisplayRole)
_TOOLTIP = int(Role.ToolTipRole)
_BACKGROUND = int(Role.BackgroundRole)
_FOREGROUND = int(Role.ForegroundRole)
_ALIGNMENT = int(Role.TextAlignmentRole)


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
    # Every call Qt makes into Python must take the GIL again, and while worker threads run
    # Python each call may wait for it: a paint's calls are what makes a window stall then.
    # QAbstractTableModel.index() checks bounds through rowCount() and columnCount(), and a
    # delegate asks data() once per role (seven a cell); the two overrides below make that one
    # call each (a full paint of the projects went from 2,592 calls to 480).

    def index(
        self,
        row: int,
        column: int,
        parent: AnyIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        inside = 0 <= row < self.shown_rows() and 0 <= column < len(self.HEADERS)
        if parent.isValid() or not inside:
            return QModelIndex()
        return self.createIndex(row, column)

    def multiData(  # noqa: N802
        self, index: AnyIndex, roles: QModelRoleDataSpan | QModelRoleData
    ) -> None:
        # A span is iterable at run time, though PySide6's type stubs do not say so.
        items = (
            [roles] if isinstance(roles, QModelRoleData) else cast(Iterable[QModelRoleData], roles)
        )
        if not index.isValid():
            for role_data in items:
                role_data.clearData()
            return
        row, column = index.row(), index.column()  # once a cell, not once a role
        for role_data in items:  # the span is reused: every role is set or cleared
            value = self.cell(row, column, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def data(self, index: AnyIndex, role: int = Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), int(role))

    def cell(self, row: int, column: int, role: int) -> Any:
        """What the cell answers for one role. The roles are compared as plain ints: a paint
        asks about seven roles a cell, and comparing Qt's enum members costs far more."""
        if role == _DISPLAY:
            return self.text(row, column)
        if role == SORT_ROLE:
            return self.sort_value(row, column)
        if role == _TOOLTIP:  # tooltips hold names from Procore: never read as HTML
            tip = self.tooltip(row, column)
            return tooltip_as_given(tip) if tip else tip
        if role == _BACKGROUND:
            look = self.look(row, column)
            return theme.background(look) if look is not None else None
        if role == _FOREGROUND:
            if self.muted(row, column):
                return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
            return None
        if role == _ALIGNMENT:
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
