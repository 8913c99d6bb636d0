"""Rate limits (429 + headers) and every fault type."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from costcode_desktop.sandbox import (
    FaultConfig,
    RateLimitConfig,
    SandboxServer,
    SimulatedTime,
    demo_seed,
)
from costcode_desktop.sandbox import demo as d
from costcode_desktop.sandbox.cli import build_parser

from .conftest import Api


def test_rate_limit_headers_on_every_response(api: Api, server: SandboxServer) -> None:
    server.rate_limits = RateLimitConfig(hourly=50, spike=10, spike_window=10)
    first = api.get("/rest/v1.0/me")
    assert first.headers["X-Rate-Limit-Limit"] == "10"  # the spike window is nearer exhaustion
    assert first.headers["X-Rate-Limit-Remaining"] == "9"
    assert int(first.headers["X-Rate-Limit-Reset"]) >= int(time.time())
    for response in (
        api.get("/rest/v1.0/nothing"),
        api.http.get("/rest/v1.0/me"),
        api.http.post("/oauth/token", data={"grant_type": "client_credentials"}),
    ):
        for name in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
            assert name in response.headers
        assert response.headers["X-Request-Id"]


def test_spike_limit_429_then_window_resets(api: Api, server: SandboxServer) -> None:
    server.rate_limits = RateLimitConfig(hourly=100, spike=3, spike_window=10)
    statuses = [api.get("/rest/v1.0/me").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = api.get("/rest/v1.0/me")
    assert refused.status_code == 429
    assert refused.json() == {"errors": "Rate limit exceeded"}
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert refused.headers["X-Rate-Limit-Limit"] == "3"
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    # Refused requests consume nothing: the hourly window only counted three.
    server.advance_clock(10)
    again = api.get("/rest/v1.0/me")
    assert again.status_code == 200
    assert again.headers["X-Rate-Limit-Remaining"] == "2"
    # Reset is wall-clock time: moving the sandbox clock does not push it an hour away.
    server.advance_clock(3600)
    later = api.get("/rest/v1.0/me")
    assert int(later.headers["X-Rate-Limit-Reset"]) <= time.time() + 12


def test_hourly_limit_and_per_owner_quota(server: SandboxServer) -> None:
    server.rate_limits = RateLimitConfig(hourly=2, spike=0)
    first = Api(server, server.issue_token())
    other_user = Api(server, server.issue_token(user_id=d.PM_USER_ID))
    try:
        assert first.get("/rest/v1.0/me").headers["X-Rate-Limit-Remaining"] == "1"
        assert first.get("/rest/v1.0/me").status_code == 200
        refused = first.get("/rest/v1.0/me")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 3000
        assert other_user.get("/rest/v1.0/me").status_code == 200
        server.advance_clock(3600)
        assert first.get("/rest/v1.0/me").status_code == 200
    finally:
        first.close()
        other_user.close()


def test_concurrent_requests_respect_the_limit(server: SandboxServer) -> None:
    server.rate_limits = RateLimitConfig(hourly=0, spike=20, spike_window=60)
    api = Api(server, server.issue_token())
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: api.get("/rest/v1.0/me").status_code, range(40)))
        assert statuses.count(200) == 20
        assert statuses.count(429) == 20
    finally:
        api.close()


# --- faults ------------------------------------------------------------------------------------


def test_error_faults(api: Api, server: SandboxServer) -> None:
    server.faults = FaultConfig(error_rate=1.0, seed=1)
    seen: set[int] = set()
    retry_after = False
    for _ in range(30):
        response = api.get("/rest/v1.0/me")
        seen.add(response.status_code)
        retry_after = retry_after or response.headers.get("Retry-After") == "1"
        assert "X-Rate-Limit-Limit" in response.headers
    assert seen == {500, 503}
    assert retry_after
    # OAuth is never faulted.
    token = api.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": server.client_id,
            "client_secret": server.client_secret,
        },
    )
    assert token.status_code == 200


def test_error_faults_do_not_apply_the_write(api: Api, server: SandboxServer) -> None:
    code = server.project_cost_codes(d.RIVERSIDE_CLINIC)[3]
    server.faults = FaultConfig(error_rate=1.0, seed=3)
    response = api.patch(f"/rest/v1.0/cost_codes/{code['id']}", {"cost_code": {"name": "changed"}})
    assert response.status_code in (500, 503)
    assert server.project_cost_codes(d.RIVERSIDE_CLINIC)[3]["name"] == code["name"]


def test_drop_closes_without_answer_but_applies_the_write(api: Api, server: SandboxServer) -> None:
    code = server.project_cost_codes(d.RIVERSIDE_CLINIC)[3]
    server.faults = FaultConfig(drop_rate=1.0, paths=r"^/rest/v1\.0/cost_codes/\d+$")
    with pytest.raises(httpx.RemoteProtocolError):
        api.patch(
            f"/rest/v1.0/cost_codes/{code['id']}",
            {
                "project_id": d.RIVERSIDE_CLINIC,
                "cost_code": {"code": code["code"], "name": "changed"},
            },
        )
    assert server.requests[-1].status == 0
    assert server.project_cost_codes(d.RIVERSIDE_CLINIC)[3]["name"] == "changed"
    # Paths outside the regex are untouched.
    assert api.get("/rest/v1.0/me").status_code == 200


def test_malformed_answers(api: Api, server: SandboxServer) -> None:
    server.faults = FaultConfig(malformed_rate=1.0)
    response = api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    # Only 200 JSON answers are cut.
    missing = api.get("/rest/v1.0/cost_codes", project_id=1)
    assert missing.json()["message"]


def test_burst_429(api: Api, server: SandboxServer) -> None:
    server.faults = FaultConfig(burst_429_every=3, burst_429_length=2)
    statuses = [api.get("/rest/v1.0/me").status_code for _ in range(10)]
    assert statuses == [200, 200, 200, 429, 429, 200, 200, 200, 429, 429]
    refused = api.get("/rest/v1.0/me")
    assert refused.status_code == 200
    server.faults = FaultConfig(burst_429_every=1, burst_429_length=1)
    api.get("/rest/v1.0/me")
    burst = api.get("/rest/v1.0/me")
    assert burst.status_code == 429
    assert burst.headers["Retry-After"] == "1"
    assert burst.headers["X-Rate-Limit-Remaining"] == "0"


def test_random_faults_repeat_with_a_seed(server: SandboxServer) -> None:
    def run() -> list[int]:
        server.faults = FaultConfig(error_rate=0.5, seed=42)
        api = Api(server, server.issue_token())
        try:
            return [api.get("/rest/v1.0/me").status_code for _ in range(20)]
        finally:
            api.close()

    first = run()
    assert first == run()
    assert 200 in first
    assert len(set(first)) > 1


def test_latency_fault_still_answers(api: Api, server: SandboxServer) -> None:
    server.faults = FaultConfig(latency=0.05)
    assert api.get("/rest/v1.0/me").status_code == 200
    assert server.faults.latency == 0.05


def test_fault_config_validation() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        FaultConfig(error_rate=1.5)
    with pytest.raises(ValueError, match="paths"):
        FaultConfig(paths="(")


def test_faults_given_at_construction() -> None:
    with SandboxServer(demo_seed(), faults=FaultConfig(error_rate=1.0)) as server:
        token = server.issue_token()
        response = httpx.get(
            f"{server.url}/rest/v1.0/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code in (500, 503)


def test_the_default_limits_are_procores_published_examples() -> None:
    """plan_your_app/rate_limiting.md (January 2026): 600 an hour, 25 per 10 seconds."""
    assert RateLimitConfig() == RateLimitConfig(hourly=600, spike=25, spike_window=10.0)
    args = build_parser().parse_args([])
    assert (args.hourly_limit, args.spike_limit) == (600, 25)
    with SandboxServer(demo_seed()) as server:
        assert server.rate_limits == RateLimitConfig()
        api = Api(server, server.issue_token())
        try:
            answers = [api.get("/rest/v1.0/me") for _ in range(26)]
        finally:
            api.close()
        assert answers[0].headers["X-Rate-Limit-Limit"] == "25", "the nearer window is reported"
        assert [a.status_code for a in answers].count(429) == 1


def test_simulated_time_jumps_over_waits_and_overlapping_ones_cost_the_longest() -> None:
    clock = SimulatedTime(start=1_000_000.0)
    started = clock.now()
    waited: list[float] = []

    def wait(seconds: float) -> None:
        clock.now()  # as the client reads the clock before it decides to wait
        barrier.wait()
        clock.sleep(seconds)
        waited.append(seconds)

    barrier = threading.Barrier(3)
    threads = [threading.Thread(target=wait, args=(s,)) for s in (10.0, 30.0, 20.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waited) == [10.0, 20.0, 30.0]
    assert 30 <= clock.now() - started < 31, "three overlapping waits: the longest, not the sum"
    clock.now()
    clock.sleep(5)
    assert 35 <= clock.now() - started < 36
    with SandboxServer(demo_seed(), simulated=clock) as server:
        assert abs(server.clock.now() - clock.now()) < 1
