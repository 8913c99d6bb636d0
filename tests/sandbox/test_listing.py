"""Pagination headers, page-size caps, project filters and standard cost code views."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox import demo as d

from .conftest import UNLIMITED, Api

LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.headers["Link"])}


def test_pages_follow_link_next_to_the_end(api: Api, server: SandboxServer) -> None:
    url: str | None = (
        f"{server.url}/rest/v1.0/cost_codes?project_id={d.RIVERSIDE_CLINIC}&per_page=100"
    )
    seen: list[int] = []
    pages = 0
    while url:
        response = api.http.get(url, headers=api.headers())
        assert response.status_code == 200
        assert response.headers["Total"] == "305"
        assert response.headers["Per-Page"] == "100"
        rels = links(response)
        # pagination.md: page 1 has next and last, page 2 first too, later pages prev too;
        # the last page has no next.
        assert "last" in rels
        assert ("first" in rels) == (pages > 0)
        assert ("prev" in rels) == (pages > 1)
        assert ("next" in rels) == (pages < 3)
        seen += [c["id"] for c in response.json()]
        url = rels.get("next")
        pages += 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 305
    assert seen == [c["id"] for c in server.project_cost_codes(d.RIVERSIDE_CLINIC)]


def test_links_are_absolute_and_keep_the_query(api: Api, server: SandboxServer) -> None:
    response = api.get(
        "/rest/v1.0/standard_cost_codes",
        company_id=d.COMPANY_ID,
        standard_cost_code_list_id=d.ERP_LIST_ID,
        view="extended",
        page=3,
        per_page=50,
    )
    rels = links(response)
    assert set(rels) == {"first", "prev", "next", "last"}
    nxt = urlsplit(rels["next"])
    assert f"{nxt.scheme}://{nxt.netloc}" == server.url
    query = parse_qs(nxt.query)
    assert query["page"] == ["4"]
    assert query["per_page"] == ["50"]
    assert query["view"] == ["extended"]
    assert query["standard_cost_code_list_id"] == [str(d.ERP_LIST_ID)]
    assert parse_qs(urlsplit(rels["last"]).query)["page"] == ["7"]  # 305 codes / 50
    assert parse_qs(urlsplit(rels["prev"]).query)["page"] == ["2"]


def test_last_page_has_no_next_and_beyond_is_empty(api: Api) -> None:
    last = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC, page=4, per_page=100)
    assert len(last.json()) == 5
    assert "next" not in links(last)
    beyond = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC, page=9, per_page=100)
    assert beyond.json() == []


def test_page_size_caps(api: Api) -> None:
    v11 = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, per_page=5000)
    assert v11.headers["Per-Page"] == "300"
    v10 = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC, per_page=5000)
    assert v10.headers["Per-Page"] == "2000"
    assert len(v10.json()) == 305
    default = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC)
    assert default.headers["Per-Page"] == "100"
    assert len(default.json()) == 100
    bad_page = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC, page="x")
    assert bad_page.status_code == 400


def test_project_filters(api: Api) -> None:
    def names(**params: object) -> list[str]:
        response = api.get("/rest/v1.0/projects", company_id=d.COMPANY_ID, **params)
        assert response.status_code == 200
        return [p["name"] for p in response.json()]

    assert names(**{"filters[name]": "CLINIC"}) == ["Riverside Clinic"]
    assert names(**{"filters[project_number]": "24-033"}) == ["St. Mary's Hospital Parking Garage"]
    assert names(**{"filters[by_status]": "Inactive"}) == ["Pinecrest Senior Living"]
    assert "Pinecrest Senior Living" not in names()
    assert "Pinecrest Senior Living" in names(**{"filters[by_status]": "All"})
    ids = [d.RIVERSIDE_CLINIC, d.BAYSIDE_MARINA, d.EXECUTIVE_RESIDENCE]
    assert names(**{"filters[id][]": ids}) == ["Riverside Clinic", "Bayside Marina Boardwalk"]
    response = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, per_page=1)
    project = response.json()[0]
    assert set(project) >= {
        "id",
        "name",
        "display_name",
        "project_number",
        "active",
        "project_stage",
        "origin_id",
        "company",
        "created_at",
        "updated_at",
    }
    assert project["company"] == {"id": d.COMPANY_ID, "name": "Example Builders"}
    assert set(project["project_stage"]) == {"id", "name"}  # an object in v1.1, not text
    assert "stage" in api.get("/rest/v1.0/projects", company_id=d.COMPANY_ID).json()[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", project["updated_at"])
    assert response.headers["Total"] == "11"


def test_standard_code_views(api: Api, server: SandboxServer) -> None:
    params = {"company_id": d.COMPANY_ID, "standard_cost_code_list_id": d.ERP_LIST_ID}
    plain = api.get("/rest/v1.0/standard_cost_codes", per_page=3, **params).json()
    assert plain[0] == {"id": plain[0]["id"], "standard_cost_code_list_id": d.ERP_LIST_ID}
    extended = api.get("/rest/v1.0/standard_cost_codes", view="extended", per_page=3, **params)
    assert set(extended.json()[1]) == {
        "id",
        "standard_cost_code_list_id",
        "parent_id",
        "code",
        "full_code",
        "name",
        "origin_id",
        "origin_data",
        "line_item_types",  # the sandbox's company defaults (docs/procore-api.md, Cost types)
    }
    assert extended.json()[1]["parent_id"] == extended.json()[0]["id"]
    active = api.get(
        "/rest/v1.0/standard_cost_codes", only_active_cost_codes="true", per_page=3, **params
    )
    assert active.status_code == 200
    origin = server.standard_codes(d.ERP_LIST_ID)[5]["origin_id"]
    filtered = api.get(
        "/rest/v1.0/standard_cost_codes",
        view="extended",
        **{"filters[origin_id]": origin},
        **params,
    )
    assert [c["origin_id"] for c in filtered.json()] == [origin]


def test_standard_codes_keep_insertion_order(api: Api, server: SandboxServer) -> None:
    new_id = server.add_standard_code(d.ERP_LIST_ID, "01-017", "Quality Control Manager", "01")
    codes = api.get(
        "/rest/v1.0/standard_cost_codes",
        company_id=d.COMPANY_ID,
        standard_cost_code_list_id=d.ERP_LIST_ID,
        view="extended",
        per_page=2000,
    ).json()
    assert codes[-1]["id"] == new_id
    assert codes[-1]["code"] == "017"
    assert codes[-1]["origin_id"]  # hh2 stamps the records it creates
    full_codes = [c["full_code"] for c in codes]
    assert full_codes != sorted(full_codes)


def test_standard_codes_errors(api: Api) -> None:
    missing = api.get("/rest/v1.0/standard_cost_codes", company_id=d.COMPANY_ID)
    assert missing.status_code == 400
    other = api.get(
        "/rest/v1.0/standard_cost_codes",
        company_id=d.COMPANY_ID,
        standard_cost_code_list_id=d.SERVICE_LIST_ID,
    )
    assert other.status_code == 404


def test_v11_views_normal_and_extended(api: Api) -> None:
    """Only the extended view carries the project's list; v1.1 gives the stage as an object."""

    def listed(**params: object) -> list[dict[str, object]]:
        response = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, **params)
        assert response.status_code == 200
        result: list[dict[str, object]] = response.json()
        return result

    normal = listed()
    assert normal == listed(view="normal"), "normal is the default"
    assert all("standard_cost_code_list_id" not in p for p in normal)
    assert all("stage" not in p and "is_erp_integrated" not in p for p in normal)
    extended = {p["id"]: p for p in listed(view="extended", **{"filters[by_status]": "All"})}
    assert extended[d.RIVERSIDE_CLINIC]["standard_cost_code_list_id"] == d.ERP_LIST_ID
    assert extended[d.BAYSIDE_MARINA]["standard_cost_code_list_id"] == d.DEFAULT_LIST_ID
    assert set(extended[d.RIVERSIDE_CLINIC]) > set(normal[0]), "extended adds to normal"
    stage = extended[d.RIVERSIDE_CLINIC]["project_stage"]
    assert isinstance(stage, dict)
    assert set(stage) == {"id", "name"}
    assert extended[d.RIVERSIDE_CLINIC]["departments"] == []
    assert "is_erp_integrated" not in extended[d.RIVERSIDE_CLINIC], "only Show project has it"
    compact = listed(view="compact")
    assert set(compact[0]) == {"id", "name"}
    bad = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, view="everything")
    assert bad.status_code == 400


