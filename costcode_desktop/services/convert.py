"""Map Procore's wire records onto the domain's cost code records."""

from __future__ import annotations

from collections.abc import Iterable

from costcode_desktop.costcodes import ProjectCode, StandardCode
from costcode_desktop.procore.records import CostCode, StandardCostCode


def standard_codes(records: Iterable[StandardCostCode]) -> tuple[StandardCode, ...]:
    return tuple(StandardCode(r.id, r.full_code, r.code, r.name, r.parent_id) for r in records)


def project_codes(records: Iterable[CostCode]) -> tuple[ProjectCode, ...]:
    return tuple(
        ProjectCode(
            r.id, r.full_code, r.code, r.name, r.parent_id, r.standard_cost_code_id, r.erp_managed
        )
        for r in records
    )
