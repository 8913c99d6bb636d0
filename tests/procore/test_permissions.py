from __future__ import annotations

from typing import Any

import pytest

from costcode_desktop.procore.parse import parse_admin_permission


def manifest(level: object, actions: list[str] | None = None, name: str = "admin") -> Any:
    tool: dict[str, Any] = {"name": name, "user_access_level": {"name": level}}
    if actions is not None:
        tool["permitted_actions"] = actions
    return {"tools": [{"name": "budget", "user_access_level": {"name": "Admin"}}, tool]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (manifest("Admin"), True),
        (manifest("admin", name="Project_Admin"), True),
        (manifest("Read Only"), False),
        (manifest("Standard"), False),
        (manifest("Standard", ["manage_cost_codes"]), True),  # the granular permission
        (manifest(None), None),
        ({"tools": [{"name": "budget", "user_access_level": {"name": "Admin"}}]}, None),
        ({"unexpected": True}, None),
        ([], None),
    ],
)
def test_permission_manifest_is_read_defensively(data: object, expected: bool | None) -> None:
    assert parse_admin_permission(data) is expected
