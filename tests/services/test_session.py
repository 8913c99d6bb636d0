"""Sessions: connecting, a copy for another company, closing once; loading a company."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.procore import (
    AuthenticationFailed,
    ClientCredentials,
    Company,
    CompanyIdRequired,
    ProcoreClient,
    SignInExpired,
    StaticToken,
    custom_environment,
)
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services import Session, connect, load_company, open_sandbox_session
from costcode_desktop.services import session as session_module
from costcode_desktop.services.history.store import HistoryError, HistoryStore

from .seeds import COMPANY, P_DRIFTED, P_HIDDEN, small_seed


class Stoppable:
    def __init__(self) -> None:
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


def test_a_sandbox_session_signs_in_to_the_company_asked_for(server: SandboxServer) -> None:
    session = open_sandbox_session(server, company_id=COMPANY)
    try:
        assert session.company.id == COMPANY
        assert session.environment.key == "demo"
        assert session.environment.api_url == server.url
        assert session.user.name
        assert session.signed_in_text.endswith(" · Demo")
    finally:
        session.close()


def test_a_service_account_sends_its_company_to_me_and_companies(server: SandboxServer) -> None:
    """tutorial_mpz.md, oauth_client_credentials.md: a service account's /me and /companies carry
    Procore-Company-Id; a user's do not (they need none)."""
    environment = open_sandbox_session(server).environment
    server.clear_requests()
    tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
    connect(environment, tokens, company_id=COMPANY).close()
    connect(environment, StaticToken(server.issue_token()), company_id=COMPANY).close()
    sent = [(r.path, r.company_header) for r in server.requests if r.path.startswith("/rest/")]
    assert sent == [
        ("/rest/v1.0/me", str(COMPANY)),
        ("/rest/v1.0/companies", str(COMPANY)),
        ("/rest/v1.0/me", None),
        ("/rest/v1.0/companies", None),
    ]


def test_a_service_account_without_a_company_is_told_where_to_give_it(
    server: SandboxServer,
) -> None:
    environment = open_sandbox_session(server).environment
    tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
    with pytest.raises(CompanyIdRequired) as caught:
        connect(environment, tokens)
    assert "company id in the sign-in settings" in str(caught.value)
    assert "--company" in str(caught.value)
    assert "Missing Procore-Company-Id header!" in (caught.value.detail or "")


def test_a_pasted_service_account_token_gets_the_header_when_procore_asks(
    server: SandboxServer,
) -> None:
    environment = open_sandbox_session(server).environment
    pasted = StaticToken(
        ClientCredentials(server.url, server.client_id, server.client_secret).bearer_token()
    )
    server.clear_requests()
    session = connect(environment, pasted, company_id=COMPANY)
    session.close()
    sent = [(r.path, r.company_header, r.status) for r in server.requests]
    assert sent == [
        ("/rest/v1.0/me", None, 400),
        ("/rest/v1.0/me", str(COMPANY), 200),
        ("/rest/v1.0/companies", str(COMPANY), 200),
    ]


def test_a_company_not_listed_gives_the_first(server: SandboxServer) -> None:
    environment = open_sandbox_session(server).environment
    session = connect(environment, StaticToken(server.issue_token()), company_id=1)
    try:
        assert session.company == session.companies[0]
    finally:
        session.close()


def test_with_company_is_a_copy_sharing_the_client_closed_once(server: SandboxServer) -> None:
    stoppable = Stoppable()
    environment = open_sandbox_session(server).environment
    tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
    session = connect(environment, tokens, company_id=COMPANY, owned=(stoppable,))
    other = session.with_company(Company(99, "Another"))

    assert other.company.name == "Another"
    assert session.company.id == COMPANY, "the original is unchanged"
    assert other.client is session.client
    with pytest.raises(dataclasses.FrozenInstanceError):
        session.company = Company(99, "Another")  # type: ignore[misc]
    session.close()
    other.close()
    session.close()
    assert stoppable.stops == 1


def test_a_failed_sign_in_closes_the_client(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[ProcoreClient] = []

    class Recording(ProcoreClient):
        def close(self) -> None:
            closed.append(self)
            super().close()

    monkeypatch.setattr(session_module, "ProcoreClient", Recording)
    environment = open_sandbox_session(server).environment
    closed.clear()
    wrong = ClientCredentials(server.url, server.client_id, "not-the-secret")
    with pytest.raises(AuthenticationFailed):
        connect(environment, wrong)
    assert len(closed) == 1


def test_a_user_without_companies_cannot_sign_in() -> None:
    seed = small_seed()
    seed["users"][0]["companies"] = []
    with SandboxServer(seed) as server:
        user_token = StaticToken(server.issue_token())
        environment = custom_environment(server.url, server.url)
        with pytest.raises(SignInExpired, match="no companies"):
            connect(environment, user_token)


def test_load_company_reads_the_list_the_projects_and_the_history(
    server: SandboxServer, tmp_path: Path
) -> None:
    session = open_sandbox_session(server, company_id=COMPANY)
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        load = load_company(session, history=history)
        assert load.company_list.company_id == COMPANY
        assert P_DRIFTED in {p.id for p in load.projects}
        assert P_HIDDEN not in {p.id for p in load.projects}
        assert load.last_refreshed == {}
    session.close()


def test_an_unreadable_history_still_loads_the_company(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def last_refreshed(self, company_id: int, environment: str) -> dict[int, datetime]:
            raise HistoryError("the history file is damaged")

        def open_intents(self, environment: str, company_id: int) -> list[object]:
            raise HistoryError("the history file is damaged")

    session = open_sandbox_session(server, company_id=COMPANY)
    broken: Any = Broken()
    with caplog.at_level(logging.WARNING):
        load = load_company(session, history=broken)
    session.close()
    assert load.last_refreshed == {}
    assert load.projects
    assert "could not read the refresh history" in caplog.text


def test_a_session_is_built_from_its_parts_as_before(server: SandboxServer) -> None:
    """Positional construction, as tests and benchmarks build sessions from their own client."""
    session = open_sandbox_session(server)
    copy = Session(
        session.environment, session.client, session.user, session.company, session.companies
    )
    assert copy.tokens is None
    copy.close()
    session.close()
