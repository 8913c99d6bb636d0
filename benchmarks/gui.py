"""GUI benchmarks: a 20,000-code comparison in the table, and GUI-thread stalls during a refresh.

Targets: model reset and filtering fast enough to feel instant (under 100 ms), scrolling a page
under 16 ms, and no GUI-thread stall over 50 ms while a refresh of many projects runs.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui.py [--projects 300] [--demo-runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import COMPANY_ID, project_list, standard_list, status_seed
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from costcode_desktop.costcodes import CompanyCodes, compare
from costcode_desktop.procore import ClientCredentials, ProcoreClient, custom_environment
from costcode_desktop.services.history.store import HistoryStore
from costcode_desktop.services.session import Session
from costcode_desktop.ui.compare.pane import ComparePane
from costcode_desktop.ui.kit.paint import favour_gui_thread
from costcode_desktop.ui.main.window import MainWindow


def measure(app: QApplication, fn: Callable[[], object], runs: int = 7) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        app.processEvents()  # the view handles the reset and repaints
        times.append((time.perf_counter() - start) * 1000)
    return times


def line(label: str, times: list[float], target: float) -> None:
    median = statistics.median(times)
    verdict = "met" if max(times) < target else "MISSED"
    print(f"  {label:<44} median {median:6.1f} ms  max {max(times):6.1f} ms  "
          f"target < {target:.0f} ms: {verdict}")  # fmt: skip


def bench_table(app: QApplication, size: int) -> None:
    standard = standard_list(size)
    comparison = compare(CompanyCodes(standard), project_list(standard, size))
    pane = ComparePane(lambda: None)
    pane.resize(1200, 800)
    pane.show()
    model, view = pane.model, pane.view
    pane.stack.setCurrentWidget(view)
    print(f"Comparison table: {len(comparison.rows):,} rows")
    line(
        "model reset (set_comparison)", measure(app, lambda: model.set_comparison(comparison)), 100
    )
    line(
        "filter: differences only on",
        measure(app, lambda: model.set_filter(differences_only=True)),
        100,
    )
    line(
        "filter: differences only off",
        measure(app, lambda: model.set_filter(differences_only=False)),
        100,
    )
    line("filter: search 'code 12'", measure(app, lambda: model.set_filter(text="code 12")), 100)
    line("filter: clear search", measure(app, lambda: model.set_filter(text="")), 100)
    bar = view.verticalScrollBar()
    step = max(1, bar.pageStep())
    positions = [min(bar.maximum(), i * step * 37) for i in range(40)]
    times = []
    for position in positions:
        start = time.perf_counter()
        bar.setValue(position)
        view.viewport().grab()  # forces a real paint of the visible rows
        times.append((time.perf_counter() - start) * 1000)
    line("scroll a page and repaint (all rows)", times, 16)
    model.set_filter(differences_only=True)  # every visible row now paints a word diff or a tint
    times = []
    for position in positions:
        start = time.perf_counter()
        bar.setValue(min(bar.maximum(), position // 20))
        view.viewport().grab()
        times.append((time.perf_counter() - start) * 1000)
    line("scroll a page and repaint (differences only)", times, 16)
    pane.close()


class StallMeter:
    """Ticks every 5 ms on the GUI thread; the longest gap between ticks is the worst stall."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(10)  # the measure: a 10 ms timer on the GUI thread
        self.timer.timeout.connect(self._tick)
        self.last = 0.0

    def start(self) -> None:
        self.clock.start()
        self.last = 0.0
        self.gaps = []
        self.ends: list[float] = []  # when each gap ended, in ms from start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.gaps.append(now - self.last)
        self.ends.append(now)
        self.last = now

    def longest_at(self) -> tuple[float, float]:
        """The longest gap and when it ended (seconds from start())."""
        index = max(range(len(self.gaps)), key=self.gaps.__getitem__)
        return self.gaps[index], self.ends[index] / 1000


