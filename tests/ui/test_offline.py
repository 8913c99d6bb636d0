"""The window on its cache: the last-known state at once on the next start, read-only without a
network, catching up when Procore answers again, and a failed check keeping the last comparison.

Procore here is the sandbox with its state in a file, so it can go away (stopped) and come back
on the same address with the same data, as a server does when the network returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import FaultConfig, RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.services import ProjectState
from costcode_desktop.services.secrets import SecretStore
from costcode_desktop.services.settings import Connection, Settings, save_settings
from costcode_desktop.services.signin import save_client_secret
from costcode_desktop.services.text import without_isolates
from costcode_desktop.ui.main import controller as controller_module
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.projects.model import COL_CHECKED, COL_STATUS
from tests.cache_support import everything_in
from tests.keyring_memory import MemoryKeyring, installed
from tests.sandbox_support import free_port

from .conftest import COMPANY, LINCOLN, GuiThreadGuard, shot

SHOTS = "screenshots"


class Procore:
    """The sandbox as a server that can be stopped and started again at the same address."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = free_port()
        self.server = self._new().start()
        self.url = self.server.url

    def _new(self) -> SandboxServer:
        limits = RateLimitConfig(hourly=0, spike=0)
        return SandboxServer(demo_seed(), db_path=self.db, port=self.port, rate_limits=limits)

    def stop(self) -> None:
        self.server.stop()

    def back(self) -> None:
        self.server = self._new().start()


@pytest.fixture
def procore(tmp_path: Path) -> Iterator[Procore]:
    running = Procore(tmp_path / "procore.sqlite3")
    yield running
    running.stop()


@pytest.fixture
def signed_in(procore: Procore) -> Iterator[MemoryKeyring]:
    """A stored sign-in to `procore` (a service account), as the sign-in dialog leaves it."""
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        connection = Connection(
            environment="custom",
            custom_login_url=procore.url,
            custom_api_url=procore.url,
            client_id=procore.server.client_id,
            sign_in_method="service_account",
        )
        save_client_secret(SecretStore(), connection, procore.server.client_secret)
        key = connection.environment_key()
        save_settings(Settings(connection=connection).with_company(key, COMPANY))
        yield backend


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(controller_module, "RETRY_DELAYS", (1,))


def new_window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    window = MainWindow(settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1640, 880)
    window.splitter.setSizes([885, 755])  # as on a 1080p screen
    window.show()
    return window


def first_session(qtbot: QtBot, tmp_path: Path) -> None:
    """A start with Procore answering: everything read and checked, then the window closed."""
    window = new_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.start()
    assert len(window.projects.model.rows()) == 12
    window.close()
    # The cache and history close in the background, as at a real exit (app.py waits for it).
    qtbot.waitUntil(lambda: window.controller.is_shut_down, timeout=30_000)


class PaintWatch(QObject):
    """Notes what Procore had answered when the projects table was first painted with rows."""

    def __init__(self, window: MainWindow, server: SandboxServer) -> None:
        super().__init__(window)
        self.window, self.server = window, server
        self.answered: list[str] | None = None
        window.projects.view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        rows = self.window.projects.model.rowCount()
        if event.type() == QEvent.Type.Paint and rows and self.answered is None:
            self.answered = [r.path for r in self.server.requests if r.path.startswith("/rest/")]
        return False


def cell(window: MainWindow, project_id: int, column: int, role: int = 0) -> object:
    model = window.projects.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).project.id == project_id)
    return model.index(row, column).data(role or Qt.ItemDataRole.DisplayRole)


def checked_texts(window: MainWindow) -> list[str]:
    model = window.projects.model
    return [str(model.index(r, COL_CHECKED).data()) for r in range(model.rowCount())]


