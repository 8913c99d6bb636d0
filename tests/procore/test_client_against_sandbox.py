"""The client against the sandbox over real loopback sockets: pages, errors, recovery."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from costcode_desktop.procore import ProcoreClient, RetryPolicy, StaticToken
from costcode_desktop.procore.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)
from costcode_desktop.sandbox import FaultConfig, RateLimitConfig, SandboxServer
from costcode_desktop.sandbox.synthetic import company_seed
from tests.sandbox_support import running, signed_in_client

COMPANY = 4264807
LIST = 11
ADMIN_PROJECT = 562949953421312
READ_ONLY_PROJECT = 562949953421313
HIDDEN_PROJECT = 562949953421314
CODES = 2_345
PROJECTS = 650


def big_seed() -> dict[str, Any]:
    codes: list[dict[str, Any]] = []
    for d in range(1, 48):
        codes.append({"full_code": f"{d:02d}", "name": f"Division {d}"})
        for n in range(49):
            codes.append({"full_code": f"{d:02d}-{n:03d}", "name": f"C{n}", "parent": f"{d:02d}"})
    codes = codes[:CODES]
    projects = [
        {
            "id": ADMIN_PROJECT + i,
            "name": f"Project {i:03d}",
            "project_number": f"P{i:03d}",
            "active": i % 5 != 0,
            "is_erp_integrated": True,
            "standard_cost_code_list_id": LIST,
            "cost_codes": codes[:40] if i == 0 else [],
        }
        for i in range(PROJECTS)
    ]
    return company_seed(
        company=(COMPANY, "Big Builders"),
        list_id=LIST,
        codes=codes,
        projects=projects,
        app=("c", "s"),
        user={
            "id": 1,
            "login": "a@example.com",
            "name": "A",
            "project_admin": [ADMIN_PROJECT],
            "projects": [p["id"] for p in projects if p["id"] != HIDDEN_PROJECT],
        },
        list_name="Sage 300 CRE",
    )


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    # Thousands of codes read in pages, faults and retries: these tests are about those, and
    # under 25 requests per 10 s they would take minutes. The limits are test_pacing.py's.
    unlimited = RateLimitConfig(hourly=0, spike=0)
    yield from running(SandboxServer(big_seed(), rate_limits=unlimited))


@pytest.fixture
def client(server: SandboxServer) -> Iterator[ProcoreClient]:
    server.faults = FaultConfig()
    server.rate_limits = RateLimitConfig(hourly=0, spike=0)
    with signed_in_client(server) as client:
        yield client
    server.faults = FaultConfig()


def test_pages_are_followed_to_the_end(client: ProcoreClient) -> None:
    codes = client.standard_cost_codes(COMPANY, LIST)
    assert len(codes) == CODES
    assert len({c.id for c in codes}) == CODES
    assert all(c.id > 2**32 for c in codes), "ids beyond 32 bits survive"
    assert client.request_count == 3  # 1,000 per page

    projects = client.projects(COMPANY, status="All")
    assert len(projects) == PROJECTS - 1  # the hidden one is not listed
    assert client.request_count == 3 + 3  # 300 per page on v1.1
    active = client.projects(COMPANY, status="Active")
    assert len(active) == sum(1 for p in projects if p.active)


def test_every_error_class_from_the_real_server(server: SandboxServer) -> None:
    with (
        ProcoreClient(server.url, StaticToken("not-a-token")) as anonymous,
        pytest.raises(AuthenticationFailed),
    ):
        anonymous.me()
    with signed_in_client(server) as client:
        with pytest.raises(NotFound) as hidden:
            client.project(COMPANY, HIDDEN_PROJECT)
        assert hidden.value.status == 404
        assert hidden.value.request_id
        with pytest.raises(PermissionDenied) as denied:
            client.copy_subset_from_standard_list(COMPANY, READ_ONLY_PROJECT, LIST, [1])
        assert denied.value.status == 403
        with pytest.raises(InvalidRequest) as invalid:
            client.copy_subset_from_standard_list(COMPANY, ADMIN_PROJECT, 999, [1])
        assert invalid.value.status == 422
        assert invalid.value.detail
        with pytest.raises(PermissionDenied):
            client.project(5_555_555, ADMIN_PROJECT)  # a company the user is not in


def test_server_errors_and_dropped_connections_are_retried(
    server: SandboxServer, client: ProcoreClient
) -> None:
    server.faults = FaultConfig(error_rate=0.2, drop_rate=0.1, seed=7, paths="standard_cost_codes")
    codes = client.standard_cost_codes(COMPANY, LIST)
    assert len(codes) == CODES
    assert client.request_count > 3, "some attempts failed and were repeated"


def test_malformed_json_recovers_or_says_so_plainly(
    server: SandboxServer, client: ProcoreClient
) -> None:
    server.faults = FaultConfig(malformed_rate=0.5, seed=3, paths="standard_cost_codes")
    assert len(client.standard_cost_codes(COMPANY, LIST)) == CODES

    server.faults = FaultConfig(malformed_rate=1.0, paths="standard_cost_code_lists")
    with pytest.raises(MalformedResponse) as bad:
        client.standard_cost_code_lists(COMPANY)
    assert "could not read" in str(bad.value)
    assert bad.value.request_id


def test_persistent_server_errors_end_in_a_clear_message(
    server: SandboxServer, client: ProcoreClient
) -> None:
    server.faults = FaultConfig(error_rate=1.0, paths="standard_cost_code_lists")
    with pytest.raises((ServerError, RateLimited)) as failure:
        client.standard_cost_code_lists(COMPANY)
    assert "Try again" in str(failure.value) or "try again" in str(failure.value)


def test_dropped_copy_is_not_repeated_by_the_client(
    server: SandboxServer, client: ProcoreClient
) -> None:
    division = server.standard_codes(LIST)[0]["id"]
    server.clear_requests()
    server.faults = FaultConfig(drop_rate=1.0, paths="copy_subset")
    with pytest.raises(ConnectionFailed):
        client.copy_subset_from_standard_list(COMPANY, ADMIN_PROJECT, LIST, [division])
    posts = [r for r in server.requests if r.method == "POST" and "copy" in r.path]
    assert len(posts) <= 1


def test_rate_limit_is_waited_out(server: SandboxServer) -> None:
    waits: list[tuple[str, float]] = []
    server.rate_limits = RateLimitConfig(hourly=0, spike=4, spike_window=1.0)
    try:
        with signed_in_client(
            server,
            retry=RetryPolicy(max_attempts=8, base_delay=0.01, max_rate_limit_wait=5),
            on_wait=lambda reason, seconds: waits.append((reason, seconds)),
        ) as client:
            for _ in range(10):
                client.me(company_id=COMPANY)
    finally:
        server.rate_limits = RateLimitConfig(hourly=0, spike=0)
    assert waits, "the client waited instead of failing"
    assert waits[0][0].startswith("Procore limit reached; resuming at ")
    assert client.rate_limit.limit == 4
