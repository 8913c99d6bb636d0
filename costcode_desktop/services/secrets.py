"""Secrets (client secret, refresh token) in the OS keyring, and nowhere else.

Windows Credential Manager holds at most 2,560 bytes per entry (1,280 UTF-16 code units), so a
longer value is split: the entry under the key holds a small header (how many parts, and a digest
to check them), the parts live under ``key#1``, ``key#2`` and so on. Every keyring call is wrapped:
callers only ever see SecretStoreUnavailable (no usable keyring: offer a session-only sign-in) or
SecretStoreError (one call failed), and no message, log line or repr ever holds a secret value.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar
from urllib.parse import quote

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import NoKeyringError

log = logging.getLogger(__name__)

SERVICE = "CostCodeSync"
SECRET_KINDS = ("client_secret", "refresh_token")
DEFAULT_MAX_CHUNK = 1200  # UTF-16 code units; Windows allows 1,280, the header needs none of it
SESSION_LOCATION = "memory (this session only)"
NO_STORE_LOCATION = "no password store"
CHUNK_MARK = "#"  # key#1, key#2 ...: never part of a key itself

_HEADER_PREFIX = "costcodesync-parts-v1:"
_HEADER = re.compile(r"costcodesync-parts-v1:(\d{1,4}):([0-9a-f]{16})", re.ASCII)
_PROBE_KEY = "availability-probe"
_KEY_SAFE = ":@+"  # kept readable in account names, beside letters, digits and "_.-~"
_LEAK_WINDOW = 8  # an error text sharing this many characters with the secret is withheld
_NOT_FOUND = "no system keyring was found"
_SECRET_SERVICE = "Secret Service (GNOME Keyring / KWallet)"
_LOCATIONS = {
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.SecretService.Keyring": _SECRET_SERVICE,
    "keyring.backends.libsecret.Keyring": _SECRET_SERVICE,
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
}

_T = TypeVar("_T")
# One writer at a time across every store in this process: a value spans several entries.
_KEYRING_LOCK = threading.RLock()


class SecretStoreUnavailable(Exception):
    """No usable keyring on this computer: the app can still sign in for this session only."""

    def __init__(self, detail: str = _NOT_FOUND) -> None:
        super().__init__(
            f"This computer has no password store CostCodeSync can use ({detail}). "
            "You can sign in for this session only; nothing will be saved."
        )


class SecretStoreError(Exception):
    """A keyring call failed (locked keychain, access denied...); the text never holds a secret."""


class SecretStoreLike(Protocol):
    """What the app needs from a secret store, so the keyring and the session store swap freely."""

    @property
    def location(self) -> str: ...

    def available(self) -> bool: ...

    def set(self, key: str, value: str) -> None: ...

    def get(self, key: str) -> str | None: ...

    def delete(self, key: str) -> None: ...


class SecretStore:
    """Secrets in the OS keyring under SERVICE, split over several entries when too long."""

    def __init__(
        self, backend: KeyringBackend | None = None, *, max_chunk: int = DEFAULT_MAX_CHUNK
    ) -> None:
        if max_chunk < 2:
            raise ValueError("max_chunk must be at least 2: one character can take two units")
        self._backend = backend if backend is not None else _default_backend()
        self._max_chunk = max_chunk
        self._lock = _KEYRING_LOCK

    def __repr__(self) -> str:
        return f"SecretStore({self.location!r})"

    @property
    def location(self) -> str:
        """Where the secrets live, in words the user knows, for the settings dialog."""
        return _location(self._backend)

    def available(self) -> bool:
        """Whether saving can work here; False means offer the session-only sign-in."""
        if _unusable_reason(self._backend) is not None:
            return False
        try:
            self._backend.get_password(SERVICE, _PROBE_KEY)
        except Exception as exc:  # any failure: the store cannot be relied on
            log.warning("The password store (%s) failed a probe: %s", self.location, _kind(exc))
            return False
        return True

    def set(self, key: str, value: str) -> None:
        """Save a value, all or nothing: parts first, then the header that makes them count."""
        _check_entry(key, value)
        with self._lock:
            old_parts = _part_count(self._read(key))
            if _units(value) <= self._max_chunk and not value.startswith(_HEADER_PREFIX):
                self._write(key, value, value)
                self._delete_parts(key, 1, old_parts, quiet=True)
                return
            parts = _split(value, self._max_chunk)
            try:
                for number, part in enumerate(parts, 1):
                    self._write(_part_key(key, number), part, value)
                self._write(key, _header(len(parts), value), value)
            except (SecretStoreError, SecretStoreUnavailable):
                self._undo(key, max(len(parts), old_parts))
                raise
            self._delete_parts(key, len(parts) + 1, old_parts, quiet=True)

    def get(self, key: str) -> str | None:
        """The saved value, or None when absent or when its parts do not add up."""
        _check_key(key)
        with self._lock:
            head = self._read(key)
            if head is None or not head.startswith(_HEADER_PREFIX):
                return head
            return self._reassemble(key, head)

    def delete(self, key: str) -> None:
        """Forget a value and every part of it; nothing to forget is fine."""
        _check_key(key)
        with self._lock:
            head = self._read(key)
            if head is not None:
                self._remove(key)
            self._delete_parts(key, 1, _part_count(head), quiet=False)

    def _reassemble(self, key: str, head: str) -> str | None:
        """Join the parts a header names; damaged or missing parts read as absent."""
        match = _HEADER.fullmatch(head)
        if match is None or int(match[1]) < 1:
            log.warning("Ignoring the saved secret %s: its header is damaged", key)
            return None
        count, digest = int(match[1]), match[2]
        parts: list[str] = []
        for number in range(1, count + 1):
            part = self._read(_part_key(key, number))
            if part is None:
                log.warning(
                    "Ignoring the saved secret %s: part %d of %d is missing", key, number, count
                )
                return None
            parts.append(part)
        value = "".join(parts)
        if _digest(value) != digest:
            log.warning("Ignoring the saved secret %s: its %d parts do not match", key, count)
            return None
        return value

    def _undo(self, key: str, known_parts: int) -> None:
        """After a failed write remove what it left (and an old split value it overwrote)."""
        try:
            head = self._read(key)
            if head is not None and head.startswith(_HEADER_PREFIX):
                self._remove(key)
        except (SecretStoreError, SecretStoreUnavailable) as exc:
            log.warning("Could not clean up after a failed save of %s: %s", key, exc)
        self._delete_parts(key, 1, known_parts, quiet=True)

    def _delete_parts(self, key: str, first: int, known: int, *, quiet: bool) -> None:
        """Remove parts from `first` on: all up to `known`, then any that follow unbroken."""
        number = first
        try:
            while True:
                part_key = _part_key(key, number)
                exists = self._read(part_key) is not None
                if not exists and number > known:
                    return
                if exists:
                    self._remove(part_key)
                number += 1
        except (SecretStoreError, SecretStoreUnavailable) as exc:
            if not quiet:
                raise
            log.warning("Could not remove old parts of %s: %s", key, exc)

    def _read(self, key: str) -> str | None:
        return self._call("read", key, lambda: self._backend.get_password(SERVICE, key))

    def _write(self, key: str, text: str, secret: str) -> None:
        self._call("save", key, lambda: self._backend.set_password(SERVICE, key, text), secret)

    def _remove(self, key: str) -> None:
        try:
            self._call("remove", key, lambda: self._backend.delete_password(SERVICE, key))
        except SecretStoreError:
            if self._read(key) is not None:  # gone meanwhile is what we wanted
                raise

    def _call(self, action: str, key: str, call: Callable[[], _T], secret: str = "") -> _T:
        """Run one keyring call; every backend failure becomes one of our two plain errors."""
        reason = _unusable_reason(self._backend)
        if reason is not None:
            raise SecretStoreUnavailable(reason)
        try:
            return call()
        except NoKeyringError:
            detail: str | None = None
        except (
            Exception
        ) as exc:  # backends raise their own types too (pywintypes.error, GLib.Error)
            detail = _describe(exc, secret)
        # Raised outside the handler, so the backend's exception is not even chained.
        if detail is None:
            raise SecretStoreUnavailable()
        raise SecretStoreError(f"Could not {action} {key} in {self.location}: {detail}")


class SessionSecretStore:
    """Secrets in memory only: the session-only choice, forgotten when the app quits."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SessionSecretStore({len(self._values)} secrets)"

    @property
    def location(self) -> str:
        """Where the secrets live, for the settings dialog."""
        return SESSION_LOCATION

    def available(self) -> bool:
        """Always: memory needs no password store."""
        return True

    def set(self, key: str, value: str) -> None:
        """Keep a value until the app quits."""
        _check_entry(key, value)
        with self._lock:
            self._values[key] = value

    def get(self, key: str) -> str | None:
        """The value kept this session, or None."""
        _check_key(key)
        with self._lock:
            return self._values.get(key)

    def delete(self, key: str) -> None:
        """Forget a value; nothing to forget is fine."""
        _check_key(key)
        with self._lock:
            self._values.pop(key, None)


