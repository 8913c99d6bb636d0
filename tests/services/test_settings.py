from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.procore import DEVELOPER_SANDBOX, MONTHLY_SANDBOX, PRODUCTION
from costcode_desktop.services import settings as settings_module
from costcode_desktop.services.settings import (
    FORMAT_VERSION,
    Connection,
    LoadedSettings,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    settings_path,
)

BIG_COMPANY = 562949953421312 + 2**60  # past 2**53: a double would lose it
SECRET_NAME = re.compile(r"secret|token|password", re.IGNORECASE)


def full_settings() -> Settings:
    connection = Connection(
        environment="custom",
        custom_login_url="https://login.example.com",
        custom_api_url="https://api.example.com/",
        client_id="abc123",
        redirect_port=9000,
        sign_in_method="paste_code",
    )
    key = connection.environment_key()
    return Settings(connection).with_company(key, BIG_COMPANY).with_login(key, "jo@example.com")


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def all_keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [key for k, v in value.items() for key in (k, *all_keys(v))]
    if isinstance(value, list):
        return [key for item in value for key in all_keys(item)]
    return []


def test_defaults() -> None:
    settings = Settings()
    assert settings.connection == Connection()
    assert settings.connection.environment == "production"
    assert settings.connection.redirect_port == 8765
    assert settings.connection.sign_in_method == "browser"
    assert settings.companies == {}
    assert settings.signed_in_login == {}


def test_missing_file_gives_defaults_without_a_problem(isolated_home: Path) -> None:
    loaded = load_settings()
    assert loaded == LoadedSettings(Settings(), None)
    settings, problem = loaded
    assert settings == Settings()
    assert problem is None
    assert settings_path() == isolated_home / "config" / "settings.json"


def test_round_trip_in_the_config_folder(isolated_home: Path) -> None:
    original = full_settings()
    save_settings(original)
    path = isolated_home / "config" / "settings.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == FORMAT_VERSION
    assert data["companies"] == {"custom:https://api.example.com": BIG_COMPANY}
    assert load_settings() == LoadedSettings(original, None)
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary left


def test_64_bit_company_id_stays_an_exact_int(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings().with_company("production", BIG_COMPANY), path)
    assert str(BIG_COMPANY) in path.read_text(encoding="utf-8")
    company = load_settings(path).settings.companies["production"]
    assert type(company) is int
    assert company == BIG_COMPANY


def test_settings_are_immutable_and_hashable() -> None:
    settings = full_settings()
    with pytest.raises(TypeError):
        settings.companies["production"] = 1  # type: ignore[index]
    assert hash(settings) == hash(full_settings())
    updated = settings.with_company("production", 7)
    assert updated.companies["production"] == 7
    assert "production" not in settings.companies
    assert settings.with_login("custom:https://api.example.com", None).signed_in_login == {}
    with pytest.raises(ValueError, match="positive"):
        settings.with_company("production", True)


def test_failed_replace_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(Connection(client_id="old")), path)
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Access is denied")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", broken_replace)
        with pytest.raises(SettingsError, match=r"could not be saved .*Access is denied"):
            save_settings(Settings(Connection(client_id="new")), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
    assert load_settings(path).settings.connection.client_id == "old"


def test_save_writes_through_fsync_and_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        calls.append("replace")
        assert Path(src).parent == tmp_path
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    save_settings(Settings(), tmp_path / "settings.json")
    assert calls[:2] == ["fsync", "replace"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "it is not valid JSON"),
        (b'{"version": 1, "companies": {"production": NaN}}', "NaN"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2]", "the file should be an object"),
        (b'{"version": "1"}', "version should be a whole number"),
    ],
)
def test_corrupt_file_is_set_aside_and_defaults_used(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    settings, problem = load_settings(path)
    assert settings == Settings()
    assert isinstance(problem, SettingsError)
    message = str(problem)
    assert message.startswith(f"Your settings file {path} could not be read: ")
    assert reason in message
    assert message.endswith(
        "; CostCodeSync started with default settings and kept the old file as "
        "settings.json.broken."
    )
    assert not path.exists()
    assert (tmp_path / "settings.json.broken").read_bytes() == content
    save_settings(settings, path)  # the app can carry on and save again
    assert load_settings(path).problem is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"connection": {"redirect_port": "8765"}}, "connection.redirect_port should be a whole"),
        ({"connection": {"redirect_port": 8765.0}}, "not a decimal number"),
        ({"connection": {"redirect_port": True}}, "not true/false"),
        ({"connection": {"client_id": 123}}, "connection.client_id should be text"),
        ({"connection": {"environment": None}}, "should be text, not null"),
        ({"connection": []}, "connection should be an object"),
        ({"companies": {"production": "42"}}, "companies['production'] should be a positive"),
        ({"companies": {"production": 0}}, "positive whole number"),
        ({"signed_in_login": {"production": 5}}, "signed_in_login['production'] should be text"),
    ],
)
def test_wrong_types_are_reported(tmp_path: Path, data: Any, reason: str) -> None:
    path = write(tmp_path / "settings.json", {"version": 1, **data})
    settings, problem = load_settings(path)
    assert settings == Settings()
    assert problem is not None
    assert reason in str(problem)
    assert (tmp_path / "settings.json.broken").exists()


