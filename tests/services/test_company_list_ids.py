"""The company list through WBS whether or not a segment item list's id is the
standard_cost_code_list_id projects and the codes call use (the SDK and REF say it is; no Procore
page does), and what a company load costs in requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from costcode_desktop.procore import (
    Company,
    ProcoreClient,
    Project,
    RetryPolicy,
    StaticToken,
    User,
    custom_environment,
)
from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from costcode_desktop.sandbox.store import SEGMENT_ID_START
from costcode_desktop.services import (
    CompanyListUnavailable,
    Session,
    load_company,
    open_sandbox_session,
    read_company_list,
)
from costcode_desktop.services.text import without_isolates
from tests.sandbox_support import signed_in_client

API = "https://api.example.test"
COMPANY = 7
SEGMENTS = f"/rest/v1.0/companies/{COMPANY}/work_breakdown_structure/segments"
NAME = "Sage 300 CRE Standard Cost Code List"
CODES = [
    {
        "id": 10_000_000_001,
        "standard_cost_code_list_id": 11,
        "parent_id": None,
        "code": "01",
        "full_code": "01",
        "name": "General Requirements",
        "origin_id": "S-01",
        "origin_data": None,
    }
]


@dataclass
class FakeProcore:
    """Answers as the spec shapes them; `wbs_id` is what the WBS lists call the list, 11 what
    the deprecated call and the codes call know it by."""

    wbs_id: int = 11
    unknown_id_answer: str = "404"  # what the codes call says to an id it does not know
    legacy_refused: bool = False
    paths: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, params = request.url.path, request.url.params
        self.paths.append(path)
        if path == SEGMENTS:
            return httpx.Response(200, json=[{"id": 5, "type": "cost_code", "name": "Cost Code"}])
        if path == f"{SEGMENTS}/5/lists":
            item = {"id": self.wbs_id, "name": NAME, "segment_items_count": 1}
            return httpx.Response(200, json=[{**item, "erp_integrated": True}])
        if path == "/rest/v1.0/standard_cost_code_lists":
            if self.legacy_refused:
                return httpx.Response(403, json={"code": 403, "message": "Deprecated"})
            return httpx.Response(200, json=[{"id": 11, "name": NAME, "is_erp_list": True}])
        if path == "/rest/v1.0/standard_cost_codes":
            if params["standard_cost_code_list_id"] == "11":
                return httpx.Response(200, json=CODES)
            if self.unknown_id_answer == "empty":
                return httpx.Response(200, json=[])
            return httpx.Response(404, json={"code": 404, "message": "List not found"})
        if path == "/rest/v1.1/projects":
            return httpx.Response(200, json=[{"id": 1, "name": "Tower", "active": True}])
        raise AssertionError(f"unexpected {path}")


def client_for(fake: FakeProcore) -> ProcoreClient:
    return ProcoreClient(
        API,
        StaticToken("t"),
        transport=httpx.MockTransport(fake),
        retry=RetryPolicy(max_attempts=1),
    )


def project(list_id: int | None) -> Project:
    return Project(1, "Tower", "1", True, standard_cost_code_list_id=list_id)


def test_equal_ids_cost_nothing_more() -> None:
    fake = FakeProcore()
    company_list = read_company_list(client_for(fake), COMPANY, projects=[project(11)])
    assert (company_list.list.id, company_list.list.from_wbs) == (11, True)
    assert [c.full_code for c in company_list.codes] == ["01"]
    assert fake.paths == [SEGMENTS, f"{SEGMENTS}/5/lists", "/rest/v1.0/standard_cost_codes"]


@pytest.mark.parametrize("unknown_id_answer", ["404", "empty"])
def test_a_wbs_id_the_codes_call_does_not_know_is_found_by_name(unknown_id_answer: str) -> None:
    fake = FakeProcore(wbs_id=900, unknown_id_answer=unknown_id_answer)
    company_list = read_company_list(client_for(fake), COMPANY)
    assert company_list.list.id == 11, "the id projects and the copy call know"
    assert [c.full_code for c in company_list.codes] == ["01"]
    assert fake.paths[2:] == [
        "/rest/v1.0/standard_cost_codes",
        "/rest/v1.0/standard_cost_code_lists",
        "/rest/v1.0/standard_cost_codes",
    ]


def test_projects_that_do_not_use_the_wbs_id_have_it_looked_up_before_the_codes() -> None:
    fake = FakeProcore(wbs_id=900)
    company_list = read_company_list(client_for(fake), COMPANY, projects=[project(11)])
    assert company_list.list.id == 11
    assert fake.paths[2:] == [
        "/rest/v1.0/standard_cost_code_lists",
        "/rest/v1.0/standard_cost_codes",
    ]


def test_when_neither_call_gives_the_codes_the_message_says_so() -> None:
    fake = FakeProcore(wbs_id=900, legacy_refused=True)
    with pytest.raises(CompanyListUnavailable) as caught:
        read_company_list(client_for(fake), COMPANY)
    assert f"Procore lists '{NAME}' as the company's ERP cost code list" in without_isolates(
        str(caught.value)
    )
    assert "HTTP 404" in str(caught.value)


def session_for(fake: FakeProcore) -> Session:
    client = client_for(fake)
    company = Company(COMPANY, "Acme")
    environment = custom_environment(API, API)
    return Session(environment, client, User(1, "a", "A"), company, [company])


def test_a_company_load_costs_two_requests_more_than_before() -> None:
    """Before: lists, codes, projects (3). Now: projects (extended view), projects synced (their
    ERP flag), segments, lists, codes (5); the projects' own reads are what the list saves."""
    fake = FakeProcore()
    load = load_company(session_for(fake), history=None)
    assert load.company_list.list.id == 11
    assert fake.paths == [
        "/rest/v1.1/projects",
        "/rest/v1.1/projects",
        SEGMENTS,
        f"{SEGMENTS}/5/lists",
        "/rest/v1.0/standard_cost_codes",
    ]