def secret_key(kind: str, environment_key: str, client_id: str, login: str | None = None) -> str:
    """A stable, readable account name: tokens never cross environments, apps or users."""
    if kind not in SECRET_KINDS:
        raise ValueError(f"Unknown secret kind {kind!r}; expected one of {', '.join(SECRET_KINDS)}")
    named = [("environment key", environment_key), ("client id", client_id)]
    if login is not None:
        named.append(("login", login))
    for what, part in named:
        if not part.strip():
            raise ValueError(f"A secret needs a {what}")
    # Quoting keeps the parts apart ("/") and away from the part mark ("#").
    return "/".join(quote(part, safe=_KEY_SAFE) for part in (kind, *(p for _, p in named)))


def _default_backend() -> KeyringBackend:
    """The keyring's own choice; a broken keyring configuration counts as no keyring."""
    try:
        return keyring.get_keyring()
    except Exception as exc:  # a bad keyringrc or backend import must not stop the app
        log.warning("No usable keyring backend: %s", _kind(exc))
        return fail.Keyring()  # type: ignore[no-untyped-call]  # keyring's __init__ is untyped


def _unusable_reason(backend: KeyringBackend) -> str | None:
    """Why a backend cannot keep secrets (the null one accepts them and forgets), or None."""
    if isinstance(backend, fail.Keyring):
        return _NOT_FOUND
    if isinstance(backend, null.Keyring):
        return "the system keyring is turned off"
    if isinstance(backend, chainer.ChainerBackend) and not _chained(backend):
        return _NOT_FOUND
    return None


