"""The permission manifest: GET /rest/v1.0/settings/permissions."""

from __future__ import annotations

from typing import Any

from .context import Context
from .wire import Response, int_param, json_response

# The manifest's tool entries as the SDK models them (RestV10SettingsPermissionsGet200Response*).
# Access levels: 2 "Read Only", 3 "Standard" (tutorial_correspondence.md), 4 "Admin" (REF). The
# Admin tool's name is not documented ("admin" here); the documents tool and its action are REF's
# example. No source names a cost code action, so the sandbox grants none.
_LEVELS = {"read_only": (2, "Read Only"), "standard": (3, "Standard"), "admin": (4, "Admin")}


def _tool(
    tool_id: int, name: str, friendly: str, level: str, project_id: int, actions: list[Any]
) -> dict[str, Any]:
    level_id, level_name = _LEVELS[level]
    return {
        "id": tool_id,
        "name": name,
        "friendly_name": friendly,
        "domain_id": 1,
        "tab_group": "core_tools",
        "available_for_user": True,
        "url": f"/{project_id}/project/{name}",
        "user_access_level": {"id": level_id, "name": level_name},
        "permitted_actions": actions,
        "create_url": None,
        "can_create": level != "read_only",
        "trial": False,
    }


def permissions(ctx: Context) -> Response:
    """The user's permission manifest for a project, in the SDK's shape: {tools: [...]}."""
    project_id = int_param(ctx.request, "project_id", required=True)
    assert project_id is not None
    project = ctx.visible_project(project_id)
    admin = ctx.is_admin(project)
    delete = {
        "id": 101,
        "action_name": "destroy_files_and_folders",
        "label": "Delete folders and files",
        "tool_name": "documents",
    }
    tools = [
        _tool(1, "admin", "Admin", "admin" if admin else "read_only", project_id, []),
        _tool(2, "documents", "Documents", "standard", project_id, [delete]),
    ]
    return json_response(200, {"tools": tools})
