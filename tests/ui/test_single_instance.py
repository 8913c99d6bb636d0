from __future__ import annotations

import getpass
import hashlib
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from costcode_desktop.services import paths
from costcode_desktop.ui.main import single_instance
from costcode_desktop.ui.main.single_instance import SingleInstance, instance_name


def a_name() -> str:
    return f"CostCodeSync-test-{uuid.uuid4().hex[:8]}"


def test_the_second_claim_hands_over_to_the_first(qtbot: QtBot) -> None:
    name = a_name()
    first, second = SingleInstance(name), SingleInstance(name)
    assert first.claim()
    with qtbot.waitSignal(first.activation_requested, timeout=10_000):
        assert not second.claim()
    first.release()
    assert second.claim(), "once the first is gone, the next start runs"
    second.release()


def test_a_first_copy_that_listens_later_is_first_meanwhile_and_asked_forward_after(
    qtbot: QtBot,
) -> None:
    name = a_name()
    first = SingleInstance(name)
    assert first.claim(listen=False)
    with qtbot.assertNotEmitted(first.activation_requested):
        assert not SingleInstance(name).claim(), "the lock alone keeps a second copy out"
    first.listen()
    with qtbot.waitSignal(first.activation_requested, timeout=10_000):
        assert not SingleInstance(name).claim()
    first.release()
    after = SingleInstance(name)
    assert after.claim(listen=False), "once the first is gone, the next start runs"
    after.release()


def test_a_copy_of_an_earlier_version_is_still_found_and_asked_forward(qtbot: QtBot) -> None:
    """Earlier versions only listen on the socket, with no lock file."""
    name = a_name()
    earlier = QLocalServer()
    assert earlier.listen(name)
    with qtbot.waitSignal(earlier.newConnection, timeout=10_000):
        assert not SingleInstance(name).claim(listen=False)
    earlier.close()
    after = SingleInstance(name)
    assert after.claim(), "the lock was let go with the claim that handed over"
    after.release()


@pytest.mark.skipif(sys.platform == "win32", reason="a pipe goes with its process")
def test_a_socket_file_left_by_a_crashed_copy_does_not_stop_the_next_start(
    qtbot: QtBot,
) -> None:
    name = a_name()
    left = socket.socket(socket.AF_UNIX)
    left.bind(os.path.join(os.environ.get("TMPDIR") or "/tmp", name))
    left.close()  # its file stays, as a crash leaves it, with nothing listening
    first = SingleInstance(name)
    assert first.claim()
    with qtbot.waitSignal(first.activation_requested, timeout=10_000):
        assert not SingleInstance(name).claim()
    first.release()


def test_without_a_lock_file_the_socket_alone_still_guards(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(single_instance, "_lock_path", lambda name: tmp_path / "gone" / name)
    name = a_name()
    first = SingleInstance(name)
    assert first.claim(listen=False), "a folder it cannot write to does not stop the start"
    with qtbot.waitSignal(first.activation_requested, timeout=10_000):
        assert not SingleInstance(name).claim()
    first.release()
    after = SingleInstance(name)
    assert after.claim()
    after.release()


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
