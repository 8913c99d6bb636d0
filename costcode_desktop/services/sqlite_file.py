"""Opening the app's own SQLite files (the history, the cache) the same way: WAL, a busy
timeout for the other process that may be writing, and the schema checked before first use."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path


def open_wal(
    path: Path,
    *,
    busy_ms: int,
    pragmas: Sequence[str] = (),
    prepare: Callable[[sqlite3.Connection], None],
) -> sqlite3.Connection:
    """Connect (one connection shared by threads behind the caller's lock), switch to WAL, set
    `pragmas`, then `prepare` the schema; the connection is closed if any of that fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute(f"PRAGMA busy_timeout = {busy_ms}")
        db.execute("PRAGMA journal_mode = WAL")  # stays 'delete' where WAL is unavailable
        for pragma in pragmas:
            db.execute(f"PRAGMA {pragma}")
        prepare(db)
    except BaseException:
        db.close()
        raise
    return db
