"""kill -9 a costcode-sync refresh after its write landed and before its history row: the next
run records what landed, marked as recovered, so the history misses no changed project."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

from costcode_desktop.services.history.store import HistoryStore
from tests.sandbox_support import sandbox_process

from .changes_support import command, real_changes, recorded_changes, seed

PROJECTS = 6
KILLS = 3
# Every request waits this long before the sandbox handles it: after a copy lands, the run's
# read-back takes at least this long before the row is recorded, time enough to kill it.
SANDBOX = ("--latency", "0.3", "--hourly-limit", "0", "--spike-limit", "0")


def test_kill_9_between_the_write_and_the_record_loses_no_history(tmp_path: Path) -> None:
    start = seed(PROJECTS)
    codes = {p["id"]: len(p["cost_codes"]) for p in start["companies"][0]["projects"]}
    state = tmp_path / "state.sqlite3"
    home = tmp_path / "home"
    history_file = home / "data" / "history.sqlite3"
    killed_between = 0
    with sandbox_process(start, tmp_path, "--db", str(state), *SANDBOX) as url:
        args, env = command(url, home, "--concurrency", "1")
        for _ in range(KILLS):
            earlier = _latest_run(history_file)
            run = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
            run_id, project_id = _wait_for_a_landed_write(run, earlier, history_file, state, codes)
            run.send_signal(signal.SIGKILL)
            run.wait(10)
            killed_between += not _recorded(history_file, run_id, project_id)
        final = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr
        assert final.stderr == "", "--json keeps stderr quiet"
        assert json.loads(final.stdout)["recovered_after_interruption"]["projects"] > 0
        real = real_changes(url, start)

    recorded = recorded_changes(home)
    changed_projects = {project_id for project_id, _kind, _code in real}
    recorded_projects = {project_id for project_id, _kind, _code in recorded}
    missing = changed_projects - recorded_projects
    print(
        f"\nkills: {KILLS}, between the write and the record: {killed_between}, changed "
        f"projects: {len(changed_projects)}, history rows missing: {len(missing)}, changes "
        f"real/recorded: {len(real)}/{sum(recorded.values())}"
    )
    assert killed_between == KILLS, "each kill came after a write and before its record"
    assert changed_projects == set(codes), "every project was changed in the end"
    assert not missing, "every changed project is in the history"
    assert set(recorded) == real, "every change is in the history"
    assert max(recorded.values()) == 1, "and only once"
    with HistoryStore(history_file) as history:
        entries = [e for r in history.runs() for e in history.run_details(r.id).projects]
        assert sum(e.recovered for e in entries) == KILLS
        for entry in entries:
            if entry.recovered:
                assert "Recovered after an interruption" in entry.message
                assert entry.added


def _wait_for_a_landed_write(
    run: subprocess.Popen[bytes],
    earlier: int,
    history_file: Path,
    state: Path,
    codes: dict[int, int],
) -> tuple[int, int]:
    """(run, project) of an intent this run opened whose codes the sandbox now holds."""
    deadline = time.monotonic() + 120
    while True:
        assert run.poll() is None, "the run ended before its write landed"
        assert time.monotonic() < deadline, "no write landed"
        for run_id, project_id in _open_intents_after(history_file, earlier):
            if _codes_on_server(state, project_id) > codes[project_id]:
                return run_id, project_id
        time.sleep(0.02)


def _latest_run(history_file: Path) -> int:
    if not history_file.exists():
        return 0
    with closing(sqlite3.connect(history_file, timeout=5)) as db:
        (latest,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()
    return int(latest)


def _open_intents_after(history_file: Path, earlier: int) -> list[tuple[int, int]]:
    """Open intents to add codes of runs after `earlier` (a later run may only update one)."""
    if not history_file.exists():
        return []
    with closing(sqlite3.connect(history_file, timeout=5)) as db:
        try:
            rows = db.execute(
                "SELECT i.run_id, i.project_id FROM intents AS i WHERE i.state = 'open'"
                " AND i.run_id > ? AND EXISTS (SELECT 1 FROM intent_codes AS c"
                " WHERE c.intent_id = i.id AND c.kind = 'add')",
                (earlier,),
            ).fetchall()
        except sqlite3.OperationalError:  # the history is being created
            return []
    return [(int(run_id), int(project_id)) for run_id, project_id in rows]


def _codes_on_server(state: Path, project_id: int) -> int:
    with closing(sqlite3.connect(state, timeout=5)) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM cost_codes WHERE project_id = ?", (project_id,)
        ).fetchone()
    return int(count)


def _recorded(history_file: Path, run_id: int, project_id: int) -> bool:
    with closing(sqlite3.connect(history_file, timeout=5)) as db:
        found = db.execute(
            "SELECT 1 FROM run_projects WHERE run_id = ? AND project_id = ?",
            (run_id, project_id),
        ).fetchone()
    return found is not None
