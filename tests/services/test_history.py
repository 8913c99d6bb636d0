from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from costcode_desktop.costcodes import NameUpdate, StandardCode
from costcode_desktop.procore.records import Project
from costcode_desktop.services import CodeIssue, RefreshOutcome, RefreshResult
from costcode_desktop.services.history.store import (
    FILE_NAME,
    ChangeKind,
    CodeChange,
    HistoryError,
    HistoryStore,
    RunStatus,
)
from costcode_desktop.services.paths import data_dir

BIG = 2**53 + 7  # Procore ids go past what a double holds exactly
COMPANY = 4264807
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


class Clock:
    """Moves a minute per reading, so every record gets its own time."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(path, clock=Clock()) as store:
        yield store


def project(project_id: int = BIG, name: str = "Tower B") -> Project:
    return Project(project_id, name, "2024-017", True)


def refreshed(project_id: int = BIG) -> RefreshResult:
    return RefreshResult(
        project(project_id),
        RefreshOutcome.REFRESHED,
        "'Tower B': added 1 code and updated 1 description.",
        added=(StandardCode(11, "01-300", "300", "Temporary Facilities", 1),),
        updated=(NameUpdate(BIG + 1, "01-100", "Project Manager - J. Smith", "Project Manager"),),
        skipped=(CodeIssue("03_300", "Cast-in-Place Concrete", "Unsupported separator."),),
        failed=(CodeIssue("2-100", "Demolition", "Procore refused it.", "req-42"),),
    )


def outcome(result_outcome: RefreshOutcome, project_id: int = 5) -> RefreshResult:
    return RefreshResult(project(project_id, f"P{project_id}"), result_outcome, "done")


def start(store: HistoryStore, company_id: int = COMPANY, environment: str = "sandbox") -> int:
    return store.start_run(
        user="anna", environment=environment, company_id=company_id, company_name="Acme"
    )


def test_a_run_and_its_changes_read_back(store: HistoryStore) -> None:
    run_id = start(store)
    store.record_project(run_id, refreshed())
    store.record_project(run_id, outcome(RefreshOutcome.FAILED, 6))
    store.finish_run(run_id)

    [summary] = store.runs()
    assert summary.id == run_id
    assert summary.status is RunStatus.FINISHED
    assert f"{summary.status}" == "finished"
    assert (summary.user, summary.environment, summary.company_name) == ("anna", "sandbox", "Acme")
    assert summary.company_id == COMPANY
    assert not summary.dry_run
    assert summary.started_at == T0 + timedelta(minutes=1)
    assert summary.finished_at == T0 + timedelta(minutes=4)
    assert summary.started_at.tzinfo is not None
    assert (summary.projects, summary.failed_projects) == (2, 1)
    assert (summary.added, summary.updated, summary.skipped, summary.failed) == (1, 1, 1, 1)

    details = store.run_details(run_id)
    assert details.run == summary
    first, second = details.projects
    assert (first.project_id, first.project_name, first.project_number) == (
        BIG,
        "Tower B",
        "2024-017",
    )
    assert first.outcome is RefreshOutcome.REFRESHED
    assert first.message.startswith("'Tower B': added 1 code")
    assert first.recorded_at == T0 + timedelta(minutes=2)
    assert (first.added, first.updated, first.skipped, first.failed) == (1, 1, 1, 1)
    assert first.changes == (
        CodeChange(ChangeKind.ADDED, "01-300", "Temporary Facilities"),
        CodeChange(
            ChangeKind.UPDATED,
            "01-100",
            "Project Manager",
            old_name="Project Manager - J. Smith",
            new_name="Project Manager",
        ),
        CodeChange(
            ChangeKind.SKIPPED, "03_300", "Cast-in-Place Concrete", reason="Unsupported separator."
        ),
        CodeChange(
            ChangeKind.FAILED,
            "2-100",
            "Demolition",
            reason="Procore refused it.",
            request_id="req-42",
        ),
    )
    assert second.outcome is RefreshOutcome.FAILED
    assert second.changes == ()


def test_records_survive_reopening_even_without_finishing(path: Path) -> None:
    with HistoryStore(path) as store:
        run_id = start(store)
        store.record_project(run_id, refreshed())
    with HistoryStore(path) as again:
        assert [p.project_id for p in again.run_details(run_id).projects] == [BIG]


def test_cancelled_running_and_dry_runs(store: HistoryStore) -> None:
    cancelled = start(store)
    store.finish_run(cancelled, cancelled=True)
    running = start(store)
    dry = store.start_run(
        user="anna", environment="sandbox", company_id=COMPANY, company_name="Acme", dry_run=True
    )
    statuses = {run.id: (run.status, run.dry_run) for run in store.runs()}
    assert statuses[cancelled] == (RunStatus.CANCELLED, False)
    assert statuses[running] == (RunStatus.RUNNING, False)
    assert statuses[dry] == (RunStatus.RUNNING, True)


def test_a_run_left_by_a_process_that_is_gone_is_interrupted(
    store: HistoryStore, path: Path
) -> None:
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from costcode_desktop.services.history.store import HistoryStore\n"
        "store = HistoryStore(Path(sys.argv[1]))\n"
        "run = store.start_run(user='bo', environment='production', company_id=1,"
        " company_name='Other')\n"
        "print(run, flush=True)\n"
        "os._exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    orphan = int(done.stdout.strip())
    mine = start(store)
    statuses = {run.id: run.status for run in store.runs()}
    assert statuses == {orphan: RunStatus.INTERRUPTED, mine: RunStatus.RUNNING}
    assert store.run_details(orphan).run.status is RunStatus.INTERRUPTED


def test_a_run_written_with_another_token_is_interrupted(store: HistoryStore, path: Path) -> None:
    run_id = start(store)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET writer_token = 'gone' WHERE id = ?", (run_id,))
    db.close()
    assert store.runs()[0].status is RunStatus.INTERRUPTED


def test_last_refreshed_counts_only_verified_changes(store: HistoryStore) -> None:
    first = start(store)
    store.record_project(first, refreshed(BIG))
    store.record_project(first, outcome(RefreshOutcome.UNCHANGED, 6))
    store.record_project(first, outcome(RefreshOutcome.REFRESHED, 7))
    store.finish_run(first)
    second = start(store)
    store.record_project(second, outcome(RefreshOutcome.FAILED, 7))
    store.record_project(second, refreshed(BIG))
    other_company = start(store, company_id=99)
    store.record_project(other_company, outcome(RefreshOutcome.REFRESHED, 8))
    production = start(store, environment="production")
    store.record_project(production, outcome(RefreshOutcome.REFRESHED, 9))

    last = store.last_refreshed(COMPANY, "sandbox")
    assert set(last) == {BIG, 7}
    big_entries = [p for p in store.run_details(second).projects if p.project_id == BIG]
    assert last[BIG] == big_entries[0].recorded_at, "the latest refresh wins"
    assert last[7] == store.run_details(first).projects[2].recorded_at
    assert all(moment.tzinfo is not None for moment in last.values())
    assert set(store.last_refreshed(COMPANY, "production")) == {9}


def test_last_refreshed_counts_a_run_that_failed_after_writing_some_changes(
    store: HistoryStore,
) -> None:
    run_id = start(store)
    part_way = replace(refreshed(12), outcome=RefreshOutcome.FAILED)  # wrote, then failed
    store.record_project(run_id, part_way)
    store.record_project(run_id, outcome(RefreshOutcome.FAILED, 13))  # wrote nothing
    store.finish_run(run_id)

    last = store.last_refreshed(COMPANY, "sandbox")
    assert set(last) == {12}
    assert last[12] == store.run_details(run_id).projects[0].recorded_at


def test_run_filters_and_newest_first(store: HistoryStore) -> None:
    a = start(store)
    store.record_project(a, outcome(RefreshOutcome.REFRESHED, 5))
    b = start(store, company_id=BIG)
    store.record_project(b, outcome(RefreshOutcome.REFRESHED, 6))
    c = start(store)
    store.record_project(c, outcome(RefreshOutcome.UNCHANGED, 6))

    assert [run.id for run in store.runs()] == [c, b, a]
    assert [run.id for run in store.runs(company_id=COMPANY)] == [c, a]
    assert [run.id for run in store.runs(company_id=BIG)] == [b]
    assert store.runs(company_id=BIG)[0].company_id == BIG
    assert [run.id for run in store.runs(project_id=6)] == [c, b]
    assert [run.id for run in store.runs(project_id=6, company_id=COMPANY)] == [c]
    b_started = store.runs(company_id=BIG)[0].started_at
    assert [run.id for run in store.runs(since=b_started)] == [c, b]
    assert [run.id for run in store.runs(limit=1)] == [c]
    assert store.runs(project_id=12345) == []


def test_unknown_runs_are_key_errors(store: HistoryStore) -> None:
    with pytest.raises(KeyError):
        store.run_details(404)
    with pytest.raises(KeyError):
        store.record_project(404, refreshed())
    with pytest.raises(KeyError):
        store.finish_run(404)


def test_a_failed_record_leaves_no_half_project(store: HistoryStore) -> None:
    run_id = start(store)
    broken = RefreshResult(
        project(),
        RefreshOutcome.FAILED,
        "x",
        skipped=(CodeIssue("01", None, "bad"),),  # type: ignore[arg-type]
    )
    with pytest.raises(HistoryError, match="could not be updated"):
        store.record_project(run_id, broken)
    assert store.run_details(run_id).projects == ()
    store.record_project(run_id, refreshed())  # the store is still usable
    assert len(store.run_details(run_id).projects) == 1


def test_two_stores_writing_from_threads_at_once(path: Path) -> None:
    stores = [HistoryStore(path), HistoryStore(path)]
    errors: list[BaseException] = []
    runs: list[int] = []

    def work(store: HistoryStore, worker: int) -> None:
        try:
            for n in range(15):
                run_id = start(store)
                runs.append(run_id)
                for p in range(3):
                    store.record_project(run_id, refreshed(BIG + worker * 1000 + n * 10 + p))
                store.finish_run(run_id)
                store.runs(limit=5)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(stores[i % 2], i)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    summaries = stores[0].runs(limit=1000)
    assert sorted(run.id for run in summaries) == sorted(runs)
    assert len(summaries) == 60
    assert all(run.status is RunStatus.FINISHED and run.projects == 3 for run in summaries)
    assert all(len(p.changes) == 4 for p in stores[1].run_details(runs[-1]).projects)
    for store in stores:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_the_default_file_is_in_the_data_folder() -> None:
    with HistoryStore() as store:
        assert store.path == data_dir() / FILE_NAME
        start(store)
    assert (data_dir() / FILE_NAME).exists()


def test_an_unusable_folder_gives_a_plain_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryError, match="could not be opened"):
        HistoryStore(blocker / "history.sqlite3")


def test_a_file_from_a_newer_version_is_not_touched(path: Path) -> None:
    HistoryStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 999")
    db.close()
    with pytest.raises(HistoryError, match="newer version"):
        HistoryStore(path)


def test_huge_ids_survive(store: HistoryStore) -> None:
    company = 2**62 + 3
    run_id = start(store, company_id=company)
    store.record_project(run_id, outcome(RefreshOutcome.REFRESHED, 2**63 - 1))
    assert store.runs()[0].company_id == company
    assert store.run_details(run_id).projects[0].project_id == 2**63 - 1
    assert set(store.last_refreshed(company, "sandbox")) == {2**63 - 1}
