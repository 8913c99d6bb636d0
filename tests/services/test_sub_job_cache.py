"""Sub job lists kept in the cache: a status within SUB_JOBS_FRESH_FOR of the last list read
asks no List Sub Jobs, one after it reads them again, a refresh uses its status's lists, and a
kept sub job Procore no longer has is dropped without an error. On the demo sandbox over
loopback, counting the requests it receives; the cache's clock is a stand-in, nothing sleeps."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.procore.records import Project
from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from costcode_desktop.services import (
    SUB_JOBS_FRESH_FOR,
    ProjectState,
    ProjectStatus,
    SubJobLists,
    check_projects,
    load_company,
)
from costcode_desktop.services.bulk import refresh_many
from costcode_desktop.services.cache import CacheStore
from costcode_desktop.services.cache.store import FILE_NAME
from costcode_desktop.services.company import CompanyList
from costcode_desktop.services.session import Session, open_sandbox_session
from tests.sandbox_support import running

ENV = "sandbox-test"
RIVERSIDE = d.RIVERSIDE_CLINIC
E01, E02 = d.RIVERSIDE_EXTRA_IN_SYNC, d.RIVERSIDE_EXTRA_OUT_OF_DATE
E03 = 8_100_003
SUB_JOBS = "/rest/v1.0/sub_jobs"
NO_LIMITS = RateLimitConfig(hourly=0, spike=0)  # counts are looked at here, not pacing


class Clock:
    """The time the sub job lists see: moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), rate_limits=NO_LIMITS))


@pytest.fixture
def session(server: SandboxServer) -> Iterator[Session]:
    opened = open_sandbox_session(server, company_id=d.COMPANY_ID)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    with CacheStore(tmp_path / FILE_NAME) as store:
        yield store


@pytest.fixture
def clock() -> Clock:
    return Clock()


def lists(session: Session, cache: CacheStore, clock: Clock, **kw: Any) -> SubJobLists:
    return SubJobLists(
        session.client, d.COMPANY_ID, cache=cache, environment=ENV, clock=clock, **kw
    )


def status(
    session: Session, company_list: CompanyList, projects: list[Project], found: SubJobLists
) -> list[ProjectStatus]:
    checked = check_projects(
        session.client, company_list, projects, sub_jobs=True, sub_job_lists=found
    )
    return list(checked)


def sub_job_reads(server: SandboxServer) -> int:
    return sum(1 for r in server.requests if r.path == SUB_JOBS)


def compared(statuses: list[ProjectStatus]) -> int:
    """Projects whose codes were read (the others' sub jobs are not asked for)."""
    own = (s for s in statuses if s.sub_job is None)
    return sum(1 for s in own if s.state in (ProjectState.IN_SYNC, ProjectState.OUT_OF_DATE))


def code_reads(statuses: list[ProjectStatus]) -> int:
    return compared(statuses) + sum(1 for s in statuses if s.sub_job is not None)


def test_a_second_status_within_the_day_lists_no_sub_jobs(
    session: Session, server: SandboxServer, cache: CacheStore, clock: Clock
) -> None:
    """The first status lists each compared project's sub jobs once; the next one, a moment
    before the day is out, costs one code read per target and nothing more."""
    loaded = load_company(session, history=None)
    client = session.client
    before = client.request_count
    first = status(session, loaded.company_list, loaded.projects, lists(session, cache, clock))
    first_requests = client.request_count - before
    # A code read per target (compared projects and their sub jobs), a list per project.
    assert first_requests == code_reads(first) + compared(first)

    clock.now += SUB_JOBS_FRESH_FOR - timedelta(seconds=1)
    server.clear_requests()
    before = client.request_count
    second = status(session, loaded.company_list, loaded.projects, lists(session, cache, clock))
    assert sub_job_reads(server) == 0
    assert client.request_count - before == code_reads(second)  # as without sub jobs
    assert [s.key for s in second] == [s.key for s in first]
    e02 = next(s for s in second if s.key == (RIVERSIDE, E02))
    assert e02.state is ProjectState.OUT_OF_DATE


def test_after_the_day_the_lists_are_read_again(
    session: Session, server: SandboxServer, cache: CacheStore, clock: Clock
) -> None:
    loaded = load_company(session, history=None)
    first = status(session, loaded.company_list, loaded.projects, lists(session, cache, clock))
    clock.now += SUB_JOBS_FRESH_FOR
    server.clear_requests()
    status(session, loaded.company_list, loaded.projects, lists(session, cache, clock))
    assert sub_job_reads(server) == compared(first)
    server.clear_requests()  # and kept again: the next status within the day asks none
    status(session, loaded.company_list, loaded.projects, lists(session, cache, clock))
    assert sub_job_reads(server) == 0


def test_asking_to_read_them_again_reads_each_once(
    session: Session, server: SandboxServer, cache: CacheStore, clock: Clock
) -> None:
    """Reload in the window, --reread-sub-jobs on the command line: fresh lists on demand."""
    loaded = load_company(session, history=None)
    first = status(session, loaded.company_list, loaded.projects, lists(session, cache, clock))
    server.clear_requests()
    status(session, loaded.company_list, loaded.projects, lists(session, cache, clock, reread=True))
    assert sub_job_reads(server) == compared(first)


