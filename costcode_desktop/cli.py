"""costcode-sync: headless status and refresh commands over the services layer."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

from . import __version__
from .costcodes import DiffStatus
from .procore import (
    DEVELOPER_SANDBOX,
    MONTHLY_SANDBOX,
    PRODUCTION,
    CancelToken,
    ClientCredentials,
    Company,
    Environment,
    ProcoreClient,
    Project,
    StaticToken,
    TokenSource,
    custom_environment,
)
from .procore.errors import ProcoreError
from .services import (
    CodeIssue,
    CompanyList,
    CompanyListUnavailable,
    ProjectState,
    ProjectStatus,
    RefreshOutcome,
    RefreshResult,
    check_project,
    check_projects,
    paths,
    read_company_list,
)
from .services.bulk import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, RefreshRun, refresh_many
from .services.history import HistoryStore, open_history_or_none
from .services.session import Session

EXIT_OK, EXIT_SOME_FAILED, EXIT_NOTHING_DONE = 0, 1, 2
ENVIRONMENTS = {env.key: env for env in (PRODUCTION, DEVELOPER_SANDBOX, MONTHLY_SANDBOX)}
COUNT_COLUMNS = (
    (DiffStatus.MISSING, "Missing"),
    (DiffStatus.DESCRIPTION_DIFFERS, "Desc. differs"),
    (DiffStatus.ONLY_ON_PROJECT, "Only on project"),
    (DiffStatus.UNSUPPORTED, "Unsupported"),
)


class UsageError(Exception):
    """A command-line mistake; the message says what to give instead."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="costcode-sync",
        description="Compare and refresh Procore project cost codes from the company's "
        "Sage 300 CRE standard cost code list.",
        epilog="Without sign-in options it uses the desktop app's stored sign-in (settings and "
        "OS keyring). Secrets are safer in the environment than on the command line: "
        "PROCORE_TOKEN, PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET (also PROCORE_BASE_URL, "
        "PROCORE_LOGIN_URL, PROCORE_COMPANY_ID).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--environment", choices=sorted(ENVIRONMENTS), help="a Procore environment")
    where.add_argument("--base-url", help="API base URL (for example the sandbox's URL)")
    where.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo sandbox (no Procore account needed; state kept between runs)",
    )
    parser.add_argument("--demo-reset", action="store_true", help="with --demo: start over")
    parser.add_argument("--login-url", help="OAuth base URL (default: the base URL)")
    parser.add_argument("--token", help="an access token")
    parser.add_argument("--client-id", help="client id of a service account (client credentials)")
    parser.add_argument("--client-secret", help="client secret of that service account")
    parser.add_argument("--company", type=int, help="Procore company id")
    commands = parser.add_subparsers(dest="command", required=True)

    status = commands.add_parser("status", help="show which projects are out of date")
    status.add_argument("--project", type=int, action="append", help="only this project (repeat)")
    status.add_argument("--json", action="store_true", help="machine-readable output")

    refresh = commands.add_parser(
        "refresh", help="refresh projects from the company list (one, several, or all out of date)"
    )
    refresh.add_argument(
        "--project",
        type=int,
        action="append",
        help="this project, active or not (repeat for several)",
    )
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
    refresh.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse a command-line mistake before signing in."""
    if args.command != "refresh":
        return
    if not args.project and not args.all_out_of_date:
        raise UsageError("refresh needs --project ID (repeatable) or --all-out-of-date")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise UsageError(
            f"--concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, "
            f"not {args.concurrency}"
        )


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
    with contextlib.ExitStack() as stack:
        try:
            _check_arguments(args)
            if args.demo:
                environment, tokens, demo_company = _start_demo(stack, args.demo_reset)
                company_id = args.company or demo_company
            elif _explicit_sign_in(args):
                environment = _environment(args)
                company_id = args.company or _int_env("PROCORE_COMPANY_ID")
                tokens = _tokens(args, environment)
            else:
                environment, tokens, remembered = _stored_sign_in()
                company_id = args.company or _int_env("PROCORE_COMPANY_ID") or remembered
            if company_id is None:
                raise UsageError(
                    "give the Procore company id with --company (or PROCORE_COMPANY_ID)"
                )
        except UsageError as exc:
            print(f"costcode-sync: error: {exc}", file=sys.stderr)
            return EXIT_NOTHING_DONE
        return _run(args, environment, tokens, company_id, out)
    return EXIT_NOTHING_DONE  # unreachable; keeps type checkers content


def _start_demo(stack: contextlib.ExitStack, reset: bool) -> tuple[Environment, TokenSource, int]:
    """Serve the built-in sandbox in this process for as long as the command runs."""
    from .sandbox import SandboxServer, demo_seed

    seed = demo_seed()
    server = stack.enter_context(SandboxServer(seed, db_path=paths.demo_database(), reset=reset))
    environment = custom_environment(server.url, server.url, key="demo", label="Demo")
    tokens = ClientCredentials(environment.login_url, server.client_id, server.client_secret)
    return environment, tokens, int(seed["companies"][0]["id"])


def _run(
    args: argparse.Namespace,
    environment: Environment,
    tokens: TokenSource,
    company_id: int,
    out: TextIO,
) -> int:
    try:
        with ProcoreClient(environment.api_url, tokens) as client:
            company_list = read_company_list(client, company_id)
            if args.command == "status":
                return _status(client, company_list, args, out)
            return _refresh(client, environment, tokens, company_list, args, out)
    except (ProcoreError, CompanyListUnavailable) as exc:
        print(f"costcode-sync: error: {exc}", file=sys.stderr)
        return EXIT_NOTHING_DONE


def _explicit_sign_in(args: argparse.Namespace) -> bool:
    """Anything on the command line or in the environment says where and how to sign in."""
    given = (args.environment, args.base_url, args.token, args.client_id, args.client_secret)
    names = ("PROCORE_BASE_URL", "PROCORE_TOKEN", "PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET")
    return any(given) or any(os.environ.get(name) for name in names)


def _stored_sign_in() -> tuple[Environment, TokenSource, int | None]:
    """The desktop app's sign-in: its settings, and the secrets it keeps in the OS keyring."""
    from .services.secrets import SecretStore, SecretStoreError, SecretStoreUnavailable
    from .services.settings import load_settings
    from .services.signin import NoStoredSignIn, stored_tokens

    settings, problem = load_settings()
    if problem is not None:
        raise UsageError(str(problem))
    connection = settings.connection
    if connection.environment == "demo":
        raise UsageError("the desktop app is on its demo; use --demo here too")
    try:
        tokens = stored_tokens(connection, SecretStore())
        environment = connection.environment_obj()
    except (NoStoredSignIn, SecretStoreUnavailable, SecretStoreError, ValueError) as exc:
        raise UsageError(
            f"{exc} Sign in with the desktop app first, or give --client-id and "
            "--client-secret (or --token) here."
        ) from None
    return environment, tokens, settings.companies.get(connection.environment_key())


