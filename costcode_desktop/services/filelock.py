"""A lock shared between processes, for work that two copies of the app must not do at once."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class LockTimeout(Exception):
    """Another process held the lock for too long."""


class FileLock:
    """An exclusive lock on a file: held across threads of this process and other processes."""

    def __init__(self, path: Path, *, timeout: float = 60.0) -> None:
        self.path = path
        self.timeout = timeout
        self._thread_lock = threading.RLock()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                _acquire(handle.fileno(), self.timeout, self.path)
                try:
                    yield
                finally:
                    unlock(handle.fileno())


def _acquire(fd: int, timeout: float, path: Path) -> None:
    """Try without blocking until `timeout`: a blocking lock could not be given up on."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            try_lock(fd)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise LockTimeout(f"{path} is locked by another CostCodeSync.") from None
            time.sleep(0.05)


if sys.platform == "win32":
    import msvcrt

    def try_lock(fd: int) -> None:
        """Lock the file's first byte at once, or raise OSError (held elsewhere)."""
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def try_lock(fd: int) -> None:
        """Lock the whole file at once, or raise OSError (held elsewhere)."""
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
