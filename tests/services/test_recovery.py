"""What a run killed between its writes and its history row leaves, and what the next start
records: intents, their recovery (one read per project), and the history's schema migration."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from costcode_desktop.costcodes import RefreshPlan, plan_refresh
from costcode_desktop.services import read_comparison
from costcode_desktop.services.history.store import MIGRATIONS, HistoryStore, RefreshOutcome
from costcode_desktop.services.recovery import recover_if_free, recover_interrupted
from costcode_desktop.services.refresh_lock import COMMAND, company_lock

from .seeds import COMPANY, P_DRIFTED
from .test_bulk import EXTRA_START, Setup, make_setup, many_seed


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        yield from make_setup(many_seed(2), history)


def killed_run(
    setup: Setup, *, applied: list[int], not_applied: list[int]
) -> tuple[int, dict[int, RefreshPlan]]:
    """A run of another process that opened intents for these projects, sent the writes of
    `applied` and was killed before recording any of them."""
    history, client = setup.history, setup.client
    run_id = history.start_run(
        user="ap@example.com", environment=setup.session.environment.key,
        company_id=COMPANY, company_name="Example",
    )  # fmt: skip
    plans = {}
    for project in setup.projects(*applied, *not_applied):
        plan = plan_refresh(read_comparison(client, setup.company_list, project.id))
        history.open_intent(run_id, project, plan)
        plans[project.id] = plan
        if project.id in applied:
            client.copy_subset_from_standard_list(COMPANY, project.id, 11, plan.copy_ids)
            names = [(u.cost_code_id, u.new_name) for u in plan.updates]
            client.sync_cost_codes(COMPANY, project.id, names)
    with closing(sqlite3.connect(history.path)) as db, db:  # the process is gone
        db.execute("UPDATE runs SET writer_token = 'killed' WHERE id = ?", (run_id,))
    return run_id, plans


def test_the_next_start_records_what_landed_as_recovered(setup: Setup) -> None:
    run_id, plans = killed_run(setup, applied=[P_DRIFTED], not_applied=[EXTRA_START])
    plan = plans[P_DRIFTED]
    before = setup.client.request_count

    found = recover_interrupted(setup.session, setup.company_list, setup.history)

    assert (found.recovered, found.not_applied, found.left_open) == (1, 1, 0)
    assert found.requests == 2 == setup.client.request_count - before  # one read per intent
    (entry,) = setup.history.run_details(run_id).projects
    assert entry.project_id == P_DRIFTED
    assert entry.recovered
    assert entry.outcome is RefreshOutcome.REFRESHED
    assert "Recovered after an interruption" in entry.message
    assert (entry.added, entry.updated) == (len(plan.to_add), len(plan.updates))
    assert entry.added
    assert entry.updated
    assert [c.full_code for c in entry.changes if c.kind == "added"] == [
        c.full_code for c in plan.to_add
    ]
    # Settled: nothing left to read at the next start.
    again = recover_interrupted(setup.session, setup.company_list, setup.history)
    assert again.requests == 0
    assert not setup.history.open_intents(setup.session.environment.key, COMPANY)


def test_intents_of_a_run_under_way_in_this_process_are_left_alone(setup: Setup) -> None:
    run_id, _plans = killed_run(setup, applied=[P_DRIFTED], not_applied=[])
    with closing(sqlite3.connect(setup.history.path)) as db, db:
        db.execute("UPDATE runs SET writer_token = ? WHERE id = ?", (_token(), run_id))
    found = recover_interrupted(setup.session, setup.company_list, setup.history)
    assert found.requests == 0
    assert setup.history.run_details(run_id).projects == ()


def test_a_start_leaves_recovery_to_the_run_holding_the_lock(setup: Setup) -> None:
    run_id, _plans = killed_run(setup, applied=[P_DRIFTED], not_applied=[])
    held = company_lock(setup.session).acquire(COMMAND)
    assert held is not None
    with held:
        found = recover_if_free(setup.session, setup.company_list, setup.history)
    assert found.requests == 0
    assert setup.history.run_details(run_id).projects == ()
    found = recover_if_free(setup.session, setup.company_list, setup.history)
    assert found.recovered == 1


def test_a_refresh_closes_its_intents_and_records_no_double(setup: Setup) -> None:
    run = setup.run(setup.projects(P_DRIFTED, EXTRA_START))
    assert len(run.refreshed) == 2
    with closing(sqlite3.connect(setup.history.path)) as db:
        states = db.execute("SELECT state FROM intents").fetchall()
    assert sorted(states) == [("recorded",), ("recorded",)]


@pytest.mark.parametrize("version", [1, 2])  # 2: the history of a version without sub jobs
def test_an_earlier_schemas_history_is_kept_by_the_migration(tmp_path: Path, version: int) -> None:
    path = tmp_path / "history.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        for statements in MIGRATIONS[:version]:
            for statement in statements:
                db.execute(statement)
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (?)", (version,))
        db.execute(
            "INSERT INTO runs (id, started_at, finished_at, status, user, environment,"
            " company_id, company_name, app_version, writer_pid, writer_token) VALUES (1,"
            " '2026-01-05T10:00:00.000000+00:00', '2026-01-05T10:01:00.000000+00:00',"
            " 'finished', 'ap', 'production', 7, 'Example', '1.0', 1, 'x')"
        )
        db.execute(
            "INSERT INTO run_projects (id, run_id, project_id, project_name, outcome, message,"
            " recorded_at, added) VALUES (1, 1, 42, 'Old Project', 'refreshed', 'done',"
            " '2026-01-05T10:00:30.000000+00:00', 1)"
        )
        db.execute(
            "INSERT INTO code_changes (entry_id, kind, full_code, name) VALUES"
            " (1, 'added', '01-100', 'Project Manager')"
        )
    with HistoryStore(path) as history:
        (entry,) = history.run_details(1).projects
        assert (entry.project_name, entry.added, entry.recovered) == ("Old Project", 1, False)
        assert entry.sub_job_id is None  # schema 3: an earlier entry is the project's own
        assert entry.changes[0].full_code == "01-100"
        assert history.open_intents("production", 7) == []
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(MIGRATIONS),)]
    assert len(MIGRATIONS) == 3


def _token() -> str:
    from costcode_desktop.services.history import store

    return store._PROCESS_TOKEN
