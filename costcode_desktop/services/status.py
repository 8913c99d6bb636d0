"""Where each project stands against the company list (services/checks.py finds it out)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from costcode_desktop.costcodes.words import plural

from .refresh_outcome import RefreshOutcome

if TYPE_CHECKING:
    from costcode_desktop.costcodes import Comparison, DiffStatus
    from costcode_desktop.procore.errors import ProcoreError
    from costcode_desktop.procore.records import Project, SubJob

    from .refresh import RefreshResult
    from .targets import Target, TargetKey


class ProjectState(enum.Enum):
    IN_SYNC = "in_sync"
    OUT_OF_DATE = "out_of_date"
    NOT_ERP_INTEGRATED = "not_erp_integrated"
    OTHER_LIST = "other_list"
    NO_ACCESS = "no_access"
    ERROR = "error"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ProjectState.IN_SYNC: "In sync",
    ProjectState.OUT_OF_DATE: "Out of date",
    ProjectState.NOT_ERP_INTEGRATED: "Not ERP-integrated",
    ProjectState.OTHER_LIST: "Other list",
    ProjectState.NO_ACCESS: "No access",
    ProjectState.ERROR: "Error",
}


@dataclass(frozen=True)
class ProjectStatus:
    project: Project
    state: ProjectState
    comparison: Comparison | None = None
    message: str = ""  # why, for every state but in sync / out of date
    error: ProcoreError | None = field(default=None, repr=False)
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    sub_job: SubJob | None = None  # a sub job's own list; None: the project's

    # Targets come into play with checks and refreshes, after the first paint.
    @property
    def key(self) -> TargetKey:
        from .targets import target_key

        return target_key(self.project, self.sub_job)

    @property
    def target(self) -> Target:
        from .targets import Target

        return Target(self.project, self.sub_job)

    @property
    def label(self) -> str:
        from .targets import target_label

        return target_label(self.project, self.sub_job)

    def count(self, status: DiffStatus) -> int:
        return self.comparison.count(status) if self.comparison else 0

    @property
    def summary(self) -> str:
        """'In sync', '7 differences', or the state's label."""
        if self.state is ProjectState.OUT_OF_DATE and self.comparison is not None:
            return plural(self.comparison.differences, "difference")
        return self.state.label


def status_after_refresh(result: RefreshResult) -> ProjectStatus | None:
    """The project's state as read back by a refresh, so no second read is needed.

    A refusal that carries the project's codes was refused for want of permission (the other
    refusals come before the codes are read): the project is then *No access*, its comparison
    kept to look at, so it is no longer counted or offered as out of date.
    """
    if result.after is None:
        return None
    if result.outcome is RefreshOutcome.REFUSED:
        return without_access(
            ProjectStatus(
                result.project, ProjectState.OUT_OF_DATE, result.after, sub_job=result.sub_job
            )
        )
    state = ProjectState.IN_SYNC if result.after.in_sync else ProjectState.OUT_OF_DATE
    return ProjectStatus(result.project, state, result.after, sub_job=result.sub_job)


def without_access(status: ProjectStatus) -> ProjectStatus:
    """The project as refused by the permission check: *No access*, with the reason, keeping
    the comparison and its age. A Reload asks Procore again (load.py forgets refusals)."""
    from .refresh import no_admin_message  # the refresh's module loads with a refresh

    reason = (
        f"{no_admin_message(status.project)} Once it is given, choose Reload (F5) to check "
        "the project again."
    )
    return replace(status, state=ProjectState.NO_ACCESS, message=reason, error=None)
