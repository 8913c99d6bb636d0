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
