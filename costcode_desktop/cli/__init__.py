"""costcode-sync: headless status and refresh commands over the services layer."""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from costcode_desktop import __version__
from costcode_desktop.services import CompanyListUnavailable, ProcoreError
from costcode_desktop.services.logging_setup import redact

from .commands import cached_status, run_command
from .files import FilesUnusable, logging_to_file
from .lines import write_line
from .parser import (
    EXIT_INTERRUPTED,
    EXIT_NOTHING_DONE,
    EXIT_SOME_FAILED,
    UsageError,
    build_parser,
    check_arguments,
)
from .signin import cache_target, open_session

__all__ = ["main"]
log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """The command. Given `out` (a caller in this process, such as a test), the result goes there
    and logging is left as it was found; without it, this is the process's own command."""
    own_process = out is None
    if own_process:
        _output_never_fails_on_a_name()
    try:
        return _main(argv, out or sys.stdout, own_process=own_process)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_SOME_FAILED


def _output_never_fails_on_a_name() -> None:
    """A nightly job's output goes to a log file in the system's legacy code page (cp1252 on
    Windows), which cannot hold every project name: write such logs in UTF-8, and on a console
    put a '?' for a character it cannot show, rather than stop the run on a name."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        if stream.isatty():
            stream.reconfigure(errors="replace")
        else:
            stream.reconfigure(encoding="utf-8", errors="replace")


def _main(argv: Sequence[str] | None, out: TextIO, *, own_process: bool) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a mistake said on one line
        return exc.code if isinstance(exc.code, int) else EXIT_NOTHING_DONE
    try:
        check_arguments(args)
        with logging_to_file(until_exit=own_process) as log_path:
            log.info("costcode-sync %s %s", __version__, args.command)
            return _run(args, out, log_path)
    except (UsageError, FilesUnusable) as exc:
        write_line(sys.stderr, f"costcode-sync: error: {exc}")
        return EXIT_NOTHING_DONE


def _run(args: argparse.Namespace, out: TextIO, log_path: Path) -> int:
    """The command; whatever stops it is one line on stderr (a traceback only in the log)."""
    try:
        if args.command == "status" and args.cached:  # no sign-in, no request
            return cached_status(*cache_target(args), args, out)
        with contextlib.closing(open_session(args)) as session:
            return run_command(session, args, out)
    except (UsageError, ProcoreError, CompanyListUnavailable) as exc:
        log.warning("stopped: %s", exc)
        write_line(sys.stderr, f"costcode-sync: error: {exc}")
        return EXIT_NOTHING_DONE
    except KeyboardInterrupt:
        write_line(sys.stderr, "costcode-sync: stopped (Ctrl+C).")
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.exception("stopped by an unexpected error")
        write_line(
            sys.stderr,
            f"costcode-sync: error: {type(exc).__name__}: {redact(str(exc))} "
            f"(the details are in {log_path})",
        )
        return EXIT_SOME_FAILED
