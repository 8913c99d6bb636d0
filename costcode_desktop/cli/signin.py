"""Signing in for one command: the demo, explicit options (or PROCORE_* variables), or the
desktop app's stored sign-in."""

from __future__ import annotations

import argparse
import os
import sys

from costcode_desktop.procore import (
    ClientCredentials,
    Company,
    Environment,
    StaticToken,
    TokenSource,
    custom_environment,
)
from costcode_desktop.services import Session, connect, open_demo_session

from .lines import write_line
from .parser import ENVIRONMENTS, UsageError, procore_id


def open_session(args: argparse.Namespace) -> Session:
    """A session on the company the command line names.

    UsageError, before anything is sent, when the options do not say where or how to sign in.
    """
    if args.demo:
        session = open_demo_session(reset=args.demo_reset)
        for notice in session.notices:  # the demo's saved state could not be read
            write_line(sys.stderr, f"costcode-sync: warning: {notice}")
        return _showing(session, args.company) if args.company else session
    if _explicit_sign_in(args):
        environment = _environment(args)
        company_id = args.company or _int_env("PROCORE_COMPANY_ID")
        tokens = _tokens(args, environment)
    else:
        environment, tokens, remembered = _stored_sign_in()
        company_id = args.company or _int_env("PROCORE_COMPANY_ID") or remembered
    if company_id is None:
        raise UsageError("give the Procore company id with --company (or PROCORE_COMPANY_ID)")
    session = connect(environment, tokens, company_id=company_id, owned=(tokens,))
    return _showing(session, company_id)


def cache_target(args: argparse.Namespace) -> tuple[str, int | None]:
    """The environment (as the cache names it) and company the command line means, without
    signing in: for `status --cached`. No company: the one read most recently there."""
    from costcode_desktop.services.cache import cache_key

    company_id = args.company or _int_env("PROCORE_COMPANY_ID")
    if args.demo:
        return "demo", company_id
    if _explicit_sign_in(args):
        return cache_key(_environment(args)), company_id
    from costcode_desktop.services.settings import load_settings

    settings, problem = load_settings()
    if problem is not None:
        raise UsageError(str(problem))
    connection = settings.connection
    try:
        key = connection.environment_key()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return key, company_id or settings.companies.get(key)


def connector_choice(args: argparse.Namespace) -> str:
    """Whose code rules apply: --erp-connector, else the desktop app's Connection settings
    (an unreadable settings file: 'auto', the list's name says)."""
    if args.erp_connector:
        return str(args.erp_connector)
    from costcode_desktop.services.settings import load_settings

    settings, problem = load_settings()
    return "auto" if problem is not None else settings.connection.erp_connector


def _showing(session: Session, company_id: int) -> Session:
    """The company asked for, even one Procore does not list for the user: reading it says why
    not, and the history records the company the command was given."""
    if session.company.id == company_id:
        return session
    listed = next((c for c in session.companies if c.id == company_id), None)
    return session.with_company(listed or Company(company_id, f"Company {company_id}"))


def _explicit_sign_in(args: argparse.Namespace) -> bool:
    """Anything on the command line or in the environment says where and how to sign in."""
    given = (args.environment, args.base_url, args.token, args.client_id, args.client_secret)
    names = ("PROCORE_BASE_URL", "PROCORE_TOKEN", "PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET")
    return any(given) or any(os.environ.get(name) for name in names)


def _stored_sign_in() -> tuple[Environment, TokenSource, int | None]:
    """The desktop app's sign-in: its settings, and the secrets it keeps in the OS keyring."""
    from costcode_desktop.services.secrets import (
        SecretStore,
        SecretStoreError,
        SecretStoreUnavailable,
    )
    from costcode_desktop.services.settings import load_settings
    from costcode_desktop.services.signin import NoStoredSignIn, stored_tokens

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
    remembered = settings.companies.get(connection.environment_key())
    return environment, tokens, remembered or connection.company_id or None


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
        return procore_id(value)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None
