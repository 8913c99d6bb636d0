from __future__ import annotations

import logging
import secrets as random_secrets
import string
from collections.abc import Callable, Iterator

import pytest
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError, PasswordSetError

from costcode_desktop.services.secrets import (
    SERVICE,
    SESSION_LOCATION,
    SecretStore,
    SecretStoreError,
    SecretStoreLike,
    SecretStoreUnavailable,
    SessionSecretStore,
    secret_key,
)
from tests.keyring_memory import MemoryKeyring, failing_backend, installed, null_backend

WINDOWS_LIMIT = 2560  # bytes per Windows credential
KEY = "refresh_token/production/client-1/jo@example.com"
UNAVAILABLE = (
    "This computer has no password store CostCodeSync can use (no system keyring was found). "
    "You can sign in for this session only; nothing will be saved."
)


def token(length: int) -> str:
    """A random token-like value, so a leak of any stretch of it would be noticed."""
    alphabet = string.ascii_letters + string.digits + "-_."
    return "".join(random_secrets.choice(alphabet) for _ in range(length))


@pytest.fixture
def backend() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as installed_backend:
        assert isinstance(installed_backend, MemoryKeyring)
        yield installed_backend


@pytest.fixture
def windows_like() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring(max_bytes=WINDOWS_LIMIT)) as installed_backend:
        assert isinstance(installed_backend, MemoryKeyring)
        yield installed_backend


def test_round_trip_through_the_default_keyring(backend: MemoryKeyring) -> None:
    store = SecretStore()
    assert store.available()
    store.set(KEY, "r-123")
    assert store.get(KEY) == "r-123"
    assert backend.entries == {(SERVICE, KEY): "r-123"}
    assert store.get("client_secret/production/other") is None


def test_empty_and_non_ascii_values_round_trip(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=4)
    store.set("a", "")
    store.set("b", "pä🔑ss-wörd🔑")  # the key takes two UTF-16 units
    assert store.get("a") == ""
    assert store.get("b") == "pä🔑ss-wörd🔑"
    parts = [user for user in backend.usernames(SERVICE) if "#" in user]
    assert len(parts) == 4
    for user in parts:
        assert len(backend.entries[(SERVICE, user)].encode("utf-16-le")) <= 4 * 2


def test_long_token_is_split_under_the_windows_limit(windows_like: MemoryKeyring) -> None:
    value = token(5000)
    with pytest.raises(PasswordSetError):  # one entry would not fit: the reason for splitting
        windows_like.set_password(SERVICE, "probe", value)
    store = SecretStore()
    store.set(KEY, value)
    assert store.get(KEY) == value
    users = windows_like.usernames(SERVICE)
    assert users == [KEY, f"{KEY}#1", f"{KEY}#2", f"{KEY}#3", f"{KEY}#4", f"{KEY}#5"]
    for user in users:
        stored = windows_like.entries[(SERVICE, user)]
        assert len(stored.encode("utf-16-le")) <= WINDOWS_LIMIT
    assert value not in windows_like.entries[(SERVICE, KEY)]  # the header holds no part of it
    parts = [windows_like.entries[(SERVICE, f"{KEY}#{n}")] for n in range(1, 6)]
    assert "".join(parts) == value


def test_parts_are_written_before_the_header(backend: MemoryKeyring) -> None:
    SecretStore(backend, max_chunk=10).set(KEY, token(25))
    writes = [user for op, user in backend.calls if op == "set"]
    assert writes == [f"{KEY}#1", f"{KEY}#2", f"{KEY}#3", KEY]


