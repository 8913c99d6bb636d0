"""Connection settings, declared once with types and defaults; never a secret.

The file is JSON with a version field, written atomically (temporary file, fsync, os.replace).
Unknown keys are ignored so an older app can read a newer file. A file that cannot be used is
moved aside as settings.json.broken: the app starts with defaults and tells the user why, since
a settings file must never keep the app from starting. Secrets live in the keyring (secrets.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, get_type_hints

from costcode_desktop.costcodes.connectors import AUTO
from costcode_desktop.costcodes.connectors import CHOICES as CONNECTOR_CHOICES
from costcode_desktop.procore.environments import (
    ENVIRONMENTS,
    Environment,
    custom_environment,
    normalize_base_url,
)
from costcode_desktop.procore.jsontext import NotJson, TooDeep, read_json
from costcode_desktop.services import paths

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
BROKEN_SUFFIX = ".broken"
FORMAT_VERSION = 1
SIGN_IN_METHODS = ("browser", "paste_code", "service_account")
ENVIRONMENT_CHOICES = ("production", "developer_sandbox", "monthly_sandbox", "custom", "demo")
CUSTOM_KEY_PREFIX = "custom:"  # + the API address: each custom server has its own tokens
PORT_MIN, PORT_MAX = 1024, 65535  # below 1024 needs administrator rights on some systems
# The loopback redirect's host. The IP literal is RFC 8252's advice (section 8.3): the browser
# goes exactly where the app listens. `localhost` is the Developer Portal's default URI, kept for
# apps that registered it (the sign-in then listens on 127.0.0.1 and ::1: services/loopback.py).
REDIRECT_HOSTS = ("127.0.0.1", "localhost")
# What a settings file from before the choice existed had registered.
LEGACY_REDIRECT_HOST = "localhost"

# Same wording as procore.custom_environment, so the dialog and the sign-in agree.
_LOGIN_URL = ("sign-in (login) address", "https://login.procore.com")
_API_URL = ("API address", "https://api.procore.com")
_SECRET_NAME = re.compile(r"secret|token|password|passwd|credential", re.IGNORECASE)


class SettingsError(Exception):
    """The settings file could not be read or written; the message says so plainly."""


class _Invalid(Exception):
    """The file's content is unusable; the message completes "could not be read: ..."."""


@dataclass(frozen=True)
class Connection:
    """Where and how to sign in to Procore; the client secret is in the keyring, not here."""

    environment: str = "production"  # one of ENVIRONMENT_CHOICES
    custom_login_url: str = ""
    custom_api_url: str = ""
    client_id: str = ""
    redirect_port: int = 8765  # the app's loopback redirect http://<host>:<port>/callback
    redirect_host: str = "127.0.0.1"  # one of REDIRECT_HOSTS
    sign_in_method: str = "browser"  # one of SIGN_IN_METHODS
    # The service account's Procore company (0: not given). Procore wants it on the first calls
    # of a service account (/me, /companies), before the company list can say it.
    company_id: int = 0
    # Whose code rules apply: a connector's key (costcodes.connectors.CHOICES), or "auto" to
    # tell it from the company's ERP list's name.
    erp_connector: str = AUTO

    def redirect_uri(self) -> str:
        """The exact redirect registered for the Procore app (dynamic URIs are refused)."""
        if self.sign_in_method == "paste_code":
            from costcode_desktop.procore.oauth import OOB_REDIRECT_URI  # brings httpx: here

            return OOB_REDIRECT_URI
        return f"http://{self.redirect_host}:{self.redirect_port}/callback"

    def environment_key(self) -> str:
        """Names the environment tokens and companies belong to; ValueError if it has none."""
        if self.environment == "custom":
            return CUSTOM_KEY_PREFIX + normalize_base_url(self.custom_api_url, *_API_URL)
        if self.environment not in ENVIRONMENT_CHOICES:
            raise ValueError(_unknown_environment(self.environment))
        return self.environment

    def environment_obj(self) -> Environment:
        """The Procore hosts to use; ValueError (plain message) when there are none to use."""
        if self.environment == "demo":
            raise ValueError("the demo runs its own sandbox")
        if self.environment == "custom":
            env = custom_environment(self.custom_login_url, self.custom_api_url)
            return replace(env, key=CUSTOM_KEY_PREFIX + env.api_url)
        for env in ENVIRONMENTS:
            if env.key == self.environment:
                return env
        raise ValueError(_unknown_environment(self.environment))

    def validate(self) -> list[str]:
        """Plain problems for the settings dialog; empty when the connection can be tried."""
        problems: list[str] = []
        if self.environment not in ENVIRONMENT_CHOICES:
            problems.append(_unknown_environment(self.environment))
        if self.environment == "custom":
            for value, (what, example) in (
                (self.custom_login_url, _LOGIN_URL),
                (self.custom_api_url, _API_URL),
            ):
                try:
                    normalize_base_url(value, what, example)
                except ValueError as exc:
                    problems.append(str(exc))
        if self.sign_in_method not in SIGN_IN_METHODS:
            problems.append(
                f"Unknown sign-in method {self.sign_in_method!r}. Choose signing in with the "
                "browser, pasting a code, or a service account."
            )
        if self.environment != "demo":  # the demo brings its own app
            problems.extend(_client_id_problems(self.client_id))
        if (
            self.sign_in_method == "service_account"
            and self.environment != "demo"
            and self.company_id < 1
        ):
            problems.append(
                "Enter the company id the service account works in: the number after "
                "app.procore.com/ in the browser's address bar when that company is open in "
                "Procore."
            )
        if self.erp_connector not in CONNECTOR_CHOICES:
            problems.append(
                f"Unknown ERP connector {self.erp_connector!r}. Choose one from the list, or "
                "'From the company's ERP list'."
            )
        if self.sign_in_method == "browser" and self.redirect_host not in REDIRECT_HOSTS:
            problems.append(
                f"The redirect address must be {' or '.join(REDIRECT_HOSTS)} "
                f"(it is {self.redirect_host!r})."
            )
        if self.sign_in_method == "browser" and not PORT_MIN <= self.redirect_port <= PORT_MAX:
            problems.append(
                f"The redirect port must be a number from {PORT_MIN} to {PORT_MAX} "
                f"(it is {self.redirect_port})."
            )
        return problems


