"""Started where there is no screen: one line that says so and how to run offscreen, not Qt's
abort with its advice to reinstall; --screenshot and --self-test choose offscreen themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from costcode_desktop.display import display_missing

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the display comes from the environment on Linux"
)
_SCREEN_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def _run_without_display(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCREEN_VARIABLES}
    env["COSTCODESYNC_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "costcode_desktop.app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


def test_the_window_without_a_display_says_so_in_one_line(tmp_path: Path) -> None:
    done = _run_without_display("--demo", home=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "No display found (DISPLAY/WAYLAND_DISPLAY not set)" in lines[0]
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "reinstall" not in done.stderr.lower()


def test_a_screenshot_without_a_display_is_taken_offscreen(tmp_path: Path) -> None:
    target = tmp_path / "shot.png"
    done = _run_without_display("--demo", "--screenshot", str(target), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({}, True),
        ({"DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"DISPLAY": ""}, True),
    ],
)
def test_what_counts_as_a_display_on_linux(environ: dict[str, str], missing: bool) -> None:
    assert display_missing(environ, "linux") is missing


def test_windows_and_macos_always_have_one() -> None:
    assert not display_missing({}, "win32")
    assert not display_missing({}, "darwin")
