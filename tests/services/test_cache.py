"""The local cache: what it keeps, how a failed check keeps the last result, and that a broken or
old file is rebuilt rather than fatal."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from costcode_desktop.costcodes import CostType, DiffStatus, ProjectCode, StandardCode
from costcode_desktop.procore import ClientCredentials, ProcoreClient
from costcode_desktop.procore.errors import ConnectionFailed, ServerError
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services import (
    Company,
    CompanyList,
    Project,
    ProjectState,
    ProjectStatus,
    check_projects,
    read_company_list,
)
from costcode_desktop.services.cache import (
    CacheStore,
    Staleness,
    after_check,
    recheck_order,
)
from costcode_desktop.services.cache.codec import (
    codes_blob,
    codes_from,
    standard_from,
    standard_rows,
)
from costcode_desktop.services.cache.store import CORRUPT_SUFFIX, FILE_NAME, SCHEMA_VERSION
from tests.cache_support import everything_in

from .seeds import COMPANY, P_DRIFTED, P_IN_SYNC, P_NOT_ERP

ENV = "demo"
EXAMPLE = Company(COMPANY, "Example Builders")


@pytest.fixture
def store(tmp_path: Path) -> CacheStore:
    with CacheStore(tmp_path / FILE_NAME) as opened:
        yield opened  # type: ignore[misc]


def checked(client: ProcoreClient, company_list: CompanyList) -> list[ProjectStatus]:
    projects = client.projects(COMPANY, status="All")
    return list(check_projects(client, company_list, projects))


def fill(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> dict[int, ProjectStatus]:
    projects = client.projects(COMPANY, status="All")
    store.save_company(ENV, EXAMPLE, company_list, projects)
    statuses = checked(client, company_list)
    store.save_statuses(ENV, company_list, statuses)
    return {s.project.id: s for s in statuses}


def failed_check(project: Project, error: Exception) -> ProjectStatus:
    return ProjectStatus(project, ProjectState.ERROR, message=str(error), error=error)  # type: ignore[arg-type]


def test_what_was_read_comes_back_with_when_it_was_read(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    read = fill(store, client, company_list)
    cached = store.read(ENV)  # the company read most recently
    assert cached is not None
    assert cached.company == EXAMPLE
    assert cached.company_list.list == company_list.list
    assert cached.company_list.codes == company_list.codes
    assert cached.company_list.read_at == company_list.read_at
    assert [p.id for p in cached.projects] == [p.id for p in client.projects(COMPANY, status="All")]
    assert cached.statuses.keys() == read.keys()
    for pid, status in read.items():
        again = cached.statuses[pid]
        assert (again.state, again.summary, again.message) == (
            status.state,
            status.summary,
            status.message,
        )
        assert again.checked_at == status.checked_at
        assert again.project == status.project
        if status.comparison is None:
            assert again.comparison is None
        else:
            assert again.comparison is not None
            assert again.comparison.counts == dict(status.comparison.counts)
            assert again.comparison.rows == status.comparison.rows  # worked out on first use
    assert cached.marks == {}
    assert store.read(ENV, 1) is None, "another company: nothing"
    assert store.read("production") is None, "another environment: nothing"


def test_a_failed_check_keeps_the_last_result_and_says_why(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    read = fill(store, client, company_list)
    drifted = read[P_DRIFTED]
    store.save_statuses(ENV, company_list, [failed_check(drifted.project, ConnectionFailed())])
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    kept = cached.statuses[P_DRIFTED]
    assert kept.state is ProjectState.OUT_OF_DATE, "still counted as out of date"
    assert kept.checked_at == drifted.checked_at, "with its own age"
    assert kept.comparison is not None
    assert kept.comparison.count(DiffStatus.MISSING) == drifted.count(DiffStatus.MISSING)
    mark = cached.marks[P_DRIFTED]
    assert mark.failure == "could not reach Procore"
    assert mark.doing == "check"
    assert mark.failed_at is not None

    store.save_statuses(ENV, company_list, [drifted])  # a later check that works
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    assert P_DRIFTED not in cached.marks


def test_a_failed_check_with_nothing_known_is_kept_as_an_error(
    store: CacheStore, company_list: CompanyList
) -> None:
    project = Project(42, "New Job", "25-001", True)
    store.save_company(ENV, EXAMPLE, company_list, [project])
    store.save_statuses(ENV, company_list, [failed_check(project, ServerError())])
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    assert cached.statuses[42].state is ProjectState.ERROR
    assert 42 not in cached.marks


def test_a_failed_refresh_marks_the_last_result(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    fill(store, client, company_list)
    when = datetime(2025, 5, 12, 10, 42, tzinfo=UTC)
    store.save_failure(
        ENV, COMPANY, P_DRIFTED, Staleness("could not reach Procore", when, "refresh")
    )
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    assert cached.marks[P_DRIFTED] == Staleness("could not reach Procore", when, "refresh")


def test_the_list_change_is_dated_and_older_results_are_counted_again(
    server: SandboxServer, store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    fill(store, client, company_list)
    first = store.read(ENV, COMPANY)
    assert first is not None
    again = read_company_list(client, COMPANY)  # read again, unchanged
    store.save_company(ENV, EXAMPLE, again, client.projects(COMPANY, status="All"))
    same = store.read(ENV, COMPANY)
    assert same is not None
    assert same.list_changed_at == first.list_changed_at, "not changed: the date stays"

    server.add_standard_code(11, "01-400", "Project Engineer", "01")  # hh2 adds a code
    changed = read_company_list(client, COMPANY)
    store.save_company(ENV, EXAMPLE, changed, client.projects(COMPANY, status="All"))
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    assert cached.list_changed_at == changed.read_at
    in_sync = cached.statuses[P_IN_SYNC]
    assert in_sync.comparison is not None
    # Its codes were read before the change: compared with today's list it lacks the new one,
    # and the counts agree with the rows.
    assert in_sync.comparison.count(DiffStatus.MISSING) == 1
    missing = in_sync.comparison.rows_with(DiffStatus.MISSING)
    assert [row.full_code for row in missing] == ["01-400"]


def test_projects_no_longer_listed_are_dropped(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    fill(store, client, company_list)
    keep = [p for p in client.projects(COMPANY, status="All") if p.id != P_NOT_ERP]
    store.save_company(ENV, EXAMPLE, company_list, keep)
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    assert P_NOT_ERP not in cached.statuses


def test_a_corrupt_file_is_moved_aside_and_rebuilt(
    tmp_path: Path,
    client: ProcoreClient,
    company_list: CompanyList,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / FILE_NAME
    with CacheStore(path) as store:
        fill(store, client, company_list)
    path.write_bytes(b"this is not a database, whatever it was" * 200)
    with caplog.at_level(logging.WARNING), CacheStore(path) as store:
        assert store.read(ENV) is None, "nothing usable: an empty cache"
        fill(store, client, company_list)
        assert store.read(ENV) is not None, "and it works again"
    aside = path.with_name(FILE_NAME + CORRUPT_SUFFIX)
    assert aside.exists()
    assert str(aside) in caplog.text, "the log says where it went"


class DamagedFile:
    """A connection to a file that went bad while the application had it open."""

    def execute(self, *_args: object) -> None:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # as SQLite itself sets it
        raise error

    def close(self) -> None:
        pass


def test_a_file_damaged_while_open_is_moved_aside_on_the_next_use(
    tmp_path: Path, client: ProcoreClient, company_list: CompanyList
) -> None:
    path = tmp_path / FILE_NAME
    with CacheStore(path) as store:
        fill(store, client, company_list)
        store._db = DamagedFile()  # type: ignore[assignment]
        assert store.read(ENV) is None, "answered as if empty, not raised"
        assert path.with_name(FILE_NAME + CORRUPT_SUFFIX).exists()
        fill(store, client, company_list)
        assert store.read(ENV) is not None, "a new file from then on"


def test_an_old_schema_is_emptied_and_rebuilt(
    tmp_path: Path, client: ProcoreClient, company_list: CompanyList
) -> None:
    path = tmp_path / FILE_NAME
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE companies (id INTEGER, payload TEXT)")
    old.execute("INSERT INTO companies VALUES (1, 'from an earlier version')")
    old.execute("PRAGMA user_version = 0")
    old.commit()
    old.close()
    with CacheStore(path) as store:
        assert store.read(ENV) is None
        fill(store, client, company_list)
        assert store.read(ENV) is not None
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()
    assert not path.with_name(FILE_NAME + CORRUPT_SUFFIX).exists(), "rebuilt in place"


def test_no_secret_or_token_is_kept(
    server: SandboxServer, tmp_path: Path, company_list: CompanyList
) -> None:
    tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
    with ProcoreClient(server.url, tokens) as client, CacheStore(tmp_path / FILE_NAME) as store:
        fill(store, client, read_company_list(client, COMPANY))
        token = tokens.bearer_token()
    text = everything_in(tmp_path / FILE_NAME)
    assert "Riverside Clinic" in text, "the search does see inside the compressed lists"
    for secret in (server.client_secret, token):
        assert secret not in text


def test_writers_on_several_threads_do_not_collide(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    statuses = checked(client, company_list)
    store.save_company(ENV, EXAMPLE, company_list, [s.project for s in statuses])
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(20):
                store.save_statuses(ENV, company_list, statuses)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cached = store.read(ENV, COMPANY)
    assert cached is not None
    assert len(cached.statuses) == len(statuses)


def test_forgetting_an_environment(
    store: CacheStore, client: ProcoreClient, company_list: CompanyList
) -> None:
    fill(store, client, company_list)
    store.forget_environment(ENV)
    assert store.read(ENV) is None


# -- last-known state --------------------------------------------------------------------------


def status(pid: int, state: ProjectState, at: datetime) -> ProjectStatus:
    return ProjectStatus(Project(pid, f"P{pid}", None, True), state, checked_at=at)


def test_after_check_keeps_the_last_result_only_when_the_check_failed() -> None:
    then = datetime(2025, 5, 12, 10, 42, tzinfo=UTC)
    known = status(1, ProjectState.OUT_OF_DATE, then)
    fresh = status(1, ProjectState.IN_SYNC, then + timedelta(hours=1))
    assert after_check(known, fresh) == (fresh, None)
    failed = failed_check(known.project, ConnectionFailed())
    shown, mark = after_check(known, failed, now=then + timedelta(hours=2))
    assert shown is known
    assert mark == Staleness("could not reach Procore", then + timedelta(hours=2), "check")
    assert after_check(None, failed) == (failed, None), "nothing to keep"


def test_the_least_known_projects_are_checked_first() -> None:
    base = datetime(2025, 5, 12, 9, 0, tzinfo=UTC)
    changed = base + timedelta(hours=2)
    projects = [Project(pid, f"P{pid}", None, True) for pid in range(1, 7)]
    statuses = {
        1: status(1, ProjectState.IN_SYNC, base + timedelta(hours=3)),  # after the change
        2: status(2, ProjectState.IN_SYNC, base + timedelta(hours=1)),  # before it
        3: status(3, ProjectState.IN_SYNC, base + timedelta(hours=4)),  # after, newest
        5: status(5, ProjectState.IN_SYNC, base + timedelta(hours=5)),  # last check failed
        6: status(6, ProjectState.IN_SYNC, base),  # before the change, oldest
    }
    marks = {5: Staleness("could not reach Procore", base, "check")}
    order = [p.id for p in recheck_order(projects, statuses, marks, changed)]
    assert order == [4, 6, 2, 5, 1, 3]
    # Without a known change: never checked first, then failed, then the stalest.
    assert [p.id for p in recheck_order(projects, statuses, marks, None)] == [4, 5, 6, 2, 1, 3]


def test_counts_survive_as_json() -> None:
    from costcode_desktop.services.cache.codec import counts_from

    counts, locked = counts_from(json.dumps({"missing": 2, "locked": 1}))
    assert counts[DiffStatus.MISSING] == 2
    assert counts[DiffStatus.IN_SYNC] == 0
    assert locked == 1


def test_codes_keep_their_cost_types() -> None:
    """The comparison read back from the cache shows the same cost types as when it was read."""
    labor, material = CostType("L", "Labor"), CostType("M", "Material")
    standard = (
        StandardCode(1, "01", "01", "General", None, (labor, material)),
        StandardCode(2, "01-100", "100", "PM", 1, ()),
        StandardCode(3, "02", "02", "Site", None, None),
    )
    assert standard_from(json.loads(json.dumps(standard_rows(standard)))) == standard
    project = [
        ProjectCode(9, "01", "01", "General", None, 1, False, (material,)),
        ProjectCode(10, "01-100", "100", "PM", 9, 2, True, ()),
        ProjectCode(11, "02", "02", "Site", None, 3, False, None),
    ]
    assert codes_from(codes_blob(project)) == project


def test_a_cache_of_the_version_before_sub_jobs_were_kept_is_rebuilt(
    tmp_path: Path, client: ProcoreClient, company_list: CompanyList
) -> None:
    """Version 4 kept projects only; this version keeps sub job lists too. Its file is emptied
    and rebuilt, as any other version's: the next check reads everything again."""
    path = tmp_path / FILE_NAME
    with CacheStore(path) as store:
        fill(store, client, company_list)
    old = sqlite3.connect(path)
    old.execute("DROP TABLE sub_jobs")
    old.execute("DROP TABLE sub_job_results")
    old.execute("PRAGMA user_version = 4")
    old.commit()
    old.close()
    with CacheStore(path) as store:
        assert store.read(ENV) is None
        assert store.sub_job_lists(ENV, COMPANY) == {}
    check = sqlite3.connect(path)
    tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    check.close()
    assert {"sub_jobs", "sub_job_results"} <= tables