def test_the_next_start_shows_the_last_known_state_before_any_request(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    first_session(qtbot, tmp_path)
    procore.server.faults = FaultConfig(latency=1.0)  # a slow Procore
    procore.server.clear_requests()

    window = new_window(qtbot, tmp_path)
    painted = PaintWatch(window, procore.server)
    with qtbot.waitSignal(window.controller.cached_shown, timeout=10_000):
        window.start()
    assert procore.server.requests == [], "read before any request was even made"
    qtbot.waitUntil(lambda: painted.answered is not None, timeout=10_000)
    assert painted.answered == [], "painted before Procore answered anything"
    assert window.windowTitle() == "CostCodeSync — Example Builders"
    assert all(text.startswith("as of ") for text in checked_texts(window))
    assert cell(window, LINCOLN, COL_STATUS) == "● 4 differences"
    count = window.projects.count_label
    qtbot.waitUntil(lambda: count.text().startswith("12 projects · 7 out of date"), timeout=1_000)
    assert window.projects.select_project(LINCOLN)
    assert window.compare.model.rowCount() > 300, "the saved comparison, rows and all"
    assert "as of" in window.compare.header.text()
    assert not window.action("refresh").isEnabled(), "nothing is sent from a last-known list"
    shot(window, tmp_path / SHOTS, "cached-rows")

    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        pass  # then everything is read and checked again in the background
    assert not any(text.startswith("as of") for text in checked_texts(window))
    assert "as of" not in window.compare.header.text()
    assert window.action("refresh").isEnabled()
    window.close()


def test_without_procore_the_window_is_read_only_and_catches_up_when_it_is_back(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    first_session(qtbot, tmp_path)
    procore.stop()  # the network is gone

    window = new_window(qtbot, tmp_path)
    window.start()
    banner = window.offline_banner
    qtbot.waitUntil(banner.isVisible, timeout=60_000)
    assert banner.headline.text().startswith("Working offline — showing the last-known state")
    assert "Could not reach Procore" in banner.detail.text()
    assert "tries again by itself" in banner.detail.text()
    assert banner.button.isEnabled()
    assert window.sign_in_dialog is None, "nothing is wrong with the sign-in"
    assert len(window.projects.model.rows()) == 12

    # Read-only: browse, compare and export, nothing sent.
    assert window.projects.select_project(LINCOLN)
    assert window.compare.model.rowCount() > 300
    assert not window.action("refresh").isEnabled()
    assert not window.action("refresh_all").isEnabled()
    assert window.action("export_csv").isEnabled()
    export = tmp_path / "lincoln.csv"
    with qtbot.waitSignal(window.controller.export_finished, timeout=10_000):
        assert window.export(export)
    assert "01-016" in export.read_text(encoding="utf-8-sig")
    shot(window, tmp_path / SHOTS, "offline")

    procore.back()  # and back: the next try catches up, without a click
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        pass
    assert not banner.isVisible()
    assert without_isolates(window.signed_in.text()).startswith("Signed in as A. P. Clerk")
    assert not any(text.startswith("as of") for text in checked_texts(window))
    assert window.action("refresh").isEnabled()
    window.close()


def test_losing_procore_during_a_session_keeps_the_last_comparison_and_says_so(
    qtbot: QtBot, procore: Procore, signed_in: MemoryKeyring, tmp_path: Path
) -> None:
    window = new_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.start()
    assert window.projects.select_project(LINCOLN)
    before = window.compare.model.rowCount()
    procore.stop()

    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()  # fails: Procore cannot be reached
    qtbot.waitUntil(window.offline_banner.isVisible, timeout=60_000)
    status = window.controller.status(LINCOLN)
    assert status is not None
    assert status.state is ProjectState.OUT_OF_DATE, "still counted as out of date"
    count = window.projects.count_label
    qtbot.waitUntil(lambda: count.text().startswith("12 projects · 7 out of date"), timeout=1_000)
    assert str(cell(window, LINCOLN, COL_CHECKED)).startswith("⚠ as of ")
    tip = str(cell(window, LINCOLN, COL_CHECKED, Qt.ItemDataRole.ToolTipRole))
    assert "could not reach Procore" in tip
    assert window.compare.model.rowCount() == before, "the last comparison stays on screen"
    notice = window.compare.notice
    assert notice.isVisible()
    assert notice.text().startswith("⚠ Last ")
    assert "failed" in notice.text()
    assert "could not reach Procore" in notice.text()
    shot(window, tmp_path / SHOTS, "failed-check")

    procore.back()
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.offline_banner.button.click()  # Try Again
    assert not window.offline_banner.isVisible()
    assert not notice.isVisible()
    assert not str(cell(window, LINCOLN, COL_CHECKED)).startswith(("⚠", "as of"))
    window.close()


def test_a_corrupt_cache_is_set_aside_and_the_window_starts_as_usual(
    qtbot: QtBot,
    procore: Procore,
    signed_in: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first_session(qtbot, tmp_path)
    cache = isolated_home / "cache" / "cache.sqlite3"
    text = everything_in(cache)
    assert "Lincoln Elementary School Addition" in text
    assert procore.server.client_secret not in text, "no secret in the cache"
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    cache.write_bytes(b"\x00 not a database \xff" * 4096)  # a disk error, another program

    window = new_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.start()
    assert len(window.projects.model.rows()) == 12
    assert cache.with_name("cache.sqlite3.corrupt").exists()
    assert "moved the unreadable cache aside" in caplog.text
    window.close()

    again = new_window(qtbot, tmp_path)  # and the cache works again from then on
    with qtbot.waitSignal(again.controller.cached_shown, timeout=10_000):
        again.start()
    assert len(again.projects.model.rows()) == 12
    again.close()


def test_a_failed_check_keeps_the_last_comparison_with_its_age(
    window: MainWindow, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    shown = window.compare.model.rowCount()
    guard.fail_reads_for.add(LINCOLN)  # its cost codes cannot be read
    with qtbot.waitSignal(window.checks_finished, timeout=60_000):
        window.reload()
    status = window.controller.status(LINCOLN)
    assert status is not None
    assert status.state is ProjectState.OUT_OF_DATE
    assert str(cell(window, LINCOLN, COL_STATUS)) == "● 4 differences"
    assert str(cell(window, LINCOLN, COL_CHECKED)).startswith("⚠ as of ")
    tip = str(cell(window, LINCOLN, COL_STATUS, Qt.ItemDataRole.ToolTipRole))
    assert "Last check failed" in tip
    assert "Procore had a server error" in tip
    assert window.compare.model.rowCount() == shown
    assert "Procore had a server error" in window.compare.notice.text()
    assert "as of" in window.compare.header.text()
    assert not window.offline_banner.isVisible(), "a server error is not being offline"
    others = [t for t in checked_texts(window) if t.startswith(("⚠", "as of"))]
    assert len(others) == 1, "every other project was read again"
