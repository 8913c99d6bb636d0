from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests never need a screen, and never touch the user's real folders.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "costcodesync-home"
    monkeypatch.setenv("COSTCODESYNC_HOME", str(home))
    return home
