"""Managed configuration: the connection values IT sets for every user, read-only to the app.

Three sources, first one wins field by field:

1. Windows: the registry policy keys HKLM\\Software\\Policies\\CostCodeSync, then HKCU (the
   machine's policy wins over the user's, as Group Policy intends).
2. macOS: the managed preferences a configuration profile installs, the computer's
   (/Library/Managed Preferences/<bundle id>.plist) before the user's
   (/Library/Managed Preferences/<user>/<bundle id>.plist).
3. Anywhere: costcodesync-policy.json beside the executable (a frozen build's own folder).

Every reader is a pure function over the raw source (tests feed values on any system); only
`read_policy` touches the registry or the disk. Bad data never stops the app: a value of the
wrong type, an unknown key, a file that is not a plist or JSON gives a one-line problem (logged,
and shown in Connection settings) and the field is ignored. A policy never holds secrets in its
repr or its problems.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from costcode_desktop.costcodes.connectors import CHOICES as CONNECTOR_CHOICES
from costcode_desktop.services.settings import (
    ENVIRONMENT_CHOICES,
    PORT_MAX,
    PORT_MIN,
    REDIRECT_HOSTS,
    SIGN_IN_METHODS,
    Connection,
)

log = logging.getLogger(__name__)

REGISTRY_KEY = r"Software\Policies\CostCodeSync"
REGISTRY_HIVES = ("HKLM", "HKCU")  # first wins
MAC_BUNDLE_ID = "com.costcodesync.desktop"  # packaging/bundle_config.py's BUNDLE_ID (a test checks)
MAC_MANAGED_ROOT = Path("/Library/Managed Preferences")
JSON_FILE_NAME = "costcodesync-policy.json"
SECRET = "client_secret"

# Policy name → the Connection field it sets (client_secret goes to the keyring, not Connection).
POLICY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "Environment": "environment",
        "CustomLoginUrl": "custom_login_url",
        "CustomApiUrl": "custom_api_url",
        "ClientId": "client_id",
        "ClientSecret": SECRET,
        "RedirectPort": "redirect_port",
        "RedirectHost": "redirect_host",
        "SignInMethod": "sign_in_method",
        "CompanyId": "company_id",
        "ErpConnector": "erp_connector",
    }
)
_WHOLE_NUMBERS = {"redirect_port", "company_id"}
_CHOICES = {
    "environment": tuple(e for e in ENVIRONMENT_CHOICES if e != "demo"),
    "sign_in_method": SIGN_IN_METHODS,
    "redirect_host": REDIRECT_HOSTS,
    "erp_connector": CONNECTOR_CHOICES,
}
_BY_LOWER = {name.lower(): name for name in POLICY_NAMES}

RegistryReader = Callable[[str], Mapping[str, object] | None]  # hive → its values, None: no key


@dataclass(frozen=True)
class PolicySource:
    """The usable values of one source (Connection field → value) and what was wrong in it."""

    where: str
    values: Mapping[str, str | int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """What IT set, merged: each locked field's value and where it came from."""

    values: Mapping[str, str | int] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)  # field → where it was set
    problems: tuple[str, ...] = ()

    def __repr__(self) -> str:  # the secret, when IT sets one, never goes to a log
        shown = {k: ("<hidden>" if k == SECRET else v) for k, v in self.values.items()}
        return f"Policy(values={shown!r}, problems={len(self.problems)})"

    def locked(self, name: str) -> bool:
        """Whether IT set this Connection field (or client_secret): the user cannot change it."""
        return name in self.values

    @property
    def client_secret(self) -> str:
        value = self.values.get(SECRET, "")
        return value if isinstance(value, str) else ""

    def apply(self, connection: Connection) -> Connection:
        """The connection with every value IT set in place of the user's."""
        changes = {k: v for k, v in self.values.items() if k != SECRET}
        return replace(connection, **changes)  # type: ignore[arg-type]  # types checked on read

    def provisioned(self, connection: Connection) -> bool:
        """IT set everything a sign-in needs: the clerk only has to sign in."""
        needed = ("environment", "client_id", SECRET)
        return all(self.locked(n) for n in needed) and not self.apply(connection).validate()


def merge(sources: Sequence[PolicySource]) -> Policy:
    """The first source to set a field wins; every source's problems are kept."""
    values: dict[str, str | int] = {}
    where: dict[str, str] = {}
    for source in sources:
        for name, value in source.values.items():
            if name not in values:
                values[name] = value
                where[name] = source.where
    problems = tuple(p for source in sources for p in source.problems)
    return Policy(MappingProxyType(values), MappingProxyType(where), problems)


def from_mapping(raw: Mapping[Any, object], where: str) -> PolicySource:
    """Check each value's type and choice; a bad one is a problem and is left out."""
    values: dict[str, str | int] = {}
    problems: list[str] = []
    for key, value in raw.items():
        name = _BY_LOWER.get(str(key).lower())
        if name is None:
            problems.append(f"{where}: unknown setting {str(key)[:60]!r} ignored.")
            continue
        target = POLICY_NAMES[name]
        problem = _problem(target, value)
        if problem is not None:
            problems.append(f"{where}: {name} ignored: {problem}.")
            continue
        values[target] = value.strip() if isinstance(value, str) else value  # type: ignore[assignment]
    return PolicySource(where, MappingProxyType(values), tuple(problems))


