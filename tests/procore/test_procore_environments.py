from __future__ import annotations

import dataclasses

import pytest

from costcode_desktop.procore import (
    DEVELOPER_SANDBOX,
    MONTHLY_SANDBOX,
    PRODUCTION,
    Environment,
    custom_environment,
    is_loopback_host,
)
from costcode_desktop.procore.environments import project_admin_url


def test_published_environments() -> None:
    assert (
        Environment(
            "production",
            "Production",
            "https://login.procore.com",
            "https://api.procore.com",
            "https://app.procore.com",
        )
        == PRODUCTION
    )
    assert DEVELOPER_SANDBOX.login_url == "https://login-sandbox.procore.com"
    assert DEVELOPER_SANDBOX.api_url == "https://sandbox.procore.com"
    assert MONTHLY_SANDBOX.login_url == "https://login-sandbox-monthly.procore.com"
    assert MONTHLY_SANDBOX.api_url == "https://api-monthly.procore.com"
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRODUCTION.api_url = "https://evil.test"  # type: ignore[misc]


def test_custom_https_strips_trailing_slash() -> None:
    env = custom_environment("https://login.corp.test/", "https://api.corp.test/procore//")
    assert env == Environment(
        "custom", "Custom", "https://login.corp.test", "https://api.corp.test/procore"
    )


def test_custom_key_and_label() -> None:
    env = custom_environment(
        "http://127.0.0.1:8765", "http://127.0.0.1:8765", key="builtin", label="Built-in sandbox"
    )
    assert (env.key, env.label) == ("builtin", "Built-in sandbox")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765",
        "http://127.9.8.7",
        "http://localhost:1234/",
        "http://LOCALHOST",
        "http://[::1]:8080",
        "HTTPS://api.procore.com",
        "https://bücher.example",
        "https://api.procore.com./",
    ],
)
def test_loopback_http_and_any_https_accepted(url: str) -> None:
    env = custom_environment(url, url)
    assert not env.api_url.endswith("/")
    assert env.api_url.lower().startswith(("http://", "https://"))


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "Enter the"),
        ("   ", "Enter the"),
        ("api.procore.com", "full address starting with https://"),
        ("/rest/v1.0", "full address"),
        ("ftp://api.procore.com", "https://"),
        ("http://api.procore.com", "must start with https://"),
        ("http://10.0.0.5:8000", "must start with https://"),
        ("http://128.0.0.1", "must start with https://"),
        ("https://user:pw@api.procore.com", "user name or password"),
        ("https://api.procore.com?x=1", "'?' or '#'"),
        ("https://api.procore.com/#top", "'?' or '#'"),
        ("https://api.procore.com:99999", "port"),
        ("https://api procore.com", "spaces"),
        ("https://", "full address"),
        ("https://" + "a" * 100_000 + ".com", "too long (100,012 characters; at most 2,000)"),
        ("https://exa!mple.com", "invalid server name"),
        ("https://" + "a" * 64 + ".example.com", "invalid server name"),
        ("https://-api.example.com", "invalid server name"),
        ("https://api..example.com", "invalid server name"),
        ("https://xn--zz.example.com", "invalid server name"),
        ("https://300.1.1.1", "invalid server name"),
        ("https://[::1", "invalid server name"),
        ("https://\u202eevil.com", "invalid server name"),
    ],
)
def test_invalid_urls_say_what_to_fix(url: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="API address") as caught:
        custom_environment("https://login.procore.com", url)
    assert fragment in str(caught.value)


def test_login_url_is_validated_too() -> None:
    with pytest.raises(ValueError, match=r"sign-in \(login\) address"):
        custom_environment("http://login.example.com", "https://api.example.com")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.255.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("localhost.evil.test", False),
        ("api.procore.com", False),
    ],
)
def test_is_loopback_host(host: str, expected: bool) -> None:
    assert is_loopback_host(host) is expected


def test_a_projects_admin_page_in_each_environment() -> None:
    """Browser hosts from development_environments.md; the built-in sandbox serves the page
    itself; a custom host's web address is not known, so no link is offered."""
    project = 562949953421314
    assert project_admin_url(PRODUCTION, project) == (
        "https://app.procore.com/562949953421314/project/admin"
    )
    assert project_admin_url(DEVELOPER_SANDBOX, project) == (
        "https://sandbox.procore.com/562949953421314/project/admin"
    )
    assert project_admin_url(MONTHLY_SANDBOX, project) == (
        "https://api-sandbox-monthly.procore.com/562949953421314/project/admin"
    )
    sandbox = custom_environment("http://127.0.0.1:8765", "http://127.0.0.1:8765", key="demo")
    assert project_admin_url(sandbox, 7) == "http://127.0.0.1:8765/7/project/admin"
    custom = custom_environment("https://login.example.com", "https://api.example.com")
    assert project_admin_url(custom, 7) is None
