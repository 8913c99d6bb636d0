"""Signing in through the real window: the dialog, the browser and pasted-code flows,
the stored sign-in on the next start, switching company, signing out, and no keyring."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services.secrets import SERVICE
from costcode_desktop.services.text import without_isolates
from costcode_desktop.ui.main.window import MainWindow
from tests.keyring_memory import MemoryKeyring, failing_backend, installed
from tests.procore.netkit import TlsFront, make_certificates
from tests.sandbox_support import has_ipv6_loopback

from .conftest import COMPANY, shot
from .signin_support import (
    LOGIN,
    PASSWORD,
    approving_browser,
    configured_sign_in,
    failed_service_account_sign_in,
    fill,
    new_window,
    open_sign_in,
    paste_code_sign_in,
    press_sign_in,
    save,
    settings_text,
    start,
)

SHOTS = "screenshots"


@pytest.fixture
def sandbox(sign_in_sandbox: SandboxServer) -> SandboxServer:
    """These tests sign in: the sandbox whose app takes the loopback redirect."""
    return sign_in_sandbox


def test_first_run_sign_in_with_a_pasted_code(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    shot(window, tmp_path / SHOTS, "1-not-signed-in")
    settings = window.show_connection_settings()
    fill(settings, sandbox, port, "paste_code")
    assert settings.redirect_uri.text() == "urn:ietf:wg:oauth:2.0:oob"
    save(window, qtbot, settings)
    dialog = open_sign_in(window)
    opened = press_sign_in(window, dialog)
    assert dialog.code_row.isVisible()
    assert len(opened) == 1
    dialog.grab().save(str(tmp_path / SHOTS / "2-paste-code-dialog.png"))

    dialog.code.setText(sandbox.approve(opened[0], LOGIN, PASSWORD))
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.code_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert without_isolates(window.signed_in.text()).startswith(
        "Signed in as A. P. Clerk · Example Builders ·"
    )
    assert len(window.projects.model.rows()) == 12
    shot(window, tmp_path / SHOTS, "3-signed-in")

    stored = keyring_backend.usernames(SERVICE)
    assert any(name.startswith("refresh_token/") for name in stored)
    assert any(name.startswith("client_secret/") for name in stored)
    text = settings_text(isolated_home)
    assert sandbox.client_secret not in text
    saved = json.loads(text)
    assert saved["connection"]["client_id"] == sandbox.client_id
    assert 4264807 in saved["companies"].values()


def test_browser_sign_in_then_the_next_start_needs_no_sign_in(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    dialog = configured_sign_in(window, qtbot, sandbox, port, "browser")
    window.url_opener = approving_browser(sandbox)
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.sign_in_button.click()
        assert "browser" in dialog.status.text()
    window.close()

    again = new_window(qtbot, tmp_path)
    again.url_opener = lambda url: pytest.fail("no sign-in expected")
    with qtbot.waitSignal(again.checks_finished, timeout=30_000):
        again.start()
    assert again.sign_in_dialog is None
    assert without_isolates(again.signed_in.text()).startswith("Signed in as A. P. Clerk")


def test_the_redirect_address_is_chosen_shown_and_remembered(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    settings = window.show_connection_settings()
    fill(settings, sandbox, port, "browser")
    # IT is told to register the IP literal.
    assert settings.redirect_host.isVisible()
    assert settings.redirect_uri.text() == f"http://127.0.0.1:{port}/callback"
    # An app registered with the Developer Portal's default keeps working: choose localhost.
    settings.redirect_host.setCurrentIndex(settings.redirect_host.findData("localhost"))
    assert settings.redirect_uri.text() == f"http://localhost:{port}/callback"
    save(window, qtbot, settings)
    dialog = open_sign_in(window)
    # A browser that tries ::1 first for localhost, when this computer has it.
    approve = approving_browser(sandbox, "[::1]" if has_ipv6_loopback() else "127.0.0.1")
    opened: list[str] = []

    def browser(url: str) -> None:
        opened.append(url)
        approve(url)

    window.url_opener = browser
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.sign_in_button.click()
    assert without_isolates(window.signed_in.text()).startswith("Signed in as A. P. Clerk")
    assert f"redirect_uri=http%3A%2F%2Flocalhost%3A{port}%2Fcallback" in opened[0]
    saved = json.loads(settings_text(isolated_home))
    assert saved["connection"]["redirect_host"] == "localhost"
    reopened = window.show_connection_settings()
    assert reopened.redirect_host.currentData() == "localhost"
    reopened.reject()


def test_the_redirect_address_is_only_for_the_browser_sign_in(
    qtbot: QtBot, sandbox: SandboxServer, port: int, tmp_path: Path
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    settings = window.show_connection_settings()
    fill(settings, sandbox, port, "browser")
    assert settings.redirect_host.isVisible()
    fill(settings, sandbox, port, "paste_code")
    assert not settings.redirect_host.isVisible()
    assert settings.redirect_uri.text() == "urn:ietf:wg:oauth:2.0:oob"
    settings.reject()


def signed_in_window(qtbot: QtBot, sandbox: SandboxServer, port: int, tmp_path: Path) -> MainWindow:
    window = new_window(qtbot, tmp_path)
    paste_code_sign_in(
        qtbot, window, configured_sign_in(window, qtbot, sandbox, port, "paste_code"), sandbox
    )
    return window


def test_switching_company_reloads_its_projects(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
) -> None:
    window = signed_in_window(qtbot, sandbox, port, tmp_path)
    assert window.action("switch_company").isEnabled()
    window.choose_company()
    dialog = window.company_dialog
    assert dialog is not None
    other = next(t for t in dialog.comboBoxItems() if "Service Co." in t)
    dialog.setTextValue(other)
    # The service company has no Sage 300 CRE list: the window says so, plainly.
    with qtbot.waitSignal(window.controller.failed, timeout=30_000):
        dialog.accept()
    assert "Example Builders Service Co." in window.signed_in.text()
    assert window.banner.property("state") == "error"
    assert "has no ERP standard cost code list" in window.banner.message.text()
    # The choice is saved on the worker, beside the reload: wait for it rather than race it.
    qtbot.waitUntil(
        lambda: 4264901 in json.loads(settings_text(isolated_home))["companies"].values(),
        timeout=10_000,
    )
    shot(window, tmp_path / SHOTS, "5-company-without-erp-list")

    window.choose_company()
    back = window.company_dialog
    assert back is not None
    back.setTextValue(next(t for t in back.comboBoxItems() if "(4264807)" in t))
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        back.accept()
    assert window.banner.property("state") == "hidden"
    assert len(window.projects.model.rows()) == 12


def test_sign_out_revokes_and_removes_the_sign_in(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = signed_in_window(qtbot, sandbox, port, tmp_path)
    session = window.controller.session
    assert session is not None
    assert session.tokens is not None
    access = session.tokens.bearer_token()
    with qtbot.waitSignal(window.controller.signed_out, timeout=15_000):
        window.action("sign_out").trigger()
    assert not any(n.startswith("refresh_token/") for n in keyring_backend.usernames(SERVICE))
    assert window.signed_in.text() == "Not signed in"
    assert window.projects.model.rows() == []
    assert window.start_page.isVisible(), "signed out: the two choices again"
    answer = httpx.get(f"{sandbox.url}/rest/v1.0/me", headers={"Authorization": f"Bearer {access}"})
    assert answer.status_code == 401
    shot(window, tmp_path / SHOTS, "4-signed-out")


def test_without_a_keyring_the_sign_in_is_for_this_session_only(
    qtbot: QtBot, sandbox: SandboxServer, port: int, tmp_path: Path, isolated_home: Path
) -> None:
    with installed(failing_backend()):
        window = new_window(qtbot, tmp_path)
        dialog = configured_sign_in(window, qtbot, sandbox, port, "paste_code")
        assert dialog.keyring_note.isVisible()
        assert "no password store" in dialog.keyring_note.text()
        assert dialog.session_only.isChecked()
        assert not dialog.session_only.isEnabled()
        dialog.grab().save(str(tmp_path / "no-keyring-dialog.png"))
        paste_code_sign_in(qtbot, window, dialog, sandbox)
        assert without_isolates(window.signed_in.text()).startswith("Signed in as A. P. Clerk")
        assert sandbox.client_secret not in settings_text(isolated_home)


def test_wrong_secret_is_explained_in_the_dialog(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    dialog = failed_service_account_sign_in(window, qtbot, sandbox, port, secret="not-the-secret")
    assert "did not accept the client id and secret" in dialog.status.text()
    assert "Check them in Connection settings" in dialog.status.text()
    assert dialog.settings_button.isVisible()
    assert dialog.isVisible()
    assert dialog.sign_in_button.isEnabled()
    dialog.grab().save(str(tmp_path / "wrong-secret-dialog.png"))


def test_a_service_account_signs_in_with_its_company_id(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
) -> None:
    """Procore wants Procore-Company-Id on a service account's /me and /companies, so the
    dialog asks for the company id (only for that method) and refuses to go on without it."""
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    settings = window.show_connection_settings()
    fill(settings, sandbox, port, "browser")
    assert not settings.form.isRowVisible(settings.rows["company_id"])
    fill(settings, sandbox, port, "service_account")
    assert settings.form.isRowVisible(settings.rows["company_id"])
    settings.company_id.setText("")
    settings.save_button.click()
    assert "Enter the company id the service account works in" in settings.status.text()
    assert sandbox.requests == [], "nothing sent without it"

    settings.company_id.setText(str(COMPANY))
    save(window, qtbot, settings)
    dialog = open_sign_in(window)
    assert dialog.sign_in_button.text() == "Sign in with the service &account"
    with qtbot.waitSignal(window.controller.session_opened, timeout=15_000):
        dialog.sign_in_button.click()
    me = [r.company_header for r in sandbox.requests if r.path == "/rest/v1.0/me"]
    assert me == [str(COMPANY)]
    assert f'"company_id": {COMPANY}' in settings_text(isolated_home)


def test_a_certificate_the_computer_does_not_trust_is_explained_then_fixed_by_the_it_bundle(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A TLS-inspecting company proxy, as the user meets it: plain words, then IT's fix."""
    certificates = make_certificates(tmp_path / "certs")
    with TlsFront(int(sandbox.url.rsplit(":", 1)[1]), certificates) as front:
        https = f"https://127.0.0.1:{front.port}"
        window = new_window(qtbot, tmp_path)
        start(window, qtbot)
        dialog = failed_service_account_sign_in(window, qtbot, sandbox, port, url=https)
        status = dialog.status.text()
        assert "could not be verified" in status
        assert "Ask your IT department to install the company's root certificate" in status
        assert "COSTCODESYNC_CA_BUNDLE" in status
        assert dialog.isVisible()
        # The whole message is on screen, not cut off at the dialog's bottom edge.
        assert dialog.status.geometry().bottom() < dialog.buttons.geometry().top()
        assert dialog.status.height() >= dialog.status.heightForWidth(dialog.status.width())
        dialog.grab().save(str(tmp_path / "untrusted-certificate.png"))

        monkeypatch.setenv("COSTCODESYNC_CA_BUNDLE", str(certificates.ca_cert))
        with qtbot.waitSignal(window.controller.session_opened, timeout=15_000):
            dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: window.controller.company_list is not None, timeout=15_000)
        assert front.connections > 0
