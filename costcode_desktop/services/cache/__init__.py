"""The local cache of the last-read company list, projects and results (SQLite), and what the
window shows from it: last-known state with its age, kept when a check fails.

The store's names load on first use (PEP 562): the window's panes need only `known`'s, and the
store (SQLite, the codec) is opened on the worker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .known import (
    Staleness,
    after_check,
    after_failed_refresh,
    cache_key,
    recheck_order,
    unreachable,
)

if TYPE_CHECKING:
    from .store import CachedCompany, CacheStore, CacheUnavailable, open_cache_or_none

_IN_STORE = frozenset({"CachedCompany", "CacheStore", "CacheUnavailable", "open_cache_or_none"})

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


def __getattr__(name: str) -> Any:
    if name not in _IN_STORE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".store", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