@dataclass(frozen=True)
class Settings:
    """What the app remembers between runs, except secrets (keyring) and window state."""

    connection: Connection = field(default_factory=Connection)
    # Remembered company id per environment key (Connection.environment_key()).
    companies: Mapping[str, int] = field(default_factory=dict)
    # Last login per environment key: not a secret, it names the refresh token to look up.
    signed_in_login: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only copies, so a frozen Settings really cannot change under its holder.
        object.__setattr__(self, "companies", MappingProxyType(dict(self.companies)))
        object.__setattr__(self, "signed_in_login", MappingProxyType(dict(self.signed_in_login)))

    def __hash__(self) -> int:
        return hash(
            (
                self.connection,
                frozenset(self.companies.items()),
                frozenset(self.signed_in_login.items()),
            )
        )

    def with_company(self, environment_key: str, company_id: int) -> Settings:
        """A copy remembering the company last opened in an environment."""
        if not _is_int(company_id) or company_id < 1:
            raise ValueError("A company id is a positive whole number")
        return replace(self, companies={**self.companies, environment_key: company_id})

    def with_login(self, environment_key: str, login: str | None) -> Settings:
        """A copy remembering (or, with None, forgetting) who signed in to an environment."""
        logins = {k: v for k, v in self.signed_in_login.items() if k != environment_key}
        if login is not None:
            logins[environment_key] = login
        return replace(self, signed_in_login=logins)


class LoadedSettings(NamedTuple):
    """What load_settings found: the settings to use, and the problem to show, if any."""

    settings: Settings
    problem: SettingsError | None  # set when the file was unusable and defaults were used


def settings_path() -> Path:
    """The settings file in the configuration folder (COSTCODESYNC_HOME moves it)."""
    return paths.config_dir() / FILE_NAME


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Read the settings; a bad file never stops the app: defaults plus the problem to show.

    Never raises for the file's sake. A missing file gives the defaults and no problem. A file
    that cannot be read, is not JSON or holds values of the wrong type is moved aside as
    settings.json.broken, and the defaults come back with a SettingsError explaining it.
    """
    path = path if path is not None else settings_path()
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM Notepad may add
        return LoadedSettings(_settings_from_data(_parse(text)), None)
    except FileNotFoundError:
        return LoadedSettings(Settings(), None)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    except UnicodeDecodeError:
        reason = "it is not UTF-8 text"
    except _Invalid as exc:
        reason = str(exc)
    return LoadedSettings(Settings(), _set_aside(path, reason))


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically, so a crash or full disk never leaves half a file.

    Raises SettingsError (plain message) when the file cannot be written, and ValueError when
    the settings hold a value the file could not hold (a programming error, caught early).
    """
    path = path if path is not None else settings_path()
    data = _settings_to_data(settings)
    _refuse_secret_names(data)
    try:
        _settings_from_data(data)  # what is written must read back
    except _Invalid as exc:
        raise ValueError(f"Refusing to save settings that could not be read back: {exc}") from None
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SettingsError(f"Your settings could not be saved to {path}: {reason}.") from exc


