"""costcode-sync and sub jobs (Sage Extras), end to end on the demo sandbox: Riverside Clinic
(23-104) is in sync, its E01 too, and its E02 lacks 18 and 18-100 with one description edited."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox import demo as d
from tests.sandbox_support import api_writes, run_cli, running

COMPANY = str(d.COMPANY_ID)
RIVERSIDE = str(d.RIVERSIDE_CLINIC)
E01, E02 = d.RIVERSIDE_EXTRA_IN_SYNC, d.RIVERSIDE_EXTRA_OUT_OF_DATE


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    # Procore's limits on a simulated clock: waits are jumped over, not slept.
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    return run_cli(server, COMPANY, *args)


def test_status_of_a_project_lists_its_sub_jobs_as_rows(server: SandboxServer) -> None:
    code, out, _ = run(server, "status", "--project", RIVERSIDE)
    assert code == 0
    lines = out.splitlines()
    e01 = next(line for line in lines if line.startswith("23-104 / E01"))
    e02 = next(line for line in lines if line.startswith("23-104 / E02"))
    assert "Parking Deck Extra" in e01
    assert "In sync" in e01
    assert "Owner Change Extras" in e02
    assert "3 differences" in e02
    assert "1 project, 0 out of date. 2 sub jobs, 1 out of date." in out


def test_status_json_carries_sub_jobs_with_their_biller(server: SandboxServer) -> None:
    code, out, _ = run(server, "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert len(report["projects"]) == 12  # sub jobs are not projects
    riverside = next(p for p in report["projects"] if p["id"] == d.RIVERSIDE_CLINIC)
    assert (riverside["biller_type"], riverside["biller_id"]) == ("Project", d.RIVERSIDE_CLINIC)
    jobs = {j["id"]: j for j in report["sub_jobs"]}
    assert set(jobs) == {E01, E02}
    assert jobs[E02]["biller_type"] == "SubJob"
    assert jobs[E02]["biller_id"] == E02
    assert jobs[E02]["project_id"] == d.RIVERSIDE_CLINIC
    assert jobs[E02]["label"] == "23-104 / E02 Owner Change Extras"
    assert jobs[E02]["state"] == "out_of_date"
    assert jobs[E02]["counts"]["missing"] == 2
    assert jobs[E01]["state"] == "in_sync"


def test_no_sub_jobs_leaves_them_out(server: SandboxServer) -> None:
    code, out, _ = run(server, "status", "--project", RIVERSIDE, "--no-sub-jobs", "--json")
    assert code == 0
    assert json.loads(out)["sub_jobs"] == []
    assert not any(r.path == "/rest/v1.0/sub_jobs" for r in server.requests)


def test_refresh_of_a_project_refreshes_its_sub_jobs(server: SandboxServer) -> None:
    code, out, _ = run(server, "refresh", "--project", RIVERSIDE)
    assert code == 0
    assert "23-104 / E02 Owner Change Extras: " in out
    assert "1 of 3 (1 project, 2 sub jobs) refreshed; 2 unchanged." in out
    code, out, _ = run(server, "status", "--project", RIVERSIDE, "--json")
    assert {j["state"] for j in json.loads(out)["sub_jobs"]} == {"in_sync"}


def test_refresh_of_one_sub_job_targets_it_alone(server: SandboxServer) -> None:
    code, out, _ = run(server, "refresh", "--project", RIVERSIDE, "--sub-job", str(E02), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["biller_type"] == "SubJob"
    assert result["sub_job"] == {"id": E02, "code": "E02", "name": "Owner Change Extras"}
    assert result["outcome"] == "refreshed"
    assert sorted(a["full_code"] for a in result["added"]) == ["18", "18-100"]
    # Copied without cost types: the checklist names the sub job and its project's Admin tool.
    assert result["codes_without_cost_type"] == ["18", "18-100"]
    todo = result["cost_types_todo"]
    assert todo["text"].startswith(
        "2 new codes in 23-104 / E02 Owner Change Extras have no cost type."
    )
    assert todo["open_in_procore"] == f"{server.url}/{d.RIVERSIDE_CLINIC}/project/admin"
    writes = api_writes(server)
    assert writes
    assert all(
        w.query.get("sub_job_id") == [str(E02)]
        or (isinstance(w.json_body, dict) and w.json_body.get("sub_job_id") == E02)
        for w in writes
    )


def test_a_sub_job_of_another_project_is_refused(server: SandboxServer) -> None:
    code, _, err = run(
        server, "status", "--project", str(d.MAPLE_STREET_LIBRARY), "--sub-job", str(E02)
    )
    assert code == 2
    assert f"sub job {E02} is not a sub job of project {d.MAPLE_STREET_LIBRARY}" in err
    code, _, err = run(server, "status", "--sub-job", str(E02))
    assert code == 2
    assert "--sub-job needs the --project" in err


def test_all_out_of_date_takes_an_out_of_date_sub_job_of_an_in_sync_project(
    server: SandboxServer,
) -> None:
    code, out, _ = run(server, "refresh", "--all-out-of-date", "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    jobs = [p for p in report["projects"] if p["biller_type"] == "SubJob"]
    assert [(j["sub_job"]["code"], j["state"]) for j in jobs] == [("E02", "would_change")]


def sub_job_lists_read(server: SandboxServer) -> int:
    return sum(1 for r in server.requests if r.path == "/rest/v1.0/sub_jobs")


def test_a_second_status_lists_no_sub_jobs_unless_asked_to(server: SandboxServer) -> None:
    """The sub job lists the first status read are kept (for a day): the next status asks
    for none, and --reread-sub-jobs asks for each again."""
    assert run(server, "status")[0] == 0
    first = sub_job_lists_read(server)
    assert first == 10  # one per compared project of the demo
    server.clear_requests()

    code, out, _ = run(server, "status")
    assert code == 0
    assert sub_job_lists_read(server) == 0
    assert "12 projects, 7 out of date" in out
    assert "2 sub jobs, 1 out of date." in out
    server.clear_requests()

    code, out, _ = run(server, "status", "--reread-sub-jobs")
    assert code == 0
    assert sub_job_lists_read(server) == first
    assert "2 sub jobs, 1 out of date." in out


def test_a_refresh_after_a_status_lists_no_sub_jobs(server: SandboxServer) -> None:
    assert run(server, "status")[0] == 0
    server.clear_requests()
    code, out, _ = run(server, "refresh", "--all-out-of-date", "--dry-run")
    assert code == 0
    assert "23-104 / E02 Owner Change Extras" in out
    assert sub_job_lists_read(server) == 0


def test_reread_sub_jobs_with_no_sub_jobs_is_a_mistake(server: SandboxServer) -> None:
    code, _, err = run(server, "status", "--reread-sub-jobs", "--no-sub-jobs")
    assert code == 2
    assert "--reread-sub-jobs and --no-sub-jobs cannot be given together" in err
    assert server.requests == []


def test_cached_status_shows_the_sub_jobs_last_known_state(server: SandboxServer) -> None:
    assert run(server, "status")[0] == 0
    server.clear_requests()

    code, out, err = run(server, "status", "--cached")
    assert code == 0, err
    assert server.requests == []
    e02 = next(line for line in out.splitlines() if line.startswith("23-104 / E02"))
    assert "Owner Change Extras" in e02
    assert "3 differences" in e02
    assert "2 sub jobs, 1 out of date." in out

    code, out, _ = run(server, "status", "--cached", "--json")
    assert code == 0
    jobs = {j["id"]: j for j in json.loads(out)["sub_jobs"]}
    assert set(jobs) == {E01, E02}
    assert jobs[E02]["state"] == "out_of_date"
    assert jobs[E02]["counts"]["missing"] == 2
    assert jobs[E02]["checked_at"]

    code, out, _ = run(server, "status", "--cached", "--no-sub-jobs", "--json")
    assert json.loads(out)["sub_jobs"] == []
