"""How the cache writes records down: compact JSON, the long code lists compressed.

Plain data only: ids, codes, names and flags as Procore listed them. Nothing here can hold a
token or a secret, because no record type this module writes has a field for one.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from costcode_desktop.costcodes import (
    Comparison,
    CostType,
    DiffStatus,
    ProjectCode,
    StandardCode,
)
from costcode_desktop.procore.jsontext import read_json
from costcode_desktop.procore.records import Project, StandardCostCodeList, SubJob

_COMPACT = {"separators": (",", ":"), "ensure_ascii": False}
_LEVEL = 6  # zlib: a 1,000-code list shrinks to about a sixth; decompressing costs ~0.1 ms


def _dump(value: Any) -> bytes:
    return json.dumps(value, **_COMPACT).encode()  # type: ignore[arg-type]


def packed(value: Any) -> bytes:
    return zlib.compress(_dump(value), _LEVEL)


def unpacked(blob: bytes) -> Any:
    """What `packed` wrote; a ValueError (never zlib.error or RecursionError) if the file was
    damaged, so readers of the cache need catch only that."""
    try:
        text = zlib.decompress(blob)
    except zlib.error as exc:
        raise ValueError(f"a compressed value is damaged ({exc})") from None
    return read_json(text)


# -- projects ------------------------------------------------------------------------------------


def project_row(project: Project) -> list[Any]:
    return [
        project.id,
        project.name,
        project.project_number,
        project.active,
        project.display_name,
        project.standard_cost_code_list_id,
        project.is_erp_integrated,
        project.list_known,
        project.has_origin_id,
    ]


def project_from(row: list[Any]) -> Project:
    pid, name, number, active, display, list_id, erp, list_known, has_origin = row
    return Project(
        int(pid),
        str(name),
        number,
        bool(active),
        display,
        standard_cost_code_list_id=list_id,
        list_known=bool(list_known),
        is_erp_integrated=erp,
        has_origin_id=has_origin,
    )


def projects_blob(projects: Iterable[Project]) -> bytes:
    return packed([project_row(p) for p in projects])


def projects_from(blob: bytes) -> list[Project]:
    return [project_from(row) for row in unpacked(blob)]


def sub_jobs_text(jobs: Iterable[SubJob]) -> str:
    """A project's sub job list: id, code, name and whether the connector owns it (never its
    origin_id, which the record does not hold)."""
    return _dump([[j.id, j.code, j.name, j.erp_managed] for j in jobs]).decode()


def sub_jobs_from(text: str, project_id: int) -> tuple[SubJob, ...]:
    return tuple(
        SubJob(int(sid), int(project_id), str(code), str(name), bool(erp))
        for sid, code, name, erp in read_json(text)
    )


# -- the company list ----------------------------------------------------------------------------


def list_row(item: StandardCostCodeList) -> list[Any]:
    return [
        item.id,
        item.name,
        item.is_erp_list,
        item.available_to_use_on_new_projects,
        item.from_wbs,
        item.codes_count,
    ]


def list_from(row: list[Any]) -> StandardCostCodeList:
    list_id, name, is_erp, available, from_wbs, count = row
    return StandardCostCodeList(
        int(list_id),
        str(name),
        bool(is_erp),
        bool(available),
        from_wbs=bool(from_wbs),
        codes_count=None if count is None else int(count),
    )


def types_row(types: tuple[CostType, ...] | None) -> list[list[str]] | None:
    """Cost types as [[code, name], ...]; None (not known) kept as None."""
    return None if types is None else [[t.code, t.name] for t in types]


def types_from(row: Any) -> tuple[CostType, ...] | None:
    if not isinstance(row, list):
        return None
    return tuple(CostType(str(code), str(name)) for code, name in row)


def standard_rows(codes: Iterable[StandardCode]) -> list[list[Any]]:
    return [
        [c.id, c.full_code, c.code, c.name, c.parent_id, types_row(c.cost_types)] for c in codes
    ]


def standard_from(rows: list[list[Any]]) -> tuple[StandardCode, ...]:
    return tuple(
        StandardCode(cid, full, code, name, parent, types_from(types))
        for cid, full, code, name, parent, types in rows
    )


def fingerprint(list_id: int, rows: list[list[Any]]) -> str:
    """Tells one version of the company list from another (any code, name or parent changed)."""
    import hashlib  # 2 ms (OpenSSL): only when a list is saved, never before the first paint

    return hashlib.sha256(_dump([list_id, rows])).hexdigest()[:32]


# -- a project's codes and its comparison ---------------------------------------------------------


def project_codes_of(comparison: Comparison) -> list[ProjectCode]:
    """The project's own codes, from its comparison: each appears on exactly one row."""
    return [row.project for row in comparison.rows if row.project is not None]


def codes_blob(codes: Iterable[ProjectCode]) -> bytes:
    return packed(
        [
            [
                c.id,
                c.full_code,
                c.code,
                c.name,
                c.parent_id,
                c.standard_id,
                int(c.erp_managed),
                types_row(c.cost_types),
            ]
            for c in codes
        ]
    )


def codes_from(blob: bytes) -> list[ProjectCode]:
    return [
        ProjectCode(cid, full, code, name, parent, standard, bool(erp), types_from(types))
        for cid, full, code, name, parent, standard, erp, types in unpacked(blob)
    ]


def counts_text(comparison: Comparison) -> str:
    counts = {status.value: comparison.count(status) for status in DiffStatus}
    counts["locked"] = comparison.locked_differences
    return json.dumps(counts, separators=(",", ":"))


def counts_from(text: str) -> tuple[dict[DiffStatus, int], int]:
    """(count per status, locked descriptions)."""
    raw: Mapping[str, int] = read_json(text)
    return {status: int(raw.get(status.value, 0)) for status in DiffStatus}, int(
        raw.get("locked", 0)
    )
