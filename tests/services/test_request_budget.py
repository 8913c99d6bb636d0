"""Requests as scarce as Procore's limits make them (600 an hour, 25 per 10 s): counted in the
sandbox's request log for a status, a refresh, a dry run and a bulk run that outlasts the hour."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.procore import ProcoreClient, RetryPolicy
from costcode_desktop.sandbox import (
    RateLimitConfig,
    RequestRecord,
    SandboxServer,
    SimulatedTime,
)
from costcode_desktop.sandbox.synthetic import MIXED_ERP_LIST, mixed_company_seed
from costcode_desktop.services import (
    CompanyList,
    ProjectState,
    ProjectStatus,
    RefreshOutcome,
    check_projects,
    list_projects,
    load_company,
    read_company_list,
    refresh_many,
    starting_points,
)
from costcode_desktop.services.bulk import REUSE_FOR
from costcode_desktop.services.session import Session
from tests.sandbox_support import running, signed_in_client

from .test_bulk import open_session

COMPANY = 4264807
CODES_PAGE = 1000


def project_of(record: RequestRecord) -> int | None:
    """The project a request is about (query or body), None for company-wide ones."""
    if record.path.startswith("/rest/v1.0/projects/"):
        return int(record.path.rsplit("/", 1)[1])
    if "project_id" in record.query:
        return int(record.query["project_id"][0])
    if isinstance(record.json_body, dict) and "project_id" in record.json_body:
        return int(record.json_body["project_id"])
    return None


def detail_reads(records: list[RequestRecord]) -> list[str]:
    return [r.path for r in records if r.path.startswith("/rest/v1.0/projects/")]


class Company:
    """A sandbox with Procore's limits on simulated time, and a signed-in session of it."""

    def __init__(self, server: SandboxServer, client: ProcoreClient) -> None:
        self.server = server
        self.client = client
        self.session: Session = open_session(server, client)

    def session_list(self) -> CompanyList:
        return read_company_list(self.client, COMPANY)

    def status(self) -> tuple[list[ProjectStatus], int]:
        """A full status (as load_company and the window's checks do); and the listed count."""
        load = load_company(self.session, history=None)
        self.company_list = load.company_list
        statuses = list(
            check_projects(self.client, load.company_list, load.projects, concurrency=3)
        )
        return statuses, len(load.projects)


def company(seed: dict[str, Any], **server_kw: Any) -> Iterator[Company]:
    server_kw.setdefault("simulated", SimulatedTime())
    for server in running(SandboxServer(seed, **server_kw)):
        with signed_in_client(server, retry=RetryPolicy()) as client:
            yield Company(server, client)


@pytest.fixture
def small() -> Iterator[Company]:
    yield from company(mixed_company_seed(60, 120))


@pytest.mark.parametrize(("projects", "codes"), [(60, 120), (320, 12)])
def test_a_status_costs_n_plus_list_pages_plus_4(projects: int, codes: int) -> None:
    """From signing in to every project compared: no project is read alone."""
    for found in company(mixed_company_seed(projects, codes)):
        statuses, n = found.status()
        log = found.server.requests
        list_pages = math.ceil(len(found.company_list.codes) / CODES_PAGE)
        assert len(log) <= n + math.ceil(n / 300) + list_pages + 4, Counter(r.path for r in log)
        assert detail_reads(log) == [], "the project list said what the detail read would"
        assert len(statuses) == n
        reads = Counter(project_of(r) for r in log if r.path == "/rest/v1.0/cost_codes")
        refused = {s.project.id for s in statuses if s.comparison is None}
        assert not refused & set(reads), "no code read for a project that cannot be refreshed"
        assert set(reads.values()) == {1}, "one page of codes per project compared"
        assert {s.state for s in statuses} >= {
            ProjectState.IN_SYNC,
            ProjectState.OUT_OF_DATE,
            ProjectState.NOT_ERP_INTEGRATED,
            ProjectState.OTHER_LIST,
        }
        assert not [r for r in log if r.status == 429]


