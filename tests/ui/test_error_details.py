"""Details… gives IT what it needs: what, when, the request, Procore's request id, the kind of
failure as it happened, the proxy; never a secret."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.ui.main.window import MainWindow

from .conftest import GuiThreadGuard, shot

SHOTS = "screenshots"


def test_an_http_error_names_the_request_and_procores_request_id(
    window: MainWindow,
    sandbox: SandboxServer,
    guard: GuiThreadGuard,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inner = guard.handle_request

    def failing(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rest/v1.1/projects":
            headers = {"X-Request-Id": "req-7f3a9c"}
            return httpx.Response(500, json={"errors": "Internal Server Error"}, headers=headers)
        return inner(request)

    monkeypatch.setattr(guard, "handle_request", failing)
    with qtbot.waitSignal(window.controller.failed, timeout=30_000):
        window.reload()
    banner = window.banner
    assert banner.property("state") == "error"
    qtbot.mouseClick(banner.details_button, Qt.MouseButton.LeftButton)
    box = banner.details_box
    assert box is not None
    assert box.isVisible()
    text = box.informativeText()
    assert "What: Loading the company" in text
    assert "When: " in text
    assert "Request: GET /rest/v1.1/projects\n" in text
    assert "?" not in text.split("Request: ")[1].splitlines()[0], "no query string"
    assert "Kind: HTTP error 50" in text
    assert "Procore request id: req-7f3a9c" in text
    assert "Server said: " in text
    assert "Proxy: none (a direct connection)" in text
    session_secret = sandbox.client_secret
    assert session_secret not in text
    assert "Bearer" not in text
    shot(box, tmp_path / SHOTS, "error-details")
    print(f"screenshot: {tmp_path / SHOTS / 'error-details.png'}")


def test_a_network_error_is_not_told_as_the_server_speaking(
    window: MainWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    secret = sandbox.client_secret
    sandbox.stop()  # nobody answers any more
    with qtbot.waitSignal(window.controller.offline_changed, timeout=30_000):
        window.reload()
    offline = window.offline_banner
    assert offline.details_button.isVisible()
    qtbot.mouseClick(offline.details_button, Qt.MouseButton.LeftButton)
    box = offline.details_box
    assert box is not None
    text = box.informativeText()
    assert "What: Reaching Procore" in text
    assert "Kind: network error (no answer from Procore)" in text
    assert "Network error: ConnectError" in text
    assert "Server said" not in text
    assert "Request: GET /rest/" in text
    assert secret not in text


def test_the_banners_button_is_try_again(window: MainWindow) -> None:
    assert window.banner.retry_button.text() == "Try Again"
