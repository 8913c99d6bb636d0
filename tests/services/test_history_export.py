from __future__ import annotations

import csv
import errno
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest

from costcode_desktop.costcodes import NameUpdate, StandardCode
from costcode_desktop.procore.records import Project
from costcode_desktop.services import CodeIssue, RefreshOutcome, RefreshResult
from costcode_desktop.services.history import export as history_export
from costcode_desktop.services.history.export import (
    CHANGE_COLUMNS,
    RUN_COLUMNS,
    ExportError,
    change_rows,
    run_rows,
    suggested_history_file_name,
    write_history_csv,
    write_history_xlsx,
)
from costcode_desktop.services.history.store import HistoryStore, RunDetails
from costcode_desktop.services.text import quoted

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
TRIGGERS = ["=1+2", "+SUM(A1)", "-100", "@SUM(A1)", "\tcmd", "\rcmd"]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None)


def tower(name: str = "Tower B", number: str | None = "2024-017") -> RefreshResult:
    return RefreshResult(
        Project(11, name, number, True),
        RefreshOutcome.FAILED,
        "'Tower B': added 1 code; 1 change failed.",
        added=(StandardCode(1, "01-300", "300", "Temporary Facilities", None),),
        updated=(NameUpdate(2, "01-100", "Project Manager - J. Smith", "Project Manager"),),
        skipped=(CodeIssue("03_300", "Cast-in-Place Concrete", "Unsupported separator."),),
        failed=(CodeIssue("2-100", "Demolition", "Procore refused it.", "req-42"),),
    )


def plain(project_id: int, name: str, outcome: RefreshOutcome) -> RefreshResult:
    return RefreshResult(Project(project_id, name, None, True), outcome, f"{name}: done")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3", clock=Clock()) as store:
        yield store


def start(store: HistoryStore, user: str = "anna") -> int:
    return store.start_run(user=user, environment="sandbox", company_id=7, company_name="Acme")


@pytest.fixture
def runs(store: HistoryStore) -> list[RunDetails]:
    first = start(store)
    store.record_project(first, tower())
    store.record_project(first, plain(12, "Annex", RefreshOutcome.UNCHANGED))
    store.finish_run(first)
    empty = start(store, user="bo")
    store.finish_run(empty, cancelled=True)
    return [store.run_details(empty), store.run_details(first)]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def sheet_rows(path: Path, title: str) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(path)[title]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_one_row_per_project_per_run_and_a_row_for_an_empty_run(runs: list[RunDetails]) -> None:
    empty, first = runs
    rows = run_rows(runs)
    assert rows[0] == list(RUN_COLUMNS)
    assert len(rows) == 1 + 1 + 2
    cancelled = rows[1]
    assert cancelled[0] == empty.run.id
    assert cancelled[3:7] == ["Cancelled", "bo", "sandbox", "Acme"]
    assert cancelled[7:14] == [None] * 7
    assert cancelled[14] == "No project was recorded in this run."
    tower_row, annex = rows[2], rows[3]
    assert tower_row[1] == local(first.run.started_at)
    assert tower_row[2] == local(first.run.finished_at or T0)
    assert tower_row[3:] == [
        "Finished", "anna", "sandbox", "Acme", "2024-017", "Tower B", "Failed",
        1, 1, 1, 1, "'Tower B': added 1 code; 1 change failed.", "req-42",
    ]  # fmt: skip
    assert annex[7:14] == ["", "Annex", "Unchanged", 0, 0, 0, 0]


def test_one_row_per_code_change(runs: list[RunDetails]) -> None:
    _empty, first = runs
    rows = change_rows(runs)
    assert rows[0] == list(CHANGE_COLUMNS)
    started = local(first.run.started_at)
    assert rows[1:] == [
        [first.run.id, started, "2024-017", "Tower B", "Added", "01-300",
         "Temporary Facilities", "", "", "", ""],
        [first.run.id, started, "2024-017", "Tower B", "Updated", "01-100",
         "Project Manager", "Project Manager - J. Smith", "Project Manager", "", ""],
        [first.run.id, started, "2024-017", "Tower B", "Skipped", "03_300",
         "Cast-in-Place Concrete", "", "", "Unsupported separator.", ""],
        [first.run.id, started, "2024-017", "Tower B", "Failed", "2-100",
         "Demolition", "", "", "Procore refused it.", "req-42"],
    ]  # fmt: skip


def test_csv_round_trip(tmp_path: Path, runs: list[RunDetails]) -> None:
    target = tmp_path / "history.csv"
    write_history_csv(target, runs)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "BOM so Excel on Windows reads UTF-8"
    table = read_csv(target)
    expected = [
        [
            v.strftime("%Y-%m-%d %H:%M:%S")
            if isinstance(v, datetime)
            else ""
            if v is None
            else str(v)
            for v in row
        ]
        for row in run_rows(runs)
    ]
    assert table == expected
    assert raw.count(b"\r\n") == len(expected)
    assert leftovers(tmp_path) == []


