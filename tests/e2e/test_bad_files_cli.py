"""costcode-sync over bad local files: the demo's database and the refresh history. It runs,
says what it found and where the history went; nothing is deleted that a user could miss."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from costcode_desktop.services.history.store import HistoryStore
from tests.sandbox_support import run_main

HARBORVIEW = "562949953421314"


def test_the_command_rebuilds_a_bad_demo_and_moves_a_bad_history_aside(tmp_path: Path) -> None:
    exe = shutil.which("costcode-sync", path=str(Path(sys.executable).parent))
    assert exe is not None, "the costcode-sync entry point is installed"
    (tmp_path / "data").mkdir()
    demo = tmp_path / "data" / "demo-sandbox.sqlite3"
    demo.write_bytes(bytes(8192))  # a file of zeros
    history = tmp_path / "data" / "history.sqlite3"
    history.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # a damaged header
    env = {**os.environ, "COSTCODESYNC_HOME": str(tmp_path)}
    done = subprocess.run(
        [exe, "--demo", "--demo-reset", "refresh", "--project", HARBORVIEW],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Verified: the project now matches the company list." in done.stdout
    warnings = [line for line in done.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 2, done.stderr
    assert f"The demo's saved state at {demo} could not be read" in warnings[0]
    (aside,) = (tmp_path / "data").glob("history.sqlite3.corrupt-*")
    assert re.fullmatch(r"history\.sqlite3\.corrupt-\d{8}-\d{6}", aside.name)
    assert f"The refresh history at {history} could not be read" in warnings[1]
    assert f"It was moved to {aside}" in warnings[1]
    assert aside.read_bytes().startswith(b"SQLite format 3\x00\xff")
    with HistoryStore(history) as store:
        assert len(store.runs()) == 1, "the new history has this run"


def test_a_folder_where_the_demo_database_goes_is_moved_aside(tmp_path: Path) -> None:
    demo = Path(os.environ["COSTCODESYNC_HOME"]) / "data" / "demo-sandbox.sqlite3"
    demo.mkdir(parents=True)
    (demo / "notes.txt").write_text("mine", encoding="utf-8")
    code, out, err = run_main("--demo", "status", "--project", HARBORVIEW, "--json")
    assert code == 0, err
    assert json.loads(out)["projects"][0]["id"] == int(HARBORVIEW)
    moved = demo.with_name(demo.name + ".not-a-database")
    assert (moved / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert err.startswith("costcode-sync: warning: The demo's saved state at ")
    assert "it is a folder, not a file" in err
    assert str(moved) in err
