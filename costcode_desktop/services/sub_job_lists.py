"""Each project's sub jobs (Sage Extras), for checks and refreshes: kept, not asked every time.

Procore's project list does not say which projects have sub jobs (docs/procore-api.md §10), so
knowing them costs one List Sub Jobs per compared project. Asked at every status, that alone is
Procore's whole hourly budget for a company of 300 projects (docs/request-budget.md). So a list
read is kept in the local cache (services/cache) with when it was read, "no sub jobs" included,
and used again while it is younger than SUB_JOBS_FRESH_FOR; a refresh uses the list its status
used. A user who knows a sub job was just added asks for fresh lists (the window's Reload,
`costcode-sync --reread-sub-jobs`). A sub job the cached list names but Procore no longer has
is noticed by the code read it needs anyway (404): see checks.check_sub_jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.records import SubJob

if TYPE_CHECKING:  # annotations only: the client brings httpx
    from costcode_desktop.procore import ProcoreClient

log = logging.getLogger(__name__)

# How long a project's kept sub job list is used before it is read again. Sub jobs are added
# in Procore by hand, now and then (an owner change, a new Extra in Sage), far more rarely than
# codes drift; a day means a status run each morning, or the window opened each day, reads
# each list once a day at most (P requests a day instead of P per status), and a sub job added
# today is seen tomorrow at the latest, or at once with Reload / --reread-sub-jobs. A sub job
# deleted meanwhile costs nothing more: its code read answers 404 and the list is read again.
SUB_JOBS_FRESH_FOR = timedelta(hours=24)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class KeptSubJobs:
    """A project's sub job list as read at `read_at` (empty: the project had none)."""

    jobs: tuple[SubJob, ...]
    read_at: datetime


class SubJobCache(Protocol):
    """Where the lists are kept between runs: services.cache.store.CacheStore."""

    def sub_job_lists(self, environment: str, company_id: int) -> dict[int, KeptSubJobs]: ...

    def save_sub_jobs(
        self, environment: str, company_id: int, project_id: int, kept: KeptSubJobs
    ) -> None: ...


class SubJobLists:
    """The sub jobs of a company's projects, for one status and the refresh that follows it.

    A project's list comes from, in this order: what this object already has (read or taken
    from the cache once), the cache while younger than `fresh_for`, else Procore (one request,
    then kept in the cache). With `reread`, each project's list is read from Procore the first
    time it is asked for here, whatever the cache holds. Safe to share between the checking
    threads; each project is asked for by one thread at a time.
    """

    def __init__(
        self,
        client: ProcoreClient,
        company_id: int,
        *,
        cache: SubJobCache | None = None,
        environment: str = "",
        clock: Clock | None = None,
        fresh_for: timedelta = SUB_JOBS_FRESH_FOR,
        reread: bool = False,
    ) -> None:
        self.client = client
        self.company_id = company_id
        self.reread = reread
        self._cache = cache
        self._environment = environment
        self._clock = clock or (lambda: datetime.now(UTC))
        self._fresh_for = fresh_for
        self._lock = threading.Lock()
        self._cached: dict[int, KeptSubJobs] | None = None  # the cache's, read on first use
        self._here: dict[int, KeptSubJobs] = {}  # lists this object read or used
        self._read: set[int] = set()  # projects whose list this object read from Procore

    def of(self, project_id: int, *, cancel: CancelToken | None = None) -> tuple[SubJob, ...]:
        """The project's sub jobs: kept, or read now (Procore's errors are the caller's)."""
        with self._lock:
            kept = self._here.get(project_id)
            if kept is None and not self.reread:
                kept = self._fresh_in_cache(project_id)
                if kept is not None:
                    self._here[project_id] = kept
        if kept is not None:
            return kept.jobs
        return self.read(project_id, cancel=cancel)

    def read(self, project_id: int, *, cancel: CancelToken | None = None) -> tuple[SubJob, ...]:
        """The project's sub jobs read from Procore now (one request), and kept."""
        jobs = tuple(self.client.sub_jobs(self.company_id, project_id, cancel=cancel))
        kept = KeptSubJobs(jobs, self._clock())
        with self._lock:
            self._here[project_id] = kept
            self._read.add(project_id)
        self._save(project_id, kept)
        return jobs

    def read_here(self, project_id: int) -> bool:
        """Whether this object read the project's list from Procore (not from the cache)."""
        with self._lock:
            return project_id in self._read

    def drop(self, project_id: int, sub_job_ids: set[int]) -> None:
        """Sub jobs Procore no longer has: out of the kept list (its age unchanged)."""
        with self._lock:
            kept = self._here.get(project_id)
            if kept is None:
                return
            left = KeptSubJobs(tuple(j for j in kept.jobs if j.id not in sub_job_ids), kept.read_at)
            self._here[project_id] = left
        self._save(project_id, left)

    def _fresh_in_cache(self, project_id: int) -> KeptSubJobs | None:
        if self._cached is None:
            self._cached = self._read_cache()
        kept = self._cached.get(project_id)
        if kept is None:
            return None
        age = self._clock() - kept.read_at
        return kept if timedelta(0) <= age < self._fresh_for else None  # a future time: read

    def _read_cache(self) -> dict[int, KeptSubJobs]:
        if self._cache is None:
            return {}
        return self._cache.sub_job_lists(self._environment, self.company_id)

    def _save(self, project_id: int, kept: KeptSubJobs) -> None:
        if self._cache is not None:
            self._cache.save_sub_jobs(self._environment, self.company_id, project_id, kept)
