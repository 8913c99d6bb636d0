"""A desktop that Qt cannot draw on: the reason is printed, not only a bare "Aborted"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_platform_plugin_that_cannot_load_says_why(tmp_path: Path) -> None:
    env = dict(os.environ, COSTCODESYNC_HOME=str(tmp_path), QT_QPA_PLATFORM="nosuchplatform")
    done = subprocess.run(
        [sys.executable, "-m", "costcode_desktop.app", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    # Qt's own reason, said while the application was being made...
    assert 'Could not find the Qt platform plugin "nosuchplatform"' in done.stderr
    # ...and its fatal message, which Qt aborts after.
    assert "no Qt platform plugin could be initialized" in done.stderr
    # Both are in the log too, for a user who started it without a console.
    log = (tmp_path / "log" / "costcodesync.log").read_text(encoding="utf-8")
    assert "nosuchplatform" in log
