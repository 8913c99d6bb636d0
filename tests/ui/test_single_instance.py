from __future__ import annotations

import getpass
import hashlib
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from costcode_desktop.services import paths
from costcode_desktop.ui.main.single_instance import SingleInstance, instance_name


def test_the_second_claim_hands_over_to_the_first(qtbot: QtBot) -> None:
    name = f"CostCodeSync-test-{uuid.uuid4().hex[:8]}"
    first, second = SingleInstance(name), SingleInstance(name)
    assert first.claim()
    with qtbot.waitSignal(first.activation_requested, timeout=10_000):
        assert not second.claim()
    first.release()
    assert second.claim(), "once the first is gone, the next start runs"
    second.release()


def test_a_second_launch_of_the_app_brings_the_first_forward(
    qtbot: QtBot, isolated_home: Path
) -> None:
    running = SingleInstance(instance_name())  # this test plays the first copy
    assert running.claim()
    exe = Path(sys.executable).parent / "costcode-desktop"
    env = {**os.environ, "COSTCODESYNC_HOME": str(isolated_home), "QT_QPA_PLATFORM": "offscreen"}
    finished: list[subprocess.CompletedProcess[str]] = []

    def launch() -> None:
        finished.append(
            subprocess.run(
                [str(exe), "--demo"], env=env, capture_output=True, text=True, timeout=120
            )
        )

    with qtbot.waitSignal(running.activation_requested, timeout=60_000):
        thread = threading.Thread(target=launch)
        thread.start()
    thread.join(120)
    running.release()
    assert finished[0].returncode == 0
    assert "already running" in finished[0].stdout


def test_the_name_is_per_user_and_data_folder_and_as_earlier_versions_made_it(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of an earlier version, still running, is found by the next one's launch."""
    name = instance_name()
    where = f"{getpass.getuser()}|{paths.data_dir()}"
    assert name == "CostCodeSync-" + hashlib.sha256(where.encode()).hexdigest()[:16]
    assert instance_name() == name
    monkeypatch.setenv("COSTCODESYNC_HOME", str(isolated_home.with_name("another-home")))
    assert instance_name() != name
