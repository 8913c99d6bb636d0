"""Turn a comparison into the writes that bring a project in line, without deleting anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .codes import StandardCode
from .compare import Comparison, DiffStatus
from .connectors import Connector

SYNC_BATCH_LIMIT = 1000  # Procore's cost_codes/sync takes at most this many items


def locked_reason(connector: Connector) -> str:
    """Why a description the ERP connector owns is left as it is."""
    return (
        f"Locked by {connector.connector_words}: this description comes from "
        f"{connector.system} and can only be changed there."
    )


NO_DESCRIPTION_REASON = "The company list has no description for this code."


@dataclass(frozen=True, slots=True)
class NameUpdate:
    cost_code_id: int
    full_code: str
    old_name: str
    new_name: str
    # The project code's own segment and parent: Procore's update of one code wants `code` with
    # the name, and may move a code sent without its parent to the root.
    code: str = ""
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class SkippedCode:
    full_code: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class RefreshPlan:
    to_add: tuple[StandardCode, ...]  # missing codes, parents first
    copy_ids: tuple[int, ...]  # to_add plus every ancestor (Procore's copy rule), parents first
    updates: tuple[NameUpdate, ...]
    skipped: tuple[SkippedCode, ...]

    @property
    def is_empty(self) -> bool:
        return not self.to_add and not self.updates

    def update_batches(self, size: int = SYNC_BATCH_LIMIT) -> list[tuple[NameUpdate, ...]]:
        return [self.updates[i : i + size] for i in range(0, len(self.updates), size)]


def plan_refresh(comparison: Comparison) -> RefreshPlan:
    """Add missing codes (with ancestors), update drifted descriptions, skip what cannot go."""
    to_add: list[StandardCode] = []
    updates: list[NameUpdate] = []
    skipped: list[SkippedCode] = []
    for row in comparison.rows:
        standard = row.standard
        if standard is None:
            continue
        if row.status is DiffStatus.MISSING:
            to_add.append(standard)
        elif row.status is DiffStatus.DESCRIPTION_DIFFERS:
            assert row.project is not None
            if row.project.erp_managed:
                locked = locked_reason(comparison.connector)
                skipped.append(SkippedCode(standard.full_code, row.project.name, locked))
                continue
            if not standard.name.strip():
                skipped.append(
                    SkippedCode(standard.full_code, row.project.name, NO_DESCRIPTION_REASON)
                )
                continue
            updates.append(
                NameUpdate(
                    row.project.id,
                    standard.full_code,
                    row.project.name,
                    standard.name,
                    row.project.code,
                    row.project.parent_id,
                )
            )
        elif row.status is DiffStatus.UNSUPPORTED:  # not on the project, or described otherwise
            skipped.append(SkippedCode(standard.full_code, standard.name, row.note))
    copy_ids = _with_ancestors(to_add, comparison.standard_by_id)
    return RefreshPlan(tuple(to_add), copy_ids, tuple(updates), tuple(skipped))


def _with_ancestors(
    codes: list[StandardCode], standard_by_id: Mapping[int, StandardCode]
) -> tuple[int, ...]:
    ordered: list[int] = []
    seen: set[int] = set()
    for code in codes:
        chain: list[int] = []
        current: StandardCode | None = code
        while current is not None and current.id not in seen:
            chain.append(current.id)
            seen.add(current.id)
            current = standard_by_id.get(current.parent_id) if current.parent_id else None
        ordered.extend(reversed(chain))
    return tuple(ordered)