def _unknown_environment(name: str) -> str:
    return (
        f"Unknown environment {name!r}. Choose Production, Developer sandbox, Monthly sandbox, "
        "Custom or Demo."
    )


def _client_id_problems(client_id: str) -> list[str]:
    """A client id is required outside the demo, and is one word."""
    if not client_id.strip():
        return ["Enter the client id of your Procore app (Developer Portal, app credentials)."]
    if any(char.isspace() for char in client_id):
        return ["The client id must not contain spaces."]
    return []


def _is_int(value: object) -> bool:
    """A JSON whole number; bool is an int to Python but not to the file."""
    return isinstance(value, int) and not isinstance(value, bool)


def _parse(text: str) -> Any:
    """JSON to Python; Python ints keep every digit, so 64-bit company ids survive."""
    try:
        return read_json(text, parse_constant=_reject_constant)
    except NotJson as exc:
        if isinstance(exc, TooDeep):
            raise _Invalid("it is nested too deeply to be a settings file") from None
        raise _Invalid(f"it is not valid JSON ({exc})") from None


def _reject_constant(name: str) -> Any:
    raise _Invalid(f"it holds {name}, which is not a valid value")


def _settings_from_data(data: Any) -> Settings:
    """Check every value's type; unknown keys are ignored (a newer app may have written them)."""
    root = _object(data, "the file")
    version = root.get("version", FORMAT_VERSION)
    if not _is_int(version) or version < 1:
        raise _Invalid(f"its version should be a whole number from 1, not {_describe(version)}")
    if version > FORMAT_VERSION:
        log.info(
            "Settings file version %s is newer than %s: reading what this app knows",
            version,
            FORMAT_VERSION,
        )
    raw = _object(root.get("connection", {}), "connection")
    hints = get_type_hints(Connection)
    values = {
        f.name: _typed(raw[f.name], hints[f.name], f"connection.{f.name}")
        for f in fields(Connection)
        if f.name in raw
    }
    if raw and "redirect_host" not in raw:
        # Written before the choice existed: its redirect URI was registered with localhost.
        values["redirect_host"] = LEGACY_REDIRECT_HOST
    companies = _object(root.get("companies", {}), "companies")
    for key, company_id in companies.items():
        if not _is_int(company_id) or company_id < 1:
            raise _Invalid(
                f"companies[{key!r}] should be a positive whole number, not {_describe(company_id)}"
            )
    logins = _object(root.get("signed_in_login", {}), "signed_in_login")
    for key, login in logins.items():
        _typed(login, str, f"signed_in_login[{key!r}]")
    return Settings(Connection(**values), companies, logins)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{where} should be an object ({{...}}), not {_describe(value)}")
    return value


def _typed(value: Any, expected: Any, where: str) -> Any:
    """The value itself when it has the declared type; _Invalid otherwise."""
    if expected is int and _is_int(value):
        return value
    if expected is str and isinstance(value, str):
        return value
    wanted = "a whole number" if expected is int else "text"
    raise _Invalid(f"{where} should be {wanted}, not {_describe(value)}")


def _describe(value: Any) -> str:
    """A JSON value's kind in words, for messages (the value itself is never needed)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _settings_to_data(settings: Settings) -> dict[str, Any]:
    connection = settings.connection
    return {
        "version": FORMAT_VERSION,
        "connection": {f.name: getattr(connection, f.name) for f in fields(Connection)},
        "companies": dict(settings.companies),
        "signed_in_login": dict(settings.signed_in_login),
    }


def _refuse_secret_names(data: dict[str, Any]) -> None:
    """Guard against a future field that would put a secret in a plain file.

    Checks the field names the file declares; the keys of companies and signed_in_login are
    environment keys (data, possibly a custom URL), not field names.
    """
    names = [*data, *data["connection"]]
    found = [name for name in names if _SECRET_NAME.search(name)]
    if found:
        raise ValueError(f"Secrets belong in the keyring, not the settings file: {found}")


def _write_atomically(path: Path, text: str) -> None:
    """Temporary file in the same folder, flushed to disk, then renamed over the old one."""
    import tempfile  # here: reading the settings, as every start does, needs none

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows (not on Windows)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _set_aside(path: Path, reason: str) -> SettingsError:
    """Move an unusable file out of the way and say so; it may hold settings worth keeping."""
    broken = path.with_name(path.name + BROKEN_SUFFIX)
    try:
        os.replace(path, broken)
        kept = f"kept the old file as {broken.name}"
    except OSError:
        kept = "could not keep a copy of the old file"
    message = (
        f"Your settings file {path} could not be read: {reason}; "
        f"CostCodeSync started with default settings and {kept}."
    )
    log.warning("%s", message)
    return SettingsError(message)
