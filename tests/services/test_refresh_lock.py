"""The refresh lock: one refresh of a company at a time, across processes, saying who holds it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from costcode_desktop.procore import CancelToken
from costcode_desktop.services.refresh_lock import (
    COMMAND,
    WINDOW,
    LockHolder,
    RefreshBusy,
    RefreshLock,
    waiting_words,
)

HOLD = """
import sys
from pathlib import Path
from costcode_desktop.services.refresh_lock import RefreshLock
held = RefreshLock(sys.argv[1], int(sys.argv[2]), folder=Path(sys.argv[3])).acquire("costcode-sync")
print("held", flush=True)
sys.stdin.readline()
held.release()
"""


def holding_process(
    folder: Path, environment: str = "production", company: int = 7
) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, environment, str(company), str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held"
    return child


def test_another_process_holding_it_is_named_and_a_run_told_not_to_wait_stops(
    tmp_path: Path,
) -> None:
    child = holding_process(tmp_path)
    try:
        lock = RefreshLock("production", 7, folder=tmp_path)
        with pytest.raises(RefreshBusy) as busy:
            lock.acquire(WINDOW, wait=False)
        holder = busy.value.holder
        assert holder is not None
        assert (holder.who, holder.pid) == (COMMAND, child.pid)
        at = holder.started_at.astimezone().strftime("%H:%M")
        assert f"in costcode-sync pid {child.pid}, started at {at}" in str(busy.value)
        # What the file says, and nothing else: who, pid, when, the process's random token.
        fields = json.loads(lock.path.read_bytes()[1:])
        assert set(fields) == {"who", "pid", "started_at", "token"}
    finally:
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(30)


def test_a_waiting_run_says_whom_it_waits_for_and_a_cancel_ends_the_wait(tmp_path: Path) -> None:
    child = holding_process(tmp_path)
    told: list[LockHolder | None] = []
    cancel = CancelToken()

    def on_wait(holder: LockHolder | None) -> None:
        told.append(holder)
        cancel.cancel()  # the user presses Cancel while it waits

    try:
        lock = RefreshLock("production", 7, folder=tmp_path)
        assert lock.acquire(WINDOW, cancel=cancel, on_wait=on_wait) is None
    finally:
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(30)
    assert [h.pid if h else None for h in told] == [child.pid]
    assert waiting_words(told[0]).startswith(
        f"Waiting for the refresh running in costcode-sync pid {child.pid}, started at "
    )
    # Free again: taken at once, and told that another process's run ended meanwhile.
    held = lock.acquire(WINDOW, wait=False)
    assert held is not None
    with held:
        assert held.changed_since is not None
        assert datetime.now(UTC) - held.changed_since < timedelta(minutes=5)


def test_each_company_and_environment_has_its_own_lock(tmp_path: Path) -> None:
    first = RefreshLock("custom:http://127.0.0.1:1/", 7, folder=tmp_path).acquire(WINDOW)
    assert first is not None
    with first:
        for environment, company in (("custom:http://127.0.0.1:2/", 7), ("production", 7)):
            other = RefreshLock(environment, company, folder=tmp_path).acquire(WINDOW, wait=False)
            assert other is not None
            other.release()
        other = RefreshLock("production", 8, folder=tmp_path).acquire(WINDOW, wait=False)
        assert other is not None
        other.release()
        with pytest.raises(RefreshBusy):
            RefreshLock("custom:http://127.0.0.1:1/", 7, folder=tmp_path).acquire(
                COMMAND, wait=False
            )


def test_this_process_own_earlier_run_does_not_make_its_statuses_stale(tmp_path: Path) -> None:
    lock = RefreshLock("production", 7, folder=tmp_path)
    first = lock.acquire(WINDOW)
    assert first is not None
    first.release()
    again = lock.acquire(WINDOW)
    assert again is not None
    with again:
        assert again.changed_since is None
