"""costcode-sync refresh names the codes left without a cost type (issue 15, section 2): in its
lines and its JSON (`codes_without_cost_type`), with the project's Admin page in Procore. The
demo sandbox over loopback: codes copied to a project arrive without cost types, as in Procore."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.sandbox.demo import (
    HARBORVIEW_APARTMENTS,
    LINCOLN_ELEMENTARY,
    ST_MARYS_GARAGE,
    WESTGATE_OFFICE_PARK,
)
from tests.sandbox_support import run_cli, running

COMPANY = "4264807"
NEW_CODES = ["01-016", "03-360", "18", "18-100"]
STEPS = (
    "In Procore: Project Admin → Cost Code Cost Type Assignments → assign cost types, then "
    "Resend the Project Cost Codes to ERP (Admin → General → Re-send to ERP); an accounting "
    "approver then updates the job in ERP Integrations."
)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed(), simulated=SimulatedTime()))


def test_refresh_json_lists_the_new_codes_without_cost_type_and_where_to_assign_them(
    server: SandboxServer,
) -> None:
    code, out, _ = run_cli(
        server, COMPANY, "refresh", "--project", str(HARBORVIEW_APARTMENTS), "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert [c["full_code"] for c in result["added"]] == NEW_CODES
    assert result["codes_without_cost_type"] == NEW_CODES
    admin = f"{server.url}/{HARBORVIEW_APARTMENTS}/project/admin"
    assert result["cost_types_todo"] == {
        "codes": NEW_CODES,
        "new": 4,
        "text": f"4 new codes in Harborview Apartments have no cost type. {STEPS}",
        "open_in_procore": admin,
    }
    # The address opens the sandbox's page for the project's Admin tool: the codes, no types.
    page = httpx.get(admin).text
    assert "Harborview Apartments" in page
    assert "<td>18-100</td><td>Solar Photovoltaic Systems</td><td>(none)</td>" in page


def test_refresh_lines_and_a_run_of_many_say_what_is_left_to_do_in_procore(
    server: SandboxServer,
) -> None:
    code, out, _ = run_cli(
        server, COMPANY, "refresh", "--project", str(WESTGATE_OFFICE_PARK), "--json"
    )
    assert code == 0
    assert json.loads(out)["codes_without_cost_type"] == ["18", "18-100"]

    code, out, _ = run_cli(server, COMPANY, "refresh", "--project", str(HARBORVIEW_APARTMENTS))
    assert code == 0
    lines = out.splitlines()
    at = lines.index(
        f"No cost type: 4 new codes in Harborview Apartments have no cost type. {STEPS}"
    )
    assert lines[at + 1 :] == [
        "  01-016, 03-360, 18, 18-100",
        f"  Open in Procore: {server.url}/{HARBORVIEW_APARTMENTS}/project/admin",
    ]

    # A run of many: each project's entry in the report carries its own list.
    code, out, _ = run_cli(server, COMPANY, "refresh", "--all-out-of-date", "--json")
    report = json.loads(out)
    lincoln = next(p for p in report["projects"] if p["project"]["id"] == LINCOLN_ELEMENTARY)
    assert lincoln["codes_without_cost_type"] == ["01-016", "03-360"]
    assert lincoln["cost_types_todo"]["open_in_procore"].endswith(
        f"/{LINCOLN_ELEMENTARY}/project/admin"
    )
    # Descriptions put back keep their cost types: only the copied codes are listed.
    st_marys = next(p for p in report["projects"] if p["project"]["id"] == ST_MARYS_GARAGE)
    assert len(st_marys["updated"]) == 4
    assert st_marys["codes_without_cost_type"] == []
    assert st_marys["cost_types_todo"] is None
