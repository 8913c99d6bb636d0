"""Export a comparison as CSV or XLSX that an accountant can open, filter and print.

Text a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
single quote, the usual neutralisation: a code such as -100 then reads '-100, still plainly the
code, and never turns into a number or a formula. Numbers are written as numbers. Every file is
written to a temporary file in the target folder and moved into place, so a failed export never
leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import overload

from costcode_desktop.costcodes import Comparison, ComparisonRow, Connector, DiffStatus

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


def export_rows(comparison: Comparison) -> list[list[CellValue]]:
    """The table as plain values, header first; the writers neutralise formulas, not this."""
    rows: list[list[CellValue]] = [list(COLUMNS)]
    locked = locked_note(comparison.connector)
    rows.extend(_row_values(row, locked) for row in comparison.rows)
    return rows


def _row_values(row: ComparisonRow, locked: str) -> list[CellValue]:
    standard, project = row.standard, row.project
    note = row.note
    if (
        not note
        and row.status is DiffStatus.DESCRIPTION_DIFFERS
        and project is not None
        and project.erp_managed
    ):
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


def write_csv(path: Path, header: ExportHeader, comparison: Comparison) -> None:
    """A clean table (one header row, then data) that Excel opens and other tools re-import."""
    del header  # context goes in the XLSX only: lines above the table would break re-import

    def write(temp: Path) -> None:
        # The BOM makes Excel on Windows read UTF-8 instead of the ANSI code page.
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            for values in export_rows(comparison):
                writer.writerow([safe_cell(value) for value in values])
            handle.flush()
            os.fsync(handle.fileno())

    write_atomically(path, write)


def xlsx_value(value: CellValue) -> CellValue:
    """Neutralise formulas, and drop control characters XML cannot hold (openpyxl refuses them)."""
    if isinstance(value, str):
        value = _NOT_IN_XML.sub("\ufffd", value)[:_EXCEL_CELL_LIMIT]
    return safe_cell(value)


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
