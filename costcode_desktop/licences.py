"""The components CostCodeSync ships with and their licences, for Help → About and for packaging.

At run time the list is read from the installed packages' metadata (the dependencies of
costcode-desktop, followed down), so it matches what is really bundled. A frozen build may lack
that metadata: then the table below is used for every bundled module it can import. No Qt here.
"""

from __future__ import annotations

import importlib
import importlib.util
import platform
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata

DISTRIBUTION = "costcode-desktop"

QT_SOURCE = "https://download.qt.io"
QT_CODE = "https://code.qt.io"
LGPL_TERMS = (
    "Used under the GNU LGPL version 3. You may replace the Qt and PySide6 libraries in "
    "CostCodeSync with your own build of them."
)
LGPL_NOTE = f"{LGPL_TERMS} Their source code is at {QT_SOURCE} and {QT_CODE}."


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Known:
    """What the table says of a distribution: its licence, home page and importable module."""

    name: str
    licence: str
    url: str
    module: str  # imported to find a frozen build's copy (and its __version__)
    note: str = ""
    used_under: bool = False  # the licence we use it under overrides the one declared


# Every distribution a release bundles, by normalised name (see `normalise`).
KNOWN: dict[str, Known] = {
    "pyside6-essentials": Known(
        "PySide6", "LGPL-3.0-only", "https://pyside.org", "PySide6", LGPL_NOTE, used_under=True
    ),
    "pyside6": Known(
        "PySide6", "LGPL-3.0-only", "https://pyside.org", "PySide6", LGPL_NOTE, used_under=True
    ),
    "shiboken6": Known(
        "shiboken6", "LGPL-3.0-only", "https://pyside.org", "shiboken6", LGPL_NOTE, True
    ),
    "httpx": Known("httpx", "BSD-3-Clause", "https://www.python-httpx.org", "httpx"),
    "httpcore": Known("httpcore", "BSD-3-Clause", "https://github.com/encode/httpcore", "httpcore"),
    "h11": Known("h11", "MIT", "https://github.com/python-hyper/h11", "h11"),
    "anyio": Known("anyio", "MIT", "https://github.com/agronholm/anyio", "anyio"),
    "idna": Known("idna", "BSD-3-Clause", "https://github.com/kjd/idna", "idna"),
    "certifi": Known(
        "certifi",
        "MPL-2.0",
        "https://github.com/certifi/python-certifi",
        "certifi",
        "Source code: https://github.com/certifi/python-certifi",
    ),
    "sniffio": Known(
        "sniffio", "MIT OR Apache-2.0", "https://github.com/python-trio/sniffio", "sniffio"
    ),
    "truststore": Known(
        "truststore", "MIT", "https://github.com/sethmlarson/truststore", "truststore"
    ),
    "keyring": Known("keyring", "MIT", "https://github.com/jaraco/keyring", "keyring"),
    "jaraco-classes": Known(
        "jaraco.classes", "MIT", "https://github.com/jaraco/jaraco.classes", "jaraco.classes"
    ),
    "jaraco-context": Known(
        "jaraco.context", "MIT", "https://github.com/jaraco/jaraco.context", "jaraco.context"
    ),
    "jaraco-functools": Known(
        "jaraco.functools", "MIT", "https://github.com/jaraco/jaraco.functools", "jaraco.functools"
    ),
    "more-itertools": Known(
        "more-itertools",
        "MIT",
        "https://github.com/more-itertools/more-itertools",
        "more_itertools",
    ),
    "backports-tarfile": Known(
        "backports.tarfile",
        "MIT",
        "https://github.com/jaraco/backports.tarfile",
        "backports.tarfile",
    ),
    "importlib-metadata": Known(
        "importlib_metadata",
        "Apache-2.0",
        "https://github.com/python/importlib_metadata",
        "importlib_metadata",
    ),
    "zipp": Known("zipp", "MIT", "https://github.com/jaraco/zipp", "zipp"),
    "lazy-importer": Known("lazy-importer", "Apache-2.0", "", "lazy_importer"),
    "pywin32-ctypes": Known(
        "pywin32-ctypes",
        "BSD-3-Clause",
        "https://github.com/enthought/pywin32-ctypes",
        "win32ctypes",
    ),
    "secretstorage": Known(
        "SecretStorage", "BSD-3-Clause", "https://github.com/mitya57/secretstorage", "secretstorage"
    ),
    "jeepney": Known("jeepney", "MIT", "https://gitlab.com/takluyver/jeepney", "jeepney"),
    "cryptography": Known(
        "cryptography",
        "Apache-2.0 OR BSD-3-Clause",
        "https://github.com/pyca/cryptography",
        "cryptography",
    ),
    "cffi": Known("cffi", "MIT", "https://github.com/python-cffi/cffi", "cffi"),
    "pycparser": Known(
        "pycparser", "BSD-3-Clause", "https://github.com/eliben/pycparser", "pycparser"
    ),
    "typing-extensions": Known(
        "typing_extensions",
        "PSF-2.0",
        "https://github.com/python/typing_extensions",
        "typing_extensions",
    ),
    "platformdirs": Known(
        "platformdirs", "MIT", "https://github.com/tox-dev/platformdirs", "platformdirs"
    ),
    "openpyxl": Known("openpyxl", "MIT", "https://foss.heptapod.net/openpyxl/openpyxl", "openpyxl"),
    "et-xmlfile": Known(
        "et_xmlfile", "MIT", "https://foss.heptapod.net/openpyxl/et_xmlfile", "et_xmlfile"
    ),
}

