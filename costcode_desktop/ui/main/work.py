"""What the controller's work functions do on the worker, and the typed events they return.

Nothing here assigns the window's state: these functions open files, read the cache and import
modules, and return what they found; the controller assigns it on the GUI thread.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from costcode_desktop.costcodes.words import plural
from costcode_desktop.services import RefreshOutcome
from costcode_desktop.services.cache.known import Staleness, failure_words
from costcode_desktop.ui.kit.worker import Job

if TYPE_CHECKING:
    from costcode_desktop.services import (
        CompanyList,
        ProjectRefreshed,
        RefreshResult,
        Session,
    )
    from costcode_desktop.services.cache.store import CachedCompany, CacheStore
    from costcode_desktop.services.history.store import HistoryStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stores:
    """The local files the window works with, opened on the worker: the history and the cache."""

    history: HistoryStore | None
    cache: CacheStore | None


@dataclass(frozen=True, slots=True)
class LastKnown:
    """A company's last-known state from the cache, with when each project was last refreshed."""

    cached: CachedCompany
    last_refreshed: dict[int, datetime]


@dataclass(frozen=True, slots=True)
class Starting:
    """What the window starts from before any request: the stores, and the last-known state."""

    stores: Stores
    last_known: LastKnown | None


# The first paint imports only what it shows; these come before the first refresh does, so the
# click does not pay for importing them on the GUI thread (about 0.1-0.2 s, measured).
MODULES_FOR_A_REFRESH = (
    "costcode_desktop.services.bulk",
    "costcode_desktop.services.preview",
    "costcode_desktop.ui.refresh.bulk_dialog",
    "costcode_desktop.ui.refresh.before_dialog",
    "costcode_desktop.ui.history.window",
)


def load_modules_for_a_refresh(_job: Job) -> None:
    for name in MODULES_FOR_A_REFRESH:
        importlib.import_module(name)


def demo_session(reset: bool, job: Job) -> Session:
    from costcode_desktop.services.session import open_demo_session

    # Its own process: its threads would otherwise slow the window's painting while it works.
    return open_demo_session(reset=reset, cancel=job.cancel, own_process=True)


def closing(store: HistoryStore | CacheStore) -> Callable[[Job], None]:
    return lambda _job: store.close()


def opened(stores: Stores) -> Stores:
    """The stores, each opened if it is not yet (None, logged, if it cannot be)."""
    from costcode_desktop.services.cache.store import open_cache_or_none
    from costcode_desktop.services.history.store import open_history_or_none

    return Stores(stores.history or open_history_or_none(), stores.cache or open_cache_or_none())


def starting(
    environment: str, company_id: int | None, *, forget: bool = False, connector: str = "auto"
) -> Starting:
    """Open the stores and read the last-known state of the company (the latest of the
    environment when none is remembered); `forget` drops the environment's cache instead.
    `connector` is the Connection setting whose code rules apply."""
    stores = opened(Stores(None, None))
    if stores.cache is None or not environment:
        return Starting(stores, None)
    if forget:
        stores.cache.forget_environment(environment)
        return Starting(stores, None)
    known = last_known(stores.cache, stores.history, environment, company_id, connector)
    return Starting(stores, known)


def last_known(
    cache: CacheStore,
    history: HistoryStore | None,
    environment: str,
    company_id: int | None,
    connector: str = "auto",
) -> LastKnown | None:
    from costcode_desktop.services.history.store import HistoryError

    cached = cache.read(environment, company_id, connector=connector)
    if cached is None:
        return None
    refreshed: dict[int, datetime] = {}
    if history is not None:
        try:
            refreshed = history.last_refreshed(cached.company.id, environment)
        except HistoryError:
            log.warning("could not read the refresh history", exc_info=True)
    return LastKnown(cached, refreshed)


def refresh_failure(result: RefreshResult) -> Staleness:
    """The row's mark: why the refresh failed, in a few plain words."""
    reason = failure_words(result.error, result.message)
    if result.error is None and result.failed:  # written part-way: each change says why not
        first = result.failed[0].reason.split(". ")[0].rstrip(".")
        reason = f"{plural(len(result.failed), 'change')} not made: {first}"
    return Staleness(reason, datetime.now(UTC), "refresh")


def remember_refresh(
    cache: CacheStore, environment: str, company_list: CompanyList, event: ProjectRefreshed
) -> None:
    """A refresh's read-back is the target's new result (a project's or a sub job's); a
    project's failure is marked either way."""
    if event.status is not None:
        cache.save_statuses(environment, company_list, [event.status])
    if event.result.outcome is RefreshOutcome.FAILED and event.result.sub_job is None:
        project_id = event.result.project.id
        mark = refresh_failure(event.result)
        cache.save_failure(environment, company_list.company_id, project_id, mark)
