"""Two costcode-sync refresh processes on one company at once (a nightly job and a second job,
or the window): one waits for the other, and neither claims the other's changes."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from costcode_desktop.cli.parser import EXIT_BUSY
from tests.sandbox_support import sandbox_process

from .changes_support import command, real_changes, recorded_changes, reported_changes, seed

PROJECTS = 12
TRIES = 3
# Slow enough that the second process starts while the first runs (it takes seconds), no
# limits: the timing is the latency's alone.
SANDBOX = ("--latency", "0.15", "--hourly-limit", "0", "--spike-limit", "0")


@pytest.mark.slow
@pytest.mark.timeout(900)  # three tries of two runs one after the other, on a loaded machine
def test_two_runs_at_once_report_and_record_each_change_once(tmp_path: Path) -> None:
    figures = []
    for attempt in range(TRIES):
        folder = tmp_path / f"try-{attempt}"
        folder.mkdir()
        start = seed(PROJECTS)
        with sandbox_process(start, folder, *SANDBOX) as url:
            home = folder / "home"  # one user: both processes share the lock folder
            args, env = command(url, home, "--wait")
            runs = [
                subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
                for _ in range(2)
            ]  # fmt: skip
            outputs = [run.communicate(timeout=300) for run in runs]
            for run, (_out, err) in zip(runs, outputs, strict=True):
                assert run.returncode == 0, err
            real = real_changes(url, start)
        reported: Counter[tuple[int, str, str]] = Counter()
        for out, _err in outputs:
            reported += reported_changes(json.loads(out))
        recorded = recorded_changes(home)
        waited = [err for _out, err in outputs if "Waiting for the refresh running in" in err]
        figures.append(
            (attempt, len(real), sum(reported.values()), sum(recorded.values()), len(waited))
        )
        assert real, "the seed has changes to make"
        assert waited, "the runs overlapped: one waited for the other"
        assert "costcode-sync pid" in waited[0]
        assert sum(reported.values()) == len(real), "reported changes = real changes"
        assert set(reported) == real
        assert max(reported.values()) == 1
        over_claimed = [c for c, n in recorded.items() if n > 1 or c not in real]
        assert not over_claimed, f"over-claimed in the history: {over_claimed[:5]}"
        assert set(recorded) == real, "every real change is in the history"
    print("\ntry, real changes, reported, recorded, runs that waited:", *figures, sep="\n  ")


def test_a_run_told_not_to_wait_names_the_holder_and_exits_busy(tmp_path: Path) -> None:
    start = seed(PROJECTS)
    with sandbox_process(start, tmp_path, *SANDBOX) as url:
        home = tmp_path / "home"
        args, env = command(url, home)
        first = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not _held_by(home, first.pid):
                assert first.poll() is None, "the first run ended before the second started"
                assert time.monotonic() < deadline, "the first run never took the lock"
                time.sleep(0.05)
            second = subprocess.run(
                [*args, "--no-wait"], env=env, capture_output=True, text=True, timeout=60
            )
            # Not on a terminal (a scheduled job): the same without --no-wait.
            third = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        finally:
            first.wait(300)
    assert first.returncode == 0
    for run in (second, third):
        assert run.returncode == EXIT_BUSY, run.stderr
        assert f"running, in costcode-sync pid {first.pid}, started at" in run.stderr
        assert run.stdout == ""
        assert "secret" not in run.stderr


def _held_by(home: Path, pid: int) -> bool:
    for lock in (home / "cache").glob("refresh-*.lock"):
        text = lock.read_bytes().decode("utf-8", "replace")
        if f'"pid": {pid}' in text and "ended_at" not in text:
            return True
    return False
