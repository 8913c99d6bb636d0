"""costcode-sync on the demo's Acumatica company: a `/` code is unsupported there, in the text
and in the JSON, while Sage 300 CRE's rules (chosen with --erp-connector) would send it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo, demo_seed
from tests.sandbox_support import api_writes, run_cli, running

WEST = str(demo.ACUMATICA_COMPANY_ID)
HARBOR_POINT = str(demo.HARBOR_POINT_MEDICAL)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def harbor_point(report: dict[str, object]) -> dict[str, object]:
    projects = report["projects"]
    assert isinstance(projects, list)
    return next(p for p in projects if p["id"] == demo.HARBOR_POINT_MEDICAL)


def test_status_names_the_connector_and_counts_the_slash_codes(server: SandboxServer) -> None:
    code, out, _ = run_cli(server, WEST, "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["erp_connector"]["key"] == "acumatica"
    assert report["erp_connector"]["name"] == "Acumatica"
    assert report["erp_connector"]["rules"] == "Acumatica code rules: only - between sections"
    counts = harbor_point(report)["counts"]
    assert counts["unsupported"] == 2
    assert counts["missing"] == 1

    code, out, _ = run_cli(server, WEST, "status")
    assert code == 0
    assert "Acumatica code rules: only - between sections" in out.splitlines()

    code, out, _ = run_cli(server, WEST, "--erp-connector", "sage300", "status", "--json")
    report = json.loads(out)
    assert report["erp_connector"]["key"] == "sage300"
    counts = harbor_point(report)["counts"]
    assert counts["unsupported"] == 0
    assert counts["missing"] == 3


def test_dry_run_skips_the_slash_codes_and_says_why(server: SandboxServer) -> None:
    server.clear_requests()
    code, out, _ = run_cli(server, WEST, "refresh", "--project", HARBOR_POINT, "--dry-run")
    assert code == 0
    assert "would add     01-200" in out
    for slash in demo.ACUMATICA_SLASH_CODES:
        skipped = next(line for line in out.splitlines() if slash in line)
        assert skipped.split()[0] == "skipped"
        assert "The code uses '/' as a separator; Acumatica allows only -" in skipped
    assert api_writes(server) == []

    code, out, _ = run_cli(
        server, WEST, "refresh", "--project", HARBOR_POINT, "--dry-run", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["erp_connector"]["key"] == "acumatica"
    assert report["would_add"] == ["01-200"]
    assert {issue["full_code"] for issue in report["skipped"]} == set(demo.ACUMATICA_SLASH_CODES)


def test_sage_300_rules_would_send_the_slash_codes(server: SandboxServer) -> None:
    code, out, _ = run_cli(
        server,
        WEST,
        "--erp-connector",
        "sage300",
        "refresh",
        "--project",
        HARBOR_POINT,
        "--dry-run",
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert sorted(report["would_add"]) == sorted(["01-200", *demo.ACUMATICA_SLASH_CODES])
    assert report["skipped"] == []
