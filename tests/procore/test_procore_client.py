"""Resource methods: URLs, parameters, bodies, batching, and never writing origin fields."""

from __future__ import annotations

import httpx
import pytest

from costcode_desktop.procore import (
    CopyFailure,
    PayloadTooLarge,
    Project,
    StandardCostCodeList,
    SyncError,
    User,
)

from .helpers import Harness, body_of, reply

BIG = 562949953421312


def code(ident: int, name: str = "Name", **extra: object) -> dict[str, object]:
    return {"id": ident, "code": "100", "full_code": f"01-{ident}", "name": name, **extra}


def test_me() -> None:
    h = Harness(steps=[reply({"id": BIG, "login": "pat@example.test", "name": "Pat"})])
    assert h.client.me() == User(BIG, "pat@example.test", "Pat")
    assert h.requests[0].url.path == "/rest/v1.0/me"


def test_companies() -> None:
    h = Harness(steps=[reply([{"id": BIG, "name": "Acme", "is_active": True, "logo_url": None}])])
    (company,) = h.client.companies()
    assert (company.id, company.name, company.is_active) == (BIG, "Acme", True)
    assert h.requests[0].url.path == "/rest/v1.0/companies"


def test_projects_parameters() -> None:
    h = Harness(
        lambda request: reply([{"id": BIG, "name": "Tower", "project_number": "7", "active": True}])
    )
    projects = h.client.projects(42)
    assert projects == [Project(BIG, "Tower", "7", True)]
    request = h.requests[0]
    assert request.url.path == "/rest/v1.1/projects"
    assert dict(request.url.params) == {
        "company_id": "42",
        "filters[by_status]": "All",
        "page": "1",
        "per_page": "300",
        "view": "extended",  # the view that carries standard_cost_code_list_id
    }
    h.client.projects(42, status="Active", name="Tow")
    params = h.requests[1].url.params
    assert params["filters[by_status]"] == "Active"
    assert params["filters[name]"] == "Tow"


def test_erp_synced_project_ids() -> None:
    h = Harness(lambda request: reply([{"id": BIG, "name": "Tower"}, {"id": 7, "name": "Yard"}]))
    assert h.client.erp_synced_project_ids(42, ids=[BIG, 7]) == frozenset({BIG, 7})
    params = h.requests[0].url.params
    assert h.requests[0].url.path == "/rest/v1.1/projects"
    assert params["filters[synced]"] == "true"
    assert params["view"] == "compact"  # ids are all it needs
    assert params["filters[by_status]"] == "All"
    assert params.get_list("filters[id][]") == [str(BIG), "7"]
    refused = Harness(lambda request: reply({"errors": "filters[synced] is not allowed"}, 400))
    assert refused.client.erp_synced_project_ids(42) is None, "the caller reads each project"


def test_a_listed_project_says_what_it_knows() -> None:
    extended = {"id": BIG, "name": "Tower", "standard_cost_code_list_id": None, "origin_id": "x"}
    normal = {"id": BIG, "name": "Tower"}
    h = Harness(steps=[reply([extended]), reply([normal])])
    (listed,) = h.client.projects(42)
    assert listed.list_known, "null is an answer: no list"
    assert listed.standard_cost_code_list_id is None
    assert listed.has_origin_id is True
    assert listed.is_erp_integrated is None
    assert listed.needs_detail, "the ERP flag is still unknown"
    (bare,) = h.client.projects(42, view="normal")
    assert not bare.list_known
    assert bare.has_origin_id is None


def test_project_detail() -> None:
    data = {
        "id": 11,
        "name": "Tower",
        "display_name": "7 - Tower",
        "project_number": "7",
        "active": True,
        "standard_cost_code_list_id": BIG,
        "is_erp_integrated": True,
        "origin_id": "JOB-7",
    }
    h = Harness(steps=[reply(data)])
    project = h.client.project(42, 11)
    assert project.standard_cost_code_list_id == BIG
    assert project.is_erp_integrated is True
    assert project.display_name == "7 - Tower"
    assert h.requests[0].url.path == "/rest/v1.0/projects/11"


