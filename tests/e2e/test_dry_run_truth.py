"""The dry run tells the truth: what it says would change is what the run changes, a project the
user may not change is reported as skipped (as the run will skip it), and it exits as the run
does. Issue 14, section 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.demo import OAKMONT_WATER_PLANT, SUMMIT_RIDGE_DATA_CENTER
from tests.sandbox_support import api_writes, run_cli, running

COMPANY = "4264807"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def states(report: dict[str, Any]) -> dict[int, str]:
    return {p["project"]["id"]: p["state"] for p in report["projects"]}


def test_the_dry_run_says_what_the_run_does_and_exits_as_it_does(server: SandboxServer) -> None:
    dry_code, out, err = run_cli(
        server, COMPANY, "refresh", "--all-out-of-date", "--dry-run", "--json"
    )
    dry = json.loads(out)
    assert api_writes(server) == [], "a dry run sends nothing"
    assert dry["counts"]["would_change"] == 6 + 1  # and Riverside Clinic's sub job E02
    assert dry["counts"]["skipped"] == 1
    refused = next(p for p in dry["projects"] if p["state"] == "refused")
    assert refused["project"]["id"] == SUMMIT_RIDGE_DATA_CENTER
    assert "You need 'Admin'" in refused["message"]
    assert refused["would_add"] == []
    # In the words the window uses: what is sent, and what stays as it is.
    oakmont = next(p for p in dry["projects"] if p["project"]["id"] == OAKMONT_WATER_PLANT)
    assert oakmont["message"] == (
        "A refresh of 'Oakmont Water Treatment Plant Upgrade' would add 2 codes and fix 1 "
        "description; 3 descriptions locked by Sage 300 CRE stay as they are. Nothing was sent "
        "(dry run)."
    )

    real_code, out, err = run_cli(server, COMPANY, "refresh", "--all-out-of-date", "--json")
    real = json.loads(out)
    assert real_code == dry_code == 0, err
    would = {pid for pid, state in states(dry).items() if state == "would_change"}
    assert would == {pid for pid, state in states(real).items() if state == "refreshed"}
    assert states(real)[SUMMIT_RIDGE_DATA_CENTER] == "refused"
    assert real["counts"]["would_change"] == 0
