"""Sign-in for the clerk, set-up for IT: the start page, Connection settings, IT's managed
configuration from each source, the one-button sign-in when all is provisioned, and the
sign-in dialog's fixed defects (one-line URI, Copy link, Enter, stale errors, session-only)."""

from __future__ import annotations

import json
import plistlib
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from costcode_desktop.procore.oauth import CLIENT_REJECTED_MESSAGE
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services.policy import JSON_FILE_NAME, MAC_BUNDLE_ID, Policy, read_policy
from costcode_desktop.services.secrets import SERVICE
from costcode_desktop.services.text import without_isolates
from costcode_desktop.ui.signin.dialog import NOT_SET_UP
from tests.keyring_memory import MemoryKeyring

from .conftest import shot
from .signin_support import (
    LOGIN,
    PASSWORD,
    approving_browser,
    configure,
    configured_sign_in,
    failed_service_account_sign_in,
    fill,
    new_window,
    open_sign_in,
    paste_code_sign_in,
    press_sign_in,
    save,
    settings_json,
    start,
)

SHOTS = "screenshots"


@pytest.fixture
def sandbox(sign_in_sandbox: SandboxServer) -> SandboxServer:
    """These tests sign in: the sandbox whose app takes the loopback redirect."""
    return sign_in_sandbox


# -- the first start ---------------------------------------------------------------------------