def test_xlsx_round_trip(tmp_path: Path, runs: list[RunDetails]) -> None:
    target = tmp_path / "history.xlsx"
    write_history_xlsx(target, runs)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Projects", "Code changes"]
    projects = sheet_rows(target, "Projects")
    assert projects == [["" if v is None else v for v in row] for row in run_rows(runs)]
    changes = sheet_rows(target, "Code changes")
    assert changes == [["" if v is None else v for v in row] for row in change_rows(runs)]
    sheet = book["Projects"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:P{len(projects)}"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["B2"].is_date, "times are real dates Excel can sort and filter"
    assert isinstance(sheet["K3"].value, int), "counts stay numbers"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("value", TRIGGERS)
def test_formulas_are_neutralised(tmp_path: Path, store: HistoryStore, value: str) -> None:
    run_id = store.start_run(user=value, environment="sandbox", company_id=7, company_name=value)
    store.record_project(run_id, tower(name=value, number=value))
    runs = [store.run_details(run_id)]
    write_history_csv(tmp_path / "h.csv", runs)
    write_history_xlsx(tmp_path / "h.xlsx", runs)

    row = read_csv(tmp_path / "h.csv")[1]
    assert [row[4], row[6], row[7], row[8]] == ["'" + value] * 4
    book = openpyxl.load_workbook(tmp_path / "h.xlsx")
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", cell.coordinate
    # XML turns a lone CR into LF; what matters is the leading quote.
    assert book["Projects"]["H2"].value.startswith("'")
    assert book["Code changes"]["C2"].value.startswith("'")


def test_a_negative_looking_code_stays_text_and_numbers_stay_numbers(
    tmp_path: Path, store: HistoryStore
) -> None:
    run_id = start(store)
    store.record_project(
        run_id,
        RefreshResult(
            Project(1, "P", None, True),
            RefreshOutcome.REFRESHED,
            "ok",
            added=(StandardCode(1, "-100", "100", "Negative", None),),
        ),
    )
    write_history_xlsx(tmp_path / "h.xlsx", [store.run_details(run_id)])
    book = openpyxl.load_workbook(tmp_path / "h.xlsx")
    assert book["Code changes"]["F2"].value == "'-100"
    assert book["Projects"]["K2"].value == 1


def test_control_characters_do_not_break_the_workbook(tmp_path: Path, store: HistoryStore) -> None:
    run_id = start(store)
    store.record_project(run_id, plain(1, "Bell\x07 tower", RefreshOutcome.UNCHANGED))
    write_history_xlsx(tmp_path / "h.xlsx", [store.run_details(run_id)])
    assert sheet_rows(tmp_path / "h.xlsx", "Projects")[1][8] == "Bell\ufffd tower"


def test_no_runs_gives_just_the_headers(tmp_path: Path) -> None:
    write_history_csv(tmp_path / "h.csv", [])
    write_history_xlsx(tmp_path / "h.xlsx", [])
    assert read_csv(tmp_path / "h.csv") == [list(RUN_COLUMNS)]
    assert sheet_rows(tmp_path / "h.xlsx", "Code changes") == [list(CHANGE_COLUMNS)]


def test_a_missing_folder_is_refused_plainly_and_leaves_nothing(
    tmp_path: Path, runs: list[RunDetails]
) -> None:
    for writer, name in ((write_history_csv, "h.csv"), (write_history_xlsx, "h.xlsx")):
        with pytest.raises(ExportError) as caught:
            writer(tmp_path / "gone" / name, runs)
        assert str(caught.value).startswith(f"Could not write '{name}': the folder")
    assert not (tmp_path / "gone").exists()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, runs: list[RunDetails], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, writer in (("h.csv", write_history_csv), ("h.xlsx", write_history_xlsx)):
        target = tmp_path / name
        target.write_bytes(b"old")

        def locked(_src: object, _dst: object) -> None:
            raise PermissionError(errno.EACCES, "Permission denied")

        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", locked)
            with pytest.raises(ExportError, match="open in another program"):
                writer(target, runs)
        assert target.read_bytes() == b"old"
        assert leftovers(tmp_path) == []


def test_a_full_disk_leaves_nothing_behind(
    tmp_path: Path, runs: list[RunDetails], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_sheet: Any, _table: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(history_export, "_write_sheet", full)
    with pytest.raises(ExportError, match="the disk is full"):
        write_history_xlsx(out / "h.xlsx", runs)
    assert list(out.iterdir()) == []


def test_suggested_file_name_is_safe_on_windows() -> None:
    name = suggested_history_file_name('Acme: "East"/West', date(2024, 5, 1), ".csv")
    assert name == "Refresh history - Acme_ _East__West - 2024-05-01.csv"
    assert suggested_history_file_name("", date(2024, 5, 1)) == "Refresh history - 2024-05-01.xlsx"


def test_the_windows_isolates_are_not_written_to_files(tmp_path: Path, store: HistoryStore) -> None:
    """The fences around names in a run's message are for the window; a file gets the words."""
    run_id = start(store)
    name = "Tower \u202eB"
    result = RefreshResult(
        Project(11, name, "17", True), RefreshOutcome.UNCHANGED, f"{quoted(name)}: nothing changed."
    )
    store.record_project(run_id, result)
    runs = [store.run_details(run_id)]
    write_history_csv(tmp_path / "h.csv", runs)
    write_history_xlsx(tmp_path / "h.xlsx", runs)
    written = [cell for row in read_csv(tmp_path / "h.csv") for cell in row]
    written += [str(c) for row in sheet_rows(tmp_path / "h.xlsx", "Projects") for c in row]
    assert "'Tower \u202eB': nothing changed." in written
    assert not any("\u2068" in cell or "\u2069" in cell for cell in written)
