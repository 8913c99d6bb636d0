from __future__ import annotations

from collections.abc import Iterator

import pytest

from costcode_desktop.procore import ProcoreClient
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services import CompanyList, read_company_list
from tests.sandbox_support import running, signed_in_client

from .seeds import COMPANY, small_seed


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(small_seed()))


@pytest.fixture
def client(server: SandboxServer) -> Iterator[ProcoreClient]:
    with signed_in_client(server) as client:
        yield client


@pytest.fixture
def company_list(client: ProcoreClient) -> CompanyList:
    return read_company_list(client, COMPANY)
