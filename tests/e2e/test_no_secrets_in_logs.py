from __future__ import annotations

import logging

import pytest

from costcode_desktop.procore import ClientCredentials, ProcoreClient
from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.services import check_projects, read_company_list, refresh_project


def test_a_whole_session_at_debug_level_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with SandboxServer(demo_seed()) as server:
        secret = server.client_secret
        tokens = ClientCredentials(server.url, server.client_id, secret)
        with ProcoreClient(server.url, tokens) as client:
            company_list = read_company_list(client, 4264807)
            projects = client.projects(4264807, status="All")
            statuses = list(check_projects(client, company_list, projects))
            for status in statuses[:6]:
                refresh_project(client, company_list, status.project.id)
            access_token = tokens.bearer_token()

    assert len(caplog.records) > 50, "the session was logged"
    text = caplog.text
    assert secret not in text
    assert access_token not in text
    assert "Bearer" not in text
