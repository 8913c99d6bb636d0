"""costcode-sync: headless status and refresh commands over the services layer."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from . import __version__
from .costcodes import DiffStatus
from .procore import (
    DEVELOPER_SANDBOX,
    MONTHLY_SANDBOX,
    PRODUCTION,
    ClientCredentials,
    Environment,
    ProcoreClient,
    StaticToken,
    TokenSource,
    custom_environment,
)
from .procore.errors import ProcoreError
from .services import (
    CodeIssue,
    CompanyList,
    CompanyListUnavailable,
    ProjectStatus,
    RefreshOutcome,
    RefreshResult,
    check_projects,
    paths,
    read_company_list,
    refresh_project,
)

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

    refresh = commands.add_parser("refresh", help="refresh a project from the company list")
    refresh.add_argument("--project", type=int, required=True, help="project id")
    refresh.add_argument(
        "--dry-run", action="store_true", help="show what would change; send nothing"
    )
    refresh.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    try:
        return _main(argv, out or sys.stdout)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_SOME_FAILED


def _main(argv: Sequence[str] | None, out: TextIO) -> int:
    args = build_parser().parse_args(argv)
    with contextlib.ExitStack() as stack:
        try:
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
            return _refresh(client, company_list, args, out)
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
        + [str(s.count(status)) if s.comparison else "-" for status, _ in COUNT_COLUMNS]
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
    client: ProcoreClient, company_list: CompanyList, args: argparse.Namespace, out: TextIO
) -> int:
    def progress(message: str) -> None:
        if not args.json:
            print(f"  {message}…", file=sys.stderr)

    result = refresh_project(
        client, company_list, args.project, dry_run=args.dry_run, progress=progress
    )
    if args.json:
        json.dump(_refresh_json(result), out, indent=2)
        out.write("\n")
    else:
        _print_refresh(result, out)
    if result.outcome is RefreshOutcome.REFUSED:
        return EXIT_NOTHING_DONE
    if result.outcome is RefreshOutcome.FAILED:
        return EXIT_SOME_FAILED if result.changed else EXIT_NOTHING_DONE
    return EXIT_OK


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
