"""One refresh at a time per environment and company, across the window and costcode-sync.

Two runs refreshing the same company together would each send, and each claim, what the other
added. The lock is a file in the user cache folder, keyed by the environment and the company id,
locked with services.filelock (the OS lets it go when the holder dies, kill -9 included). The
holder writes who it is into the file (the window or costcode-sync, its pid, when it started:
never a secret) so that a second run can say whom it waits for; on release it writes when it
ended, so the next holder knows what it read before may be out of date.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from costcode_desktop.procore import CancelToken

from .cache.known import cache_key
from .filelock import try_lock, unlock
from .paths import cache_dir

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

WINDOW, COMMAND = "window", "costcode-sync"  # who holds the lock
POLL_SECONDS = 0.25  # how often a waiting run tries again
# Tells this process's earlier runs from another process's (pids get reused).
_PROCESS_TOKEN = secrets.token_hex(16)
# Byte 0 is the one msvcrt locks on Windows, and reads of a locked byte fail there: the holder's
# details start after it, so a waiting run can read them.
_HEAD = b"\n"


@dataclass(frozen=True, slots=True)
class LockHolder:
    """The run holding the lock, as it wrote itself into the lock file."""

    who: str  # WINDOW or COMMAND
    pid: int
    started_at: datetime

    def describe(self) -> str:
        """e.g. "costcode-sync pid 4242, started at 10:42" (local time)."""
        at = self.started_at.astimezone().strftime("%H:%M")
        if self.who == WINDOW:
            return f"the window (pid {self.pid}), started at {at}"
        return f"costcode-sync pid {self.pid}, started at {at}"


def waiting_words(holder: LockHolder | None) -> str:
    """What a run says while it waits for the lock."""
    who = holder.describe() if holder is not None else "another CostCodeSync"
    return f"Waiting for the refresh running in {who}."


class RefreshBusy(Exception):
    """Another run holds the lock and this one was asked not to wait."""

    def __init__(self, holder: LockHolder | None) -> None:
        who = holder.describe() if holder is not None else "another CostCodeSync"
        super().__init__(
            f"Another refresh of this company is running, in {who}. Try again when it has "
            "finished, or wait for it (--wait)."
        )
        self.holder = holder


class HeldRefresh:
    """The lock, held until release(); a context manager."""

    def __init__(self, handle: IO[bytes], changed_since: datetime | None) -> None:
        self._handle: IO[bytes] | None = handle
        # When another process's refresh ended (or died) since this process last held the
        # lock: a status read before then may be out of date. None: no such run.
        self.changed_since = changed_since

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _write(handle, {"ended_at": _now().isoformat(), "token": _PROCESS_TOKEN})
        except OSError:
            log.warning("could not note the end of the refresh in the lock file", exc_info=True)
        try:
            unlock(handle.fileno())
        finally:
            handle.close()

    def __enter__(self) -> HeldRefresh:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


class RefreshLock:
    """The lock of one environment and company."""

    def __init__(self, environment: str, company_id: int, *, folder: Path | None = None) -> None:
        self.path = (folder or cache_dir()) / _file_name(environment, company_id)

    def acquire(
        self,
        who: str,
        *,
        wait: bool = True,
        cancel: CancelToken | None = None,
        on_wait: Callable[[LockHolder | None], None] | None = None,
    ) -> HeldRefresh | None:
        """Hold the lock. Busy: raise RefreshBusy without `wait`; with it, tell `on_wait` whom
        it waits for (again when that changes) and try again until free, or None if cancelled."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        handle = self.path.open("r+b")
        told: object = ()  # nothing told yet
        try:
            while True:
                try:
                    try_lock(handle.fileno())
                    break
                except OSError:
                    holder = self.holder()
                    if not wait:
                        raise RefreshBusy(holder) from None
                    if holder != told and on_wait is not None:
                        on_wait(holder)
                    told = holder
                    if cancel is not None and cancel.wait(POLL_SECONDS):
                        handle.close()
                        return None
                    if cancel is None:
                        time.sleep(POLL_SECONDS)
            changed_since = _changed_since(_read(handle))
            _write(
                handle,
                {
                    "who": who,
                    "pid": os.getpid(),
                    "started_at": _now().isoformat(),
                    "token": _PROCESS_TOKEN,
                },
            )
        except BaseException:
            handle.close()
            raise
        return HeldRefresh(handle, changed_since)

    def holder(self) -> LockHolder | None:
        """Who holds the lock, as far as the file says (None: unknown, or nobody)."""
        try:
            with self.path.open("rb") as handle:
                return _holder(_read(handle))
        except OSError:
            return None


def company_lock(session: Session) -> RefreshLock:
    """The refresh lock of the session's environment and company."""
    return RefreshLock(cache_key(session.environment), session.company.id)


def _file_name(environment: str, company_id: int) -> str:
    """A file name per environment and company; a custom server's address is hashed in."""
    safe = re.sub(r"[^A-Za-z0-9]+", "-", environment).strip("-")[:40] or "environment"
    if safe != environment:
        safe += "-" + hashlib.sha256(environment.encode()).hexdigest()[:10]
    return f"refresh-{safe}-{int(company_id)}.lock"


def _read(handle: IO[bytes]) -> dict[str, Any]:
    try:
        handle.seek(len(_HEAD))
        found = json.loads(handle.read().decode("utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write(handle: IO[bytes], fields: dict[str, Any]) -> None:
    handle.seek(len(_HEAD))
    handle.write(json.dumps(fields).encode("utf-8"))
    handle.truncate()
    handle.flush()


def _holder(fields: dict[str, Any]) -> LockHolder | None:
    try:
        if "ended_at" in fields:
            return None
        return LockHolder(
            str(fields["who"]), int(fields["pid"]), datetime.fromisoformat(fields["started_at"])
        )
    except (KeyError, TypeError, ValueError):
        return None


def _changed_since(previous: dict[str, Any]) -> datetime | None:
    """When the previous holder, if another process, ended: a holder that died without saying
    counts as ending now, since its writes may have landed any time until then."""
    if not previous or previous.get("token") == _PROCESS_TOKEN:
        return None
    try:
        return datetime.fromisoformat(previous["ended_at"])
    except (KeyError, TypeError, ValueError):
        return _now()


def _now() -> datetime:
    return datetime.now(UTC)
