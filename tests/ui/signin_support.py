"""What the sign-in tests share: the sandbox with a loopback redirect, a keyring in memory,
a window, and the steps a user takes (Connection settings, then the sign-in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import RateLimitConfig, SandboxServer, demo_seed
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.signin.dialog import SignInDialog
from costcode_desktop.ui.signin.settings_dialog import ConnectionSettingsDialog
from tests.keyring_memory import MemoryKeyring, installed

from .conftest import COMPANY

LOGIN, PASSWORD = "ap@example.com", "demo"


def sign_in_sandbox(port: int) -> Iterator[SandboxServer]:
    seed = demo_seed()
    for host in ("127.0.0.1", "localhost"):  # the default, and the one older settings kept
        seed["app"]["redirect_uris"].append(f"http://{host}:{port}/callback")
    # Sign-in is what these tests are about; the flow makes its own client, on the wall clock,
    # so the simulated time the other window tests use cannot reach it.
    server = SandboxServer(seed, rate_limits=RateLimitConfig(hourly=0, spike=0)).start()
    yield server
    server.stop()


def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring(max_bytes=2560)) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def new_window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    window = MainWindow(settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    return window


def start(window: MainWindow, qtbot: QtBot) -> None:
    """A first start: the window settles on its start page."""
    window.start()
    qtbot.waitUntil(lambda: window.start_page.isVisible(), timeout=15_000)


def open_sign_in(window: MainWindow) -> SignInDialog:
    window.start_page.sign_in_button.click()
    dialog = window.sign_in_dialog
    assert dialog is not None
    return dialog


def fill(
    dialog: ConnectionSettingsDialog,
    sandbox: SandboxServer,
    port: int,
    method: str,
    *,
    secret: str | None = None,
    url: str | None = None,
    host: str | None = None,
) -> None:
    dialog.environment.setCurrentIndex(dialog.environment.findData("custom"))
    dialog.login_url.setText(url or sandbox.url)
    dialog.api_url.setText(url or sandbox.url)
    dialog.client_id.setText(sandbox.client_id)
    dialog.client_secret.setText(sandbox.client_secret if secret is None else secret)
    dialog.method.setCurrentIndex(dialog.method.findData(method))
    dialog.port.setValue(port)
    if host is not None:
        dialog.redirect_host.setCurrentIndex(dialog.redirect_host.findData(host))
    if method == "service_account":
        dialog.company_id.setText(str(COMPANY))


def configure(
    window: MainWindow,
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    method: str,
    **options: str,
) -> None:
    """IT's part, in Connection settings: the sandbox's app, saved on the worker."""
    dialog = window.show_connection_settings()
    fill(dialog, sandbox, port, method, **options)
    with qtbot.waitSignal(window.controller.account.connection_saved, timeout=15_000):
        dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def configured_sign_in(
    window: MainWindow, qtbot: QtBot, sandbox: SandboxServer, port: int, method: str
) -> SignInDialog:
    start(window, qtbot)
    configure(window, qtbot, sandbox, port, method)
    return open_sign_in(window)
