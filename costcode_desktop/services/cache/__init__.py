"""The local cache of the last-read company list, projects and results (SQLite), and what the
window shows from it: last-known state with its age, kept when a check fails."""

from .known import (
    Staleness,
    after_check,
    after_failed_refresh,
    cache_key,
    recheck_order,
    unreachable,
)
from .store import CachedCompany, CacheStore, CacheUnavailable, open_cache_or_none

__all__ = [
    "CacheStore",
    "CacheUnavailable",
    "CachedCompany",
    "Staleness",
    "after_check",
    "after_failed_refresh",
    "cache_key",
    "open_cache_or_none",
    "recheck_order",
    "unreachable",
]
