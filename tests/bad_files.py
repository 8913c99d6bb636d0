"""Ways the application's SQLite files go bad, to put in their place before a test opens them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

# Each makes the file at `path` bad; `good` first writes a good one there (for the truncations).
Spoil = Callable[[Path, Callable[[Path], None]], None]


def _garbage(path: Path, good: Callable[[Path], None]) -> None:
    path.write_bytes(b"this is not a database, whatever it was" * 200)


def _zeros(path: Path, good: Callable[[Path], None]) -> None:
    path.write_bytes(bytes(64 * 1024))


def _cut(fraction: float) -> Spoil:
    def spoil(path: Path, good: Callable[[Path], None]) -> None:
        good(path)
        data = path.read_bytes()
        path.write_bytes(data[: max(100, int(len(data) * fraction))])

    return spoil


def _header_only(path: Path, good: Callable[[Path], None]) -> None:
    good(path)
    path.write_bytes(path.read_bytes()[:50])  # less than SQLite's 100-byte header


def _folder(path: Path, good: Callable[[Path], None]) -> None:
    path.mkdir()
    (path / "something.txt").write_text("kept", encoding="utf-8")


def _another_app(path: Path, good: Callable[[Path], None]) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, note TEXT)")
    db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    db.execute("CREATE TABLE users (name TEXT)")
    db.execute("INSERT INTO runs (note) VALUES ('another application')")
    db.commit()
    db.close()


BAD_FILES: dict[str, Spoil] = {
    "garbage": _garbage,
    "zeros": _zeros,
    "cut short": _cut(0.5),
    "cut to its header": _header_only,
    "a folder": _folder,
    "another application's": _another_app,
}


def contents(path: Path) -> object:
    """What a bad file (or folder) held, to check that it was kept as it was."""
    if path.is_dir():
        return sorted((p.name, p.read_bytes()) for p in path.iterdir())
    return path.read_bytes()
