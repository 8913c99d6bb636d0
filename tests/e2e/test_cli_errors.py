"""costcode-sync's problems: one plain line on stderr each, never a traceback, the exit code the
README documents; its log records go to the app's log file, not to stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.cli import commands
from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.demo import HARBORVIEW_APARTMENTS
from costcode_desktop.services import logging_setup
from tests.sandbox_support import run_cli, run_main, running

COMPANY = "4264807"
SIGN_IN = ("--token", "a-token", "--company", COMPANY)
LONG_URL = "https://" + "a" * 100_000 + ".example.com"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def one_line(err: str) -> str:
    """stderr holds exactly one line, a plain message: no traceback, no usage block."""
    lines = err.splitlines()
    assert len(lines) == 1, err[:2000]
    assert lines[0].startswith("costcode-sync"), lines[0]
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--base-url", LONG_URL, *SIGN_IN, "status"], "The API address is too long (100,020"),
        (["--base-url", "ftp://api.example.com", *SIGN_IN, "status"], "starting with https://"),
        (["--base-url", "https://", *SIGN_IN, "status"], "full address starting with https://"),
        (["--base-url", "https://exa!mple.com", *SIGN_IN, "status"], "invalid server name"),
        (["--base-url", "https://[::1", *SIGN_IN, "status"], "invalid server name"),
        (
            ["--base-url", "https://api.example.com", "--login-url", LONG_URL, *SIGN_IN, "status"],
            "The sign-in (login) address is too long",
        ),
        (["--demo", "status", "--project", str(2**70)], "from 1 to 9223372036854775807, not '1180"),
        (["--demo", "status", "--project", str(2**63)], "from 1 to 9223372036854775807"),
        (["--demo", "refresh", "--project", "0"], "from 1 to 9223372036854775807, not '0'"),
        (["--demo", "refresh", "--project", "-5"], "not '-5'"),
        (["--demo", "status", "--project", "12a"], "not '12a'"),
        (["--demo", "--company", "1" * 5000, "status"], "not '111111111111111111111111…'"),
        (["--demo", "refresh", "--concurrency", "many"], "invalid int value: 'many'"),
        (["--demo"], "the following arguments are required"),
    ],
)
def test_command_line_mistakes_are_one_line_and_exit_2(args: list[str], said: str) -> None:
    code, out, err = run_main(*args)
    assert (code, out) == (2, "")
    assert said in one_line(err)


def test_a_url_or_id_in_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_BASE_URL", LONG_URL)
    code, _, err = run_main(*SIGN_IN, "status")
    assert code == 2
    assert "The API address is too long" in one_line(err)

    monkeypatch.setenv("PROCORE_BASE_URL", "https://api.example.com")
    monkeypatch.setenv("PROCORE_COMPANY_ID", str(2**70))
    code, _, err = run_main("--token", "a-token", "status")
    assert code == 2
    assert "PROCORE_COMPANY_ID: a Procore id is a whole number from 1 to" in one_line(err)


def test_the_largest_procore_id_is_accepted(server: SandboxServer) -> None:
    code, out, err = run_cli(server, COMPANY, "status", "--project", str(2**63 - 1), "--json")
    assert (code, err) == (2, ""), "accepted and asked; --json keeps stderr quiet"
    project = json.loads(out)["projects"][0]
    assert project["state"] == "no_access", "Procore has none"
    assert project["message"].startswith(f"No project {2**63 - 1} in company Example Builders")


def home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    return home


def read_only_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "read-only"
    home.mkdir()
    home.chmod(0o555)
    try:
        (home / "probe").mkdir()
    except PermissionError:
        return home  # the system refuses, as it does for any user but root
    (home / "probe").rmdir()
    # Root may write anywhere: refuse as the system does for everyone else.
    make_folder = Path.mkdir

    def refused(path: Path, *args: object, **kwargs: object) -> None:
        if home in path.parents:
            raise PermissionError(13, "Permission denied", str(path))
        make_folder(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refused)
    return home


@pytest.mark.parametrize("make_home", [home_that_is_a_file, read_only_home])
@pytest.mark.parametrize("command", [["status"], ["refresh", "--all-out-of-date", "--json"]])
def test_an_unusable_files_folder_is_one_line_and_exit_2(
    make_home: object, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callable(make_home)
    home = make_home(tmp_path, monkeypatch)
    monkeypatch.setenv("COSTCODESYNC_HOME", str(home))
    try:
        code, out, err = run_main("--demo", *command)
    finally:
        home.chmod(0o755)
    assert (code, out) == (2, "")
    line = one_line(err)
    assert line.startswith(f"costcode-sync: error: cannot write CostCodeSync's files in {home}")
    assert line.endswith("point COSTCODESYNC_HOME at a folder you may write to, or unset it.")


def test_an_unexpected_error_is_one_line_exit_1_and_the_traceback_is_logged(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the cache went away")

    monkeypatch.setattr(commands, "status", broken)
    code, out, err = run_cli(server, COMPANY, "status")
    assert (code, out) == (1, "")
    log = logging_setup.log_file()
    assert one_line(err) == (
        f"costcode-sync: error: RuntimeError: the cache went away (the details are in {log})"
    )
    logged = log.read_text(encoding="utf-8")
    assert "stopped by an unexpected error" in logged
    assert "Traceback" in logged


def test_ctrl_c_before_a_refresh_is_one_line_and_exit_130(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "check_projects", interrupted)
    code, _, err = run_cli(server, COMPANY, "status")
    assert code == 130
    assert one_line(err) == "costcode-sync: stopped (Ctrl+C)."


def test_log_records_go_to_the_log_file_and_json_keeps_stderr_quiet(tmp_path: Path) -> None:
    """The cache and the history cannot be read: the command says so in its log file, as the
    desktop app does, and in the JSON (where the unreadable history went); nothing reaches
    stderr through Python's last-resort handler (a process of its own: that handler is what
    prints when logging is not set up)."""
    home = tmp_path / "home"
    env = {**os.environ, "COSTCODESYNC_HOME": str(home)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "costcode_desktop.cli", "--demo", *args],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip

    for folder, name in (("cache", "cache.sqlite3"), ("data", "history.sqlite3")):
        (home / folder).mkdir(parents=True)
        (home / folder / name).write_text("not a database")
    status = run("status", "--json")
    refresh = run("refresh", "--project", str(HARBORVIEW_APARTMENTS), "--json")

    assert (status.returncode, status.stderr) == (0, "")
    assert (refresh.returncode, refresh.stderr) == (0, "")
    assert json.loads(refresh.stdout)["outcome"] == "refreshed"
    logged = (home / "log" / "costcodesync.log").read_text(encoding="utf-8")
    assert "cache.sqlite3 cannot be read" in logged
    assert "a new history was started" in logged  # the unreadable one is moved aside
    assert "moved to" in json.loads(refresh.stdout)["notice"]