def test_first_start_offers_sign_in_and_the_demo_in_the_window(
    qtbot: QtBot, keyring_backend: MemoryKeyring, tmp_path: Path
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    page = window.start_page
    assert window.sign_in_dialog is None, "no dialog pops up on a first start"
    assert page.sign_in_button.text() == "Sign in to Procore"
    assert page.demo_button.text() == "Open the Demo"
    assert not page.message.isVisible()
    shot(window, tmp_path / SHOTS, "first-start")

    # Sign in to Procore opens the sign-in, which says plainly that IT has a step to do first.
    page.sign_in_button.click()
    dialog = window.sign_in_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.summary.text() == NOT_SET_UP
    assert not dialog.sign_in_button.isEnabled()
    assert dialog.settings_button.isVisible()
    shot(dialog, tmp_path / SHOTS, "sign-in-not-set-up")
    dialog.settings_button.click()
    assert window.connection_dialog is not None
    assert window.connection_dialog.isVisible()
    window.connection_dialog.reject()
    dialog.reject()

    # Open the Demo opens the demo company, and the projects replace the start page.
    with qtbot.waitSignal(window.checks_finished, timeout=120_000):
        page.demo_button.click()
    session = window.controller.session
    assert session is not None
    assert session.environment.key == "demo"
    assert window.pages.currentWidget() is window.splitter
    assert len(window.projects.model.rows()) > 0


def test_connection_settings_are_saved_and_read_back_on_the_next_start(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    dialog = window.show_connection_settings()
    shot(dialog, tmp_path / SHOTS, "connection-settings-empty")
    fill(dialog, sandbox, port, "browser")
    # The redirect URI is one line to copy, never wrapped in the middle of a word.
    assert isinstance(dialog.redirect_uri, QLineEdit)
    assert dialog.redirect_uri.text() == f"http://127.0.0.1:{port}/callback"
    dialog.copy_uri.click()
    assert QGuiApplication.clipboard().text() == f"http://127.0.0.1:{port}/callback"
    shot(dialog, tmp_path / SHOTS, "connection-settings")
    configure(window, qtbot, sandbox, port, "browser")

    saved = settings_json(isolated_home)["connection"]
    assert isinstance(saved, dict)
    assert saved["client_id"] == sandbox.client_id
    assert saved["custom_api_url"] == sandbox.url
    assert saved["redirect_port"] == port
    assert sandbox.client_secret not in json.dumps(saved)
    assert any(n.startswith("client_secret/") for n in keyring_backend.usernames(SERVICE))
    window.close()

    again = new_window(qtbot, tmp_path)
    start(again, qtbot)
    reopened = again.show_connection_settings()
    assert reopened.environment.currentData() == "custom"
    assert reopened.api_url.text() == sandbox.url
    assert reopened.client_id.text() == sandbox.client_id
    assert reopened.port.value() == port
    assert reopened.method.currentData() == "browser"
    assert reopened.client_secret.text() == ""
    assert reopened.client_secret.placeholderText().startswith("saved in ")
    reopened.reject()
    sign_in = open_sign_in(again)
    assert sign_in.summary.text() == f"Procore: {sandbox.url}\nApp: {sandbox.client_id}"
    assert sign_in.sign_in_button.isEnabled()
    assert sign_in.sign_in_button.text() == "Sign in with my &browser"


# -- managed configuration ---------------------------------------------------------------------


def it_values(sandbox: SandboxServer, port: int, *, secret: bool) -> dict[str, object]:
    values: dict[str, object] = {
        "Environment": "custom",
        "CustomLoginUrl": sandbox.url,
        "CustomApiUrl": sandbox.url,
        "ClientId": sandbox.client_id,
        "RedirectPort": port,
        "RedirectHost": "localhost",  # the app registered the Developer Portal's default
    }
    if secret:
        values["ClientSecret"] = sandbox.client_secret
    return values


def from_registry(values: Mapping[str, object], folder: Path) -> Policy:
    """HKLM carries IT's values; HKCU tries to change one, and has a value of the wrong type."""
    user = {"ClientId": "users-own-app", "SignInMethod": 3}

    def read(hive: str) -> Mapping[str, object] | None:
        return values if hive == "HKLM" else user

    return read_policy(platform="win32", registry=read, json_path=folder / JSON_FILE_NAME)


def from_plist(values: Mapping[str, object], folder: Path) -> Policy:
    root = folder / "Managed Preferences"
    (root / "clerk").mkdir(parents=True)
    (root / f"{MAC_BUNDLE_ID}.plist").write_bytes(plistlib.dumps(dict(values)))
    user = {"ClientId": "users-own-app", "SignInMethod": 3}
    (root / "clerk" / f"{MAC_BUNDLE_ID}.plist").write_bytes(plistlib.dumps(user))
    return read_policy(
        platform="darwin", mac_root=root, user="clerk", json_path=folder / JSON_FILE_NAME
    )


def from_json(values: Mapping[str, object], folder: Path) -> Policy:
    path = folder / JSON_FILE_NAME
    path.write_text(json.dumps({**values, "SignInMethod": 3}), encoding="utf-8")
    return read_policy(platform="linux", json_path=path)


@pytest.mark.parametrize("source", [from_registry, from_plist, from_json])
def test_values_it_set_are_locked_in_connection_settings(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
    isolated_home: Path,
    source: Callable[[Mapping[str, object], Path], Policy],
) -> None:
    policy = source(it_values(sandbox, port, secret=False), tmp_path)
    window = new_window(qtbot, tmp_path)
    window.controller.account.read_policy = lambda: policy
    start(window, qtbot)
    dialog = window.show_connection_settings()
    for widget, name in (
        (dialog.environment, "environment"),
        (dialog.api_url, "custom_api_url"),
        (dialog.client_id, "client_id"),
        (dialog.redirect_host, "redirect_host"),
        (dialog.port, "redirect_port"),
    ):
        assert not widget.isEnabled(), name
        assert dialog.locks[name].isVisible(), name
        assert "set by your IT department" in dialog.locks[name].text()
    assert dialog.client_id.text() == sandbox.client_id, "the machine's value wins"
    assert dialog.port.value() == port
    assert dialog.redirect_uri.text() == f"http://localhost:{port}/callback"
    # Not set by IT: the secret and the sign-in method stay the user's to choose.
    assert dialog.client_secret.isEnabled()
    assert not dialog.locks["client_secret"].isVisible()
    assert dialog.method.isEnabled()
    # The bad value is said in one line, and only that field is ignored.
    assert "SignInMethod ignored: it should be text" in dialog.policy_note.text()
    assert "IT department manages some of these settings" in dialog.policy_note.text()
    if source is from_registry:
        shot(dialog, tmp_path / SHOTS, "connection-settings-locked")

    dialog.client_secret.setText(sandbox.client_secret)
    save(window, qtbot, dialog)
    sign_in = open_sign_in(window)
    assert sign_in.sign_in_button.isEnabled()
    assert sign_in.settings_button.isVisible(), "not all provisioned: the user may fix theirs"


def test_fully_provisioned_the_clerk_only_signs_in_with_the_browser(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    policy = from_registry(it_values(sandbox, port, secret=True), tmp_path)
    window = new_window(qtbot, tmp_path)
    window.controller.account.read_policy = lambda: policy
    start(window, qtbot)
    # IT's secret went to the keyring on first use.
    assert any(n.startswith("client_secret/") for n in keyring_backend.usernames(SERVICE))
    dialog = open_sign_in(window)
    shown = [
        w
        for w in (dialog.settings_button, dialog.session_only, dialog.status, dialog.keyring_note)
        if w.isVisible()
    ]
    assert shown == []
    assert dialog.sign_in_button.text() == "Sign in with my &browser"
    assert dialog.sign_in_button.isEnabled()
    shot(dialog, tmp_path / SHOTS, "sign-in-provisioned")

    window.url_opener = approving_browser(sandbox)
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        dialog.sign_in_button.click()
    assert without_isolates(window.signed_in.text()).startswith("Signed in as A. P. Clerk")
    settings = window.show_connection_settings()
    assert not settings.client_secret.isEnabled()
    assert settings.client_secret.placeholderText() == "set by your IT department"
    settings.reject()


# -- the sign-in dialog's defects --------------------------------------------------------------


def test_when_no_browser_opens_the_link_can_be_copied(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    dialog = configured_sign_in(window, qtbot, sandbox, port, "browser")
    window.url_opener = lambda _url: None  # the system had no browser to open
    dialog.sign_in_button.click()
    qtbot.waitUntil(dialog.link_row.isVisible, timeout=15_000)
    link = dialog.link.text()
    assert link.startswith(f"{sandbox.url}/oauth/authorize?")
    assert "No browser opened?" in dialog.link_help.text()
    dialog.copy_link.click()
    assert QGuiApplication.clipboard().text() == link
    shot(dialog, tmp_path / SHOTS, "sign-in-copy-link")

    # Pasted into a browser by hand, the link still completes the sign-in.
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        approving_browser(sandbox)(QGuiApplication.clipboard().text())
    assert without_isolates(window.signed_in.text()).startswith("Signed in as A. P. Clerk")


def test_enter_in_the_pasted_code_field_signs_in(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    dialog = configured_sign_in(window, qtbot, sandbox, port, "paste_code")
    opened = press_sign_in(window, dialog)
    assert dialog.code_row.isVisible()
    dialog.code.setText(sandbox.approve(opened[0], LOGIN, PASSWORD))
    with qtbot.waitSignal(window.checks_finished, timeout=30_000):
        qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert len(opened) == 1, "Enter did not start another sign-in"
    assert without_isolates(window.signed_in.text()).startswith("Signed in as A. P. Clerk")


def test_another_choice_clears_the_error_about_the_previous_one(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    settings = window.show_connection_settings()
    settings.save_button.click()
    assert settings.status.isVisible()
    assert "client id" in settings.status.text()
    settings.environment.setCurrentIndex(settings.environment.findData("developer_sandbox"))
    assert not settings.status.isVisible()
    settings.reject()

    # In the sign-in dialog: a refused secret, then new Connection settings clear the error.
    dialog = failed_service_account_sign_in(window, qtbot, sandbox, port, secret="not-the-secret")
    assert "Check them in Connection settings" in dialog.status.text()
    shot(dialog, tmp_path / SHOTS, "sign-in-refused")
    dialog.settings_button.click()
    fixed = window.connection_dialog
    assert fixed is not None
    fill(fixed, sandbox, port, "service_account")
    save(window, qtbot, fixed)
    assert not dialog.status.isVisible()
    assert dialog.status.text() == ""


def test_the_session_only_box_and_the_secret_agree_on_every_opening(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    """The rule: the box is ticked when this run keeps its secrets in memory only, and
    Connection settings says the secret is there; both read the store in use."""
    window = new_window(qtbot, tmp_path)
    dialog = configured_sign_in(window, qtbot, sandbox, port, "paste_code")
    assert not dialog.session_only.isChecked()
    settings = window.show_connection_settings()
    assert settings.client_secret.placeholderText().startswith("saved in ")
    assert "this session only" not in settings.client_secret.placeholderText()
    settings.reject()

    dialog.session_only.setChecked(True)
    paste_code_sign_in(qtbot, window, dialog, sandbox)

    for _opening in range(2):
        again = window.show_sign_in()
        assert again.session_only.isChecked()
        again.reject()
        settings = window.show_connection_settings()
        assert "memory (this session only)" in settings.client_secret.placeholderText()
        settings.reject()


def test_the_start_page_names_connection_settings_and_forgets_the_problem_once_fixed(
    qtbot: QtBot,
    sandbox: SandboxServer,
    port: int,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,
) -> None:
    window = new_window(qtbot, tmp_path)
    start(window, qtbot)
    window.show_sign_in_pending(CLIENT_REJECTED_MESSAGE)  # procore's words, as they come
    page = window.start_page
    assert page.message.isVisible()
    assert "Check them in Connection settings" in page.message.text()
    assert not page.settings_button.isFlat(), "the way to fix it stands out"
    shot(window, tmp_path / SHOTS, "first-start-with-problem")
    page.settings_button.click()
    assert window.connection_dialog is not None
    window.connection_dialog.reject()
    configure(window, qtbot, sandbox, port, "browser")
    assert not page.message.isVisible()
