"""costcode-sync's command line: the options, the checks made before signing in, exit codes."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import NoReturn

from costcode_desktop import __version__
from costcode_desktop.costcodes.connectors import CHOICES as CONNECTOR_CHOICES
from costcode_desktop.procore import ENVIRONMENTS as BUILT_IN
from costcode_desktop.procore.environments import normalize_base_url
from costcode_desktop.services import DEFAULT_CONCURRENCY, MAX_CONCURRENCY

from .lines import write_line

EXIT_OK, EXIT_SOME_FAILED, EXIT_NOTHING_DONE = 0, 1, 2
EXIT_REFUSED = 3  # with --fail-on-refused: a project was skipped, every other one is done
EXIT_BUSY = 4  # another refresh of the company is running and this one did not wait
EXIT_INTERRUPTED = 130  # Ctrl+C twice: what a shell reports for a program stopped by SIGINT
ENVIRONMENTS = {env.key: env for env in BUILT_IN}
MAX_PROCORE_ID = 2**63 - 1  # Procore's ids are positive 64-bit integers
_DIGITS = re.compile(r"[0-9]{1,19}")
EPILOG = """\
Without sign-in options it uses the desktop app's stored sign-in (settings and OS
keyring). Secrets are safer in the environment than on the command line: PROCORE_TOKEN,
PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET (also PROCORE_BASE_URL, PROCORE_LOGIN_URL,
PROCORE_COMPANY_ID).

exit codes:
  0    done: every project refreshed or already in sync, apart from those it may not
       refresh (skipped, listed with the reason); also when nothing was out of date
  1    some projects failed (or were not started) while others were done; or an
       unexpected error stopped it (one line on stderr, the details in the log file)
  2    nothing done: every project failed with nothing changed, or every project was
       skipped and one was named with --project; or a command-line, sign-in or
       connection error, or the folders for its files cannot be written (one line)
  3    with --fail-on-refused: no project failed, but some were skipped
  4    another refresh of the company was running and this one did not wait
       (--no-wait, or not on a terminal without --wait); nothing was sent
  130  stopped at once by Ctrl+C (while projects are being refreshed: by a second one;
       while waiting for another refresh: by the first)
"""


class UsageError(Exception):
    """A command-line mistake; the message says what to give instead."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake on one line (no usage block) and exits 2."""

    def error(self, message: str) -> NoReturn:
        said = message.rstrip(".")
        write_line(sys.stderr, f"{self.prog}: error: {said}. See costcode-sync --help.")
        self.exit(EXIT_NOTHING_DONE)


def procore_id(text: str) -> int:
    """A Procore id given as text; ValueError says what an id is."""
    value = text.strip()
    if _DIGITS.fullmatch(value) and 1 <= int(value) <= MAX_PROCORE_ID:
        return int(value)
    shown = value if len(value) <= 24 else value[:24] + "…"
    raise ValueError(f"a Procore id is a whole number from 1 to {MAX_PROCORE_ID}, not '{shown}'")


def _option(check: Callable[[str], object]) -> Callable[[str], object]:
    """`check` as an argparse type: its ValueError becomes argparse's one-line message."""

    def parse(text: str) -> object:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__
    return parse


def _api_url(text: str) -> str:
    return normalize_base_url(text, "API address", "https://api.procore.com")


