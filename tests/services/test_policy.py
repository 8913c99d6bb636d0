"""Managed configuration: each source read on any system, precedence, bad data field by field."""

from __future__ import annotations

import importlib.util
import logging
import plistlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from costcode_desktop.services.policy import (
    JSON_FILE_NAME,
    MAC_BUNDLE_ID,
    read_policy,
)
from costcode_desktop.services.settings import Connection

ROOT = Path(__file__).resolve().parents[2]


def registry(values: Mapping[str, Mapping[str, object] | None]):  # type: ignore[no-untyped-def]
    def read(hive: str) -> Mapping[str, object] | None:
        return values.get(hive)

    return read


def test_registry_machine_policy_wins_over_the_users(tmp_path: Path) -> None:
    policy = read_policy(
        platform="win32",
        registry=registry(
            {
                "HKLM": {"Environment": "developer_sandbox", "ClientId": "machine-app"},
                "HKCU": {"ClientId": "user-app", "RedirectPort": 9000, "clientsecret": "s3"},
            }
        ),
        json_path=tmp_path / "none.json",
    )
    connection = policy.apply(Connection())
    assert connection.environment == "developer_sandbox"
    assert connection.client_id == "machine-app"
    assert connection.redirect_port == 9000
    assert policy.client_secret == "s3"
    assert policy.sources["client_id"].startswith("HKLM\\Software\\Policies\\CostCodeSync")
    assert policy.sources["redirect_port"].startswith("HKCU")
    assert policy.locked("client_id")
    assert not policy.locked("custom_api_url")
    assert "s3" not in repr(policy)
    assert policy.provisioned(Connection())


def test_registry_values_of_the_wrong_type_are_ignored_one_by_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    policy = read_policy(
        platform="win32",
        registry=registry(
            {
                "HKLM": {
                    "RedirectPort": "8765",  # REG_SZ where a DWORD belongs
                    "ClientId": "good-app",
                    "Environment": "staging",
                    "Colour": "blue",
                },
                "HKCU": None,
            }
        ),
        json_path=tmp_path / "none.json",
    )
    assert dict(policy.values) == {"client_id": "good-app"}
    assert len(policy.problems) == 3
    assert any("RedirectPort ignored: it should be a whole number" in p for p in policy.problems)
    assert any("Environment ignored: it should be one of production" in p for p in policy.problems)
    assert any("unknown setting 'Colour'" in p for p in policy.problems)
    lines = [r.getMessage() for r in caplog.records if "Managed configuration" in r.getMessage()]
    assert len(lines) == 3
    assert all("\n" not in line for line in lines)


def test_an_unreadable_registry_key_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    def read(hive: str) -> Mapping[str, object] | None:
        if hive == "HKLM":
            raise PermissionError(13, "Access is denied")
        return {"ClientId": "user-app"}

    policy = read_policy(platform="win32", registry=read, json_path=tmp_path / "none.json")
    assert policy.values["client_id"] == "user-app"
    assert policy.problems == (
        "HKLM\\Software\\Policies\\CostCodeSync could not be read: Access is denied.",
    )


def write_plist(path: Path, values: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps(values))


def test_mac_managed_preferences_computer_wins_over_the_user(tmp_path: Path) -> None:
    root = tmp_path / "Managed Preferences"
    write_plist(
        root / f"{MAC_BUNDLE_ID}.plist",
        {"Environment": "custom", "CustomApiUrl": "https://api.example.com", "PayloadUUID": "x"},
    )
    write_plist(
        root / "clerk" / f"{MAC_BUNDLE_ID}.plist",
        {"Environment": "production", "CustomLoginUrl": "https://login.example.com"},
    )
    policy = read_policy(platform="darwin", mac_root=root, user="clerk", json_path=tmp_path / "n")
    connection = policy.apply(Connection())
    assert connection.environment == "custom"
    assert connection.custom_api_url == "https://api.example.com"
    assert connection.custom_login_url == "https://login.example.com"
    assert policy.problems == ()


def test_a_broken_plist_is_one_line_and_the_other_source_still_counts(tmp_path: Path) -> None:
    root = tmp_path / "Managed Preferences"
    (root).mkdir()
    (root / f"{MAC_BUNDLE_ID}.plist").write_bytes(b"<plist><dict><key>Client")
    write_plist(root / "clerk" / f"{MAC_BUNDLE_ID}.plist", {"ClientId": "user-app"})
    policy = read_policy(platform="darwin", mac_root=root, user="clerk", json_path=tmp_path / "n")
    assert policy.values == {"client_id": "user-app"}
    assert len(policy.problems) == 1
    assert "is not a readable property list: ignored." in policy.problems[0]