def test_a_refresh_costs_at_most_4_requests_beyond_its_status(small: Company) -> None:
    statuses, _ = small.status()
    stale = {s.project.id: s for s in statuses if s.state is ProjectState.OUT_OF_DATE}
    small.server.clear_requests()
    run = refresh_many(
        small.session,
        small.company_list,
        [s.project for s in stale.values()],
        history=None,
        statuses=stale,
    )
    log = small.server.requests
    by_project = Counter(project_of(r) for r in log)
    assert None not in by_project, "nothing company-wide is read again"
    assert detail_reads(log) == []
    assert max(by_project.values()) <= 4, by_project
    assert len(log) <= 4 * len(stale)
    for result in run.results:
        sent = [r for r in log if project_of(r) == result.project.id]
        if result.outcome is RefreshOutcome.REFUSED:  # no Admin: only the permission check
            assert [r.path for r in sent] == ["/rest/v1.0/settings/permissions"]
            continue
        assert result.outcome is RefreshOutcome.REFRESHED
        assert result.verified_in_sync
        reads = [r for r in sent if r.path == "/rest/v1.0/cost_codes"]
        assert len(reads) == 1, "the codes are read once: the read-back"
        assert sent[-1].path == "/rest/v1.0/cost_codes", "the read-back comes after the writes"


def test_the_permission_check_is_asked_once_for_the_dry_run_and_the_run(small: Company) -> None:
    statuses, _ = small.status()
    stale = {s.project.id: s for s in statuses if s.state is ProjectState.OUT_OF_DATE}
    projects = [s.project for s in stale.values()]
    small.server.clear_requests()
    dry = refresh_many(
        small.session, small.company_list, projects, history=None, statuses=stale, dry_run=True
    )
    asked = Counter(
        project_of(r) for r in small.server.requests if r.path.endswith("/settings/permissions")
    )
    assert set(asked) == set(stale)
    assert set(asked.values()) == {1}
    refused = {r.project.id for r in dry.skipped}
    assert refused, "projects without Admin are refused by the dry run, as the run will"
    assert not any(r.would_change for r in dry.skipped)
    assert "Nothing would be sent (dry run)." in dry.skipped[0].message

    small.server.clear_requests()
    run = refresh_many(small.session, small.company_list, projects, history=None, statuses=stale)
    again = [r for r in small.server.requests if r.path.endswith("/settings/permissions")]
    assert again == [], "the run reuses the dry run's answers"
    assert {r.project.id for r in run.skipped} == refused
    assert len(run.refreshed) == len(stale) - len(refused)
    assert small.session.permissions.requests == len(stale)


def test_a_bulk_run_that_outlasts_the_hour_meets_no_429_and_says_so_up_front() -> None:
    """300 projects under 600 an hour: the status and the refresh need more than the hour."""
    clock = SimulatedTime()
    for found in company(mixed_company_seed(300, 12), simulated=clock):
        assert found.server.rate_limits == RateLimitConfig(hourly=600, spike=25)
        statuses, _ = found.status()
        stale = {
            s.project.id: s
            for s in statuses
            if s.project.active and s.state is ProjectState.OUT_OF_DATE
        }
        status_requests = len(found.server.requests)
        started = clock.now()
        run = refresh_many(
            found.session,
            found.company_list,
            [s.project for s in stale.values()],
            history=None,
            statuses=stale,
        )
        took = clock.now() - started
        log = found.server.requests
        assert [r for r in log if r.status == 429] == []
        assert found.client.throttled_count == 0
        assert len(log) > 600, "more than one hour's quota"
        assert took > 3000, "it waited for the hourly window to reset"
        assert not run.failed
        assert len(run.refreshed) + len(run.skipped) == len(stale)
        estimate = run.estimate
        assert estimate is not None
        assert not estimate.fits
        assert "Procore allows 600 an hour" in estimate.text
        sent = len(log) - status_requests
        assert sent <= estimate.requests <= sent * 1.2  # refused projects cost less than planned
        assert estimate.seconds == pytest.approx(took, rel=0.25)


