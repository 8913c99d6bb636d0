"""What a refresh run reports while it works: typed events, one per thing that happened.

`refresh_many` hands them to its `on_event` from its worker threads; the window relays them to
the GUI thread, the CLI prints them. Consumers tell them apart with `match`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from costcode_desktop.procore.records import Project

    from .budget import Estimate
    from .refresh import RefreshResult
    from .refresh_lock import LockHolder
    from .status import ProjectStatus


@dataclass(frozen=True, slots=True)
class RefreshStep:
    """A project moved to a new step."""

    project: Project
    text: str  # plain words, e.g. "Reading its cost codes"
    index: int  # the project's position in the run, 0-based
    total: int  # projects in the run


@dataclass(frozen=True, slots=True)
class RefreshWaiting:
    """The run waits for Procore's request limit, or before a retry."""

    reason: str
    seconds: float


@dataclass(frozen=True, slots=True)
class RefreshLocked:
    """The run waits for another refresh of the same company (another process) to end."""

    holder: LockHolder | None  # None: the lock file does not say who

    @property
    def text(self) -> str:
        from .refresh_lock import waiting_words

        return waiting_words(self.holder)


@dataclass(frozen=True, slots=True)
class ProjectRefreshed:
    """One project is done: the whole result, with its `before`."""

    result: RefreshResult
    status: ProjectStatus | None  # status_after_refresh(result), worked out on the worker


@dataclass(frozen=True, slots=True)
class RefreshEstimate:
    """The requests the run still needs and how long they take within Procore's limits: once
    before the first project starts (the up-front estimate), then as each project ends."""

    estimate: Estimate
    done: int  # projects finished
    total: int  # projects in the run


RefreshEvent: TypeAlias = (
    RefreshStep | RefreshWaiting | RefreshLocked | ProjectRefreshed | RefreshEstimate
)