def test_standard_lists_and_codes() -> None:
    lists = [{"id": 3, "name": "Sage 300 CRE Standard Cost Code List", "is_erp_list": True}]
    codes = [
        {
            "id": BIG,
            "standard_cost_code_list_id": 3,
            "parent_id": None,
            "code": "01",
            "full_code": "01",
            "name": "General",
            "origin_id": "S1",
            "origin_data": "x",
        }
    ]
    h = Harness(steps=[reply(lists), reply(codes)])
    assert h.client.standard_cost_code_lists(42) == [
        StandardCostCodeList(3, "Sage 300 CRE Standard Cost Code List", True)
    ]
    (standard,) = h.client.standard_cost_codes(42, 3)
    assert standard.id == BIG
    assert standard.erp_managed
    assert standard.parent_id is None
    lists_request, codes_request = h.requests
    assert lists_request.url.path == "/rest/v1.0/standard_cost_code_lists"
    assert lists_request.url.params["company_id"] == "42"
    assert codes_request.url.path == "/rest/v1.0/standard_cost_codes"
    assert dict(codes_request.url.params) == {
        "company_id": "42",
        "standard_cost_code_list_id": "3",
        "view": "extended",
        "page": "1",
        "per_page": "1000",
    }
    assert codes_request.headers["procore-company-id"] == "42"


def test_cost_codes_parameters() -> None:
    h = Harness(steps=[reply([code(BIG, parent={"id": 1})])])
    (cost_code,) = h.client.cost_codes(42, 11)
    assert cost_code.id == BIG
    assert cost_code.parent_id == 1
    assert dict(h.requests[0].url.params) == {"project_id": "11", "page": "1", "per_page": "1000"}


def test_copy_subset_body_and_results() -> None:
    # Post207Response: failures are cost codes (the project's duplicates), like successes.
    failures = [code(BIG + 6, standard_cost_code_id=6, biller_type="Project")]
    h = Harness(
        steps=[
            reply({"successes": [code(100)], "failures": []}, 201),
            reply({"successes": [code(101)], "failures": failures}, 207),
        ]
    )
    result = h.client.copy_subset_from_standard_list(42, 11, 3, [BIG, 5, 5, 6])
    assert result.status == 201
    assert [c.id for c in result.created] == [100]
    assert body_of(h.requests[0]) == {
        "project_id": 11,
        "standard_cost_code_list_id": 3,
        "standard_cost_code_ids": [BIG, 5, 6],
    }
    assert h.requests[0].method == "POST"
    assert h.requests[0].url.path == "/rest/v1.0/cost_codes/copy_subset_from_standard_list"
    partial = h.client.copy_subset_from_standard_list(42, 11, 3, [6])
    assert partial.status == 207
    assert partial.failures == (
        CopyFailure(
            6, f"01-{BIG + 6}", "Not copied: the project already has a cost code with this code."
        ),
    )


def test_copy_with_nothing_to_copy_sends_nothing() -> None:
    h = Harness()
    result = h.client.copy_subset_from_standard_list(42, 11, 3, [])
    assert (result.created, result.failures, result.status) == ((), (), 0)
    assert h.requests == []