def test_filters_synced_keeps_the_erp_integrated_projects(api: Api, server: SandboxServer) -> None:
    params = {"filters[by_status]": "All", "view": "compact"}
    every = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, **params).json()
    synced = api.get(
        "/rest/v1.1/projects", company_id=d.COMPANY_ID, **params, **{"filters[synced]": "true"}
    ).json()
    assert {p["id"] for p in synced} < {p["id"] for p in every}
    assert d.DOWNTOWN_TRANSIT_CENTER not in {p["id"] for p in synced}  # not ERP-integrated
    for project in synced:
        detail = api.get(f"/rest/v1.0/projects/{project['id']}", company_id=d.COMPANY_ID).json()
        assert detail["is_erp_integrated"] is True
        assert detail["origin_id"], "the connector's origin_id marks a synced project"


def test_v11_pages_hold_at_most_300_projects_in_every_view() -> None:
    from costcode_desktop.sandbox.synthetic import mixed_company_seed

    with SandboxServer(mixed_company_seed(305, 12), rate_limits=UNLIMITED) as server:
        api = Api(server, server.issue_token())
        try:
            for view in ("normal", "extended", "compact"):
                response = api.get(
                    "/rest/v1.1/projects",
                    company_id=4264807,
                    view=view,
                    per_page=1000,
                    **{"filters[by_status]": "All"},
                )
                assert response.headers["Per-Page"] == "300"
                assert len(response.json()) == 300
                assert 'rel="next"' in response.headers["Link"]
        finally:
            api.close()
