"""The demo seed holds every state the application has to show, checked through the API."""

from __future__ import annotations

import json
import re

from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from costcode_desktop.sandbox.seed import parse_seed

from .conftest import Api, codes_by_full, std_by_full

NEW = [full for full, _name, _parent in d.NEW_IN_SAGE]
SUPPORTED = re.compile(r"^[^\s:_,]+$")


def test_demo_seed_is_deterministic_and_valid() -> None:
    assert json.dumps(demo_seed()) == json.dumps(demo_seed())
    seed = parse_seed(demo_seed())
    assert seed.app.client_id == "demo-client"
    assert seed.app.client_secret == "demo-secret"
    assert seed.users[0].login == "ap@example.com"
    assert seed.users[0].password == "demo"


def test_erp_list_has_csv_codes_new_codes_and_one_unsupported(api: Api) -> None:
    lists = api.get("/rest/v1.0/standard_cost_code_lists", company_id=d.COMPANY_ID).json()
    assert {(x["id"], x["name"], x["is_erp_list"]) for x in lists} == {
        (11, "Sage 300 CRE Standard Cost Code List", True),
        (12, "Procore Default List", False),
    }
    codes = api.get(
        "/rest/v1.0/standard_cost_codes",
        company_id=d.COMPANY_ID,
        standard_cost_code_list_id=d.ERP_LIST_ID,
        view="extended",
        per_page=1000,
    ).json()
    assert len(codes) == 300 + 1 + len(NEW)
    by_full = {c["full_code"]: c for c in codes}
    assert by_full["01-016"]["name"] == "Safety Manager"
    assert by_full["18-100"]["parent_id"] == by_full["18"]["id"]
    unsupported = [c for c in codes if not SUPPORTED.match(c["full_code"])]
    assert [c["full_code"] for c in unsupported] == ["02 410"]
    assert unsupported[0]["code"] == "410"
    assert all(c["id"] > 2**32 for c in codes)
    assert all(c["origin_id"] for c in codes)  # the ERP owns the company list


def _missing(server: SandboxServer, project_id: int) -> set[str]:
    return set(std_by_full(server)) - set(codes_by_full(server, project_id))


def _drift(server: SandboxServer, project_id: int) -> dict[str, str]:
    std = std_by_full(server)
    return {
        full: code["name"]
        for full, code in codes_by_full(server, project_id).items()
        if full in std and code["name"] != std[full]["name"]
    }


def test_project_states(server: SandboxServer) -> None:
    assert _missing(server, d.RIVERSIDE_CLINIC) == set()
    assert _drift(server, d.RIVERSIDE_CLINIC) == {}
    assert _missing(server, d.MAPLE_STREET_LIBRARY) == set()
    assert _missing(server, d.HARBORVIEW_APARTMENTS) == {*NEW, "02 410"}
    assert _missing(server, d.WESTGATE_OFFICE_PARK) == {"18", "18-100"}
    assert _missing(server, d.LINCOLN_ELEMENTARY) == {"01-016", "03-360"}
    assert _drift(server, d.LINCOLN_ELEMENTARY)["01-010"] == "Project Manager - J. Smith"
    assert _missing(server, d.ST_MARYS_GARAGE) == set()
    assert len(_drift(server, d.ST_MARYS_GARAGE)) == 4
    assert _missing(server, d.PINECREST_SENIOR_LIVING) == set(NEW)
    assert _missing(server, d.SUMMIT_RIDGE_DATA_CENTER) == set(NEW)

    cedar = codes_by_full(server, d.CEDAR_RIDGE_FIRE_STATION)
    own = {full for full, code in cedar.items() if code["standard_cost_code_id"] is None}
    assert own == {"01-900", "01-910", "17-900"}
    assert cedar["01-900"]["parent"] == {"id": cedar["01"]["id"]}

    oakmont = codes_by_full(server, d.OAKMONT_WATER_PLANT)
    locked = {full for full, code in oakmont.items() if code["origin_id"]}
    assert locked == {"02-200", "02-300", "03-210", "15-400", "16-100"}
    drift = _drift(server, d.OAKMONT_WATER_PLANT)
    assert {"02-200", "02-300", "03-210"} <= set(drift)
    assert "01-010" in drift
    assert not oakmont["01-010"]["origin_id"]


def test_project_flags_via_api(api: Api) -> None:
    def detail(project_id: int) -> dict[str, object]:
        response = api.get(f"/rest/v1.0/projects/{project_id}", company_id=d.COMPANY_ID)
        assert response.status_code == 200
        result: dict[str, object] = response.json()
        return result

    assert detail(d.RIVERSIDE_CLINIC)["is_erp_integrated"] is True
    assert detail(d.DOWNTOWN_TRANSIT_CENTER)["is_erp_integrated"] is False
    assert detail(d.BAYSIDE_MARINA)["standard_cost_code_list_id"] == d.DEFAULT_LIST_ID
    assert detail(d.PINECREST_SENIOR_LIVING)["active"] is False

    active = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID).json()
    every = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, **{"filters[by_status]": "All"})
    ids = {p["id"] for p in every.json()}
    assert d.PINECREST_SENIOR_LIVING in ids
    assert d.PINECREST_SENIOR_LIVING not in {p["id"] for p in active}
    assert d.EXECUTIVE_RESIDENCE not in ids
    assert len(ids) == 12


def test_invisible_project_is_404_and_not_admin_is_403(api: Api, server: SandboxServer) -> None:
    assert (
        api.get(f"/rest/v1.0/projects/{d.EXECUTIVE_RESIDENCE}", company_id=d.COMPANY_ID).status_code
        == 404
    )
    assert api.get("/rest/v1.0/cost_codes", project_id=d.EXECUTIVE_RESIDENCE).status_code == 404

    std = std_by_full(server)
    body = {
        "project_id": d.SUMMIT_RIDGE_DATA_CENTER,
        "standard_cost_code_list_id": d.ERP_LIST_ID,
        "standard_cost_code_ids": [std["01"]["id"], std["01-016"]["id"]],
    }
    response = api.post("/rest/v1.0/cost_codes/copy_subset_from_standard_list", body)
    assert response.status_code == 403
    assert "Admin" in response.json()["message"]
    # Reading is allowed without Admin.
    assert (
        api.get("/rest/v1.0/cost_codes", project_id=d.SUMMIT_RIDGE_DATA_CENTER).status_code == 200
    )


def test_second_user_sees_the_hidden_project(server: SandboxServer) -> None:
    api = Api(server, server.issue_token(user_id=d.PM_USER_ID))
    try:
        response = api.get(f"/rest/v1.0/projects/{d.EXECUTIVE_RESIDENCE}", company_id=d.COMPANY_ID)
        assert response.status_code == 200
        assert api.get("/rest/v1.0/me").json()["name"] == "J. Smith"
    finally:
        api.close()
