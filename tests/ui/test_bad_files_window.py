"""The window over bad local files: the demo's database and the refresh history. It starts as
usual and says, in the banner until dismissed, what it found and where the history went."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.main.window import MainWindow
from tests.bad_files import BAD_FILES

from .conftest import run_app, shot


@pytest.mark.parametrize("reset", [False, True], ids=["--demo", "--demo-reset"])
def test_the_demo_over_a_bad_database_and_history_says_so(
    qtbot: QtBot, tmp_path: Path, isolated_home: Path, reset: bool
) -> None:
    data = isolated_home / "data"
    data.mkdir(parents=True)
    demo = data / "demo-sandbox.sqlite3"
    BAD_FILES["zeros"](demo, lambda _path: None)
    history = data / "history.sqlite3"
    BAD_FILES["another application's"](history, lambda _path: None)
    window = MainWindow(settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1640, 880)
    window.show()
    with qtbot.waitSignal(window.checks_finished, timeout=120_000):
        window.open_demo(reset=reset)
    assert len(window.projects.model.rows()) == 12, "the demo works"
    banner = window.banner
    assert banner.property("state") == "ok"
    text = banner.message.text()
    assert f"The demo's saved state at {demo} could not be read" in text
    (aside,) = data.glob("history.sqlite3.corrupt-*")
    assert f"The refresh history at {history} could not be read" in text
    assert f"It was moved to {aside}" in text
    assert banner.dismiss_button.isVisible(), "it stays until the user dismisses it"
    shot(window, tmp_path / "screenshots", f"bad-files-{'reset' if reset else 'demo'}")
    window.close()


@pytest.mark.parametrize("flags", [("--demo",), ("--demo", "--demo-reset")], ids=" ".join)
def test_the_app_starts_its_demo_over_a_damaged_database(tmp_path: Path, flags: tuple[str]) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    demo = home / "data" / "demo-sandbox.sqlite3"
    demo.write_bytes(b"file is not a database" * 1000)
    target = tmp_path / "window.png"
    done = run_app(
        *flags, "--screenshot", str(target),
        env={"COSTCODESYNC_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    log = (home / "log" / "costcodesync.log").read_text(encoding="utf-8")
    assert re.search(rf"The demo's saved state at {re.escape(str(demo))} could not be read", log)
