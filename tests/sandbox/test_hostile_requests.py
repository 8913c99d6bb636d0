"""Requests no honest client sends, over real loopback sockets: the sandbox answers them as
Procore would (400, 404, 413) or lets the client go, and never prints a traceback for them."""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterator

import pytest

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox import demo as d
from costcode_desktop.sandbox.handler import MAX_BODY, SandboxRequestHandler

from .conftest import Api
from .rawhttp import RawConnection

COPY = "/rest/v1.0/cost_codes/copy_subset_from_standard_list"
DEEP = b"[" * 100_000 + b"]" * 100_000
BIG = 2**63
ERROR_MODEL = {"code", "message", "fields", "reason", "error"}  # Procore's generic v1 errors


@pytest.fixture
def quiet(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[pytest.LogCaptureFixture]:
    """After the test: no traceback on stderr, nothing logged above debug by the sandbox."""
    caplog.set_level(logging.DEBUG, logger="costcode_desktop.sandbox")
    yield caplog
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    loud = [r for r in caplog.records if r.levelno > logging.DEBUG and "sandbox" in r.name]
    assert not loud, [r.getMessage() for r in loud]


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(d.COMPANY_ID)}


# --- JSON nested 100,000 deep ----------------------------------------------------------------


@pytest.mark.usefixtures("quiet")
def test_a_deeply_nested_body_answers_400_and_the_connection_stays_usable(
    server: SandboxServer,
) -> None:
    token = server.issue_token()
    with RawConnection(server.url) as conn:
        conn.request(
            "POST",
            COPY,
            {
                **headers(token),
                "Content-Type": "application/json",
                "Content-Length": str(len(DEEP)),
            },
            DEEP,
        )
        refused = conn.answer()
        assert refused.status == 400
        assert set(refused.json()) == ERROR_MODEL
        assert refused.json()["reason"] == "malformed_json"
        assert "nested too deeply" in refused.json()["message"]
        conn.request("GET", "/rest/v1.0/me", headers(token))
        assert conn.answer().status == 200  # the same connection, still answering
    assert server.requests[0].status == 400
    assert server.requests[0].json_body is None


@pytest.mark.usefixtures("quiet")
def test_a_lone_surrogate_in_a_body_answers_400(api: Api, server: SandboxServer) -> None:
    code = server.project_cost_codes(d.RIVERSIDE_CLINIC)[2]
    response = api.http.patch(
        f"/rest/v1.0/cost_codes/{code['id']}",
        content=f'{{"project_id": {d.RIVERSIDE_CLINIC}, "cost_code": '
        f'{{"code": "{code["code"]}", "name": "A\\ud800"}}}}'.encode(),
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["reason"] == "malformed_json"
    assert server.project_cost_codes(d.RIVERSIDE_CLINIC)[2]["name"] == code["name"]


# --- chunked bodies --------------------------------------------------------------------------


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize(
    "chunks",
    [
        b"-1\r\n",  # once read the socket to its end, past the 16 MiB cap
        b"-0\r\n",
        b"+5\r\nhello\r\n0\r\n\r\n",
        b"0x5\r\nhello\r\n0\r\n\r\n",
        b"1_0\r\n",
        b"zz\r\n",
        b"\r\n",
        b"5\r\nhello, longer than five\r\n0\r\n\r\n",
        b"5" * 2000 + b"\r\n",  # a size line longer than any real one
    ],
    ids=["-1", "-0", "+5", "0x5", "1_0", "zz", "empty", "overlong chunk", "overlong line"],
)
def test_bad_chunk_sizes_answer_400_and_close(server: SandboxServer, chunks: bytes) -> None:
    token = server.issue_token()
    with RawConnection(server.url) as conn:
        conn.request(
            "POST",
            COPY,
            {**headers(token), "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            chunks,
        )
        answer = conn.answer()
        assert answer.status == 400
        assert set(answer.json()) == ERROR_MODEL
        assert "chunk" in answer.json()["message"]
        assert conn.closed_by_server()
    assert server.requests == []  # refused before it reached the API


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize(
    "size_line",
    [b"F" * 20, b"7FFFFFFFFFFFFFFF", b"1000001", b"0000000001000001"],
    ids=["hex overflow", "2**63-1", "cap+1", "cap+1 with zeros"],
)
def test_a_chunk_larger_than_the_cap_answers_413_without_reading_it(
    server: SandboxServer, size_line: bytes
) -> None:
    token = server.issue_token()
    with RawConnection(server.url) as conn:
        conn.request("POST", COPY, {**headers(token), "Transfer-Encoding": "chunked"})
        conn.send(size_line + b"\r\n")  # and no data: the answer must not wait for it
        answer = conn.answer()
        assert answer.status == 413
        assert set(answer.json()) == ERROR_MODEL
        assert conn.closed_by_server()


@pytest.mark.usefixtures("quiet")
def test_the_cap_holds_for_the_decoded_total_of_many_chunks(server: SandboxServer) -> None:
    token = server.issue_token()
    half = MAX_BODY // 2
    with RawConnection(server.url) as conn:
        conn.request("POST", COPY, {**headers(token), "Transfer-Encoding": "chunked"})
        conn.send(b"%x\r\n" % half + b" " * half + b"\r\n")
        conn.send(b"%x\r\n" % (half + 1))  # one byte over the cap, in all
        assert conn.answer().status == 413
    assert server.requests == []


# --- ids of 2**63 and more -------------------------------------------------------------------


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize(
    "path",
    [
        f"/rest/v1.0/projects/{BIG}",
        f"/rest/v1.1/projects/{2**64}",
        f"/rest/v1.0/cost_codes/{BIG}?project_id={d.RIVERSIDE_CLINIC}",
        f"/rest/v1.0/companies/{BIG}/work_breakdown_structure/segments",
        f"/rest/v1.0/companies/{d.COMPANY_ID}/work_breakdown_structure/segments/{BIG}/lists",
        f"/rest/v1.0/projects/{'9' * 5000}",
    ],
    ids=["project", "project v1.1", "cost code", "company", "segment", "5,000 digits"],
)
def test_ids_too_large_in_paths_answer_404(api: Api, path: str) -> None:
    response = api.http.get(path, headers=api.headers())
    assert response.status_code == 404
    assert set(response.json()) == ERROR_MODEL
    patch = api.patch(f"/rest/v1.0/cost_codes/{BIG}", {"project_id": d.RIVERSIDE_CLINIC})
    assert patch.status_code == 404


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/rest/v1.0/cost_codes", {"project_id": BIG}),
        ("/rest/v1.0/cost_codes", {"project_id": -BIG - 1}),
        ("/rest/v1.1/projects", {"company_id": d.COMPANY_ID, "filters[id][]": BIG}),
        ("/rest/v1.0/cost_codes", {"project_id": d.RIVERSIDE_CLINIC, "filters[id]": f"1,{BIG}"}),
        (
            "/rest/v1.0/standard_cost_codes",
            {"company_id": d.COMPANY_ID, "standard_cost_code_list_id": 2**70},
        ),
        ("/rest/v1.0/settings/permissions", {"project_id": BIG}),
        ("/rest/v1.1/projects", {"company_id": d.COMPANY_ID, "page": BIG}),
    ],
    ids=[
        "project_id",
        "negative",
        "filters[id][]",
        "filters[id]",
        "list id",
        "permissions",
        "page",
    ],
)
def test_ids_too_large_in_queries_answer_400(
    api: Api, path: str, params: dict[str, object]
) -> None:
    response = api.get(path, **params)
    assert response.status_code == 400
    assert "64-bit integer" in response.json()["message"]