def test_the_demo_company_loads_through_wbs_in_five_requests() -> None:
    with SandboxServer(demo_seed()) as server:
        session = open_sandbox_session(server, company_id=d.COMPANY_ID)
        try:
            server.clear_requests()
            load = load_company(session, history=None)
        finally:
            session.close()
    assert load.company_list.list.id == d.ERP_LIST_ID
    assert len(load.company_list.codes) == 305
    rest: list[Any] = [r for r in server.requests if r.path.startswith("/rest/")]
    segments = f"/rest/v1.0/companies/{d.COMPANY_ID}/work_breakdown_structure/segments"
    assert [r.path for r in rest] == [
        "/rest/v1.1/projects",  # extended view: each project's list
        "/rest/v1.1/projects",  # filtered on synced: their ERP link
        segments,
        f"{segments}/{SEGMENT_ID_START}/lists",  # the first company's cost code segment
        "/rest/v1.0/standard_cost_codes",
    ]
    assert all(r.status == 200 for r in rest)


class WithoutWbs(httpx.BaseTransport):
    """A Procore whose WBS endpoints answer 404 (an older or restricted one)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/work_breakdown_structure/" in request.url.path:
            return httpx.Response(404, json={"code": 404, "message": "Not Found"})
        return self.inner.handle_request(request)


def test_without_wbs_the_deprecated_call_costs_the_same_four_requests() -> None:
    with SandboxServer(demo_seed()) as server:
        with signed_in_client(server, transport=WithoutWbs()) as client:
            client.me(company_id=d.COMPANY_ID)  # the token, fetched outside the count
            server.clear_requests()
            sent = client.request_count
            projects = client.projects(d.COMPANY_ID, status="All")
            company_list = read_company_list(client, d.COMPANY_ID, projects=projects)
            assert client.request_count - sent == 4  # projects, segments (404), lists, codes
        assert company_list.list.id == d.ERP_LIST_ID
        assert not company_list.list.from_wbs
        assert len(company_list.codes) == 305
        assert [r.path for r in server.requests if r.path.startswith("/rest/")] == [
            "/rest/v1.1/projects",
            "/rest/v1.0/standard_cost_code_lists",
            "/rest/v1.0/standard_cost_codes",
        ]
