"""The company list and a project's list side by side, one aligned row per code.

Sized for 20,000+ rows: every display string and search key is computed once per comparison,
and filtering rebuilds a list of visible row numbers instead of asking a proxy per row.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from costcode_desktop.costcodes import (
    SAGE_300,
    Comparison,
    ComparisonRow,
    Connector,
    DiffStatus,
    codes_text,
    names_text,
    same_types,
)
from costcode_desktop.costcodes.worddiff import Span, word_diff
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.headed_model import HeadedTableModel
from costcode_desktop.ui.kit.roles import DIFF_STATUS_ROLE, LOCKED_ROLE, ROW_ROLE, WORD_DIFF_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex

(
    COL_STATUS,
    COL_COMPANY_CODE,
    COL_COMPANY_NAME,
    COL_PROJECT_CODE,
    COL_PROJECT_NAME,
    COL_COST_TYPES,
) = range(6)
HEADERS = (
    "Status",
    "Company code",
    "Company description",
    "Project code",
    "Project description",
    "Cost types",
)
DESCRIPTION_COLUMNS = (COL_COMPANY_NAME, COL_PROJECT_NAME)
INDENT = "    "  # per tier, so divisions and their codes read as a tree


def _stays(row: ComparisonRow) -> bool:
    """A difference a refresh leaves as it is: a description locked by the ERP connector, or a
    code it cannot send. Drawn quietly, apart from the differences a refresh fixes."""
    return row.locked or row.status is DiffStatus.UNSUPPORTED


def _look(row: ComparisonRow) -> theme.Look:
    if row.locked:
        return theme.LOCKED_LOOK
    if row.status is DiffStatus.UNSUPPORTED:
        return theme.UNSENT_LOOK
    return theme.DIFF_LOOKS[row.status]


def types_differ(row: ComparisonRow) -> bool:
    """The project's code has other cost types than the company's defaults for it."""
    std, own = row.standard, row.project
    return std is not None and own is not None and not same_types(std.cost_types, own.cost_types)


def _cost_types_text(row: ComparisonRow) -> str:
    """The project's types ("L, M, S"), marked when they differ from the company's defaults;
    the company's for a code the project does not have."""
    std, own = row.standard, row.project
    if own is None:
        return codes_text(std.cost_types) if std else ""
    if types_differ(row):
        assert std is not None
        # Short, so the column stays narrow: the company's are in the tooltip and the strip.
        return f"{theme.COST_TYPES_DIFFER_LOOK.symbol} {codes_text(own.cost_types)}"
    return codes_text(own.cost_types)


def _cost_types_tooltip(row: ComparisonRow) -> str:
    std, own = row.standard, row.project
    lines = []
    if std is not None:
        lines.append(f"Company default: {names_text(std.cost_types)}")
    if own is not None:
        lines.append(f"On the project: {names_text(own.cost_types)}")
    if types_differ(row):
        lines.append("The project's cost types are not the company's defaults.")
    if own is None and std is not None:
        lines.append("A code copied to the project arrives without cost types.")
    elif own is not None and own.cost_types == ():
        lines.append(
            "No cost type: Sage 300 CRE cannot take this code until one is assigned in Procore."
        )
    return "\n".join(lines)


def _display(row: ComparisonRow) -> tuple[str, str, str, str, str, str]:
    indent = INDENT * row.depth
    std, own = row.standard, row.project
    return (
        _look(row).label,
        indent + std.full_code if std else "",
        std.name if std else "",
        indent + own.full_code if own else "",
        own.name if own else "",
        _cost_types_text(row),
    )


def status_labels() -> list[str]:
    """Every text the status column can show, for its width."""
    looks = [*theme.DIFF_LOOKS.values(), theme.LOCKED_LOOK, theme.UNSENT_LOOK]
    return [look.label for look in looks]


def _tooltip(row: ComparisonRow, connector: Connector) -> str:
    if row.status is DiffStatus.UNSUPPORTED:
        where = (
            "The project does not have it"
            if row.project is None
            else "The project has it with another description"
        )
        system = connector.system
        return (
            f"{system[:1].upper()}{system[1:]} cannot send this code. {row.note} {where}: a "
            "refresh leaves it."
        )
    if row.locked:
        return (
            f"Locked by {connector.connector_words}: the project's description comes from "
            f"{connector.system} and a refresh leaves it as it is."
        )
    if row.status is DiffStatus.IN_SYNC and row.note:
        return (
            f"Same code and description on both lists. {connector.system} could not send this "
            f"code ({row.note.rstrip('.')}), but the project has it already: nothing to send."
        )
    return {
        DiffStatus.MISSING: "On the company list but not on the project: a refresh adds it.",
        DiffStatus.DESCRIPTION_DIFFERS: "The project's description was changed: a refresh "
        "restores the company description.",
        DiffStatus.ONLY_ON_PROJECT: "Only on the project: a refresh never deletes it.",
        DiffStatus.IN_SYNC: "Same code and description on both lists.",
    }[row.status]


_FONT = int(Qt.ItemDataRole.FontRole)  # ints: a role is compared for every cell painted
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)


