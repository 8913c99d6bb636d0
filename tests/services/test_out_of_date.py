"""services.out_of_date: the one rule every count of "out of date" uses."""

from __future__ import annotations

from dataclasses import replace

from costcode_desktop.costcodes import ProjectCode, StandardCode, compare
from costcode_desktop.procore.records import Project
from costcode_desktop.services import (
    ProjectState,
    ProjectStatus,
    Standing,
    count_inactive_changed,
    count_out_of_date,
    standing,
)

DIV = StandardCode(1, "01", "01", "General Requirements", None)
PM = StandardCode(2, "01-100", "100", "Project Manager", 1)
BAD = StandardCode(3, "02 410", "410", "Paving", None)


def status(codes: list[ProjectCode], *, active: bool = True) -> ProjectStatus:
    comparison = compare([DIV, PM, BAD], codes)
    state = ProjectState.IN_SYNC if comparison.in_sync else ProjectState.OUT_OF_DATE
    return ProjectStatus(Project(7, "Job", "24-001", active), state, comparison)


def code(std: StandardCode, name: str | None = None, *, locked: bool = False) -> ProjectCode:
    return ProjectCode(
        100 + std.id, std.full_code, std.code, name or std.name, None, std.id, locked
    )


MISSING_PM = status([code(DIV), code(BAD)])
LOCKED_ONLY = status([code(DIV, "Gen. Req.", locked=True), code(PM), code(BAD)])
UNSUPPORTED_ONLY = status([code(DIV), code(PM)])
INACTIVE = status([code(DIV), code(BAD)], active=False)


def test_only_what_a_refresh_would_change_makes_a_project_out_of_date() -> None:
    assert standing(MISSING_PM) is Standing.OUT_OF_DATE
    assert standing(LOCKED_ONLY) is Standing.IN_SYNC, "a locked description stays: not a change"
    assert standing(UNSUPPORTED_ONLY) is Standing.IN_SYNC, "an unsupported code is never sent"


def test_inactive_and_refused_projects_are_not_counted() -> None:
    assert standing(INACTIVE) is Standing.INACTIVE
    assert not standing(INACTIVE).out_of_date
    refused = standing(MISSING_PM, allowed=False)
    assert refused is Standing.REFUSED
    assert not refused.out_of_date, "nothing will be sent to it: No access, out of the count"
    assert not refused.refreshable
    no_access = replace(MISSING_PM, state=ProjectState.NO_ACCESS, message="You need 'Admin'")
    assert standing(no_access) is Standing.REFUSED, "the window's No access keeps its comparison"
    assert standing(MISSING_PM, allowed=None).refreshable, "not known: the run will ask"
    statuses = [MISSING_PM, LOCKED_ONLY, UNSUPPORTED_ONLY, INACTIVE, None]
    assert count_out_of_date(statuses) == 1
    assert count_inactive_changed(statuses) == 1


def test_a_project_that_cannot_be_refreshed_or_was_not_read_is_not_out_of_date() -> None:
    project = Project(8, "Other", "24-002", True)
    other = ProjectStatus(project, ProjectState.OTHER_LIST, message="another list")
    failed = ProjectStatus(project, ProjectState.ERROR, message="500")
    assert standing(other) is Standing.CANNOT
    assert standing(failed) is Standing.UNKNOWN
    assert standing(None) is Standing.UNKNOWN
    assert count_out_of_date([other, failed]) == 0
