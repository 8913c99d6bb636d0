"""costcode-sync's text and JSON read as people and scripts expect: projects in number order,
columns explained, a name said once, a missing project named by its id, skipped codes with their
reasons, JSON's outcome and state agreeing; costcode-sandbox's options with their units."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.cli import build_parser
from costcode_desktop.sandbox.demo import (
    DOWNTOWN_TRANSIT_CENTER,
    HARBORVIEW_APARTMENTS,
    OAKMONT_WATER_PLANT,
    SUMMIT_RIDGE_DATA_CENTER,
)
from tests.sandbox_support import run_cli, running

COMPANY = "4264807"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    return run_cli(server, COMPANY, *args)


def _table_numbers(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Number"))
    rows = []
    for line in lines[start + 1 :]:
        if " out of date" in line:  # the count under the table
            break
        rows.append(line.split()[0])
    return rows


def test_status_lists_projects_by_number_in_natural_order(server: SandboxServer) -> None:
    code, out, err = run(server, "status")
    assert code == 0, err
    numbers = _table_numbers(out)
    assert numbers[0] == "22-088", "the inactive 22-088 comes first, not after the 24-…s"
    assert numbers == sorted(numbers)  # the demo's numbers have the same width
    from costcode_desktop.cli.output import by_project_number
    from costcode_desktop.services import Project, ProjectState, ProjectStatus

    def status(number: str) -> ProjectStatus:
        return ProjectStatus(Project(len(number), "P", number, True), ProjectState.IN_SYNC)

    ordered = by_project_number([status("25-010"), status(""), status("25-2"), status("25-002")])
    assert [s.project.project_number for s in ordered] == ["25-002", "25-2", "25-010", ""]
    # 2 before 10, whatever the width:


def test_status_explains_its_columns_in_one_line(server: SandboxServer) -> None:
    _code, out, _err = run(server, "status")
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Number"))
    legend = lines[header - 1]
    for words in ("missing", "another description", "only on it", "unsupported", "locked"):
        assert words in legend


def test_a_status_note_names_the_project_once(server: SandboxServer) -> None:
    _code, out, _err = run(server, "status", "--project", str(DOWNTOWN_TRANSIT_CENTER))
    note = next(line for line in out.splitlines() if line.startswith("- "))
    assert note.count("Downtown Transit Center Tenant Improvements") == 1
    assert note.startswith("- 24-060: ")


def test_a_project_named_twice_is_shown_once(server: SandboxServer) -> None:
    pid = str(HARBORVIEW_APARTMENTS)
    code, out, err = run(server, "status", "--project", pid, "--project", pid)
    assert code == 0, err
    assert out.count("Harborview Apartments") == 1
    code, out, err = run(server, "status", "--project", pid, "--project", pid, "--json")
    assert [p["id"] for p in json.loads(out)["projects"]] == [HARBORVIEW_APARTMENTS]


def test_a_project_id_that_is_not_there_is_named(server: SandboxServer) -> None:
    code, out, err = run(server, "status", "--project", "999")
    assert code == 2
    assert "No project 999 in company Example Builders (4264807)" in err
    assert "Project 999" not in out, "no made-up row for it"
    code, out, err = run(server, "refresh", "--project", "999", "--dry-run")
    assert code == 2, err
    assert "No project 999 in company Example Builders (4264807)" in out


def test_skipped_codes_are_named_with_their_reasons(server: SandboxServer) -> None:
    code, out, err = run(
        server,
        "refresh",
        "--project",
        str(OAKMONT_WATER_PLANT),
        "--project",
        str(HARBORVIEW_APARTMENTS),
        "--dry-run",
    )
    assert code == 0, err
    assert "skipped 02 410  Storm Drainage Structures: The code uses a space" in out
    assert "skipped 02-200  Site Prep - Phase 1: Locked by the Sage 300 CRE connector" in out


def test_json_outcome_and_state_agree(server: SandboxServer) -> None:
    code, out, err = run(
        server,
        "refresh",
        "--project",
        str(SUMMIT_RIDGE_DATA_CENTER),
        "--project",
        str(HARBORVIEW_APARTMENTS),
        "--dry-run",
        "--json",
    )
    assert code == 0, err
    projects = {p["project"]["id"]: p for p in json.loads(out)["projects"]}
    refused, would = projects[SUMMIT_RIDGE_DATA_CENTER], projects[HARBORVIEW_APARTMENTS]
    assert (refused["outcome"], refused["state"]) == ("refused", "refused")
    assert (would["outcome"], would["state"]) == ("unchanged", "would_change")
    code, out, err = run(server, "refresh", "--project", str(HARBORVIEW_APARTMENTS), "--json")
    single = json.loads(out)
    assert (single["outcome"], single["state"]) == ("refreshed", "refreshed")


UNITS = ("seconds", "fraction 0..1", "requests", "port", "path")


def test_every_sandbox_option_with_a_value_gives_its_unit() -> None:
    parser = build_parser()
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0 or action.dest == "help":
            continue
        if action.dest in ("host",):
            assert "address" in (action.help or "")
            continue
        assert any(unit in (action.help or "") for unit in UNITS), action.option_strings
