"""Fixtures: a demo sandbox on 127.0.0.1 and a small httpx helper that signs requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d

# The endpoint tests call the API directly, hundreds of times, with no client to pace them: the
# limits have tests of their own (test_limits_and_faults.py), which set the ones they need.
UNLIMITED = RateLimitConfig(hourly=0, spike=0)


class Api:
    """httpx against the sandbox with a bearer token and the company header preset."""

    def __init__(self, server: SandboxServer, token: str, company: int | None = d.COMPANY_ID):
        self.server = server
        self.token = token
        self.company = company
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.company is not None:
            headers["Procore-Company-Id"] = str(self.company)
        headers.update(extra or {})
        return headers

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers())

    def post(self, path: str, body: object, **params: Any) -> httpx.Response:
        return self.http.post(path, json=body, params=params, headers=self.headers())

    def patch(self, path: str, body: object, **params: Any) -> httpx.Response:
        return self.http.patch(path, json=body, params=params, headers=self.headers())

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(demo_seed(), rate_limits=UNLIMITED) as srv:
        yield srv


@pytest.fixture
def api(server: SandboxServer) -> Iterator[Api]:
    client = Api(server, server.issue_token())
    yield client
    client.close()


@pytest.fixture
def http(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def codes_by_full(server: SandboxServer, project_id: int) -> dict[str, dict[str, Any]]:
    return {code["full_code"]: code for code in server.project_cost_codes(project_id)}


def std_by_full(server: SandboxServer, list_id: int = d.ERP_LIST_ID) -> dict[str, dict[str, Any]]:
    return {code["full_code"]: code for code in server.standard_codes(list_id)}