def _environment(args: argparse.Namespace) -> Environment:
    if args.environment:
        return ENVIRONMENTS[args.environment]
    base = args.base_url or os.environ.get("PROCORE_BASE_URL")
    if not base:
        raise UsageError("give --environment or --base-url (or PROCORE_BASE_URL)")
    login = args.login_url or os.environ.get("PROCORE_LOGIN_URL") or base
    try:
        return custom_environment(login, base)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _tokens(args: argparse.Namespace, environment: Environment) -> TokenSource:
    token = args.token or os.environ.get("PROCORE_TOKEN")
    client_id = args.client_id or os.environ.get("PROCORE_CLIENT_ID")
    secret = args.client_secret or os.environ.get("PROCORE_CLIENT_SECRET")
    if token and (args.client_id or args.client_secret):
        raise UsageError("give either --token or --client-id/--client-secret, not both")
    if token:
        return StaticToken(token)
    if client_id and secret:
        return ClientCredentials(environment.login_url, client_id, secret)
    raise UsageError(
        "sign-in needed: give --token, or --client-id and --client-secret "
        "(or PROCORE_TOKEN / PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET)"
    )


def _int_env(name: str) -> int | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{name} must be a number, not {value!r}") from None


def _status(
    client: ProcoreClient, company_list: CompanyList, args: argparse.Namespace, out: TextIO
) -> int:
    if args.project:
        projects = [client.project(company_list.company_id, pid) for pid in args.project]
    else:
        projects = client.projects(company_list.company_id, status="All")
    statuses = list(check_projects(client, company_list, projects))
    if args.json:
        json.dump(
            {
                "company_id": company_list.company_id,
                "standard_list": {
                    "id": company_list.list.id,
                    "name": company_list.list.name,
                    "codes": len(company_list.codes),
                    "read_at": company_list.read_at.isoformat(),
                },
                "projects": [_status_json(s) for s in statuses],
            },
            out,
            indent=2,
        )
        out.write("\n")
    else:
        _print_status_table(company_list, statuses, out)
    return EXIT_OK


