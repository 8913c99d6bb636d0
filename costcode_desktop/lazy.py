"""Names of a package that load on first use (PEP 562), so a first paint imports only what it
shows. The procore and services packages use it for their re-exported names."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, home: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `name` from the module `home[name]` (relative to
    `package` when it starts with a dot) the first time it is asked for, then keeps it."""
    namespace = importlib.import_module(package).__dict__

    def load(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value  # found once; later lookups are ordinary
        return value

    return load
