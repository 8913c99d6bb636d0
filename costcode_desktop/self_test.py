"""`costcode-desktop --self-test`: proves that an installed or frozen build works end to end.

It drives the real main window, offscreen, on the built-in demo sandbox in a throw-away home
folder: load the company, refresh one out-of-date project, check the read-back, export the
comparison, find the run in the history. Each step prints one line; the exit code is 0 only if
every step passed. A missing Qt plugin, data file or hidden import fails a step with its name.
"""

from __future__ import annotations

import importlib
import logging
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QObject, QTimer, Signal

from costcode_desktop.costcodes import DiffStatus, plural
from costcode_desktop.services import ProjectState, RefreshOutcome, status_after_refresh
from costcode_desktop.services.bulk import RefreshRun
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.refresh.before_dialog import unsendable_codes

log = logging.getLogger(__name__)
TIMEOUT_MS = 180_000
MIN_DRAWN_COLOURS = 8  # distinct colours a drawn window shows at the least

# The keyring backend each platform needs; keyring finds backends at run time, so a frozen
# build only has them if they were bundled as hidden imports.
KEYRING_BACKENDS = {
    "win32": "keyring.backends.Windows",
    "darwin": "keyring.backends.macOS",
    "linux": "keyring.backends.SecretService",
}


@dataclass
class Step:
    name: str
    ok: bool
    detail: str
    seconds: float


class StepFailed(Exception):
    """A check did not hold; the message says what was seen."""


def check_bundle() -> str:
    """Modules and data files that are loaded lazily, so a frozen build may lack them."""
    for module in ("sqlite3", "ssl", "openpyxl", "truststore", "keyring"):
        importlib.import_module(module)
    backend = KEYRING_BACKENDS.get(sys.platform)
    if backend:
        importlib.import_module(backend)
        # keyring finds backends through entry points: the package metadata must be there too.
        found = {ep.value for ep in metadata.entry_points(group="keyring.backends")}
        if backend not in found:
            raise StepFailed(f"keyring's metadata does not list {backend}")
    data = resources.files("costcode_desktop.sandbox") / "data"
    csvs = [item.name for item in data.iterdir() if item.name.endswith(".csv")]
    if not csvs:
        raise StepFailed("the sandbox's data files are missing")
    from costcode_desktop.ui.kit.icons import app_icon

    icon = app_icon()
    if icon.isNull() or not icon.availableSizes():
        raise StepFailed("the application icon is missing")
    from costcode_desktop.procore.network import tls_setup

    tls = tls_setup()
    if tls.problem:
        raise StepFailed(tls.problem)
    if "truststore" not in tls.store and tls.bundle is None:
        raise StepFailed(f"HTTPS would not use the system's certificates: {tls.store}")
    from costcode_desktop.licence_texts import read_licences

    licences = read_licences()
    missing = [c.name for c in licences.components if not licences.texts[c.name]]
    if missing:
        raise StepFailed(f"licence texts missing for {', '.join(missing)}")
    return (
        f"keyring backend {backend or 'default'}, system certificates, icon, "
        f"{len(licences.components)} licences, {len(csvs)} data files"
    )


def check_keyring() -> str:
    """Save, read back and delete a secret longer than one Windows credential (so it is split),
    where this computer has a password store; without one, say so: sign-ins then last for the
    session, which the app already explains."""
    from costcode_desktop.services.secrets import SecretStore

    store = SecretStore()
    if not store.available():
        return "no password store on this computer: sign-ins would last for the session only"
    key = f"self-test/{uuid.uuid4().hex}"
    value = secrets.token_urlsafe(2_300)  # about 3,000 characters: stored in several parts
    store.set(key, value)
    try:
        if store.get(key) != value:
            raise StepFailed(f"{store.location} gave back a different value")
    finally:
        store.delete(key)
    if store.get(key) is not None:
        raise StepFailed(f"{store.location} kept the entry after it was deleted")
    return f"saved, read back and deleted a {len(value):,}-character secret in {store.location}"


