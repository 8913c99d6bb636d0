"""The command's files: its folders checked first, and its log in the desktop app's log file."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from costcode_desktop.services import logging_setup, paths


class FilesUnusable(Exception):
    """The folders the command keeps its files in cannot be made or written; says which."""


@contextmanager
def logging_to_file(*, until_exit: bool) -> Iterator[Path]:
    """While the command runs, its log records (warnings and tracebacks included) go to the app's
    log file and never to stderr, where a script reading the output would find them. Yields the
    file's path; FilesUnusable, before anything is logged, when the folders cannot be used.

    `until_exit`: the process ends with the command, so the file stays the log's to the end
    (threads still finishing after a Ctrl+C log there too); else logging is put back after."""
    check_folders()
    level, raising = logging.getLogger().level, logging.raiseExceptions
    path = logging_setup.configure(logging.INFO)
    # A record the file cannot take (a full disk) is dropped, not printed on stderr.
    logging.raiseExceptions = False
    logging.captureWarnings(True)
    try:
        yield path
    finally:
        if not until_exit:
            _put_back(level, raising)


def _put_back(level: int, raising: bool) -> None:
    """Logging as before: for a caller in the same process (tests), which goes on after."""
    logging.captureWarnings(False)
    logging_setup.close()
    logging.getLogger().setLevel(level)
    logging.raiseExceptions = raising


def check_folders() -> None:
    """Make the app's folders and open the log file for writing: a home that is a file, or a
    folder the user may not write in, is one clear message instead of a traceback later."""
    try:
        for folder in (paths.config_dir, paths.data_dir, paths.cache_dir):
            folder()
        with logging_setup.log_file().open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        where = exc.filename or os.environ.get(paths.HOME_OVERRIDE, "")
        override = os.environ.get(paths.HOME_OVERRIDE)
        fix = (
            f"point {paths.HOME_OVERRIDE} at a folder you may write to, or unset it"
            if override
            else "check that your user may write there"
        )
        raise FilesUnusable(
            f"cannot write CostCodeSync's files in {where}: {exc.strerror or exc}; {fix}."
        ) from None
