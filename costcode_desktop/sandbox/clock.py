"""The sandbox's own clock: wall time plus an offset that tests can move forward."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    """Unix time as the sandbox sees it; `advance` lets tests expire tokens and rate windows."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            offset = self._offset
        return time.time() + offset

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


def iso8601(timestamp: float | None) -> str | None:
    """Procore's timestamp format: ISO-8601 in UTC with a trailing Z."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
