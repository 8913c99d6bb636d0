"""The headless command end to end: the demo sandbox over loopback, status, refresh, read back."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.cli import main
from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from tests.sandbox_support import api_writes, run_cli, running

COMPANY = "4264807"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    # Procore's limits (25 requests per 10 s) on a simulated clock: the client's waits are
    # jumped over, so a run of the demo's projects does not sleep through them.
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    return run_cli(server, COMPANY, *args)


def status_by_name(server: SandboxServer) -> dict[str, dict[str, Any]]:
    code, out, _ = run(server, "status", "--json")
    assert code == 0
    return {p["name"]: p for p in json.loads(out)["projects"]}


def test_status_shows_every_demo_state(server: SandboxServer) -> None:
    projects = status_by_name(server)
    states = {p["state"] for p in projects.values()}
    assert states == {"in_sync", "out_of_date", "not_erp_integrated", "other_list"}
    assert len(projects) == 12  # the confidential project is invisible to the demo user
    out_of_date = [p for p in projects.values() if p["state"] == "out_of_date"]
    assert all(p["counts"]["missing"] + p["counts"]["description_differs"] > 0 for p in out_of_date)
    assert any(not p["active"] for p in out_of_date)
    # The "02 410"-style code counts as unsupported only where it is missing: a project that
    # has it needs nothing sent.
    unsupported = {n for n, p in projects.items() if (p["counts"] or {}).get("unsupported")}
    assert unsupported == {"Harborview Apartments"}
    counted = [p["name"] for p in projects.values() if p["out_of_date"]]
    assert len(counted) == 7, "the rule's count: active projects a refresh would change"
    assert "Pinecrest Senior Living" not in counted  # inactive


def test_status_table_is_readable(server: SandboxServer) -> None:
    code, out, _ = run(server, "status")
    assert code == 0
    assert out.startswith("Company list: Sage 300 CRE Standard Cost Code List (305 codes")
    assert re.search(r"^Number +Project", out, re.MULTILINE)  # as wide as "23-104 / E01"
    assert "12 projects," in out
    # The counts add up to the state; descriptions Sage locks have their own column.
    oakmont = next(line for line in out.splitlines() if line.startswith("24-051"))
    assert oakmont.split()[-7:] == ["3", "differences", "2", "1", "0", "0", "3"]


def test_refresh_then_status_shows_the_project_in_sync(server: SandboxServer) -> None:
    target = next(p for p in status_by_name(server).values() if p["state"] == "out_of_date")
    missing = target["counts"]["missing"]

    code, out, _ = run(server, "refresh", "--project", str(target["id"]), "--json")

    assert code == 0
    result = json.loads(out)
    assert result["outcome"] == "refreshed"
    assert result["verified_in_sync"] is True
    assert len(result["added"]) == missing
    assert status_by_name(server)[target["name"]]["state"] == "in_sync"


def test_dry_run_lists_changes_and_sends_nothing(server: SandboxServer) -> None:
    target = next(p for p in status_by_name(server).values() if p["state"] == "out_of_date")
    server.clear_requests()
    code, out, _ = run(server, "refresh", "--project", str(target["id"]), "--dry-run")
    assert code == 0
    assert "Nothing was sent (dry run)." in out
    assert "would add" in out or "would update" in out
    assert api_writes(server) == []


def test_refused_project_exits_2_with_the_reason(server: SandboxServer) -> None:
    target = next(p for p in status_by_name(server).values() if p["state"] == "not_erp_integrated")
    code, out, _ = run(server, "refresh", "--project", str(target["id"]))
    assert code == 2
    assert "is not connected to Sage 300 CRE" in out


def test_wrong_secret_is_one_line_and_never_echoed(server: SandboxServer) -> None:
    out, err = io.StringIO(), io.StringIO()
    old_err, sys.stderr = sys.stderr, err
    try:
        code = main(
            ["--base-url", server.url, "--client-id", server.client_id,
             "--client-secret", "wrong-s3cret-value", "--company", COMPANY, "status"],
            out=out,
        )  # fmt: skip
    finally:
        sys.stderr = old_err
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("costcode-sync: error: Procore did not accept the client id")
    assert "wrong-s3cret-value" not in err.getvalue() + out.getvalue()


def test_missing_sign_in_says_what_to_give(server: SandboxServer) -> None:
    err = io.StringIO()
    old_err, sys.stderr = sys.stderr, err
    try:
        code = main(["--base-url", server.url, "--company", COMPANY, "status"], out=io.StringIO())
    finally:
        sys.stderr = old_err
    assert code == 2
    assert "give --token, or --client-id and --client-secret" in err.getvalue()


def test_installed_command_runs_the_demo(tmp_path: Path) -> None:
    exe = shutil.which("costcode-sync", path=str(Path(sys.executable).parent))
    assert exe is not None, "the costcode-sync entry point is installed"
    env = {**os.environ, "COSTCODESYNC_HOME": str(tmp_path)}
    first = subprocess.run(
        [exe, "--demo", "refresh", "--project", "562949953421314"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "Verified: the project now matches the company list." in first.stdout
    second = subprocess.run(
        [exe, "--demo", "status", "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    states = {p["id"]: p["state"] for p in json.loads(second.stdout)["projects"]}
    assert states[562949953421314] == "in_sync", "the demo keeps its state between runs"
    assert (tmp_path / "data" / "demo-sandbox.sqlite3").exists()


def test_a_name_the_log_file_encoding_cannot_hold_does_not_stop_the_run(tmp_path: Path) -> None:
    """A nightly job redirected to a file on Windows writes in cp1252; project names are free."""
    seed = demo_seed()
    seed["companies"][0]["projects"][0]["name"] = "Großmarkt Ōsaka – Phase Ⅱ ✓"
    with SandboxServer(seed) as server:
        env = {**os.environ, "COSTCODESYNC_HOME": str(tmp_path), "PYTHONIOENCODING": "cp1252"}
        argv = ["--base-url", server.url, "--client-id", server.client_id, "--company", COMPANY]
        env["PROCORE_CLIENT_SECRET"] = server.client_secret
        done = subprocess.run(
            [sys.executable, "-m", "costcode_desktop.cli", *argv, "status"],
            capture_output=True, env=env, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Großmarkt Ōsaka – Phase Ⅱ ✓".encode() in done.stdout, "the log keeps the name"
