"""Opening the app's own SQLite files (the history, the cache, the demo's) the same way: WAL, a
busy timeout for the other process that may be writing, and the schema checked before first use;
and telling a file that is bad in itself (damaged, truncated, not SQLite, a folder, another
application's) from one that is only busy, so the bad one can be moved aside."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


def open_wal(
    path: Path,
    *,
    busy_ms: int,
    pragmas: Sequence[str] = (),
    prepare: Callable[[sqlite3.Connection], None],
    check: Callable[[sqlite3.Connection], None] | None = None,
) -> sqlite3.Connection:
    """Connect (one connection shared by threads behind the caller's lock), `check` that the
    file is the one expected before anything is written to it, switch to WAL, set `pragmas`,
    then `prepare` the schema; the connection is closed if any of that fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if check is not None:
            check(db)
        db.execute("PRAGMA journal_mode = WAL")  # stays 'delete' where WAL is unavailable
        for pragma in pragmas:
            db.execute(f"PRAGMA {pragma}")
        prepare(db)
    except BaseException:
        db.close()
        raise
    return db


# SQLite's answers for a file that is damaged or not a database at all.
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class NotThisFile(sqlite3.DatabaseError):
    """A SQLite file SQLite can read that is not the one expected: another application's, or
    one with the expected tables missing."""


@dataclass(frozen=True, slots=True)
class SetAside:
    """A bad file moved out of the way, so a new one could be started in its place."""

    path: Path  # where it was (and where the new file is)
    aside: Path  # where it is now
    reason: str  # why it could not be used, in SQLite's or our words


def unusable(path: Path, error: BaseException) -> bool:
    """Whether `error`, from opening `path`, says the file itself is bad (damaged, truncated,
    not SQLite, a folder, another application's): moving it aside is the cure. A locked file, a
    full disk or a folder without permission are not: those stay errors."""
    if isinstance(error, NotThisFile) or is_damaged(error):
        return True
    return isinstance(error, sqlite3.OperationalError) and path.is_dir()


def is_damaged(error: BaseException) -> bool:
    """Whether SQLite found the open file damaged or not a database (while using it)."""
    return getattr(error, "sqlite_errorcode", None) in _DAMAGED


def set_aside(path: Path, aside: Path, reason: str) -> SetAside:
    """Move the file (or folder) at `path` to `aside`, or to `aside`-2, -3… when that is taken
    (nothing is overwritten), with its -wal and -shm: they belong to it, and a new file must
    not start with them."""
    target, number = aside, 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        number += 1
        target = aside.with_name(f"{aside.name}-{number}")
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")
    os.replace(path, target)
    return SetAside(path, target, reason)


def dated_aside(path: Path, now: datetime) -> Path:
    """`history.sqlite3.corrupt-20261206-204512` beside `path`: dated, so none replaces another."""
    return path.with_name(f"{path.name}.corrupt-{now.astimezone():%Y%m%d-%H%M%S}")


def reason_of(path: Path, error: BaseException) -> str:
    """Why the file at `path` could not be used: SQLite's words, or ours for a folder."""
    if path.is_dir():
        return "it is a folder, not a file"
    return str(error).rstrip(".") or type(error).__name__


def check_whole(path: Path) -> None:
    """NotThisFile if SQLite's quick check finds the file at `path` damaged (a file cut short
    opens, and fails only where the missing pages are read). For small files: it reads them
    all. Nothing happens when there is no file."""
    if not path.is_file():
        return
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
    finally:
        db.close()
    if found != ["ok"]:
        raise NotThisFile(f"it is damaged: {found[0] if found else 'no answer'}")


def discard(path: Path) -> Path | None:
    """Delete a bad disposable file and its -wal and -shm; a folder is not deleted (it may
    hold anything) but moved aside, and where it went returned."""
    if path.is_dir():
        return set_aside(path, path.with_name(f"{path.name}.not-a-database"), "").aside
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return None