def bench_refresh_stalls(app: QApplication, projects: int, codes: int) -> None:
    print(f"Refresh of {projects} projects x {codes:,} codes through the window (20 ms latency)")
    folder = Path(tempfile.mkdtemp())
    seed_file = folder / "seed.json"
    seed_file.write_text(json.dumps(status_seed(projects, codes)))
    # The sandbox runs in its own process, as Procore would: its work must not count as ours.
    # Unlimited: this measures the GUI thread, not Procore's limits (benchmarks/requests.py).
    server = subprocess.Popen(
        [sys.executable, "-m", "costcode_desktop.sandbox", "--seed", str(seed_file),
         "--latency", "0.02", "--hourly-limit", "0", "--spike-limit", "0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        environment = custom_environment(url, url, key="bench", label="Bench")
        tokens = ClientCredentials(url, "bench", "bench-secret")
        client = ProcoreClient(url, tokens)
        # A service account names its company on /me and /companies.
        user = client.me(company_id=COMPANY_ID)
        companies = client.companies(company_id=COMPANY_ID)
        session = Session(environment, client, user, companies[0], companies, tokens, [tokens])
        window = MainWindow(settings=QSettings(str(folder / "w.ini"), QSettings.Format.IniFormat))
        window.resize(1560, 880)
        window.show()
        meter = StallMeter()
        meter.start()
        start = time.perf_counter()
        # A real event loop (it sleeps between events, as the application's does).
        loop = QEventLoop()
        window.checks_finished.connect(loop.quit)
        window.controller.use_session(session, HistoryStore(folder / "history.sqlite3"))
        loop.exec()
        load_gaps = list(meter.gaps)
        print(f"  load and check {projects} projects: {time.perf_counter() - start:.1f} s; "
              f"longest GUI stall {max(load_gaps):.1f} ms")  # fmt: skip
        window.projects.view.selectAll()
        window.checks_finished.disconnect(loop.quit)
        QTimer.singleShot(300, loop.quit)  # the selection shown and settled before the click
        loop.exec()
        # Half a second past the end: the run's result (the panel, the cost-type checklist)
        # is shown in the gap after its last tick, and that gap counts too.
        window.refresh_finished.connect(_quit_after(loop, 500))
        ended: list[float] = []
        window.refresh_finished.connect(lambda _run: ended.append(time.perf_counter()))
        meter.start()  # from the click: the first gap is the click's answer
        start = time.perf_counter()
        window.refresh_flow.refresh_selected()
        loop.exec()
        meter.stop()
        # The first gap holds the click itself: the banner appears and the window lays out
        # again. The target (no gap over 50 ms) counts it too, from the click to the end.
        first, during = meter.gaps[0], sorted(meter.gaps[1:])
        longest = max(meter.gaps)
        run = window.refresh_flow.last_run
        assert run is not None
        print(f"  refreshed {len(run.results)} projects in {ended[0] - start:.1f} s")
        print(f"  response to the Refresh click (banner shown, window laid out): {first:.1f} ms")
        print(f"  GUI-thread gaps while the refresh ran: {len(during)} ticks, p99 "
              f"{during[int(len(during) * 0.99)]:.1f} ms, longest {during[-1]:.1f} ms")  # fmt: skip
        _gap, at = meter.longest_at()
        print(f"  longest gap from the click to the end: {longest:.1f} ms, ending "
              f"{at:.2f} s after the click (the run ended at {ended[0] - start:.2f} s; "
              f"target < 50 ms: {'met' if longest < 50 else 'MISSED'})")  # fmt: skip
        window.close()
    finally:
        server.terminate()
        server.wait(10)


def _quit_after(loop: QEventLoop, ms: int) -> Callable[[object], None]:
    return lambda _run: QTimer.singleShot(ms, loop.quit)


def bench_demo_refresh(app: QApplication, runs: int) -> None:
    """The demo company as a clerk sees it: every project selected, Refresh, Ok in the
    confirmation; gaps of a 10 ms GUI-thread timer from the click until the re-checks end."""
    from PySide6.QtWidgets import QMessageBox

    from costcode_desktop.services.session import open_demo_session

    print(f"The demo: all projects selected and refreshed, {runs} runs (10 ms timer)")
    longest: list[float] = []
    where: list[float] = []  # when each run's longest gap ended, seconds from the click
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp())
        # As the window opens it: the demo's sandbox in a process of its own, Procore's limits.
        session = open_demo_session(reset=True, own_process=True)
        try:
            window = MainWindow(
                settings=QSettings(str(folder / "w.ini"), QSettings.Format.IniFormat)
            )
            window.show()
            loop = QEventLoop()
            window.checks_finished.connect(loop.quit)
            window.controller.use_session(session, HistoryStore(folder / "history.sqlite3"))
            loop.exec()
            window.projects.view.selectAll()
            app.processEvents()
            meter = StallMeter()
            meter.start()
            window.refresh_flow.refresh_selected()
            dialog = window.refresh_flow.before_refresh_dialog
            if dialog is not None:
                # As a clerk does: the question is on screen before Ok can be clicked (the
                # opening and the click are two gaps, not one).
                QTimer.singleShot(300, dialog.button(QMessageBox.StandardButton.Ok).click)
            window.refresh_finished.connect(_quit_after(loop, 2_000))  # the re-checks settle
            loop.exec()
            meter.stop()
            longest.append(max(meter.gaps))
            where.append(meter.longest_at()[1])
            window.close()
        finally:
            session.close()
    print(f"  longest gap per run: {', '.join(f'{g:.0f}' for g in longest)} ms (ending "
          f"{', '.join(f'{t:.2f}' for t in where)} s after the click); median "
          f"{statistics.median(longest):.0f} ms (target < 50 ms: "
          f"{'met' if max(longest) < 50 else 'MISSED'})")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--codes", type=int, default=1000)
    parser.add_argument("--demo-runs", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("COSTCODESYNC_HOME", tempfile.mkdtemp())
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    favour_gui_thread()  # as the application does (app._application)
    bench_table(app, args.size)
    bench_refresh_stalls(app, args.projects, args.codes)
    bench_demo_refresh(app, args.demo_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
