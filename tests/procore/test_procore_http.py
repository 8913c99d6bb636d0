"""The request loop: retries, waits, rate limits, cancel, error mapping, logging."""

from __future__ import annotations

import email.utils
import logging
import time

import httpx
import pytest

from costcode_desktop.procore import (
    AuthenticationFailed,
    Cancelled,
    CancelToken,
    Conflict,
    ConnectionFailed,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ProcoreError,
    RateLimited,
    RetryPolicy,
    ServerError,
    TimedOut,
)

from .helpers import API, FIXED_NOW, TOKEN, Harness, reply, text

ME = {"id": 7, "login": "pat@example.test", "name": "Pat"}
PROJECT = {"id": 11, "name": "Tower", "project_number": "T-1", "active": True}


def connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("The read operation timed out", request=request)


def read_error(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError(
        "Server disconnected without sending a response.", request=request
    )


def copy(h: Harness) -> object:
    return h.client.copy_subset_from_standard_list(1, 2, 3, [4])


COPY_OK: dict[str, list[object]] = {"successes": [], "failures": []}


# -- headers -----------------------------------------------------------------------------------


def test_headers_on_every_request() -> None:
    h = Harness(steps=[reply(ME), reply([]), reply(PROJECT)])
    h.client.me()
    h.client.companies()
    h.client.project(42, 11)
    for request in h.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/json"
        assert request.headers["user-agent"].startswith("CostCodeSync/")
    me, companies, project = h.requests
    assert "procore-company-id" not in me.headers
    assert "procore-company-id" not in companies.headers
    assert project.headers["procore-company-id"] == "42"
    assert project.url.params["company_id"] == "42"
    assert "content-type" not in me.headers


def test_writes_send_json_with_content_type() -> None:
    h = Harness(steps=[reply(COPY_OK, 201), reply({"entities": [], "errors": []})])
    h.client.copy_subset_from_standard_list(42, 2, 3, [4])
    h.client.sync_cost_codes(42, 2, [(5, "Name")])
    for request in h.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["procore-company-id"] == "42"


def test_custom_user_agent_and_timeout_are_explicit() -> None:
    from costcode_desktop.procore import ProcoreClient, StaticToken

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply(ME)

    client = ProcoreClient(
        API,
        StaticToken("t"),
        transport=httpx.MockTransport(handler),
        user_agent="Bench/1",
        timeout=45,
    )
    with client:
        client.me()
    assert seen[0].headers["user-agent"] == "Bench/1"
    assert seen[0].extensions["timeout"] == {"connect": 10, "read": 45, "write": 45, "pool": 45}


# -- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        reply({"error": "boom"}, 500),
        reply({"error": "bad gateway"}, 502),
        reply({"error": "unavailable"}, 503),
        reply({"error": "gateway timeout"}, 504),
        text("<html>oops</html>", 200),
        text("", 200),
        text('{"id": 7, "lo', 200),
        connect_error,
        read_timeout,
        read_error,
    ],
    ids=[
        "500",
        "502",
        "503",
        "504",
        "html-200",
        "empty-200",
        "truncated-json",
        "connect",
        "timeout",
        "dropped",
    ],
)
def test_idempotent_get_is_retried_then_succeeds(failure: object) -> None:
    h = Harness(steps=[failure, failure, reply(ME)])  # type: ignore[list-item]
    assert h.client.me().name == "Pat"
    assert len(h.requests) == 3
    assert h.client.request_count == 3
    assert len(h.waits) == 2
    assert h.waits[0] <= 0.5
    assert h.waits[1] <= 1.0
    assert h.reasons[0][0].endswith("(attempt 2 of 5)")
    assert h.reasons[1][0].endswith("(attempt 3 of 5)")


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (reply({"error": "boom"}, 500), ServerError),
        (reply({"error": "unavailable"}, 503), ServerError),
        (text("not json", 200), MalformedResponse),
        (connect_error, ConnectionFailed),
        (read_timeout, TimedOut),
        (read_error, ConnectionFailed),
    ],
)
def test_exhausted_retries_raise_the_right_error(
    failure: object, error: type[ProcoreError]
) -> None:
    h = Harness(failure, retry=RetryPolicy(max_attempts=4))  # type: ignore[arg-type]
    with pytest.raises(error) as caught:
        h.client.me()
    assert len(h.requests) == 4
    assert len(h.waits) == 3
    assert TOKEN not in caught.value.technical_details()
    if error in (ConnectionFailed, TimedOut):
        assert caught.value.detail


