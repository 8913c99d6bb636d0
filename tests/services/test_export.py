from __future__ import annotations

import csv
import dataclasses
import errno
import functools
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest

from costcode_desktop.costcodes import (
    CompanyCodes,
    Comparison,
    DiffStatus,
    ProjectCode,
    StandardCode,
    compare,
    connector_by_key,
)
from costcode_desktop.services import export_xlsx
from costcode_desktop.services.export import (
    COLUMNS,
    ExportError,
    ExportHeader,
    export_rows,
    safe_cell,
    suggested_file_name,
    write_csv,
)
from costcode_desktop.services.export_xlsx import write_xlsx

READ_AT = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
HEADER = ExportHeader("Acme Builders", "Sage 300 CRE", "Tower B", "2024-017", READ_AT, READ_AT)
TRIGGERS = ["=1+2", "+SUM(A1)", "-100", "@SUM(A1)", "\tcmd", "\rcmd"]
# Codes Excel would run, or turn into a number or a date, and one that starts with the quote.
AS_WRITTEN = ["01", "=1+1", "+SUM(A1)", "-2", "@x", "03-10", "1-100", "'quoted", "TRUE", "Mar-10"]
FILLS = {
    DiffStatus.IN_SYNC: None,
    DiffStatus.MISSING: "#d4e8fa",
    DiffStatus.DESCRIPTION_DIFFERS: "#fde3b8",
    DiffStatus.ONLY_ON_PROJECT: "#e9def5",
    DiffStatus.UNSUPPORTED: "#f8d3c9",
}

DIV = StandardCode(1, "01", "01", "General Requirements", None)
PM = StandardCode(2, "01-100", "100", "Project Manager", 1)
SUPER = StandardCode(3, "01-200", "200", "Superintendent", 1)
FORMING = StandardCode(4, "01-300", "300", 'Forming, "quoted" — Béton ß', 1)
BAD = StandardCode(5, "02 410", "410", "Paving", None)


def sample() -> Comparison:
    project = [
        ProjectCode(101, "01", "01", "General Requirements", None, 1),
        ProjectCode(102, "01-100", "100", "Project Manager - J. Smith", 101, 2),
        ProjectCode(103, "01-200", "200", "Super", 101, 3, erp_managed=True),
        ProjectCode(104, "01-900", "900", "Owner Allowance", 101, None),
    ]
    return compare([DIV, PM, SUPER, FORMING, BAD], project)


def with_description(description: str, code: str = "01") -> Comparison:
    return compare([StandardCode(1, code, code, description, None)], [])


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def unquoted(value: str) -> str:
    """A CSV value as read back: one leading quote is the export's, not the value's."""
    return value[1:] if value.startswith("'") else value


def csv_table(path: Path) -> list[list[str]]:
    """The table under the lines that say what the file holds, quotes taken off."""
    rows = read_csv(path)
    start = rows.index(list(COLUMNS))
    assert rows[start - 1] == [], "a blank line between the title lines and the table"
    return [[unquoted(value) for value in row] for row in rows[start:]]


def csv_title(path: Path) -> dict[str, str]:
    rows = read_csv(path)
    return {row[0]: row[1] for row in rows[: rows.index(list(COLUMNS))] if len(row) == 2}


def read_xlsx(path: Path) -> tuple[Any, list[list[Any]], int]:
    """(sheet, table rows with empty cells as '', header row number)."""
    sheet = openpyxl.load_workbook(path).active
    header_row = next(cell.row for cell in sheet["A"] if cell.value == "Status" and cell.font.bold)
    table = [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(min_row=header_row, values_only=True)
    ]
    return sheet, table, header_row


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_rows_use_plain_words_and_explain_unsupported_and_locked_codes() -> None:
    rows = export_rows(sample())
    assert rows[0] == list(COLUMNS)
    by_code = {row[1] or row[3]: row for row in rows[1:]}
    assert by_code["01"][0] == "In sync"
    assert by_code["01-100"] == [
        "Description differs", "01-100", "Project Manager", "01-100",
        "Project Manager - J. Smith", "",
    ]  # fmt: skip
    assert by_code["01-200"][0] == "Description differs"
    assert by_code["01-200"][5] == "Locked by Sage 300 CRE"
    assert by_code["01-300"][:4] == ["Missing from project", "01-300", FORMING.name, ""]
    assert by_code["01-900"][:4] == ["Only on project", "", "", "01-900"]
    assert by_code["02 410"][0] == "Unsupported code"
    assert "space" in str(by_code["02 410"][5])


