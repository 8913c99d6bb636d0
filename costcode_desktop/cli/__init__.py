"""costcode-sync: headless status and refresh commands over the services layer."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from costcode_desktop.services import CompanyListUnavailable, ProcoreError

from .commands import cached_status, run_command
from .parser import EXIT_NOTHING_DONE, EXIT_SOME_FAILED, UsageError, build_parser, check_arguments
from .signin import cache_target, open_session

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    if out is None:
        _output_never_fails_on_a_name()
    try:
        return _main(argv, out or sys.stdout)
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


def _main(argv: Sequence[str] | None, out: TextIO) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_arguments(args)
        if args.command == "status" and args.cached:  # no sign-in, no request
            return cached_status(*cache_target(args), args, out)
        with contextlib.closing(open_session(args)) as session:
            return run_command(session, args, out)
    except (UsageError, ProcoreError, CompanyListUnavailable) as exc:
        print(f"costcode-sync: error: {exc}", file=sys.stderr)
        return EXIT_NOTHING_DONE
