"""A proxy configuration script (PAC) this app cannot run: found, and named in the message."""

from __future__ import annotations

import logging
import sys

import pytest

from costcode_desktop.procore import (
    ConnectionFailed,
    HostNotFound,
    build_http_client,
    network,
    proxy_script,
)
from costcode_desktop.procore.proxy_script import macos_pac, windows_pac

from .helpers import Harness, fast_retry
from .test_network_faults import lookup_error, refused_error

# The real reader, uncached (tests/conftest.py replaces configured_pac for every test).
READ_SETTINGS = proxy_script.configured_pac.__wrapped__
SCRIPT = "http://pac-user:s3cret@wpad.corp.example:8080/proxy.pac?token=abc"


class _Key:
    def __enter__(self) -> _Key:
        return self

    def __exit__(self, *args: object) -> None:
        return None


class FakeRegistry:
    """The two winreg calls windows_pac makes, over a dict of Internet Settings values."""

    HKEY_CURRENT_USER = "HKCU"

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values
        self.opened: list[tuple[str, str]] = []

    def OpenKey(self, root: str, path: str) -> _Key:  # noqa: N802
        self.opened.append((root, path))
        return _Key()

    def QueryValueEx(self, _key: object, name: str) -> tuple[object, int]:  # noqa: N802
        if name not in self.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self.values[name], 1


@pytest.fixture
def pac(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy_script, "configured_pac", lambda: SCRIPT)


def test_windows_setup_script_is_read_from_the_users_internet_settings() -> None:
    registry = FakeRegistry({"AutoConfigURL": " http://wpad/proxy.pac "})
    assert windows_pac(registry) == "http://wpad/proxy.pac"
    assert registry.opened == [("HKCU", proxy_script.WINDOWS_SETTINGS_KEY)]
    assert windows_pac(FakeRegistry({})) is None
    assert windows_pac(FakeRegistry({"AutoConfigURL": ""})) is None
    assert windows_pac(FakeRegistry({"AutoConfigURL": 7})) is None


def test_macos_automatic_proxy_configuration_is_read_from_scutil() -> None:
    on = """<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
  }
  ProxyAutoConfigEnable : 1
  ProxyAutoConfigURLString : http://wpad.corp.example/proxy.pac
}"""
    assert macos_pac(on) == "http://wpad.corp.example/proxy.pac"
    assert macos_pac(on.replace("ProxyAutoConfigEnable : 1", "ProxyAutoConfigEnable : 0")) is None
    assert macos_pac("<dictionary> {\n  HTTPEnable : 0\n}") is None


def test_messages_name_the_scripts_host_only(pac: None) -> None:
    assert proxy_script.configured_pac_host() == "wpad.corp.example"


def test_on_linux_nothing_is_read_and_nothing_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy_script.sys, "platform", "linux")
    assert READ_SETTINGS() is None


def test_a_registry_that_cannot_be_read_is_no_hint_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_registry: object) -> str | None:
        raise OSError(5, "Access is denied")

    monkeypatch.setattr(proxy_script.sys, "platform", "win32")
    monkeypatch.setattr(proxy_script, "windows_pac", broken)
    monkeypatch.setitem(sys.modules, "winreg", object())
    assert READ_SETTINGS() is None


def test_a_refused_direct_connection_points_at_the_script(pac: None) -> None:
    h = Harness(handler=refused_error(), retry=fast_retry(2))
    with pytest.raises(ConnectionFailed) as caught:
        h.client.me()
    message = str(caught.value)
    assert message.startswith(
        "Could not reach api.example.test. This computer's proxy settings use an automatic "
        "configuration script (from wpad.corp.example), which CostCodeSync cannot read"
    )
    assert "HTTPS_PROXY" in message
    assert "s3cret" not in message
    assert "token=abc" not in message


def test_a_name_only_the_proxy_could_look_up_points_at_the_script(pac: None) -> None:
    h = Harness(handler=lookup_error(), retry=fast_retry(2))
    with pytest.raises(HostNotFound) as caught:
        h.client.me()
    assert str(caught.value).startswith("Could not find api.example.test. This computer's proxy")


def test_the_client_logs_once_that_it_cannot_run_the_script(
    pac: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(network, "discover_proxies", dict)
    monkeypatch.setattr(network, "_announced", set())
    with caplog.at_level(logging.WARNING, logger="costcode_desktop.procore"):
        build_http_client(5.0).close()
        build_http_client(5.0).close()
    lines = [r.getMessage() for r in caplog.records if "configuration script" in r.getMessage()]
    assert lines == [
        "the system proxy settings use a configuration script (from wpad.corp.example) this app "
        "cannot run: connecting directly; set HTTPS_PROXY if that fails"
    ]


def test_name_lookup_without_a_script_keeps_its_own_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(proxy_script, "configured_pac", lambda: None)
    h = Harness(handler=lookup_error(), retry=fast_retry(1))
    with pytest.raises(HostNotFound) as caught:
        h.client.me()
    assert "automatic configuration script" not in str(caught.value)
