"""Sub jobs (Sage 300 CRE Extras) as targets of their own: checked, refreshed through
`sub_job_id`, one history entry each, within the request budget. On the demo's Riverside Clinic,
whose E01 is in sync and E02 lacks 18 and 18-100 and has one description edited."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from costcode_desktop.services import (
    ProjectRefreshed,
    ProjectState,
    RefreshOutcome,
    cost_types,
    load_company,
)
from costcode_desktop.services.bulk import refresh_many
from costcode_desktop.services.checks import check_projects
from costcode_desktop.services.cost_types import STEPS, RunTodos, cost_type_todos
from costcode_desktop.services.history.store import HistoryStore
from costcode_desktop.services.session import Session, open_sandbox_session
from costcode_desktop.services.targets import Target
from costcode_desktop.services.text import isolated
from tests.sandbox_support import api_writes, running

RIVERSIDE = d.RIVERSIDE_CLINIC
E01, E02 = d.RIVERSIDE_EXTRA_IN_SYNC, d.RIVERSIDE_EXTRA_OUT_OF_DATE


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    # Request counts, not pacing, are what these tests look at: no limits (pacing has its own).
    yield from running(SandboxServer(demo_seed(), rate_limits=RateLimitConfig(hourly=0, spike=0)))


@pytest.fixture
def session(server: SandboxServer) -> Iterator[Session]:
    opened = open_sandbox_session(server, company_id=d.COMPANY_ID)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        yield store


def test_a_check_with_sub_jobs_gives_each_its_own_state_and_counts(session: Session) -> None:
    loaded = load_company(session, history=None)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    statuses = list(check_projects(session.client, loaded.company_list, riverside, sub_jobs=True))
    assert [s.key for s in statuses] == [RIVERSIDE, (RIVERSIDE, E01), (RIVERSIDE, E02)]
    project, in_sync, out_of_date = statuses
    assert project.state is ProjectState.IN_SYNC
    assert in_sync.state is ProjectState.IN_SYNC
    assert out_of_date.state is ProjectState.OUT_OF_DATE
    assert out_of_date.comparison is not None
    assert out_of_date.comparison.differences == 3  # 18 and 18-100 missing, 01-010 edited
    assert out_of_date.label == "23-104 / E02 Owner Change Extras"


def test_every_projects_state_comes_before_any_sub_jobs(server: SandboxServer) -> None:
    """Under Procore's 25 requests per 10 s the demo's sub job lists would hold the projects'
    states back for ten seconds if they came between them: the projects are checked first."""
    server.clear_requests()
    session = open_sandbox_session(server, company_id=d.COMPANY_ID)
    try:
        loaded = load_company(session, history=None)
        statuses = list(
            check_projects(session.client, loaded.company_list, loaded.projects, sub_jobs=True)
        )
    finally:
        session.close()
    kinds = [status.sub_job is not None for status in statuses]
    assert kinds == sorted(kinds)  # every project (False) before the first sub job (True)
    assert kinds.count(False) == len(loaded.projects)
    assert kinds.count(True) == 2
    paths = [r.path for r in server.requests if r.path.startswith("/rest/")]
    first_list = paths.index("/rest/v1.0/sub_jobs")
    code_reads = [i for i, path in enumerate(paths) if path == "/rest/v1.0/cost_codes"]
    project_reads = len(code_reads) - 2  # the two sub jobs' own reads come last
    assert all(i < first_list for i in code_reads[:project_reads])


@pytest.mark.parametrize(
    ("setting", "system"), [("auto", "Sage 300 CRE"), ("acumatica", "Acumatica")]
)
def test_a_sub_jobs_comparison_carries_the_connector_as_its_projects_does(
    session: Session, setting: str, system: str
) -> None:
    """Messages, tooltips and exports name the connector from the comparison: a sub job's is
    the company list's, as its project's is (the setting overriding the list's name)."""
    loaded = load_company(session, history=None, connector=setting)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    statuses = list(check_projects(session.client, loaded.company_list, riverside, sub_jobs=True))
    assert [s.key for s in statuses] == [RIVERSIDE, (RIVERSIDE, E01), (RIVERSIDE, E02)]
    for status in statuses:
        assert status.comparison is not None
        assert status.comparison.connector is loaded.company_list.connector
        assert status.comparison.connector.system == system


def test_a_sub_jobs_new_codes_without_cost_type_are_named_by_the_sub_job(
    session: Session, history: HistoryStore
) -> None:
    """Codes copied to E02 arrive without cost types, as on a project: the checklist names the
    sub job ('23-104 / E02 Owner Change Extras') and its project's Admin tool, where they are
    assigned; the project and E01, unchanged, are not listed."""
    loaded = load_company(session, history=history)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    run = refresh_many(session, loaded.company_list, riverside, history=history, sub_jobs=True)
    (todo,) = cost_type_todos(run, session.environment)
    assert todo.sub_job is not None
    assert todo.sub_job.id == E02
    assert todo.codes == ("18", "18-100")
    assert todo.new == 2
    label = isolated("23-104 / E02 Owner Change Extras")
    assert todo.text == f"2 new codes in {label} have no cost type. {STEPS}"
    assert todo.admin_url is not None
    assert todo.admin_url.endswith(f"/{RIVERSIDE}/project/admin")


def test_the_checklist_worked_out_during_the_run_is_the_one_worked_out_after_it(
    session: Session, history: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window works each project's todo out as its result arrives (on the run's threads):
    at the end nothing is read again, and the list is the one cost_type_todos gives."""
    loaded = load_company(session, history=history)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    todos = RunTodos(session.environment)

    def collect(event: object) -> None:
        if isinstance(event, ProjectRefreshed):
            todos.add(event.result)

    run = refresh_many(
        session, loaded.company_list, riverside, history=history, sub_jobs=True, on_event=collect
    )
    worked_out_again: list[object] = []
    real = cost_types.todo_of
    monkeypatch.setattr(cost_types, "todo_of", lambda *a: worked_out_again.append(a) or real(*a))
    assert todos.of(run) == cost_type_todos(run, session.environment)
    assert len(worked_out_again) == len(run.results), "only cost_type_todos read them again"
    worked_out_again.clear()
    (todo,) = todos.of(run)
    assert worked_out_again == []
    assert todo.sub_job is not None
    assert todo.sub_job.id == E02


def test_a_run_lets_each_projects_old_comparison_go_once_it_is_done(
    session: Session, history: HistoryStore
) -> None:
    """The statuses a run starts from may be the last holders of comparisons the window has
    replaced: they go as each project is done, not all at the run's end (freeing 300 projects'
    at once held the interpreter lock, and froze the window, for 30 ms and more)."""
    loaded = load_company(session, history=history)
    statuses = list(check_projects(session.client, loaded.company_list, loaded.projects))
    stale = [s for s in statuses if s.state is ProjectState.OUT_OF_DATE and s.project.active]
    assert len(stale) >= 3
    alive = {s.project.id: weakref.ref(s.comparison) for s in stale if s.comparison}
    handed = [{s.project.id: s for s in stale}]
    projects = [s.project for s in stale]
    del statuses, stale
    seen: list[tuple[int, list[int]]] = []

    def watch(event: object) -> None:
        if isinstance(event, ProjectRefreshed):
            kept = [pid for pid, ref in alive.items() if ref() is not None]
            seen.append((event.result.project.id, kept))

    refresh_many(
        session,
        loaded.company_list,
        projects,
        history=history,
        concurrency=1,
        statuses=handed.pop(),
        on_event=watch,
    )
    done: set[int] = set()
    for project_id, kept in seen:
        assert not done & set(kept), "a finished project's old comparison is still held"
        done.add(project_id)
    assert len(done) == len(projects)


def test_a_check_without_sub_jobs_is_as_before(session: Session) -> None:
    loaded = load_company(session, history=None)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    statuses = list(check_projects(session.client, loaded.company_list, riverside))
    assert [s.key for s in statuses] == [RIVERSIDE]


def test_refreshing_a_project_refreshes_its_sub_jobs_one_history_entry_each(
    session: Session, server: SandboxServer, history: HistoryStore
) -> None:
    loaded = load_company(session, history=history)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    run = refresh_many(session, loaded.company_list, riverside, history=history, sub_jobs=True)

    outcomes = {(r.project.id, r.sub_job.id if r.sub_job else None): r.outcome for r in run.results}
    assert outcomes == {
        (RIVERSIDE, None): RefreshOutcome.UNCHANGED,
        (RIVERSIDE, E01): RefreshOutcome.UNCHANGED,
        (RIVERSIDE, E02): RefreshOutcome.REFRESHED,
    }
    (e02,) = [r for r in run.results if r.sub_job is not None and r.sub_job.id == E02]
    assert {c.full_code for c in e02.added} == {"18", "18-100"}
    assert [u.full_code for u in e02.updated] == ["01-010"]
    assert e02.verified_in_sync
    # Written to E02's own list only: the project's and E01's are as they were.
    writes = api_writes(server)
    assert len(writes) == 2
    assert all(
        w.query.get("sub_job_id") == [str(E02)]
        or (isinstance(w.json_body, dict) and w.json_body.get("sub_job_id") == E02)
        for w in writes
    )
    assert run.summary().startswith("1 of 3 (1 project, 2 sub jobs) refreshed; 2 unchanged.")

    (summary,) = history.runs()
    entries = history.run_details(summary.id).projects
    assert [(e.project_id, e.sub_job_id, e.sub_job_code) for e in entries] == [
        (RIVERSIDE, None, None),
        (RIVERSIDE, E01, "E01"),
        (RIVERSIDE, E02, "E02"),
    ]
    assert entries[2].added == 2
    assert entries[2].updated == 1
    # The project's own list was not changed: it has no "last refreshed" from its sub job.
    assert RIVERSIDE not in history.last_refreshed(d.COMPANY_ID, session.environment.key)


def test_the_option_off_leaves_sub_jobs_alone(
    session: Session, server: SandboxServer, history: HistoryStore
) -> None:
    loaded = load_company(session, history=history)
    riverside = [p for p in loaded.projects if p.id == RIVERSIDE]
    run = refresh_many(session, loaded.company_list, riverside, history=history, sub_jobs=False)
    assert [r.sub_job for r in run.results] == [None]
    assert not any(r.path == "/rest/v1.0/sub_jobs" for r in server.requests)


def test_one_sub_job_alone_is_a_target(
    session: Session, server: SandboxServer, history: HistoryStore
) -> None:
    loaded = load_company(session, history=history)
    riverside = next(p for p in loaded.projects if p.id == RIVERSIDE)
    job = next(j for j in session.client.sub_jobs(d.COMPANY_ID, RIVERSIDE) if j.id == E02)
    run = refresh_many(
        session, loaded.company_list, [Target(riverside, job)], history=history, sub_jobs=True
    )
    assert [(r.sub_job.id if r.sub_job else None, r.outcome) for r in run.results] == [
        (E02, RefreshOutcome.REFRESHED)
    ]


def test_requests_per_target_stay_within_the_budget(
    session: Session, server: SandboxServer, history: HistoryStore
) -> None:
    """A status: one code read per target, plus one sub job list per compared project. A
    refresh: at most 4 requests per target beyond its status read (request-budget.md)."""
    loaded = load_company(session, history=history)
    client = session.client
    compared = [p for p in loaded.projects if p.id in {RIVERSIDE, d.MAPLE_STREET_LIBRARY}]
    before = client.request_count
    statuses = list(check_projects(client, loaded.company_list, compared, sub_jobs=True))
    status_requests = client.request_count - before
    targets = len(statuses)
    assert targets == 4  # two projects, Riverside's two sub jobs
    assert status_requests == targets + len(compared)  # codes per target + a list per project

    before = client.request_count
    run = refresh_many(
        session,
        loaded.company_list,
        compared,
        history=history,
        sub_jobs=True,
        statuses={s.key: s for s in statuses},
    )
    refresh_requests = client.request_count - before
    assert len(run.results) == targets
    # Everything reused from the status; the sub job lists are read again (one per project),
    # then E02 costs its permission check, copy, sync and read-back.
    assert refresh_requests <= 4 * targets
    assert refresh_requests == len(compared) + 4


def test_a_sub_job_given_with_its_project_is_refreshed_once(
    session: Session, history: HistoryStore
) -> None:
    loaded = load_company(session, history=history)
    riverside = next(p for p in loaded.projects if p.id == RIVERSIDE)
    job = next(j for j in session.client.sub_jobs(d.COMPANY_ID, RIVERSIDE) if j.id == E02)
    run = refresh_many(
        session,
        loaded.company_list,
        [riverside, Target(riverside, job)],
        history=history,
        sub_jobs=True,
    )
    keys = sorted((r.project.id, r.sub_job.id if r.sub_job else 0) for r in run.results)
    assert keys == [(RIVERSIDE, 0), (RIVERSIDE, E01), (RIVERSIDE, E02)]
