"""The permission manifest in the SDK's shape (RestV10SettingsPermissionsGet200Response*): tools
{id, name, friendly_name, user_access_level {id, name}, permitted_actions [{id, action_name,
label, tool_name}], ...}. Only the Admin tool's access level decides; see docs/procore-api.md §4."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from costcode_desktop.procore.parse import parse_admin_permission
from costcode_desktop.sandbox import SandboxServer, demo_seed
from costcode_desktop.sandbox import demo as d
from tests.sandbox_support import running, signed_in_client

LEVELS = {"Read Only": 2, "Standard": 3, "Admin": 4}


def action(name: str, label: str, tool: str = "admin") -> dict[str, Any]:
    return {"id": 7, "action_name": name, "label": label, "tool_name": tool}


def tool(
    name: str, level: object, actions: list[Any] | None = None, friendly: str | None = None
) -> dict[str, Any]:
    access = {"id": LEVELS.get(str(level)), "name": level}
    return {
        "id": 1,
        "name": name,
        "friendly_name": friendly or name.title(),
        "domain_id": 1,
        "tab_group": "core_tools",
        "available_for_user": True,
        "url": "/1/project/admin",
        "user_access_level": access,
        "permitted_actions": actions or [],
        "create_url": None,
        "can_create": False,
        "trial": False,
    }


# REF's example tool: an Admin on documents says nothing about the project's Admin tool.
DOCUMENTS = tool(
    "documents", "Admin", [action("destroy_files_and_folders", "Delete folders and files", "docs")]
)


def manifest(*tools: dict[str, Any]) -> dict[str, Any]:
    return {"tools": [DOCUMENTS, *tools]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (manifest(tool("admin", "Admin")), True),
        (manifest(tool("project_admin", "admin")), True),
        (manifest(tool("admin", "Read Only")), False),
        (manifest(tool("admin", "Read-only")), False),
        (manifest(tool("admin", "Standard")), False),
        (manifest(tool("admin", "None")), False),
        # A granular permission may or may not be enough (its names are unknown): let the
        # write decide rather than refuse beforehand.
        (manifest(tool("admin", "Standard", [action("manage_segment_items", "x")])), None),
        (manifest(tool("admin", "Read Only", [action("x", "Manage WBS Codes")])), None),
        (manifest(tool("admin", "Standard", [action("view_reports", "View reports")])), False),
        (manifest(tool("admin_tool_v2", "Admin", friendly="Admin")), True),
        (manifest(tool("admin", "Supreme")), None),  # a level nobody documented
        (manifest(tool("admin", None)), None),
        (manifest(), None),  # no Admin tool in the manifest
        ({"tools": "nope"}, None),
        ({"unexpected": True}, None),
        ([], None),
    ],
)
def test_the_admin_tools_access_level_decides(data: object, expected: bool | None) -> None:
    assert parse_admin_permission(data) is expected


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    yield from running(SandboxServer(demo_seed()))


def test_the_sandbox_answers_the_sdk_shape_and_the_client_reads_it(server: SandboxServer) -> None:
    with signed_in_client(server) as client:
        assert client.can_manage_cost_codes(d.COMPANY_ID, d.LINCOLN_ELEMENTARY) is True
        assert client.can_manage_cost_codes(d.COMPANY_ID, d.SUMMIT_RIDGE_DATA_CENTER) is False

    token = server.issue_token()
    answer = httpx.get(
        f"{server.url}/rest/v1.0/settings/permissions",
        params={"project_id": d.SUMMIT_RIDGE_DATA_CENTER},
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(d.COMPANY_ID)},
    ).json()
    assert set(answer) == {"tools"}
    admin = next(t for t in answer["tools"] if t["name"] == "admin")
    assert set(admin) == {
        "id", "name", "friendly_name", "domain_id", "tab_group", "available_for_user", "url",
        "user_access_level", "permitted_actions", "create_url", "can_create", "trial",
    }  # fmt: skip
    assert admin["user_access_level"] == {"id": 2, "name": "Read Only"}
    documents = next(t for t in answer["tools"] if t["name"] == "documents")
    assert set(documents["permitted_actions"][0]) == {"id", "action_name", "label", "tool_name"}
