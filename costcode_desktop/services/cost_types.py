"""What is left to do in Procore after a refresh: codes on a project with no cost type.

Procore's Sage 300 CRE tutorials: codes copied to a project get their cost types on the
project's *Cost Code Cost Type Assignments* page, then *Re-send to ERP*; an accounting approver
then updates the job in ERP Integrations. Until then Sage cannot take them. The API has no
public endpoint to assign them (docs/procore-api.md, "Cost types"), so this only says what to do
and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcode_desktop.costcodes import plural
from costcode_desktop.procore.environments import Environment, project_admin_url
from costcode_desktop.procore.records import Project, SubJob

from .targets import TargetKey, target_key, target_label
from .text import isolated

if TYPE_CHECKING:
    from .bulk import RefreshRun
    from .refresh import RefreshResult

STEPS = (
    "In Procore: Project Admin → Cost Code Cost Type Assignments → assign cost types, then "
    "Resend the Project Cost Codes to ERP (Admin → General → Re-send to ERP); an accounting "
    "approver then updates the job in ERP Integrations."
)


@dataclass(frozen=True, slots=True)
class CostTypeTodo:
    """One project's (or sub job's) codes without a cost type after a refresh, and where to
    assign them."""

    project: Project
    codes: tuple[str, ...]  # full codes, in the comparison's order
    new: int  # how many of them this run added
    admin_url: str | None  # the project's Admin tool; None when the web address is not known
    # The sub job whose list they are on (assigned on its project's Admin page); None: the
    # project's own list.
    sub_job: SubJob | None = None

    @property
    def name(self) -> str:
        """'Harborview Apartments', or a sub job's '23-104 / E02 Owner Change Extras'."""
        if self.sub_job is None:
            return self.project.name
        return target_label(self.project, self.sub_job)

    @property
    def sentence(self) -> str:
        """'3 new codes in Harborview Apartments have no cost type.' (or in '23-104 / E02 …')"""
        count = len(self.codes)
        if self.new == count:
            what = plural(count, "new code")
        elif self.new:
            what = f"{plural(count, 'code')} ({self.new} new)"
        else:
            what = plural(count, "code")
        verb = "has" if count == 1 else "have"
        return f"{what} in {isolated(self.name)} {verb} no cost type."

    @property
    def text(self) -> str:
        return f"{self.sentence} {STEPS}"


def todo_of(result: RefreshResult, environment: Environment) -> CostTypeTodo | None:
    """The result's codes (the project's or its sub job's) read back with no cost type; None
    when there are none (or the list was not read back, or Procore did not say)."""
    if result.after is None or result.dry_run:
        return None
    if not result.after.connector.has_cost_types:  # QuickBooks: nothing to assign
        return None
    codes = tuple(code.full_code for code in result.after.without_cost_type())
    if not codes:
        return None
    added = {code.full_code for code in result.added}
    return CostTypeTodo(
        result.project,
        codes,
        sum(code in added for code in codes),
        project_admin_url(environment, result.project.id),
        result.sub_job,
    )


def cost_type_todos(run: RefreshRun, environment: Environment) -> list[CostTypeTodo]:
    """Every project or sub job of the run with codes left without a cost type, in the run's
    order."""
    return RunTodos(environment).of(run)


class RunTodos:
    """A run's todos worked out as each result arrives (on the run's threads, beside their
    network waits) instead of all at its end: for 300 projects of 1,000 codes that end was
    60 ms of Python, and the window waited on it before it could show the result."""

    def __init__(self, environment: Environment) -> None:
        self._environment = environment
        self._found: dict[TargetKey, CostTypeTodo | None] = {}  # by project (and sub job)

    def add(self, result: RefreshResult) -> None:
        self._found[target_key(result.project, result.sub_job)] = todo_of(result, self._environment)

    def of(self, run: RefreshRun) -> list[CostTypeTodo]:
        """The run's todos in its order: those worked out already, the others now."""
        found, environment = self._found, self._environment
        keys = ((target_key(r.project, r.sub_job), r) for r in run.results)
        todos = (found[key] if key in found else todo_of(r, environment) for key, r in keys)
        return [todo for todo in todos if todo is not None]