# Listed first, in this order; the rest follow by name.
FIRST = ("Python", "Qt", "PySide6", "shiboken6")

_CLASSIFIERS = {
    "MIT License": "MIT",
    "BSD License": "BSD",
    "Apache Software License": "Apache-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0",
}


def normalise(name: str) -> str:
    """PEP 503 normalisation: 'jaraco.classes' and 'Jaraco_Classes' are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def python_component() -> Component:
    return Component(
        "Python",
        platform.python_version(),
        "PSF-2.0",
        "https://www.python.org",
        "The Python interpreter and standard library.",
    )


def qt_component(version: str) -> Component:
    return Component("Qt", version, "LGPL-3.0-only", "https://www.qt.io", LGPL_NOTE)


def bundled_components(qt_version: str = "") -> list[Component]:
    """Python, Qt (when its version is given) and every bundled package, with licences."""
    found = _from_metadata()
    if found is None:
        found = _from_table()
    extra = [python_component()] + ([qt_component(qt_version)] if qt_version else [])
    return _ordered(extra + found)


def notice_text(components: Iterable[Component]) -> str:
    """A plain-text notice: one line per component, notes below it (for copying, packaging)."""
    lines = []
    for c in components:
        line = f"{c.name} {c.version}".strip() + f" — {c.licence}"
        if c.url:
            line += f" — {c.url}"
        lines.append(line)
        if c.note:
            lines.append(f"    {c.note}")
    return "\n".join(lines)


# -- from package metadata ---------------------------------------------------------------------


def _from_metadata() -> list[Component] | None:
    """The installed dependency tree of costcode-desktop, or None without its metadata."""
    try:
        roots = metadata.requires(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    seen: dict[str, Component] = {}
    queue = list(_requirement_names(roots or []))
    while queue:
        name = queue.pop(0)
        key = normalise(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            # Not installed (another platform's), or bundled without its metadata.
            known = KNOWN.get(key)
            if known is not None and _importable(known.module):
                seen[key] = _from_known(known)
            continue
        seen[key] = _component(key, dist)
        queue.extend(_requirement_names(dist.requires or []))
    if getattr(sys, "frozen", False):  # what the bundle holds, even where metadata is missing
        for key, known in KNOWN.items():
            if key not in seen and _importable(known.module):
                seen[key] = _from_known(known)
    return _merge_pyside(list(seen.values()))


def _requirement_names(requirements: Iterable[str]) -> Iterable[str]:
    for requirement in requirements:
        if re.search(r"\bextra\s*==", requirement):
            continue  # an optional extra (tests, docs): not bundled
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match:
            yield match.group(1)


def _component(key: str, dist: metadata.Distribution) -> Component:
    known = KNOWN.get(key)
    meta = dist.metadata
    declared = _declared_licence(meta)
    licence = declared or (known.licence if known else "see the package")
    if known is not None and known.used_under:
        licence = known.licence
    url = known.url if known else _home_page(meta)
    name = known.name if known else _field(meta, "Name") or key
    return Component(name, dist.version, licence, url, known.note if known else "")


def _declared_licence(meta: metadata.PackageMetadata) -> str:
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    text = _field(meta, "License")
    if text and "\n" not in text and len(text) <= 60:  # a name, not the whole licence text
        return text
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            tail = str(classifier).split("::")[-1].strip()
            return _CLASSIFIERS.get(tail, tail)
    return ""


def _home_page(meta: metadata.PackageMetadata) -> str:
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"}:
            return url.strip()
    return _field(meta, "Home-page")


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    values = meta.get_all(name) or []
    return str(values[0]).strip() if values else ""


def _merge_pyside(components: list[Component]) -> list[Component]:
    """PySide6 may be installed as PySide6 or PySide6-Essentials: list it once."""
    result: list[Component] = []
    names: set[str] = set()
    for component in components:
        if component.name in names:
            continue
        names.add(component.name)
        result.append(component)
    return result


# -- from the table (a frozen build without metadata) -------------------------------------------


def _from_table() -> list[Component]:
    result: dict[str, Component] = {}
    for known in KNOWN.values():
        if known.name not in result and _importable(known.module):
            result[known.name] = _from_known(known)
    return list(result.values())


def _from_known(known: Known) -> Component:
    return Component(
        known.name, _module_version(known.module), known.licence, known.url, known.note
    )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _module_version(module: str) -> str:
    try:
        loaded = importlib.import_module(module)
    except Exception:  # a version is a nicety: never let it break the About box
        return ""
    return str(getattr(loaded, "__version__", ""))


def _ordered(components: list[Component]) -> list[Component]:
    def key(c: Component) -> tuple[int, str]:
        rank = FIRST.index(c.name) if c.name in FIRST else len(FIRST)
        return rank, c.name.casefold()

    return sorted(components, key=key)
