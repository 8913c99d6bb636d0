"""Procore JSON to typed records, defensively.

Nothing here trusts the shape of an answer: a missing required field or a wrong type raises
MalformedResponse (never KeyError or TypeError), and `origin_id`/`origin_data` are reduced to the
`erp_managed` flag and otherwise dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .error_bodies import JSON_DETAIL_LIMIT, describe_error_json, truncate
from .errors import MalformedResponse
from .records import (
    Company,
    CopyFailure,
    CopyResult,
    CostCode,
    LineItemType,
    Project,
    StandardCostCode,
    StandardCostCodeList,
    SubJob,
    SyncError,
    SyncResult,
    User,
    WbsSegment,
)

T = TypeVar("T")

_INT_TEXT = re.compile(r"-?[0-9]+")


# ---------------------------------------------------------------------------------------------
# Low-level readers
# ---------------------------------------------------------------------------------------------


def malformed(problem: str) -> MalformedResponse:
    return MalformedResponse(detail=problem)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def to_int(value: object) -> int | None:
    """An integer from an int, an integral float or decimal text; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _to_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _to_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


class Fields:
    """Typed access to one JSON object; every failure becomes MalformedResponse."""

    def __init__(self, obj: object, what: str) -> None:
        if not isinstance(obj, dict):
            raise malformed(f"Expected {what} as an object, got {_type_name(obj)}.")
        self.obj: dict[str, Any] = obj
        self.what = what

    def _bad(self, key: str, expected: str, value: object) -> MalformedResponse:
        return malformed(
            f"{self.what}: field '{key}' should be {expected}, got {_type_name(value)}."
        )

    def _get(self, key: str) -> object:
        if key not in self.obj:
            raise malformed(f"{self.what}: required field '{key}' is missing.")
        return self.obj[key]

    def req_int(self, key: str) -> int:
        value = self._get(key)
        number = to_int(value)
        if number is None:
            raise self._bad(key, "a whole number", value)
        return number

    def opt_int(self, key: str) -> int | None:
        value = self.obj.get(key)
        if value is None or value == "":
            return None
        number = to_int(value)
        if number is None:
            raise self._bad(key, "a whole number", value)
        return number

    def soft_int(self, key: str) -> int | None:
        """For cosmetic fields: a bad value is ignored rather than failing the whole list."""
        return to_int(self.obj.get(key))

    def req_str(self, key: str, *, null_as: str | None = None) -> str:
        value = self._get(key)
        if value is None and null_as is not None:
            return null_as
        text = _to_text(value)
        if text is None:
            raise self._bad(key, "text", value)
        return text

    def opt_str(self, key: str) -> str | None:
        value = self.obj.get(key)
        if value is None:
            return None
        text = _to_text(value)
        if text is None:
            raise self._bad(key, "text", value)
        return text

    def flag(self, key: str, default: bool) -> bool:
        value = self.obj.get(key)
        if value is None:
            return default
        result = _to_bool(value)
        if result is None:
            raise self._bad(key, "true or false", value)
        return result

    def opt_flag(self, key: str) -> bool | None:
        value = self.obj.get(key)
        if value is None:
            return None
        result = _to_bool(value)
        if result is None:
            raise self._bad(key, "true or false", value)
        return result


def expect_list(data: object, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise malformed(f"Expected a list of {what}, got {_type_name(data)}.")
    return data


def parse_list(data: object, what: str, parse: Callable[[object], T]) -> list[T]:
    return [parse(item) for item in expect_list(data, what)]


def erp_managed(obj: Mapping[str, Any]) -> bool:
    """Whether the ERP connector owns the record: origin_id is set (the value is not kept)."""
    origin = obj.get("origin_id")
    if origin is None:
        return False
    if isinstance(origin, str):
        return bool(origin.strip())
    return True


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


def parse_user(obj: object) -> User:
    f = Fields(obj, "user")
    return User(
        id=f.req_int("id"),
        login=f.opt_str("login") or "",
        name=f.opt_str("name") or "",
    )


def parse_company(obj: object) -> Company:
    f = Fields(obj, "company")
    return Company(
        id=f.req_int("id"), name=f.req_str("name", null_as=""), is_active=f.flag("is_active", True)
    )


def parse_project(obj: object) -> Project:
    f = Fields(obj, "project")
    return Project(
        id=f.req_int("id"),
        name=f.req_str("name", null_as=""),
        project_number=f.opt_str("project_number"),
        active=f.flag("active", True),
        display_name=f.opt_str("display_name"),
        standard_cost_code_list_id=f.opt_int("standard_cost_code_list_id"),
        list_known="standard_cost_code_list_id" in f.obj,
        is_erp_integrated=f.opt_flag("is_erp_integrated"),
        has_origin_id=erp_managed(f.obj) if "origin_id" in f.obj else None,
    )


def parse_project_id(obj: object) -> int:
    """The id of a project in any view (compact: id and name only)."""
    return Fields(obj, "project").req_int("id")


def parse_standard_cost_code_list(obj: object) -> StandardCostCodeList:
    f = Fields(obj, "standard cost code list")
    return StandardCostCodeList(
        id=f.req_int("id"),
        name=f.req_str("name", null_as=""),
        is_erp_list=f.flag("is_erp_list", False),
        available_to_use_on_new_projects=f.flag("available_to_use_on_new_projects", True),
    )


def parse_wbs_segment(obj: object) -> WbsSegment:
    f = Fields(obj, "WBS segment")
    return WbsSegment(
        id=f.req_int("id"), type=f.req_str("type", null_as=""), name=f.opt_str("name") or ""
    )


def parse_segment_item_list(obj: object) -> StandardCostCodeList:
    """A WBS segment item list: `erp_integrated`, not the deprecated call's `is_erp_list`."""
    f = Fields(obj, "cost code list")
    return StandardCostCodeList(
        id=f.req_int("id"),
        name=f.req_str("name", null_as=""),
        is_erp_list=f.flag("erp_integrated", False),
        available_to_use_on_new_projects=f.flag("available_to_use_on_new_projects", True),
        from_wbs=True,
        codes_count=f.soft_int("segment_items_count"),
    )


def parse_standard_cost_code(obj: object, *, list_id: int | None = None) -> StandardCostCode:
    """One company code; needs view=extended (without it only ids come back: malformed)."""
    f = Fields(obj, "standard cost code")
    if list_id is not None and f.obj.get("standard_cost_code_list_id") is None:
        owner = list_id
    else:
        owner = f.req_int("standard_cost_code_list_id")
    return StandardCostCode(
        id=f.req_int("id"),
        standard_cost_code_list_id=owner,
        parent_id=f.opt_int("parent_id"),
        code=f.req_str("code", null_as=""),
        full_code=f.req_str("full_code"),
        name=f.req_str("name", null_as=""),
        erp_managed=erp_managed(f.obj),
        line_item_types=parse_line_item_types(f.obj),
    )


def parse_line_item_types(obj: Mapping[str, Any]) -> tuple[LineItemType, ...] | None:
    """A code's `line_item_types`: None when absent or not a list (unknown, not "none").

    Cost types only inform the person: an item of another shape is left out rather than
    failing the read of the codes.
    """
    items = obj.get("line_item_types")
    if not isinstance(items, list):
        return None
    types: list[LineItemType] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        code, name = _to_text(item.get("code")) or "", _to_text(item.get("name")) or ""
        if code or name:
            base = _to_text(item.get("base_type")) or ""
            types.append(LineItemType(to_int(item.get("id")), code, name, base))
    return tuple(types)


def _parent_id(f: Fields) -> int | None:
    parent = f.obj.get("parent")
    if isinstance(parent, dict):
        return Fields(parent, "cost code parent").opt_int("id")
    if parent is not None and not isinstance(parent, dict):
        number = to_int(parent)
        if number is None:
            raise malformed("cost code: field 'parent' should be an object.")
        return number
    return f.opt_int("parent_id")


def parse_cost_code(obj: object) -> CostCode:
    f = Fields(obj, "cost code")
    full_code = f.opt_str("full_code")
    if full_code is None:
        full_code = f.opt_str("sortable_code")  # deprecated alias
    if full_code is None:
        full_code = f.req_str("full_code")  # raises: missing or null
    return CostCode(
        id=f.req_int("id"),
        code=f.req_str("code", null_as=""),
        full_code=full_code,
        name=f.req_str("name", null_as=""),
        parent_id=_parent_id(f),
        standard_cost_code_id=f.opt_int("standard_cost_code_id"),
        erp_managed=erp_managed(f.obj),
        position=f.soft_int("position"),
        biller_type=f.opt_str("biller_type"),
        biller_id=f.soft_int("biller_id"),
        line_item_types=parse_line_item_types(f.obj),
    )


def parse_sub_job(obj: object, *, project_id: int) -> SubJob:
    """A List Sub Jobs item (SDK RestV10SubJobsGet200ResponseInner); it names no project."""
    f = Fields(obj, "sub job")
    return SubJob(
        id=f.req_int("id"),
        project_id=project_id,
        code=f.req_str("code", null_as=""),
        name=f.req_str("name", null_as=""),
        erp_managed=erp_managed(f.obj),
    )


def unique_by_id(records: Iterable[T], key: Callable[[T], int]) -> list[T]:
    """Drop repeats of an id (offset pagination can repeat a row when data changes meanwhile)."""
    seen: set[int] = set()
    result: list[T] = []
    for record in records:
        ident = key(record)
        if ident not in seen:
            seen.add(ident)
            result.append(record)
    return result


# ---------------------------------------------------------------------------------------------
# Copy and sync answers
# ---------------------------------------------------------------------------------------------

_REASON_KEYS = ("error", "errors", "message", "reason", "error_message", "detail", "details")


def _first_int(*values: object) -> int | None:
    for value in values:
        number = to_int(value)
        if number is not None:
            return number
    return None


def _first_text(*values: object) -> str | None:
    for value in values:
        text = _to_text(value)
        if text:
            return text
    return None


def _nested(obj: Mapping[str, Any], outer: str, inner: str) -> object:
    value = obj.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _reason(obj: Mapping[str, Any], fallback: str) -> str:
    picked = {key: obj[key] for key in _REASON_KEYS if key in obj}
    text = describe_error_json(picked) if picked else None
    return truncate(text, JSON_DETAIL_LIMIT) if text else fallback


_COPY_FALLBACK = "Procore did not copy this code (no reason given)."
_COPY_DUPLICATE = "Not copied: the project already has a cost code with this code."
_COST_CODE_KEYS = ("full_code", "sortable_code", "biller_id", "biller_type")


def _duplicate(item: dict[str, Any]) -> CopyFailure:
    """A 207 failure as the spec gives it: a cost code, "biller-created duplicates of Standard
    Cost Codes" (Post207Response). Its own id is the project's code, not the standard one."""
    f = Fields(item, "copy failure")
    full_code = _first_text(f.obj.get("full_code"), f.obj.get("sortable_code"), f.obj.get("code"))
    return CopyFailure(to_int(f.obj.get("standard_cost_code_id")), full_code, _COPY_DUPLICATE)


def _copy_failure(item: object, key_id: object = None) -> CopyFailure:
    if isinstance(item, str) or item is None:
        return CopyFailure(
            to_int(key_id), None, truncate(item or "", JSON_DETAIL_LIMIT) or _COPY_FALLBACK
        )
    if not isinstance(item, dict):
        return CopyFailure(to_int(key_id), None, truncate(str(item), JSON_DETAIL_LIMIT))
    if any(key in item for key in _COST_CODE_KEYS) and not any(k in item for k in _REASON_KEYS):
        return _duplicate(item)
    # Other shapes are not documented (kept for older servers): prefer an explicit standard code
    # id, then a nested standard code, then a bare id (the id that was sent).
    std_id = _first_int(
        item.get("standard_cost_code_id"),
        _nested(item, "standard_cost_code", "id"),
        _nested(item, "cost_code", "standard_cost_code_id"),
        item.get("id"),
        key_id,
    )
    full_code = _first_text(
        item.get("full_code"),
        _nested(item, "standard_cost_code", "full_code"),
        _nested(item, "cost_code", "full_code"),
        item.get("code"),
    )
    return CopyFailure(std_id, full_code, _reason(item, _COPY_FALLBACK))


def _copy_failures(value: object) -> list[CopyFailure]:
    if value is None:
        return []
    if isinstance(value, list):
        return [_copy_failure(item) for item in value]
    if isinstance(value, dict):  # {"<id>": reason} or one failure object
        if all(to_int(key) is not None for key in value):
            return [_copy_failure(reason, key) for key, reason in value.items()]
        return [_copy_failure(value)]
    return [_copy_failure(value)]


def parse_copy_result(data: object, status: int) -> CopyResult:
    """201 {"successes", "failures": []}, 207 with failures (cost codes already on the project),
    or a bare list of created codes."""
    if isinstance(data, list):
        return CopyResult(tuple(parse_list(data, "copied cost codes", parse_cost_code)), (), status)
    f = Fields(data, "copy answer")
    successes: object = None
    for key in ("successes", "created", "entities", "cost_codes"):
        if key in f.obj:
            successes = f.obj[key]
            break
    created = parse_list(successes, "copied cost codes", parse_cost_code) if successes else []
    failures: list[CopyFailure] = []
    for key in ("failures", "errors", "failed"):
        if key in f.obj:
            failures = _copy_failures(f.obj[key])
            break
    return CopyResult(tuple(created), tuple(failures), status)


_SYNC_FALLBACK = "Procore did not update this cost code (no reason given)."


def _sync_error(item: object) -> SyncError:
    if not isinstance(item, dict):
        text = describe_error_json(item)
        return SyncError(None, truncate(text, JSON_DETAIL_LIMIT) if text else _SYNC_FALLBACK)
    ident = _first_int(
        item.get("id"), _nested(item, "entity", "id"), _nested(item, "cost_code", "id")
    )
    return SyncError(ident, _reason(item, _SYNC_FALLBACK))


def parse_sync_result(data: object, request_id: str | None) -> SyncResult:
    """200 {"entities": [...], "errors": [...]} (each error carries errors: {field: [msgs]})."""
    if isinstance(data, list):  # tolerate a bare list of updated codes
        return SyncResult(
            tuple(parse_list(data, "updated cost codes", parse_cost_code)),
            (),
            (request_id,) if request_id else (),
        )
    f = Fields(data, "sync answer")
    entities = f.obj.get("entities")
    updated = parse_list(entities, "updated cost codes", parse_cost_code) if entities else []
    raw_errors = f.obj.get("errors")
    if raw_errors is None or raw_errors == []:
        errors: list[SyncError] = []
    elif isinstance(raw_errors, list):
        errors = [_sync_error(item) for item in raw_errors]
    else:
        errors = [_sync_error(raw_errors)]
    return SyncResult(tuple(updated), tuple(errors), (request_id,) if request_id else ())


def merge_sync_results(results: Iterable[SyncResult]) -> SyncResult:
    updated: list[CostCode] = []
    errors: list[SyncError] = []
    request_ids: list[str] = []
    for result in results:
        updated.extend(result.updated)
        errors.extend(result.errors)
        request_ids.extend(result.request_ids)
    return SyncResult(tuple(updated), tuple(errors), tuple(request_ids))


# The manifest's tool and action names are not documented anywhere (docs/procore-api.md, §4):
# what is read here is the Admin tool's access level, by name, compared without case, spaces,
# hyphens or underscores ("Read Only" / "Read-only").
_ADMIN_TOOL_NAMES = frozenset({"admin", "projectadmin"})
_LOWER_LEVELS = frozenset({"none", "readonly", "standard"})
# Granular permissions that may allow cost code changes below Admin ("Manage Segment Items",
# "Manage WBS Codes" on the support site); their action names are unknown, so words are matched.
_COST_CODE_WORDS = ("costcode", "segmentitem", "wbscode")


def _squashed(value: object) -> str:
    return re.sub(r"[\s_\-]+", "", value).lower() if isinstance(value, str) else ""


def _action_words(action: object) -> str:
    """An action object {id, action_name, label, tool_name} (or a bare name) as one word."""
    if isinstance(action, dict):
        return _squashed(action.get("action_name")) + " " + _squashed(action.get("label"))
    return _squashed(action)


def admin_tool(obj: object) -> dict[str, Any] | None:
    """The project Admin tool's entry of a manifest {tools: [{name, friendly_name, ...}]}."""
    tools = obj.get("tools") if isinstance(obj, dict) else None
    if not isinstance(tools, list):
        return None
    for tool in tools:
        if isinstance(tool, dict) and _squashed(tool.get("name")) in _ADMIN_TOOL_NAMES:
            return tool
    for tool in tools:  # the display name only when no tool is named so
        if isinstance(tool, dict) and _squashed(tool.get("friendly_name")) in _ADMIN_TOOL_NAMES:
            return tool
    return None


def parse_admin_permission(obj: object) -> bool | None:
    """Whether a permission manifest lets the user change the project's cost codes.

    True for 'Admin' on the project's Admin tool (user_access_level.name), which the support
    site's permissions matrix requires to add Sage 300 CRE codes and change descriptions. False
    for None, Read Only or Standard without a granted action about cost codes. None, so the
    write itself decides, when the manifest does not say: no Admin tool, an unknown level, or a
    granular action that may or may not be enough.
    """
    tool = admin_tool(obj)
    if tool is None:
        return None
    level = tool.get("user_access_level")
    level_name = _squashed(level.get("name") if isinstance(level, dict) else level)
    if level_name == "admin":
        return True
    actions = tool.get("permitted_actions")
    if isinstance(actions, list) and any(
        word in _action_words(action) for action in actions for word in _COST_CODE_WORDS
    ):
        return None
    return False if level_name in _LOWER_LEVELS else None