def _status_json(status: ProjectStatus) -> dict[str, Any]:
    p = status.project
    return {
        "id": p.id,
        "name": p.name,
        "project_number": p.project_number,
        "active": p.active,
        "state": status.state.value,
        "summary": status.summary,
        "message": status.message,
        "counts": _counts_json(status),
    }


def _counts_json(status: ProjectStatus) -> dict[str, int] | None:
    if status.comparison is None:
        return None
    counts = {s.value: status.count(s) for s in DiffStatus}
    counts["locked_differences"] = status.comparison.locked_differences
    return counts


def _print_status_table(
    company_list: CompanyList, statuses: list[ProjectStatus], out: TextIO
) -> None:
    print(
        f"Company list: {company_list.list.name} ({len(company_list.codes)} codes, read "
        f"{company_list.read_at.astimezone():%Y-%m-%d %H:%M})",
        file=out,
    )
    header = ["Number", "Project", "Active", "Status"]
    header += [title for _, title in COUNT_COLUMNS] + ["Locked by Sage"]
    rows = [
        [
            s.project.project_number or "",
            s.project.name,
            "yes" if s.project.active else "no",
            s.summary,
        ]
        + [
            str(s.comparison.count_unlocked(status)) if s.comparison else "-"
            for status, _ in COUNT_COLUMNS
        ]
        + [str(s.comparison.locked_differences) if s.comparison else "-"]
        for s in statuses
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), file=out
        )
    out_of_date = sum(1 for s in statuses if s.comparison is not None and not s.comparison.in_sync)
    print(f"{len(statuses)} projects, {out_of_date} out of date.", file=out)
    for s in statuses:
        if s.message:
            print(f"- {s.project.name}: {s.message}", file=out)


def _refresh(
    client: ProcoreClient,
    environment: Environment,
    tokens: TokenSource,
    company_list: CompanyList,
    args: argparse.Namespace,
    out: TextIO,
) -> int:
    projects = _projects_to_refresh(client, company_list, args)
    session = _session(client, environment, tokens, company_list.company_id)
    history = open_history_or_none()
    try:
        run = _run_refresh(session, company_list, projects, history, args)
    finally:
        if history is not None:
            history.close()
    single = len(args.project or ()) == 1 and not args.all_out_of_date
    if single and len(run.results) == 1:
        result = run.results[0]
        if args.json:
            json.dump(_refresh_json(result), out, indent=2)
            out.write("\n")
        else:
            _print_refresh(result, out)
    elif args.json:
        json.dump(_run_json(run, client, args), out, indent=2)
        out.write("\n")
    else:
        _print_run(run, out)
    if run.history_problem:
        print(f"costcode-sync: warning: {run.history_problem}", file=sys.stderr)
    return _exit_code(run)


