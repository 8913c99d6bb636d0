from __future__ import annotations

from costcode_desktop.costcodes import DiffStatus, ProjectCode, StandardCode, compare, plan_refresh

DIV = StandardCode(1, "01", "01", "General Requirements", None)
PM = StandardCode(2, "01-100", "100", "Project Manager", 1)
SUPER = StandardCode(3, "01-200", "200", "Superintendent", 1)
DIV2 = StandardCode(4, "2", "2", "Site Work", None)
DIV10 = StandardCode(5, "10", "10", "Specialties", None)
BAD = StandardCode(6, "02 410", "410", "Paving", 4)
UNDER_BAD = StandardCode(7, "02 410-1", "1", "Paving patch", 6)
STANDARD = [DIV10, SUPER, PM, DIV, DIV2, BAD, UNDER_BAD]


def project_code(std: StandardCode, code_id: int, name: str | None = None) -> ProjectCode:
    return ProjectCode(code_id, std.full_code, std.code, name or std.name, None, std.id)


def test_rows_are_aligned_in_natural_order_with_a_status_each() -> None:
    project = [
        project_code(DIV, 101),
        project_code(PM, 102, "Project Manager - J. Smith"),
        ProjectCode(103, "01-900", "900", "Owner Allowance", 101, None),
        project_code(DIV10, 104),
    ]
    result = compare(STANDARD, project)
    got = [(row.full_code, row.status, row.depth) for row in result.rows]
    assert got == [
        ("01", DiffStatus.IN_SYNC, 0),
        ("01-100", DiffStatus.DESCRIPTION_DIFFERS, 1),
        ("01-200", DiffStatus.MISSING, 1),
        ("01-900", DiffStatus.ONLY_ON_PROJECT, 1),
        ("2", DiffStatus.MISSING, 0),
        ("02 410", DiffStatus.UNSUPPORTED, 1),
        ("02 410-1", DiffStatus.UNSUPPORTED, 2),
        ("10", DiffStatus.IN_SYNC, 0),
    ]
    assert result.count(DiffStatus.MISSING) == 2
    assert result.differences == 3
    assert not result.in_sync
    assert "space" in result.rows[5].note
    assert "space" in result.rows[6].note


def test_codes_under_an_unsupported_or_absent_parent_cannot_be_copied() -> None:
    odd = StandardCode(20, "09", "09", "Finishes", None)
    bad_parent = StandardCode(21, "09-900", "900", "Painting", 20)
    child = StandardCode(22, "09-900-1", "1", "Interior paint", 21)
    orphan = StandardCode(23, "11-100", "100", "Equipment", 99)
    hacked = StandardCode(20, "09:", "09:", "Finishes", None)
    result = compare([hacked, bad_parent, child, orphan], [])
    notes = {row.full_code: (row.status, row.note) for row in result.rows}
    assert notes["09-900-1"][0] is DiffStatus.UNSUPPORTED
    assert "under '09:'" in notes["09-900-1"][1]
    assert notes["11-100"] == (
        DiffStatus.UNSUPPORTED,
        "Its parent code is missing from the company list.",
    )
    assert compare([odd, bad_parent, child], []).count(DiffStatus.MISSING) == 3


def test_unlinked_project_code_with_the_same_full_code_counts_as_present() -> None:
    unlinked = ProjectCode(201, "01-100", "100", "Project Manager", None, None)
    result = compare([DIV, PM], [project_code(DIV, 200), unlinked])
    assert [row.status for row in result.rows] == [DiffStatus.IN_SYNC, DiffStatus.IN_SYNC]


def test_link_by_standard_id_wins_over_full_code() -> None:
    renumbered = ProjectCode(300, "01-150", "150", "Project Manager", None, PM.id)
    result = compare([DIV, PM], [project_code(DIV, 301), renumbered])
    row = next(r for r in result.rows if r.standard == PM)
    assert row.project == renumbered
    assert result.count(DiffStatus.ONLY_ON_PROJECT) == 0


def test_duplicate_project_codes_show_the_second_as_only_on_project() -> None:
    result = compare([DIV], [project_code(DIV, 400), project_code(DIV, 401)])
    assert sorted(row.status.value for row in result.rows) == ["in_sync", "only_on_project"]


def test_plan_copies_missing_codes_with_ancestors_parents_first() -> None:
    result = compare(STANDARD, [project_code(DIV10, 500)])
    plan = plan_refresh(result)
    assert [code.full_code for code in plan.to_add] == ["01", "01-100", "01-200", "2"]
    assert plan.copy_ids == (DIV.id, PM.id, SUPER.id, DIV2.id)
    assert [s.full_code for s in plan.skipped] == ["02 410", "02 410-1"]
    assert not plan.updates


def test_plan_includes_ancestors_already_on_the_project() -> None:
    result = compare(STANDARD, [project_code(DIV, 600)])
    plan = plan_refresh(result)
    assert DIV.id in plan.copy_ids
    assert plan.copy_ids.index(DIV.id) < plan.copy_ids.index(PM.id)
    assert DIV not in plan.to_add


def test_plan_updates_descriptions_and_never_touches_project_only_codes() -> None:
    project = [
        project_code(DIV, 700, "General Reqs"),
        ProjectCode(701, "01-900", "900", "Owner Allowance", 700, None),
    ]
    plan = plan_refresh(compare([DIV], project))
    assert [(u.cost_code_id, u.old_name, u.new_name) for u in plan.updates] == [
        (700, "General Reqs", "General Requirements")
    ]
    assert not plan.to_add


def test_in_sync_project_gives_an_empty_plan() -> None:
    project = [project_code(code, 800 + i) for i, code in enumerate(STANDARD[:5])]
    plan = plan_refresh(compare(STANDARD[:5], project))
    assert plan.is_empty


def test_update_batches_respect_the_sync_limit() -> None:
    standard = [StandardCode(i, f"{i:05d}", f"{i:05d}", f"Code {i}", None) for i in range(2500)]
    project = [ProjectCode(10_000 + s.id, s.full_code, s.code, "old", None, s.id) for s in standard]
    batches = plan_refresh(compare(standard, project)).update_batches()
    assert [len(b) for b in batches] == [1000, 1000, 500]


def test_locked_descriptions_are_counted_apart_so_the_kinds_add_up() -> None:
    project = [
        project_code(DIV, 900, "General Reqs"),  # edited on the project: a refresh puts it back
        ProjectCode(901, PM.full_code, PM.code, "PM - J. Smith", 900, PM.id, erp_managed=True),
    ]
    result = compare([DIV, PM, SUPER], project)
    assert result.count(DiffStatus.DESCRIPTION_DIFFERS) == 2
    assert result.locked_differences == 1
    assert result.count_unlocked(DiffStatus.DESCRIPTION_DIFFERS) == 1
    assert result.count_unlocked(DiffStatus.MISSING) == result.count(DiffStatus.MISSING) == 1
    assert result.differences == (
        result.count_unlocked(DiffStatus.MISSING)
        + result.count_unlocked(DiffStatus.DESCRIPTION_DIFFERS)
    )
