"""The client's sub job calls (Sage Extras) against the demo sandbox: List Sub Jobs, and a sub
job's own cost code list read, copied into and synced through `sub_job_id`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from costcode_desktop.procore import ProcoreClient
from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from tests.sandbox_support import running, signed_in_client


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    # Its own demo, since a test here writes; no limits, as tests/procore/conftest.py says why.
    yield from running(SandboxServer(demo_seed(), rate_limits=RateLimitConfig(hourly=0, spike=0)))


@pytest.fixture
def client(server: SandboxServer) -> Iterator[ProcoreClient]:
    with signed_in_client(server, pacing=False) as procore:
        yield procore


def test_sub_jobs_lists_a_projects_extras_in_one_request(
    client: ProcoreClient, server: SandboxServer
) -> None:
    before = client.request_count
    jobs = client.sub_jobs(d.COMPANY_ID, d.RIVERSIDE_CLINIC)
    assert [(j.id, j.code, j.name) for j in jobs] == [
        (d.RIVERSIDE_EXTRA_IN_SYNC, "E01", "Parking Deck Extra"),
        (d.RIVERSIDE_EXTRA_OUT_OF_DATE, "E02", "Owner Change Extras"),
    ]
    assert all(j.erp_managed and j.project_id == d.RIVERSIDE_CLINIC for j in jobs)
    assert client.request_count - before <= 2  # one, plus the token on first use
    assert client.sub_jobs(d.COMPANY_ID, d.MAPLE_STREET_LIBRARY) == []


def test_a_sub_jobs_codes_carry_their_biller(client: ProcoreClient) -> None:
    project = client.cost_codes(d.COMPANY_ID, d.RIVERSIDE_CLINIC)
    extra = client.cost_codes(
        d.COMPANY_ID, d.RIVERSIDE_CLINIC, sub_job_id=d.RIVERSIDE_EXTRA_OUT_OF_DATE
    )
    assert {(c.biller_type, c.biller_id) for c in project} == {("Project", d.RIVERSIDE_CLINIC)}
    assert {(c.biller_type, c.biller_id) for c in extra} == {
        ("SubJob", d.RIVERSIDE_EXTRA_OUT_OF_DATE)
    }
    assert {c.full_code for c in project} - {c.full_code for c in extra} == {"18", "18-100"}


def test_copy_and_sync_reach_the_sub_job_only_without_erp_fields(
    client: ProcoreClient, server: SandboxServer
) -> None:
    std = {c.full_code: c for c in client.standard_cost_codes(d.COMPANY_ID, d.ERP_LIST_ID)}
    job = d.RIVERSIDE_EXTRA_OUT_OF_DATE
    copied = client.copy_subset_from_standard_list(
        d.COMPANY_ID,
        d.RIVERSIDE_CLINIC,
        d.ERP_LIST_ID,
        [std["18"].id, std["18-100"].id],
        sub_job_id=job,
    )
    assert copied.status == 201
    assert {c.biller_id for c in copied.created} == {job}
    codes = {
        c.full_code: c for c in client.cost_codes(d.COMPANY_ID, d.RIVERSIDE_CLINIC, sub_job_id=job)
    }
    synced = client.sync_cost_codes(
        d.COMPANY_ID, d.RIVERSIDE_CLINIC, [(codes["01-010"].id, std["01-010"].name)], sub_job_id=job
    )
    assert synced.errors == ()
    assert [c.name for c in synced.updated] == [std["01-010"].name]
    in_sync = client.cost_codes(
        d.COMPANY_ID, d.RIVERSIDE_CLINIC, sub_job_id=d.RIVERSIDE_EXTRA_IN_SYNC
    )
    assert "18" in {c.full_code for c in in_sync}  # the other sub job was left as it was

    writes = [r for r in server.requests if r.method in {"POST", "PATCH"}]
    copy, sync = writes[-2:]
    assert isinstance(copy.json_body, dict)
    assert copy.json_body["sub_job_id"] == job
    assert sync.query["sub_job_id"] == [str(job)]
    for request in (copy, sync):
        sent = json.dumps(request.json_body)
        assert "origin_id" not in sent
        assert "origin_data" not in sent
