"""What a check or a refresh started by the window reports to it and returns, from the worker.

A module of its own so the start, which runs neither before its first paint, does not make
these types then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costcode_desktop.services import CostTypeTodo, ProjectStatus, RefreshRun


@dataclass(frozen=True, slots=True)
class RefreshFinished:
    """A refresh as the worker hands it over: the run, and the codes it left with no cost type
    (worked out there: it reads every refreshed list, too much for the GUI thread)."""

    run: RefreshRun
    todos: tuple[CostTypeTodo, ...]


@dataclass(frozen=True, slots=True)
class ProjectChecked:
    """A check's progress event: one more project compared."""

    status: ProjectStatus
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ChecksStopped:
    """Checking stopped part-way because Procore could not be reached."""

    error: BaseException