class CompareModel(HeadedTableModel):
    HEADERS = HEADERS
    HEADER_TIPS = (
        "How the project's code compares with the company list",
        "The code on the company's ERP standard list",
        "Its description on the company list",
        "The same code on the project's own list",
        "Its description on the project (words that differ are highlighted)",
        "The project's cost types (Sage categories); ≠ where they are not the company's defaults",
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._comparison: Comparison | None = None
        self._rows: Sequence[ComparisonRow] = ()
        self._display: list[tuple[str, str, str, str, str, str]] = []
        self._keys: list[str] = []
        self._visible: list[int] = []
        self._differences_only = False
        self._words: list[str] = []
        self._division_font = QFont()
        self._division_font.setBold(True)

    # -- content -------------------------------------------------------------------------------

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self._comparison = comparison
        self._rows = comparison.rows if comparison else ()
        self._display = [_display(row) for row in self._rows]
        self._keys = ["\n".join(cells[1:5]).casefold() for cells in self._display]
        self._visible = self._filtered()
        self.endResetModel()

    @property
    def comparison(self) -> Comparison | None:
        return self._comparison

    def set_filter(self, *, differences_only: bool | None = None, text: str | None = None) -> None:
        if differences_only is not None:
            self._differences_only = differences_only
        if text is not None:
            self._words = text.casefold().split()
        self.beginResetModel()
        self._visible = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[int]:
        rows, keys, words = self._rows, self._keys, self._words
        in_sync = DiffStatus.IN_SYNC
        candidates = range(len(rows))
        if self._differences_only:
            candidates = [i for i in candidates if rows[i].status is not in_sync]  # type: ignore[assignment]
        if words:
            return [i for i in candidates if all(w in keys[i] for w in words)]
        return list(candidates)

    def visible_count(self) -> int:
        return len(self._visible)

    def visible_rows(self) -> list[ComparisonRow]:
        """The rows the table shows, in its order (the filters applied)."""
        return [self._rows[i] for i in self._visible]

    def filters_text(self) -> str:
        """The filters in words ('Differences only; search "pipe"'), "" when none is on."""
        parts = ["Differences only"] if self._differences_only else []
        if self._words:
            parts.append(f'search "{" ".join(self._words)}"')
        return "; ".join(parts)

    def row_at(self, visible_row: int) -> ComparisonRow:
        return self._rows[self._visible[visible_row]]

    # -- Qt model API --------------------------------------------------------------------------

    def shown_rows(self) -> int:
        return len(self._visible)

    def text(self, row: int, column: int) -> str:
        return self._display[self._visible[row]][column]

    def look(self, row: int, column: int) -> theme.Look | None:
        entry = self.row_at(row)
        if column == COL_COST_TYPES and entry.status is DiffStatus.IN_SYNC:
            return theme.COST_TYPES_DIFFER_LOOK if types_differ(entry) else None
        return _look(entry)

    def muted(self, row: int, column: int) -> bool:
        # The status of a code in sync is quiet, and so is all of a row a refresh leaves as it
        # is, so the differences a refresh fixes stand out.
        entry = self.row_at(row)
        return _stays(entry) or (column == COL_STATUS and entry.status is DiffStatus.IN_SYNC)

    def tooltip(self, row: int, column: int) -> str | None:
        """A description's tooltip starts with the whole description: always, not only when the
        cell is cut, as the model cannot know the column's width and a tip whose first line
        comes and goes with the window's width would read as two different tips."""
        if column == COL_COST_TYPES:
            return _cost_types_tooltip(self.row_at(row))
        connector = self._comparison.connector if self._comparison else SAGE_300
        why = _tooltip(self.row_at(row), connector)
        text = self.text(row, column).strip() if column in DESCRIPTION_COLUMNS else ""
        return f"{text}\n\n{why}" if text else why

    def longest(self, column: int, count: int = 24) -> list[str]:
        """The texts of a column with the most characters: what its width must fit."""
        return heapq.nlargest(count, (cells[column] for cells in self._display), key=len)

    def other_role(self, row: int, column: int, role: int) -> Any:
        entry = self.row_at(row)
        if role == _FONT and entry.depth == 0 and column != COL_STATUS:
            return self._division_font
        if role == DIFF_STATUS_ROLE:
            return entry.status
        if role == ROW_ROLE:
            return entry
        if role == LOCKED_ROLE:
            return entry.locked
        if role == WORD_DIFF_ROLE:
            return self._word_spans(entry, column)
        if role == _ACCESSIBLE_TEXT:
            if column == COL_COST_TYPES and types_differ(entry):
                return f"{theme.COST_TYPES_DIFFER_LOOK.word}: {self.text(row, column)}"
            return f"{_look(entry).word}: {self.text(row, column).strip()}"
        return None

    @staticmethod
    def _word_spans(row: ComparisonRow, column: int) -> list[Span] | None:
        spans = description_spans(row)
        # A locked line is left as it is: drawn plainly and quietly, no emphasis.
        if spans is None or row.locked or column not in DESCRIPTION_COLUMNS:
            return None
        company, project = spans
        return company if column == COL_COMPANY_NAME else project


def description_spans(row: ComparisonRow) -> tuple[list[Span], list[Span]] | None:
    """(company, project) descriptions as spans with the changed words marked, for a line whose
    descriptions differ; None for any other line."""
    if row.status is not DiffStatus.DESCRIPTION_DIFFERS or row.standard is None or not row.project:
        return None
    project_spans, company_spans = word_diff(row.project.name, row.standard.name)
    return company_spans, project_spans