def test_backoff_is_capped_by_max_delay() -> None:
    h = Harness(reply({}, 500), retry=RetryPolicy(max_attempts=10, base_delay=1.0, max_delay=3.0))
    with pytest.raises(ServerError):
        h.client.me()
    assert len(h.waits) == 9
    assert all(0 <= wait <= 3.0 for wait in h.waits)


def test_patch_sync_is_retried_like_a_get() -> None:
    ok = reply({"entities": [], "errors": []})
    h = Harness(steps=[reply({}, 502), read_timeout, ok])
    result = h.client.sync_cost_codes(1, 2, [(3, "x")])
    assert result.errors == ()
    assert len(h.requests) == 3
    assert h.requests[0].content == h.requests[2].content


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (reply({"error": "boom"}, 500), ServerError),
        (reply({"error": "unavailable"}, 503, {"Retry-After": "5"}), ServerError),
        (reply({"error": "gateway"}, 504), ServerError),
        (read_timeout, TimedOut),
        (read_error, ConnectionFailed),
        (text("garbage", 201), MalformedResponse),
    ],
)
def test_post_copy_is_not_retried_when_it_may_have_landed(
    failure: object, error: type[ProcoreError]
) -> None:
    h = Harness(steps=[failure, reply(COPY_OK, 201)])  # type: ignore[list-item]
    with pytest.raises(error):
        copy(h)
    assert len(h.requests) == 1
    assert h.waits == []


def test_post_copy_is_retried_on_429() -> None:
    h = Harness(
        steps=[reply({"error": "slow down"}, 429, {"Retry-After": "3"}), reply(COPY_OK, 201)]
    )
    result = h.client.copy_subset_from_standard_list(1, 2, 3, [4])
    assert result.status == 201
    assert len(h.requests) == 2
    assert 3 <= h.waits[0] <= 5


def test_post_copy_is_retried_when_the_connection_was_never_made() -> None:
    h = Harness(steps=[connect_error, reply(COPY_OK, 201)])
    assert copy(h) is not None
    assert len(h.requests) == 2


# -- rate limits -------------------------------------------------------------------------------


def test_retry_after_seconds_wins() -> None:
    headers = {"Retry-After": "7", "X-Rate-Limit-Reset": str(int(FIXED_NOW) + 600)}
    h = Harness(steps=[reply({}, 429, headers), reply(ME)])
    h.client.me()
    assert 7 <= h.waits[0] <= 9
    ((reason, seconds),) = h.reasons
    assert seconds == h.waits[0]
    resume = time.strftime("%H:%M", time.localtime(FIXED_NOW + seconds))
    assert reason == f"Procore limit reached; resuming at {resume}"


def test_retry_after_http_date() -> None:
    moment = email.utils.formatdate(FIXED_NOW + 20, usegmt=True)
    h = Harness(steps=[reply({}, 429, {"Retry-After": moment}), reply(ME)])
    h.client.me()
    assert 20 <= h.waits[0] <= 22


def test_rate_limit_reset_is_used_without_retry_after() -> None:
    headers = {
        "X-Rate-Limit-Limit": "3600",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(int(FIXED_NOW) + 312),
    }
    h = Harness(steps=[reply({}, 429, headers), reply(ME)])
    h.client.me()
    assert 312 <= h.waits[0] <= 314
    assert h.reasons[0][0].startswith("Procore limit reached; resuming at ")


def test_rate_limit_reset_measured_against_the_server_date() -> None:
    server_now = FIXED_NOW - 3600  # our clock is an hour ahead of Procore's
    headers = {
        "Date": email.utils.formatdate(server_now, usegmt=True),
        "X-Rate-Limit-Reset": str(int(server_now) + 60),
    }
    h = Harness(steps=[reply({}, 429, headers), reply(ME)])
    h.client.me()
    assert 60 <= h.waits[0] <= 62


def test_429_without_hints_backs_off() -> None:
    h = Harness(steps=[reply({}, 429), reply({}, 429), reply(ME)])
    h.client.me()
    assert len(h.waits) == 2
    assert all(wait <= 1.0 + 2.0 for wait in h.waits)


def test_503_with_retry_after_waits_like_a_rate_limit() -> None:
    h = Harness(steps=[reply({}, 503, {"Retry-After": "30"}), reply(ME)])
    h.client.me()
    assert 30 <= h.waits[0] <= 32
    assert h.reasons[0][0].startswith("Procore is busy; resuming at ")


