"""Kill the headless refresh mid-run (kill -9), start it again: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.procore import ClientCredentials, ProcoreClient
from costcode_desktop.sandbox.synthetic import company_seed, standard_codes
from costcode_desktop.services.history.store import HistoryStore, RunStatus
from tests.sandbox_support import sandbox_process

COMPANY = 4264807
PROJECTS = 24


def seed() -> dict[str, Any]:
    standard = standard_codes(300, per_division=30)  # 10 divisions of 29 codes
    projects = []
    for p in range(PROJECTS):
        codes = [dict(c) for i, c in enumerate(standard) if "parent" not in c or i % 7 != p % 7]
        projects.append(
            {
                "id": 562949953421312 + p,
                "name": f"Project {p:02d}",
                "project_number": f"26-{p:03d}",
                "active": True,
                "is_erp_integrated": True,
                "standard_cost_code_list_id": 11,
                "cost_codes": codes,
            }
        )
    return company_seed(
        company=(COMPANY, "Example Builders"),
        list_id=11,
        codes=standard,
        projects=projects,
        app=("kill-client", "kill-secret"),
        user={"id": 1, "login": "ap@example.com", "name": "A. P.", "project_admin": "all"},
        list_name="Sage 300 CRE",
    )


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """A sandbox in its own process, state in a file, slow enough to be killed mid-run."""
    # A kill mid-run is what this is about: no limits, so the timing is the latency's alone.
    options = ("--db", str(tmp_path / "state.sqlite3"), "--latency", "0.08")
    with sandbox_process(
        seed(), tmp_path, *options, "--hourly-limit", "0", "--spike-limit", "0"
    ) as url:
        yield url


def command(url: str, home: Path) -> tuple[list[str], dict[str, str]]:
    exe = str(Path(sys.executable).parent / "costcode-sync")
    args = [exe, "--base-url", url, "--client-id", "kill-client", "--client-secret",
            "kill-secret", "--company", str(COMPANY), "refresh", "--all-out-of-date",
            "--concurrency", "3", "--json"]  # fmt: skip
    return args, {**os.environ, "COSTCODESYNC_HOME": str(home)}


def recorded_projects(home: Path) -> int:
    path = home / "data" / "history.sqlite3"
    if not path.exists():
        return 0
    with HistoryStore(path) as history:
        runs = history.runs(limit=5)
        return sum(run.projects for run in runs)


def test_kill_9_mid_run_then_a_new_run_finishes_the_job(sandbox_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    args, env = command(sandbox_url, home)
    first = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while recorded_projects(home) < 3:
        assert first.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)

    with HistoryStore(home / "data" / "history.sqlite3") as history:
        (interrupted,) = history.runs()
        assert interrupted.status is RunStatus.INTERRUPTED
        assert 3 <= interrupted.projects < PROJECTS
        done_before = {p.project_id for p in history.run_details(interrupted.id).projects}

    second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert report  # the JSON report of the second run

    with HistoryStore(home / "data" / "history.sqlite3") as history:
        latest, older = history.runs()
        assert older.status is RunStatus.INTERRUPTED, "the killed run stays on record"
        assert latest.status is RunStatus.FINISHED
        redone = {p.project_id for p in history.run_details(latest.id).projects}
    assert not (done_before & redone), "projects finished before the kill were in sync already"
    # Projects in flight at the kill may have been completed by their own writes already.
    assert len(done_before | redone) >= PROJECTS - 3

    tokens = ClientCredentials(sandbox_url, "kill-client", "kill-secret")
    with ProcoreClient(sandbox_url, tokens) as client:
        for project in client.projects(COMPANY):
            codes = Counter(c.full_code for c in client.cost_codes(COMPANY, project.id))
            assert max(codes.values()) == 1, f"duplicate codes on {project.name}"
            assert len(codes) == 300, f"{project.name} is not complete"
