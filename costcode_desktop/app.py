"""costcode-desktop: QApplication start-up, wiring and the GUI's command-line flags."""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from costcode_desktop import APP_NAME, __version__
from costcode_desktop.display import NO_DISPLAY, display_missing
from costcode_desktop.services import paths

if TYPE_CHECKING:  # PySide6 loads in main(), after the core layers (see CORE_FIRST)
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from costcode_desktop.ui.main.controller import Controller

log = logging.getLogger(__name__)
SCREENSHOT_TIMEOUT_MS = 120_000
WIND_DOWN_MS = 15_000  # at most, for the work to stop and the session to close at exit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="costcode-desktop",
        description="Compare and refresh Procore project cost codes from the company's ERP "
        "list (Sage 300 CRE, Acumatica, Sage Intacct, ...).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the built-in demo company (no account needed)"
    )
    parser.add_argument("--demo-reset", action="store_true", help="with --demo: start over")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PATH",
        help="load everything, select the first out-of-date project, save a PNG and exit",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation offscreen on the demo sandbox (load, refresh one "
        "project, verify, export) and exit 0 if everything works",
    )
    return parser


_qt_started = threading.Event()  # set once the QApplication exists


# The modules outside ui/ that the start reads its cache with, imported before PySide6. Once
# PySide6.QtCore is loaded, PySide reads the source of every module imported after it (looking
# for its `__feature__` switches): 16 ms at start for about 160 modules. These, and the
# standard library they use, do without that (tests/ui/test_startup_imports.py keeps the list
# whole).
CORE_FIRST = (
    "costcode_desktop.services.logging_setup",
    "costcode_desktop.services.status",
    "costcode_desktop.services.out_of_date",
    "costcode_desktop.services.settings",
    "costcode_desktop.services.policy",
    "costcode_desktop.services.cache.store",
    "costcode_desktop.services.history.store",
    "costcode_desktop.costcodes.cost_types",
    "costcode_desktop.resources",
)


def route_qt_messages() -> None:
    """Qt's own warnings go to the log file, not to a console the user never sees."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)
        # While the application is being made (a platform plugin that cannot load says why
        # here) or when Qt is about to abort, the log alone would leave a bare "Aborted".
        if (not _qt_started.is_set() or kind == QtMsgType.QtFatalMsg) and sys.stderr is not None:
            print(message, file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


def window_settings() -> QSettings:
    from PySide6.QtCore import QSettings

    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def main(argv: Sequence[str] | None = None) -> int:
    # No cyclic garbage collection until the first paint: the start makes a few hundred
    # thousand objects (Qt's types and enums, the modules, the cached rows) and keeps nearly
    # all of them, so the collector's passes over them are time lost (11 ms of the start).
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot and not args.demo:
        print("costcode-desktop: --screenshot needs --demo", file=sys.stderr)
        return 2
    if display_missing(os.environ):
        if not (args.self_test or args.screenshot):
            print(f"costcode-desktop: {NO_DISPLAY}", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # they need no screen: choose none
    if args.self_test or args.screenshot:
        gc.enable()  # they paint many times over: a start's few milliseconds do not matter
    if args.self_test:
        return _self_test()
    for name in CORE_FIRST:
        importlib.import_module(name)
    app, log_path = _application(to_console=bool(args.screenshot))
    log.info("CostCodeSync %s starting (%s); log at %s", __version__,
             "demo" if args.demo else "Procore", log_path)  # fmt: skip

    from costcode_desktop.ui.dialogs.crash import CrashReporter
    from costcode_desktop.ui.kit.appearance import apply_appearance, saved_appearance
    from costcode_desktop.ui.main.single_instance import SingleInstance
    from costcode_desktop.ui.main.window import MainWindow

    guard = SingleInstance(parent=app)
    if not args.screenshot and not guard.claim(listen=False):
        print("CostCodeSync is already running; its window was brought to the front.")
        return 0

    settings = window_settings()
    apply_appearance(app, saved_appearance(settings))  # before the window: no restyle flash
    window = MainWindow(settings=settings, staged=True)
    window.first_paint.painted.connect(gc.enable)
    window.first_paint.painted.connect(lambda: show_icon(app))
    crash_reporter = CrashReporter(window)
    crash_reporter.install()
    guard.activation_requested.connect(window.bring_to_front)
    window.first_paint.painted.connect(guard.listen)  # QtNetwork loads after the first paint
    window.show()
    if args.demo:
        window.open_demo(reset=args.demo_reset)
    else:
        window.start()
    if args.screenshot:
        return _screenshot(app, window, args.screenshot)
    try:
        code = app.exec()
        _wind_down(window.controller)
        return code
    finally:
        guard.release()


def _wind_down(controller: Controller) -> None:
    """The window is gone; its work stops and the session and the stores close before the
    process ends (it quits at once if nothing runs)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if controller.is_shut_down:
        return
    controller.shutdown()  # no-op when the window's close already started it
    loop = QEventLoop()
    controller.shut_down.connect(loop.quit)
    QTimer.singleShot(WIND_DOWN_MS, loop.quit)
    if not controller.is_shut_down:
        loop.exec()