def test_the_refresh_after_a_status_uses_its_lists(
    session: Session, server: SandboxServer, cache: CacheStore, clock: Clock
) -> None:
    """Riverside and its sub jobs: the refresh reuses the status's codes and sub job list, and
    sends only E02's permission check, copy, sync and read-back."""
    loaded = load_company(session, history=None)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    found = lists(session, cache, clock)
    statuses = status(session, loaded.company_list, riverside, found)
    server.clear_requests()
    before = session.client.request_count
    run = refresh_many(
        session,
        loaded.company_list,
        riverside,
        history=None,
        sub_jobs=True,
        statuses={s.key: s for s in statuses},
        sub_job_lists=found,
    )
    assert sub_job_reads(server) == 0
    assert session.client.request_count - before == 4
    assert [(r.sub_job.id if r.sub_job else None) for r in run.results] == [None, E01, E02]


def without_e02_with_e03() -> dict[str, Any]:
    """The demo after someone in Procore deleted E02 and added E03."""
    seed = copy.deepcopy(demo_seed())
    riverside = next(p for c in seed["companies"] for p in c["projects"] if p["id"] == RIVERSIDE)
    e01 = next(j for j in riverside["sub_jobs"] if j["id"] == E01)
    riverside["sub_jobs"] = [
        e01,
        {**e01, "id": E03, "code": "E03", "name": "Canopy Extra", "origin_id": None},
    ]
    return seed


def test_a_kept_sub_job_procore_no_longer_has_is_dropped_without_an_error(
    session: Session, cache: CacheStore, clock: Clock
) -> None:
    """E02 was listed this morning; by noon it is deleted in Procore (its codes answer 404)
    and E03 added. The status shows no error for E02: it is dropped from the cache, the list
    read once again, and E03 compared."""
    loaded = load_company(session, history=None)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    status(session, loaded.company_list, riverside, lists(session, cache, clock))

    clock.now += timedelta(hours=4)
    with SandboxServer(without_e02_with_e03(), rate_limits=NO_LIMITS) as later:
        moved = open_sandbox_session(later, company_id=d.COMPANY_ID)
        try:
            found = SubJobLists(
                moved.client, d.COMPANY_ID, cache=cache, environment=ENV, clock=clock
            )
            statuses = status(moved, loaded.company_list, riverside, found)
        finally:
            moved.close()
        reads = sub_job_reads(later)
    assert [s.key for s in statuses] == [RIVERSIDE, (RIVERSIDE, E01), (RIVERSIDE, E03)]
    assert all(s.state is ProjectState.IN_SYNC for s in statuses), [s.message for s in statuses]
    assert reads == 1  # read again once, for Riverside
    kept = cache.sub_job_lists(ENV, d.COMPANY_ID)[RIVERSIDE]
    assert [j.id for j in kept.jobs] == [E01, E03]
    assert kept.read_at == clock.now


def test_a_project_without_sub_jobs_is_kept_as_having_none(
    session: Session, server: SandboxServer, cache: CacheStore, clock: Clock
) -> None:
    loaded = load_company(session, history=None)
    maple = [p for p in loaded.projects if p.id == d.MAPLE_STREET_LIBRARY]
    status(session, loaded.company_list, maple, lists(session, cache, clock))
    assert cache.sub_job_lists(ENV, d.COMPANY_ID)[d.MAPLE_STREET_LIBRARY].jobs == ()
    server.clear_requests()
    assert [
        s.key for s in status(session, loaded.company_list, maple, lists(session, cache, clock))
    ] == [d.MAPLE_STREET_LIBRARY]
    assert sub_job_reads(server) == 0


def test_sub_jobs_results_come_back_from_the_cache(
    session: Session, cache: CacheStore, clock: Clock
) -> None:
    """What `status --cached` shows: each sub job's last-known state, with its project's."""
    loaded = load_company(session, history=None)
    company = session.company
    cache.save_company(ENV, company, loaded.company_list, loaded.projects)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    statuses = status(session, loaded.company_list, riverside, lists(session, cache, clock))
    cache.save_statuses(ENV, loaded.company_list, statuses)
    cached = cache.read(ENV, d.COMPANY_ID)
    assert cached is not None
    assert cached.statuses[RIVERSIDE].state is ProjectState.IN_SYNC  # not overwritten by a job
    assert list(cached.sub_job_statuses) == [(RIVERSIDE, E01), (RIVERSIDE, E02)]
    e02 = cached.sub_job_statuses[(RIVERSIDE, E02)]
    assert e02.state is ProjectState.OUT_OF_DATE
    assert e02.sub_job is not None
    assert e02.label == "23-104 / E02 Owner Change Extras"
    assert e02.comparison is not None
    assert e02.comparison.differences == 3
