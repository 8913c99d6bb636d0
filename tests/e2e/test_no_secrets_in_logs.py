from __future__ import annotations

import contextlib
import logging

import pytest

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.services import (
    check_projects,
    load_company,
    open_sandbox_session,
    refresh_project,
)
from tests.sandbox_support import clients_on_simulated_time


def test_a_whole_session_at_debug_level_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # Procore's limits on a simulated clock: the client's waits are jumped over.
    with (
        SandboxServer(demo_seed(), simulated=SimulatedTime()) as server,
        clients_on_simulated_time(server),
    ):
        secret = server.client_secret
        with contextlib.closing(open_sandbox_session(server, company_id=4264807)) as session:
            client = session.client
            load = load_company(session, history=None)
            statuses = list(check_projects(client, load.company_list, load.projects))
            for status in statuses[:6]:
                refresh_project(client, load.company_list, status.project.id)
            assert session.tokens is not None
            access_token = session.tokens.bearer_token()

    assert len(caplog.records) > 50, "the session was logged"
    text = caplog.text
    assert secret not in text
    assert access_token not in text
    assert "Bearer" not in text