def _chained(backend: chainer.ChainerBackend) -> list[KeyringBackend]:
    """The backends a chainer would use, best first; none when they cannot be listed."""
    try:
        found = backend.backends
    except Exception:  # listing imports and probes every backend
        return []
    return [item for item in found if isinstance(item, KeyringBackend)]


def _location(backend: KeyringBackend) -> str:
    """The user's name for a backend's store; the backend's own name when unknown."""
    if _unusable_reason(backend) is not None:
        return NO_STORE_LOCATION
    if isinstance(backend, chainer.ChainerBackend):
        return _location(_chained(backend)[0])
    for cls in type(backend).__mro__:
        known = _LOCATIONS.get(f"{cls.__module__}.{cls.__qualname__}")
        if known is not None:
            return known
    return str(type(backend).name)


def _check_entry(key: str, value: str) -> None:
    _check_key(key)
    if not isinstance(value, str):
        raise TypeError("a secret must be text")


def _check_key(key: str) -> None:
    """Keys are account names; CHUNK_MARK is reserved for the parts of a long value."""
    if not isinstance(key, str) or not key.strip():
        raise ValueError("A secret needs a non-empty key")
    if CHUNK_MARK in key:
        raise ValueError(f"A secret key must not contain {CHUNK_MARK!r}; use secret_key()")


def _part_key(key: str, number: int) -> str:
    return f"{key}{CHUNK_MARK}{number}"


def _units(text: str) -> int:
    """Size in UTF-16 code units, the measure of the Windows limit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _split(value: str, max_units: int) -> list[str]:
    """Cut a value into parts of at most max_units UTF-16 units, never inside a character."""
    parts: list[str] = []
    start = units = 0
    for index, char in enumerate(value):
        size = 2 if ord(char) > 0xFFFF else 1
        if units + size > max_units:
            parts.append(value[start:index])
            start, units = index, 0
        units += size
    parts.append(value[start:])
    return parts


def _digest(value: str) -> str:
    """A short check that the parts belong together (it sits beside the value itself)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _header(count: int, value: str) -> str:
    return f"{_HEADER_PREFIX}{count}:{_digest(value)}"


def _part_count(head: str | None) -> int:
    """How many parts a stored header names; 0 for a plain value or none."""
    match = _HEADER.fullmatch(head) if head is not None else None
    return int(match[1]) if match is not None else 0


def _kind(exc: BaseException) -> str:
    return type(exc).__name__


def _describe(exc: BaseException, secret: str) -> str:
    """The backend's reason, unless it shares any stretch of text with the secret."""
    text = " ".join(str(exc).split())[:300] or _kind(exc)
    if secret and _overlaps(text, secret):
        return f"{_kind(exc)} (details withheld: they contained part of the secret)"
    return text


def _overlaps(text: str, secret: str) -> bool:
    """True when the text holds the secret, or any _LEAK_WINDOW characters of it."""
    if len(secret) <= _LEAK_WINDOW:
        return secret in text
    windows = (text[i : i + _LEAK_WINDOW] for i in range(len(text) - _LEAK_WINDOW + 1))
    return any(window in secret for window in windows)
