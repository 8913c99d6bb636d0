"""`costcode-desktop --self-test`: what CI runs on the frozen bundle, run here from source."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPixmap
from pytestqt.qtbot import QtBot

from costcode_desktop import self_test
from costcode_desktop.procore.errors import ConnectionFailed
from costcode_desktop.self_test import StepFailed
from costcode_desktop.services import session as session_module
from costcode_desktop.services.secrets import SecretStoreError
from costcode_desktop.ui.main.window import MainWindow
from tests.keyring_memory import MemoryKeyring, failing_backend, installed

from .conftest import run_app
from .self_test_support import run_self_test

STEPS = [
    "Bundled modules and data",
    "The system password store",
    "Start the demo sandbox and sign in",
    "Load the company list and check every project",
    "Refresh '",
    "Export the comparison to Excel",
    "Find the refresh in the history",
    "Draw the window",
]


def test_self_test_passes_and_leaves_the_users_folders_alone(
    isolated_home: Path, tmp_path: Path
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    done = run_app(
        "--self-test", env={"COSTCODESYNC_HOME": str(isolated_home), "TMPDIR": str(temp)}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ok_lines = [line.strip() for line in done.stdout.splitlines() if line.startswith("  ok")]
    assert len(ok_lines) == len(STEPS)
    for line, step in zip(ok_lines, STEPS, strict=True):
        assert line.removeprefix("ok").strip().startswith(step)
    assert "Verified: the project now matches the company list" in done.stdout
    assert "Self-test passed: 8 steps" in done.stdout
    # The demo it refreshed lived in a throw-away folder, not in the user's.
    assert not (isolated_home / "data" / "demo-sandbox.sqlite3").exists()
    assert not (isolated_home / "data" / "history.sqlite3").exists()
    assert list(temp.iterdir()) == [], "the throw-away folder is removed afterwards"


def test_a_missing_data_file_fails_the_first_step_by_name(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> str:
        raise StepFailed("the sandbox's data files are missing")

    monkeypatch.setattr(self_test, "check_bundle", missing)
    test, output = run_self_test(qtbot, tmp_path)
    assert not test.passed
    assert "FAIL  Bundled modules and data: StepFailed: the sandbox's data files are missing" in (
        output
    )
    assert "Self-test FAILED at 'Bundled modules and data'." in output


def test_a_sandbox_that_cannot_start_fails_the_sign_in_step(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_kwargs: object) -> None:
        raise ConnectionFailed("Could not reach the demo sandbox.")

    monkeypatch.setattr(session_module, "open_demo_session", refuse)
    test, output = run_self_test(qtbot, tmp_path)
    assert not test.passed
    assert "FAIL  Start the demo sandbox and sign in: Starting the demo" in output
    assert "Could not reach the demo sandbox." in output
    assert [step.ok for step in test.steps] == [True, True, False]


def test_the_password_store_is_used_and_left_clean() -> None:
    with installed(MemoryKeyring()) as backend:
        detail = self_test.check_keyring()
        assert isinstance(backend, MemoryKeyring)
        assert "saved, read back and deleted a 3,067-character secret" in detail
        written = {name for operation, name in backend.calls if operation == "set"}
        assert len(written) > 1, "a secret longer than one Windows credential is split"
        assert backend.entries == {}, "nothing is left behind"


def test_a_password_store_that_loses_the_secret_fails_the_step() -> None:
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        backend.fail_next(RuntimeError("locked"), operation="get", skip=1)  # after the probe
        with pytest.raises(SecretStoreError):
            self_test.check_keyring()
        assert backend.entries == {}, "the entry is deleted even when the check fails"


def test_no_password_store_is_reported_not_failed() -> None:
    with installed(failing_backend()):
        assert self_test.check_keyring() == (
            "no password store on this computer: sign-ins would last for the session only"
        )


def test_a_window_that_draws_nothing_fails_the_last_step(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def blank(_self: MainWindow) -> QPixmap:
        pixmap = QPixmap(400, 300)
        pixmap.fill(QColor("#f0f0f0"))
        return pixmap

    monkeypatch.setattr(MainWindow, "grab", blank)
    test, output = run_self_test(qtbot, tmp_path)
    assert not test.passed
    assert "FAIL  Draw the window: StepFailed: the window drew only 1 colour: no text" in output
    assert [step.ok for step in test.steps] == [True] * 7 + [False]
