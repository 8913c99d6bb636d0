"""For any company and project lists, a refresh adds what is missing, removes nothing,
duplicates nothing, and a second refresh changes nothing."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcode_desktop.costcodes import DiffStatus, ProjectCode, StandardCode, compare, plan_refresh

from .procore_model import apply_plan

NAMES = st.sampled_from(["Concrete", "Labor", "Rebar, #4", 'Forms "A"', "Électricité", "", " "])
SEGMENTS = st.sampled_from(["01", "1", "2", "10", "100", "A", "B2", "010"])
DELIMS = st.sampled_from(["-", "-", "-", ".", "/", " ", "_"])


@st.composite
def standard_lists(draw: st.DrawFn) -> list[StandardCode]:
    codes: list[StandardCode] = []
    seen: set[str] = set()
    for _ in range(draw(st.integers(0, 25))):
        parent = draw(st.none() | st.sampled_from(codes)) if codes else None
        segment = draw(SEGMENTS)
        full = segment if parent is None else parent.full_code + draw(DELIMS) + segment
        if full in seen:
            continue
        seen.add(full)
        parent_id = parent.id if parent else None
        codes.append(StandardCode(len(codes) + 1, full, segment, draw(NAMES), parent_id))
    return draw(st.permutations(codes))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[StandardCode], list[ProjectCode]]:
    standard = draw(standard_lists())
    project: list[ProjectCode] = []
    for i, std in enumerate(standard):
        kind = draw(st.sampled_from(["absent", "same", "renamed", "unlinked", "twice"]))
        if kind == "absent":
            continue
        name = draw(NAMES) if kind == "renamed" else std.name
        linked = None if kind == "unlinked" else std.id
        locked = draw(st.booleans())
        project.append(ProjectCode(1000 + i, std.full_code, std.code, name, None, linked, locked))
        if kind == "twice":
            project.append(ProjectCode(5000 + i, std.full_code, std.code, name, None, None))
    for i in range(draw(st.integers(0, 3))):
        project.append(ProjectCode(8000 + i, f"9{i}-77", "77", "Owner item", None, None))
    return standard, draw(st.permutations(project))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_refresh_adds_missing_removes_nothing_duplicates_nothing(
    scenario: tuple[list[StandardCode], list[ProjectCode]],
) -> None:
    standard, project = scenario
    plan = plan_refresh(compare(standard, project))
    after = apply_plan(standard, project, plan)

    assert {c.id for c in project} <= {c.id for c in after}, "a code was removed"
    before_counts = Counter(c.full_code for c in project)
    for full_code, count in Counter(c.full_code for c in after).items():
        assert count <= max(1, before_counts[full_code]), f"{full_code} duplicated"

    result = compare(standard, after)
    assert result.count(DiffStatus.MISSING) == 0
    for row in result.rows_with(DiffStatus.DESCRIPTION_DIFFERS):
        assert row.project is not None
        assert row.standard is not None
        assert row.project.erp_managed or not row.standard.name.strip()
    for row in result.rows_with(DiffStatus.UNSUPPORTED):
        assert row.project is None or row.project in project, "an unsupported code was sent"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_refresh_is_idempotent(scenario: tuple[list[StandardCode], list[ProjectCode]]) -> None:
    standard, project = scenario
    once = apply_plan(standard, project, plan_refresh(compare(standard, project)))
    second_plan = plan_refresh(compare(standard, once))
    assert not second_plan.to_add
    twice = apply_plan(standard, once, second_plan)
    assert twice == once
