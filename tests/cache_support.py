"""Reading a cache file the way a person grepping it would, compressed lists included."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path


def everything_in(path: Path) -> str:
    """The file's bytes, and every value of every table with the compressed ones unpacked."""
    found = [path.read_bytes().decode("latin-1")]
    db = sqlite3.connect(path)
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in db.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                if isinstance(value, bytes):
                    value = zlib.decompress(value).decode()
                found.append(str(value))
    db.close()
    return "\n".join(found)