def _login_url(text: str) -> str:
    return normalize_base_url(text, "sign-in (login) address", "https://login.procore.com")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="costcode-sync",
        description="Compare and refresh Procore project cost codes from the company's ERP "
        "standard cost code list (Sage 300 CRE, Acumatica, Sage Intacct, ...).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--environment", choices=sorted(ENVIRONMENTS), help="a Procore environment")
    where.add_argument(
        "--base-url", type=_option(_api_url), help="API base URL (for example the sandbox's URL)"
    )
    where.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo sandbox (no Procore account needed; state kept between runs)",
    )
    parser.add_argument("--demo-reset", action="store_true", help="with --demo: start over")
    parser.add_argument(
        "--login-url", type=_option(_login_url), help="OAuth base URL (default: the base URL)"
    )
    parser.add_argument("--token", help="an access token")
    parser.add_argument("--client-id", help="client id of a service account (client credentials)")
    parser.add_argument("--client-secret", help="client secret of that service account")
    parser.add_argument("--company", type=_option(procore_id), help="Procore company id")
    parser.add_argument(
        "--erp-connector",
        choices=CONNECTOR_CHOICES,
        default=None,
        help="whose cost code rules apply (default: the desktop app's Connection settings, "
        "else 'auto': told from the name of the company's ERP list)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    status = commands.add_parser("status", help="show which projects are out of date")
    status.add_argument(
        "--project", type=_option(procore_id), action="append", help="only this project (repeat)"
    )
    _sub_job_options(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument(
        "--cached",
        action="store_true",
        help="the last-known state kept on this computer (by the desktop app or an earlier "
        "status), with when each part was read; sends no request and needs no sign-in",
    )

    refresh = commands.add_parser(
        "refresh", help="refresh projects from the company list (one, several, or all out of date)"
    )
    refresh.add_argument(
        "--project",
        type=_option(procore_id),
        action="append",
        help="this project, active or not (repeat for several)",
    )
    _sub_job_options(refresh)
    refresh.add_argument(
        "--all-out-of-date",
        action="store_true",
        help="every active project that is out of date",
    )
    refresh.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"projects refreshed at a time, 1 to {MAX_CONCURRENCY} (default "
        f"{DEFAULT_CONCURRENCY})",
    )
    refresh.add_argument(
        "--dry-run", action="store_true", help="show what would change; send nothing"
    )
    refresh.add_argument(
        "--fail-on-refused",
        action="store_true",
        help=f"exit {EXIT_REFUSED} when a project is skipped because it may not be refreshed "
        "(no permission, not connected to the ERP, another list); by default a skipped project "
        "does not fail a run whose other projects are done",
    )
    refresh.add_argument("--json", action="store_true", help="machine-readable output")
    waiting = refresh.add_mutually_exclusive_group()
    waiting.add_argument(
        "--wait",
        dest="wait",
        action="store_true",
        default=None,
        help="when another refresh of the company is running (the desktop app or another "
        "costcode-sync), wait for it to end (the default on a terminal)",
    )
    waiting.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="when another refresh of the company is running, say who runs it and exit with "
        f"code {EXIT_BUSY} (the default when not on a terminal, as in a scheduled job)",
    )
    return parser


def _sub_job_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--sub-job",
        type=_option(procore_id),
        action="append",
        help="only this sub job (a Sage Extra) of the --project given (repeat)",
    )
    command.add_argument(
        "--no-sub-jobs",
        action="store_true",
        help="leave the projects' sub jobs (Sage Extras) out; by default each project's sub "
        "jobs are checked and refreshed with it, each on its own line",
    )
    command.add_argument(
        "--reread-sub-jobs",
        action="store_true",
        help="list each project's sub jobs again now; by default a project's list read in the "
        "last 24 hours (kept on this computer) is used, which saves one request per project",
    )


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse a command-line mistake before signing in."""
    if getattr(args, "project", None):  # one project named twice is checked and shown once
        args.project = list(dict.fromkeys(args.project))
    if getattr(args, "sub_job", None):
        if not args.project:
            raise UsageError(
                "--sub-job needs the --project it belongs to (Procore lists sub jobs by project)"
            )
        if args.no_sub_jobs:
            raise UsageError("--sub-job and --no-sub-jobs cannot be given together")
        if getattr(args, "all_out_of_date", False):
            raise UsageError("--sub-job and --all-out-of-date cannot be given together")
    if args.reread_sub_jobs and args.no_sub_jobs:
        raise UsageError("--reread-sub-jobs and --no-sub-jobs cannot be given together")
    if args.reread_sub_jobs and getattr(args, "cached", False):
        raise UsageError("--cached reads nothing from Procore: leave out --reread-sub-jobs")
    if args.command != "refresh":
        return
    if not args.project and not args.all_out_of_date:
        raise UsageError("refresh needs --project ID (repeatable) or --all-out-of-date")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise UsageError(
            f"--concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, "
            f"not {args.concurrency}"
        )
