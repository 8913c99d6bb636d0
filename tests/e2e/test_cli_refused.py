"""A nightly `refresh --all-out-of-date` and the projects it may not refresh: the demo user is not
Admin on Summit Ridge Data Center, which stays out of date. Once every other project is in sync
the job succeeds and names it; --fail-on-refused makes such a run fail with its own code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.cli.parser import build_parser
from costcode_desktop.sandbox import FaultConfig, SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.demo import SUMMIT_RIDGE_DATA_CENTER
from tests.sandbox_support import run_cli, running

COMPANY = "4264807"
NIGHTLY = ("refresh", "--all-out-of-date")
SKIPPED_LINE = (
    "skipped       24-080: You need 'Admin' on the Admin tool of "
    "'Summit Ridge Data Center' in Procore to refresh its cost codes."
)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    # These count projects; the demo's sub jobs have their own tests (test_cli_sub_jobs.py).
    return run_cli(server, COMPANY, *args, "--no-sub-jobs")


def test_the_night_after_everything_it_may_refresh_is_in_sync_succeeds(
    server: SandboxServer,
) -> None:
    first, out, _ = run(server, *NIGHTLY)
    assert first == 0
    assert "6 of 7 projects refreshed, 1 skipped." in out

    code, out, err = run(server, *NIGHTLY)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(SKIPPED_LINE), "by number and name, with the reason"
    assert (
        lines[1]
        == "1 project skipped, listed above: not a failure (--fail-on-refused makes it one)."
    )
    assert len(lines) == 3  # and the summary

    code, out, _ = run(server, *NIGHTLY, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["skipped"] == 1
    (skipped,) = report["projects"]
    assert skipped["state"] == skipped["outcome"] == "refused"
    assert skipped["project"] == {
        "id": SUMMIT_RIDGE_DATA_CENTER, "name": "Summit Ridge Data Center", "number": "24-080",
    }  # fmt: skip
    assert "You need 'Admin'" in skipped["message"]
    assert run(server, *NIGHTLY, "--dry-run")[0] == 0, "the dry run exits as the run would"


def test_fail_on_refused_fails_a_run_that_skipped_a_project_with_exit_3(
    server: SandboxServer,
) -> None:
    code, out, _ = run(server, *NIGHTLY, "--fail-on-refused", "--dry-run")
    assert code == 3
    code, out, _ = run(server, *NIGHTLY, "--fail-on-refused")
    assert code == 3, "six refreshed, one skipped"
    assert "1 project skipped, listed above: with --fail-on-refused, the run fails." in out
    assert out.splitlines()[-1].startswith("6 of 7 projects refreshed, 1 skipped.")

    assert run(server, *NIGHTLY, "--fail-on-refused", "--json")[0] == 3, "Summit Ridge only"
    named = ("--project", str(SUMMIT_RIDGE_DATA_CENTER))
    assert run(server, "refresh", *named)[0] == 2, "asked for by name: nothing done"
    assert run(server, "refresh", *named, "--fail-on-refused")[0] == 3


def test_a_failure_still_outranks_a_refusal(server: SandboxServer) -> None:
    server.faults = FaultConfig(error_rate=1.0, paths="copy_subset")  # every copy fails
    code, out, _ = run(server, *NIGHTLY, "--fail-on-refused", "--json")
    assert code == 1, "St. Mary's was refreshed (descriptions only), the copies failed"
    counts = json.loads(out)["counts"]
    assert (counts["refreshed"], counts["skipped"], counts["failed"]) == (1, 1, 5)


def test_the_help_and_the_readme_list_the_same_exit_codes() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("- Exit codes", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"^  - `(\d+)` ", section, re.MULTILINE)
    helped = build_parser().format_help().split("exit codes:", 1)[1]
    assert re.findall(r"^  (\d+) ", helped, re.MULTILINE) == documented == [
        "0", "1", "2", "3", "4", "130",
    ]  # fmt: skip