def test_a_run_that_starts_with_the_hour_spent_waits_instead_of_failing(small: Company) -> None:
    """Another program spent the hour: this one's first answer is a 429 whose reset is an hour
    away. It waits for it (on simulated time) instead of failing the run."""
    statuses, _ = small.status()
    stale = {s.project.id: s for s in statuses if s.state is ProjectState.OUT_OF_DATE}
    target = next(s for s in stale.values() if s.project.active)
    small.server.rate_limits = RateLimitConfig(hourly=5, spike=25)
    for _ in range(5):
        small.client.me(company_id=small.company_list.company_id)  # the hour's quota, spent
    assert small.server.simulated is not None
    started = small.server.simulated.now()
    with signed_in_client(small.server, retry=RetryPolicy()) as fresh:
        session = open_session(small.server, fresh)  # a new program: knows nothing of the hour
        run = refresh_many(
            session,
            small.company_list,
            [target.project],
            history=None,
            statuses={target.project.id: target},
        )
        assert fresh.throttled_count == 1, "only the first answer, before it knew"
    assert not run.failed
    assert len(run.refreshed) + len(run.skipped) == 1
    assert small.server.simulated.now() - started > 3000


def test_a_status_older_than_the_reuse_window_is_read_again(small: Company) -> None:
    statuses, _ = small.status()
    stale = [s for s in statuses if s.state is ProjectState.OUT_OF_DATE]
    old = replace(stale[0], checked_at=datetime.now(UTC) - REUSE_FOR - timedelta(seconds=5))
    fresh = stale[1]
    points = starting_points(
        small.company_list, [old.project, fresh.project], {s.project.id: s for s in (old, fresh)}
    )
    assert points[0].before is None, "too old: read again before writing"
    assert points[1].before is fresh.comparison
    newer_list = replace(small.company_list, read_at=datetime.now(UTC) + timedelta(seconds=1))
    (point,) = starting_points(newer_list, [fresh.project], {fresh.project.id: fresh})
    assert point.before is None, "compared with an older company list: read again"


def test_acting_on_a_comparison_that_aged_is_safe_and_the_read_back_tells(small: Company) -> None:
    """Between the status and the refresh someone copied one of the missing codes and edited
    another description: the copy of that code is refused by Procore as a duplicate, and the
    read-back, not the plan, says what the project holds."""
    statuses, _ = small.status()
    status = next(
        s
        for s in statuses
        if s.state is ProjectState.OUT_OF_DATE
        and s.project.active
        and s.comparison is not None
        and s.comparison.count(DiffStatus.MISSING)
        and small.session.permissions.check(small.client, COMPANY, s.project.id)
    )
    assert status.comparison is not None
    project_id = status.project.id
    missing = status.comparison.rows_with(DiffStatus.MISSING)[0].standard
    assert missing is not None
    assert missing.parent_id is not None
    untouched = next(
        row for row in status.comparison.rows_with(DiffStatus.IN_SYNC) if row.depth == 1
    )
    # Meanwhile, by someone else:
    small.client.copy_subset_from_standard_list(
        COMPANY, project_id, MIXED_ERP_LIST, [missing.parent_id, missing.id]
    )
    small.server.set_project_code_name(project_id, untouched.full_code, "Edited meanwhile")
    small.server.clear_requests()
    run = refresh_many(
        small.session,
        small.company_list,
        [status.project],
        history=None,
        statuses={project_id: status},
    )
    (result,) = run.results
    copies = [r for r in small.server.requests if "copy_subset" in r.path]
    assert [r.status for r in copies] == [207], "the code copied meanwhile: a duplicate"
    assert result.outcome is RefreshOutcome.REFRESHED
    assert not result.failed
    assert result.after is not None
    assert result.after.differences == 1, "the edit made after the status is found, not hidden"
    assert result.message.endswith("Checked: 1 difference remains.")


