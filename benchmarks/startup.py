"""Start-up: the first paint from the cache, and the whole self-test.

First paint: the time from launching `costcode-desktop` to its projects table painted with the
cached rows of a 300-project company (1,000 codes each), beside a bare PySide6 window launched
and painted in the same run; the target is 2x the bare window or less. Each launch is a process
of its own that exits the moment the table (or the bare window) is first painted, so both times
run from the process start to that paint. Also prints the cache's size on disk.

Self-test: whole `--self-test` runs (a process start, Qt, the demo sandbox, 12 projects checked,
one refreshed and read back, an Excel export) from source and, when it has been built, from the
frozen bundle in packaging/dist.

Prints the median and spread of each. Offscreen, as CI runs it.
Run: .venv/bin/python benchmarks/startup.py [--runs 7] [--self-test-runs 5] [--no-self-test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

from build import executable  # noqa: E402

PROJECTS, CODES = 300, 1_000
COMPANY_ID = 4264807  # the demo company: the app starts on the demo's last-known state

# A bare window: QApplication, a main window with an empty table, shown; exits at its first paint.
BARE = textwrap.dedent(
    """
    import os
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                os._exit(0)
            return False

    app = QApplication([])
    window = QMainWindow()
    table = QTableView(window)
    window.setCentralWidget(table)
    watch = FirstPaint()
    table.viewport().installEventFilter(watch)
    window.resize(1640, 880)
    window.show()
    app.exec()
    """
)

# For reference: the same bare window with 300 rows of text in its table (what drawing a filled
# table costs Qt itself: fonts, the header, the cells), no code of ours.
TABLE = BARE.replace(
    "table = QTableView(window)",
    "table = QTableView(window)\n"
    "from PySide6.QtGui import QStandardItem, QStandardItemModel\n"
    "model = QStandardItemModel(300, 9)\n"
    "model.setHorizontalHeaderLabels([f'Column {c}' for c in range(9)])\n"
    "for r in range(300):\n"
    "    for c in range(9):\n"
    "        model.setItem(r, c, QStandardItem(f'cell {r}.{c}'))\n"
    "table.setModel(model)",
)

# The application as a user starts it; exits when the projects table is first painted with rows.
# The app's own first-paint watch (ui/main/first_paint.py, a filter on the table's viewport,
# armed once the cached rows are set) is where it stops: an application-wide filter here would
# run every event of the start through Python, about 24 ms the bare window's filter does not
# cost it. The watch is patched as its module loads, so the app imports in its own order
# (importing it here first would load PySide6 before the app's core layers, see app.CORE_FIRST).
APP = textwrap.dedent(
    """
    import importlib.machinery, os, sys

    def exit_at_paint(module):
        watched = module.FirstPaint.eventFilter
        paint = module.QEvent.Type.Paint

        def stop(self, obj, event):
            if event.type() == paint and obj.parent().model().rowCount() > 0:
                os._exit(0)
            return watched(self, obj, event)

        module.FirstPaint.eventFilter = stop

    class Watch:  # importlib.abc would load importlib.resources and more: not the app's cost
        def find_spec(self, name, path, target=None):
            if name != "costcode_desktop.ui.main.first_paint":
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            load = spec.loader.exec_module
            spec.loader.exec_module = lambda module: (load(module), exit_at_paint(module))
            return spec

    sys.meta_path.insert(0, Watch())
    from costcode_desktop.app import main
    main([])
    os._exit(3)  # the table never had rows
    """
)


def time_runs(command: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    env = dict(env or os.environ, QT_QPA_PLATFORM="offscreen")
    # Compiled modules, as an installed or frozen app has them (the warm-up run writes them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(
                f"{command[:3]} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
    return seconds


def report(label: str, seconds: list[float]) -> None:
    print(
        f"{label:<28} median {statistics.median(seconds):6.3f} s   "
        f"min {min(seconds):6.3f} s   max {max(seconds):6.3f} s   ({len(seconds)} runs)"
    )


def write_cache(home: Path) -> int:
    """A 300-project, 1,000-code company as the app leaves it in the cache; its size in bytes."""
    os.environ["COSTCODESYNC_HOME"] = str(home)
    from costcode_desktop.costcodes import CompanyCodes, ProjectCode, StandardCode, compare
    from costcode_desktop.procore.records import StandardCostCodeList
    from costcode_desktop.services import (
        Company,
        CompanyList,
        Project,
        ProjectState,
        ProjectStatus,
    )
    from costcode_desktop.services.cache import CacheStore
    from costcode_desktop.services.settings import Connection, Settings, save_settings

    save_settings(Settings(connection=Connection(environment="demo")))
    standard = company_codes(StandardCode)
    read_at = datetime.now(UTC) - timedelta(hours=2)
    erp_list = StandardCostCodeList(11, "Sage 300 CRE Standard Cost Code List", True)
    company_list = CompanyList(COMPANY_ID, erp_list, CompanyCodes(standard), read_at)
    projects, statuses = [], []
    for n in range(PROJECTS):
        project = Project(10_000 + n, f"Project {n:03d} of a long name", f"25-{n:03d}", n % 7 != 0)
        codes = [
            ProjectCode(
                1_000_000 + n * CODES + i,
                s.full_code,
                s.code,
                s.name + (" (edited)" if i % 97 == n % 97 else ""),
                s.parent_id,
                s.id,
            )
            for i, s in enumerate(standard)
            if i % 131 != n % 131  # a few codes missing
        ]
        comparison = compare(company_list.prepared, codes)
        state = ProjectState.IN_SYNC if comparison.in_sync else ProjectState.OUT_OF_DATE
        projects.append(project)
        statuses.append(ProjectStatus(project, state, comparison, checked_at=read_at))
    with CacheStore() as cache:
        cache.save_company("demo", Company(COMPANY_ID, "Example Builders"), company_list, projects)
        cache.save_statuses("demo", company_list, statuses)
        cache._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        return cache.size


def company_codes(make: Any) -> list[Any]:
    """Divisions 01 to 20, each followed by 49 codes under it: 1,000 codes."""
    codes = []
    parent = 0
    for index in range(CODES):
        division = f"{index // 50 + 1:02d}"
        if index % 50 == 0:
            parent = index + 1
            codes.append(make(parent, division, division, f"Division {division}", None))
        else:
            code = f"{index % 50:03d}"
            name = f"Code {division}.{code}"
            codes.append(make(index + 1, f"{division}-{code}", code, name, parent))
    return codes


def first_paint(runs: int) -> None:
    print(f"First paint from the cache: {PROJECTS} projects x {CODES:,} codes (offscreen)")
    with tempfile.TemporaryDirectory(prefix="costcodesync-startup-") as home:
        size = write_cache(Path(home))
        env = dict(os.environ, COSTCODESYNC_HOME=home)
        for warm_up in (BARE, TABLE, APP):
            time_runs([sys.executable, "-c", warm_up], 1, env)
        bare, table, app = [], [], []
        for _ in range(runs):  # interleaved, so all meet the same machine load
            bare += time_runs([sys.executable, "-c", BARE], 1, env)
            table += time_runs([sys.executable, "-c", TABLE], 1, env)
            app += time_runs([sys.executable, "-c", APP], 1, env)
    report("bare PySide6 window", bare)
    report("  (with a 300-row table)", table)
    report("CostCodeSync, cached rows", app)
    ratio = statistics.median(app) / statistics.median(bare)
    print(f"{'ratio (target <= 2.0)':<28} {ratio:5.2f}x")
    print(f"{'cache on disk':<28} {size / 1_000_000:5.1f} MB")


def self_test(runs: int) -> None:
    print("Self-test (demo: load, check 12 projects, refresh one, export)")
    source = [sys.executable, "-m", "costcode_desktop.app", "--self-test"]
    report("from source", time_runs(source, runs))
    frozen = executable()
    if frozen.exists():
        report("frozen bundle", time_runs([str(frozen), "--self-test"], runs))
    else:
        print(f"frozen bundle: not built ({frozen}); run packaging/build.py first")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="first-paint launches of each")
    parser.add_argument("--self-test-runs", type=int, default=5)
    parser.add_argument("--no-self-test", action="store_true")
    args = parser.parse_args()
    first_paint(args.runs)
    if not args.no_self_test:
        print()
        self_test(args.self_test_runs)


if __name__ == "__main__":
    main()
