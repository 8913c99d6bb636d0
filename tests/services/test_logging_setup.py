from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.services import logging_setup


@pytest.fixture
def configured(isolated_home: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers), root.level
    path = logging_setup.configure(logging.DEBUG)
    yield path
    for handler in list(root.handlers):
        if getattr(handler, "costcodesync", False):
            root.removeHandler(handler)
            handler.close()
    root.handlers[:] = before[0]
    root.setLevel(before[1])


def test_the_log_file_lives_in_the_log_folder_and_masks_credentials(configured: Path) -> None:
    log = logging.getLogger("costcode_desktop.test")
    log.info("sent Authorization: Bearer %s", "eyJhbGciOiJIUzI1NiJ9.payload.signature")
    log.warning("form client_secret=%s&refresh_token=%s", "s3cr3t-value", "r3fr3sh-token")
    log.info('json {"password": "hunter22", "code": "abcd1234"}')
    log.info("an ordinary line about 12 projects")
    try:
        raise ValueError("refresh_token=leaky-token-value")
    except ValueError:
        log.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = configured.read_text(encoding="utf-8")
    assert configured.parent.name == "log"
    for secret in ("eyJhbGciOiJIUzI1NiJ9", "s3cr3t-value", "r3fr3sh-token", "hunter22",
                   "abcd1234", "leaky-token-value"):  # fmt: skip
        assert secret not in text
    assert text.count("[hidden]") >= 6
    assert "an ordinary line about 12 projects" in text


def test_httpx_is_kept_quiet(configured: Path) -> None:
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_full_log_is_moved_aside_keeping_the_last_five(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 400)
    root = logging.getLogger()
    before = list(root.handlers), root.level
    path = logging_setup.configure(logging.INFO)
    try:
        log = logging.getLogger("costcode_desktop.test")
        for number in range(60):
            log.info("line %02d of a log that fills up quickly", number)
    finally:
        logging_setup.close()
        root.handlers[:] = before[0]
        root.setLevel(before[1])
    kept = [path, *(path.with_name(f"{path.name}.{n}") for n in range(1, 6))]
    assert all(p.exists() for p in kept)
    assert not path.with_name(f"{path.name}.6").exists()
    assert all(p.stat().st_size < 400 for p in kept)
    # Newest in the log itself, older lines in .1, .2, ... and none lost between them.
    numbers = [int(line.split("line ")[1][:2]) for p in reversed(kept) for line in _lines(p)]
    assert numbers == list(range(numbers[0], 60))


def test_a_log_left_too_long_is_moved_aside_at_the_first_write(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 400)
    path = logging_setup.log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("an earlier run's line\n" * 40, encoding="utf-8")
    root = logging.getLogger()
    before = list(root.handlers), root.level
    logging_setup.configure(logging.INFO)
    try:
        logging.getLogger("costcode_desktop.test").info("this run starts")
    finally:
        logging_setup.close()
        root.handlers[:] = before[0]
        root.setLevel(before[1])
    assert "this run starts" in path.read_text(encoding="utf-8")
    assert "earlier run" not in path.read_text(encoding="utf-8")
    assert "earlier run" in path.with_name(f"{path.name}.1").read_text(encoding="utf-8")
