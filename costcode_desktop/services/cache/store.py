"""The local cache: the last-read company list, projects, their sub job lists and per-target
results (a project's or a sub job's), in SQLite.

It lets the window show the last-known state the moment it opens, and keeps the application
usable read-only without a network. One file in the user cache folder (WAL, busy timeout), one
connection per store behind a lock, each write one transaction; rows are per environment and
company, each with the time it was read. It holds Procore's records only: no token, no secret.

A cache is never worth a crash. A file SQLite cannot read is moved aside (the log says where)
and a new one started; a file of another schema version is emptied and rebuilt; any other
failure is logged and the cache answers as if it were empty.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from costcode_desktop.costcodes import AUTO, CompanyCodes
from costcode_desktop.procore.jsontext import read_json
from costcode_desktop.procore.records import Company, Project
from costcode_desktop.services.company import CompanyList, prepare
from costcode_desktop.services.paths import cache_dir
from costcode_desktop.services.sqlite_file import (
    is_damaged,
    open_wal,
    reason_of,
    set_aside,
    unusable,
)
from costcode_desktop.services.status import ProjectState, ProjectStatus

from . import codec
from .known import Staleness, failure_words
from .saved import SavedComparison, saved_counts

if TYPE_CHECKING:
    from costcode_desktop.services.sub_job_lists import KeptSubJobs

log = logging.getLogger(__name__)

FILE_NAME = "cache.sqlite3"
CORRUPT_SUFFIX = ".corrupt"
BUSY_TIMEOUT_MS = 5_000
# A cache is rebuilt rather than migrated: bump this whenever a table changes, or what a saved
# count means (2: an unsupported code the project already has counts as in sync, and
# unsupported is the ERP connector's rule: a comparison's fingerprint ends with the connector's
# key, so counts saved under another connector are counted again; 3 and 4: codes keep their
# cost types, on top of 2; 5: each project's sub job list, and each sub job's result).
SCHEMA_VERSION = 5
_SCHEMA = (
    """CREATE TABLE companies (
        environment TEXT NOT NULL,
        company_id INTEGER NOT NULL,
        company_name TEXT NOT NULL,
        list TEXT NOT NULL,
        codes BLOB NOT NULL,
        fingerprint TEXT NOT NULL,
        list_read_at TEXT NOT NULL,
        list_changed_at TEXT NOT NULL,
        projects BLOB NOT NULL,
        projects_read_at TEXT NOT NULL,
        PRIMARY KEY (environment, company_id)
    )""",
    """CREATE TABLE projects (
        environment TEXT NOT NULL,
        company_id INTEGER NOT NULL,
        project_id INTEGER NOT NULL,
        project TEXT NOT NULL,
        state TEXT NOT NULL,
        message TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        fingerprint TEXT,
        counts TEXT,
        codes BLOB,
        failure TEXT NOT NULL DEFAULT '',
        failed_at TEXT,
        failed_doing TEXT NOT NULL DEFAULT 'check',
        PRIMARY KEY (environment, company_id, project_id)
    )""",
    # A project's sub jobs as last listed (jobs '[]': it had none), and when: a status lists
    # them again only once that is older than services.sub_job_lists.SUB_JOBS_FRESH_FOR.
    """CREATE TABLE sub_jobs (
        environment TEXT NOT NULL,
        company_id INTEGER NOT NULL,
        project_id INTEGER NOT NULL,
        jobs TEXT NOT NULL,
        read_at TEXT NOT NULL,
        PRIMARY KEY (environment, company_id, project_id)
    )""",
    # A sub job's last result, as `projects` keeps a project's; the sub job itself (code, name)
    # is the one in its project's list, and goes when the list no longer names it.
    """CREATE TABLE sub_job_results (
        environment TEXT NOT NULL,
        company_id INTEGER NOT NULL,
        project_id INTEGER NOT NULL,
        sub_job_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        message TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        fingerprint TEXT,
        counts TEXT,
        codes BLOB,
        PRIMARY KEY (environment, company_id, project_id, sub_job_id)
    )""",
)
_OWN_TABLES = ("projects", "sub_jobs", "sub_job_results")  # rows per project, per company
Clock = Callable[[], datetime]


class CacheUnavailable(Exception):
    """The cache file could not be opened or made anew; the application runs without one."""


@dataclass(frozen=True)
class CachedCompany:
    """One company's last-known state, as the window and `status --cached` start from it."""

    environment: str
    company: Company
    company_list: CompanyList  # its read_at: when the list was read
    list_changed_at: datetime  # when the list was first seen as it is now
    projects: list[Project]
    projects_read_at: datetime
    statuses: dict[int, ProjectStatus]  # each with its checked_at; comparisons load lazily
    marks: dict[int, Staleness]  # a failure recorded after the status was read
    # Sub jobs' results, keyed (project id, sub job id), of the sub jobs their project's
    # cached list still names.
    sub_job_statuses: dict[tuple[int, int], ProjectStatus] = field(default_factory=dict)

    @property
    def as_of(self) -> datetime:
        """When this company's state was last read, for 'as of 10:42'."""
        newest = max((s.checked_at for s in self.statuses.values()), default=None)
        return max(self.projects_read_at, newest) if newest else self.projects_read_at


