"""The WBS endpoints with Procore's paths and fields, and the deprecated list call refused."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest

from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from tests.sandbox_support import read_banner

from .conftest import Api

SEGMENTS = f"/rest/v1.0/companies/{d.COMPANY_ID}/work_breakdown_structure/segments"
# RestV10CompaniesCompanyIdWorkBreakdownStructureSegmentsGet200ResponseInner
SEGMENT_FIELDS = {
    "id", "type", "name", "position", "segment_items_count", "required", "delimiter",
    "project_can_modify_origin_project", "project_can_delete_origin_company", "structure",
    "created_at", "updated_at", "wbs_pattern_id",
}  # fmt: skip
# RestV10CompaniesCompanyIdWorkBreakdownStructureSegmentsSegmentIdListsGet200ResponseInner
LIST_FIELDS = {
    "id",
    "name",
    "segment_items_count",
    "erp_integrated",
    "available_to_use_on_new_projects",
}


def segment_ids(api: Api) -> dict[str, int]:
    return {s["type"]: s["id"] for s in api.get(SEGMENTS).json()}


def test_segments_are_procores_default_pattern(api: Api) -> None:
    response = api.get(SEGMENTS)
    assert response.status_code == 200
    assert "Link" not in response.headers, "not paginated"
    segments = response.json()
    assert all(set(s) == SEGMENT_FIELDS for s in segments)
    assert [(s["position"], s["type"], s["name"]) for s in segments] == [
        (0, "sub_job", "Sub Job"),
        (1, "cost_code", "Cost Code"),
        (2, "line_item_type", "Cost Type"),
    ]
    cost_code = segments[1]
    assert cost_code["structure"] == "tiered"
    assert cost_code["required"] is True
    assert cost_code["segment_items_count"] == sum(
        len(api.server.standard_codes(i)) for i in (d.ERP_LIST_ID, d.DEFAULT_LIST_ID)
    )


def test_the_cost_code_segments_lists_are_the_standard_lists(api: Api) -> None:
    lists = api.get(f"{SEGMENTS}/{segment_ids(api)['cost_code']}/lists").json()
    assert all(set(item) == LIST_FIELDS for item in lists)
    legacy = api.get("/rest/v1.0/standard_cost_code_lists", company_id=d.COMPANY_ID).json()
    # Same ids (REF: "For cost_code segments, this is the Standard Cost Code List ID");
    # erp_integrated where the deprecated call says is_erp_list.
    assert [(i["id"], i["name"], i["erp_integrated"]) for i in lists] == [
        (i["id"], i["name"], i["is_erp_list"]) for i in legacy
    ]
    erp = next(item for item in lists if item["erp_integrated"])
    assert erp["segment_items_count"] == len(api.server.standard_codes(d.ERP_LIST_ID))


def test_other_segments_lists(api: Api) -> None:
    ids = segment_ids(api)
    cost_types = api.get(f"{SEGMENTS}/{ids['line_item_type']}/lists").json()
    assert [(i["id"], i["erp_integrated"]) for i in cost_types] == [(1, False), (2, True)]
    assert api.get(f"{SEGMENTS}/{ids['sub_job']}/lists").json() == []


def test_wbs_paths_keep_to_the_header_company(api: Api) -> None:
    other = f"/rest/v1.0/companies/{d.SERVICE_COMPANY_ID}/work_breakdown_structure/segments"
    assert api.get(other).status_code == 403
    assert api.get(f"{SEGMENTS}/999/lists").status_code == 404
    api.company = d.SERVICE_COMPANY_ID
    service_segments = api.get(other).json()
    assert api.get(f"{other}/{service_segments[1]['id']}/lists").status_code == 200
    foreign = api.get(f"{other}/{segment_ids_of(api, d.COMPANY_ID)}/lists")
    assert foreign.status_code == 404


def segment_ids_of(api: Api, company: int) -> int:
    saved, api.company = api.company, company
    try:
        return segment_ids(api)["cost_code"]
    finally:
        api.company = saved


def test_the_deprecated_call_can_be_refused(api: Api, server: SandboxServer) -> None:
    assert server.refuse_deprecated is False
    server.refuse_deprecated = True
    refused = api.get("/rest/v1.0/standard_cost_code_lists", company_id=d.COMPANY_ID)
    assert refused.status_code == 403
    body = refused.json()
    assert set(body) == {"code", "message", "fields", "reason", "error"}
    assert "deprecated" in body["message"]
    assert "WBS Segment Item Lists" in body["message"]
    assert api.get(SEGMENTS).status_code == 200
    server.refuse_deprecated = False
    assert api.get("/rest/v1.0/standard_cost_code_lists", company_id=d.COMPANY_ID).is_success


def test_the_command_line_option_refuses_the_deprecated_call() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "costcode_desktop.sandbox", "--refuse-deprecated"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        text = read_banner(proc)
        assert "deprecated endpoints: refused (403)" in text
        url = text.split("running at ", 1)[1].split()[0]
        grant = {
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        }
        token = httpx.post(f"{url}/oauth/token", data=grant).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(d.COMPANY_ID)}
        legacy = httpx.get(
            f"{url}/rest/v1.0/standard_cost_code_lists",
            params={"company_id": d.COMPANY_ID},
            headers=headers,
        )
        assert legacy.status_code == 403
        assert httpx.get(f"{url}{SEGMENTS}", headers=headers).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)


@pytest.mark.parametrize("refuse", [False, True])
def test_the_constructor_flag(refuse: bool) -> None:
    with SandboxServer(demo_seed(), refuse_deprecated=refuse) as server:
        assert server.refuse_deprecated is refuse
