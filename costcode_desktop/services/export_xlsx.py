"""The comparison as an Excel workbook. Apart from export.py because openpyxl takes about 0.1 s
to load: the window imports this only when someone exports to Excel."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
    Alignment,
    Border,
    Font,
    PatternFill,
    Side,
)
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.properties import (  # type: ignore[import-untyped, unused-ignore]
    PageSetupProperties,
)

from costcode_desktop import APP_NAME
from costcode_desktop.costcodes import Comparison, ComparisonRow, DiffStatus

from .export import (
    COLUMNS,
    STATUS_WORDS,
    CellValue,
    ExportHeader,
    export_rows,
    facts,
    lines_text,
    locked_note,
    write_atomically,
    xlsx_text,
)

# Each status's row colour, as "#rrggbb" or None for none: the window's light palette, handed in
# by the window (ui/kit/theme.export_fills), so the workbook looks like the table it came from.
StatusFills = Mapping[DiffStatus, str | None]
TEXT = "@"  # Excel's Text number format: what is typed there later stays text too
_CODE_COLUMNS = (1, 3)  # zero-based: Company code, Project code (indented by tier)
_MAX_INDENT = 15
# (minimum, maximum) width in characters per column; E also holds the count labels on top.
_WIDTHS = ((20, 24), (10, 30), (16, 60), (10, 30), (24, 60), (12, 70))


def write_xlsx(
    path: Path,
    header: ExportHeader,
    comparison: Comparison,
    *,
    fills: StatusFills,
    rows: Sequence[ComparisonRow] | None = None,
) -> None:
    """A workbook with a title block, coloured statuses, a frozen filtered header, print setup;
    every row, or `rows` (the ones the window shows)."""

    def write(temp: Path) -> None:
        save_workbook(temp, header, comparison, fills=fills, rows=rows)
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())

    write_atomically(path, write)


def save_workbook(
    path: Path,
    header: ExportHeader,
    comparison: Comparison,
    *,
    fills: StatusFills,
    rows: Sequence[ComparisonRow] | None = None,
) -> None:
    """Write-only mode streams rows, so 20,000 codes take little memory and time."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = APP_NAME
    sheet = workbook.create_sheet("Comparison")
    chosen = comparison.rows if rows is None else tuple(rows)
    table = export_rows(comparison, chosen)
    title = _title_block(sheet, header, comparison, fills, len(chosen))
    header_row = len(title) + 1
    last_row = header_row + len(chosen)
    last_column = get_column_letter(len(COLUMNS))

    # Everything about the sheet goes before the first row: write-only mode writes it first.
    for index, width in enumerate(_column_widths(chosen, table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    for cells in title:
        sheet.append(cells)
    sheet.append(_header_cells(sheet))
    styles = _DataStyles(sheet, fills)
    for row, values in zip(chosen, table[1:], strict=True):
        sheet.append(_data_cells(sheet, styles, row, values))
    workbook.save(path)


def _title_block(
    sheet: Any, header: ExportHeader, comparison: Comparison, fills: StatusFills, shown: int
) -> list[list[Any]]:
    """Who, which list, which project, when each was read, which lines; counts per status on
    the right."""
    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, "Cost code comparison")
    title.font = Font(bold=True, size=14)
    about = [*facts(header), ("Lines", lines_text(header, comparison, shown))]
    counts: list[tuple[str, int, str | None]] = [
        (words, comparison.count(status), fills.get(status))
        for status, words in STATUS_WORDS.items()
    ]
    if comparison.locked_differences:
        counts.append((locked_note(comparison.connector), comparison.locked_differences, None))
    rows: list[list[Any]] = [[title]]
    for index in range(max(len(about), len(counts))):
        cells: list[Any] = [None] * len(COLUMNS)
        if index < len(about):
            label, value = about[index]
            cells[0] = _styled(sheet, label, font=bold)
            cells[1] = _styled(sheet, value)
        if index < len(counts):
            words, count, colour = counts[index]
            fill = _fill(colour)
            cells[4] = _styled(sheet, words, font=bold, fill=fill)
            cells[5] = _styled(sheet, count, alignment=Alignment(horizontal="left"))
        rows.append(cells)
    rows.append([])
    return rows


def _header_cells(sheet: Any) -> list[Any]:
    font = Font(bold=True)
    fill = PatternFill("solid", fgColor="D9D9D9")
    border = Border(bottom=Side(style="thin"))
    return [_styled(sheet, name, font=font, fill=fill, border=border) for name in COLUMNS]


class _DataStyles:
    """One style per (status, indent), set through openpyxl once and then copied to each cell.

    Assigning fill and alignment cell by cell hashes the style objects every time and made a
    20,000-row export take seconds; copying the finished style array is what openpyxl itself
    does for named styles.
    """

    def __init__(self, sheet: Any, fills: StatusFills) -> None:
        self.sheet = sheet
        self.fills = fills
        self.templates: dict[tuple[DiffStatus, int], Any] = {}

    def style(self, status: DiffStatus, indent: int) -> Any:
        key = (status, indent)
        template = self.templates.get(key)
        if template is None:
            template = WriteOnlyCell(self.sheet)
            fill = _fill(self.fills.get(status))
            if fill is not None:
                template.fill = fill
            template.number_format = TEXT
            if indent:
                template.alignment = Alignment(indent=indent)
            self.templates[key] = template
        return template._style


def _data_cells(
    sheet: Any, styles: _DataStyles, row: ComparisonRow, values: list[CellValue]
) -> list[Any]:
    plain = styles.style(row.status, 0)
    indented = styles.style(row.status, max(0, min(row.depth, _MAX_INDENT)))
    cells = []
    for column, value in enumerate(values):
        cell = _text_cell(sheet, value)
        cell._style = copy(indented if column in _CODE_COLUMNS else plain)
        cells.append(cell)
    return cells


def _text_cell(sheet: Any, value: CellValue) -> Any:
    """Text stays text: openpyxl takes a string starting with = for a formula; this one is not."""
    cell = WriteOnlyCell(sheet, xlsx_text(value))
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _fill(colour: str | None) -> Any:
    return PatternFill("solid", fgColor=colour.lstrip("#").upper()) if colour else None


def _styled(sheet: Any, value: CellValue, **style: Any) -> Any:
    cell = _text_cell(sheet, value)
    for name, item in style.items():
        if item is not None:
            setattr(cell, name, item)
    return cell


def _column_widths(rows: Sequence[ComparisonRow], table: list[list[CellValue]]) -> list[float]:
    """Wide enough for most text, capped so one long description does not push the rest away."""
    longest = [len(str(name)) for name in COLUMNS]
    for row, values in zip(rows, table[1:], strict=True):
        for column, value in enumerate(values):
            size = len(str(value)) + (2 * row.depth if column in _CODE_COLUMNS else 0)
            if size > longest[column]:
                longest[column] = size
    return [
        float(min(max(size + 2, low), high))
        for size, (low, high) in zip(longest, _WIDTHS, strict=True)
    ]
