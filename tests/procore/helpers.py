"""Scripted MockTransport harness for the Procore client tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from costcode_desktop.procore import (
    CancelToken,
    ProcoreClient,
    RetryPolicy,
    StaticToken,
    TokenSource,
)

API = "https://api.example.test"
TOKEN = "tok-SECRET-abc123"
FIXED_NOW = 1_700_000_000.0

Handler = Callable[[httpx.Request], httpx.Response]
Step = httpx.Response | Exception | Handler


def reply(
    data: Any = None, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A JSON answer (or an empty one when data is None and status is 204)."""
    if data is None and status == 204:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=data, headers=headers)


def text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers=headers)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


class Harness:
    """A ProcoreClient over MockTransport: records requests, waits and on_wait calls."""

    def __init__(
        self,
        handler: Step | None = None,
        *,
        steps: Iterable[Step] = (),
        tokens: TokenSource | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] | None = None,
        on_sleep: Callable[[float, CancelToken | None], None] | None = None,
    ) -> None:
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []
        self.reasons: list[tuple[str, float]] = []
        self.steps = list(steps)
        self.handler = handler
        self.on_sleep = on_sleep
        self.client = ProcoreClient(
            API,
            tokens or StaticToken(TOKEN),
            transport=httpx.MockTransport(self._handle),
            retry=retry or RetryPolicy(),
            on_wait=lambda reason, seconds: self.reasons.append((reason, seconds)),
            sleep=self._sleep,
            clock=clock or (lambda: FIXED_NOW),
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.steps:
            step = self.steps.pop(0)
        elif self.handler is not None:
            step = self.handler
        else:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    def _sleep(self, seconds: float, cancel: CancelToken | None) -> None:
        self.waits.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds, cancel)


def fast_retry(max_attempts: int = 5) -> RetryPolicy:
    return RetryPolicy(max_attempts=max_attempts, base_delay=0.5, max_delay=30.0)