@pytest.mark.usefixtures("quiet")
def test_ids_too_large_in_the_company_header_or_a_body_are_refused(
    api: Api, server: SandboxServer
) -> None:
    header = api.http.get(
        "/rest/v1.1/projects",
        params={"company_id": d.COMPANY_ID},
        headers={**api.headers(), "Procore-Company-Id": str(BIG)},
    )
    assert header.status_code == 403
    assert header.json()["reason"] == "unknown_company"
    assert api.post(COPY, {"project_id": BIG, "standard_cost_code_ids": [1]}).status_code == 400
    std_id = server.standard_codes(d.ERP_LIST_ID)[0]["id"]
    body = {"project_id": d.RIVERSIDE_CLINIC, "standard_cost_code_list_id": BIG}
    assert api.post(COPY, {**body, "standard_cost_code_ids": [std_id]}).status_code == 400
    sync = api.patch(
        "/rest/v1.0/cost_codes/sync",
        {"project_id": d.RIVERSIDE_CLINIC, "updates": [{"id": BIG, "name": "x"}]},
    )
    assert sync.status_code in (200, 400)  # Procore answers per item: either way, no 500
    assert all(r.status != 500 for r in server.requests)


# --- clients that go away early --------------------------------------------------------------


def _reset(conn: RawConnection) -> None:
    """Close with a TCP reset (no orderly close): the sandbox's next write or read fails."""
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def test_clients_that_disconnect_early_leave_no_traceback(
    server: SandboxServer, quiet: pytest.LogCaptureFixture
) -> None:
    token = server.issue_token()
    get_codes = f"/rest/v1.0/cost_codes?project_id={d.RIVERSIDE_CLINIC}&per_page=1000"
    ways = 0

    def way() -> RawConnection:
        nonlocal ways
        ways += 1
        return RawConnection(server.url)

    conn = way()  # asks, then resets before reading the answer
    conn.request("GET", get_codes, headers(token))
    _reset(conn)
    conn = way()  # half a request line
    conn.send(b"GET /rest/v1.0/me HT")
    conn.close()
    conn = way()  # headers promising more body than ever comes
    conn.request("POST", COPY, {**headers(token), "Content-Length": "100"}, b'{"project_id"')
    conn.close()
    conn = way()  # a chunked body cut off in a chunk
    conn.request("POST", COPY, {**headers(token), "Transfer-Encoding": "chunked"}, b"10\r\nabc")
    conn.close()
    conn = way()  # a chunked body cut off between chunks
    conn.request("POST", COPY, {**headers(token), "Transfer-Encoding": "chunked"}, b"3\r\nabc\r\n")
    _reset(conn)
    conn = way()  # reads half of a long answer, then resets
    conn.request("GET", get_codes, headers(token))
    conn.sock.recv(100)
    _reset(conn)
    assert server.wait_closed(ways)
    assert "went away" in quiet.text


def test_real_errors_in_the_handler_stay_visible(
    server: SandboxServer, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: SandboxRequestHandler) -> None:
        raise RuntimeError("a bug in the sandbox")

    monkeypatch.setattr(SandboxRequestHandler, "_dispatch", broken)
    with RawConnection(server.url) as conn:
        conn.request("GET", "/rest/v1.0/me")
        assert conn.closed_by_server()
    assert server.wait_closed(1)
    err = capfd.readouterr().err
    assert "Traceback" in err
    assert "RuntimeError: a bug in the sandbox" in err
