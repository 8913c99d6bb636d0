"""`costcode-sync status --cached`: the last-known state, with its age, and not one request."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from costcode_desktop.sandbox import SandboxServer, demo_seed
from tests.sandbox_support import run_cli, run_main, running

COMPANY = "4264807"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed()))


def test_cached_status_shows_the_last_status_with_its_age_and_sends_nothing(
    server: SandboxServer,
) -> None:
    code, online, _ = run_cli(server, COMPANY, "status", "--json")
    assert code == 0
    server.clear_requests()

    code, out, err = run_cli(server, COMPANY, "status", "--cached")
    assert code == 0, err
    assert server.requests == [], "no request at all, not even a sign-in"
    assert out.startswith("Last-known state of Example Builders, as of ")
    assert "nothing was sent to Procore" in out
    assert "Checked" in out.splitlines()[3]
    assert "12 projects, 7 out of date; 1 inactive project with differences not counted." in out

    code, out, _ = run_cli(server, COMPANY, "status", "--cached", "--json")
    assert code == 0
    assert server.requests == []
    cached = json.loads(out)
    assert cached["cached"] is True
    assert cached["company"] == {"id": int(COMPANY), "name": "Example Builders"}
    fresh = {p["id"]: p for p in json.loads(online)["projects"]}
    for project in cached["projects"]:
        assert project["checked_at"]
        assert project["last_failure"] is None
        same = fresh[project["id"]]
        assert (project["state"], project["counts"]) == (same["state"], same["counts"])


def test_cached_status_works_with_procore_out_of_reach(server: SandboxServer) -> None:
    assert run_cli(server, COMPANY, "status")[0] == 0
    url, client_id, secret = server.url, server.client_id, server.client_secret
    server.stop()  # nothing answers there any more

    code, out, err = run_main(
        "--base-url", url, "--client-id", client_id, "--client-secret", secret,
        "--company", COMPANY, "status", "--cached", "--project", "562949953421316",
    )  # fmt: skip
    assert code == 0, err
    assert "Lincoln Elementary School Addition" in out
    assert "1 project, 1 out of date." in out
    assert "Harborview" not in out


def test_cached_status_with_nothing_kept_says_what_to_do(server: SandboxServer) -> None:
    code, out, err = run_cli(server, COMPANY, "status", "--cached")
    assert code == 2
    assert out == ""
    assert "nothing is kept on this computer" in err
    assert "without --cached" in err
    assert server.requests == []