class WithoutField(httpx.BaseTransport):
    """Procore as it might answer: the list id missing from some projects, or filters[synced]
    refused."""

    def __init__(self, *, drop_list_id: frozenset[int] = frozenset(), refuse_synced: bool = False):
        self.inner = httpx.HTTPTransport()
        self.drop = drop_list_id
        self.refuse_synced = refuse_synced

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refuse_synced and "filters[synced]" in request.url.params:
            return httpx.Response(400, json={"errors": "unknown filter"})
        response = self.inner.handle_request(request)
        if request.url.path != "/rest/v1.1/projects" or not self.drop:
            return response
        items = json.loads(response.read())
        for item in items:
            if item["id"] in self.drop:
                item.pop("standard_cost_code_list_id", None)  # not in the compact view anyway
        kept = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=kept, json=items)


def test_a_project_the_list_says_too_little_about_is_read_alone() -> None:
    seed = mixed_company_seed(20, 30)
    first, second = (p["id"] for p in seed["companies"][0]["projects"][:2])
    for server in running(SandboxServer(seed, simulated=SimulatedTime())):
        transport = WithoutField(drop_list_id=frozenset({first, second}))
        with signed_in_client(server, transport=transport) as client:
            projects = list_projects(client, COMPANY)
            assert {p.id for p in projects if p.needs_detail} == {first, second}
            session = open_session(server, client)
            server.clear_requests()
            load = load_company(session, history=None)
            list(check_projects(client, load.company_list, load.projects))
            reads = detail_reads(server.requests)
            assert sorted(reads) == sorted(f"/rest/v1.0/projects/{i}" for i in (first, second))


def test_without_filters_synced_projects_are_read_alone_and_still_right() -> None:
    seed = mixed_company_seed(20, 30)
    for server in running(SandboxServer(seed, simulated=SimulatedTime())):
        with signed_in_client(server, transport=WithoutField(refuse_synced=True)) as client:
            session = open_session(server, client)
            load = load_company(session, history=None)
            assert all(p.is_erp_integrated is None for p in load.projects)
            states = {
                s.project.id: s.state
                for s in check_projects(client, load.company_list, load.projects)
            }
        kinds = {p["id"]: p["_kind"] for p in seed["companies"][0]["projects"]}
        not_erp = {i for i, kind in kinds.items() if kind == "not ERP-integrated"}
        assert {i for i, s in states.items() if s is ProjectState.NOT_ERP_INTEGRATED} == not_erp


def test_where_synced_and_origin_id_disagree_the_project_is_read_alone() -> None:
    """`synced` is taken for the ERP flag only with an origin_id, or without either: the
    inference is not trusted where the two signals disagree."""
    seed = mixed_company_seed(20, 30)
    projects = seed["companies"][0]["projects"]
    erp = next(p for p in projects if p["_kind"] == "out of date")
    other = next(p for p in projects if p["_kind"] == "not ERP-integrated")
    erp["origin_id"] = None  # synced, yet no origin_id
    other["origin_id"] = "from-another-integration"  # an origin_id, yet not synced
    for found in company(seed):
        listed = {p.id: p for p in list_projects(found.client, COMPANY)}
        assert {i for i, p in listed.items() if p.needs_detail} == {erp["id"], other["id"]}
        found.server.clear_requests()
        states = {
            s.project.id: s.state
            for s in check_projects(found.client, found.session_list(), list(listed.values()))
        }
        assert sorted(detail_reads(found.server.requests)) == sorted(
            f"/rest/v1.0/projects/{p['id']}" for p in (erp, other)
        )
        assert states[erp["id"]] is ProjectState.OUT_OF_DATE
        assert states[other["id"]] is ProjectState.NOT_ERP_INTEGRATED
