"""Procore hosts: the three published environments and a validated custom pair."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Environment:
    """Where to sign in and where to call the API; tokens never cross environments."""

    key: str
    label: str
    login_url: str
    api_url: str


PRODUCTION = Environment(
    "production", "Production", "https://login.procore.com", "https://api.procore.com"
)
DEVELOPER_SANDBOX = Environment(
    "developer_sandbox",
    "Developer sandbox",
    "https://login-sandbox.procore.com",
    "https://sandbox.procore.com",
)
MONTHLY_SANDBOX = Environment(
    "monthly_sandbox",
    "Monthly sandbox",
    "https://login-sandbox-monthly.procore.com",
    "https://api-monthly.procore.com",
)
ENVIRONMENTS: tuple[Environment, ...] = (PRODUCTION, DEVELOPER_SANDBOX, MONTHLY_SANDBOX)


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
    if any(ch.isspace() for ch in text):
        raise ValueError(f"The {what} must not contain spaces.")
    parts = urlsplit(text)
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


def custom_environment(
    login_url: str, api_url: str, *, key: str = "custom", label: str = "Custom"
) -> Environment:
    """An environment from user-entered URLs (a Procore host pair, or the built-in sandbox)."""
    login = normalize_base_url(login_url, "sign-in (login) address", "https://login.procore.com")
    api = normalize_base_url(api_url, "API address", "https://api.procore.com")
    return Environment(key, label, login, api)