class SelfTest(QObject):
    """Runs the steps one after another, each started by the signal the previous one awaits."""

    finished = Signal(bool)  # passed

    def __init__(self, window: MainWindow, folder: Path, out: TextIO | None) -> None:
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.out = out
        self.steps: list[Step] = []
        self.pending = ""
        self._started = self._step_started = time.perf_counter()
        self._finished = False
        self.project_name = ""

    # -- bookkeeping -----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        log.info("self-test: %s", text.strip())
        if self.out is not None:  # a windowed build on Windows has no console
            print(text, file=self.out, flush=True)

    def _begin(self, name: str) -> None:
        self.pending = name
        self._step_started = time.perf_counter()

    def _passed(self, detail: str) -> None:
        seconds = time.perf_counter() - self._step_started
        self.steps.append(Step(self.pending, True, detail, seconds))
        self._say(f"  ok    {self.pending}: {detail} ({seconds:.1f} s)")

    def _fail(self, detail: str) -> None:
        if self._finished:
            return
        seconds = time.perf_counter() - self._step_started
        self.steps.append(Step(self.pending, False, detail, seconds))
        self._say(f"  FAIL  {self.pending}: {detail}")
        self._finish()

    def _guard(self, action: Callable[[], None]) -> Callable[..., None]:
        """A signal handler whose exceptions fail the current step instead of escaping."""

        def run(*_args: object) -> None:
            if self._finished:
                return
            try:
                action()
            except Exception as exc:
                self._fail(f"{type(exc).__name__}: {exc}")

        return run

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps) and self._finished

    def _finish(self) -> None:
        self._finished = True
        total = time.perf_counter() - self._started
        if all(step.ok for step in self.steps):
            self._say(f"Self-test passed: {len(self.steps)} steps in {total:.1f} s.")
        else:
            self._say(f"Self-test FAILED at '{self.pending}'.")
        self.window.close()
        self.finished.emit(self.passed)

    # -- the steps -------------------------------------------------------------------------

    def start(self) -> None:
        self._say(f"CostCodeSync self-test in {self.folder}")
        for name, check in (
            ("Bundled modules and data", check_bundle),
            ("The system password store", check_keyring),
        ):
            self._begin(name)
            try:
                self._passed(check())
            except Exception as exc:
                self._fail(f"{type(exc).__name__}: {exc}")
                return
        w = self.window
        w.controller.failed.connect(lambda doing, message, _d: self._fail(f"{doing}: {message}"))
        w.controller.session_opened.connect(self._guard(self._session_opened))
        w.checks_finished.connect(self._guard(self._checked))
        w.refresh_finished.connect(self._on_refreshed)
        w.controller.export_finished.connect(self._guard(self._exported))
        QTimer.singleShot(TIMEOUT_MS, self._timed_out)
        self._begin("Start the demo sandbox and sign in")
        w.open_demo(reset=True)

    def _timed_out(self) -> None:
        self._fail(f"no answer within {TIMEOUT_MS // 1000} s")

    def _session_opened(self) -> None:
        session = self.window.controller.session
        assert session is not None
        self._passed(f"signed in as {session.user.name} at {session.company.name}")
        self._begin("Load the company list and check every project")

    def _checked(self) -> None:
        if self.pending != "Load the company list and check every project":
            return  # projects re-checked after the refresh
        rows = self.window.projects.model.rows()
        stale = [row for row in rows if row.out_of_date]  # services.standing's rule
        errors = [row for row in rows if row.status and row.status.state is ProjectState.ERROR]
        if errors:
            raise StepFailed(f"'{errors[0].project.name}': {errors[0].status}")
        if not stale:
            raise StepFailed(f"{len(rows)} projects, none out of date; the demo seed is wrong")
        text = f"{len(rows)} projects, {len(stale)} out of date"
        jobs = sum(1 for row in self.window.projects.model.sub_job_rows() if row.out_of_date)
        text = f"{text}, and {plural(jobs, 'sub job')}" if jobs else text
        session = self.window.controller.session
        # From signing in to every project compared, as docs/request-budget.md counts a status
        # (the token request aside): the demo's sandbox allows 25 per 10 seconds.
        sent = session.client.request_count if session is not None else 0
        self._passed(f"{text}; {plural(sent, 'API request')}")
        sendable = [row for row in stale if not unsendable_codes([row.status])]
        target = (sendable or stale)[0]
        self.project_name = target.project.name
        self._begin(f"Refresh '{self.project_name}' and verify it")
        if not self.window.projects.select_project(target.project.id):
            raise StepFailed("the project could not be selected")
        self.window.refresh_flow.refresh_selected()
        dialog = self.window.refresh_flow.before_refresh_dialog
        if dialog is not None and dialog.isVisible():
            dialog.go_ahead.emit()
            dialog.close()

    def _on_refreshed(self, run: RefreshRun) -> None:
        self._guard(lambda: self._refreshed(run))()

    def _refreshed(self, run: RefreshRun) -> None:
        if len(run.results) != 1:
            raise StepFailed(f"{len(run.results)} results for one project")
        result = run.results[0]
        if result.outcome is not RefreshOutcome.REFRESHED:
            raise StepFailed(f"{result.outcome.value}: {result.message}")
        status = status_after_refresh(result)
        if status is None or status.state is not ProjectState.IN_SYNC:
            state = status.state.label if status else "unknown"
            raise StepFailed(f"read back as '{state}', not in sync")
        row = self.window.projects.model.row_for(result.project.id)
        if row is None or row.out_of_date:
            raise StepFailed("the projects list still shows the project as out of date")
        comparison = self.window.compare.comparison
        if comparison is None or comparison.count(DiffStatus.MISSING):
            raise StepFailed("the comparison still shows missing codes")
        self._passed(result.message or "refreshed")
        self._begin("Export the comparison to Excel")
        self.window.export(self.folder / "comparison.xlsx")

    def _exported(self) -> None:
        from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

        path = self.folder / "comparison.xlsx"
        workbook = load_workbook(path, read_only=True)
        rows = sum(1 for _ in workbook.active.iter_rows()) if workbook.active else 0
        workbook.close()
        if rows < 2:
            raise StepFailed(f"{path.name} has {rows} rows")
        self._passed(f"{path.name}, {rows} rows, {path.stat().st_size:,} bytes")
        self._begin("Find the refresh in the history")
        history, session = self.window.controller.history, self.window.controller.session
        if history is None or session is None:
            raise StepFailed("no history store was opened")
        runs = history.runs(company_id=session.company.id, limit=5)
        if not runs or runs[0].projects != 1 or runs[0].added + runs[0].updated == 0:
            raise StepFailed(f"the newest run in the history is {runs[0] if runs else 'missing'}")
        self._passed(f"run {runs[0].id}: {runs[0].added} added, {runs[0].updated} updated")
        self._begin("Draw the window")
        image = self.window.grab().toImage()
        # A grid of samples: text (anti-aliased), tables, state colours give dozens; a window
        # that drew nothing, or only its background, gives one or two.
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 5)
            for y in range(0, image.height(), 5)
        }
        if image.isNull() or len(colours) < MIN_DRAWN_COLOURS:
            n = len(colours)
            raise StepFailed(f"the window drew only {plural(n, 'colour')}: no text")
        self._passed(f"{image.width()}×{image.height()} px, {len(colours)} colours")
        self._finish()
