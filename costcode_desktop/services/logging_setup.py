"""The application's log: a rotating file in the user log folder, with secrets redacted.

Every record passes a filter that masks what looks like a credential (bearer tokens, and the
values of fields named like secrets, tokens, codes or passwords), so even a careless message
cannot put one on disk. httpx and httpcore stay at WARNING: they log whole URLs at INFO.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from costcode_desktop.services import paths

LOG_FILE = "costcodesync.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
MASK = "[hidden]"

_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:client_secret|refresh_token|access_token|password|code)[\"']?\s*[=:]\s*[\"']?)"
        r"[^\s&\"',}]{4,}"
    ),
)


def redact(text: str) -> str:
    """The text with anything that looks like a credential masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks credentials in the final message (arguments included) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE


def configure(level: int = logging.INFO, *, to_console: bool = False) -> Path:
    """Log to the rotating file (and the console if asked); returns the file's path."""
    path = log_file()
    root = logging.getLogger()
    root.setLevel(level)
    close()
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    ]
    if to_console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        handler.costcodesync = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def close() -> None:
    """Remove (and close) the handlers `configure` added: the log file is let go."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "costcodesync", False):
            root.removeHandler(handler)
            handler.close()
