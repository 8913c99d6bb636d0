"""A hostile answer nested 100,000 deep is a malformed answer, not a RecursionError traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from costcode_desktop.procore import (
    AuthenticationFailed,
    ClientCredentials,
    InvalidRequest,
    MalformedResponse,
    ProcoreClient,
    ProcoreError,
    RetryPolicy,
)

from .helpers import TOKEN, Harness

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000

Call = Callable[[ProcoreClient], Any]

CALLS: dict[str, Call] = {
    "me": lambda c: c.me(),
    "companies": lambda c: c.companies(),
    "projects": lambda c: c.projects(42),
    "project": lambda c: c.project(42, 11),
    "wbs segments": lambda c: c.wbs_segments(42),
    "standard codes": lambda c: c.standard_cost_codes(42, 7),
    "cost codes": lambda c: c.cost_codes(42, 11),
    "copy": lambda c: c.copy_subset_from_standard_list(42, 11, 7, [1]),
    "sync": lambda c: c.sync_cost_codes(42, 11, [(1, "x")]),
    "update": lambda c: c.update_cost_code(42, 11, 5, "x", code="01", parent_id=None),
}


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
def test_a_deeply_nested_answer_is_malformed(call: Call, body: bytes) -> None:
    h = Harness(httpx.Response(200, content=body), retry=RetryPolicy(max_attempts=1))
    with pytest.raises(MalformedResponse) as caught:
        call(h.client)
    assert caught.value.detail == "The answer is nested too deeply to read."
    assert caught.value.status == 200
    assert str(caught.value) == MalformedResponse.default_message


def test_a_deeply_nested_error_body_still_gives_the_status_error() -> None:
    h = Harness(httpx.Response(422, content=DEEP), retry=RetryPolicy(max_attempts=1))
    with pytest.raises(InvalidRequest) as caught:
        h.client.update_cost_code(42, 11, 5, "x", code="01", parent_id=None)
    assert caught.value.status == 422
    assert TOKEN not in caught.value.technical_details()


@pytest.mark.parametrize(
    ("status", "error"),
    [(200, MalformedResponse), (400, AuthenticationFailed), (401, AuthenticationFailed)],
)
def test_a_deeply_nested_sign_in_answer_is_refused_plainly(
    status: int, error: type[ProcoreError]
) -> None:
    answer = httpx.Response(status, content=DEEP)
    http = httpx.Client(transport=httpx.MockTransport(lambda _request: answer))
    tokens = ClientCredentials("https://login.example.test/", "client-id-1", "s3cret", http=http)
    with pytest.raises(error) as caught:
        tokens.bearer_token()
    assert caught.value.status == status
    assert "s3cret" not in caught.value.technical_details()
