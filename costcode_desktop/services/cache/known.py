"""Last-known state: what a project's row shows when it was not read just now.

A status comes from the cache (read in an earlier session) or is kept because the latest check
or refresh of the project failed. Either way it stays on screen, marked with its age and the
failure, instead of being lost: a project out of date stays counted as out of date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from costcode_desktop.procore.environments import Environment
from costcode_desktop.procore.errors import (
    ConnectionFailed,
    ProcoreError,
    RateLimited,
    ServerError,
    TimedOut,
)
from costcode_desktop.procore.records import Project
from costcode_desktop.services.status import ProjectState, ProjectStatus


@dataclass(frozen=True, slots=True)
class Staleness:
    """Why a project's status is not from a check made now. Its age is the status's
    `checked_at`; `failure` says why the latest check or refresh did not replace it."""

    failure: str = ""  # short plain words, e.g. "could not reach Procore"; "" from the cache
    failed_at: datetime | None = None
    doing: str = "check"  # what failed: "check" or "refresh"

    @property
    def failed(self) -> bool:
        return bool(self.failure)


def cache_key(environment: Environment) -> str:
    """The environment's name in the cache: its key, and for a custom server its address too
    (as settings.Connection.environment_key names it), so two servers never share rows."""
    if environment.key == "custom":
        return f"custom:{environment.api_url}"
    return environment.key


def unreachable(error: BaseException | None) -> bool:
    """Procore could not be reached at all: the network, a proxy, a name lookup, a time-out."""
    return isinstance(error, ConnectionFailed)


def failure_words(error: BaseException | None, fallback: str = "") -> str:
    """A short reason for a row or a header: 'Last check failed 10:42 — <this>'."""
    match error:
        case TimedOut():
            return "Procore did not answer in time"
        case ConnectionFailed():
            return "could not reach Procore"
        case RateLimited():
            return "Procore's request limit was reached"
        case ServerError():
            return "Procore had a server error"
        case ProcoreError():
            return str(error).rstrip(".")
    return fallback.rstrip(".") or "it did not finish"


def after_check(
    previous: ProjectStatus | None,
    new: ProjectStatus,
    *,
    now: datetime | None = None,
) -> tuple[ProjectStatus, Staleness | None]:
    """The status to show after a check, and its mark (None: it is fresh).

    A check that failed (state ERROR) keeps the last known status, if there is one worth
    keeping, and says why it was not replaced; any other answer replaces it.
    """
    if new.state is not ProjectState.ERROR or previous is None:
        return new, None
    if previous.state is ProjectState.ERROR:
        return new, None
    # The age shown stays the kept status's own `checked_at`; the failure is the newest one.
    return previous, Staleness(failure_words(new.error, new.message), now or datetime.now(UTC))


def after_failed_refresh(
    previous: ProjectStatus | None,
    error: BaseException | None,
    message: str,
    *,
    now: datetime | None = None,
) -> Staleness | None:
    """The mark for a project whose refresh failed without reading it back (None if there is
    no earlier status to keep)."""
    if previous is None or previous.state is ProjectState.ERROR:
        return None
    return Staleness(failure_words(error, message), now or datetime.now(UTC), "refresh")


def recheck_order(
    projects: Iterable[Project],
    statuses: Mapping[int, ProjectStatus],
    marks: Mapping[int, Staleness],
    list_changed_at: datetime | None,
) -> list[Project]:
    """The order to check projects in: what is least known first.

    First the projects never checked, those whose last check failed, and those checked before
    the company list last changed (their comparison is against an older list); then the rest.
    Within each group the stalest first. Python's sort is stable, so ties keep Procore's order.
    """
    oldest = datetime.min.replace(tzinfo=UTC)

    def key(project: Project) -> tuple[int, datetime]:
        status = statuses.get(project.id)
        if status is None:
            return 0, oldest
        mark = marks.get(project.id)
        behind = list_changed_at is not None and status.checked_at < list_changed_at
        doubtful = status.state is ProjectState.ERROR or (mark is not None and mark.failed)
        return (0 if behind or doubtful else 1), status.checked_at

    return sorted(projects, key=key)
