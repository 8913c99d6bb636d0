"""Export a comparison as CSV or XLSX that an accountant can open, filter and print.

The CSV: text a spreadsheet would run as a formula (starting with = + - @, tab or CR: OWASP's
CSV-injection list) gets a leading single quote, the usual neutralisation; so does text Excel
would turn into a number or a date when it opens the file (01, 03-10, 1E5, TRUE), and text that
starts with a quote already, so the rule reads back without doubt: drop one leading quote. A CSV
cannot say "this is text" any other way that is not a formula itself (="01" is one), so the
quote shows in Excel: '01 reads as the code, never as 1 or 10 March. Lines above the table say
what the file holds (which lines, and the quote rule). The XLSX stores every value as a text
cell with the Text number format: it reads exactly as written, =1+1 included, and runs nothing.
Numbers are written as numbers. Every file is written to a temporary file in the target folder
and moved into place, so a failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import overload

from costcode_desktop.costcodes import Comparison, ComparisonRow, Connector, DiffStatus

from .text import without_isolates

CellValue = str | int | float

COLUMNS = (
    "Status",
    "Company code",
    "Company description",
    "Project code",
    "Project description",
    "Note",
)
STATUS_WORDS = {
    DiffStatus.IN_SYNC: "In sync",
    DiffStatus.MISSING: "Missing from project",
    DiffStatus.DESCRIPTION_DIFFERS: "Description differs",
    DiffStatus.ONLY_ON_PROJECT: "Only on project",
    DiffStatus.UNSUPPORTED: "Unsupported code",
}


def locked_note(connector: Connector) -> str:
    """The note on a description the ERP connector owns: 'Locked by Sage 300 CRE'."""
    return f"Locked by {connector.system}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text Excel turns into something else when it opens a CSV: numbers (01, 1,000, 2.5%, 1E5),
# dates and times (03-10, 1/2, 2024.03.10, 10:30, Mar-10, 10 Mar), booleans.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EXCEL_CONVERTS = re.compile(
    r"""\s*(?:
        [\d\s.,:/%-]*\d[\d\s.,:/%-]*
      | \d+(?:\.\d+)?[eE][+-]?\d+
      | \d{1,2}[-/\s]MONTH(?:[-/\s]\d{1,4})?
      | MONTH[-/\s]\d{1,4}(?:[-/\s]\d{1,4})?
      | true | false
    )\s*""".replace("MONTH", _MONTH),
    re.IGNORECASE | re.VERBOSE,
)
_NOT_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')

_EXCEL_CELL_LIMIT = 32_767
# Control characters XML cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, without loading it).
_NOT_IN_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


class ExportError(Exception):
    """An export that did not happen, with a message that tells the user what to do."""


@dataclass(frozen=True)
class ExportHeader:
    """What the comparison is about: shown above the XLSX table and used in the file name."""

    company_name: str
    list_name: str
    project_name: str
    project_number: str | None
    company_read_at: datetime
    project_read_at: datetime | None
    # The window's filters when only the lines it shows are exported ("" for every line).
    filters: str = ""

    @property
    def project_label(self) -> str:
        number = (self.project_number or "").strip()
        return f"{number} {self.project_name}" if number else self.project_name


@overload
def safe_cell(value: str) -> str: ...
@overload
def safe_cell(value: int) -> int: ...
@overload
def safe_cell(value: float) -> float: ...
def safe_cell(value: CellValue) -> CellValue:
    """Text a spreadsheet would run as a formula gets a leading quote; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_cell(value: CellValue) -> CellValue:
    """`safe_cell`, and a leading quote on text Excel would read as a number or a date (and on
    text starting with a quote, so that one quote off always gives the value back)."""
    if isinstance(value, str) and (
        value.startswith("'") or (value and _EXCEL_CONVERTS.fullmatch(value) is not None)
    ):
        return "'" + value
    return safe_cell(value)


def export_rows(
    comparison: Comparison, rows: Sequence[ComparisonRow] | None = None
) -> list[list[CellValue]]:
    """The table as plain values, header first (every row, or `rows`: the ones shown); the
    writers neutralise formulas, not this."""
    table: list[list[CellValue]] = [list(COLUMNS)]
    locked = locked_note(comparison.connector)
    table.extend(_row_values(row, locked) for row in (comparison.rows if rows is None else rows))
    return table


def lines_text(header: ExportHeader, comparison: Comparison, shown: int) -> str:
    """Which lines the file holds: all, or those the window showed and why."""
    total = len(comparison.rows)
    if not header.filters:
        return f"All {total} lines of the comparison"
    return f"The {shown} lines shown in the window ({header.filters}) of {total}"


def facts(header: ExportHeader) -> list[tuple[str, str]]:
    """What the comparison is about, for the lines above the table."""
    return [
        ("Company", header.company_name),
        ("Cost code list", header.list_name),
        ("Project", header.project_label),
        ("Company list read", format_read_at(header.company_read_at)),
        ("Project list read", format_read_at(header.project_read_at)),
    ]


