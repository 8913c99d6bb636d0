"""The window's demo sandbox runs in a process of its own, and never outlives the app."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from costcode_desktop.services import demo_process
from costcode_desktop.services.demo_process import DemoProcess
from costcode_desktop.services.session import open_demo_session


def _gone(pid: int, within: float = 30.0) -> bool:
    """Whether process `pid` has ended (or become a zombie nobody waits for) within `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_the_windows_demo_runs_in_a_child_process_that_ends_with_the_session() -> None:
    session = open_demo_session(own_process=True)
    try:
        child = next(thing for thing in session.owned if isinstance(thing, DemoProcess))
        assert child.pid != os.getpid()
        projects = session.client.projects(session.company.id)
        assert len(projects) == 12, "the demo company, served by the child"
    finally:
        session.close()
    assert _gone(child.pid), "closing the session stops the child"


def test_the_same_demo_state_is_seen_in_and_out_of_process() -> None:
    """Both read the demo database in the user's data folder: a refresh made in one is there
    in the other (the CLI's demo runs in its own process)."""
    outside = open_demo_session(own_process=True)
    try:
        first = outside.client.projects(outside.company.id)
    finally:
        outside.close()
    inside = open_demo_session()
    try:
        assert [p.id for p in inside.client.projects(inside.company.id)] == [p.id for p in first]
    finally:
        inside.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to see the child end")
def test_the_child_ends_when_the_app_is_killed(tmp_path: Path) -> None:
    """kill -9 of the app: nobody calls stop(), yet the sandbox does not linger."""
    script = textwrap.dedent(
        """
        import sys
        from costcode_desktop.services.session import open_demo_session
        from costcode_desktop.services.demo_process import DemoProcess
        session = open_demo_session(own_process=True)
        child = next(t for t in session.owned if isinstance(t, DemoProcess))
        print(child.pid, flush=True)
        sys.stdin.read()
        """
    )
    env = {**os.environ, "COSTCODESYNC_HOME": str(tmp_path / "home")}
    app = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert app.stdout is not None
        child_pid = int(app.stdout.readline())
        assert not _gone(child_pid, within=0.2), "the child runs while the app does"
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        assert _gone(child_pid), "the child stopped when its app was killed"
    finally:
        app.kill()
        app.wait(10)


def test_a_child_that_cannot_start_leaves_the_demo_in_this_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = [sys.executable, "-c", "import sys; print('no sandbox here', file=sys.stderr); "
              "sys.exit(3)"]  # fmt: skip
    monkeypatch.setattr(demo_process, "sandbox_command", lambda: broken)
    with caplog.at_level(logging.WARNING):
        session = open_demo_session(own_process=True)
    try:
        assert not any(isinstance(thing, DemoProcess) for thing in session.owned)
        assert len(session.client.projects(session.company.id)) == 12, "the demo works all the same"
    finally:
        session.close()
    assert "exit 3" in caplog.text
    assert "no sandbox here" in caplog.text


def test_the_frozen_app_runs_the_sandbox_through_its_own_executable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert demo_process.sandbox_command() == [sys.executable, "--run-sandbox"]
    entry = Path(__file__).parents[2] / "packaging" / "entry.py"
    assert '["--run-sandbox"]' in entry.read_text(encoding="utf-8")
