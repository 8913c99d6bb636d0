"""Export the refresh history as CSV or XLSX, so an accountant can file or audit what changed.

One row per project per run (a run that recorded no project still gets a row, so an interrupted
or early-cancelled run is not lost), and in the workbook a second sheet with every code change.
Cells go through the comparison export's helpers: formulas are neutralised, numbers stay
numbers, and files are written atomically with the same plain-language errors.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import Border, Font, PatternFill, Side  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.properties import (  # type: ignore[import-untyped, unused-ignore]
    PageSetupProperties,
)

from costcode_desktop import APP_NAME
from costcode_desktop.services.export import ExportError, safe_cell, write_atomically, xlsx_value
from costcode_desktop.services.refresh_outcome import RefreshOutcome
from costcode_desktop.services.text import without_isolates

from .store import ChangeKind, CodeChange, ProjectEntry, RunDetails, RunStatus, RunSummary

__all__ = [
    "CHANGE_COLUMNS",
    "CHANGE_WORDS",
    "OUTCOME_WORDS",
    "RUN_COLUMNS",
    "STATUS_WORDS",
    "ExportError",
    "change_rows",
    "failure_request_ids",
    "local_time",
    "run_rows",
    "status_words",
    "suggested_history_file_name",
    "time_text",
    "write_history_csv",
    "write_history_xlsx",
]

Cell = str | int | float | datetime | None

RUN_COLUMNS = (
    "Run",
    "Started (local time)",
    "Finished (local time)",
    "Status",
    "User",
    "Environment",
    "Company",
    "Project number",
    "Project name",
    "Outcome",
    "Added",
    "Updated",
    "Skipped",
    "Failed",
    "Message",
    "Request IDs of failures",
)
CHANGE_COLUMNS = (
    "Run",
    "Run started (local time)",
    "Project number",
    "Project name",
    "Kind",
    "Code",
    "Name",
    "Old name",
    "New name",
    "Reason",
    "Request ID",
)

# Plain words, shared with the history window (which adds a symbol to each).
STATUS_WORDS = {
    RunStatus.RUNNING: "Running",
    RunStatus.FINISHED: "Finished",
    RunStatus.CANCELLED: "Cancelled",
    RunStatus.INTERRUPTED: "Interrupted",
}
OUTCOME_WORDS = {
    RefreshOutcome.REFRESHED: "Refreshed",
    RefreshOutcome.UNCHANGED: "Unchanged",
    RefreshOutcome.REFUSED: "Refused",
    RefreshOutcome.FAILED: "Failed",
}
CHANGE_WORDS = {
    ChangeKind.ADDED: "Added",
    ChangeKind.UPDATED: "Updated",
    ChangeKind.SKIPPED: "Skipped",
    ChangeKind.FAILED: "Failed",
}
NO_PROJECT_MESSAGE = "No project was recorded in this run."

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_NOT_IN_FILE_NAMES = set('<>:"/\\|?*')
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def local_time(moment: datetime | None) -> datetime | None:
    """The moment on this computer's clock, without a zone (Excel cannot hold one)."""
    return moment.astimezone().replace(tzinfo=None) if moment is not None else None


def time_text(moment: datetime | None) -> str:
    local = local_time(moment)
    return local.strftime(_TIME_FORMAT) if local is not None else ""


def status_words(run: RunSummary) -> str:
    words = STATUS_WORDS[run.status]
    return f"{words} (dry run)" if run.dry_run else words


def failure_request_ids(entry: ProjectEntry) -> list[str]:
    """Every request id Procore gave for what failed on this project, first seen first."""
    found = [entry.request_id] + [
        change.request_id for change in entry.changes if change.kind is ChangeKind.FAILED
    ]
    return list(dict.fromkeys(rid for rid in found if rid))


def run_rows(runs: Sequence[RunDetails]) -> list[list[Cell]]:
    """One row per project per run, header first; times are local, counts are numbers."""
    rows: list[list[Cell]] = [list(RUN_COLUMNS)]
    for details in runs:
        run = details.run
        head: list[Cell] = [
            run.id,
            local_time(run.started_at),
            local_time(run.finished_at),
            status_words(run),
            run.user,
            run.environment,
            run.company_name,
        ]
        if not details.projects:
            rows.append([*head, None, None, None, None, None, None, None, NO_PROJECT_MESSAGE, ""])
        for entry in details.projects:
            rows.append(
                [
                    *head,
                    entry.project_number or "",
                    entry.project_name,
                    OUTCOME_WORDS[entry.outcome],
                    entry.added,
                    entry.updated,
                    entry.skipped,
                    entry.failed,
                    entry.message,
                    ", ".join(failure_request_ids(entry)),
                ]
            )
    return rows


