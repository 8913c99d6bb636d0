"""The sandbox's own clock: wall time plus an offset that tests can move forward, and a
simulated time that skips waiting, for runs that last hours against Procore's hourly limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class _Cancellable(Protocol):
    @property
    def cancelled(self) -> bool: ...


class SandboxClock:
    """Unix time as the sandbox sees it; `advance` lets tests expire tokens and rate windows.

    `source` is where the time comes from: the wall clock, or a SimulatedTime shared with the
    client so that an hour-long run does not take an hour.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._offset = 0.0
        self._source = source
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            offset = self._offset
        return self._source() + offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def to_wall(self, timestamp: float) -> float:
        """A sandbox time in the client's frame (real time), for absolute times clients wait on."""
        return timestamp - self.offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds


class SimulatedTime:
    """Wall time that jumps over waits: for benchmarks and tests of runs under an hourly limit.

    Give it to the sandbox (SandboxServer(simulated=...)) and its `now` and `sleep` to the
    client (ProcoreClient(clock=..., sleep=...)). A sleep does not sleep: it moves the time to
    the moment the wait ends, counted from the time this thread last read (the client reads the
    clock just before it decides to wait), unless the time is already past it. Waits of several
    threads that overlap therefore cost the longest of them, as in real time; work (requests,
    parsing) still takes its real time. Elapsed simulated time is what the run would take
    against a server with the same limits, a little more when a wait jumps over work another
    thread was doing meanwhile.
    """

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._skipped = 0.0
        self._start_real = time.time()
        self._start = self._start_real if start is None else start
        self._seen = threading.local()  # the time this thread last read

    def _current(self) -> float:
        return self._start + (time.time() - self._start_real) + self._skipped

    def now(self) -> float:
        with self._lock:
            moment = self._current()
        self._seen.moment = moment
        return moment

    @property
    def skipped(self) -> float:
        """Seconds of waiting jumped over so far."""
        with self._lock:
            return self._skipped

    def sleep(self, seconds: float, cancel: _Cancellable | None = None) -> None:
        """Move the time to the end of this wait (the client's SleepFunction)."""
        if cancel is not None and cancel.cancelled:
            return
        with self._lock:
            current = self._current()
            base: float = getattr(self._seen, "moment", current)
            target = min(base, current) + max(0.0, seconds)
            if target > current:
                self._skipped += target - current
        time.sleep(0)  # let the other threads run, as a real wait would


def iso8601(timestamp: float | None) -> str | None:
    """Procore's timestamp format: ISO-8601 in UTC with a trailing Z."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
