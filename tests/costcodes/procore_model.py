"""A small in-memory model of how Procore applies copy and sync calls, for property tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from costcode_desktop.costcodes import ProjectCode, RefreshPlan, StandardCode

_ids = itertools.count(9_000_000_000_000)


def apply_plan(
    standard: Sequence[StandardCode], project: Sequence[ProjectCode], plan: RefreshPlan
) -> list[ProjectCode]:
    """What the project holds after Procore runs the plan's copy and sync calls."""
    by_id = {code.id: code for code in standard}
    requested = set(plan.copy_ids)
    for std_id in plan.copy_ids:
        parent = by_id[std_id].parent_id
        assert parent is None or parent in requested, "copy call breaks the ancestor rule"
    result = list(project)
    for std_id in plan.copy_ids:
        std = by_id[std_id]
        if any(c.standard_id == std_id or c.full_code == std.full_code for c in result):
            continue  # Procore reports a duplicate as a failure and creates nothing
        parent = next(
            (c for c in result if std.parent_id is not None and c.standard_id == std.parent_id),
            None,
        )
        result.append(
            ProjectCode(
                next(_ids),
                std.full_code,
                std.code,
                std.name,
                parent.id if parent else None,
                std.id,
            )
        )
    updates = {u.cost_code_id: u.new_name for u in plan.updates}
    return [
        replace(c, name=updates[c.id]) if c.id in updates and not c.erp_managed else c
        for c in result
    ]
