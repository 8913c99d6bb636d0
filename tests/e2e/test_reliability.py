"""300 projects x 1,000 codes refreshed at once through faults, 429s and an expiring token.

The run must complete, every project must end in one definite state, nothing may be duplicated
or deleted, what the run reports about each project must be what the sandbox holds, and the
history must list every project.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.costcodes import Comparison, compare
from costcode_desktop.procore import ProcoreClient, custom_environment
from costcode_desktop.procore.parse import parse_cost_code
from costcode_desktop.sandbox import FaultConfig, RateLimitConfig, SandboxServer
from costcode_desktop.sandbox.synthetic import company_seed, project_copy, standard_codes
from costcode_desktop.services import CompanyList, RefreshOutcome, read_company_list
from costcode_desktop.services.bulk import refresh_many
from costcode_desktop.services.convert import project_codes
from costcode_desktop.services.history.store import HistoryStore, RunStatus
from costcode_desktop.services.session import Session
from tests.sandbox_support import signed_in_client

PROJECTS = 300
CODES = 1000
COMPANY_ID = 4264807
LIST_ID = 11
FIRST_PROJECT = 562949953500000
TOKEN_LIFETIME = 5400

pytestmark = pytest.mark.slow


def bulk_seed(projects: int, codes: int) -> tuple[dict[str, Any], set[int]]:
    """One standard list; each project misses 1-5 codes and has 0-3 edited descriptions.

    Every 25th project (from the 8th) is one the user has no 'Admin' on. Returns the seed and
    those projects' ids.
    """
    rng = random.Random(7)
    standard = standard_codes(codes)
    leaves = [i for i, c in enumerate(standard) if "parent" in c]
    entries = []
    no_admin = set()
    for p in range(projects):
        missing = set(rng.sample(leaves, k=rng.randint(1, 5)))
        drifted = set(rng.sample(leaves, k=rng.randint(0, 3))) - missing
        cost_codes = project_copy(standard, missing=missing, drifted=drifted)
        project_id = FIRST_PROJECT + p
        if p % 25 == 7:
            no_admin.add(project_id)
        entries.append(
            {
                "id": project_id,
                "name": f"Project {p:03d}",
                "project_number": f"25-{p:03d}",
                "is_erp_integrated": True,
                "standard_cost_code_list_id": LIST_ID,
                "cost_codes": cost_codes,
            }
        )
    admin = [e["id"] for e in entries if e["id"] not in no_admin]
    seed = company_seed(
        company=(COMPANY_ID, "Bulk Builders"),
        list_id=LIST_ID,
        codes=standard,
        projects=entries,
        app=("bulk", "bulk-secret"),
        user={"id": 1, "login": "bulk@example.com", "name": "Bulk", "project_admin": admin},
    )
    return seed, no_admin


FAULTS = FaultConfig(
    error_rate=0.05,  # 500, 503, 503 with Retry-After
    drop_rate=0.01,  # processed, then the connection closes without an answer
    malformed_rate=0.02,  # 200 JSON cut in half
    burst_429_every=500,
    burst_429_length=1,
    seed=20240501,
)


class ExpireTokenMidRun(threading.Thread):
    """Moves the sandbox clock past the token's lifetime once the run is well under way."""

    def __init__(self, server: SandboxServer, after_requests: int) -> None:
        super().__init__(name="expire-token", daemon=True)
        self.server = server
        self.after = after_requests
        self.stop = threading.Event()
        self.expired = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            if len(self.server.requests) >= self.after:
                self.server.advance_clock(TOKEN_LIFETIME + 60)
                self.expired.set()
                return


def compared(company_list: CompanyList, raw_codes: list[dict[str, Any]]) -> Comparison:
    """The sandbox's codes of a project, compared as the application compares them."""
    codes = [parse_cost_code(item) for item in raw_codes]
    return compare(company_list.prepared, project_codes(codes))