def _exit_code(run: RefreshRun) -> int:
    """0 all done (refreshed, in sync, skipped); 1 some failed; 2 nothing done."""
    if not run.results and not run.not_started:
        return EXIT_OK  # nothing was out of date
    fine = run.refreshed + run.unchanged
    if run.failed or run.not_started:
        something = fine or any(r.changed for r in run.failed)
        return EXIT_SOME_FAILED if something else EXIT_NOTHING_DONE
    return EXIT_OK if fine else EXIT_NOTHING_DONE  # every project refused: nothing done


def _projects_to_refresh(
    client: ProcoreClient, company_list: CompanyList, args: argparse.Namespace
) -> list[Project]:
    """Active out-of-date projects (with --all-out-of-date), then those named with --project."""
    chosen: dict[int, Project] = {}
    if args.all_out_of_date:
        active = [p for p in client.projects(company_list.company_id, status="Active") if p.active]
        for project in _out_of_date(client, company_list, active, args):
            chosen[project.id] = project
    for project_id in args.project or ():
        chosen.setdefault(project_id, Project(project_id, f"Project {project_id}", None, True))
    return list(chosen.values())


def _out_of_date(
    client: ProcoreClient,
    company_list: CompanyList,
    projects: list[Project],
    args: argparse.Namespace,
) -> list[Project]:
    """The projects whose comparison is out of date, or could not be read (the refresh says)."""
    total = len(projects)
    if not args.json:
        print(f"Checking {total} active projects…", file=sys.stderr)

    def check(project: Project) -> ProjectStatus:
        try:
            return check_project(client, company_list, project.id, listed=project)
        except ProcoreError as exc:
            return ProjectStatus(project, ProjectState.ERROR, message=str(exc), error=exc)

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        statuses = list(pool.map(check, projects))
    chosen = [
        s.project for s in statuses if s.state in (ProjectState.OUT_OF_DATE, ProjectState.ERROR)
    ]
    if not args.json:
        print(f"{len(chosen)} of {total} active projects are out of date.", file=sys.stderr)
    return chosen


def _session(
    client: ProcoreClient, environment: Environment, tokens: TokenSource, company_id: int
) -> Session:
    """Who is signed in and to which company: the history records both."""
    user = client.me()
    companies = client.companies()
    company = next((c for c in companies if c.id == company_id), None)
    return Session(
        environment,
        client,
        user,
        company or Company(company_id, f"Company {company_id}"),
        companies,
        tokens,
    )


def _run_refresh(
    session: Session,
    company_list: CompanyList,
    projects: list[Project],
    history: HistoryStore | None,
    args: argparse.Namespace,
) -> RefreshRun:
    """refresh_many on a thread; Ctrl+C stops new projects, those under way finish."""
    total = len(projects)
    printing = threading.Lock()

    def say(text: str) -> None:
        if not args.json:
            with printing:
                print(text, file=sys.stderr, flush=True)

    def step(project: Project, text: str, index: int, count: int) -> None:
        if text == "Starting":
            return
        if total == 1:
            say(f"  {text}…")
        else:
            say(f"[{index + 1}/{count}] {project.name}: {text[:1].lower()}{text[1:]}…")

    def waiting(reason: str, seconds: float) -> None:
        say(f"  {reason}")

    cancel = CancelToken()
    done: list[RefreshRun] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            done.append(
                refresh_many(
                    session,
                    company_list,
                    projects,
                    history=history,
                    concurrency=args.concurrency,
                    dry_run=args.dry_run,
                    on_step=step,
                    on_wait=waiting,
                    cancel=cancel,
                )
            )
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)

    _wait_for(threading.Thread(target=work, name="refresh-run", daemon=True), cancel, say)
    if failure:
        raise failure[0]
    return done[0]


def _wait_for(thread: threading.Thread, cancel: CancelToken, say: Callable[[str], None]) -> None:
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.2)
        except KeyboardInterrupt:
            if cancel.cancelled:
                raise
            cancel.cancel()
            say(
                "Stopping: no new project starts; the ones under way finish and are checked. "
                "Press Ctrl+C again to quit at once."
            )


