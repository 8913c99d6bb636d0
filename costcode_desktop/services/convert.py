"""Map Procore's wire records onto the domain's cost code records."""

from __future__ import annotations

from collections.abc import Iterable

from costcode_desktop.costcodes import CostType, ProjectCode, StandardCode
from costcode_desktop.procore.records import CostCode, LineItemType, StandardCostCode


def cost_types(types: tuple[LineItemType, ...] | None) -> tuple[CostType, ...] | None:
    return None if types is None else tuple(CostType(t.code, t.name) for t in types)


def standard_codes(records: Iterable[StandardCostCode]) -> tuple[StandardCode, ...]:
    return tuple(
        StandardCode(r.id, r.full_code, r.code, r.name, r.parent_id, cost_types(r.line_item_types))
        for r in records
    )


def project_codes(records: Iterable[CostCode]) -> tuple[ProjectCode, ...]:
    return tuple(
        ProjectCode(
            r.id,
            r.full_code,
            r.code,
            r.name,
            r.parent_id,
            r.standard_cost_code_id,
            r.erp_managed,
            cost_types(r.line_item_types),
        )
        for r in records
    )
