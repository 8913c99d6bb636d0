"""Sub jobs (Sage Extras): List Sub Jobs, and each sub job's own cost code list through the cost
code endpoints with `sub_job_id` (SDK CoreCostCodesSubJobs*Api.md)."""

from __future__ import annotations

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox import demo as d

from .conftest import Api, std_by_full

COPY = "/rest/v1.0/cost_codes/copy_subset_from_standard_list"
SYNC = "/rest/v1.0/cost_codes/sync"


def test_list_sub_jobs_gives_the_sdk_fields(api: Api) -> None:
    response = api.get("/rest/v1.0/sub_jobs", project_id=d.RIVERSIDE_CLINIC, per_page=1)
    assert response.status_code == 200
    assert response.headers["Total"] == "2"
    (first,) = response.json()
    assert set(first) == {
        "id",
        "code",
        "name",
        "origin_id",
        "origin_data",
        "created_at",
        "updated_at",
    }
    assert (first["id"], first["code"], first["name"]) == (
        d.RIVERSIDE_EXTRA_IN_SYNC,
        "E01",
        "Parking Deck Extra",
    )
    page_two = api.get("/rest/v1.0/sub_jobs", project_id=d.RIVERSIDE_CLINIC, per_page=1, page=2)
    assert [job["code"] for job in page_two.json()] == ["E02"]


def test_a_project_without_sub_jobs_lists_none_and_an_unseen_project_is_404(api: Api) -> None:
    assert api.get("/rest/v1.0/sub_jobs", project_id=d.MAPLE_STREET_LIBRARY).json() == []
    assert api.get("/rest/v1.0/sub_jobs", project_id=d.EXECUTIVE_RESIDENCE).status_code == 404
    assert api.get("/rest/v1.0/sub_jobs").status_code == 400


def test_a_sub_jobs_codes_are_its_own_and_name_it_as_biller(api: Api) -> None:
    project = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC, per_page=2000).json()
    extra = api.get(
        "/rest/v1.0/cost_codes",
        project_id=d.RIVERSIDE_CLINIC,
        sub_job_id=d.RIVERSIDE_EXTRA_OUT_OF_DATE,
        per_page=2000,
    ).json()
    assert {c["biller_type"] for c in project} == {"Project"}
    assert {(c["biller_type"], c["biller_id"], c["biller"]) for c in extra} == {
        ("SubJob", d.RIVERSIDE_EXTRA_OUT_OF_DATE, "Owner Change Extras")
    }
    assert not {c["id"] for c in project} & {c["id"] for c in extra}
    assert "18" in {c["full_code"] for c in project}
    assert "18" not in {c["full_code"] for c in extra}


def test_another_projects_sub_job_is_not_found(api: Api) -> None:
    response = api.get(
        "/rest/v1.0/cost_codes",
        project_id=d.MAPLE_STREET_LIBRARY,
        sub_job_id=d.RIVERSIDE_EXTRA_IN_SYNC,
    )
    assert response.status_code == 404


def test_copy_and_sync_with_sub_job_id_write_to_that_sub_job_only(
    api: Api, server: SandboxServer
) -> None:
    std = std_by_full(server)
    body = {
        "project_id": d.RIVERSIDE_CLINIC,
        "sub_job_id": d.RIVERSIDE_EXTRA_OUT_OF_DATE,
        "standard_cost_code_list_id": d.ERP_LIST_ID,
        "standard_cost_code_ids": [std["18"]["id"], std["18-100"]["id"]],
    }
    copied = api.post(COPY, body)
    assert copied.status_code == 201
    assert {c["biller_id"] for c in copied.json()["successes"]} == {d.RIVERSIDE_EXTRA_OUT_OF_DATE}
    extra = {
        c["full_code"]: c
        for c in server.project_cost_codes(d.RIVERSIDE_CLINIC, d.RIVERSIDE_EXTRA_OUT_OF_DATE)
    }
    assert extra["18-100"]["parent"] == {"id": extra["18"]["id"]}
    assert len(server.project_cost_codes(d.RIVERSIDE_CLINIC, d.RIVERSIDE_EXTRA_IN_SYNC)) == len(
        server.project_cost_codes(d.RIVERSIDE_CLINIC)
    )

    renamed = extra["01-010"]
    synced = api.patch(
        SYNC,
        {"updates": [{"id": renamed["id"], "name": std["01-010"]["name"]}]},
        project_id=d.RIVERSIDE_CLINIC,
        sub_job_id=d.RIVERSIDE_EXTRA_OUT_OF_DATE,
    )
    assert synced.status_code == 200
    assert synced.json()["errors"] == []
    # The same id under the project's own list is another biller's code: not found there.
    refused = api.patch(
        SYNC,
        {"updates": [{"id": renamed["id"], "name": "x"}]},
        project_id=d.RIVERSIDE_CLINIC,
    )
    assert refused.json()["errors"][0]["errors"] == {"id": ["Entity with this ID not found"]}
