"""A local record of every refresh, so users can see what changed where, and when.

One SQLite file in the data folder (WAL, busy timeout), one connection per store behind a lock,
a commit per project so a crash loses nothing already recorded. A run that never finished shows
as 'interrupted' once the process that wrote it is gone.

A file that cannot be a history (damaged, truncated, not SQLite, a folder, another
application's) is never deleted: it is moved aside to `history.sqlite3.corrupt-YYYYMMDD-HHMMSS`
and a new history started; `set_aside` and `notice` say where it went, for the user to be told.
A file of a newer version is left alone (an error), as it is good for that version.

Before a project's first write the run records its intent (the codes about to be added, the
descriptions about to change); the project's row closes it. An intent still open when no run of
its company is under way (services.recovery holds the refresh lock to know) belongs to a run
killed between its writes and its row: the next start reads the project back and records what
landed as that run's changes, marked as recovered after an interruption.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from costcode_desktop import __version__
from costcode_desktop.costcodes import StandardCode
from costcode_desktop.procore.records import Project, SubJob
from costcode_desktop.services.paths import data_dir
from costcode_desktop.services.refresh_outcome import RefreshOutcome
from costcode_desktop.services.sqlite_file import (
    NotThisFile,
    SetAside,
    dated_aside,
    open_wal,
    reason_of,
    set_aside,
    unusable,
)

if TYPE_CHECKING:  # the refresh and its plan load with a refresh, not with the window
    from costcode_desktop.costcodes import NameUpdate, RefreshPlan
    from costcode_desktop.services.refresh import RefreshResult

FILE_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 10_000
# Tells this process's runs from those of a process that has gone (pids get reused). What
# secrets.token_hex does, without importing secrets (hmac, hashlib: about 7 ms) on the worker
# while the start reads the last-known state.
_PROCESS_TOKEN = os.urandom(16).hex()

Clock = Callable[[], datetime]


class HistoryError(Exception):
    """The history could not be read or written; the refresh itself is not affected."""


class RunStatus(enum.StrEnum):
    RUNNING = "running"  # started by this process and not finished yet
    FINISHED = "finished"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # never finished, and the process that started it is gone


class IntentState(enum.StrEnum):
    OPEN = "open"  # about to write; the project's row not recorded yet
    RECORDED = "recorded"  # the run recorded the project's row
    RECOVERED = "recovered"  # the run was interrupted; the next start recorded what landed
    NOT_APPLIED = "not_applied"  # the run was interrupted and nothing it meant to send landed


@dataclass(frozen=True)
class OpenIntent:
    """What an unfinished project of a run was about to send."""

    id: int
    run_id: int
    project: Project
    to_add: tuple[StandardCode, ...]
    updates: tuple[NameUpdate, ...]
    sub_job: SubJob | None = None  # a sub job's list was being written, not the project's


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class RunSummary:
    """One refresh run (one project or many), with totals for a history list."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    user: str
    environment: str
    company_id: int
    company_name: str
    dry_run: bool
    projects: int
    failed_projects: int
    added: int
    updated: int
    skipped: int
    failed: int


@dataclass(frozen=True)
class CodeChange:
    kind: ChangeKind
    full_code: str
    name: str
    old_name: str | None = None
    new_name: str | None = None
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class ProjectEntry:
    """What one run did to one project."""

    project_id: int
    project_name: str
    project_number: str | None
    outcome: RefreshOutcome
    message: str
    recorded_at: datetime
    added: int
    updated: int
    skipped: int
    failed: int
    request_id: str | None
    changes: tuple[CodeChange, ...]
    recovered: bool = False  # recorded by a later start: the run was interrupted before it
    # A sub job's entry (one per target): its id, code and name; None for the project's own.
    sub_job_id: int | None = None
    sub_job_code: str | None = None
    sub_job_name: str | None = None


@dataclass(frozen=True)
class RunDetails:
    run: RunSummary
    projects: tuple[ProjectEntry, ...]


