"""Ctrl+C (and a right-click Copy) on a table: the selected rows as tab-separated text.

What accounting staff paste into Excel or an e-mail. Rows come in the order shown, columns in
the order shown; with more than one row the column names come first. Text a spreadsheet would
run as a formula gets a leading quote, as in the exports.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableView


def _cell(value: object, safe_cell: Callable[[str], str]) -> str:
    text = "" if value is None else str(value)
    return safe_cell(" ".join(text.split()))  # no tab or line break may split a cell


def selected_rows_text(view: QTableView) -> tuple[str, int]:
    """(the text, how many rows) for the rows selected in `view`."""
    from costcode_desktop.services.export import safe_cell  # with the first copy, not at start

    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return "", 0
    rows = sorted({index.row() for index in selection.selectedIndexes()})
    header = view.horizontalHeader()
    columns = [
        header.logicalIndex(visual)
        for visual in range(header.count())
        if not header.isSectionHidden(header.logicalIndex(visual))
    ]
    lines = [
        "\t".join(_cell(model.index(row, column).data(), safe_cell) for column in columns)
        for row in rows
    ]
    if len(rows) > 1:
        names = (model.headerData(c, Qt.Orientation.Horizontal) for c in columns)
        lines.insert(0, "\t".join(_cell(name, safe_cell) for name in names))
    return "\n".join(lines), len(rows)


def enable_row_copy(view: QTableView, copied: Callable[[int], None] | None = None) -> list[QAction]:
    """Copy (Ctrl+C) and, where several rows can be selected, Select All (Ctrl+A), on the
    keyboard and the table's right-click menu. `copied(n)` hears how many rows were copied."""

    def copy() -> None:
        text, count = selected_rows_text(view)
        if count:
            QGuiApplication.clipboard().setText(text)
            if copied is not None:
                copied(count)

    actions = [_table_action(view, "&Copy", QKeySequence.StandardKey.Copy, copy)]
    if view.selectionMode() in (
        QAbstractItemView.SelectionMode.ExtendedSelection,
        QAbstractItemView.SelectionMode.MultiSelection,
    ):
        actions.append(_table_action(view, "Select &All", QKeySequence.StandardKey.SelectAll,
                                     view.selectAll))  # fmt: skip
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return actions


def _table_action(
    view: QTableView, text: str, key: QKeySequence.StandardKey, slot: Callable[[], None]
) -> QAction:
    action = QAction(text, view)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # only while the table has focus
    action.triggered.connect(slot)
    view.addAction(action)
    return action