def test_a_shorter_value_removes_the_old_parts(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    store.set(KEY, token(45))
    assert len(backend.usernames(SERVICE)) == 6
    shorter = token(15)
    store.set(KEY, shorter)
    assert backend.usernames(SERVICE) == [KEY, f"{KEY}#1", f"{KEY}#2"]
    assert store.get(KEY) == shorter
    store.set(KEY, "short")
    assert backend.usernames(SERVICE) == [KEY]
    assert backend.entries[(SERVICE, KEY)] == "short"
    assert store.get(KEY) == "short"


def test_a_value_that_looks_like_a_header_is_stored_safely(backend: MemoryKeyring) -> None:
    store = SecretStore(backend)
    tricky = "costcodesync-parts-v1:3:0123456789abcdef"
    store.set(KEY, tricky)
    assert store.get(KEY) == tricky


def test_delete_removes_every_part_and_tolerates_absence(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    store.set(KEY, token(35))
    store.set("other", "kept")
    store.delete(KEY)
    assert backend.usernames(SERVICE) == ["other"]
    assert store.get(KEY) is None
    store.delete(KEY)  # nothing to delete: no error
    store.delete("never-set")


def test_delete_removes_orphaned_parts(backend: MemoryKeyring) -> None:
    backend.entries[(SERVICE, f"{KEY}#1")] = "left"
    backend.entries[(SERVICE, f"{KEY}#2")] = "over"
    SecretStore(backend).delete(KEY)
    assert backend.entries == {}


def test_missing_part_reads_as_absent_with_a_warning(
    backend: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    store = SecretStore(backend, max_chunk=10)
    value = token(30)
    store.set(KEY, value)
    del backend.entries[(SERVICE, f"{KEY}#2")]
    with caplog.at_level(logging.WARNING):
        assert store.get(KEY) is None
    assert "part 2 of 3 is missing" in caplog.text
    assert value[10:20] not in caplog.text
    assert value[:8] not in caplog.text


def test_mismatched_or_damaged_parts_read_as_absent(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    store.set(KEY, token(30))
    backend.entries[(SERVICE, f"{KEY}#2")] = token(10)  # a part from another value
    assert store.get(KEY) is None
    backend.entries[(SERVICE, KEY)] = "costcodesync-parts-v1:x:y"
    assert store.get(KEY) is None


def test_failure_mid_write_leaves_nothing_half_written(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    value = token(40)
    backend.fail_next(PasswordSetError("Access is denied."), skip=2)  # the third part
    with pytest.raises(SecretStoreError, match="Access is denied"):
        store.set(KEY, value)
    assert backend.entries == {}
    assert store.get(KEY) is None


def test_failed_header_write_removes_its_parts(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    backend.fail_next(KeyringLocked("Failed to unlock the collection!"), skip=3)  # the header
    with pytest.raises(SecretStoreError, match="unlock"):
        store.set(KEY, token(30))
    assert backend.entries == {}


def test_failed_overwrite_of_a_split_value_leaves_nothing(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    store.set(KEY, token(50))
    backend.fail_next(PasswordSetError("no"), skip=1)
    with pytest.raises(SecretStoreError):
        store.set(KEY, token(30))
    assert backend.entries == {}  # the old parts were partly overwritten: none may survive


def test_failed_write_keeps_an_old_plain_value(backend: MemoryKeyring) -> None:
    store = SecretStore(backend, max_chunk=10)
    store.set(KEY, "old")
    backend.fail_next(PasswordSetError("no"), skip=1)
    with pytest.raises(SecretStoreError):
        store.set(KEY, token(30))
    assert backend.entries == {(SERVICE, KEY): "old"}
    assert store.get(KEY) == "old"


def test_failing_backend_is_unavailable_with_a_plain_message() -> None:
    with installed(failing_backend()):
        store = SecretStore()
        assert not store.available()
        assert store.location == "no password store"
        actions: list[Callable[[], object]] = [
            lambda: store.set(KEY, "x"),
            lambda: store.get(KEY),
            lambda: store.delete(KEY),
        ]
        for action in actions:
            with pytest.raises(SecretStoreUnavailable) as caught:
                action()
            assert str(caught.value) == UNAVAILABLE


def test_null_backend_is_unavailable_instead_of_forgetting() -> None:
    store = SecretStore(null_backend())
    assert not store.available()
    with pytest.raises(SecretStoreUnavailable, match="turned off"):
        store.set(KEY, "x")


def test_no_keyring_error_from_a_backend_means_unavailable(backend: MemoryKeyring) -> None:
    backend.fail_next(NoKeyringError("gone"), operation="get")
    with pytest.raises(SecretStoreUnavailable):
        SecretStore(backend).get(KEY)


def test_probe_failure_means_unavailable(backend: MemoryKeyring) -> None:
    backend.fail_next(KeyringLocked("locked"), operation="get")
    assert not SecretStore(backend).available()
    assert SecretStore(backend).available()


@pytest.mark.parametrize(
    "error",
    [KeyringLocked("locked"), RuntimeError("dbus went away"), OSError(5, "Access is denied")],
)
def test_backend_errors_become_secret_store_errors(
    backend: MemoryKeyring, error: Exception
) -> None:
    backend.fail_next(error, operation="get")
    with pytest.raises(SecretStoreError, match=r"Could not read refresh_token/production") as c:
        SecretStore(backend).get(KEY)
    assert c.value.__cause__ is None
    assert c.value.__context__ is None


def test_errors_never_contain_the_secret(
    backend: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    store = SecretStore(backend, max_chunk=100)
    value = token(250)
    leaky = PasswordSetError(f"could not store {value[120:160]!r}")  # a backend echoing a part
    backend.fail_next(leaky, skip=1)
    with caplog.at_level(logging.DEBUG), pytest.raises(SecretStoreError) as caught:
        store.set(KEY, value)
    text = f"{caught.value} {caught.value!r} {store!r} {caplog.text}"
    assert "details withheld" in str(caught.value)
    for start in range(0, len(value) - 8, 4):
        assert value[start : start + 8] not in text
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None


def test_windows_too_long_error_is_reported_plainly(backend: MemoryKeyring) -> None:
    store = SecretStore(MemoryKeyring(max_bytes=100), max_chunk=1200)  # misconfigured on purpose
    with pytest.raises(SecretStoreError, match="The stub received bad data"):
        store.set(KEY, token(200))


def test_location_names() -> None:
    assert SecretStore(MemoryKeyring()).location == "keyring memory MemoryKeyring"
    assert SecretStore(null_backend()).location == "no password store"


def test_keys_must_be_names() -> None:
    store = SecretStore(MemoryKeyring())
    with pytest.raises(ValueError, match="#"):
        store.set("a#1", "x")
    with pytest.raises(ValueError, match="non-empty"):
        store.get(" ")


def test_session_store_keeps_secrets_in_memory_only(backend: MemoryKeyring) -> None:
    session: SecretStoreLike = SessionSecretStore()
    assert session.available()
    assert session.location == SESSION_LOCATION
    value = token(5000)
    session.set(KEY, value)
    assert session.get(KEY) == value
    assert value not in repr(session)
    session.delete(KEY)
    session.delete(KEY)
    assert session.get(KEY) is None
    assert backend.entries == {}
    assert SessionSecretStore().get(KEY) is None  # nothing shared between sessions


def test_secret_key_is_stable_and_readable() -> None:
    assert (
        secret_key("refresh_token", "production", "abc123", "jo@example.com")
        == "refresh_token/production/abc123/jo@example.com"
    )
    assert (
        secret_key("client_secret", "monthly_sandbox", "abc") == "client_secret/monthly_sandbox/abc"
    )
    custom = secret_key("refresh_token", "custom:https://api.example.com/a#b", "c/d", "e")
    assert custom == "refresh_token/custom:https:%2F%2Fapi.example.com%2Fa%23b/c%2Fd/e"
    assert "#" not in custom
    SecretStore(MemoryKeyring()).set(custom, "usable as a key")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("access_token", "production", "abc"), "Unknown secret kind"),
        (("client_secret", "", "abc"), "environment key"),
        (("client_secret", "production", " "), "client id"),
        (("refresh_token", "production", "abc", ""), "login"),
    ],
)
def test_secret_key_rejects_bad_parts(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        secret_key(*args)


def test_secret_store_delete_error_when_entry_stays(backend: MemoryKeyring) -> None:
    store = SecretStore(backend)
    store.set(KEY, "x")
    backend.fail_next(PasswordDeleteError("Access is denied"), operation="delete")
    with pytest.raises(SecretStoreError, match="Could not remove"):
        store.delete(KEY)
    assert store.get(KEY) == "x"