def change_rows(runs: Sequence[RunDetails]) -> list[list[Cell]]:
    """One row per code change, header first, in the order the run recorded them."""
    rows: list[list[Cell]] = [list(CHANGE_COLUMNS)]
    for details in runs:
        started = local_time(details.run.started_at)
        for entry in details.projects:
            rows.extend(
                _change_row(details.run.id, started, entry, change) for change in entry.changes
            )
    return rows


def _change_row(
    run_id: int, started: datetime | None, entry: ProjectEntry, change: CodeChange
) -> list[Cell]:
    return [
        run_id,
        started,
        entry.project_number or "",
        entry.project_name,
        CHANGE_WORDS[change.kind],
        change.full_code,
        change.name,
        change.old_name or "",
        change.new_name or "",
        change.reason or "",
        change.request_id or "",
    ]


def suggested_history_file_name(company_name: str, today: date, suffix: str = ".xlsx") -> str:
    """A name the save dialog can propose, safe on Windows."""
    parts = ["Refresh history", company_name.strip(), f"{today:%Y-%m-%d}"]
    stem = " - ".join(part for part in parts if part)
    stem = "".join("_" if ch in _NOT_IN_FILE_NAMES or ord(ch) < 32 else ch for ch in stem)
    return " ".join(stem.split())[:150].rstrip(" .") + suffix


# -- CSV -----------------------------------------------------------------------------------------


def write_history_csv(path: Path, runs: Sequence[RunDetails]) -> None:
    """The per-project table only (a CSV holds one table); one header row, then data."""
    rows = run_rows(runs)

    def write(temp: Path) -> None:
        # The BOM makes Excel on Windows read UTF-8 instead of the ANSI code page.
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            for values in rows:
                writer.writerow([_csv_value(value) for value in values])
            handle.flush()
            os.fsync(handle.fileno())

    write_atomically(path, write)


def _csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(_TIME_FORMAT)
    return safe_cell(without_isolates(value) if isinstance(value, str) else value)


# -- XLSX ----------------------------------------------------------------------------------------


def write_history_xlsx(path: Path, runs: Sequence[RunDetails]) -> None:
    """Sheet 'Projects' (one row per project per run) and sheet 'Code changes'."""
    tables = (("Projects", run_rows(runs)), ("Code changes", change_rows(runs)))

    def write(temp: Path) -> None:
        workbook = Workbook(write_only=True)
        workbook.properties.creator = APP_NAME
        for title, table in tables:
            _write_sheet(workbook.create_sheet(title), table)
        workbook.save(temp)
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())

    write_atomically(path, write)


def _write_sheet(sheet: Any, table: list[list[Cell]]) -> None:
    """A frozen, filtered header row, sensible widths and landscape printing."""
    header, data = table[0], table[1:]
    last_column = get_column_letter(len(header))
    # Everything about the sheet goes before the first row: write-only mode writes it first.
    for index, width in enumerate(_column_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{len(data) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    font = Font(bold=True)
    fill = PatternFill("solid", fgColor="D9D9D9")
    border = Border(bottom=Side(style="thin"))
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, xlsx_value(str(name)))
        cell.font, cell.fill, cell.border = font, fill, border
        cells.append(cell)
    sheet.append(cells)
    for values in data:
        sheet.append([_xlsx_cell(sheet, value) for value in values])


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = _XLSX_TIME_FORMAT
        return cell
    return xlsx_value(without_isolates(value) if isinstance(value, str) else value)


def _column_widths(table: list[list[Cell]]) -> list[float]:
    """Wide enough for most text, capped so one long message does not push the rest away."""
    longest = [len(str(name)) for name in table[0]]
    for values in table[1:]:
        for column, value in enumerate(values):
            size = 19 if isinstance(value, datetime) else len(str(value or ""))
            longest[column] = max(longest[column], size)
    return [float(min(max(size + 2, _MIN_WIDTH), _MAX_WIDTH)) for size in longest]