def test_the_json_file_beside_the_app(tmp_path: Path) -> None:
    path = tmp_path / JSON_FILE_NAME
    path.write_text(
        '{"Environment": "monthly_sandbox", "ClientId": "json-app", "RedirectPort": true}',
        encoding="utf-8",
    )
    policy = read_policy(platform="linux", json_path=path)
    assert policy.values == {"environment": "monthly_sandbox", "client_id": "json-app"}
    assert policy.problems == (
        f"{path}: RedirectPort ignored: it should be a whole number (REG_DWORD / integer), "
        "not true/false.",
    )
    assert not policy.provisioned(Connection()), "no secret: the clerk still needs one"


def test_platform_policy_wins_over_the_json_file(tmp_path: Path) -> None:
    path = tmp_path / JSON_FILE_NAME
    path.write_text('{"ClientId": "json-app", "RedirectPort": 9100}', encoding="utf-8")
    policy = read_policy(
        platform="win32", registry=registry({"HKCU": {"ClientId": "reg-app"}}), json_path=path
    )
    assert policy.values == {"client_id": "reg-app", "redirect_port": 9100}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"ClientId": ', "is not valid JSON"),
        (b'["ClientId"]', "should hold an object"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
    ],
)
def test_malformed_json_is_ignored_with_one_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / JSON_FILE_NAME
    path.write_bytes(content)
    policy = read_policy(platform="linux", json_path=path)
    assert policy.values == {}
    assert len(policy.problems) == 1
    assert expected in policy.problems[0]


def test_an_unreadable_json_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / JSON_FILE_NAME
    path.mkdir()  # a folder where the file should be: reading fails with an OSError
    policy = read_policy(platform="linux", json_path=path)
    assert policy.values == {}
    assert "could not be read" in policy.problems[0]


def test_no_policy_anywhere_locks_nothing(tmp_path: Path) -> None:
    policy = read_policy(platform="linux", json_path=tmp_path / JSON_FILE_NAME)
    assert policy.values == {}
    assert policy.problems == ()
    assert policy.apply(Connection(client_id="mine")) == Connection(client_id="mine")


def test_the_mac_bundle_id_is_the_packaged_one() -> None:
    spec = importlib.util.spec_from_file_location(
        "bundle_config", ROOT / "packaging" / "bundle_config.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.BUNDLE_ID == MAC_BUNDLE_ID


def test_the_redirect_host_from_the_registry_a_plist_and_the_json_file(tmp_path: Path) -> None:
    """RedirectHost picks the host of the redirect URI IT registered; any other host is refused."""
    from_registry = read_policy(
        platform="win32",
        registry=registry(
            {"HKLM": {"RedirectHost": "localhost"}, "HKCU": {"redirecthost": "127.0.0.1"}}
        ),
        json_path=tmp_path / "none.json",
    )
    root = tmp_path / "Managed Preferences"
    write_plist(root / f"{MAC_BUNDLE_ID}.plist", {"RedirectHost": "localhost"})
    from_plist = read_policy(
        platform="darwin", mac_root=root, user="clerk", json_path=tmp_path / "none.json"
    )
    path = tmp_path / JSON_FILE_NAME
    path.write_text('{"RedirectHost": "localhost", "RedirectPort": 9100}', encoding="utf-8")
    from_json = read_policy(platform="linux", json_path=path)
    for policy in (from_registry, from_plist, from_json):
        assert policy.locked("redirect_host")
        connection = policy.apply(Connection(redirect_host="127.0.0.1"))
        assert connection.redirect_uri().startswith("http://localhost:")
    assert from_registry.sources["redirect_host"].startswith("HKLM")
    for policy in (from_registry, from_plist, from_json):
        assert policy.problems == ()

    bad = read_policy(
        platform="linux",
        registry=registry({"HKLM": {"RedirectHost": "0.0.0.0", "ClientId": "app"}}),
        json_path=tmp_path / "none.json",
    )
    assert not bad.locked("redirect_host")
    assert bad.apply(Connection()).redirect_host == "127.0.0.1"
    assert bad.problems == (
        "HKLM\\Software\\Policies\\CostCodeSync: RedirectHost ignored: it should be one of "
        "127.0.0.1, localhost.",
    )
