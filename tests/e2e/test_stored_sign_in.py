"""The headless command on the desktop app's stored sign-in, and a whole session that leaves
no secret in any log, settings file, cache, history or export."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.procore import ProcoreClient
from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.services import read_company_list, refresh_project
from costcode_desktop.services.checks import check_projects
from costcode_desktop.services.export import ExportHeader, write_csv
from costcode_desktop.services.export_xlsx import write_xlsx
from costcode_desktop.services.history.store import HistoryStore
from costcode_desktop.services.secrets import SecretStore
from costcode_desktop.services.settings import Connection, Settings, save_settings
from costcode_desktop.services.signin import (
    Credentials,
    open_session,
    refresh_token_key,
    save_client_secret,
    sign_in_with_pasted_code,
    start_pasted_code,
    user_tokens,
)
from tests.keyring_memory import MemoryKeyring, installed
from tests.sandbox_support import clients_on_simulated_time, run_main

COMPANY = 4264807


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    # Procore's limits (25 requests per 10 s) on a simulated clock: the client's waits are
    # jumped over, so a run of the demo's projects does not sleep through them.
    with (
        SandboxServer(demo_seed(), simulated=SimulatedTime()) as running,
        clients_on_simulated_time(running),
    ):
        yield running


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring(max_bytes=2560)) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def desktop_sign_in(server: SandboxServer) -> tuple[Credentials, SecretStore, object]:
    """What the desktop app leaves behind after a sign-in with a pasted code."""
    connection = Connection(
        environment="custom",
        custom_login_url=server.url,
        custom_api_url=server.url,
        client_id=server.client_id,
        sign_in_method="paste_code",
    )
    credentials = Credentials(connection, server.client_secret)
    store = SecretStore()
    save_client_secret(store, connection, server.client_secret)
    started = start_pasted_code(credentials)
    code = server.approve(started.url, "ap@example.com", "demo")
    tokens = user_tokens(credentials, sign_in_with_pasted_code(credentials, code, started), store)
    key = connection.environment_key()
    save_settings(Settings(connection=connection).with_company(key, COMPANY))
    return credentials, store, tokens


def test_headless_command_uses_the_desktop_sign_in(
    server: SandboxServer, keyring_backend: MemoryKeyring
) -> None:
    credentials, store, _ = desktop_sign_in(server)
    before = store.get(refresh_token_key(credentials.connection))
    server.advance_clock(6000)  # the stored access token is long gone: a refresh is needed
    code, out, err = run_main("status", "--json")
    assert code == 0, err
    assert len(json.loads(out)["projects"]) == 12
    assert store.get(refresh_token_key(credentials.connection)) != before, "rotated and kept"


def test_headless_command_uses_the_desktop_service_account_and_its_company(
    server: SandboxServer, keyring_backend: MemoryKeyring
) -> None:
    """No company remembered yet: the service account's own company id from the settings is
    the one costcode-sync names to Procore (a service account must, on /me and /companies)."""
    connection = Connection(
        environment="custom",
        custom_login_url=server.url,
        custom_api_url=server.url,
        client_id=server.client_id,
        sign_in_method="service_account",
        company_id=COMPANY,
    )
    save_client_secret(SecretStore(), connection, server.client_secret)
    save_settings(Settings(connection=connection))
    code, out, err = run_main("status", "--json")
    assert code == 0, err
    assert len(json.loads(out)["projects"]) == 12
    me = [r.company_header for r in server.requests if r.path == "/rest/v1.0/me"]
    assert me == [str(COMPANY)]


def test_headless_command_without_any_sign_in_says_what_to_do(
    keyring_backend: MemoryKeyring,
) -> None:
    code, _, err = run_main("status")
    assert code == 2
    assert "Sign in with the desktop app first" in err


def test_a_whole_session_leaves_no_secret_anywhere(
    server: SandboxServer,
    keyring_backend: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    credentials, store, tokens = desktop_sign_in(server)
    session = open_session(credentials.connection, tokens, company_id=COMPANY)  # type: ignore[arg-type]
    client: ProcoreClient = session.client
    company_list = read_company_list(client, COMPANY)
    statuses = list(check_projects(client, company_list, client.projects(COMPANY)))
    history = HistoryStore()
    run_id = history.start_run(
        user="ap@example.com", environment="custom", company_id=COMPANY, company_name="x"
    )
    server.advance_clock(6000)  # a refresh of the access token during the session
    for status in statuses[:5]:
        history.record_project(run_id, refresh_project(client, company_list, status.project.id))
    history.finish_run(run_id)
    history.close()
    comparison = statuses[3].comparison
    assert comparison is not None
    header = ExportHeader("Example Builders", "Sage", "P", "1", company_list.read_at, None)
    exports = tmp_path / "exports"
    exports.mkdir()
    write_csv(exports / "c.csv", header, comparison)
    write_xlsx(exports / "c.xlsx", header, comparison, fills={})
    code, out, err = run_main("status")
    assert code == 0, err

    secrets = [
        server.client_secret,
        tokens.bearer_token(),  # type: ignore[attr-defined]
        store.get(refresh_token_key(credentials.connection)),
    ]
    assert all(secrets)
    files = [p for folder in (isolated_home, exports) for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "settings.json" for p in files)
    assert any(p.name.startswith("history.sqlite3") for p in files)
    places = {"the log": caplog.text, "the command's output": out + err}
    places.update({str(p): p.read_bytes().decode("latin-1") for p in files})
    for secret in secrets:
        assert secret is not None
        for where, text in places.items():
            assert secret not in text, f"a secret leaked into {where}"
    lowered = caplog.text.lower()
    assert "b'authorization'" not in lowered, "request headers reached the log"
    assert "authorization: bearer" not in lowered
