"""HTTP behaviour, the request log, persistence in a file and the command line."""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from costcode_desktop.sandbox import SandboxServer, demo_seed, load_seed
from costcode_desktop.sandbox import demo as d
from costcode_desktop.sandbox.cli import main
from tests.sandbox_support import read_banner

from .conftest import Api, codes_by_full


def test_keep_alive_reuses_one_connection(server: SandboxServer) -> None:
    token = server.issue_token()
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", "/rest/v1.0/me", headers={"Authorization": f"Bearer {token}"})
        first = conn.getresponse()
        assert first.status == 200
        first.read()
        sock = conn.sock
        assert sock is not None
        conn.request("GET", "/rest/v1.0/nope", headers={"Authorization": f"Bearer {token}"})
        second = conn.getresponse()
        assert second.status == 404
        assert json.loads(second.read())["message"] == "Not Found"
        assert conn.sock is sock
    finally:
        conn.close()


def test_methods_and_routes(http: httpx.Client) -> None:
    assert http.get("/rest/v1.0/nope").status_code == 404
    assert http.get("/").status_code == 404
    head = http.head("/rest/v1.0/me")
    assert head.status_code == 405
    assert head.content == b""
    assert http.request("FOO", "/rest/v1.0/me").status_code == 405
    delete = http.delete("/rest/v1.0/cost_codes/sync")
    assert delete.status_code == 405
    assert "PATCH" in delete.headers["Allow"]


def test_chunked_request_body(api: Api, server: SandboxServer) -> None:
    code = server.project_cost_codes(d.RIVERSIDE_CLINIC)[2]

    def chunks() -> Iterator[bytes]:
        yield f'{{"project_id": {d.RIVERSIDE_CLINIC}, "cost_code": '.encode()
        yield f'{{"code": "{code["code"]}", "name": "Chunked"}}}}'.encode()

    response = api.http.patch(
        f"/rest/v1.0/cost_codes/{code['id']}",
        content=chunks(),
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Chunked"


def test_request_log(api: Api, server: SandboxServer) -> None:
    server.clear_requests()
    api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID, **{"filters[id][]": [1, 2]})
    api.patch("/rest/v1.0/cost_codes/sync", {"updates": []}, project_id=d.RIVERSIDE_CLINIC)
    first, second = server.requests
    assert first.method == "GET"
    assert first.path == "/rest/v1.1/projects"
    assert first.query == {"company_id": [str(d.COMPANY_ID)], "filters[id][]": ["1", "2"]}
    assert first.status == 200
    assert first.company_header == str(d.COMPANY_ID)
    assert first.json_body is None
    assert second.json_body == {"updates": []}
    server.clear_requests()
    assert server.requests == []


def test_refuses_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(demo_seed(), host="0.0.0.0")


def test_inspection_errors(server: SandboxServer) -> None:
    with pytest.raises(KeyError):
        server.project_cost_codes(1)
    with pytest.raises(KeyError):
        server.standard_codes(1)
    with pytest.raises(ValueError, match="already"):
        server.add_standard_code(d.ERP_LIST_ID, "01", "Dup")
    with pytest.raises(ValueError, match="parent"):
        server.add_standard_code(d.ERP_LIST_ID, "99-100", "Orphan", "99")
    with pytest.raises(KeyError):
        server.set_project_code_name(d.RIVERSIDE_CLINIC, "99-999", "x")


def test_url_before_start_raises() -> None:
    server = SandboxServer(demo_seed())
    try:
        with pytest.raises(RuntimeError):
            _ = server.url
    finally:
        server.stop()


# --- persistence -------------------------------------------------------------------------------


def test_file_db_keeps_state_and_reset_reseeds(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with SandboxServer(demo_seed(), db_path=db) as server:
        assert not server.reused_state
        server.set_project_code_name(d.RIVERSIDE_CLINIC, "01-010", "Edited")
        token = server.issue_token()
    with SandboxServer(demo_seed(), db_path=db) as server:
        assert server.reused_state
        assert codes_by_full(server, d.RIVERSIDE_CLINIC)["01-010"]["name"] == "Edited"
        me = httpx.get(f"{server.url}/rest/v1.0/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    with SandboxServer(demo_seed(), db_path=db, reset=True) as server:
        assert not server.reused_state
        assert codes_by_full(server, d.RIVERSIDE_CLINIC)["01-010"]["name"] == "Project Manager"


@pytest.mark.parametrize("version", ["4", "5"])
def test_a_demo_left_at_an_older_version_is_reseeded_once(tmp_path: Path, version: str) -> None:
    """Version 4 meant the PKCE verifier on main and Example Builders West on connector-rules;
    5 meant Example Builders West on main and sub jobs on sub-jobs: a file from any of these
    builds starts again from the seed (so it has them all), and only once."""
    db = tmp_path / "sandbox.db"
    with SandboxServer(demo_seed(), db_path=db) as server:
        server.set_project_code_name(d.RIVERSIDE_CLINIC, "01-010", "Edited")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    conn.close()
    with SandboxServer(demo_seed(), db_path=db) as server:
        assert not server.reused_state
        assert codes_by_full(server, d.RIVERSIDE_CLINIC)["01-010"]["name"] == "Project Manager"
        server.set_project_code_name(d.RIVERSIDE_CLINIC, "01-010", "Edited again")
    with SandboxServer(demo_seed(), db_path=db) as server:
        assert server.reused_state
        assert codes_by_full(server, d.RIVERSIDE_CLINIC)["01-010"]["name"] == "Edited again"


# --- command line ------------------------------------------------------------------------------


def test_write_demo_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo.json"
    assert main(["--write-demo-seed", str(target)]) == 0
    assert load_seed(target) == demo_seed()
    assert str(target) in capsys.readouterr().out


def test_cli_refuses_bad_seed_and_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"app": {}}', encoding="utf-8")
    assert main(["--seed", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.json" in err
    assert main(["--host", "192.0.2.1"]) == 2
    assert "loopback" in capsys.readouterr().err
    assert main(["--error-rate", "3"]) == 2
    assert main(["--db", str(tmp_path / "missing" / "x.db")]) == 1
    assert "database" in capsys.readouterr().err


def test_cli_serves_until_interrupted(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "costcode_desktop.sandbox",
            "--port",
            "0",
            "--db",
            str(tmp_path / "x.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        text = read_banner(proc)
        url = text.split("running at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        assert "demo-client" in text
        assert "demo-secret" in text
        assert str(d.COMPANY_ID) in text
        token = httpx.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            },
        ).json()["access_token"]
        me = httpx.get(
            f"{url}/rest/v1.0/me",
            headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(d.COMPANY_ID)},
        )
        assert me.status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
