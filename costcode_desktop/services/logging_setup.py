"""The application's log: a rotating file in the user log folder, with secrets redacted.

Every record passes a filter that masks what looks like a credential (bearer tokens, and the
values of fields named like secrets, tokens, codes or passwords), so even a careless message
cannot put one on disk. httpx and httpcore stay at WARNING: they log whole URLs at INFO.
"""

from __future__ import annotations

import logging
import os
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


class RotatingLogFile(logging.FileHandler):
    """logging.handlers.RotatingFileHandler's rotation, with its file names (the log, then .1
    up to .BACKUPS): a write that would take the file to `max_bytes` moves it aside first, so
    a log left too long by an earlier run is moved aside at the first write. logging.handlers
    itself would import socket and pickle before the window's first paint (about 8 ms)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.max_bytes <= 0 or not self.backups:
            return False
        if os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename):
            return False  # a device or a pipe: nothing to move aside
        if self.stream is None:
            self.stream = self._open()
        self.stream.seek(0, os.SEEK_END)
        line = self.format(record) + self.terminator
        return self.stream.tell() + len(line) >= self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for number in range(self.backups - 1, 0, -1):
            older = f"{base}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{base}.{number + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE


def configure(level: int = logging.INFO, *, to_console: bool = False) -> Path:
    """Log to the rotating file (and the console if asked); returns the file's path."""
    path = log_file()
    root = logging.getLogger()
    root.setLevel(level)
    close()
    handlers: list[logging.Handler] = [RotatingLogFile(path, MAX_BYTES, BACKUPS)]
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
