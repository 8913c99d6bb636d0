"""Project cost code writes: copy_subset_from_standard_list, sync and PATCH of one code."""

from __future__ import annotations

from typing import Any

import httpx

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox import demo as d

from .conftest import Api, codes_by_full, std_by_full

COPY = "/rest/v1.0/cost_codes/copy_subset_from_standard_list"
SYNC = "/rest/v1.0/cost_codes/sync"


def copy_body(server: SandboxServer, project_id: int, *full_codes: str) -> dict[str, Any]:
    std = std_by_full(server)
    return {
        "project_id": project_id,
        "standard_cost_code_list_id": d.ERP_LIST_ID,
        "standard_cost_code_ids": [std[f]["id"] for f in full_codes],
    }


def test_cost_code_fields(api: Api) -> None:
    response = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC, per_page=2)
    top, child = response.json()
    assert top["parent"] is None
    assert child["parent"] == {"id": top["id"]}
    assert set(child) == {
        "id",
        "code",
        "full_code",
        "name",
        "parent",
        "position",
        "origin_id",
        "origin_data",
        "standard_cost_code_id",
        "budgeted",
        "biller",
        "biller_id",
        "biller_type",
        "created_at",
        "updated_at",
        "deleted_at",
        "line_item_types",
        "sortable_code",
    }
    assert child["biller_type"] == "Project"
    assert child["sortable_code"] == child["full_code"]
    assert child["id"] > 2**32
    single = api.get(f"/rest/v1.0/cost_codes/{child['id']}", project_id=d.RIVERSIDE_CLINIC)
    assert single.json() == child


def test_copy_new_division_with_its_parent_201(api: Api, server: SandboxServer) -> None:
    body = copy_body(server, d.WESTGATE_OFFICE_PARK, "18-100", "18")  # child first on purpose
    response = api.post(COPY, body)
    assert response.status_code == 201
    result = response.json()
    assert result["failures"] == []
    created = {c["full_code"]: c for c in result["successes"]}
    assert set(created) == {"18", "18-100"}
    assert created["18-100"]["parent"] == {"id": created["18"]["id"]}
    assert created["18-100"]["code"] == "100"
    assert created["18-100"]["origin_id"] is None  # never copied from the standard code
    std = std_by_full(server)
    assert created["18-100"]["standard_cost_code_id"] == std["18-100"]["id"]
    assert set(codes_by_full(server, d.WESTGATE_OFFICE_PARK)) == set(std)


def test_copy_with_existing_ancestor_is_207(api: Api, server: SandboxServer) -> None:
    body = copy_body(server, d.HARBORVIEW_APARTMENTS, "01", "01-016", "03", "03-360")
    response = api.post(COPY, body)
    assert response.status_code == 207
    result = response.json()
    assert [c["full_code"] for c in result["successes"]] == ["01-016", "03-360"]
    # Post207Response: the failures are the project's codes that duplicate the standard ones,
    # cost code objects like the successes.
    codes = codes_by_full(server, d.HARBORVIEW_APARTMENTS)
    failures = {f["full_code"]: f for f in result["failures"]}
    assert set(failures) == {"01", "03"}
    assert failures["01"] == codes["01"]
    assert set(failures["01"]) == set(result["successes"][0])
    assert codes["01-016"]["parent"] == {"id": codes["01"]["id"]}
    again = api.post(COPY, body)
    assert again.status_code == 207
    assert again.json()["successes"] == []


def test_copy_requires_ancestors(api: Api, server: SandboxServer) -> None:
    response = api.post(COPY, copy_body(server, d.HARBORVIEW_APARTMENTS, "01-016"))
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields", "reason", "error"}
    assert body["fields"] == "standard_cost_code_ids"
    assert "01-016" in body["message"]
    assert "01-016" not in codes_by_full(server, d.HARBORVIEW_APARTMENTS)


