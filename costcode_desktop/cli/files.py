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
def logging_to_file() -> Iterator[Path]:
    """While the command runs, its log records (warnings and tracebacks included) go to the app's
    log file and never to stderr, where a script reading the output would find them. Yields the
    file's path; FilesUnusable, before anything is logged, when the folders cannot be used."""
    check_folders()
    root = logging.getLogger()
    level, raising = root.level, logging.raiseExceptions
    path = logging_setup.configure(logging.INFO)
    # A record the file cannot take (a full disk) is dropped, not printed on stderr.
    logging.raiseExceptions = False
    logging.captureWarnings(True)
    try:
        yield path
    finally:
        logging.captureWarnings(False)
        logging_setup.close()
        root.setLevel(level)
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
