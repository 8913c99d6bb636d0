"""Which connector's code rules apply: the ERP list's name, or the Connection setting (also by
IT's policy), and the cache counting again under a changed choice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.procore import ProcoreClient
from costcode_desktop.sandbox import SandboxServer, demo, demo_seed
from costcode_desktop.services import Company, check_projects, read_company_list
from costcode_desktop.services.cache import CacheStore
from costcode_desktop.services.cache.store import FILE_NAME
from costcode_desktop.services.policy import from_json_text, merge
from costcode_desktop.services.settings import (
    Connection,
    Settings,
    load_settings,
    save_settings,
)
from tests.sandbox_support import running, signed_in_client

WEST = demo.ACUMATICA_COMPANY_ID


@pytest.fixture
def demo_client() -> Iterator[ProcoreClient]:
    for server in running(SandboxServer(demo_seed())):
        with signed_in_client(server) as client:
            yield client


def harbor_point_counts(client: ProcoreClient, connector: str) -> dict[DiffStatus, int]:
    company_list = read_company_list(client, WEST, connector=connector)
    projects = client.projects(WEST, status="All")
    statuses = {s.project.id: s for s in check_projects(client, company_list, projects)}
    status = statuses[demo.HARBOR_POINT_MEDICAL]
    assert status.comparison is not None
    return dict(status.comparison.counts)


def test_the_lists_name_chooses_and_the_setting_overrides(demo_client: ProcoreClient) -> None:
    assert read_company_list(demo_client, WEST).connector.key == "acumatica"
    assert read_company_list(demo_client, demo.COMPANY_ID).connector.key == "sage300"
    chosen = read_company_list(demo_client, WEST, connector="sage300")
    assert chosen.connector.key == "sage300"

    acumatica = harbor_point_counts(demo_client, "auto")
    assert (acumatica[DiffStatus.UNSUPPORTED], acumatica[DiffStatus.MISSING]) == (2, 1)
    sage = harbor_point_counts(demo_client, "sage300")
    assert (sage[DiffStatus.UNSUPPORTED], sage[DiffStatus.MISSING]) == (0, 3)


def test_the_cache_counts_again_under_another_connector(
    demo_client: ProcoreClient, tmp_path: Path
) -> None:
    company_list = read_company_list(demo_client, WEST)  # Acumatica, from the name
    projects = demo_client.projects(WEST, status="All")
    with CacheStore(tmp_path / FILE_NAME) as store:
        store.save_company("demo", Company(WEST, "Example Builders West"), company_list, projects)
        store.save_statuses(
            "demo", company_list, check_projects(demo_client, company_list, projects)
        )

        for setting, unsupported, missing in (("auto", 2, 1), ("sage300", 0, 3)):
            cached = store.read("demo", WEST, connector=setting)
            assert cached is not None
            comparison = cached.statuses[demo.HARBOR_POINT_MEDICAL].comparison
            assert comparison is not None
            assert comparison.count(DiffStatus.UNSUPPORTED) == unsupported
            assert comparison.count(DiffStatus.MISSING) == missing
            assert len(comparison.rows_with(DiffStatus.UNSUPPORTED)) == unsupported


def test_the_setting_is_kept_checked_and_set_by_policy(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(Connection(erp_connector="intacct")), path)
    assert load_settings(path).settings.connection.erp_connector == "intacct"
    assert Connection().erp_connector == "auto"
    problems = Connection(client_id="x", erp_connector="oracle").validate()
    assert any("Unknown ERP connector 'oracle'" in problem for problem in problems)

    policy = merge([from_json_text('{"ErpConnector": "acumatica"}', "policy.json")])
    assert policy.apply(Connection()).erp_connector == "acumatica"
    assert policy.locked("erp_connector")
    bad = from_json_text('{"ErpConnector": "oracle"}', "policy.json")
    assert bad.values == {}
    assert "should be one of auto, sage300" in bad.problems[0]
