"""What the window needs for its first paint is all it imports before it: the HTTP client,
openpyxl and the keyring come later, on the worker, when they are used (benchmarks/startup.py
times it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import costcode_desktop.procore as procore
import costcode_desktop.services as services
import costcode_desktop.services.cache as cache

HEAVY = ("httpx", "openpyxl", "keyring", "truststore", "costcode_desktop.sandbox")

BUILD_THE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
import costcode_desktop.app
from costcode_desktop.ui.main.window import MainWindow
window = MainWindow()
window.show()
app.processEvents()
print(" ".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def test_building_and_showing_the_window_imports_nothing_heavy() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", BUILD_THE_WINDOW.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "", f"imported before the first paint: {done.stdout}"


@pytest.mark.parametrize("package", [services, procore, cache], ids=lambda p: p.__name__)
def test_every_name_of_a_lazy_package_is_there(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    for name in names:
        assert getattr(package, name) is not None
    assert set(names) <= set(dir(package))
    with pytest.raises(AttributeError):
        _ = package.no_such_name  # type: ignore[attr-defined]