def from_json_text(text: str, where: str) -> PolicySource:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        return PolicySource(where, problems=(f"{where} is not valid JSON ({detail}): ignored.",))
    if not isinstance(data, dict):
        return PolicySource(where, problems=(f"{where} should hold an object {{...}}: ignored.",))
    return from_mapping(data, where)


def from_plist_bytes(data: bytes, where: str) -> PolicySource:
    import plistlib  # here: only macOS reads one, and the window's first paint does without it

    try:
        loaded = plistlib.loads(data)
    except Exception:  # plistlib raises several kinds (InvalidFileException, ExpatError, ...)
        return PolicySource(where, problems=(f"{where} is not a readable property list: ignored.",))
    if not isinstance(loaded, dict):
        return PolicySource(where, problems=(f"{where} should hold a dictionary: ignored.",))
    # A profile's payload also carries its own bookkeeping keys; they are not ours to judge.
    ours = {k: v for k, v in loaded.items() if not str(k).startswith("Payload")}
    return from_mapping(ours, where)


def from_registry(read: RegistryReader) -> list[PolicySource]:
    """HKLM then HKCU; a hive whose key cannot be read is a problem, not a failure."""
    sources: list[PolicySource] = []
    for hive in REGISTRY_HIVES:
        where = f"{hive}\\{REGISTRY_KEY}"
        try:
            values = read(hive)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            sources.append(PolicySource(where, problems=(f"{where} could not be read: {reason}.",)))
            continue
        if values is not None:
            sources.append(from_mapping(values, where))
    return sources


def mac_plist_paths(user: str, root: Path = MAC_MANAGED_ROOT) -> list[Path]:
    """The computer's managed preferences first, then the user's."""
    name = f"{MAC_BUNDLE_ID}.plist"
    return [root / name, root / user / name]


def json_policy_path() -> Path:
    """Beside the executable: the frozen app's own folder (an installer can put it there)."""
    return Path(sys.executable).resolve().parent / JSON_FILE_NAME


def read_file_source(
    path: Path, parse: Callable[[bytes, str], PolicySource]
) -> PolicySource | None:
    """A policy file, or None when there is none; a file that cannot be read is a problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return PolicySource(str(path), problems=(f"{path} could not be read: {reason}.",))
    return parse(data, str(path))


def _json_bytes(data: bytes, where: str) -> PolicySource:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return PolicySource(where, problems=(f"{where} is not UTF-8 text: ignored.",))
    return from_json_text(text, where)


def read_policy(
    *,
    platform: str = sys.platform,
    registry: RegistryReader | None = None,
    mac_root: Path = MAC_MANAGED_ROOT,
    user: str | None = None,
    json_path: Path | None = None,
) -> Policy:
    """Every source this system has, merged; problems are logged, one line each."""
    sources: list[PolicySource] = []
    if platform == "win32":
        sources.extend(from_registry(registry or _winreg_reader))
    elif registry is not None:
        sources.extend(from_registry(registry))
    if platform == "darwin":
        for path in mac_plist_paths(user or _user_name(), mac_root):
            found = read_file_source(path, from_plist_bytes)
            if found is not None:
                sources.append(found)
    found = read_file_source(json_path or json_policy_path(), _json_bytes)
    if found is not None:
        sources.append(found)
    policy = merge(sources)
    for problem in policy.problems:
        log.warning("Managed configuration: %s", problem)
    return policy


def _problem(target: str, value: object) -> str | None:
    """Why a value cannot be used for a field, or None."""
    if target in _WHOLE_NUMBERS:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"it should be a whole number (REG_DWORD / integer), not {_kind(value)}"
        if target == "redirect_port" and not PORT_MIN <= value <= PORT_MAX:
            return f"a port is a number from {PORT_MIN} to {PORT_MAX}"
        if target == "company_id" and value < 1:
            return "a company id is a positive number"
        return None
    if not isinstance(value, str):
        return f"it should be text (REG_SZ / string), not {_kind(value)}"
    if not value.strip():
        return "it is empty"
    choices = _CHOICES.get(target)
    if choices is not None and value.strip() not in choices:
        return f"it should be one of {', '.join(choices)}"
    if target == "client_id" and any(c.isspace() for c in value.strip()):
        return "a client id has no spaces"
    return None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a dictionary"
    return type(value).__name__


def _user_name() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "")


def _winreg_reader(hive: str) -> Mapping[str, object] | None:
    """The values under the policy key of one hive; None when the key does not exist."""
    if sys.platform != "win32":
        return None
    import winreg

    root = winreg.HKEY_LOCAL_MACHINE if hive == "HKLM" else winreg.HKEY_CURRENT_USER
    try:
        key = winreg.OpenKey(root, REGISTRY_KEY)
    except FileNotFoundError:
        return None
    values: dict[str, object] = {}
    with key:
        index = 0
        while True:
            try:
                name, value, _kind_of = winreg.EnumValue(key, index)
            except OSError:  # no more values
                break
            values[name] = value
            index += 1
    return values