def test_sync_splits_2500_updates_into_1000_1000_500_and_merges() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        updates = body_of(request)["updates"]
        entities = [code(u["id"], u["name"]) for u in updates[1:]]
        errors = [{"id": updates[0]["id"], "errors": {"name": ["locked by ERP"]}}]
        batch = len(h.requests)
        return reply(
            {"entities": entities, "errors": errors}, headers={"X-Request-Id": f"r{batch}"}
        )

    h = Harness(handler)
    updates = [(BIG + i, f"Name {i}") for i in range(2500)]
    result = h.client.sync_cost_codes(42, 11, updates)
    sizes = [len(body_of(r)["updates"]) for r in h.requests]
    assert sizes == [1000, 1000, 500]
    sent = [(u["id"], u["name"]) for r in h.requests for u in body_of(r)["updates"]]
    assert sent == updates
    for request in h.requests:
        assert request.method == "PATCH"
        assert request.url.path == "/rest/v1.0/cost_codes/sync"
        assert request.url.params["project_id"] == "11"
        assert request.headers["procore-company-id"] == "42"
    assert len(result.updated) == 2497
    assert result.errors == (
        SyncError(BIG, "name: locked by ERP"),
        SyncError(BIG + 1000, "name: locked by ERP"),
        SyncError(BIG + 2000, "name: locked by ERP"),
    )
    assert result.request_ids == ("r1", "r2", "r3")


@pytest.mark.parametrize(("count", "sizes"), [(1000, [1000]), (1001, [1000, 1])])
def test_sync_never_sends_more_than_1000_items_per_call(count: int, sizes: list[int]) -> None:
    """using_sync_actions.md: "a maximum of 1000 resources within a collection ... with each
    call"; what Procore answers above that is not documented, so it is never tried."""
    h = Harness(lambda request: reply({"entities": [], "errors": []}))
    h.client.sync_cost_codes(42, 11, [(i, "n") for i in range(count)])
    assert [len(body_of(r)["updates"]) for r in h.requests] == sizes


def test_sync_of_nothing_sends_nothing() -> None:
    h = Harness()
    result = h.client.sync_cost_codes(42, 11, [])
    assert result.updated == ()
    assert result.errors == ()
    assert h.requests == []


def test_sync_payload_too_large_is_raised() -> None:
    h = Harness(steps=[reply({"errors": "Too many updates"}, 413)])
    with pytest.raises(PayloadTooLarge):
        h.client.sync_cost_codes(42, 11, [(1, "x")])


def test_update_cost_code() -> None:
    """Body98: project_id in the body (no query); CostCode1: `code` and `name` required."""
    h = Harness(steps=[reply(code(BIG, "New name")), reply({"cost_code": code(BIG, "Wrapped")})])
    updated = h.client.update_cost_code(42, 11, BIG, "New name", code="100", parent_id=7)
    assert updated.name == "New name"
    request = h.requests[0]
    assert request.method == "PATCH"
    assert request.url.path == f"/rest/v1.0/cost_codes/{BIG}"
    assert not request.url.query
    assert request.headers["procore-company-id"] == "42"
    assert body_of(request) == {
        "project_id": 11,
        "cost_code": {"code": "100", "name": "New name", "parent_id": 7},
    }
    root = h.client.update_cost_code(42, 11, BIG, "Wrapped", code="01", parent_id=None)
    assert root.name == "Wrapped"
    assert body_of(h.requests[1]) == {
        "project_id": 11,
        "cost_code": {"code": "01", "name": "Wrapped"},
    }


def test_bodies_never_carry_origin_fields() -> None:
    """Whatever Procore sends back, the ERP connector's fields are never written."""
    echo = code(1, origin_id="SAGE-1", origin_data={"a": 1})
    h = Harness(
        lambda request: reply(
            {"successes": [echo], "failures": [], "entities": [echo], "errors": []}
            if request.url.path.endswith(("copy_subset_from_standard_list", "sync"))
            else echo,
            201 if request.method == "POST" else 200,
        )
    )
    h.client.copy_subset_from_standard_list(42, 11, 3, [1, 2])
    h.client.sync_cost_codes(42, 11, [(i, f"n{i}") for i in range(1500)])
    h.client.update_cost_code(42, 11, 1, "n", code="100", parent_id=2)
    assert len(h.requests) == 4
    for request in h.requests:
        content = request.content.decode()
        assert content
        assert "origin_id" not in content
        assert "origin_data" not in content
        assert "origin" not in str(request.url)