_LABELS = {
    RefreshOutcome.REFRESHED: "refreshed",
    RefreshOutcome.UNCHANGED: "unchanged",
    RefreshOutcome.REFUSED: "skipped",
    RefreshOutcome.FAILED: "failed",
}


def _label(result: RefreshResult) -> str:
    if result.dry_run and result.plan is not None and not result.plan.is_empty:
        return "would change"
    return _LABELS[result.outcome]


def _print_run(run: RefreshRun, out: TextIO) -> None:
    if not run.results and not run.not_started:
        print("No active project is out of date; nothing to do.", file=out)
        return
    for result in run.results:
        print(f"{_label(result):<12}  {result.message}", file=out)
        for issue in result.failed:
            ref = f" (Procore request {issue.request_id})" if issue.request_id else ""
            print(f"{'':<12}    {issue.full_code}  {issue.name}: {issue.reason}{ref}", file=out)
    for project in run.not_started:
        print(f"{'not started':<12}  '{project.name}'", file=out)
    print(run.summary(), file=out)


def _run_json(run: RefreshRun, client: ProcoreClient, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "dry_run": args.dry_run,
        "concurrency": args.concurrency,
        "summary": run.summary(),
        "counts": {
            "refreshed": len(run.refreshed),
            "unchanged": len(run.unchanged),
            "skipped": len(run.skipped),
            "failed": len(run.failed),
            "not_started": len(run.not_started),
        },
        "cancelled": run.cancelled,
        "projects": [{**_refresh_json(r), "state": _label(r)} for r in run.results],
        "not_started": [{"id": p.id, "name": p.name} for p in run.not_started],
        "history_problem": run.history_problem or None,
        "requests": client.request_count,
        "rate_limited_answers": client.throttled_count,
    }


def _refresh_json(result: RefreshResult) -> dict[str, Any]:
    plan = result.plan
    return {
        "project": {"id": result.project.id, "name": result.project.name},
        "outcome": result.outcome.value,
        "dry_run": result.dry_run,
        "message": result.message,
        "verified_in_sync": result.verified_in_sync if not result.dry_run else None,
        "would_add": [c.full_code for c in plan.to_add] if plan and result.dry_run else [],
        "would_update": [u.full_code for u in plan.updates] if plan and result.dry_run else [],
        "added": [{"full_code": c.full_code, "name": c.name} for c in result.added],
        "updated": [
            {"full_code": u.full_code, "old_name": u.old_name, "new_name": u.new_name}
            for u in result.updated
        ],
        "skipped": [_issue_json(i) for i in result.skipped],
        "failed": [_issue_json(i) for i in result.failed],
    }


def _issue_json(issue: CodeIssue) -> dict[str, Any]:
    return {
        "full_code": issue.full_code,
        "name": issue.name,
        "reason": issue.reason,
        "request_id": issue.request_id,
    }


def _print_refresh(result: RefreshResult, out: TextIO) -> None:
    print(result.message, file=out)

    def line(kind: str, full_code: str, text: str) -> None:
        print(f"  {kind:<13} {full_code}  {text}", file=out)

    plan = result.plan
    if result.dry_run and plan is not None:
        for code in plan.to_add:
            line("would add", code.full_code, code.name)
        for update in plan.updates:
            line("would update", update.full_code, f"{update.old_name!r} -> {update.new_name!r}")
    for code in result.added:
        line("added", code.full_code, code.name)
    for update in result.updated:
        line("updated", update.full_code, f"{update.old_name!r} -> {update.new_name!r}")
    for issue in result.skipped:
        line("skipped", issue.full_code, f"{issue.name}: {issue.reason}")
    for issue in result.failed:
        ref = f" (Procore request {issue.request_id})" if issue.request_id else ""
        line("failed", issue.full_code, f"{issue.name}: {issue.reason}{ref}")


if __name__ == "__main__":
    sys.exit(main())