# Each entry moves the schema one version up; append, never edit a released one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'finished', 'cancelled')),
            user TEXT NOT NULL,
            environment TEXT NOT NULL,
            company_id INTEGER NOT NULL,
            company_name TEXT NOT NULL,
            dry_run INTEGER NOT NULL DEFAULT 0,
            app_version TEXT NOT NULL,
            writer_pid INTEGER NOT NULL,
            writer_token TEXT NOT NULL
        )""",
        "CREATE INDEX runs_by_company ON runs (company_id, environment, started_at)",
        "CREATE INDEX runs_by_start ON runs (started_at)",
        """CREATE TABLE run_projects (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            project_id INTEGER NOT NULL,
            project_name TEXT NOT NULL,
            project_number TEXT,
            outcome TEXT NOT NULL,
            message TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            request_id TEXT
        )""",
        "CREATE INDEX run_projects_by_run ON run_projects (run_id)",
        "CREATE INDEX run_projects_by_project ON run_projects (project_id, outcome, recorded_at)",
        """CREATE TABLE code_changes (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES run_projects (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('added', 'updated', 'skipped', 'failed')),
            full_code TEXT NOT NULL,
            name TEXT NOT NULL,
            old_name TEXT,
            new_name TEXT,
            reason TEXT,
            request_id TEXT
        )""",
        "CREATE INDEX code_changes_by_entry ON code_changes (entry_id)",
    ),
    (  # 2: intents, and rows recorded on recovery after an interruption
        "ALTER TABLE run_projects ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE intents (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            project_id INTEGER NOT NULL,
            project_name TEXT NOT NULL,
            project_number TEXT,
            opened_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'recorded', 'recovered', 'not_applied')),
            closed_at TEXT
        )""",
        "CREATE INDEX intents_by_state ON intents (state, run_id)",
        """CREATE TABLE intent_codes (
            id INTEGER PRIMARY KEY,
            intent_id INTEGER NOT NULL REFERENCES intents (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('add', 'update')),
            code_id INTEGER NOT NULL,  -- add: the company code's id; update: the project code's
            full_code TEXT NOT NULL,
            name TEXT NOT NULL,  -- add: its name; update: the new description
            old_name TEXT
        )""",
        "CREATE INDEX intent_codes_by_intent ON intent_codes (intent_id)",
    ),
    (  # 3: sub jobs (Sage Extras): an entry and an intent may be a sub job's
        "ALTER TABLE run_projects ADD COLUMN sub_job_id INTEGER",
        "ALTER TABLE run_projects ADD COLUMN sub_job_code TEXT",
        "ALTER TABLE run_projects ADD COLUMN sub_job_name TEXT",
        "ALTER TABLE intents ADD COLUMN sub_job_id INTEGER",
        "ALTER TABLE intents ADD COLUMN sub_job_code TEXT",
        "ALTER TABLE intents ADD COLUMN sub_job_name TEXT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_SUMMARY_SQL = """
    SELECT r.id, r.started_at, r.finished_at, r.status, r.writer_pid, r.writer_token,
           r.user, r.environment, r.company_id, r.company_name, r.dry_run,
           COUNT(p.id), COALESCE(SUM(p.outcome = 'failed'), 0),
           COALESCE(SUM(p.added), 0), COALESCE(SUM(p.updated), 0),
           COALESCE(SUM(p.skipped), 0), COALESCE(SUM(p.failed), 0)
    FROM runs AS r LEFT JOIN run_projects AS p ON p.run_id = r.id
"""


class HistoryStore:
    """The refresh history; safe to share between worker threads, and between processes."""

    def __init__(self, path: Path | None = None, *, clock: Clock | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self.set_aside: SetAside | None = None  # the bad file this store replaced, if any
        try:
            if path is None:
                path = data_dir() / FILE_NAME
            self.path = path
            self._db = self._open_or_start_again(path)
        except (sqlite3.Error, OSError) as exc:
            shown = path if path is not None else FILE_NAME
            raise HistoryError(
                f"The refresh history at {shown} could not be opened: {_reason(exc)}. "
                "The refresh itself is not affected."
            ) from exc

    def _open_or_start_again(self, path: Path) -> sqlite3.Connection:
        try:
            return _open(path)
        except sqlite3.DatabaseError as exc:
            if not unusable(path, exc):
                raise
            reason = reason_of(path, exc)
        self.set_aside = set_aside(path, dated_aside(path, self._clock()), reason)
        logging.getLogger(__name__).warning("%s", self.notice)
        return _open(path)

    @property
    def notice(self) -> str | None:
        """What to tell the user when a bad history file was moved aside; None otherwise."""
        moved = self.set_aside
        if moved is None:
            return None
        return (
            f"The refresh history at {moved.path} could not be read ({moved.reason}). It was "
            f"moved to {moved.aside} and a new history was started."
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def start_run(
        self,
        *,
        user: str,
        environment: str,
        company_id: int,
        company_name: str,
        dry_run: bool = False,
    ) -> int:
        """Open a run before the first project, so even a crash leaves a trace."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (started_at, user, environment, company_id, company_name,"
                " dry_run, app_version, writer_pid, writer_token)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _text(self._clock()),
                    user,
                    environment,
                    company_id,
                    company_name,
                    int(dry_run),
                    __version__,
                    os.getpid(),
                    _PROCESS_TOKEN,
                ),
            )
            run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def open_intent(
        self, run_id: int, project: Project, plan: RefreshPlan, sub_job: SubJob | None = None
    ) -> int:
        """Before a project's (or its sub job's) first write: what is about to be sent,
        committed at once."""
        with self._write() as db:
            _require_run(db, run_id)
            cursor = db.execute(
                "INSERT INTO intents (run_id, project_id, project_name, project_number,"
                " opened_at, sub_job_id, sub_job_code, sub_job_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    project.id,
                    project.name,
                    project.project_number,
                    _text(self._clock()),
                    *_sub_job_columns(sub_job),
                ),
            )
            intent_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO intent_codes (intent_id, kind, code_id, full_code, name, old_name)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(intent_id, "add", c.id, c.full_code, c.name, None) for c in plan.to_add]
                + [
                    (intent_id, "update", u.cost_code_id, u.full_code, u.new_name, u.old_name)
                    for u in plan.updates
                ],
            )
        assert intent_id is not None
        return intent_id

    def open_intents(self, environment: str, company_id: int) -> list[OpenIntent]:
        """The company's intents still open, of runs of other processes (this process's own
        may be under way), oldest first. Only the refresh lock's holder may call them orphans."""
        from costcode_desktop.costcodes import NameUpdate

        with self._reading() as db:
            found = db.execute(
                "SELECT i.id, i.run_id, i.project_id, i.project_name, i.project_number,"
                " i.sub_job_id, i.sub_job_code, i.sub_job_name"
                " FROM intents AS i JOIN runs AS r ON r.id = i.run_id"
                " WHERE i.state = 'open' AND r.environment = ? AND r.company_id = ?"
                " AND NOT (r.writer_pid = ? AND r.writer_token = ?) ORDER BY i.id",
                (environment, company_id, os.getpid(), _PROCESS_TOKEN),
            ).fetchall()
            intents = []
            for intent_id, run_id, project_id, name, number, *job in found:
                codes = db.execute(
                    "SELECT kind, code_id, full_code, name, old_name FROM intent_codes"
                    " WHERE intent_id = ? ORDER BY id",
                    (intent_id,),
                ).fetchall()
                to_add = tuple(
                    StandardCode(code_id, full_code, "", text, None)
                    for kind, code_id, full_code, text, _old in codes
                    if kind == "add"
                )
                updates = tuple(
                    NameUpdate(code_id, full_code, old or "", text)
                    for kind, code_id, full_code, text, old in codes
                    if kind == "update"
                )
                project = Project(int(project_id), name, number, True)
                sub_job = _sub_job(int(project_id), *job)
                intents.append(OpenIntent(intent_id, run_id, project, to_add, updates, sub_job))
        return intents

    def last_written(self, environment: str, company_id: int) -> dict[int, datetime]:
        """When a run (of any process) last began writing to each project of the company: a
        status read before then may not show what it changed."""
        rows = self._read(
            "SELECT i.project_id, MAX(i.opened_at) FROM intents AS i"
            " JOIN runs AS r ON r.id = i.run_id WHERE r.environment = ? AND r.company_id = ?"
            " GROUP BY i.project_id",
            (environment, company_id),
        )
        return {int(project_id): _when(at) for project_id, at in rows}

    def close_intent(self, intent_id: int, state: IntentState) -> None:
        """An intent the next start found had nothing applied (or was otherwise settled)."""
        with self._write() as db:
            _close_intent(db, intent_id, state, self._clock())

    def record_project(
        self,
        run_id: int,
        result: RefreshResult,
        *,
        intent_id: int | None = None,
        recovered: bool = False,
    ) -> None:
        """One project's outcome and every code change, committed at once, closing its intent
        (`recovered`: recorded by a later start, after the run was interrupted)."""
        project = result.project
        changes = _changes(result)
        request_id = result.error.request_id if result.error is not None else None
        with self._write() as db:
            _require_run(db, run_id)
            if intent_id is not None:
                state = IntentState.RECOVERED if recovered else IntentState.RECORDED
                _close_intent(db, intent_id, state, self._clock())
            cursor = db.execute(
                "INSERT INTO run_projects (run_id, project_id, project_name, project_number,"
                " outcome, message, recorded_at, added, updated, skipped, failed, request_id,"
                " recovered, sub_job_id, sub_job_code, sub_job_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    project.id,
                    project.name,
                    project.project_number,
                    result.outcome.value,
                    result.message,
                    _text(self._clock()),
                    len(result.added),
                    len(result.updated),
                    len(result.skipped),
                    len(result.failed),
                    request_id,
                    int(recovered),
                    *_sub_job_columns(result.sub_job),
                ),
            )
            entry_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO code_changes (entry_id, kind, full_code, name, old_name, new_name,"
                " reason, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        entry_id,
                        c.kind.value,
                        c.full_code,
                        c.name,
                        c.old_name,
                        c.new_name,
                        c.reason,
                        c.request_id,
                    )
                    for c in changes
                ],
            )

    def finish_run(self, run_id: int, *, cancelled: bool = False) -> None:
        status = RunStatus.CANCELLED if cancelled else RunStatus.FINISHED
        with self._write() as db:
            _require_run(db, run_id)
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ? WHERE id = ?",
                (_text(self._clock()), status.value, run_id),
            )

    def last_refreshed(self, company_id: int, environment: str) -> dict[int, datetime]:
        """When each project's own list last had changes made: refreshed, or a run that failed
        part-way after writing some codes or descriptions (verified by the read-back). Its sub
        jobs' entries are their own, not the project's."""
        rows = self._read(
            "SELECT p.project_id, MAX(p.recorded_at) FROM run_projects AS p"
            " JOIN runs AS r ON r.id = p.run_id"
            " WHERE r.company_id = ? AND r.environment = ? AND r.dry_run = 0"
            " AND p.sub_job_id IS NULL"
            " AND (p.outcome = ? OR p.added > 0 OR p.updated > 0)"
            " GROUP BY p.project_id",
            (company_id, environment, RefreshOutcome.REFRESHED.value),
        )
        return {int(project_id): _when(at) for project_id, at in rows}

    def runs(
        self,
        *,
        company_id: int | None = None,
        project_id: int | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[RunSummary]:
        """Newest first. A naive `since` is taken as local time, like datetime.astimezone."""
        where: list[str] = []
        params: list[Any] = []
        if company_id is not None:
            where.append("r.company_id = ?")
            params.append(company_id)
        if project_id is not None:
            where.append(
                "EXISTS (SELECT 1 FROM run_projects AS q WHERE q.run_id = r.id"
                " AND q.project_id = ?)"
            )
            params.append(project_id)
        if since is not None:
            where.append("r.started_at >= ?")
            params.append(_text(since))
        sql = _SUMMARY_SQL
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY r.id ORDER BY r.started_at DESC, r.id DESC LIMIT ?"
        params.append(max(0, limit))
        return [_summary(row) for row in self._read(sql, params)]

    def run_details(self, run_id: int) -> RunDetails:
        """Every project of a run and its code changes; KeyError for an unknown run."""
        with self._reading() as db:
            found = db.execute(_SUMMARY_SQL + " WHERE r.id = ? GROUP BY r.id", (run_id,)).fetchone()
            if found is None:
                raise KeyError(run_id)
            entries = db.execute(
                "SELECT id, project_id, project_name, project_number, outcome, message,"
                " recorded_at, added, updated, skipped, failed, request_id, recovered,"
                " sub_job_id, sub_job_code, sub_job_name"
                " FROM run_projects WHERE run_id = ? ORDER BY id",
                (run_id,),
            ).fetchall()
            changes: dict[int, list[CodeChange]] = {}
            for entry_id, *change in db.execute(
                "SELECT c.entry_id, c.kind, c.full_code, c.name, c.old_name, c.new_name,"
                " c.reason, c.request_id FROM code_changes AS c"
                " JOIN run_projects AS p ON p.id = c.entry_id WHERE p.run_id = ? ORDER BY c.id",
                (run_id,),
            ):
                kind, full_code, name, old_name, new_name, reason, request_id = change
                changes.setdefault(entry_id, []).append(
                    CodeChange(
                        ChangeKind(kind), full_code, name, old_name, new_name, reason, request_id
                    )
                )
        projects = tuple(
            ProjectEntry(
                project_id=int(e[1]),
                project_name=e[2],
                project_number=e[3],
                outcome=RefreshOutcome(e[4]),
                message=e[5],
                recorded_at=_when(e[6]),
                added=e[7],
                updated=e[8],
                skipped=e[9],
                failed=e[10],
                request_id=e[11],
                changes=tuple(changes.get(e[0], ())),
                recovered=bool(e[12]),
                sub_job_id=None if e[13] is None else int(e[13]),
                sub_job_code=e[14],
                sub_job_name=e[15],
            )
            for e in entries
        )
        return RunDetails(_summary(found), projects)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken for writing up front so two writers never deadlock."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise HistoryError(
                    f"The refresh history at {self.path} could not be updated: {_reason(exc)}. "
                    "The refresh itself is not affected."
                ) from exc

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so a run and its projects are read as of the same moment."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                try:
                    yield self._db
                finally:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise HistoryError(
                    f"The refresh history at {self.path} could not be read: {_reason(exc)}."
                ) from exc

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._reading() as db:
            return db.execute(sql, params).fetchall()