def _application(*, to_console: bool) -> tuple[QApplication, Path]:
    """Logging (Qt's messages included), then the QApplication with its names (the icon comes
    with `show_icon`)."""
    from PySide6.QtWidgets import QApplication

    from costcode_desktop.services import logging_setup

    log_path = logging_setup.configure(logging.INFO, to_console=to_console)
    route_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    _qt_started.set()
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("costcodesync")  # Wayland/X11 taskbars match the window to its icon
    from costcode_desktop.ui.kit.paint import favour_gui_thread

    favour_gui_thread()
    return app, log_path


def show_icon(app: QApplication) -> None:
    """The window's icon: seven PNGs read and decoded. A normal start sets it after the first
    paint; until then the taskbar shows the installed app's own icon (Windows' executable,
    macOS' bundle, the Linux .desktop file)."""
    from costcode_desktop.ui.kit.icons import app_icon

    app.setWindowIcon(app_icon())


def _self_test() -> int:
    """Offscreen, in a throw-away home folder: the user's settings and demo stay untouched."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="costcodesync-self-test-") as home:
        os.environ[paths.HOME_OVERRIDE] = home
        app, log_path = _application(to_console=False)
        show_icon(app)
        from PySide6.QtCore import QTimer

        from costcode_desktop.self_test import SelfTest
        from costcode_desktop.ui.main.window import MainWindow

        settings = window_settings()
        window = MainWindow(settings=settings)
        window.show()
        test = SelfTest(window, Path(home), _console_output())
        test.finished.connect(lambda _passed: app.quit())
        QTimer.singleShot(0, test.start)
        app.exec()
        # Close and write everything now: a QSettings synced at interpreter exit would
        # re-create the deleted folder and leave it behind in the user's temp folder.
        window.close()
        _wind_down(window.controller)
        settings.sync()
        if not test.passed:
            _print_log_tail(log_path)
        logging.shutdown()
        return 0 if test.passed else 1


def _console_output() -> TextIO | None:
    """A windowed build on Windows has no stdout: borrow the console it was started from."""
    if sys.stdout is not None:
        return sys.stdout
    if sys.platform == "win32":
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            return open("CONOUT$", "w", encoding="utf-8", errors="replace")
    return None


def _print_log_tail(log_path: Path, lines: int = 40) -> None:
    if sys.stderr is None:
        return
    try:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    except OSError:
        return
    print("Last lines of the log:", *tail, sep="\n  ", file=sys.stderr)


def _screenshot(app: QApplication, window: object, target: Path) -> int:
    """Wait for every project to be checked, pick the most telling one, save a PNG."""
    from PySide6.QtCore import QTimer

    from costcode_desktop.ui.main.window import MainWindow

    assert isinstance(window, MainWindow)
    outcome: dict[str, int] = {}

    def shoot() -> None:
        if not window.select_most_telling_project():
            print("costcode-desktop: no out-of-date project to show", file=sys.stderr)
        app.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(target))
        if saved:
            print(f"Saved {target}")
        outcome["code"] = 0 if saved else 1
        window.close()

    def failed(doing: str, message: str, _details: str) -> None:
        print(f"costcode-desktop: {doing} failed: {message}", file=sys.stderr)
        outcome["code"] = 1
        window.close()

    def timed_out() -> None:
        if "code" not in outcome:
            print("costcode-desktop: timed out waiting for the projects", file=sys.stderr)
            outcome["code"] = 1
            window.close()

    window.resize(1640, 880)  # documentation size, whatever screen (or none) is attached
    window.checks_finished.connect(lambda: QTimer.singleShot(300, shoot))
    window.controller.failed.connect(failed)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, timed_out)
    app.exec()
    _wind_down(window.controller)
    return outcome.get("code", 1)


if __name__ == "__main__":
    sys.exit(main())
