"""The real main window on the sandbox; a guard fails any network use from the GUI thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.procore import (
    ClientCredentials,
    ProcoreClient,
    RetryPolicy,
    custom_environment,
)
from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.services import RefreshRun
from costcode_desktop.services.history.store import HistoryStore
from costcode_desktop.services.session import Session
from costcode_desktop.ui.main.window import MainWindow
from tests.keyring_memory import MemoryKeyring, installed
from tests.sandbox_support import FAST_RETRY, free_port, sign_in_seed, simulated_client_options

COMPANY = 4264807


def run_app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """costcode-desktop in a process of its own, as a user or CI starts it; `env` adds to ours."""
    return subprocess.run(
        [sys.executable, "-m", "costcode_desktop.app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=240,
        check=False,
    )


PINECREST = 562949953421320  # inactive, missing the new codes
LINCOLN = 562949953421316  # missing codes and edited descriptions
SUMMIT = 562949953421323  # the demo user is not Admin there
TRANSIT = 562949953421321  # not ERP-integrated
HARBORVIEW = 562949953421314  # missing the new codes and the unsupported "02 410"


class GuiThreadGuard(httpx.BaseTransport):
    """Real HTTP, but any request made from the GUI thread is recorded and refused."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.armed = False
        self.violations: list[str] = []
        self.requests = 0
        self.fail_copies_for: set[int] = set()  # project ids whose copy answers 500
        self.fail_reads_for: set[int] = set()  # project ids whose cost code read answers 500

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        app = QCoreApplication.instance()
        if self.armed and app is not None and QThread.currentThread() == app.thread():
            self.violations.append(f"{request.method} {request.url.path}")
            raise AssertionError(f"network call on the GUI thread: {request.url.path}")
        self.requests += 1
        if request.url.path.endswith("/copy_subset_from_standard_list") and self.fail_copies_for:
            body = json.loads(request.content)
            if body.get("project_id") in self.fail_copies_for:
                return httpx.Response(500, json={"errors": "Internal Server Error"})
        if request.url.path.endswith("/rest/v1.0/cost_codes") and request.method == "GET":
            project = request.url.params.get("project_id")
            if project is not None and int(project) in self.fail_reads_for:
                return httpx.Response(500, json={"errors": "Internal Server Error"})
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    # Procore's limits (600 an hour, 25 per 10 s) on a simulated clock: the window paces itself
    # as against Procore, and its waits are jumped over instead of slept through.
    server = SandboxServer(demo_seed(), simulated=SimulatedTime()).start()
    yield server
    server.stop()


@pytest.fixture
def port() -> int:
    """A free loopback port, for the sign-in's redirect."""
    return free_port()


@pytest.fixture
def sign_in_sandbox(port: int) -> Iterator[SandboxServer]:
    """The sandbox for the sign-in tests: its app takes the redirect to `port`."""
    # Sign-in is what these tests are about; the flow makes its own client, on the wall clock,
    # so the simulated time the other window tests use cannot reach it.
    limits = RateLimitConfig(hourly=0, spike=0)
    server = SandboxServer(sign_in_seed(port), rate_limits=limits).start()
    yield server
    server.stop()


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    """A keyring in memory, with Windows' limit on a secret's size."""
    with installed(MemoryKeyring(max_bytes=2560)) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def guard() -> GuiThreadGuard:
    return GuiThreadGuard()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


def make_session(
    sandbox: SandboxServer, guard: GuiThreadGuard, retry: RetryPolicy = FAST_RETRY
) -> Session:
    environment = custom_environment(sandbox.url, sandbox.url, key="demo", label="Demo")
    tokens = ClientCredentials(sandbox.url, sandbox.client_id, sandbox.client_secret)
    client = ProcoreClient(
        sandbox.url,
        tokens,
        transport=guard,
        retry=retry,
        **simulated_client_options(sandbox),
    )
    user = client.me(company_id=COMPANY)  # a service account names its company
    companies = client.companies(company_id=COMPANY)
    company = next(c for c in companies if c.id == COMPANY)
    return Session(environment, client, user, company, companies, tokens, [tokens])


@pytest.fixture
def window(
    qtbot: QtBot,
    sandbox: SandboxServer,
    guard: GuiThreadGuard,
    settings: QSettings,
    tmp_path: Path,
) -> Iterator[MainWindow]:
    session = make_session(sandbox, guard)  # set-up reads happen here, before the guard arms
    guard.armed = True
    win = MainWindow(settings=settings)  # not qtbot.addWidget: closed and deleted below
    win.resize(1560, 880)
    win.show()
    with qtbot.waitSignal(win.checks_finished, timeout=30_000):
        win.controller.use_session(session, HistoryStore(tmp_path / "history.sqlite3"))
    yield win
    if win.controller.refreshing:  # a run left going: stop it as Stop would, then quit
        win.controller.cancel_refresh()
        qtbot.waitUntil(lambda: not win.controller.refreshing, timeout=30_000)
    win.close()
    # The work winds down in the background: wait, so no test's workers outlive it.
    qtbot.waitUntil(lambda: win.controller.is_shut_down, timeout=30_000)
    win.deleteLater()
    assert guard.violations == [], "the GUI thread made network calls"


def shot(window: QWidget, folder: Path, name: str) -> Path:
    """Save what a user would see, for people to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    QApplication.processEvents()  # let layouts settle as they would on screen
    assert window.grab().save(str(path))
    return path


def refresh_all(window: MainWindow, qtbot: QtBot) -> RefreshRun:
    """Refresh All Out-of-Date Projects, accepted as the dialog proposes it: the finished run."""
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000) as finished:
        dialog.accept()
    run = finished.args[0]
    assert isinstance(run, RefreshRun)
    return run


@contextmanager
def scaled_text(qapp: QApplication, factor: float) -> Iterator[QFont]:
    """The application's font `factor` times its usual size (a larger system font, Windows'
    text scaling), for a fixture to set before the window opens; the usual one back after."""
    usual = qapp.font()
    bigger = QFont(usual)
    bigger.setPointSizeF(usual.pointSizeF() * factor)
    qapp.setFont(bigger)
    try:
        yield bigger
    finally:
        qapp.setFont(usual)


@pytest.fixture
def appearance(qapp: QApplication) -> Iterator[Callable[[str], None]]:
    """Switch light / dark / system in a test; the platform's own look is back afterwards."""
    from costcode_desktop.ui.kit.appearance import SYSTEM, apply_appearance

    def switch(mode: str) -> None:
        apply_appearance(qapp, mode)
        QApplication.processEvents()  # top-level windows hear of the new palette by an event

    yield switch
    switch(SYSTEM)


@pytest.fixture
def plain_window(qtbot: QtBot, settings: QSettings) -> MainWindow:
    """The window as it first opens, signed out: no sandbox behind it."""
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show_sign_in_pending()
    win.show()
    return win