@pytest.fixture
def server() -> Iterator[tuple[SandboxServer, set[int]]]:
    seed, no_admin = bulk_seed(PROJECTS, CODES)
    limits = RateLimitConfig(hourly=0, spike=0)  # quotas are the pacing tests' business
    with SandboxServer(seed, rate_limits=limits, token_lifetime=TOKEN_LIFETIME) as server:
        yield server, no_admin


def test_refresh_every_out_of_date_project_through_faults(
    server: tuple[SandboxServer, set[int]], tmp_path: Path
) -> None:
    sandbox, no_admin = server
    started = time.perf_counter()
    with signed_in_client(sandbox) as client:
        company_list, session, projects = _prepare(sandbox, client)
        assert len(projects) == PROJECTS
        before = {p.id: sandbox.project_cost_codes(p.id) for p in projects}
        assert all(len(codes) < CODES for codes in before.values()), "all out of date"

        sandbox.faults = FAULTS
        sandbox.clear_requests()
        expire = ExpireTokenMidRun(sandbox, after_requests=700)
        expire.start()
        with HistoryStore(tmp_path / "history.sqlite3") as history:
            run = refresh_many(session, company_list, projects, history=history, concurrency=3)
            expire.stop.set()
            expire.join()
            sandbox.faults = FaultConfig()
            runs = history.runs()
            details = history.run_details(runs[0].id)
        requests = sandbox.requests
    elapsed = time.perf_counter() - started

    assert expire.expired.is_set(), "the access token expired mid-run"
    assert any(r.status == 401 for r in requests), "and Procore said so"
    assert any(r.status == 429 for r in requests)
    assert any(r.status == 0 for r in requests), "connections were dropped"
    assert any(r.status in (500, 503) for r in requests)

    # Every project ends in exactly one definite state.
    assert not run.not_started
    assert not run.cancelled
    ids = [r.project.id for r in run.results]
    assert sorted(ids) == sorted(p.id for p in projects)
    assert len(set(ids)) == PROJECTS
    assert {r.project.id for r in run.skipped} == no_admin, "no Admin: skipped, not failed"
    for result in run.skipped:
        assert "You need 'Admin'" in result.message

    checked = 0
    for result in run.results:
        pid = result.project.id
        after_codes = sandbox.project_cost_codes(pid)
        counts = Counter(c["full_code"] for c in after_codes)
        assert max(counts.values()) == 1, f"duplicate codes on {pid}"
        assert {c["id"] for c in before[pid]} <= {c["id"] for c in after_codes}, "nothing deleted"
        held = compared(company_list, after_codes)
        if result.outcome is RefreshOutcome.REFRESHED:
            assert result.verified_in_sync
        if result.after is None:
            assert result.outcome is RefreshOutcome.FAILED, "only a failure may not know"
            continue
        assert result.after.in_sync == held.in_sync, f"the run's word on {pid} is what holds"
        assert result.after.differences == held.differences
        assert result.after.counts == held.counts
        checked += 1
    assert checked >= PROJECTS - 3
    assert len(run.refreshed) >= PROJECTS - len(no_admin) - 3, run.summary()

    # The history lists every project, once, with the outcome the run reported.
    assert len(runs) == 1
    assert runs[0].status is RunStatus.FINISHED
    assert sorted(e.project_id for e in details.projects) == sorted(ids)
    assert {e.project_id: e.outcome for e in details.projects} == {
        r.project.id: r.outcome for r in run.results
    }
    print(
        f"\n{PROJECTS} projects x {CODES} codes: {run.summary()} "
        f"{client.request_count} requests, {client.throttled_count} answered 429, "
        f"{elapsed:.1f} s in all"
    )


def _prepare(
    sandbox: SandboxServer, client: ProcoreClient
) -> tuple[CompanyList, Session, list[Any]]:
    user = client.me(company_id=COMPANY_ID)
    companies = client.companies(company_id=COMPANY_ID)
    environment = custom_environment(sandbox.url, sandbox.url, key="bulk", label="Bulk")
    session = Session(environment, client, user, companies[0], companies)
    company_list = read_company_list(client, COMPANY_ID)
    projects = client.projects(COMPANY_ID, status="Active")
    return company_list, session, projects
