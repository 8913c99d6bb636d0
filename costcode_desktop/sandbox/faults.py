"""Fault injection: the network and server misbehaviour a real client has to survive.

Faults never touch `/oauth/*`, and with `paths` set they touch only paths matching that regex.
What each fault does to a request:

- `latency`: the answer is delayed by that many seconds (before the request is processed).
- `burst_429_every` / `burst_429_length`: after every N requests, the next M answer 429 with
  `Retry-After: 1`; the request is not processed and consumes no quota.
- `error_rate`: that share of requests answer 500 (JSON body) or 503 (an HTML page from the "load
  balancer", sometimes with `Retry-After: 1`); the request is not processed.
- `drop_rate`: that share of requests is processed, then the connection is closed without an
  answer: the client cannot know whether a write landed and must read again.
- `malformed_rate`: that share of 200 JSON answers is cut in half (headers stay valid and
  `Content-Length` matches what is sent), so the body is not valid JSON.
"""

from __future__ import annotations

import enum
import random
import re
import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """What goes wrong and how often; replace `server.faults` to change it (resets the RNG)."""

    latency: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    burst_429_every: int = 0
    burst_429_length: int = 0
    seed: int | None = None
    paths: str | None = None

    def __post_init__(self) -> None:
        if self.latency < 0:
            raise ValueError("latency must be >= 0")
        for name in ("error_rate", "drop_rate", "malformed_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.burst_429_every < 0 or self.burst_429_length < 0:
            raise ValueError("burst_429_every and burst_429_length must be >= 0")
        if self.paths is not None:
            try:
                re.compile(self.paths)
            except re.error as exc:
                raise ValueError(f"paths is not a valid regular expression: {exc}") from exc

    @property
    def active(self) -> bool:
        return bool(
            self.latency
            or self.error_rate
            or self.drop_rate
            or self.malformed_rate
            or (self.burst_429_every and self.burst_429_length)
        )


class Fault(enum.Enum):
    NONE = "none"
    RATE_LIMITED = "429"
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    UNAVAILABLE_RETRY = "503+retry-after"
    DROP = "drop"


class FaultInjector:
    """Makes the random decisions for one FaultConfig; thread-safe, repeatable with a seed."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()
        self._count = 0
        self._pattern = re.compile(config.paths) if config.paths is not None else None

    def applies_to(self, path: str) -> bool:
        if path.startswith("/oauth/") or path == "/oauth" or not self.config.active:
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def decide(self) -> Fault:
        """The fault for the next request (call only when `applies_to` is true)."""
        cfg = self.config
        with self._lock:
            position = self._count
            self._count += 1
            if cfg.burst_429_every and cfg.burst_429_length:
                cycle = cfg.burst_429_every + cfg.burst_429_length
                if position % cycle >= cfg.burst_429_every:
                    return Fault.RATE_LIMITED
            if cfg.error_rate and self._rng.random() < cfg.error_rate:
                kind = self._rng.randrange(3)
                return (Fault.SERVER_ERROR, Fault.UNAVAILABLE, Fault.UNAVAILABLE_RETRY)[kind]
            if cfg.drop_rate and self._rng.random() < cfg.drop_rate:
                return Fault.DROP
            return Fault.NONE

    def malformed(self) -> bool:
        """Whether this 200 JSON answer should be cut in half."""
        if not self.config.malformed_rate:
            return False
        with self._lock:
            return self._rng.random() < self.config.malformed_rate
