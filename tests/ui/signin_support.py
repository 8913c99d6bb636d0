"""What the sign-in tests share: a window, the settings file, and the steps a user takes
(Connection settings, then the sign-in). Their fixtures (a free port, the sandbox with a loopback
redirect, a keyring in memory) are in conftest.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.signin.dialog import SignInDialog
from costcode_desktop.ui.signin.settings_dialog import ConnectionSettingsDialog

from .conftest import COMPANY

LOGIN, PASSWORD = "ap@example.com", "demo"


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
    save(window, qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted


def failed_service_account_sign_in(
    window: MainWindow, qtbot: QtBot, sandbox: SandboxServer, port: int, **options: str
) -> SignInDialog:
    """A service account set up with `options` Procore will not have, and Sign in pressed: the
    dialog once the sign-in has failed."""
    configure(window, qtbot, sandbox, port, "service_account", **options)
    dialog = open_sign_in(window)
    with qtbot.waitSignal(window.controller.account.sign_in_failed, timeout=15_000):
        dialog.sign_in_button.click()
    return dialog


def save(window: MainWindow, qtbot: QtBot, dialog: ConnectionSettingsDialog) -> None:
    """Save in Connection settings, and wait until the worker has stored them."""
    with qtbot.waitSignal(window.controller.account.connection_saved, timeout=15_000):
        dialog.save_button.click()


def configured_sign_in(
    window: MainWindow, qtbot: QtBot, sandbox: SandboxServer, port: int, method: str
) -> SignInDialog:
    start(window, qtbot)
    configure(window, qtbot, sandbox, port, method)
    return open_sign_in(window)


def settings_text(home: Path) -> str:
    return (home / "config" / "settings.json").read_text()


def settings_json(home: Path) -> dict[str, object]:
    loaded = json.loads(settings_text(home))
    assert isinstance(loaded, dict)
    return loaded


def approving_browser(sandbox: SandboxServer, to: str = "127.0.0.1") -> Callable[[str], None]:
    """The system browser, and the user pressing Allow on Procore's page; the redirect to
    localhost goes to `to`."""

    def browser(url: str) -> None:
        def act() -> None:
            location = sandbox.approve(url, LOGIN, PASSWORD)
            httpx.get(location.replace("localhost", to), timeout=10)

        threading.Thread(target=act, daemon=True).start()

    return browser


def press_sign_in(window: MainWindow, dialog: SignInDialog) -> list[str]:
    """Press Sign in: the links the window asked the browser to open, and none opened."""
    opened: list[str] = []
    window.url_opener = opened.append
    dialog.sign_in_button.click()
    return opened


def paste_code_sign_in(
    qtbot: QtBot, window: MainWindow, dialog: SignInDialog, sandbox: SandboxServer
) -> None:
    """Let the user sign in on Procore's page, paste the code it shows."""
    opened = press_sign_in(window, dialog)
    dialog.code.setText(sandbox.approve(opened[0], LOGIN, PASSWORD))
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.code_button.click()
