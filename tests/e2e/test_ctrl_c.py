"""Ctrl+C during a headless refresh: once stops new projects and finishes those under way;
twice quits at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.services.history.store import HistoryStore, RunStatus
from tests.sandbox_support import sandbox_process

from .test_kill_mid_run import PROJECTS, command, recorded_projects, sandbox_url, seed

__all__ = ["sandbox_url"]  # the fixture, shared with the kill test

FIRST_PROJECT = 562949953421312  # the seed's first project
pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="Ctrl+C is a console event on Windows, not a signal"
)


def started(url: str, home: Path) -> subprocess.Popen[str]:
    args, env = command(url, home)
    args.remove("--json")  # the progress and the "Stopping" line go to stderr
    run = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while recorded_projects(home) < 1:
        assert run.poll() is None, "the run ended before Ctrl+C"
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.05)
    return run


def test_ctrl_c_once_stops_new_projects_and_checks_those_under_way(
    sandbox_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    run = started(sandbox_url, home)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)

    assert run.returncode == 1, err  # some refreshed, the others not started
    assert "Stopping: no new project starts" in err
    assert "Traceback" not in err
    assert "Cancelled: " in out
    assert "not started" in out
    with HistoryStore(home / "data" / "history.sqlite3") as history:
        (cancelled,) = history.runs()
        assert cancelled.status is RunStatus.CANCELLED
        assert 1 <= cancelled.projects < PROJECTS


@pytest.fixture
def slow_sandbox_url(tmp_path: Path) -> Iterator[str]:
    """Requests slow enough that projects are still under way at the second Ctrl+C."""
    # Ctrl+C is what this is about: no limits, so the only waits are the latency's.
    options = ("--latency", "0.5", "--hourly-limit", "0", "--spike-limit", "0")
    with sandbox_process(seed(), tmp_path, *options) as url:
        yield url


def test_ctrl_c_twice_quits_at_once(slow_sandbox_url: str, tmp_path: Path) -> None:
    args, env = command(slow_sandbox_url, tmp_path / "home")
    args = [*args[: args.index("--all-out-of-date")], "--project", str(FIRST_PROJECT)]
    run = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert run.stderr is not None
    for line in run.stderr:  # wait for the writes: the project then has seconds left to run
        if "Adding" in line:
            break
    else:
        pytest.fail("the refresh never started adding codes")
    run.send_signal(signal.SIGINT)
    time.sleep(0.2)
    run.send_signal(signal.SIGINT)
    run.communicate(timeout=10)
    assert run.returncode == 130