class CacheStore:
    """Safe to share between worker threads, and between processes (the CLI and the window)."""

    def __init__(self, path: Path | None = None, *, clock: Clock | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._fingerprints: dict[int, tuple[CompanyList, str]] = {}
        try:
            self.path = path or cache_dir() / FILE_NAME
            self._db: sqlite3.Connection | None = _open_or_replace(self.path)
        except (sqlite3.Error, OSError) as exc:
            raise CacheUnavailable(f"The cache could not be opened: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> CacheStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------

    def save_company(
        self,
        environment: str,
        company: Company,
        company_list: CompanyList,
        projects: Sequence[Project],
        *,
        projects_read_at: datetime | None = None,
    ) -> datetime | None:
        """The company list and project list just read; projects no longer listed go.

        Returns when the list last changed (None if the cache could not be written)."""
        rows = codec.standard_rows(company_list.codes)
        fingerprint = self._remember_fingerprint(company_list, _fingerprint_of(company_list, rows))
        read_at = _text(company_list.read_at)
        values = [
            environment,
            company.id,
            company.name,
            json.dumps(codec.list_row(company_list.list)),
            codec.packed(rows),
            fingerprint,
            read_at,
            read_at,  # list_changed_at, unless the list is as it was
            codec.projects_blob(projects),
            _text(projects_read_at or self._clock()),
        ]
        listed = {p.id for p in projects}
        changed: list[datetime] = []

        def work(db: sqlite3.Connection) -> None:
            found = db.execute(
                "SELECT fingerprint, list_changed_at FROM companies"
                " WHERE environment = ? AND company_id = ?",
                (environment, company.id),
            ).fetchone()
            if found is not None and found[0] == fingerprint:
                values[7] = found[1]
            changed.append(_when(str(values[7])))
            db.execute(
                "INSERT OR REPLACE INTO companies (environment, company_id, company_name, list,"
                " codes, fingerprint, list_read_at, list_changed_at, projects, projects_read_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            for table in _OWN_TABLES:
                kept = db.execute(
                    f"SELECT project_id FROM {table} WHERE environment = ? AND company_id = ?",
                    (environment, company.id),
                ).fetchall()
                db.executemany(
                    f"DELETE FROM {table} WHERE environment = ? AND company_id = ?"
                    " AND project_id = ?",
                    [(environment, company.id, pid) for (pid,) in kept if pid not in listed],
                )

        return changed[0] if self._write(work) else None

    def save_statuses(
        self, environment: str, company_list: CompanyList, statuses: Iterable[ProjectStatus]
    ) -> None:
        """Checks' or read-backs' results, a project's or a sub job's. A failed check keeps
        the project's last known result and records the failure beside it; a sub job's last
        known result is kept as it was."""
        fingerprint = self._fingerprint(company_list)
        company_id = company_list.company_id
        rows = [(s, _status_row(environment, company_id, fingerprint, s)) for s in statuses]

        def work(db: sqlite3.Connection) -> None:
            for status, row in rows:
                if status.sub_job is not None:
                    _save_sub_job_result(db, row, status)
                    continue
                if status.state is ProjectState.ERROR and _mark_known(db, row[:3], status):
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO projects (environment, company_id, project_id,"
                    " project, state, message, checked_at, fingerprint, counts, codes)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )

        if rows:
            self._write(work)

    def save_failure(
        self, environment: str, company_id: int, project_id: int, mark: Staleness
    ) -> None:
        """A refresh failed without reading the project back: its last result stays, marked."""
        when = _text(mark.failed_at) if mark.failed_at else None
        self._write(
            lambda db: db.execute(
                "UPDATE projects SET failure = ?, failed_at = ?, failed_doing = ?"
                " WHERE environment = ? AND company_id = ? AND project_id = ? AND state != ?",
                (
                    mark.failure,
                    when,
                    mark.doing,
                    environment,
                    company_id,
                    project_id,
                    ProjectState.ERROR.value,
                ),
            )
        )

    def save_sub_jobs(
        self, environment: str, company_id: int, project_id: int, kept: KeptSubJobs
    ) -> None:
        """A project's sub job list as read (or with sub jobs found gone taken out); results
        of sub jobs it no longer names go with them."""
        ids = {job.id for job in kept.jobs}
        jobs = codec.sub_jobs_text(kept.jobs)
        key = (environment, company_id, project_id)

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO sub_jobs (environment, company_id, project_id, jobs,"
                " read_at) VALUES (?, ?, ?, ?, ?)",
                (*key, jobs, _text(kept.read_at)),
            )
            found = db.execute(
                "SELECT sub_job_id FROM sub_job_results WHERE environment = ? AND company_id = ?"
                " AND project_id = ?",
                key,
            ).fetchall()
            db.executemany(
                "DELETE FROM sub_job_results WHERE environment = ? AND company_id = ?"
                " AND project_id = ? AND sub_job_id = ?",
                [(*key, sid) for (sid,) in found if sid not in ids],
            )

        self._write(work)

    def sub_job_lists(self, environment: str, company_id: int) -> dict[int, KeptSubJobs]:
        """Each project's kept sub job list, with when it was read ({}: none usable)."""
        rows = self._read(
            "SELECT project_id, jobs, read_at FROM sub_jobs WHERE environment = ?"
            " AND company_id = ?",
            (environment, company_id),
        )
        try:
            return _sub_job_lists(rows)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("the cached sub jobs of company %s could not be read: %s", company_id, exc)
            return {}

    def forget_environment(self, environment: str) -> None:
        """Everything kept for one environment (at sign-out)."""

        def work(db: sqlite3.Connection) -> None:
            for table in _OWN_TABLES:
                db.execute(f"DELETE FROM {table} WHERE environment = ?", (environment,))
            db.execute("DELETE FROM companies WHERE environment = ?", (environment,))

        self._write(work)

    # -- reading -------------------------------------------------------------------------------

    def latest_company(self, environment: str) -> int | None:
        """The company of this environment read most recently, if any."""
        rows = self._read(
            "SELECT company_id FROM companies WHERE environment = ?"
            " ORDER BY projects_read_at DESC LIMIT 1",
            (environment,),
        )
        return int(rows[0][0]) if rows else None

    def read(
        self, environment: str, company_id: int | None = None, *, connector: str = AUTO
    ) -> CachedCompany | None:
        """The company's last-known state (the latest company read when none is named), or None
        when nothing usable is cached. `connector` is the Connection setting, as for a load:
        the codes are checked again under it, so a changed setting shows at once."""
        if company_id is None:
            company_id = self.latest_company(environment)
            if company_id is None:
                return None
        try:
            with self._reading() as db:
                company, projects = _company_rows(db, environment, company_id)
                lists, results = _sub_job_rows(db, environment, company_id)
        except _Skipped:
            return None
        if company is None:
            return None
        try:
            return _cached(environment, company_id, company, projects, connector, (lists, results))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("the cache of company %s could not be read: %s", company_id, exc)
            return None

    @property
    def size(self) -> int:
        """Bytes on disk, the write-ahead log included."""
        total = 0
        for suffix in ("", "-wal"):
            with suppress(OSError):
                total += os.path.getsize(f"{self.path}{suffix}")
        return total

    # -- helpers -------------------------------------------------------------------------------

    def _fingerprint(self, company_list: CompanyList) -> str:
        known = self._fingerprints.get(id(company_list))
        if known is not None and known[0] is company_list:
            return known[1]
        rows = codec.standard_rows(company_list.codes)
        return self._remember_fingerprint(company_list, _fingerprint_of(company_list, rows))

    def _remember_fingerprint(self, company_list: CompanyList, fingerprint: str) -> str:
        if len(self._fingerprints) > 8:  # a few lists at most in one process
            self._fingerprints.clear()
        self._fingerprints[id(company_list)] = (company_list, fingerprint)
        return fingerprint

    def _write(self, work: Callable[[sqlite3.Connection], object]) -> bool:
        """`work` in one transaction, taken for writing up front; False when it was not made. A
        failure is logged and the write dropped: the caller carries on without it."""
        try:
            with self._transaction("BEGIN IMMEDIATE") as db:
                work(db)
        except _Skipped:
            return False
        return True

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so a company and its projects are read as of one moment;
        raises _Skipped when the cache cannot be read."""
        with self._transaction("BEGIN") as db:
            yield db

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            with self._reading() as db:
                return db.execute(sql, params).fetchall()
        except _Skipped:
            return []

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._db
            if db is None:
                raise _Skipped()
            try:
                db.execute(begin)
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._failed(exc)
                raise _Skipped() from exc

    def _failed(self, exc: sqlite3.Error) -> None:
        """Log it; a file found corrupt is moved aside and a new one started (or, if even
        that fails, the cache stays off for this session)."""
        log.warning("the cache could not be used: %s", exc)
        if not is_damaged(exc) or self._db is None:
            return
        self._db.close()
        self._db = None
        try:
            self._db = _open_or_replace(self.path, corrupt=True)
        except (sqlite3.Error, OSError):
            log.warning("the cache stays off for this session", exc_info=True)


class _Skipped(Exception):
    """The cache could not be used this time: a read finds nothing, a write is dropped."""


def _fingerprint_of(company_list: CompanyList, rows: list[list[Any]]) -> str:
    """The list's version and the connector its counts were made under: counts saved under
    another connector (the setting changed) are counted again when read."""
    return f"{codec.fingerprint(company_list.list.id, rows)}/{company_list.connector.key}"


def _company_rows(
    db: sqlite3.Connection, environment: str, company_id: int
) -> tuple[Any, list[Any]]:
    company = db.execute(
        "SELECT company_name, list, codes, fingerprint, list_read_at, list_changed_at,"
        " projects, projects_read_at FROM companies WHERE environment = ? AND company_id = ?",
        (environment, company_id),
    ).fetchone()
    if company is None:
        return None, []
    projects = db.execute(
        "SELECT project_id, project, state, message, checked_at, fingerprint, counts, codes,"
        " failure, failed_at, failed_doing FROM projects WHERE environment = ? AND company_id = ?",
        (environment, company_id),
    ).fetchall()
    return company, projects


def _sub_job_rows(
    db: sqlite3.Connection, environment: str, company_id: int
) -> tuple[list[Any], list[Any]]:
    key = (environment, company_id)
    lists = db.execute(
        "SELECT project_id, jobs, read_at FROM sub_jobs WHERE environment = ? AND company_id = ?",
        key,
    ).fetchall()
    results = db.execute(
        "SELECT project_id, sub_job_id, state, message, checked_at, fingerprint, counts, codes"
        " FROM sub_job_results WHERE environment = ? AND company_id = ?",
        key,
    ).fetchall()
    return lists, results


def _sub_job_lists(rows: Sequence[Any]) -> dict[int, KeptSubJobs]:
    from costcode_desktop.services.sub_job_lists import KeptSubJobs  # checks and refreshes only

    return {
        int(pid): KeptSubJobs(codec.sub_jobs_from(jobs, int(pid)), _when(read_at))
        for pid, jobs, read_at in rows
    }


def _save_sub_job_result(
    db: sqlite3.Connection, row: tuple[Any, ...], status: ProjectStatus
) -> None:
    """A sub job's result, in its own table; a failed check leaves its last known one."""
    assert status.sub_job is not None
    key = (*row[:3], status.sub_job.id)
    if status.state is ProjectState.ERROR:
        found = db.execute(
            "SELECT state FROM sub_job_results WHERE environment = ? AND company_id = ?"
            " AND project_id = ? AND sub_job_id = ?",
            key,
        ).fetchone()
        if found is not None and found[0] != ProjectState.ERROR.value:
            return
    db.execute(
        "INSERT OR REPLACE INTO sub_job_results (environment, company_id, project_id,"
        " sub_job_id, state, message, checked_at, fingerprint, counts, codes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*key, *row[4:]),
    )


def _mark_known(db: sqlite3.Connection, key: tuple[Any, ...], status: ProjectStatus) -> bool:
    """For a failed check: mark the project's last known result, if it has one worth keeping."""
    found = db.execute(
        "SELECT state FROM projects WHERE environment = ? AND company_id = ? AND project_id = ?",
        key,
    ).fetchone()
    if found is None or found[0] == ProjectState.ERROR.value:
        return False
    words = failure_words(status.error, status.message)
    db.execute(
        "UPDATE projects SET failure = ?, failed_at = ?, failed_doing = 'check'"
        " WHERE environment = ? AND company_id = ? AND project_id = ?",
        (words, _text(status.checked_at), *key),
    )
    return True


def _status_row(
    environment: str, company_id: int, fingerprint: str, status: ProjectStatus
) -> tuple[Any, ...]:
    comparison = status.comparison
    if comparison is not None:
        codes: bytes | None = codec.codes_blob(codec.project_codes_of(comparison))
        counts: str | None = codec.counts_text(comparison)
        compared: str | None = fingerprint
    else:
        codes = counts = compared = None
    return (
        environment,
        company_id,
        status.project.id,
        json.dumps(codec.project_row(status.project)),
        status.state.value,
        status.message,
        _text(status.checked_at),
        compared,
        counts,
        codes,
    )


def _cached(
    environment: str,
    company_id: int,
    company: Sequence[Any],
    projects: Sequence[Any],
    connector: str,
    sub_jobs: tuple[Sequence[Any], Sequence[Any]],
) -> CachedCompany:
    name, list_json, codes, fingerprint, list_read_at, changed_at, listed, listed_at = company
    standard = codec.standard_from(codec.unpacked(codes))
    erp_list = codec.list_from(read_json(list_json))
    prepared = prepare(standard, erp_list.name, connector)
    company_list = CompanyList(company_id, erp_list, prepared, _when(list_read_at))
    statuses: dict[int, ProjectStatus] = {}
    marks: dict[int, Staleness] = {}
    for row in projects:
        (pid, project_json, state, message, checked_at, compared_with, counts_json, blob) = row[:8]
        failure, failed_at, doing = row[8:]
        project = codec.project_from(read_json(project_json))
        comparison = _comparison(prepared, fingerprint, compared_with, counts_json, blob)
        statuses[int(pid)] = ProjectStatus(
            project, ProjectState(state), comparison, message, checked_at=_when(checked_at)
        )
        if failure:
            marks[int(pid)] = Staleness(failure, _when(failed_at) if failed_at else None, doing)
    return CachedCompany(
        environment,
        Company(company_id, name),
        company_list,
        _when(changed_at),
        codec.projects_from(listed),
        _when(listed_at),
        statuses,
        marks,
        _sub_job_statuses(prepared, fingerprint, statuses, *sub_jobs),
    )


def _comparison(
    prepared: CompanyCodes,
    fingerprint: str,
    compared_with: str | None,
    counts_json: str | None,
    blob: bytes | None,
) -> SavedComparison | None:
    """A saved comparison: its counts as saved, or counted again when the list (or the
    connector) changed since."""
    if blob is None or counts_json is None:
        return None
    if compared_with == fingerprint and fingerprint.endswith(f"/{prepared.connector.key}"):
        counts, locked = codec.counts_from(counts_json)
    else:  # checked against an older list: count again against this one
        counts, locked = saved_counts(prepared, blob)
    return SavedComparison(prepared, blob, counts, locked)


def _sub_job_statuses(
    prepared: CompanyCodes,
    fingerprint: str,
    statuses: dict[int, ProjectStatus],
    lists: Sequence[Any],
    results: Sequence[Any],
) -> dict[tuple[int, int], ProjectStatus]:
    """Each kept sub job result whose sub job its project's kept list names, in list order."""
    jobs = {
        (job.project_id, job.id): job
        for pid, text, _read_at in lists
        for job in codec.sub_jobs_from(text, int(pid))
    }
    found: dict[tuple[int, int], ProjectStatus] = {}
    for row in results:
        pid, sid, state, message, checked_at, compared_with, counts_json, blob = row
        key = (int(pid), int(sid))
        job, owner = jobs.get(key), statuses.get(int(pid))
        if job is None or owner is None:
            continue
        comparison = _comparison(prepared, fingerprint, compared_with, counts_json, blob)
        found[key] = ProjectStatus(
            owner.project,
            ProjectState(state),
            comparison,
            message,
            checked_at=_when(checked_at),
            sub_job=job,
        )
    return {key: found[key] for key in jobs if key in found}


def _open_or_replace(path: Path, *, corrupt: bool = False) -> sqlite3.Connection:
    """Open the cache; a file that cannot be one (damaged, not SQLite, a folder) is moved aside
    and a new one made. Only the latest such file is kept: it is a cache."""
    reason = "it was found damaged"
    if not corrupt:
        try:
            return _open(path)
        except sqlite3.DatabaseError as exc:
            if not unusable(path, exc):
                raise
            reason = reason_of(path, exc)
            log.warning("the cache at %s cannot be read (%s)", path, reason)
    aside = path.with_name(path.name + CORRUPT_SUFFIX)
    for suffix in ("", "-wal", "-shm"):  # the previous unreadable cache: discarded
        old = Path(f"{aside}{suffix}")
        if old.is_file():
            old.unlink()
    if path.exists():
        moved = set_aside(path, aside, reason)
        log.warning("moved the unreadable cache aside to %s; starting a new one", moved.aside)
    return _open(path)


def _open(path: Path) -> sqlite3.Connection:
    """Connect, switch to WAL, and rebuild the tables if they are of another version."""

    def prepare(db: sqlite3.Connection) -> None:
        if _version(db) != SCHEMA_VERSION:
            _rebuild(db, path)

    # A commit per checked project: without a sync each, 300 take no time. With WAL the file
    # stays whole; a power cut may lose the last few results, which the next check reads.
    return open_wal(
        path, busy_ms=BUSY_TIMEOUT_MS, pragmas=("synchronous = NORMAL",), prepare=prepare
    )


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _rebuild(db: sqlite3.Connection, path: Path) -> None:
    """Drop whatever tables another version left and make this version's, in one transaction
    (another process may be opening the same file)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        found = _version(db)
        if found != SCHEMA_VERSION:
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                db.execute(f'DROP TABLE "{table}"')
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if tables:
                log.info("rebuilt the cache at %s (it was of version %d)", path, found)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _text(moment: datetime) -> str:
    """ISO-8601 in UTC with a fixed width, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def open_cache_or_none(path: Path | None = None) -> CacheStore | None:
    """The default cache, or None (logged) when it cannot be had: everything else still works."""
    try:
        return CacheStore(path)
    except CacheUnavailable:
        log.warning("cache unavailable", exc_info=True)
        return None