def test_wait_longer_than_allowed_raises_rate_limited_at_once() -> None:
    reset = FIXED_NOW + 4000  # beyond one hourly window: waiting is not worth it
    h = Harness(
        steps=[reply({"message": "Too many"}, 429, {"X-Rate-Limit-Reset": str(int(reset))})]
    )
    with pytest.raises(RateLimited) as caught:
        h.client.me()
    assert caught.value.reset_at == pytest.approx(reset)
    assert caught.value.status == 429
    assert caught.value.detail == "Too many"
    assert h.waits == []
    assert time.strftime("%H:%M", time.localtime(reset)) in str(caught.value)


def test_exhausted_429_raises_rate_limited_with_reset() -> None:
    h = Harness(
        reply({}, 429, {"Retry-After": "2"}),
        retry=RetryPolicy(max_attempts=3, max_rate_limit_wait=60),
    )
    with pytest.raises(RateLimited) as caught:
        h.client.me()
    assert caught.value.reset_at == pytest.approx(FIXED_NOW + 2)
    assert len(h.requests) == 3
    assert len(h.waits) == 2


def test_rate_limit_status_is_recorded() -> None:
    headers = {
        "X-Rate-Limit-Limit": "3600",
        "X-Rate-Limit-Remaining": "3599",
        "X-Rate-Limit-Reset": "1700003600",
    }
    h = Harness(steps=[reply(ME, headers=headers)])
    assert h.client.rate_limit.limit is None
    h.client.me()
    status = h.client.rate_limit
    assert (status.limit, status.remaining, status.reset_at) == (3600, 3599, 1700003600.0)


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_during_a_wait() -> None:
    cancel = CancelToken()

    def cancel_while_sleeping(seconds: float, token: CancelToken | None) -> None:
        assert token is cancel
        cancel.cancel()

    h = Harness(reply({}, 429, {"Retry-After": "120"}), on_sleep=cancel_while_sleeping)
    with pytest.raises(Cancelled):
        h.client.me(cancel=cancel)
    assert len(h.requests) == 1


def test_cancel_during_backoff_of_a_paginated_read() -> None:
    cancel = CancelToken()
    h = Harness(reply({}, 500), on_sleep=lambda seconds, token: cancel.cancel())
    with pytest.raises(Cancelled):
        h.client.cost_codes(1, 2, cancel=cancel)
    assert len(h.requests) == 1


def test_cancelled_before_start_sends_nothing() -> None:
    cancel = CancelToken()
    cancel.cancel()
    h = Harness(reply(ME))
    with pytest.raises(Cancelled):
        h.client.me(cancel=cancel)
    assert h.requests == []


def test_default_sleep_wakes_on_cancel() -> None:
    from costcode_desktop.procore import ProcoreClient, StaticToken

    cancel = CancelToken()
    reasons: list[str] = []

    def on_wait(reason: str, seconds: float) -> None:
        reasons.append(reason)
        cancel.cancel()  # e.g. the user pressed Cancel while the banner showed the wait

    client = ProcoreClient(
        API,
        StaticToken("t"),
        transport=httpx.MockTransport(lambda r: reply({}, 429, {"Retry-After": "600"})),
        on_wait=on_wait,
    )
    with pytest.raises(Cancelled):
        client.me(cancel=cancel)
    assert len(reasons) == 1


# -- error mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error", "message_part"),
    [
        (400, {"errors": "project_id is missing"}, InvalidRequest, "project_id is missing"),
        (422, {"errors": {"name": ["is locked by ERP"]}}, InvalidRequest, "name: is locked by ERP"),
        (401, {"error": "invalid_token"}, AuthenticationFailed, "Sign in again"),
        (403, {"errors": "You do not have access"}, PermissionDenied, "'Admin' on the project"),
        (
            403,
            {"error": "App is not connected to this company"},
            PermissionDenied,
            "CostCodeSync app is not installed in this Procore company",
        ),
        (404, {"errors": "Not Found"}, NotFound, "could not find"),
        (409, {"message": "Duplicate origin_id"}, Conflict, "Duplicate origin_id"),
        (413, {"errors": "Too many items"}, PayloadTooLarge, "1,000"),
        (405, text("Method Not Allowed", 405), InvalidRequest, "Method Not Allowed"),
    ],
)
def test_error_mapping(
    status: int, body: object, error: type[ProcoreError], message_part: str
) -> None:
    response = body if isinstance(body, httpx.Response) else reply(body, status)
    response.headers["X-Request-Id"] = "req-123"
    h = Harness(steps=[response])
    with pytest.raises(error) as caught:
        h.client.project(1, 2)
    assert message_part in str(caught.value)
    assert caught.value.status == status
    assert caught.value.request_id == "req-123"
    assert caught.value.detail
    assert len(h.requests) == 1


