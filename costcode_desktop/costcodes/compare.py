"""Align the company list with a project's list and classify every code."""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .codes import ProjectCode, StandardCode, natural_key
from .connectors import SAGE_300, Connector, list_problems


class DiffStatus(enum.Enum):
    IN_SYNC = "in_sync"
    MISSING = "missing"  # on the company list, not on the project
    DESCRIPTION_DIFFERS = "description_differs"
    ONLY_ON_PROJECT = "only_on_project"
    # Cannot be sent (bad delimiter, malformed, or under such a code), and the project lacks it
    # or has another description: a refresh leaves it. One the project already has as it is is
    # IN_SYNC (nothing needs sending), with the reason in `note`.
    UNSUPPORTED = "unsupported"

    @property
    def needs_refresh(self) -> bool:
        return self in (DiffStatus.MISSING, DiffStatus.DESCRIPTION_DIFFERS)


class ComparisonRow(NamedTuple):
    """One aligned line: a company code, the project code that carries it, or both."""

    status: DiffStatus
    standard: StandardCode | None
    project: ProjectCode | None
    depth: int  # 0 for a division, 1 for a code under it, ...
    note: str = ""  # why a code is unsupported (also on an in-sync row: the project has it)

    @property
    def locked(self) -> bool:
        """A description that differs on a record the ERP connector owns: a refresh leaves it."""
        return (
            self.status is DiffStatus.DESCRIPTION_DIFFERS
            and self.project is not None
            and self.project.erp_managed
        )

    @property
    def full_code(self) -> str:
        side = self.standard if self.standard is not None else self.project
        assert side is not None
        return side.full_code


class CompanyCodes:
    """The company list with what every comparison needs worked out once.

    A company list is compared with hundreds of projects: keys, depths and validity are
    properties of the list alone, so they are not recomputed per project. Validity is the
    ERP connector's (Sage 300 CRE unless told: the connector this app started with).
    """

    def __init__(self, codes: Sequence[StandardCode], connector: Connector = SAGE_300) -> None:
        self.codes = tuple(codes)
        self.connector = connector
        self.by_id = {code.id: code for code in self.codes}
        self.by_full_code: dict[str, int] = {}
        for code in self.codes:
            self.by_full_code.setdefault(code.full_code, code.id)
        self.own_problem = list_problems(self.codes, connector)
        keyed = sorted(
            ((natural_key(code.full_code), code.full_code), index)
            for index, code in enumerate(self.codes)
        )
        self.sorted_codes = [self.codes[index] for _, index in keyed]
        self.order = [key for key, _ in keyed]  # (natural key, full code), for bisect
        self.depth, self.unsupported = _walk_tree(self.sorted_codes, self.by_id, self.own_problem)

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class Comparison:
    rows: tuple[ComparisonRow, ...]
    counts: Mapping[DiffStatus, int]
    standard_by_id: Mapping[int, StandardCode] = field(repr=False)
    # Descriptions that differ on records the ERP connector owns (origin_id set): Sage keeps a
    # job's own description there, so a refresh leaves them and they are not out of date.
    locked_differences: int = 0
    connector: Connector = SAGE_300  # whose rules made codes unsupported

    def count(self, status: DiffStatus) -> int:
        return self.counts.get(status, 0)

    def count_unlocked(self, status: DiffStatus) -> int:
        """As `count`, less the locked descriptions: what a person sees as a difference to fix,
        so that missing + differs add up to `differences`."""
        locked = self.locked_differences if status is DiffStatus.DESCRIPTION_DIFFERS else 0
        return self.count(status) - locked

    @property
    def differences(self) -> int:
        """Codes a refresh would add or update."""
        return (
            self.count(DiffStatus.MISSING)
            + self.count(DiffStatus.DESCRIPTION_DIFFERS)
            - self.locked_differences
        )

    @property
    def in_sync(self) -> bool:
        return self.differences == 0

    def rows_with(self, status: DiffStatus) -> list[ComparisonRow]:
        return [row for row in self.rows if row.status is status]

    def without_cost_type(self) -> list[ProjectCode]:
        """The project's codes known to have no cost type (Sage cannot take them until one is
        assigned in Procore), in the comparison's order."""
        return [
            row.project
            for row in self.rows
            if row.project is not None and row.project.cost_types == ()
        ]


