"""A failure records the request it belongs to, for IT's Details: method, path, request id,
network or HTTP, never the query or the token."""

from __future__ import annotations

import httpx
import pytest

from costcode_desktop.procore import ConnectionFailed, NotFound

from .helpers import TOKEN, Harness, fast_retry, reply


def test_an_http_error_names_its_request_and_procores_request_id() -> None:
    answer = reply({"errors": "Not found"}, 404, {"X-Request-Id": "req-123"})
    harness = Harness(answer)
    with pytest.raises(NotFound) as caught:
        harness.client.project(42, 7)
    error = caught.value
    assert (error.method, error.path) == ("GET", "/rest/v1.0/projects/7")
    assert error.request_id == "req-123"
    assert not error.network
    details = error.technical_details()
    assert "Request: GET /rest/v1.0/projects/7\n" in details, "no query string"
    assert "Kind: HTTP error 404 (Procore answered)" in details
    assert "Procore request id: req-123" in details
    assert "Server said: " in details
    assert TOKEN not in details


def test_a_network_error_is_not_the_server_speaking() -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    harness = Harness(refused, retry=fast_retry(2))
    with pytest.raises(ConnectionFailed) as caught:
        harness.client.project(42, 7)
    error = caught.value
    assert error.network
    assert (error.method, error.path) == ("GET", "/rest/v1.0/projects/7")
    details = error.technical_details()
    assert "Kind: network error (no answer from Procore)" in details
    assert "Network error: ConnectError" in details
    assert "Server said" not in details
    assert "Proxy: none (a direct connection)" in details
    assert TOKEN not in details