def _open(path: Path) -> sqlite3.Connection:
    """Connect, switch to WAL, and bring the schema up to date."""
    return open_wal(
        path,
        busy_ms=BUSY_TIMEOUT_MS,
        pragmas=("foreign_keys = ON",),
        prepare=lambda db: _migrate(db, path),
        check=_check_is_history,
    )


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Apply the migrations this file has not seen yet, all in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"it was written by a newer version of the application (schema {version})"
            )
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                db.execute(statement)
        if version < SCHEMA_VERSION:
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _check_is_history(db: sqlite3.Connection) -> None:
    """NotThisFile for a SQLite file that is not a history: tables but no schema_version (another
    application's), or a version whose tables are not all there."""
    tables = {
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if not tables:
        return  # a new, empty file
    foreign = NotThisFile("it is not a refresh history: it holds another application's tables")
    if "schema_version" not in tables:
        raise foreign
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    version = row[0] if row and isinstance(row[0], int) else 0
    if version > SCHEMA_VERSION:
        return  # a newer application's: left alone (the caller says so)
    if version == 0 and tables != {"schema_version"}:
        raise foreign  # the first migration is one transaction: it leaves all or nothing
    missing = _tables_created(version) - tables
    if missing:
        raise NotThisFile(f"its tables are incomplete: {', '.join(sorted(missing))} missing")


def _tables_created(version: int) -> set[str]:
    """The tables the migrations up to `version` create."""
    return {
        found.group(1)
        for statements in MIGRATIONS[:version]
        for statement in statements
        if (found := re.match(r"\s*CREATE TABLE (\w+)", statement))
    }


def _changes(result: RefreshResult) -> list[CodeChange]:
    changes = [CodeChange(ChangeKind.ADDED, code.full_code, code.name) for code in result.added]
    changes += [
        CodeChange(ChangeKind.UPDATED, u.full_code, u.new_name, u.old_name, u.new_name)
        for u in result.updated
    ]
    for kind, issues in ((ChangeKind.SKIPPED, result.skipped), (ChangeKind.FAILED, result.failed)):
        changes += [
            CodeChange(kind, i.full_code, i.name, reason=i.reason, request_id=i.request_id)
            for i in issues
        ]
    return changes


def _close_intent(
    db: sqlite3.Connection, intent_id: int, state: IntentState, moment: datetime
) -> None:
    db.execute(
        "UPDATE intents SET state = ?, closed_at = ? WHERE id = ?",
        (state.value, _text(moment), intent_id),
    )


def _require_run(db: sqlite3.Connection, run_id: int) -> None:
    if db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
        raise KeyError(run_id)


def _summary(row: Sequence[Any]) -> RunSummary:
    (run_id, started, finished, status, pid, token, user, environment, company_id) = row[:9]
    company_name, dry_run, projects, failed_projects, added, updated, skipped, failed = row[9:]
    state = RunStatus(status)
    if state is RunStatus.RUNNING and (pid != os.getpid() or token != _PROCESS_TOKEN):
        state = RunStatus.INTERRUPTED
    return RunSummary(
        id=run_id,
        started_at=_when(started),
        finished_at=_when(finished) if finished is not None else None,
        status=state,
        user=user,
        environment=environment,
        company_id=int(company_id),
        company_name=company_name,
        dry_run=bool(dry_run),
        projects=projects,
        failed_projects=failed_projects,
        added=added,
        updated=updated,
        skipped=skipped,
        failed=failed,
    )


def _text(moment: datetime) -> str:
    """ISO-8601 in UTC with a fixed width, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _reason(exc: BaseException) -> str:
    text = str(exc).rstrip(".")
    return text or type(exc).__name__


def open_history_or_none() -> HistoryStore | None:
    """The default history, or None (logged) when it cannot be opened: refreshes still work."""
    try:
        return HistoryStore()
    except HistoryError:
        logging.getLogger(__name__).warning("refresh history unavailable", exc_info=True)
        return None


def _sub_job_columns(sub_job: SubJob | None) -> tuple[int | None, str | None, str | None]:
    if sub_job is None:
        return (None, None, None)
    return (sub_job.id, sub_job.code, sub_job.name)


def _sub_job(
    project_id: int, sub_job_id: int | None, code: str | None, name: str | None
) -> SubJob | None:
    if sub_job_id is None:
        return None
    return SubJob(int(sub_job_id), project_id, code or "", name or "")