def test_unknown_keys_are_ignored_and_missing_ones_defaulted(tmp_path: Path) -> None:
    path = write(
        tmp_path / "settings.json",
        {
            "version": 2,
            "theme": "dark",
            "connection": {"client_id": "abc", "future_option": [1, 2]},
            "companies": {"production": 42},
        },
    )
    settings, problem = load_settings(path)
    assert problem is None
    # A connection without redirect_host was written before it existed: see the test below.
    expected = Connection(client_id="abc", redirect_host="localhost")
    assert settings == Settings(expected, {"production": 42})


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"version": 1}).encode())
    assert load_settings(path) == LoadedSettings(Settings(), None)


def test_settings_file_never_contains_a_secret_looking_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(full_settings(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    field_names = [*data, *data["connection"]]
    assert field_names
    assert not [name for name in field_names if SECRET_NAME.search(name)]
    assert not [k for k in all_keys(data) if SECRET_NAME.search(k)]


def test_save_refuses_a_secret_looking_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = settings_module._settings_to_data

    def with_secret(settings: Settings) -> dict[str, Any]:
        data = real(settings)
        data["connection"]["client_secret"] = "s3cr3t"
        return data

    monkeypatch.setattr(settings_module, "_settings_to_data", with_secret)
    with pytest.raises(ValueError, match="keyring") as caught:
        save_settings(Settings(), tmp_path / "settings.json")
    assert "s3cr3t" not in str(caught.value)
    assert not (tmp_path / "settings.json").exists()


def test_save_refuses_values_of_the_wrong_type(tmp_path: Path) -> None:
    bad = Connection(redirect_port="8765")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="redirect_port"):
        save_settings(Settings(bad), tmp_path / "settings.json")
    assert not (tmp_path / "settings.json").exists()


def test_redirect_uri_for_both_methods() -> None:
    # A new connection uses the loopback IP literal (RFC 8252 section 7.3), not localhost.
    assert Connection().redirect_uri() == "http://127.0.0.1:8765/callback"
    assert Connection(redirect_port=9123).redirect_uri() == "http://127.0.0.1:9123/callback"
    localhost = Connection(redirect_host="localhost", redirect_port=9123)
    assert localhost.redirect_uri() == "http://localhost:9123/callback"
    assert Connection(sign_in_method="paste_code").redirect_uri() == "urn:ietf:wg:oauth:2.0:oob"


def test_an_older_settings_file_keeps_the_localhost_redirect_it_registered(
    tmp_path: Path,
) -> None:
    # Written by the previous version, whose redirect URI was http://localhost:<port>/callback.
    older = {"client_id": "abc", "redirect_port": 9000, "sign_in_method": "browser"}
    path = write(tmp_path / "settings.json", {"version": 1, "connection": older})
    settings = load_settings(path).settings
    assert settings.connection.redirect_uri() == "http://localhost:9000/callback"
    # Saved again, the choice is written down and read back as it is.
    save_settings(settings, path)
    assert load_settings(path).settings == settings
    chosen = replace(settings, connection=replace(settings.connection, redirect_host="127.0.0.1"))
    save_settings(chosen, path)
    assert load_settings(path).settings.connection.redirect_uri() == (
        "http://127.0.0.1:9000/callback"
    )
    # No file yet: a new user gets the IP literal.
    assert load_settings(tmp_path / "none.json").settings.connection.redirect_host == "127.0.0.1"


def test_an_unknown_redirect_host_is_a_problem() -> None:
    problems = Connection(client_id="abc", redirect_host="[::1]").validate()
    assert problems == ["The redirect address must be 127.0.0.1 or localhost (it is '[::1]')."]
    pasted = Connection(client_id="abc", redirect_host="x", sign_in_method="paste_code")
    assert pasted.validate() == []


def test_environment_obj_for_published_environments() -> None:
    assert Connection().environment_obj() == PRODUCTION
    assert Connection(environment="developer_sandbox").environment_obj() == DEVELOPER_SANDBOX
    assert Connection(environment="monthly_sandbox").environment_obj() == MONTHLY_SANDBOX
    assert Connection(environment="monthly_sandbox").environment_key() == "monthly_sandbox"


def test_environment_obj_for_custom_and_demo() -> None:
    custom = Connection(
        environment="custom",
        custom_login_url="https://login.example.com/",
        custom_api_url="https://api.example.com",
    )
    env = custom.environment_obj()
    assert (env.login_url, env.api_url) == ("https://login.example.com", "https://api.example.com")
    assert env.key == custom.environment_key() == "custom:https://api.example.com"
    with pytest.raises(ValueError, match="must start with https://"):
        Connection(
            environment="custom",
            custom_login_url="http://login.example.com",
            custom_api_url="https://api.example.com",
        ).environment_obj()
    with pytest.raises(ValueError, match=r"^the demo runs its own sandbox$"):
        Connection(environment="demo").environment_obj()
    assert Connection(environment="demo").environment_key() == "demo"
    with pytest.raises(ValueError, match="Unknown environment"):
        Connection(environment="staging").environment_obj()


def test_validate_accepts_a_complete_connection() -> None:
    assert Connection(client_id="abc").validate() == []
    assert Connection(environment="demo").validate() == []  # the demo brings its own app
    assert (
        Connection(client_id="abc", sign_in_method="paste_code", redirect_port=80).validate() == []
    )


def test_validate_messages() -> None:
    problems = Connection(
        environment="staging", client_id="", redirect_port=80, sign_in_method="magic"
    ).validate()
    assert problems == [
        "Unknown environment 'staging'. Choose Production, Developer sandbox, Monthly sandbox, "
        "Custom or Demo.",
        "Unknown sign-in method 'magic'. Choose signing in with the browser, pasting a code, or "
        "a service account.",
        "Enter the client id of your Procore app (Developer Portal, app credentials).",
    ]
    assert Connection(client_id="a b").validate() == ["The client id must not contain spaces."]
    for port in (1023, 65536, 0, -1):
        assert Connection(client_id="abc", redirect_port=port).validate() == [
            f"The redirect port must be a number from 1024 to 65535 (it is {port})."
        ]
    for port in (1024, 65535):
        assert Connection(client_id="abc", redirect_port=port).validate() == []


@pytest.mark.parametrize(
    ("login", "api", "expected"),
    [
        ("https://login.example.com", "https://api.example.com", []),
        ("http://localhost:8123", "http://127.0.0.1:8123/", []),  # the built-in sandbox
        ("http://[::1]:8123", "http://localhost:8123", []),
        ("http://login.example.com", "https://api.example.com", ["sign-in (login) address"]),
        ("https://login.example.com", "http://api.example.com", ["API address"]),
        ("", "", ["Enter the sign-in (login) address", "Enter the API address"]),
        ("login.example.com", "ftp://api.example.com", ["full address", "full address"]),
    ],
)
def test_custom_urls_need_https_except_loopback(login: str, api: str, expected: list[str]) -> None:
    problems = Connection(
        environment="custom", custom_login_url=login, custom_api_url=api, client_id="abc"
    ).validate()
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem
