"""Project cost code endpoints: list, show, copy_subset_from_standard_list, sync, update one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .context import Context
from .store import Row
from .views import cost_code_view
from .wire import (
    ApiError,
    Response,
    errors,
    fits_id,
    int_list_param,
    int_param,
    json_response,
    paginate,
)

SYNC_MAX_ITEMS = 1000
LOCKED_MESSAGE = "Cannot be updated: record is managed by an ERP integration"
NOT_FOUND_MESSAGE = "Entity with this ID not found"  # using_sync_actions.md's example
ERP_FIELDS = ("origin_id", "origin_data")
GENERAL_CAP = 2000


class ItemError(Exception):
    """Field errors of one item, in Rails style: {"field": ["message", ...]}."""

    def __init__(self, field_errors: dict[str, list[str]]) -> None:
        super().__init__(str(field_errors))
        self.errors = field_errors


def _is_int(value: object) -> bool:
    """A JSON integer the database can hold (ids of 2**63 or more are refused as not ids)."""
    return isinstance(value, int) and not isinstance(value, bool) and fits_id(value)


def _object_body(ctx: Context) -> dict[str, Any]:
    body = ctx.request.json_body()
    if not isinstance(body, dict):
        raise errors(400, "The request body must be a JSON object")
    return body


def _project_id(ctx: Context, body: Mapping[str, Any] | None = None) -> int:
    project_id = int_param(ctx.request, "project_id")
    if project_id is None and body is not None and body.get("project_id") is not None:
        raw = body["project_id"]
        if not _is_int(raw):
            raise errors(400, "project_id must be an integer")
        project_id = int(raw)
    if project_id is None:
        raise errors(400, "project_id is required")
    return project_id


def _sub_job_id(ctx: Context, project: Row, body: Mapping[str, Any] | None = None) -> int | None:
    """The sub job named by the query or the body: 404 when it is not one of the project's."""
    sub_job = int_param(ctx.request, "sub_job_id")
    if sub_job is None and body is not None and body.get("sub_job_id") is not None:
        if not _is_int(body["sub_job_id"]):
            raise errors(400, "sub_job_id must be an integer")
        sub_job = int(body["sub_job_id"])
    if sub_job is not None:
        row = ctx.store.sub_job(sub_job)
        if row is None or row["project_id"] != project["id"]:
            raise errors(404, f"Sub job {sub_job} not found")
    return sub_job


def code_view(ctx: Context, row: Row, project: Row) -> dict[str, Any]:
    """A code as Procore shows it: the biller is its sub job when it has one."""
    sub_job_id = row["sub_job_id"]
    sub_job = None if sub_job_id is None else ctx.store.sub_job(sub_job_id)
    return cost_code_view(row, project, sub_job)


def _unprocessable(code: str, message: str, fields: str, reason: str) -> ApiError:
    """A 422 in the generic model; `code` here is Procore's short reason, kept in `reason`."""
    text = f"{message}. {reason}." if reason else message
    return errors(422, text, reason=code, fields=fields)


# --- reading -----------------------------------------------------------------------------------


def list_cost_codes(ctx: Context) -> Response:
    request = ctx.request
    project = ctx.visible_project(_project_id(ctx))
    rows = ctx.store.cost_codes(project["id"], _sub_job_id(ctx, project))
    id_filter = int_list_param(request, "filters[id]")
    if id_filter is not None:
        rows = [row for row in rows if row["id"] in id_filter]
    origin_filter = request.param("filters[origin_id]")
    if origin_filter is not None:
        rows = [row for row in rows if row["origin_id"] == origin_filter]
    views = [code_view(ctx, row, project) for row in rows]
    page, headers = paginate(request, views, cap=GENERAL_CAP)
    return json_response(200, page, headers)


def _code_on_project(ctx: Context) -> tuple[Row, Row]:
    code_id = int(ctx.args["id"])
    row = ctx.store.cost_code(code_id)
    project_id = int_param(ctx.request, "project_id")
    if row is None or (project_id is not None and project_id != row["project_id"]):
        raise errors(404, f"Cost code {code_id} not found")
    return row, ctx.visible_project(row["project_id"])


def show_cost_code(ctx: Context) -> Response:
    row, project = _code_on_project(ctx)
    return json_response(200, code_view(ctx, row, project))


# --- copy_subset_from_standard_list ------------------------------------------------------------


def copy_subset(ctx: Context) -> Response:
    body = _object_body(ctx)
    project = ctx.visible_project(_project_id(ctx, body))
    ctx.require_admin(project)
    list_id = body.get("standard_cost_code_list_id")
    if not _is_int(list_id):
        raise errors(400, "standard_cost_code_list_id is required and must be an integer")
    if list_id != project["standard_cost_code_list_id"]:
        raise _unprocessable(
            "invalid_standard_cost_code_list",
            f"Standard cost code list {list_id} is not this project's standard cost code list",
            "standard_cost_code_list_id",
            f"The project uses standard cost code list {project['standard_cost_code_list_id']}",
        )
    raw_ids = body.get("standard_cost_code_ids")
    if not isinstance(raw_ids, list) or not all(_is_int(i) for i in raw_ids):
        raise errors(400, "standard_cost_code_ids must be a list of integer ids")
    if not raw_ids:
        raise _unprocessable(
            "blank",
            "standard_cost_code_ids can't be blank",
            "standard_cost_code_ids",
            "Give at least one standard cost code id",
        )
    sub_job_id = _sub_job_id(ctx, project, body)
    standard = {row["id"]: row for row in ctx.store.standard_codes(list_id)}
    requested = list(dict.fromkeys(raw_ids))
    unknown = [i for i in requested if i not in standard]
    if unknown:
        raise _unprocessable(
            "invalid_standard_cost_code_ids",
            f"Standard cost code ids not found on list {list_id}: "
            + ", ".join(str(i) for i in unknown),
            "standard_cost_code_ids",
            "Every id must belong to the given standard cost code list",
        )
    wanted = set(requested)
    for std_id in requested:
        parent_id = standard[std_id]["parent_id"]
        if parent_id is not None and parent_id not in wanted:
            code, parent = standard[std_id], standard[parent_id]
            raise _unprocessable(
                "missing_ancestors",
                f"Standard cost code {code['full_code']} (id {std_id}) requires its parent "
                f"{parent['full_code']} (id {parent_id}) in standard_cost_code_ids",
                "standard_cost_code_ids",
                "The ids must include the ancestors of every code",
            )

    def depth(std_id: int) -> int:
        level, parent = 0, standard[std_id]["parent_id"]
        while parent is not None:
            level, parent = level + 1, standard[parent]["parent_id"]
        return level

    created: list[int] = []
    duplicates: list[int] = []
    now = ctx.now()
    with ctx.store.transaction():
        existing = ctx.store.cost_codes(project["id"], sub_job_id)
        by_std = {
            r["standard_cost_code_id"]: r["id"] for r in existing if r["standard_cost_code_id"]
        }
        by_full = {r["full_code"]: r["id"] for r in existing}
        for std_id in sorted(requested, key=depth):
            std = standard[std_id]
            existing_id = by_std.get(std_id) or by_full.get(std["full_code"])
            if existing_id is not None:
                # The spec's 207: failures are "biller-created duplicates of Standard Cost Codes",
                # cost codes like the successes (Post207Response), not error objects.
                duplicates.append(existing_id)
                continue
            parent_id = None
            if std["parent_id"] is not None:
                parent_full = standard[std["parent_id"]]["full_code"]
                parent_id = by_std.get(std["parent_id"]) or by_full.get(parent_full)
            new_id = ctx.store.insert_cost_code(
                project_id=project["id"],
                sub_job_id=sub_job_id,
                parent_id=parent_id,
                code=std["code"],
                full_code=std["full_code"],
                name=std["name"],
                standard_cost_code_id=std_id,
                now=now,
            )
            by_std[std_id] = new_id
            by_full[std["full_code"]] = new_id
            created.append(new_id)
    successes = [_view(ctx, code_id, project) for code_id in created]
    failures = [_view(ctx, code_id, project) for code_id in dict.fromkeys(duplicates)]
    return json_response(
        201 if not failures else 207, {"successes": successes, "failures": failures}
    )


def _view(ctx: Context, code_id: int, project: Row) -> dict[str, Any]:
    row = ctx.store.cost_code(code_id)
    assert row is not None
    return code_view(ctx, row, project)


# --- updates -----------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _refuse_erp_fields(attrs: Mapping[str, Any]) -> None:
    forbidden = [key for key in ERP_FIELDS if key in attrs]
    if forbidden:
        raise ItemError({key: ["is managed by the ERP integration"] for key in forbidden})


def _taken(
    ctx: Context, row_project: int, sub_job: int | None, full_code: str, own: int | None
) -> bool:
    return any(
        r["full_code"] == full_code and r["id"] != own
        for r in ctx.store.cost_codes(row_project, sub_job)
    )


def apply_update(ctx: Context, row: Row, attrs: Mapping[str, Any]) -> None:
    """Update name (and code) of an existing project code; raises ItemError."""
    _refuse_erp_fields(attrs)
    if row["origin_id"] is not None:
        raise ItemError({"base": [LOCKED_MESSAGE]})
    name = attrs.get("name")
    if "name" in attrs and _blank(name):
        raise ItemError({"name": ["can't be blank"]})
    new_code = attrs.get("code")
    full_code = None
    if "code" in attrs:
        if _blank(new_code):
            raise ItemError({"code": ["can't be blank"]})
        assert isinstance(new_code, str)
        full_code = _full_code_for(ctx, row, new_code)
        if full_code != row["full_code"] and _taken(
            ctx, row["project_id"], row["sub_job_id"], full_code, row["id"]
        ):
            raise ItemError({"code": ["has already been taken"]})
    now = ctx.now()
    ctx.store.update_cost_code(
        row["id"],
        now=now,
        name=name if isinstance(name, str) else None,
        code=new_code if full_code is not None else None,
        full_code=full_code,
    )
    if full_code is not None and full_code != row["full_code"]:
        _rename_descendants(ctx, row, row["full_code"], full_code, now)


def _full_code_for(ctx: Context, row: Row, code: str) -> str:
    if row["parent_id"] is None:
        return code
    parent = ctx.store.cost_code(row["parent_id"])
    if parent is None:
        return code
    old = row["full_code"]
    prefix = parent["full_code"]
    delimiter = old[len(prefix)] if len(old) > len(prefix) and old.startswith(prefix) else "-"
    return f"{prefix}{delimiter}{code}"


def _rename_descendants(ctx: Context, row: Row, old: str, new: str, now: float) -> None:
    siblings = ctx.store.cost_codes(row["project_id"], row["sub_job_id"])
    children: dict[int, list[Row]] = {}
    for r in siblings:
        if r["parent_id"] is not None:
            children.setdefault(r["parent_id"], []).append(r)
    stack = list(children.get(row["id"], []))
    while stack:
        child = stack.pop()
        if child["full_code"].startswith(old):
            renamed = new + child["full_code"][len(old) :]
            ctx.store.update_cost_code(child["id"], now=now, full_code=renamed)
        stack.extend(children.get(child["id"], []))


def _create(ctx: Context, project: Row, sub_job: int | None, attrs: Mapping[str, Any]) -> int:
    _refuse_erp_fields(attrs)
    problems: dict[str, list[str]] = {}
    code, name = attrs.get("code"), attrs.get("name")
    if _blank(code):
        problems["code"] = ["can't be blank"]
    if _blank(name):
        problems["name"] = ["can't be blank"]
    parent = None
    if attrs.get("parent_id") is not None:
        raw_parent = attrs["parent_id"]
        parent = ctx.store.cost_code(raw_parent) if _is_int(raw_parent) else None
        if parent is None or parent["project_id"] != project["id"]:
            problems["parent_id"] = ["not found"]
    std_id = attrs.get("standard_cost_code_id")
    if std_id is not None:
        std_codes = ctx.store.standard_codes(project["standard_cost_code_list_id"] or 0)
        if not _is_int(std_id) or std_id not in {r["id"] for r in std_codes}:
            problems["standard_cost_code_id"] = ["not found on the project's standard list"]
    if problems:
        raise ItemError(problems)
    assert isinstance(code, str)
    assert isinstance(name, str)
    full_code = f"{parent['full_code']}-{code}" if parent is not None else code
    if _taken(ctx, project["id"], sub_job, full_code, None):
        raise ItemError({"code": ["has already been taken"]})
    return ctx.store.insert_cost_code(
        project_id=project["id"],
        sub_job_id=sub_job,
        parent_id=parent["id"] if parent is not None else None,
        code=code,
        full_code=full_code,
        name=name,
        standard_cost_code_id=std_id,
        now=ctx.now(),
    )


def _sync_item(ctx: Context, project: Row, sub_job: int | None, item: object) -> int:
    if not isinstance(item, Mapping):
        raise ItemError({"base": ["must be an object"]})
    if item.get("id") is None:
        return _create(ctx, project, sub_job, item)
    code_id = item["id"]
    row = ctx.store.cost_code(code_id) if _is_int(code_id) else None
    # A code of another biller (the project's list or another sub job's) is not found here.
    if row is None or row["project_id"] != project["id"] or row["sub_job_id"] != sub_job:
        _refuse_erp_fields(item)
        raise ItemError({"id": [NOT_FOUND_MESSAGE]})
    apply_update(ctx, row, item)
    return int(code_id)


def sync(ctx: Context) -> Response:
    body = _object_body(ctx)
    updates = body.get("updates")
    if not isinstance(updates, list):
        raise errors(400, "updates is required and must be a list")
    if len(updates) > SYNC_MAX_ITEMS:
        # using_sync_actions.md: "a maximum of 1000 resources ... with each call"; what this
        # endpoint answers above it is not documented. 413, as the spec has for
        # standard_cost_codes/sync and the line-item syncs.
        raise errors(
            413,
            f"Too many updates: at most {SYNC_MAX_ITEMS} items per request ({len(updates)})",
            reason="payload_too_large",
            fields="updates",
        )
    project = ctx.visible_project(_project_id(ctx, body))
    ctx.require_admin(project)
    sub_job = _sub_job_id(ctx, project, body)
    done: list[int] = []
    failed: list[dict[str, Any]] = []
    with ctx.store.transaction():
        for item in updates:
            try:
                done.append(_sync_item(ctx, project, sub_job, item))
            except ItemError as exc:
                # using_sync_actions.md: "the attributes supplied by the caller are present in
                # the errors list, along with an additional errors attribute".
                echo = dict(item) if isinstance(item, Mapping) else {}
                failed.append({**echo, "errors": exc.errors})
    entities = [_view(ctx, code_id, project) for code_id in dict.fromkeys(done)]
    return json_response(200, {"entities": entities, "errors": failed})


def update_cost_code(ctx: Context) -> Response:
    """PATCH one code as the spec has it (Body98): project_id in the body, and cost_code with
    `code` and `name` both required (CostCode1)."""
    body = _object_body(ctx)
    project_id = body.get("project_id")
    if not _is_int(project_id):
        raise errors(
            400,
            "project_id is required in the body",
            reason="missing_parameter",
            fields="project_id",
        )
    row = ctx.store.cost_code(int(ctx.args["id"]))
    if row is None or row["project_id"] != project_id:
        raise errors(404, f"Cost code {ctx.args['id']} not found", reason="not_found")
    project = ctx.visible_project(row["project_id"])
    ctx.require_admin(project)
    attrs = body.get("cost_code")
    if not isinstance(attrs, Mapping):
        raise errors(400, "cost_code is required and must be an object", fields="cost_code")
    missing = [key for key in ("code", "name") if key not in attrs]
    if missing:
        raise errors(
            400,
            f"cost_code is missing {' and '.join(missing)}",
            reason="missing_parameter",
            fields=", ".join(missing),
        )
    if "parent_id" in attrs and attrs["parent_id"] != row["parent_id"]:
        raise _unprocessable(
            "unsupported",
            "The sandbox does not move cost codes to another parent",
            "parent_id",
            "Send the code's current parent_id",
        )
    try:
        with ctx.store.transaction():
            apply_update(ctx, row, attrs)
    except ItemError as exc:
        raise _unprocessable(
            "invalid",
            _sentence(exc.errors),
            ", ".join(exc.errors),
            "",
        ) from None
    return json_response(200, _view(ctx, row["id"], project))


def _sentence(field_errors: Mapping[str, list[str]]) -> str:
    """{"base": ["Locked"], "name": ["can't be blank"]} -> "Locked; name can't be blank"."""
    parts = [
        message if key == "base" else f"{key} {message}"
        for key, messages in field_errors.items()
        for message in messages
    ]
    return "; ".join(parts)
