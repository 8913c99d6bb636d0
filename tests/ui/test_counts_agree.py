"""The window, `costcode-sync status`, `costcode-sync refresh` and `costcode-desktop --self-test`
say the same number out of date for the same data (testers saw 8, 8, "7 of 11 active" and 7 on
the demo: the window and `status` counted the inactive Pinecrest, the other two did not).
Sub jobs (Sage Extras) are counted by the same rule, apart from the projects, in all four.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.ui.main.window import MainWindow
from tests.sandbox_support import run_cli

from .conftest import COMPANY
from .self_test_support import run_self_test

OUT_OF_DATE = 7  # the demo's active projects a refresh would change (Summit Ridge included)
SUB_JOBS_OUT_OF_DATE = 1  # Riverside Clinic's E02 (its E01 is in sync)


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} not in {text!r}"
    return int(found.group(1))


def self_test_counts(qtbot: QtBot, tmp_path: Path) -> tuple[int, int]:
    test, output = run_self_test(qtbot, tmp_path)
    assert test.passed, output
    return (
        number(r"12 projects, (\d+) out of date", output),
        number(r"12 projects, \d+ out of date, and (\d+) sub jobs?", output),
    )


def test_the_four_counts_agree_on_the_demo(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot, tmp_path: Path
) -> None:
    in_window = number(r"(\d+) out of date", window.projects.count_label.text())
    jobs_in_window = number(r"· (\d+) sub jobs? out of date", window.projects.count_label.text())
    assert f"Checked 12 projects: {in_window} out of date, and {jobs_in_window} sub job." in (
        window.statusBar().currentMessage()
    )

    code, out, err = run_cli(sandbox, str(COMPANY), "status")
    assert code == 0, err
    in_status = number(r"12 projects, (\d+) out of date", out)
    jobs_in_status = number(r"2 sub jobs, (\d+) out of date", out)

    code, _out, err = run_cli(sandbox, str(COMPANY), "refresh", "--all-out-of-date", "--dry-run")
    assert code == 0, err
    in_refresh = number(r"(\d+) of 11 active projects are out of date", err)
    jobs_in_refresh = number(r"of 11 active projects are out of date, and (\d+) sub jobs?\.", err)

    (tmp_path / "self-test").mkdir()
    by_self_test, jobs_by_self_test = self_test_counts(qtbot, tmp_path / "self-test")
    assert (in_window, in_status, in_refresh, by_self_test) == (OUT_OF_DATE,) * 4
    assert (jobs_in_window, jobs_in_status, jobs_in_refresh, jobs_by_self_test) == (
        SUB_JOBS_OUT_OF_DATE,
    ) * 4
