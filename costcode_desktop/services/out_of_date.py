"""The one rule for "out of date" and "refreshable": the window, costcode-sync (status, refresh)
and the self-test all count with it, so they say the same number for the same data.

A project is *out of date* when it is active and a refresh would add a code or fix a
description: a description locked by the ERP connector, a code it cannot send, or a code only on
the project never makes it so (a refresh leaves those as they are). Once Procore has said that the
user may not change its codes (the permission check, kept for the session:
services/permissions.py), it is refused: *No access* in the window, out of the count, as
nothing will be sent to it. Out of date is then also *refreshable*: the refresh goes ahead.

Inactive projects are left out of the count, as Refresh All Out-of-Date Projects and
`costcode-sync refresh --all-out-of-date` leave them out; named (selected, `--project`), they
are refreshed like any other.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from .status import ProjectState, ProjectStatus


class Standing(enum.Enum):
    IN_SYNC = "in_sync"  # a refresh would change nothing
    OUT_OF_DATE = "out_of_date"  # active; a refresh adds or fixes codes
    REFUSED = "refused"  # a refresh would change it, but Procore said the user may not
    INACTIVE = "inactive"  # a refresh would change it, but it is inactive: not counted
    CANNOT = "cannot"  # not ERP-integrated, on another list, or no access
    UNKNOWN = "unknown"  # not checked yet, or its check failed

    @property
    def out_of_date(self) -> bool:
        return self is Standing.OUT_OF_DATE

    @property
    def refreshable(self) -> bool:
        return self is Standing.OUT_OF_DATE


def standing(status: ProjectStatus | None, allowed: bool | None = None) -> Standing:
    """Where a project stands for a refresh. `allowed` is the kept permission answer (None: not
    known, or Procore won't say; only a known "no" makes it refused). A project the window has
    already marked *No access* for a refusal keeps its comparison: refused too."""
    if status is None or status.state is ProjectState.ERROR:
        return Standing.UNKNOWN
    if status.state is ProjectState.NO_ACCESS and status.comparison is not None:
        return Standing.REFUSED if not status.comparison.in_sync else Standing.CANNOT
    if status.state is not ProjectState.OUT_OF_DATE or status.comparison is None:
        return Standing.IN_SYNC if status.state is ProjectState.IN_SYNC else Standing.CANNOT
    if not status.project.active:
        return Standing.INACTIVE
    return Standing.REFUSED if allowed is False else Standing.OUT_OF_DATE


def count_out_of_date(statuses: Iterable[ProjectStatus | None]) -> int:
    """How many projects are out of date: the number every view of them says."""
    return sum(1 for status in statuses if standing(status).out_of_date)


def count_inactive_changed(statuses: Iterable[ProjectStatus | None]) -> int:
    """Inactive projects a refresh would change: said beside the count, never in it."""
    return sum(1 for status in statuses if standing(status) is Standing.INACTIVE)
