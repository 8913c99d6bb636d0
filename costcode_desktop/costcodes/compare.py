"""Align the company list with a project's list and classify every code."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .codes import NaturalKey, ProjectCode, StandardCode, code_problem, natural_key


class DiffStatus(enum.Enum):
    IN_SYNC = "in_sync"
    MISSING = "missing"  # on the company list, not on the project
    DESCRIPTION_DIFFERS = "description_differs"
    ONLY_ON_PROJECT = "only_on_project"
    UNSUPPORTED = "unsupported"  # cannot be sent: bad delimiter, malformed, or under such a code

    @property
    def needs_refresh(self) -> bool:
        return self in (DiffStatus.MISSING, DiffStatus.DESCRIPTION_DIFFERS)


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    status: DiffStatus
    standard: StandardCode | None
    project: ProjectCode | None
    depth: int  # 0 for a division, 1 for a code under it, ...
    note: str = ""  # why a code is unsupported
    sort_key: NaturalKey = field(default=(), compare=False, repr=False)

    @property
    def full_code(self) -> str:
        side = self.standard if self.standard is not None else self.project
        assert side is not None
        return side.full_code


@dataclass(frozen=True)
class Comparison:
    rows: tuple[ComparisonRow, ...]
    counts: Mapping[DiffStatus, int]
    standard_by_id: Mapping[int, StandardCode] = field(repr=False)

    def count(self, status: DiffStatus) -> int:
        return self.counts.get(status, 0)

    @property
    def differences(self) -> int:
        """Codes a refresh would add or update."""
        return self.count(DiffStatus.MISSING) + self.count(DiffStatus.DESCRIPTION_DIFFERS)

    @property
    def in_sync(self) -> bool:
        return self.differences == 0

    def rows_with(self, status: DiffStatus) -> list[ComparisonRow]:
        return [row for row in self.rows if row.status is status]


def compare(standard: Sequence[StandardCode], project: Sequence[ProjectCode]) -> Comparison:
    """Compare, joining on standard_cost_code_id and falling back to full_code."""
    standard_by_id = {code.id: code for code in standard}
    matched = _match(standard, project, standard_by_id)
    matched_ids = {id(code) for code in matched.values()}
    problems = _unsupported_reasons(standard_by_id)
    standard_depth = _depths(standard_by_id)

    rows: list[ComparisonRow] = []
    for code in standard:
        on_project = matched.get(code.id)
        reason = problems.get(code.id)
        if reason is not None and (on_project is None or code_problem(code.full_code)):
            status = DiffStatus.UNSUPPORTED
        elif on_project is None:
            status = DiffStatus.MISSING
        elif on_project.name != code.name:
            status = DiffStatus.DESCRIPTION_DIFFERS
        else:
            status = DiffStatus.IN_SYNC
        rows.append(
            ComparisonRow(
                status,
                code,
                on_project,
                standard_depth[code.id],
                reason or "" if status is DiffStatus.UNSUPPORTED else "",
                natural_key(code.full_code),
            )
        )

    extra = [code for code in project if id(code) not in matched_ids]
    project_depth = _depths({code.id: code for code in project})
    for own in extra:
        rows.append(
            ComparisonRow(
                DiffStatus.ONLY_ON_PROJECT,
                None,
                own,
                project_depth[own.id],
                "",
                natural_key(own.full_code),
            )
        )

    rows.sort(key=lambda row: (row.sort_key, row.full_code, row.standard is None))
    counts = Counter(row.status for row in rows)
    return Comparison(tuple(rows), dict(counts), standard_by_id)


def _match(
    standard: Sequence[StandardCode],
    project: Sequence[ProjectCode],
    standard_by_id: Mapping[int, StandardCode],
) -> dict[int, ProjectCode]:
    """Standard id -> the project code that carries it; each side used at most once."""
    matched: dict[int, ProjectCode] = {}
    leftovers: list[ProjectCode] = []
    for code in project:
        std_id = code.standard_id
        if std_id is not None and std_id in standard_by_id and std_id not in matched:
            matched[std_id] = code
        else:
            leftovers.append(code)
    by_full_code: dict[str, int] = {}
    for std in standard:
        by_full_code.setdefault(std.full_code, std.id)
    for code in leftovers:
        std_id = by_full_code.get(code.full_code)
        if std_id is not None and std_id not in matched:
            matched[std_id] = code
    return matched


def _unsupported_reasons(standard_by_id: Mapping[int, StandardCode]) -> dict[int, str]:
    """Codes that cannot be copied: invalid themselves, or under an invalid or absent parent."""
    reasons: dict[int, str | None] = {}
    for start in standard_by_id:
        path: list[StandardCode] = []
        current: StandardCode | None = standard_by_id[start]
        above: str | None = None  # the reason inherited by the top of `path`
        while current is not None and current.id not in reasons:
            own = code_problem(current.full_code)
            if own is not None:
                reasons[current.id] = own
                above = _under(current, own)
                break
            if current in path:
                above = "Its parents on the company list form a loop."
                break
            path.append(current)
            if current.parent_id is None:
                break
            parent = standard_by_id.get(current.parent_id)
            if parent is None:
                above = "Its parent code is missing from the company list."
            current = parent
        else:
            if current is not None:
                inherited = reasons[current.id]
                above = None if inherited is None else _under(current, inherited)
        for code in reversed(path):
            reasons[code.id] = above
    return {key: value for key, value in reasons.items() if value is not None}


def _under(parent: StandardCode, reason: str) -> str:
    if reason.startswith("It is under"):
        return reason
    return f"It is under '{parent.full_code}', which cannot be sent. {reason}"


def _depths(by_id: Mapping[int, StandardCode] | Mapping[int, ProjectCode]) -> dict[int, int]:
    depths: dict[int, int] = {}
    for start in by_id:
        path: list[int] = []
        current: int | None = start
        while current is not None and current in by_id and current not in depths:
            if current in path:
                break
            path.append(current)
            current = by_id[current].parent_id
        base = depths.get(current, -1) if current is not None else -1
        for offset, code_id in enumerate(reversed(path), start=1):
            depths[code_id] = base + offset
    return depths
