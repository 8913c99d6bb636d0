"""The full licence texts behind Help → About.

Each package's own licence files come from its metadata (wheels ship them in their dist-info,
and the frozen build keeps the dist-info folders). Qt, PySide6 and Python do not ship theirs in
a form we can rely on, so their texts travel with CostCodeSync in costcode_desktop/resources.
Reads files: call it off the GUI thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata, resources

from costcode_desktop.licences import Component, bundled_components

_LGPL = ("LGPL-3.0.txt", "GPL-3.0.txt")  # the LGPL v3 is written as additions to the GPL v3
SHIPPED: dict[str, tuple[str, ...]] = {
    "Python": ("Python-PSF-2.0.txt",),
    "Qt": _LGPL,
    "PySide6": _LGPL,
    "shiboken6": _LGPL,
}
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice)", re.IGNORECASE)


@dataclass(frozen=True)
class LicenceText:
    title: str  # the file it came from
    text: str


@dataclass(frozen=True)
class Licences:
    components: list[Component]
    texts: dict[str, list[LicenceText]]  # by component name; empty when none was found


def read_licences(qt_version: str = "") -> Licences:
    components = bundled_components(qt_version)
    return Licences(components, {c.name: texts_for(c) for c in components})


def texts_for(component: Component) -> list[LicenceText]:
    shipped = SHIPPED.get(component.name)
    if shipped:
        folder = resources.files("costcode_desktop.resources").joinpath("licences")
        return [
            LicenceText(name, folder.joinpath(name).read_text(encoding="utf-8")) for name in shipped
        ]
    return _from_metadata(component.name)


def _from_metadata(name: str) -> list[LicenceText]:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return []
    found: list[LicenceText] = []
    for file in sorted(dist.files or [], key=str):
        if not LICENCE_FILE.match(file.name) or ".dist-info" not in str(file):
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.strip():
            found.append(LicenceText(file.name, text))
    if not found:  # some packages put the whole text in the License field instead
        licence = (dist.metadata.get_all("License") or [""])[0]
        if "\n" in licence.strip():
            found.append(LicenceText("License (from the package's metadata)", licence))
    return found
