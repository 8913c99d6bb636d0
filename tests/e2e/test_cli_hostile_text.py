"""Names from Procore are hostile text: costcode-sync shows their control characters escaped on
stdout and stderr, so none acts on a terminal or forges a line in a nightly job's log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.demo import (
    CEDAR_RIDGE_FIRE_STATION,
    HARBORVIEW_APARTMENTS,
    LINCOLN_ELEMENTARY,
    OAKMONT_WATER_PLANT,
    ST_MARYS_GARAGE,
    WESTGATE_OFFICE_PARK,
)
from tests.sandbox_support import run_cli, run_main, running

COMPANY = "4264807"
FORGED = "refreshed     'Payroll Vault': added 99 codes."
# Each kind of control character, in the names of out-of-date projects (all refreshed).
NAMES = {
    HARBORVIEW_APARTMENTS: "Harborview\x1b[2J\x1b[31m Apartments\x1b[0m",  # clear, red
    WESTGATE_OFFICE_PARK: "Westgate\x1b]0;owned\x07 Office Park",  # OSC: the window title
    LINCOLN_ELEMENTARY: "Lincoln\x07\x00 Elementary",  # BEL, NUL
    ST_MARYS_GARAGE: "St. Mary's \u202eegaraG\u202c \u2066Garage\u2069\u200f",  # bidi controls
    CEDAR_RIDGE_FIRE_STATION: f"Cedar Ridge\n{FORGED}\r\x85\u2028",  # new lines
    OAKMONT_WATER_PLANT: "Oakmont\tWater Plant – Zürich Süd",  # a tab; accents stay
}
# What each shows instead: visible escapes.
SHOWN = [
    r"Harborview\x1b[2J\x1b[31m Apartments\x1b[0m",
    r"Westgate\x1b]0;owned\x07 Office Park",
    r"Lincoln\x07\x00 Elementary",
    r"St. Mary's \u202eegaraG\u202c \u2066Garage\u2069\u200f",
    rf"Cedar Ridge\n{FORGED}\r\x85\u2028",
    r"Oakmont\tWater Plant – Zürich Süd",
]
CODE_NAME = "Safety\x1b[8m Manager\u202e"  # a company code the refresh adds (hidden text)
EDITED = "Façade\x1b[1A\x1b[2K Panels"  # a project's description the refresh restores


def hostile_seed() -> dict[str, Any]:
    seed = demo_seed()
    company = seed["companies"][0]
    company["name"] = "Example\x1b]0;x\x07 Builders"
    for project in company["projects"]:
        project["name"] = NAMES.get(project["id"], project["name"])
        for code in project["cost_codes"]:
            if project["id"] == ST_MARYS_GARAGE and code["full_code"] == "07-400":
                code["name"] = EDITED
    for code_list in company["standard_cost_code_lists"]:
        if code_list["is_erp_list"]:
            code_list["name"] += "\x1b[1m"
            for code in code_list["codes"]:
                if code["full_code"] == "01-016":
                    code["name"] = CODE_NAME
    return seed


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(hostile_seed(), simulated=SimulatedTime()))


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    return run_cli(server, COMPANY, *args)


def assert_plain(text: str) -> None:
    """No character that acts on a terminal or breaks a line, but the line ends themselves."""
    raw = [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch != "\n" and unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}
    ]
    assert raw == [], f"raw control characters reached the output: {raw}"
    assert not any(line.startswith(FORGED) for line in text.splitlines()), "a forged line"


def test_the_status_table_shows_names_escaped(server: SandboxServer) -> None:
    code, out, err = run(server, "status")
    assert code == 0, err
    assert_plain(out + err)
    for shown in SHOWN:
        assert shown in out
    assert r"Sage 300 CRE Standard Cost Code List\x1b[1m (305 codes" in out
    header, *rows = (line for line in out.splitlines()[1:] if "  yes  " in line or "Active" in line)
    assert len(rows) > len(NAMES)
    for row in rows:  # the escapes take their room: the columns stay aligned
        assert row.index("  yes  ") + 2 == header.index("Active"), row


def test_refresh_lines_progress_and_codes_show_escaped(server: SandboxServer) -> None:
    code, out, err = run(server, "refresh", "--all-out-of-date")
    assert code == 0, err
    assert_plain(out + err)
    for shown in SHOWN:
        assert shown in out
    assert r"] Harborview\x1b[2J\x1b[31m Apartments\x1b[0m: " in err, "progress on stderr"


def test_one_project_refresh_and_dry_run_show_code_names_escaped(server: SandboxServer) -> None:
    target = str(HARBORVIEW_APARTMENTS)
    code, out, err = run(server, "refresh", "--project", target, "--dry-run")
    assert code == 0, err
    assert_plain(out + err)
    assert r"would add     01-016  Safety\x1b[8m Manager\u202e" in out

    code, out, err = run(server, "refresh", "--all-out-of-date", "--dry-run")
    assert code == 0, err
    assert_plain(out + err)
    assert rf"A refresh of 'Cedar Ridge\n{FORGED}\r\x85\u2028' would add" in out

    code, out, err = run(server, "refresh", "--project", target)
    assert code == 0, err
    assert_plain(out + err)
    assert r"added         01-016  Safety\x1b[8m Manager\u202e" in out

    edited = str(ST_MARYS_GARAGE)
    for dry_run, kind in ((["--dry-run"], "would update"), ([], "updated     ")):
        code, out, err = run(server, "refresh", "--project", edited, *dry_run)
        assert code == 0, err
        assert_plain(out + err)
        assert (
            rf"{kind}  07-400  'Façade\x1b[1A\x1b[2K Panels' -> 'Roofing and Siding Panels'" in out
        )


def test_cached_status_shows_the_company_name_escaped(server: SandboxServer) -> None:
    assert run(server, "status", "--json")[0] == 0
    code, out, err = run(server, "status", "--cached")
    assert code == 0, err
    assert_plain(out + err)
    assert r"Last-known state of Example\x1b]0;x\x07 Builders" in out


def test_json_keeps_names_exact_and_the_output_plain(server: SandboxServer) -> None:
    code, out, err = run(server, "status", "--json")
    assert code == 0, err
    assert_plain(out + err)
    names = {p["id"]: p["name"] for p in json.loads(out)["projects"]}
    assert {pid: names[pid] for pid in NAMES} == NAMES, "json.loads gives the names back"

    code, out, err = run(server, "refresh", "--all-out-of-date", "--json")
    assert code == 0, err
    assert (err, out.isascii()) == ("", True)
    report = {p["project"]["id"]: p for p in json.loads(out)["projects"]}
    assert report[CEDAR_RIDGE_FIRE_STATION]["project"]["name"] == NAMES[CEDAR_RIDGE_FIRE_STATION]


@pytest.mark.parametrize(
    ("args", "env", "shown"),
    [
        (["status", "--project", "12\x1b]0;x\x07"], {}, r"not '12\x1b]0;x\x07'"),
        (["--company", "\u202e4264807"], {}, r"not '\u202e4264807'"),
        (["status"], {"PROCORE_COMPANY_ID": "1\n" + FORGED}, r"not '1\nrefreshed  "),
    ],
)
def test_error_messages_show_what_was_given_escaped(
    args: list[str], env: dict[str, str], shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_main("--token", "t", "--base-url", "https://api.example.com", *args)
    assert code == 2
    assert_plain(out + err)
    assert err.count("\n") == 1, "one line"
    assert shown in err


def test_a_nightly_log_gets_no_forged_line_and_no_control_character(tmp_path: Path) -> None:
    """As the README's nightly job runs it: stdout and stderr appended to one log file."""
    no_limits = RateLimitConfig(hourly=0, spike=0)  # the command runs on the wall clock
    log = tmp_path / "nightly.log"
    with SandboxServer(hostile_seed(), rate_limits=no_limits) as server, log.open("ab") as file:
        env = {**os.environ, "COSTCODESYNC_HOME": str(tmp_path / "home")}
        env["PROCORE_CLIENT_SECRET"] = server.client_secret
        argv = ["--base-url", server.url, "--client-id", server.client_id, "--company", COMPANY]
        done = subprocess.run(
            [sys.executable, "-m", "costcode_desktop.cli", *argv, "refresh", "--all-out-of-date"],
            stdout=file, stderr=subprocess.STDOUT, env=env, timeout=120, check=False,
        )  # fmt: skip
    text = log.read_bytes().decode("utf-8")
    assert done.returncode == 0, text
    assert_plain(text)
    assert rf"'Cedar Ridge\n{FORGED}\r\x85\u2028': added 1 code." in text
    assert "Zürich Süd" in text, "accents stay as they are"
