"""Procore-style rate limits: an hourly and a spike window per token owner.

Windows are fixed: a window opens with the owner's first request and closes `length` seconds
later (by the sandbox clock). The `X-Rate-Limit-*` headers describe whichever window is nearer
exhaustion (fewer requests left; on a tie the one that resets later). `X-Rate-Limit-Reset` is
given in real (wall-clock) Unix seconds, so that a client comparing it with its own clock waits
the right time even after a test moved the sandbox clock forward. A request refused with 429
consumes nothing. A limit of 0 means unlimited; when both are unlimited the headers report a
nominal limit of 1,000,000 per hour.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

HOUR = 3600.0
UNLIMITED_NOMINAL = 1_000_000


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """Requests allowed per hour and per spike window; 0 = unlimited.

    The defaults are the example limits of Procore's rate-limiting page (plan_your_app/
    rate_limiting.md, January 2026: 600 an hour, 25 per 10 seconds), which tells apps not to
    assume 3,600 an hour: the demo and the tests live with them unless they say otherwise.
    """

    hourly: int = 600
    spike: int = 25
    spike_window: float = 10.0

    def __post_init__(self) -> None:
        if self.hourly < 0 or self.spike < 0:
            raise ValueError("rate limits must be >= 0 (0 = unlimited)")
        if self.spike_window <= 0:
            raise ValueError("spike_window must be > 0 seconds")


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # sandbox-clock unix seconds
    retry_after: int  # seconds until reset, at least 1

    def headers(self, clock_offset: float = 0.0) -> list[tuple[str, str]]:
        """The response headers; `clock_offset` turns the reset time into wall-clock time."""
        headers = [
            ("X-Rate-Limit-Limit", str(self.limit)),
            ("X-Rate-Limit-Remaining", str(self.remaining)),
            ("X-Rate-Limit-Reset", str(math.ceil(self.reset_at - clock_offset))),
        ]
        if not self.allowed:
            headers.append(("Retry-After", str(self.retry_after)))
        return headers


class _Window:
    __slots__ = ("count", "length", "limit", "start")

    def __init__(self, limit: int, length: float) -> None:
        self.limit = limit
        self.length = length
        self.start: float | None = None
        self.count = 0

    def roll(self, now: float) -> None:
        if self.start is None or now >= self.start + self.length:
            self.start = now
            self.count = 0

    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    def reset_at(self, now: float) -> float:
        return (self.start if self.start is not None else now) + self.length


class RateLimiter:
    """Counts requests per owner key; thread-safe."""

    def __init__(self, config: RateLimitConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._owners: dict[str, tuple[_Window, ...]] = {}

    def _windows(self, owner: str) -> tuple[_Window, ...]:
        windows = self._owners.get(owner)
        if windows is None:
            cfg = self.config
            made = []
            if cfg.hourly:
                made.append(_Window(cfg.hourly, HOUR))
            if cfg.spike:
                made.append(_Window(cfg.spike, cfg.spike_window))
            windows = tuple(made)
            self._owners[owner] = windows
        return windows

    def hit(self, owner: str, now: float) -> RateDecision:
        """Count one request for `owner`, or refuse it (429) without counting."""
        return self._evaluate(owner, now, consume=True)

    def peek(self, owner: str, now: float) -> RateDecision:
        """The headers for `owner` without counting anything (never refuses)."""
        return self._evaluate(owner, now, consume=False)

    def _evaluate(self, owner: str, now: float, *, consume: bool) -> RateDecision:
        with self._lock:
            windows = self._windows(owner)
            if not windows:
                reset = now + HOUR
                return RateDecision(True, UNLIMITED_NOMINAL, UNLIMITED_NOMINAL, reset, 1)
            for window in windows:
                window.roll(now)
            exhausted = [w for w in windows if w.remaining() == 0]
            allowed = True
            if consume:
                if exhausted:
                    allowed = False
                else:
                    for window in windows:
                        window.count += 1
            nearest = min(windows, key=lambda w: (w.remaining(), -w.reset_at(now)))
            if not allowed:
                nearest = max(exhausted, key=lambda w: w.reset_at(now))
            reset_at = nearest.reset_at(now)
            return RateDecision(
                allowed=allowed,
                limit=nearest.limit,
                remaining=nearest.remaining(),
                reset_at=reset_at,
                retry_after=max(1, math.ceil(reset_at - now)),
            )
