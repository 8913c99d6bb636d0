"""What the window needs for its first paint is all it imports before it: the HTTP client,
openpyxl and the keyring come later, on the worker, when they are used (benchmarks/startup.py
times it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import costcode_desktop.costcodes as costcodes
import costcode_desktop.procore as procore
import costcode_desktop.services as services
import costcode_desktop.services.cache as cache

HEAVY = ("httpx", "openpyxl", "keyring", "truststore", "costcode_desktop.sandbox")


def printed(code: str, home: Path | None = None) -> str:
    """What `code`, run in a Python process of its own (offscreen), printed."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if home is not None:
        env["COSTCODESYNC_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


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
    found = printed(BUILD_THE_WINDOW.format(heavy=HEAVY))
    assert found == "", f"imported before the first paint: {found}"


# The application's own start (the log, the one-window guard, the appearance, the staged window
# and its read of the cache), in its own import order (its first-paint watch is patched as that
# module loads, so nothing here loads PySide6 first), stopped at its first paint; REPORT prints
# what a test looks at.
TO_THE_FIRST_PAINT = """
import importlib.machinery, os, sys

def stop(_self):
    REPORT
    os._exit(0)

class Watch:  # importlib.abc would load importlib.resources and more: not the app's cost
    def find_spec(self, name, path, target=None):
        if name != "costcode_desktop.ui.main.first_paint":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        load = spec.loader.exec_module

        def patched(module):
            load(module)
            module.FirstPaint._emit = stop

        spec.loader.exec_module = patched
        return spec

sys.meta_path.insert(0, Watch())
from costcode_desktop.app import main
main([])
os._exit(3)
"""


def at_the_first_paint(report: str, home: Path) -> str:
    return printed(TO_THE_FIRST_PAINT.replace("REPORT", report), home)


# What waits for after the first paint: the above, logging.handlers (socket, pickle), hashlib
# (OpenSSL), html (only a tooltip Qt would read as HTML needs it), the question asked when
# quitting, the Fusion style of the forced light and dark modes (a start that follows the
# system does without it), and what checks and refreshes use (the threads, the plan).
LATER = (
    *HEAVY,
    "logging.handlers",
    "socket",
    "pickle",
    "hashlib",
    "html",
    "costcode_desktop.ui.main.quit_question",
    "costcode_desktop.ui.kit.fusion",
    "PySide6.QtNetwork",  # the one-window guard listens once the window is on screen
    "concurrent.futures",
    "costcode_desktop.services.checks",
    "costcode_desktop.services.refresh",
    "costcode_desktop.costcodes.plan",
    "costcode_desktop.procore.code_records",
)


def test_the_app_imports_nothing_it_can_do_without_before_its_first_paint(
    isolated_home: Path,
) -> None:
    report = f"print(' '.join(sorted(name for name in {LATER!r} if name in sys.modules)))"
    found = at_the_first_paint(report, isolated_home)
    assert found == "", f"imported before the first paint: {found}"


@pytest.mark.parametrize("package", [services, procore, cache, costcodes], ids=lambda p: p.__name__)
def test_every_name_of_a_lazy_package_is_there(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    for name in names:
        assert getattr(package, name) is not None
    assert set(names) <= set(dir(package))
    with pytest.raises(AttributeError):
        _ = package.no_such_name  # type: ignore[attr-defined]


def test_the_core_layers_the_start_uses_load_before_pyside(isolated_home: Path) -> None:
    """PySide reads the source of every module imported after PySide6.QtCore (for its
    `__feature__` switches); app.CORE_FIRST spares the start that for the layers below ui/."""
    # sys.modules lists the modules in the order their imports began.
    report = (
        "names = list(sys.modules); "
        "print(' '.join(name for name in names[names.index('PySide6.QtCore'):] "
        "if name.startswith('costcode_desktop.') "
        "and not name.startswith(('costcode_desktop.ui', 'costcode_desktop.app'))))"
    )
    late = at_the_first_paint(report, isolated_home)
    assert late == "", f"loaded after PySide6 (add them to app.CORE_FIRST): {late}"
