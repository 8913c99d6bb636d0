"""Procore hosts: the three published environments and a validated custom pair."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Far above any real server address, far below what breaks a request (httpx refuses 65,536).
MAX_URL_LENGTH = 2_000
_DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.IGNORECASE)


@dataclass(frozen=True)
class Environment:
    """Where to sign in and where to call the API; tokens never cross environments."""

    key: str
    label: str
    login_url: str
    api_url: str
    # Where people open Procore in a browser (development_environments.md); "" when not known.
    web_url: str = ""


PRODUCTION = Environment(
    "production",
    "Production",
    "https://login.procore.com",
    "https://api.procore.com",
    "https://app.procore.com",
)
DEVELOPER_SANDBOX = Environment(
    "developer_sandbox",
    "Developer sandbox",
    "https://login-sandbox.procore.com",
    "https://sandbox.procore.com",
    "https://sandbox.procore.com",  # "Browser access at https://sandbox.procore.com"
)
MONTHLY_SANDBOX = Environment(
    "monthly_sandbox",
    "Monthly sandbox",
    "https://login-sandbox-monthly.procore.com",
    "https://api-monthly.procore.com",
    "https://api-sandbox-monthly.procore.com",  # "Browser access at https://api-sandbox-…"
)
ENVIRONMENTS: tuple[Environment, ...] = (PRODUCTION, DEVELOPER_SANDBOX, MONTHLY_SANDBOX)


def project_admin_url(environment: Environment, project_id: int) -> str | None:
    """The project's Admin tool in a browser: <web host>/<project id>/project/admin.

    The path follows the documented company address (<web host>/<company id>/company/...);
    the built-in sandbox (a loopback API address) serves a page there. None for a custom
    host, whose web address is not known.
    """
    web = environment.web_url
    if not web and is_loopback_host(urlsplit(environment.api_url).hostname or ""):
        web = environment.api_url
    return f"{web}/{int(project_id)}/project/admin" if web else None


def is_loopback_host(host: str) -> bool:
    """True for this computer only: localhost, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(value: str, what: str, example: str) -> str:
    """Check an absolute http(s) base URL; return it without a trailing slash.

    Raises ValueError with a message that says what to fix. Plain http is accepted only for
    loopback hosts (the built-in sandbox), since the token would otherwise travel in clear text.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValueError(f"Enter the {what}, for example {example}.")
    if len(text) > MAX_URL_LENGTH:
        raise ValueError(
            f"The {what} is too long ({len(text):,} characters; at most {MAX_URL_LENGTH:,}): "
            f"enter only the server address, like {example}."
        )
    if any(ch.isspace() for ch in text):
        raise ValueError(f"The {what} must not contain spaces.")
    bad_host = f"The {what} has an invalid server name; enter one like {example}."
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed '[' of an IPv6 address
        raise ValueError(bad_host) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"The {what} must be a full address starting with https://, like {example}."
        )
    host = parts.hostname
    if not host:
        raise ValueError(f"The {what} must include a server name, like {example}.")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"The {what} has an invalid port number.") from None
    if not _valid_host(text):
        raise ValueError(bad_host)
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"The {what} must not contain a user name or password.")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValueError(f"The {what} must not contain '?' or '#': enter only the server address.")
    if scheme == "http" and not is_loopback_host(host):
        raise ValueError(
            f"The {what} must start with https://. Plain http:// is only allowed for this "
            "computer (localhost or 127.0.0.1)."
        )
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _valid_host(url: str) -> bool:
    """An IP address, or a DNS name (international ones as httpx would send them) that a request
    could be made to: caught here, not as an exception deep in a request."""
    # Imported here: the settings (read at start-up) check addresses too, and the window's
    # first paint imports no httpx (tests/ui/test_startup_imports.py).
    import httpx

    try:
        parsed = httpx.URL(url)
        parsed.host  # noqa: B018 - decoding an "xn--" name is the check
        host = parsed.raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError):  # the IDNA codec's errors are ValueErrors
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(_DNS_LABEL.fullmatch(label) for label in labels)


def custom_environment(
    login_url: str, api_url: str, *, key: str = "custom", label: str = "Custom"
) -> Environment:
    """An environment from user-entered URLs (a Procore host pair, or the built-in sandbox)."""
    # The API address first: a login address left out is the API address, and is its mistake.
    api = normalize_base_url(api_url, "API address", "https://api.procore.com")
    login = normalize_base_url(login_url, "sign-in (login) address", "https://login.procore.com")
    return Environment(key, label, login, api)