def test_copy_refusals(api: Api, server: SandboxServer) -> None:
    wrong_list = copy_body(server, d.BAYSIDE_MARINA, "01")
    assert api.post(COPY, wrong_list).status_code == 422
    unknown = copy_body(server, d.HARBORVIEW_APARTMENTS, "01")
    unknown["standard_cost_code_ids"].append(12345)
    assert api.post(COPY, unknown).status_code == 422
    hidden = copy_body(server, d.EXECUTIVE_RESIDENCE, "18", "18-100")
    assert api.post(COPY, hidden).status_code == 404
    not_admin = copy_body(server, d.SUMMIT_RIDGE_DATA_CENTER, "18", "18-100")
    assert api.post(COPY, not_admin).status_code == 403
    assert api.post(COPY, {"standard_cost_code_ids": []}).status_code == 400
    malformed = api.http.post(
        COPY,
        content=b"{not json",
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert "Malformed JSON" in malformed.json()["message"]


def test_copy_picks_up_code_added_in_sage(api: Api, server: SandboxServer) -> None:
    new_id = server.add_standard_code(d.ERP_LIST_ID, "03-370", "Mass Concrete", "03")
    std = std_by_full(server)
    body = {
        "project_id": d.RIVERSIDE_CLINIC,
        "standard_cost_code_list_id": d.ERP_LIST_ID,
        "standard_cost_code_ids": [std["03"]["id"], new_id],
    }
    response = api.post(COPY, body)
    assert response.status_code == 207
    assert response.json()["successes"][0]["full_code"] == "03-370"


# --- sync --------------------------------------------------------------------------------------


def test_sync_updates_names_and_reports_item_errors(api: Api, server: SandboxServer) -> None:
    codes = codes_by_full(server, d.OAKMONT_WATER_PLANT)
    updates = [
        {"id": codes["01-010"]["id"], "name": "Project Manager"},
        {"id": codes["02-200"]["id"], "name": "Site Preparation"},  # locked by the ERP
        {"id": 42, "name": "Nope"},
        {"id": codes["01-011"]["id"], "name": "  "},
        {"id": codes["01-012"]["id"], "name": "Superintendent", "origin_id": "x"},
    ]
    response = api.patch(SYNC, {"updates": updates}, project_id=d.OAKMONT_WATER_PLANT)
    assert response.status_code == 200
    body = response.json()
    assert [e["id"] for e in body["entities"]] == [codes["01-010"]["id"]]
    assert body["entities"][0]["name"] == "Project Manager"
    errors = {e["id"]: e["errors"] for e in body["errors"]}
    assert errors[codes["02-200"]["id"]] == {
        "base": ["Cannot be updated: record is managed by an ERP integration"]
    }
    assert errors[42] == {"id": ["Entity with this ID not found"]}
    # using_sync_actions.md: each error item holds the attributes the caller sent.
    assert {"id": 42, "name": "Nope", "errors": errors[42]} in body["errors"]
    assert errors[codes["01-011"]["id"]] == {"name": ["can't be blank"]}
    assert errors[codes["01-012"]["id"]] == {"origin_id": ["is managed by the ERP integration"]}
    after = codes_by_full(server, d.OAKMONT_WATER_PLANT)
    assert after["01-010"]["name"] == "Project Manager"
    assert after["02-200"]["name"] == "Site Prep - Phase 1"
    assert after["01-012"]["origin_id"] is None


def test_sync_creates_codes_without_id(api: Api, server: SandboxServer) -> None:
    parent = codes_by_full(server, d.RIVERSIDE_CLINIC)["01"]
    updates = [
        {"code": "950", "name": "Owner Allowance", "parent_id": parent["id"]},
        {"code": "", "name": "Blank"},
    ]
    body = api.patch(SYNC, {"updates": updates}, project_id=d.RIVERSIDE_CLINIC).json()
    assert body["entities"][0]["full_code"] == "01-950"
    assert body["entities"][0]["standard_cost_code_id"] is None
    assert body["errors"][0]["errors"] == {"code": ["can't be blank"]}


def test_sync_limits_and_permissions(api: Api, server: SandboxServer) -> None:
    code_id = server.project_cost_codes(d.RIVERSIDE_CLINIC)[0]["id"]
    too_many = [{"id": code_id, "name": "x"}] * 1001
    response = api.patch(SYNC, {"updates": too_many}, project_id=d.RIVERSIDE_CLINIC)
    assert response.status_code == 413
    assert "at most 1000" in response.json()["message"]
    ok = api.patch(SYNC, {"updates": too_many[:1000]}, project_id=d.RIVERSIDE_CLINIC)
    assert ok.status_code == 200
    summit = server.project_cost_codes(d.SUMMIT_RIDGE_DATA_CENTER)[0]["id"]
    denied = api.patch(
        SYNC, {"updates": [{"id": summit, "name": "x"}]}, project_id=d.SUMMIT_RIDGE_DATA_CENTER
    )
    assert denied.status_code == 403
    hidden = api.patch(SYNC, {"updates": []}, project_id=d.EXECUTIVE_RESIDENCE)
    assert hidden.status_code == 404
    other_project = api.patch(
        SYNC, {"updates": [{"id": summit, "name": "x"}]}, project_id=d.RIVERSIDE_CLINIC
    )
    assert other_project.json()["errors"][0]["errors"] == {"id": ["Entity with this ID not found"]}


# --- PATCH one ---------------------------------------------------------------------------------


def test_patch_single_code(api: Api, server: SandboxServer) -> None:
    """Body98: project_id in the body; CostCode1: `code` and `name` required."""
    codes = codes_by_full(server, d.LINCOLN_ELEMENTARY)
    path = f"/rest/v1.0/cost_codes/{codes['01-010']['id']}"
    lincoln = d.LINCOLN_ELEMENTARY

    def body(project: int = lincoln, **attrs: object) -> dict[str, object]:
        return {"project_id": project, "cost_code": {"code": "010", **attrs}}

    response = api.patch(path, body(name="Project Manager", parent_id=codes["01"]["id"]))
    assert response.status_code == 200
    assert response.json()["name"] == "Project Manager"
    assert codes_by_full(server, lincoln)["01-010"]["name"] == "Project Manager"

    oakmont = codes_by_full(server, d.OAKMONT_WATER_PLANT)
    locked = api.patch(
        f"/rest/v1.0/cost_codes/{oakmont['02-200']['id']}",
        {"project_id": d.OAKMONT_WATER_PLANT, "cost_code": {"code": "200", "name": "Site"}},
    )
    assert locked.status_code == 422
    assert "managed by an ERP integration" in locked.json()["message"]
    assert api.patch(path, body(name="")).status_code == 422
    no_code = api.patch(path, {"project_id": lincoln, "cost_code": {"name": "x"}})
    assert no_code.status_code == 400
    assert no_code.json()["fields"] == "code"
    in_query = api.patch(path, {"cost_code": {"code": "010", "name": "x"}}, project_id=lincoln)
    assert in_query.status_code == 400, "project_id belongs in the body"
    assert api.patch(path, {"project_id": lincoln, "name": "x"}).status_code == 400
    assert api.patch("/rest/v1.0/cost_codes/1", body(name="x")).status_code == 404
    wrong_project = api.patch(path, body(d.RIVERSIDE_CLINIC, name="x"))
    assert wrong_project.status_code == 404
    moved = api.patch(path, body(name="x", parent_id=oakmont["02"]["id"]))
    assert moved.status_code == 422
    summit = server.project_cost_codes(d.SUMMIT_RIDGE_DATA_CENTER)[0]
    denied = api.patch(
        f"/rest/v1.0/cost_codes/{summit['id']}",
        {"project_id": d.SUMMIT_RIDGE_DATA_CENTER, "cost_code": {"code": "01", "name": "x"}},
    )
    assert denied.status_code == 403


def test_set_project_code_name_simulates_a_user_edit(server: SandboxServer) -> None:
    server.set_project_code_name(d.RIVERSIDE_CLINIC, "01-010", "PM - edited")
    assert codes_by_full(server, d.RIVERSIDE_CLINIC)["01-010"]["name"] == "PM - edited"


def test_cost_types_of_codes_and_the_companys_list(api: Api, server: SandboxServer) -> None:
    """Codes carry their cost types; copied codes arrive with none (Procore's tutorials have
    them assigned on the project afterwards); List Line Item Types gives the company's."""
    types = api.get("/rest/v1.0/line_item_types", company_id=d.COMPANY_ID).json()
    assert [(t["code"], t["name"], t["base_type"]) for t in types] == [
        ("L", "Labor", "labor"),
        ("M", "Material", "materials"),
        ("S", "Subcontract", "commitment"),
        ("E", "Equipment", "equipment"),
        ("O", "Other", "other"),
    ]
    assert set(types[0]) == {"id", "name", "code", "base_type", "origin_id", "origin_data"}
    by_project = api.get("/rest/v1.0/line_item_types", project_id=d.RIVERSIDE_CLINIC).json()
    assert by_project == types
    assert api.get("/rest/v1.0/line_item_types").status_code == 400

    std = std_by_full(server)
    assert [t["code"] for t in std["01-010"]["line_item_types"]] == ["L"]
    seeded = codes_by_full(server, d.LINCOLN_ELEMENTARY)["01-010"]
    assert [t["code"] for t in seeded["line_item_types"]] == ["L"]
    response = api.post(COPY, copy_body(server, d.LINCOLN_ELEMENTARY, "01", "01-016"))
    assert response.status_code == 207  # "01" is there already
    copied = codes_by_full(server, d.LINCOLN_ELEMENTARY)["01-016"]
    assert copied["line_item_types"] == []
    assert std["01-016"]["line_item_types"] != []


def test_the_project_admin_page_shows_codes_and_their_cost_types(server: SandboxServer) -> None:
    page = httpx.get(f"{server.url}/{d.RIVERSIDE_CLINIC}/project/admin")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<td>03-300</td><td>Footings</td><td>M</td>" in page.text
    assert httpx.get(f"{server.url}/1/project/admin").status_code == 404