def _row_values(row: ComparisonRow, locked: str) -> list[CellValue]:
    standard, project = row.standard, row.project
    # An in-sync row's note says why the ERP could not send a code the project has anyway:
    # nothing to act on, so not exported.
    # The isolates around a name in a note are the window's: a file gets the note without them.
    note = without_isolates(row.note) if row.status is not DiffStatus.IN_SYNC else ""
    if not note and row.locked:
        note = locked
    return [
        STATUS_WORDS[row.status],
        standard.full_code if standard is not None else "",
        standard.name if standard is not None else "",
        project.full_code if project is not None else "",
        project.name if project is not None else "",
        note,
    ]


def suggested_file_name(header: ExportHeader, suffix: str = ".xlsx") -> str:
    """A name the save dialog can propose: which project, and the day its list was read."""
    when = (header.project_read_at or header.company_read_at).astimezone()
    stem = f"Cost codes - {header.project_label} - {when:%Y-%m-%d}"
    stem = " ".join(_NOT_IN_FILE_NAMES.sub("_", stem).split())[:150].rstrip(" .")
    return stem + suffix


def format_read_at(when: datetime | None) -> str:
    """Local time with its UTC offset, so a reader in another office still knows the moment."""
    if when is None:
        return "Not read"
    local = when.astimezone()
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:5]}" if offset else ""
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset})"


CSV_QUOTE_NOTE = (
    "Values a spreadsheet would read as a formula, a number or a date start with an apostrophe "
    "('), which is not part of the value"
)


def write_csv(
    path: Path,
    header: ExportHeader,
    comparison: Comparison,
    rows: Sequence[ComparisonRow] | None = None,
) -> None:
    """Lines saying what the file holds, a blank line, then the table (header row, then data)."""
    table = export_rows(comparison, rows)
    title: list[list[CellValue]] = [["Cost code comparison"]]
    title += [[label, value] for label, value in facts(header)]
    title += [
        ["Lines", lines_text(header, comparison, len(table) - 1)],
        ["Note", CSV_QUOTE_NOTE],
        [],
    ]

    def write(temp: Path) -> None:
        # The BOM makes Excel on Windows read UTF-8 instead of the ANSI code page.
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            for values in title + table:
                writer.writerow([csv_cell(value) for value in values])
            handle.flush()
            os.fsync(handle.fileno())

    write_atomically(path, write)


def xlsx_value(value: CellValue) -> CellValue:
    """Neutralise formulas, and drop control characters XML cannot hold (openpyxl refuses them)."""
    return safe_cell(xlsx_text(value))


def xlsx_text(value: CellValue) -> CellValue:
    """Drop control characters XML cannot hold (openpyxl refuses them), nothing else: for a
    writer that stores text as text cells, which Excel never runs, so =1+1 reads as written."""
    if isinstance(value, str):
        value = _NOT_IN_XML.sub("\ufffd", value)[:_EXCEL_CELL_LIMIT]
    return value


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write next to the target and move into place: the target is either whole or untouched."""
    if path.is_dir():
        raise ExportError(_explain(path, IsADirectoryError(errno.EISDIR, "folder"), placing=True))
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise ExportError(_explain(path, exc, placing=False)) from exc
    os.close(handle)
    temp = Path(temp_name)
    placing = False
    try:
        write(temp)
        _ordinary_permissions(temp, path)
        placing = True
        os.replace(temp, path)
    except BaseException as exc:
        _remove_quietly(temp)
        if isinstance(exc, OSError):
            raise ExportError(_explain(path, exc, placing=placing)) from exc
        if isinstance(exc, Exception):
            raise ExportError(
                f"Could not write '{path.name}': {type(exc).__name__}: {exc}. Export again; "
                "if it keeps failing, report it with this message."
            ) from exc
        raise


def _explain(path: Path, exc: OSError, *, placing: bool) -> str:
    """What went wrong in the user's terms, and what to do about it."""
    code = exc.errno
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        advice = "there is a folder with that name. Choose a file name and export again."
    elif isinstance(exc, FileNotFoundError) or code == errno.ENOENT:
        advice = (
            f"the folder '{path.parent}' does not exist. Choose another folder and export again."
        )
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        advice = "the disk is full. Free some space or choose another drive, then export again."
    elif code == errno.EROFS:
        advice = "the drive is read-only. Choose another folder and export again."
    elif code == errno.ENAMETOOLONG:
        advice = "the name or folder path is too long. Choose a shorter one and export again."
    elif isinstance(exc, PermissionError) and placing:
        advice = "the file is open in another program, or is read-only. Close it and export again."
    elif isinstance(exc, PermissionError):
        advice = (
            f"you may not save files in '{path.parent}'. Choose another folder and export again."
        )
    elif code == errno.EINVAL:
        advice = "that name is not allowed there. Choose another name and export again."
    else:
        reason = exc.strerror or str(exc) or type(exc).__name__
        advice = f"{reason}. Check the folder and export again."
    return f"Could not write '{path.name}': {advice}"


def _ordinary_permissions(temp: Path, target: Path) -> None:
    """mkstemp makes a private file; keep the old file's mode, or the usual one for a new file."""
    if os.name == "nt":
        return
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    os.chmod(temp, mode)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
