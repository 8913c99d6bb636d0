from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests never need a screen, and never touch the user's real folders.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "costcodesync-home"
    monkeypatch.setenv("COSTCODESYNC_HOME", str(home))
    yield home
