"""A desktop that Qt cannot draw on: the reason is printed, not only a bare "Aborted"."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_app


def test_a_platform_plugin_that_cannot_load_says_why(tmp_path: Path) -> None:
    done = run_app("--demo", env={"COSTCODESYNC_HOME": str(tmp_path), "QT_QPA_PLATFORM": "none"})
    assert done.returncode != 0
    # Qt's own reason, said while the application was being made...
    assert 'Could not find the Qt platform plugin "none"' in done.stderr
    # ...and its fatal message, which Qt aborts after.
    assert "no Qt platform plugin could be initialized" in done.stderr
    # Both are in the log too, for a user who started it without a console.
    log = (tmp_path / "log" / "costcodesync.log").read_text(encoding="utf-8")
    assert 'Could not find the Qt platform plugin "none"' in log
