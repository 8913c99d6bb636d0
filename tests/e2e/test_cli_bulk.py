"""costcode-sync refresh of many projects: --all-out-of-date, --concurrency, exit codes, history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from costcode_desktop.sandbox import FaultConfig, SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.demo import (
    BAYSIDE_MARINA,
    CEDAR_RIDGE_FIRE_STATION,
    DOWNTOWN_TRANSIT_CENTER,
    HARBORVIEW_APARTMENTS,
    LINCOLN_ELEMENTARY,
    OAKMONT_WATER_PLANT,
    PINECREST_SENIOR_LIVING,
    ST_MARYS_GARAGE,
    SUMMIT_RIDGE_DATA_CENTER,
    WESTGATE_OFFICE_PARK,
)
from costcode_desktop.sandbox.synthetic import mixed_company_seed
from costcode_desktop.services.history.store import HistoryStore
from tests.sandbox_support import api_writes, run_cli, running

COMPANY = "4264807"
ACTIVE_OUT_OF_DATE = {
    HARBORVIEW_APARTMENTS,
    WESTGATE_OFFICE_PARK,
    LINCOLN_ELEMENTARY,
    ST_MARYS_GARAGE,
    CEDAR_RIDGE_FIRE_STATION,
    OAKMONT_WATER_PLANT,
    SUMMIT_RIDGE_DATA_CENTER,
}


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    # Procore's limits (25 requests per 10 s) on a simulated clock: the client's waits are
    # jumped over, so a run of the demo's projects does not sleep through them.
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    # These count projects; the demo's sub jobs have their own tests (test_cli_sub_jobs.py).
    return run_cli(server, COMPANY, *args, "--no-sub-jobs")


def by_id(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {p["project"]["id"]: p for p in report["projects"]}


def history_runs() -> list[Any]:
    with HistoryStore() as history:  # the default path, as the desktop app uses
        return [history.run_details(r.id) for r in history.runs()]


def test_all_out_of_date_refreshes_active_projects_and_records_them(
    server: SandboxServer,
) -> None:
    code, out, err = run(server, "refresh", "--all-out-of-date", "--json")

    assert code == 0, err
    assert err == "", "--json keeps stderr quiet"
    report = json.loads(out)
    projects = by_id(report)
    assert set(projects) == ACTIVE_OUT_OF_DATE, "inactive ones only when named"
    assert projects[SUMMIT_RIDGE_DATA_CENTER]["state"] == "refused"
    assert projects[SUMMIT_RIDGE_DATA_CENTER]["outcome"] == "refused"
    assert "You need 'Admin'" in projects[SUMMIT_RIDGE_DATA_CENTER]["message"]
    refreshed = [p for pid, p in projects.items() if pid != SUMMIT_RIDGE_DATA_CENTER]
    assert {p["state"] for p in refreshed} == {"refreshed"}
    assert all(p["verified_in_sync"] for p in refreshed)
    assert report["counts"] == {
        "refreshed": 6, "would_change": 0, "unchanged": 0, "skipped": 1, "failed": 0,
        "not_started": 0,
    }  # fmt: skip
    assert report["summary"].startswith("6 of 7 projects refreshed, 1 skipped.")
    assert report["concurrency"] == 3
    assert report["rate_limited_answers"] == 0

    runs = history_runs()
    assert len(runs) == 1
    assert not runs[0].run.dry_run
    assert {e.project_id for e in runs[0].projects} == ACTIVE_OUT_OF_DATE

    again, out, _ = run(server, "refresh", "--all-out-of-date", "--json")
    assert again == 0, "only the project without Admin is left: every other one is in sync"
    assert set(by_id(json.loads(out))) == {SUMMIT_RIDGE_DATA_CENTER}


def test_an_inactive_project_is_refreshed_when_named(server: SandboxServer) -> None:
    code, out, _ = run(
        server,
        "refresh",
        "--all-out-of-date",
        "--project",
        str(PINECREST_SENIOR_LIVING),
        "--concurrency",
        "5",
        "--json",
    )
    assert code == 0
    projects = by_id(json.loads(out))
    assert set(projects) == ACTIVE_OUT_OF_DATE | {PINECREST_SENIOR_LIVING}
    assert projects[PINECREST_SENIOR_LIVING]["outcome"] == "refreshed"


def test_text_output_reports_progress_on_stderr_and_the_result_on_stdout(
    server: SandboxServer,
) -> None:
    code, out, err = run(server, "refresh", "--all-out-of-date", "--concurrency", "2")
    assert code == 0
    assert "Checking 11 active projects" in err
    assert "7 of 11 active projects are out of date." in err
    assert "[3/7] " in err
    assert "adding" in err
    lines = out.strip().splitlines()
    assert lines[-1].startswith("6 of 7 projects refreshed, 1 skipped.")
    assert sum(line.startswith("refreshed ") for line in lines) == 6
    assert sum(line.startswith("skipped ") for line in lines) == 1


def test_dry_run_sends_nothing_and_is_recorded_as_a_dry_run(server: SandboxServer) -> None:
    server.clear_requests()
    code, out, _ = run(server, "refresh", "--all-out-of-date", "--dry-run", "--json")
    assert code == 0
    assert api_writes(server) == []
    report = json.loads(out)
    assert report["dry_run"] is True
    projects = by_id(report)
    assert projects[LINCOLN_ELEMENTARY]["would_add"] == ["01-016", "03-360"]
    assert report["summary"].endswith("Nothing was sent.")
    runs = history_runs()
    assert len(runs) == 1
    assert runs[0].run.dry_run
    assert len(runs[0].projects) == 7


def test_some_failed_exits_1(server: SandboxServer) -> None:
    server.faults = FaultConfig(error_rate=1.0, paths="copy_subset")  # every copy fails
    code, out, _ = run(
        server,
        "refresh",
        "--project", str(ST_MARYS_GARAGE),  # descriptions only: no copy needed
        "--project", str(WESTGATE_OFFICE_PARK),  # needs a copy
        "--json",
    )  # fmt: skip
    assert code == 1
    projects = by_id(json.loads(out))
    assert projects[ST_MARYS_GARAGE]["state"] == "refreshed"
    assert projects[WESTGATE_OFFICE_PARK]["state"] == "failed"
    assert projects[WESTGATE_OFFICE_PARK]["failed"], "the codes that were not added are named"


def test_nothing_done_exits_2(server: SandboxServer) -> None:
    server.faults = FaultConfig(error_rate=1.0, paths="copy_subset")
    code, out, _ = run(
        server,
        "refresh",
        "--project", str(WESTGATE_OFFICE_PARK),
        "--project", str(HARBORVIEW_APARTMENTS),
        "--json",
    )  # fmt: skip
    assert code == 2, "every project failed and nothing changed"
    assert {p["state"] for p in by_id(json.loads(out)).values()} == {"failed"}


def test_all_refused_exits_2(server: SandboxServer) -> None:
    code, out, _ = run(
        server,
        "refresh",
        "--project", str(DOWNTOWN_TRANSIT_CENTER),
        "--project", str(BAYSIDE_MARINA),
    )  # fmt: skip
    assert code == 2
    assert "2 skipped" in out.strip().splitlines()[-1]


@pytest.mark.parametrize("value", ["0", "11", "-2"])
def test_concurrency_out_of_range_is_refused_before_signing_in(
    server: SandboxServer, value: str
) -> None:
    server.clear_requests()
    code, out, err = run(server, "refresh", "--all-out-of-date", "--concurrency", value)
    assert code == 2
    assert out == ""
    assert err.strip() == (
        f"costcode-sync: error: --concurrency must be a whole number from 1 to 10, not {value}"
    )
    assert server.requests == [], "nothing sent"


def test_refresh_without_projects_says_what_to_give(server: SandboxServer) -> None:
    code, _, err = run(server, "refresh")
    assert code == 2
    assert "refresh needs --project ID (repeatable) or --all-out-of-date" in err


def test_nothing_out_of_date_is_success() -> None:
    seed = demo_seed()
    company = seed["companies"][0]
    company["projects"] = [p for p in company["projects"] if p["id"] != SUMMIT_RIDGE_DATA_CENTER]
    for user in seed["users"]:
        for key in ("projects", "project_admin"):
            if isinstance(user.get(key), list):
                user[key] = [i for i in user[key] if i != SUMMIT_RIDGE_DATA_CENTER]
    for server in running(SandboxServer(seed, simulated=SimulatedTime())):
        assert run(server, "refresh", "--all-out-of-date", "--json")[0] == 0
        code, out, err = run(server, "refresh", "--all-out-of-date")
        assert code == 0
        assert out == "No active project is out of date; nothing to do.\n"
        assert "0 of 10 active projects are out of date." in err


def test_the_dry_run_exits_as_the_run_would_and_reports_refusals(server: SandboxServer) -> None:
    """Without Admin on Summit Ridge: the dry run asks, so it says 'skipped', not 'would change',
    and exits 2 like the real run (every project refused, nothing done)."""
    named = ("--project", str(SUMMIT_RIDGE_DATA_CENTER))
    dry, out, _ = run(server, "refresh", *named, "--dry-run")
    assert "would change" not in out
    assert "You need 'Admin'" in out
    assert "Nothing would be sent (dry run)." in out
    real, _, _ = run(server, "refresh", *named)
    assert dry == real == 2

    code, out, _ = run(server, "refresh", "--all-out-of-date", "--dry-run", "--json")
    projects = by_id(json.loads(out))
    assert projects[SUMMIT_RIDGE_DATA_CENTER]["state"] == "refused"
    assert projects[SUMMIT_RIDGE_DATA_CENTER]["outcome"] == "refused"
    assert projects[SUMMIT_RIDGE_DATA_CENTER]["would_add"] == []
    assert {p["state"] for k, p in projects.items() if k != SUMMIT_RIDGE_DATA_CENTER} == {
        "would_change"
    }
    assert code == run(server, "refresh", "--all-out-of-date", "--json")[0] == 0


def test_the_estimate_is_printed_before_the_run(server: SandboxServer) -> None:
    code, _, err = run(server, "refresh", "--all-out-of-date")
    assert code == 0
    lines = err.splitlines()
    up_front = next(i for i, line in enumerate(lines) if line.startswith("About "))
    first_project = next(i for i, line in enumerate(lines) if line.startswith("[1/7] "))
    assert up_front < first_project, "said before the first project starts"
    assert "within Procore's limit of 600 an hour" in lines[up_front]


def test_a_run_longer_than_the_hour_says_so_and_counts_down() -> None:
    """300 projects: the status and the refresh need more than Procore's 600 an hour."""
    for server in running(SandboxServer(mixed_company_seed(300, 12), simulated=SimulatedTime())):
        code, _, err = run(server, "refresh", "--all-out-of-date")
        assert code == 0, err
        assert "Checking 270 active projects. About " in err
        up_front = next(line for line in err.splitlines() if line.startswith("About "))
        assert "Procore allows 600 an hour and about" in up_front
        assert "left this hour, so this takes about" in up_front
        left = [line for line in err.splitlines() if " done] about " in line]
        assert left, "the time left while it runs"
        assert left[-1].endswith(" left")
        assert [r for r in server.requests if r.status == 429] == []
