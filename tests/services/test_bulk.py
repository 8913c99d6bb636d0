"""Refreshing many projects at once: overlap, cancel, skipped vs failed, history, dry run."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from costcode_desktop.procore import CancelToken, ProcoreClient, Project, custom_environment
from costcode_desktop.sandbox import FaultConfig, SandboxServer, SimulatedTime
from costcode_desktop.services import (
    ProjectRefreshed,
    ProjectState,
    RefreshEvent,
    RefreshOutcome,
    RefreshResult,
    RefreshStep,
    read_company_list,
)
from costcode_desktop.services.bulk import RefreshRun, refresh_many, retry_failed
from costcode_desktop.services.history.store import HistoryStore, RunStatus
from costcode_desktop.services.session import Session
from tests.sandbox_support import api_writes, running, signed_in_client

from .seeds import (
    COMPANY,
    P_DRIFTED,
    P_HIDDEN,
    P_IN_SYNC,
    P_NO_ADMIN,
    P_NOT_ERP,
    P_OTHER_LIST,
    small_seed,
)

EXTRA_START = 562949953430000


def many_seed(extra: int) -> dict[str, Any]:
    """The small company plus `extra` more projects drifted like Riverside Clinic."""
    seed = small_seed()
    company = seed["companies"][0]
    drifted = next(p for p in company["projects"] if p["id"] == P_DRIFTED)
    user = seed["users"][0]
    for n in range(extra):
        project = copy.deepcopy(drifted)
        project.update(id=EXTRA_START + n, name=f"Extra {n:02d}", project_number=f"24-{n:03d}")
        company["projects"].append(project)
        user["project_admin"].append(project["id"])
        user["projects"].append(project["id"])
    return seed


class InFlight(httpx.BaseTransport):
    """Counts requests in flight at once; optionally breaks requests a test names."""

    def __init__(self, fail: Callable[[httpx.Request], Exception | None] | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.fail = fail
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.fail is not None and (error := self.fail(request)) is not None:
            raise error
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self.inner.handle_request(request)
        finally:
            with self.lock:
                self.now -= 1


def open_session(server: SandboxServer, client: ProcoreClient) -> Session:
    user = client.me(company_id=COMPANY)
    companies = client.companies(company_id=COMPANY)
    company = next(c for c in companies if c.id == COMPANY)
    environment = custom_environment(server.url, server.url, key="test", label="Test")
    return Session(environment, client, user, company, companies)


class Setup:
    def __init__(self, server: SandboxServer, client: ProcoreClient, history: HistoryStore):
        self.server = server
        self.client = client
        self.session = open_session(server, client)
        self.company_list = read_company_list(client, COMPANY)
        self.history = history

    def projects(self, *ids: int) -> list[Project]:
        listed = {p.id: p for p in self.client.projects(COMPANY)}
        return [listed.get(i) or Project(i, f"Project {i}", None, True) for i in ids]

    def run(self, projects: list[Project], **kw: Any) -> RefreshRun:
        kw.setdefault("history", self.history)
        return refresh_many(self.session, self.company_list, projects, **kw)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        yield store


def make_setup(
    seed: dict[str, Any], history: HistoryStore, transport: httpx.BaseTransport | None = None
) -> Iterator[Setup]:
    # Procore's limits (25 requests per 10 s) on a simulated clock: these runs make more than 25
    # requests, and the pacing's waits are jumped over instead of slept through.
    for server in running(SandboxServer(seed, simulated=SimulatedTime())):
        with signed_in_client(server, transport=transport) as client:
            yield Setup(server, client, history)


@pytest.fixture
def transport() -> InFlight:
    return InFlight()


@pytest.fixture
def setup(history: HistoryStore, transport: InFlight) -> Iterator[Setup]:
    yield from make_setup(many_seed(6), history, transport)


EXTRAS = [EXTRA_START + n for n in range(6)]


def writes_by_project(server: SandboxServer) -> set[int]:
    found = set()
    for write in api_writes(server):
        body = write.json_body if isinstance(write.json_body, dict) else {}
        pid = write.query.get("project_id", [None])[0] or body.get("project_id")
        found.add(int(pid))
    return found


def test_projects_are_refreshed_at_the_same_time(setup: Setup, transport: InFlight) -> None:
    setup.server.faults = FaultConfig(latency=0.05)
    transport.peak = 0
    run = setup.run(setup.projects(P_DRIFTED, *EXTRAS), concurrency=3)
    assert [r.outcome for r in run.results] == [RefreshOutcome.REFRESHED] * 7
    assert all(r.verified_in_sync for r in run.results)
    assert transport.peak == 3, "three projects in flight at once, never more"
    assert [r.project.id for r in run.results] == [P_DRIFTED, *EXTRAS], "in the order given"


def test_concurrency_one_is_one_request_at_a_time(setup: Setup, transport: InFlight) -> None:
    setup.server.faults = FaultConfig(latency=0.02)
    transport.peak = 0
    run = setup.run(setup.projects(*EXTRAS[:3]), concurrency=1)
    assert len(run.refreshed) == 3
    assert transport.peak == 1


@pytest.mark.parametrize("concurrency", [0, 11])
def test_concurrency_out_of_range_is_refused(setup: Setup, concurrency: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 10"):
        setup.run(setup.projects(P_DRIFTED), concurrency=concurrency)


def test_every_kind_of_project_ends_in_its_own_state(setup: Setup) -> None:
    ids = [P_DRIFTED, P_IN_SYNC, P_NOT_ERP, P_OTHER_LIST, P_NO_ADMIN, P_HIDDEN]
    run = setup.run(setup.projects(*ids), concurrency=3)

    outcomes = {r.project.id: r.outcome for r in run.results}
    assert outcomes == {
        P_DRIFTED: RefreshOutcome.REFRESHED,
        P_IN_SYNC: RefreshOutcome.UNCHANGED,
        P_NOT_ERP: RefreshOutcome.REFUSED,
        P_OTHER_LIST: RefreshOutcome.REFUSED,
        P_NO_ADMIN: RefreshOutcome.REFUSED,
        P_HIDDEN: RefreshOutcome.REFUSED,
    }
    assert not run.failed
    assert not run.not_started
    assert not run.cancelled
    reasons = {r.project.id: r.message for r in run.skipped}
    assert "not connected to Sage 300 CRE" in reasons[P_NOT_ERP]
    assert "uses a different cost code list" in reasons[P_OTHER_LIST]
    assert "You need 'Admin'" in reasons[P_NO_ADMIN]
    assert run.summary() == (
        "1 of 6 projects refreshed, 4 skipped; 1 unchanged. Added 6 codes, updated 1 description."
    )
    assert retry_failed(run) == []
    assert writes_by_project(setup.server) == {P_DRIFTED}


def test_a_failed_project_is_failed_with_its_reason_and_can_be_retried(
    history: HistoryStore,
) -> None:
    broken = {"on": True}

    def fail(request: httpx.Request) -> Exception | None:
        body = request.content.decode() if request.content else ""
        if broken["on"] and "copy_subset" in request.url.path and str(EXTRAS[1]) in body:
            return httpx.ConnectError("connection refused", request=request)
        return None

    for setup in make_setup(many_seed(3), history, InFlight(fail)):
        run = setup.run(setup.projects(EXTRAS[0], EXTRAS[1], P_NOT_ERP, EXTRAS[2]))
        assert [r.project.id for r in run.failed] == [EXTRAS[1]]
        failed = run.failed[0]
        assert failed.failed, "the codes that did not arrive are named"
        assert all(issue.reason for issue in failed.failed)
        assert failed.after is not None, "read back: the run says where it stands"
        assert not failed.after.in_sync
        assert [r.project.id for r in run.skipped] == [P_NOT_ERP]
        assert len(run.refreshed) == 2
        assert run.summary().startswith("2 of 4 projects refreshed, 1 failed, 1 skipped.")
        assert retry_failed(run) == [failed.project]

        broken["on"] = False
        again = setup.run(retry_failed(run))
        assert [r.outcome for r in again.results] == [RefreshOutcome.REFRESHED]
        assert again.results[0].verified_in_sync


def test_cancel_stops_new_projects_and_lets_started_ones_finish(setup: Setup) -> None:
    setup.server.faults = FaultConfig(latency=0.05)
    cancel = CancelToken()
    first: list[RefreshResult] = []

    def on_event(event: RefreshEvent) -> None:
        match event:
            case ProjectRefreshed(result=result):
                first.append(result)
                cancel.cancel()

    projects = setup.projects(P_DRIFTED, *EXTRAS)
    run = setup.run(projects, concurrency=2, on_event=on_event, cancel=cancel)

    assert run.cancelled
    assert run.not_started, "some projects never started"
    assert len(run.results) + len(run.not_started) == len(projects)
    assert {r.project.id for r in run.results}.isdisjoint({p.id for p in run.not_started})
    for result in run.results:
        assert result.outcome is RefreshOutcome.REFRESHED
        assert result.verified_in_sync
    not_started = {p.id for p in run.not_started}
    assert writes_by_project(setup.server).isdisjoint(not_started), "nothing sent to them"
    assert "Cancelled: " in run.summary()
    assert "not started" in run.summary()
    summary = setup.history.runs(limit=1)[0]
    assert summary.status is RunStatus.CANCELLED
    assert summary.projects == len(run.results)


def test_a_cancel_after_the_writes_began_still_reads_the_project_back(setup: Setup) -> None:
    cancel = CancelToken()

    def on_event(event: RefreshEvent) -> None:
        match event:
            case RefreshStep(text=text) if text.startswith("Adding"):
                cancel.cancel()

    run = setup.run(setup.projects(*EXTRAS[3:]), concurrency=1, on_event=on_event, cancel=cancel)
    assert len(run.results) == 1
    assert len(run.not_started) == 2
    result = run.results[0]
    assert result.outcome is RefreshOutcome.REFRESHED, "copy and update were both carried out"
    assert result.after is not None
    assert result.verified_in_sync
    on_server = {c["full_code"]: c["name"] for c in setup.server.project_cost_codes(EXTRAS[3])}
    assert on_server["01-100"] == "Project Manager"
    assert "03-200" in on_server


def test_a_cancel_before_any_write_leaves_the_project_not_started(setup: Setup) -> None:
    cancel = CancelToken()

    def on_event(event: RefreshEvent) -> None:
        match event:
            case RefreshStep(text="Reading its cost codes"):
                cancel.cancel()

    run = setup.run(setup.projects(*EXTRAS[:3]), concurrency=1, on_event=on_event, cancel=cancel)
    assert run.results == []
    assert [p.id for p in run.not_started] == EXTRAS[:3]
    assert api_writes(setup.server) == []
    assert run.summary() == "0 of 3 projects refreshed. Cancelled: 3 not started."


def test_history_has_one_run_with_every_project(setup: Setup) -> None:
    ids = [P_DRIFTED, P_IN_SYNC, P_NOT_ERP, *EXTRAS]
    run = setup.run(setup.projects(*ids), concurrency=4)
    runs = setup.history.runs()
    assert len(runs) == 1
    assert runs[0].status is RunStatus.FINISHED
    assert not runs[0].dry_run
    details = setup.history.run_details(runs[0].id)
    assert sorted(e.project_id for e in details.projects) == sorted(ids)
    recorded = {e.project_id: e.outcome for e in details.projects}
    assert recorded == {r.project.id: r.outcome for r in run.results}
    assert runs[0].added == 6 * (1 + len(EXTRAS))


def test_dry_run_sends_nothing_and_is_recorded_as_one(setup: Setup) -> None:
    setup.server.clear_requests()
    run = setup.run(setup.projects(P_DRIFTED, P_NO_ADMIN, *EXTRAS[:2]), dry_run=True)
    assert api_writes(setup.server) == []
    assert all(r.dry_run for r in run.results)
    assert len(run.unchanged) == 3
    (refused,) = run.skipped  # a dry run asks for the permission too: refused, as it will be
    assert refused.project.id == P_NO_ADMIN
    assert "'Admin'" in refused.message
    assert refused.message.endswith("Nothing would be sent (dry run).")
    assert run.summary() == (
        "Dry run: 3 of 4 projects would change (add 18 codes, update 3 descriptions), "
        "1 skipped. Nothing was sent."
    )
    runs = setup.history.runs()
    assert len(runs) == 1
    assert runs[0].dry_run
    assert runs[0].projects == 4


def test_an_unexpected_error_in_one_project_fails_only_that_project(history: HistoryStore) -> None:
    def fail(request: httpx.Request) -> Exception | None:
        if request.url.path == f"/rest/v1.0/projects/{EXTRAS[1]}":
            return RuntimeError("a bug somewhere below")
        return None

    for setup in make_setup(many_seed(3), history, InFlight(fail)):
        run = setup.run(setup.projects(*EXTRAS[:3]), concurrency=3)
        assert [r.project.id for r in run.refreshed] == [EXTRAS[0], EXTRAS[2]]
        assert [r.project.id for r in run.failed] == [EXTRAS[1]]
        message = run.failed[0].message
        assert "unexpected problem (RuntimeError)" in message
        assert "a bug somewhere below" not in message, "plain words, details in the log"
        assert run.failed[0].after is not None, "read back all the same"
        details = history.run_details(history.runs(limit=1)[0].id)
        assert len(details.projects) == 3


def test_a_broken_on_event_callback_does_not_stop_the_run(setup: Setup) -> None:
    def on_event(event: RefreshEvent) -> None:
        raise ValueError("GUI bug")

    run = setup.run(setup.projects(*EXTRAS[:4]), concurrency=2, on_event=on_event)
    assert len(run.refreshed) == 4


def test_events_tell_each_step_and_each_project_with_its_status(setup: Setup) -> None:
    events: list[RefreshEvent] = []
    lock = threading.Lock()

    def on_event(event: RefreshEvent) -> None:
        with lock:
            events.append(event)

    projects = setup.projects(P_DRIFTED, P_NOT_ERP, *EXTRAS[:2])
    run = setup.run(projects, concurrency=2, on_event=on_event)

    steps = [e for e in events if isinstance(e, RefreshStep)]
    assert {(e.project.id, e.index, e.total) for e in steps} == {
        (p.id, i, 4) for i, p in enumerate(projects)
    }
    assert {e.text for e in steps if e.project.id == P_DRIFTED} >= {
        "Starting",
        "Reading the project",
        "Reading its cost codes",
        "Checking the result",
    }
    done = {e.result.project.id: e for e in events if isinstance(e, ProjectRefreshed)}
    assert set(done) == {p.id for p in projects}, "one ProjectRefreshed per project"
    drifted = done[P_DRIFTED]
    assert drifted.result.before is not None, "the event has the whole result"
    assert drifted.status is not None
    assert drifted.status.state is ProjectState.IN_SYNC
    assert done[P_NOT_ERP].status is None, "refused: nothing read back"
    assert all(r.before is None for r in run.results), "the run keeps only the read-back"


def test_a_project_refused_for_want_of_admin_is_reported_as_no_access(setup: Setup) -> None:
    events: list[RefreshEvent] = []
    setup.run(setup.projects(P_NO_ADMIN, P_NOT_ERP), on_event=events.append)

    done = {e.result.project.id: e for e in events if isinstance(e, ProjectRefreshed)}
    status = done[P_NO_ADMIN].status
    assert status is not None
    assert status.state is ProjectState.NO_ACCESS, "not out of date: nothing can be done"
    assert status.comparison is not None, "what it would change stays to look at"
    assert status.comparison.differences > 0
    assert "You need 'Admin'" in status.message
    assert "Reload (F5)" in status.message
    assert done[P_NOT_ERP].status is None


def test_the_same_project_twice_is_refreshed_once(setup: Setup) -> None:
    twice = setup.projects(P_DRIFTED, P_DRIFTED)
    run = setup.run(twice, concurrency=2)
    assert len(run.results) == 1
    assert run.results[0].outcome is RefreshOutcome.REFRESHED


def test_without_history_the_run_says_so(setup: Setup) -> None:
    run = setup.run(setup.projects(*EXTRAS[:2]), history=None)
    assert len(run.refreshed) == 2
    assert "not recorded" in run.summary()
