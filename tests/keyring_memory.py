"""An in-memory keyring backend for tests: headless CI has no OS keyring at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import PasswordDeleteError, PasswordSetError

# What Windows says when a credential is over 2,560 bytes (error 1783).
WINDOWS_TOO_LONG = "(1783, 'CredWrite', 'The stub received bad data.')"


class MemoryKeyring(KeyringBackend):
    """Entries in a dict; optionally as small as Windows Credential Manager, and able to fail."""

    priority = 1  # high enough to be usable, below every real backend

    def __init__(self, max_bytes: int | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's __init__ is untyped
        self.entries: dict[tuple[str, str], str] = {}
        self.max_bytes = max_bytes  # limit on a value's UTF-16 size, like Windows (2,560)
        self.calls: list[tuple[str, str]] = []  # (operation, username), in order
        self._failures: list[tuple[str, int, Exception]] = []

    def fail_next(self, error: Exception, *, operation: str = "set", skip: int = 0) -> None:
        """Make the (skip + 1)-th next call of `operation` ("get", "set", "delete") raise error."""
        self._failures.append((operation, skip, error))

    def get_password(self, service: str, username: str) -> str | None:
        self._record("get", username)
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._record("set", username)
        if self.max_bytes is not None and len(password.encode("utf-16-le")) > self.max_bytes:
            raise PasswordSetError(WINDOWS_TOO_LONG)
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._record("delete", username)
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("Password not found")

    def usernames(self, service: str) -> list[str]:
        """Every account name stored for a service, sorted."""
        return sorted(user for svc, user in self.entries if svc == service)

    def _record(self, operation: str, username: str) -> None:
        self.calls.append((operation, username))
        for index, (op, skip, error) in enumerate(self._failures):
            if op != operation:
                continue
            if skip:
                self._failures[index] = (op, skip - 1, error)
                return
            del self._failures[index]
            raise error


def failing_backend() -> KeyringBackend:
    """keyring's own backend for "no keyring here", as on headless Linux."""
    return fail.Keyring()  # type: ignore[no-untyped-call]  # keyring's __init__ is untyped


def null_backend() -> KeyringBackend:
    """keyring's backend that accepts secrets and forgets them (keyring disabled)."""
    return null.Keyring()  # type: ignore[no-untyped-call]  # keyring's __init__ is untyped


@contextmanager
def installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make a backend keyring's default for a block, then put the previous one back."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
