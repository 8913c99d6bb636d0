"""costcode-sync end to end on a Procore that refuses the deprecated List Standard Cost Code
Lists, as it does for new applications (rest_api_lifecycle.md); and never an ERP field written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from costcode_desktop.sandbox import SandboxServer, demo_seed
from tests.sandbox_support import api_writes, run_cli, running

COMPANY = "4264807"
LEGACY = "/rest/v1.0/standard_cost_code_lists"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), refuse_deprecated=True))


def keys(value: Any) -> set[str]:
    """Every key at any depth of a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def test_status_and_refresh_work_without_the_deprecated_call(server: SandboxServer) -> None:
    code, out, err = run_cli(server, COMPANY, "status", "--json")
    assert code == 0, err
    projects = json.loads(out)["projects"]
    assert len(projects) == 12
    targets = [p for p in projects if p["state"] == "out_of_date"]
    assert len(targets) == 8

    ids = [arg for p in targets[:3] for arg in ("--project", str(p["id"]))]
    code, out, err = run_cli(server, COMPANY, "refresh", *ids, "--json")
    assert code == 0, err
    results = json.loads(out)["projects"]
    assert len(results) == 3
    assert {r["outcome"] for r in results} == {"refreshed"}
    assert all(r["verified_in_sync"] for r in results)

    assert LEGACY not in {r.path for r in server.requests}
    writes = api_writes(server)
    assert writes, "the refresh wrote"
    for write in writes:  # the Sage connector owns these fields
        assert not {"origin_id", "origin_data"} & keys(write.json_body)
        assert not any("origin" in name for name in write.query)