def test_app_not_installed_message_is_exact() -> None:
    h = Harness(steps=[reply({"errors": "App is not installed"}, 403)])
    with pytest.raises(PermissionDenied) as caught:
        h.client.projects(1)
    assert str(caught.value) == (
        "The CostCodeSync app is not installed in this Procore company. Ask your Procore "
        "administrator to install it from the App Marketplace / App Management."
    )


def test_server_error_keeps_request_id_and_detail() -> None:
    h = Harness(
        text("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, {"X-Request-Id": "r9"})
    )
    with pytest.raises(ServerError) as caught:
        h.client.me()
    assert caught.value.request_id == "r9"
    assert caught.value.detail == "502 Bad Gateway"


def test_token_echoed_in_an_error_body_is_hidden() -> None:
    h = Harness(steps=[reply({"errors": f"token {TOKEN} is not valid here"}, 400)])
    with pytest.raises(InvalidRequest) as caught:
        h.client.me()
    assert TOKEN not in caught.value.technical_details()
    assert "[hidden]" in str(caught.value)


def test_redirect_is_not_followed() -> None:
    h = Harness(steps=[httpx.Response(301, headers={"Location": "https://elsewhere.test/"})])
    with pytest.raises(ProcoreError) as caught:
        h.client.me()
    assert "redirect" in str(caught.value)
    assert len(h.requests) == 1


def test_records_with_wrong_shapes_are_malformed_not_key_errors() -> None:
    h = Harness(
        steps=[reply({"login": "x"}), reply({"id": "abc", "name": "A"}), reply({"oops": 1})]
    )
    for _ in range(2):
        with pytest.raises(MalformedResponse):
            h.client.me()
    with pytest.raises(MalformedResponse):
        h.client.companies()
    assert len(h.requests) == 3  # valid JSON of the wrong shape is not retried


# -- logging -----------------------------------------------------------------------------------


def test_one_debug_line_per_request_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="costcode_desktop.procore")
    h = Harness(steps=[reply({}, 500), reply(PROJECT, headers={"X-Request-Id": "abc-1"})])
    h.client.project(42, 11)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(lines) == 2
    assert lines[1].startswith("GET /rest/v1.0/projects/11?company_id=42 -> 200 request_id=abc-1 ")
    assert lines[1].endswith("attempt 2")
    assert "api.example.test" not in lines[1]
    for record in caplog.records:
        message = record.getMessage()
        assert TOKEN not in message
        assert "Bearer" not in message
        assert "Tower" not in message  # no bodies


# -- construction and sharing ------------------------------------------------------------------


def test_api_url_is_validated() -> None:
    from costcode_desktop.procore import ProcoreClient, StaticToken

    with pytest.raises(ValueError, match="https://"):
        ProcoreClient("http://api.example.test", StaticToken("t"))
    client = ProcoreClient("http://127.0.0.1:8765/", StaticToken("t"))
    assert client.api_url == "http://127.0.0.1:8765"
    client.close()


def test_malformed_record_keeps_the_request_id() -> None:
    h = Harness(steps=[reply({"name": "no id"}, headers={"X-Request-Id": "rid-77"})])
    with pytest.raises(MalformedResponse) as caught:
        h.client.project(1, 2)
    assert caught.value.request_id == "rid-77"
    assert caught.value.status == 200
    assert "'id' is missing" in (caught.value.detail or "")


def test_rate_limit_reset_given_as_seconds_from_now() -> None:
    h = Harness(steps=[reply({}, 429, {"X-Rate-Limit-Reset": "45"}), reply(ME)])
    h.client.me()
    assert 45 <= h.waits[0] <= 47
    assert h.client.rate_limit.reset_at == pytest.approx(FIXED_NOW + 45)


def test_one_client_shared_by_eight_threads() -> None:
    import threading

    counter = {"n": 0}
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            counter["n"] += 1
            n = counter["n"]
        if n % 5 == 0:
            return reply({}, 503)  # some retries along the way
        company = int(request.headers["procore-company-id"])
        return reply(
            {"id": company, "name": f"P{company}", "project_number": None},
            headers={"X-Rate-Limit-Remaining": str(10_000 - n), "X-Rate-Limit-Limit": "10000"},
        )

    h = Harness(handler, retry=RetryPolicy(max_attempts=20))
    results: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def worker(company: int) -> None:
        try:
            results[company] = [h.client.project(company, 1).id for _ in range(25)]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == {c: [c] * 25 for c in range(1, 9)}
    assert h.client.request_count == len(h.requests) == counter["n"]
    assert h.client.request_count >= 200
    assert h.client.rate_limit.limit == 10000