def compare(
    standard: CompanyCodes | Sequence[StandardCode], project: Sequence[ProjectCode]
) -> Comparison:
    """Compare, joining on standard_cost_code_id and falling back to full_code."""
    company = standard if isinstance(standard, CompanyCodes) else CompanyCodes(standard)
    matched, extra = _match(company, project)
    unsupported, own_problem, depth = company.unsupported, company.own_problem, company.depth
    missing, differs, in_sync = (
        DiffStatus.MISSING,
        DiffStatus.DESCRIPTION_DIFFERS,
        DiffStatus.IN_SYNC,
    )
    n_missing = n_differs = n_in_sync = n_unsupported = n_locked = 0

    rows: list[ComparisonRow] = []
    append = rows.append
    for code in company.sorted_codes:  # already in natural order
        on_project = matched.get(code.id)
        reason = unsupported.get(code.id)
        if reason is not None and (
            on_project is None or (code.id in own_problem and on_project.name != code.name)
        ):
            append(ComparisonRow(DiffStatus.UNSUPPORTED, code, on_project, depth[code.id], reason))
            n_unsupported += 1
        elif on_project is None:
            append(ComparisonRow(missing, code, None, depth[code.id]))
            n_missing += 1
        elif on_project.name != code.name:
            append(ComparisonRow(differs, code, on_project, depth[code.id]))
            n_differs += 1
            n_locked += on_project.erp_managed
        else:  # an unsupported code the project already has is fine: nothing needs sending
            append(ComparisonRow(in_sync, code, on_project, depth[code.id], reason or ""))
            n_in_sync += 1

    if extra:
        rows = _merge_extra(company, rows, project, extra)
    counts = {
        in_sync: n_in_sync,
        missing: n_missing,
        differs: n_differs,
        DiffStatus.ONLY_ON_PROJECT: len(extra),
        DiffStatus.UNSUPPORTED: n_unsupported,
    }
    return Comparison(tuple(rows), counts, company.by_id, n_locked, company.connector)


def _merge_extra(
    company: CompanyCodes,
    rows: list[ComparisonRow],
    project: Sequence[ProjectCode],
    extra: Sequence[ProjectCode],
) -> list[ComparisonRow]:
    """Slot the project-only codes into the company rows; on a tie the company code goes first."""
    depth = _project_depths(project, extra)
    placed = sorted(
        (bisect_right(company.order, (natural_key(own.full_code), own.full_code)), index, own)
        for index, own in enumerate(extra)
    )
    merged: list[ComparisonRow] = []
    start = 0
    for position, _index, own in placed:
        merged.extend(rows[start:position])
        merged.append(ComparisonRow(DiffStatus.ONLY_ON_PROJECT, None, own, depth[own.id]))
        start = position
    merged.extend(rows[start:])
    return merged


def _match(
    company: CompanyCodes, project: Sequence[ProjectCode]
) -> tuple[dict[int, ProjectCode], list[ProjectCode]]:
    """Standard id -> the project code carrying it (each used once), and the codes left over."""
    matched: dict[int, ProjectCode] = {}
    leftovers: list[ProjectCode] = []
    by_id = company.by_id
    for code in project:
        std_id = code.standard_id
        if std_id is not None and std_id in by_id and std_id not in matched:
            matched[std_id] = code
        else:
            leftovers.append(code)
    extra: list[ProjectCode] = []
    for code in leftovers:
        fallback = company.by_full_code.get(code.full_code)
        if fallback is not None and fallback not in matched:
            matched[fallback] = code
        else:
            extra.append(code)
    return matched, extra


def _walk_tree(
    codes: Sequence[StandardCode], by_id: Mapping[int, StandardCode], own_problem: Mapping[int, str]
) -> tuple[dict[int, int], dict[int, str]]:
    """Depth of every code, and why a code cannot be copied (its own problem, or its parent's).

    Visiting in natural order finds most parents already resolved, so this is one pass.
    """
    depth: dict[int, int] = {}
    reason: dict[int, str | None] = {}
    for code in codes:
        if code.id in depth:
            continue
        path = [code]
        while True:
            parent_id = path[-1].parent_id
            parent = by_id.get(parent_id) if parent_id is not None else None
            if parent_id is None:
                base, inherited = -1, None
            elif parent is None:
                base, inherited = -1, "Its parent code is missing from the company list."
            elif parent.id in depth:
                base, inherited = depth[parent.id], _passed_down(parent, reason[parent.id])
            elif parent in path:
                base, inherited = -1, "Its parents on the company list form a loop."
            else:
                path.append(parent)
                continue
            break
        for offset, item in enumerate(reversed(path), start=1):
            depth[item.id] = base + offset
            reason[item.id] = own_problem.get(item.id) or inherited
            inherited = _passed_down(item, reason[item.id])
    return depth, {key: value for key, value in reason.items() if value is not None}


def _passed_down(parent: StandardCode, reason: str | None) -> str | None:
    """What a parent's problem means for its children."""
    if reason is None or reason.startswith("It is under"):
        return reason
    return f"It is under '{parent.full_code}', which cannot be sent. {reason}"


def _project_depths(project: Sequence[ProjectCode], extra: Sequence[ProjectCode]) -> dict[int, int]:
    by_id = {code.id: code for code in project}
    depths: dict[int, int] = {}
    for code in extra:
        _depth_of(code.id, by_id, depths)
    return depths


def _depth_of(
    start: int,
    by_id: Mapping[int, StandardCode] | Mapping[int, ProjectCode],
    depths: dict[int, int],
) -> None:
    path: list[int] = []
    current: int | None = start
    while current is not None and current in by_id and current not in depths:
        if current in path:  # a parent loop in bad data: stop climbing
            break
        path.append(current)
        current = by_id[current].parent_id
    base = depths.get(current, -1) if current is not None else -1
    for offset, code_id in enumerate(reversed(path), start=1):
        depths[code_id] = base + offset