def test_a_name_in_a_note_is_written_without_the_windows_isolates() -> None:
    """Sage Intacct's repeated-description note fences the description for the window; the file
    holds the note as the user reads it."""
    codes = [
        StandardCode(1, "01", "01", "General", None),
        StandardCode(2, "01-100", "100", "Labor", 1),
        StandardCode(3, "01-200", "200", "labor", 1),
    ]
    comparison = compare(CompanyCodes(codes, connector_by_key("intacct")), [])
    notes = {row[1]: row[5] for row in export_rows(comparison)[1:]}
    assert notes["01-200"] == (
        "Another code on the list has the description 'labor'; Sage Intacct needs every "
        "description to be unique (capitals do not count)."
    )


@pytest.mark.parametrize("value", TRIGGERS)
def test_safe_cell_quotes_formula_starts(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Paving", "", " =not at start", "01-100", "'already"])
def test_safe_cell_leaves_ordinary_text_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_safe_cell_leaves_numbers_as_numbers() -> None:
    assert safe_cell(-100) == -100
    assert safe_cell(-2.5) == -2.5
    assert isinstance(safe_cell(-100), int)


def test_csv_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "codes.csv"
    comparison = sample()
    write_csv(target, HEADER, comparison)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "BOM so Excel on Windows reads UTF-8"
    assert csv_table(target) == [[str(v) for v in row] for row in export_rows(comparison)]
    title = csv_title(target)
    assert title["Company"] == "Acme Builders"
    assert title["Project"] == "2024-017 Tower B"
    assert title["Lines"] == f"All {len(comparison.rows)} lines of the comparison"
    assert "apostrophe" in title["Note"]
    assert leftovers(tmp_path) == []


def test_xlsx_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "codes.xlsx"
    comparison = sample()
    write_xlsx(target, HEADER, comparison, fills=FILLS)
    sheet, table, header_row = read_xlsx(target)
    assert table == export_rows(comparison)
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref == f"A{header_row}:F{header_row + len(comparison.rows)}"
    assert all(cell.font.bold for cell in sheet[header_row])

    title = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    flat = [value for row in title[: header_row - 1] for value in row]
    for expected in ("Acme Builders", "Sage 300 CRE", "2024-017 Tower B", "In sync"):
        assert expected in flat
    counts = {row[-2]: row[-1] for row in title[: header_row - 1] if len(row) >= 2}
    assert counts["Description differs"] == 2
    assert isinstance(counts["Missing from project"], int), "counts stay numbers"
    assert leftovers(tmp_path) == []


def test_xlsx_colours_rows_by_status_and_indents_tiers(tmp_path: Path) -> None:
    target = tmp_path / "codes.xlsx"
    write_xlsx(target, HEADER, sample(), fills=FILLS)
    sheet, table, header_row = read_xlsx(target)
    rows = {row[1] or row[3]: header_row + index for index, row in enumerate(table)}
    fills = {code: sheet.cell(rows[code], 1).fill.fgColor.rgb for code in ("01", "01-300")}
    assert fills["01"] != fills["01-300"]
    assert sheet.cell(rows["01-300"], 6).fill.fgColor.rgb == fills["01-300"], "whole row"
    assert sheet.cell(rows["01"], 2).alignment.indent == 0
    assert sheet.cell(rows["01-100"], 2).alignment.indent == 1
    assert sheet.cell(rows["01-900"], 4).alignment.indent == 1


@pytest.mark.parametrize("value", TRIGGERS)
def test_formulas_are_neutralised_in_csv(tmp_path: Path, value: str) -> None:
    target = tmp_path / "codes.csv"
    write_csv(target, HEADER, with_description(value, code="-100"))
    rows = read_csv(target)
    row = rows[rows.index(list(COLUMNS)) + 1]
    assert row[1] == "'-100"
    assert row[2] == "'" + value


@pytest.mark.parametrize("value", TRIGGERS)
def test_formulas_are_neutralised_in_xlsx(tmp_path: Path, value: str) -> None:
    target = tmp_path / "codes.xlsx"
    header = ExportHeader("=evil()", "+list", "-proj", "@1", READ_AT, None)
    write_xlsx(target, header, with_description(value, code="-100"), fills=FILLS)
    sheet, table, header_row = read_xlsx(target)
    for cell in sheet[header_row + 1][1:3]:
        assert cell.data_type == "s", "a text cell: Excel shows it and runs nothing"
        assert cell.number_format == "@"
    # As written (XML reads a carriage return back as a line feed).
    assert table[1][1:3] == ["-100", value.replace("\r", "\n")]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert "=evil()" in [cell.value for cell in sheet["B"]]


def test_non_ascii_commas_quotes_and_line_breaks_survive(tmp_path: Path) -> None:
    text = 'Façade, "north" — 東京; naïve\nsecond line'
    comparison = with_description(text)
    write_csv(tmp_path / "a.csv", HEADER, comparison)
    write_xlsx(tmp_path / "a.xlsx", HEADER, comparison, fills=FILLS)
    assert csv_table(tmp_path / "a.csv")[1][2] == text
    assert read_xlsx(tmp_path / "a.xlsx")[1][1][2] == text


def test_control_characters_do_not_break_the_workbook(tmp_path: Path) -> None:
    comparison = with_description("Bell\x07 and null\x00")
    write_xlsx(tmp_path / "a.xlsx", HEADER, comparison, fills=FILLS)
    assert read_xlsx(tmp_path / "a.xlsx")[1][1][2] == "Bell\ufffd and null\ufffd"


def test_a_folder_as_target_is_refused_clearly(tmp_path: Path) -> None:
    target = tmp_path / "codes.xlsx"
    target.mkdir()
    for writer in (write_csv, functools.partial(write_xlsx, fills=FILLS)):
        with pytest.raises(ExportError, match="folder with that name"):
            writer(target, HEADER, sample())
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_refused_clearly(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "codes.csv"
    with pytest.raises(ExportError) as caught:
        write_csv(target, HEADER, sample())
    message = str(caught.value)
    assert message.startswith("Could not write 'codes.csv': the folder")
    assert "does not exist" in message
    assert "export again" in message
    assert not (tmp_path / "gone").exists()


def test_a_locked_file_keeps_its_old_content_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "codes.xlsx"
    target.write_bytes(b"old")

    def locked(_src: object, _dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(
        ExportError, match=r"open in another program, or is read-only\. Close it and export again\."
    ):
        write_xlsx(target, HEADER, sample(), fills=FILLS)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_a_full_disk_is_reported_and_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_path: Path, _header: ExportHeader, _comparison: Comparison, **_: object) -> None:
        _path.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_xlsx, "save_workbook", full)
    with pytest.raises(ExportError, match="the disk is full"):
        write_xlsx(tmp_path / "codes.xlsx", HEADER, sample(), fills=FILLS)
    assert list(tmp_path.iterdir()) == []


def test_an_unexpected_error_still_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_path: Path, _header: ExportHeader, _comparison: Comparison, **_: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(export_xlsx, "save_workbook", broken)
    with pytest.raises(ExportError, match=r"Could not write 'codes\.xlsx': ValueError: boom"):
        write_xlsx(tmp_path / "codes.xlsx", HEADER, sample(), fills=FILLS)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_exports_are_not_private_files(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", HEADER, sample())
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o644


def test_suggested_file_name_is_safe_on_windows() -> None:
    header = ExportHeader("Acme", "List", 'Tower: A/B "East"', "17", READ_AT, None)
    name = suggested_file_name(header, ".csv")
    assert name.startswith("Cost codes - 17 Tower_ A_B _East_ - ")
    assert name.endswith(".csv")
    assert not set(name) & set('<>:"/\\|?*')


def big_comparison(size: int) -> Comparison:
    standard: list[StandardCode] = []
    project: list[ProjectCode] = []
    for division in range(size // 100):
        parent = StandardCode(
            division * 1000 + 1, f"{division:03d}", "", f"Division {division}", None
        )
        standard.append(parent)
        for n in range(99):
            code_id = division * 1000 + 2 + n
            code = StandardCode(
                code_id, f"{division:03d}-{n:03d}", f"{n:03d}", f"Work item {n}", parent.id
            )
            standard.append(code)
            if n % 3:
                name = code.name if n % 5 else code.name + " (site)"
                project.append(
                    ProjectCode(2**53 + code_id, code.full_code, "", name, None, code_id)
                )
    return compare(standard, project)


def test_a_20000_row_export(tmp_path: Path) -> None:
    comparison = big_comparison(20_000)
    assert len(comparison.rows) == 20_000
    start = time.perf_counter()
    write_xlsx(tmp_path / "big.xlsx", HEADER, comparison, fills=FILLS)
    elapsed = time.perf_counter() - start
    write_csv(tmp_path / "big.csv", HEADER, comparison)
    assert elapsed < 30, f"{elapsed:.1f} s"  # about 2 s on a developer machine
    assert len(csv_table(tmp_path / "big.csv")) == 20_001
    _sheet, table, _header_row = read_xlsx(tmp_path / "big.xlsx")
    assert len(table) == 20_001
    assert table[-1] == export_rows(comparison)[-1]


@pytest.mark.parametrize("code", AS_WRITTEN)
def test_codes_read_back_as_written_and_never_as_formulas(tmp_path: Path, code: str) -> None:
    comparison = compare([StandardCode(1, code, code, code, None)], [])
    write_csv(tmp_path / "a.csv", HEADER, comparison)
    rows = read_csv(tmp_path / "a.csv")
    raw = rows[rows.index(list(COLUMNS)) + 1]
    # Every value Excel would run or convert starts with the quote Excel shows as typed text.
    assert raw[1] == raw[2] == "'" + code
    assert csv_table(tmp_path / "a.csv")[1][1:3] == [code, code]

    write_xlsx(tmp_path / "a.xlsx", HEADER, comparison, fills=FILLS)
    sheet, _table, header_row = read_xlsx(tmp_path / "a.xlsx")
    for cell in sheet[header_row + 1][1:3]:
        assert (cell.value, cell.data_type, cell.number_format) == (code, "s", "@")


@pytest.mark.parametrize(
    "text", ["Concrete", "Site Prep - Phase 1", "A1", "02-200 x", "1 Day", "Mark-10"]
)
def test_ordinary_text_has_no_quote_in_csv(tmp_path: Path, text: str) -> None:
    write_csv(tmp_path / "a.csv", HEADER, with_description(text, code="A"))
    rows = read_csv(tmp_path / "a.csv")
    assert rows[rows.index(list(COLUMNS)) + 1][2] == text


def test_the_csv_holds_the_lines_shown_and_says_so(tmp_path: Path) -> None:
    comparison = sample()
    shown = [row for row in comparison.rows if row.status is not DiffStatus.IN_SYNC][:2]
    header = dataclasses.replace(HEADER, filters='Differences only; search "super"')
    write_csv(tmp_path / "a.csv", header, comparison, shown)
    table = csv_table(tmp_path / "a.csv")
    assert table[1:] == [[str(v) for v in row] for row in export_rows(comparison, shown)[1:]]
    total = len(comparison.rows)
    assert csv_title(tmp_path / "a.csv")["Lines"] == (
        f'The 2 lines shown in the window (Differences only; search "super") of {total}'
    )


def test_xlsx_fills_are_the_ones_handed_in(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "a.xlsx", HEADER, sample(), fills=FILLS)
    sheet, table, header_row = read_xlsx(tmp_path / "a.xlsx")
    statuses = {row.standard.full_code if row.standard else "": row.status for row in sample().rows}
    for index, row in enumerate(table[1:], start=header_row + 1):
        status = statuses.get(str(row[1]))
        if status is None:
            continue
        colour = FILLS[status]
        fill = sheet.cell(index, 1).fill
        if colour is None:
            assert fill.fill_type is None
        else:
            assert fill.fgColor.rgb[-6:] == colour[1:].upper()


def test_an_unwritable_folder_leaves_nothing_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refused)
    xlsx = functools.partial(write_xlsx, fills=FILLS)
    for name, writer in (("a.csv", write_csv), ("a.xlsx", xlsx)):
        with pytest.raises(ExportError) as caught:
            writer(tmp_path / name, HEADER, sample())
        assert str(caught.value) == (
            f"Could not write '{name}': you may not save files in '{tmp_path}'. Choose another "
            "folder and export again."
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="POSIX permissions, not root")
def test_a_read_only_folder_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="Choose another folder and export again"):
            write_csv(folder / "a.csv", HEADER, sample())
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)
