"""Cost types ("line item types" in the API): the sandbox's company sets and their JSON.

A company's cost types are the Sage 300 CRE categories its connector imports. Codes carry the
types assigned to them as `line_item_types` objects, stored as that JSON on the code's row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LINE_ITEM_TYPE_ID_START = 9_000


@dataclass(frozen=True, slots=True)
class CostTypeSpec:
    id: int
    code: str
    name: str
    base_type: str  # one of REF's enum: labor, materials, commitment, equipment, other, ...
    origin_id: str | None


# Sage 300 CRE's usual categories; `base_type` from the API reference's enum.
SAGE_CATEGORIES = (
    ("L", "Labor", "labor"),
    ("M", "Material", "materials"),
    ("S", "Subcontract", "commitment"),
    ("E", "Equipment", "equipment"),
    ("O", "Other", "other"),
)


def type_json(spec: CostTypeSpec) -> dict[str, Any]:
    """One type as the cost code answers and List Line Item Types carry it."""
    return {
        "id": spec.id,
        "name": spec.name,
        "code": spec.code,
        "base_type": spec.base_type,
        "origin_id": spec.origin_id,
        "origin_data": None,
    }


def assigned_json(codes: Sequence[str], types: Mapping[str, CostTypeSpec]) -> str:
    """The column value of a code with these cost types (by code, unknown ones left out)."""
    return json.dumps([type_json(types[code]) for code in codes if code in types])


def assigned(raw: str | None) -> list[Any]:
    """A code row's `line_item_types` (a list; nothing assigned is an empty one)."""
    if not raw:
        return []
    value = json.loads(raw)
    return value if isinstance(value, list) else []
