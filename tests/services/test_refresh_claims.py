"""A run reports and records only the changes its own writes made: not a code another run added
after the comparison it started from was read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from costcode_desktop.procore.records import Project
from costcode_desktop.sandbox import FaultConfig
from costcode_desktop.services import ProjectStatus, RefreshOutcome, check_project
from costcode_desktop.services.bulk import starting_points
from costcode_desktop.services.history.store import HistoryStore

from .test_bulk import EXTRA_START, Setup, make_setup, many_seed

PROJECTS = [EXTRA_START, EXTRA_START + 1]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        yield from make_setup(many_seed(2), history)


def checked(setup: Setup, projects: list[Project]) -> dict[int, ProjectStatus]:
    """Each project checked now: the reads a run started later acts on."""
    return {p.id: check_project(setup.client, setup.company_list, p.id, listed=p) for p in projects}


def test_a_run_from_a_comparison_read_before_another_run_claims_none_of_its_codes(
    setup: Setup,
) -> None:
    projects = setup.projects(*PROJECTS)
    statuses = checked(setup, projects)

    first = setup.run(projects, statuses=statuses)
    # The second starts from the same reads, made before the first run added the codes.
    second = setup.run(projects, statuses=statuses)

    assert sum(len(r.added) for r in first.results) > 0
    assert [len(r.added) for r in second.results] == [0, 0], "the first run's codes"
    assert not second.failed
    assert "Added" not in second.summary()
    runs = setup.history.runs()
    assert [run.added for run in runs] == [0, sum(len(r.added) for r in first.results)]


def test_without_the_history_the_copy_answer_still_says_whose_codes_they_are(
    setup: Setup,
) -> None:
    projects = setup.projects(*PROJECTS)
    statuses = checked(setup, projects)
    first = setup.run(projects, statuses=statuses, history=None)
    # Nothing says the reads are old: the run acts on them, and Procore answers that the codes
    # it copies are duplicates.
    second = setup.run(projects, statuses=statuses, history=None)
    assert sum(len(r.added) for r in first.results) > 0
    assert [len(r.added) for r in second.results] == [0, 0]
    assert not second.failed


def test_codes_whose_copy_answer_was_lost_are_this_runs_when_they_appeared(setup: Setup) -> None:
    # Every copy lands and its answer is lost: the run reads the project again to see.
    setup.server.faults = FaultConfig(drop_rate=1.0, paths="copy_subset_from_standard_list")
    (project,) = setup.projects(EXTRA_START)
    run = setup.run([project])
    (result,) = run.results
    assert result.plan is not None
    assert result.outcome is RefreshOutcome.REFRESHED
    assert [c.full_code for c in result.added] == [c.full_code for c in result.plan.to_add]


def test_a_status_read_before_another_process_refreshed_is_read_again(setup: Setup) -> None:
    projects = setup.projects(*PROJECTS)
    status = check_project(setup.client, setup.company_list, PROJECTS[0], listed=projects[0])
    statuses = {PROJECTS[0]: status}
    now = status.checked_at + timedelta(minutes=1)
    (kept, _unknown) = starting_points(setup.company_list, projects, statuses, now=now)
    assert kept.before is status.comparison
    ended = status.checked_at + timedelta(seconds=1)
    (stale, _unknown) = starting_points(
        setup.company_list, projects, statuses, now=now, changed_since=ended
    )
    assert stale.before is None
