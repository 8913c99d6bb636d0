"""costcode-desktop: QApplication start-up, wiring and the GUI's command-line flags."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from costcode_desktop import APP_NAME, __version__
from costcode_desktop.services import paths

log = logging.getLogger(__name__)
SCREENSHOT_TIMEOUT_MS = 120_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="costcode-desktop",
        description="Compare and refresh Procore project cost codes from the Sage 300 CRE "
        "company list.",
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
    return parser


def window_settings() -> QSettings:
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot and not args.demo:
        print("costcode-desktop: --screenshot needs --demo", file=sys.stderr)
        return 2
    from costcode_desktop.services import logging_setup

    log_path = logging_setup.configure(logging.INFO, to_console=bool(args.screenshot))
    log.info("CostCodeSync %s starting (%s); log at %s", __version__,
             "demo" if args.demo else "Procore", log_path)  # fmt: skip

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)

    from costcode_desktop.ui.crash import CrashReporter
    from costcode_desktop.ui.main_window import MainWindow
    from costcode_desktop.ui.single_instance import SingleInstance

    guard = SingleInstance(parent=app)
    if not args.screenshot and not guard.claim():
        print("CostCodeSync is already running; its window was brought to the front.")
        return 0

    window = MainWindow(settings=window_settings())
    crash_reporter = CrashReporter(window)
    crash_reporter.install()
    guard.activation_requested.connect(window.bring_to_front)
    window.show()
    if args.demo:
        window.open_demo(reset=args.demo_reset)
    else:
        window.start()
    if args.screenshot:
        return _screenshot(app, window, args.screenshot)
    try:
        return app.exec()
    finally:
        guard.release()


def _screenshot(app: QApplication, window: object, target: Path) -> int:
    """Wait for every project to be checked, pick the first out-of-date one, save a PNG."""
    from costcode_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    outcome: dict[str, int] = {}

    def shoot() -> None:
        if not window.select_first_out_of_date():
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

    window.resize(1560, 880)  # documentation size, whatever screen (or none) is attached
    window.splitter.setSizes([820, 740])
    window.checks_finished.connect(lambda: QTimer.singleShot(300, shoot))
    window.controller.failed.connect(failed)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, timed_out)
    app.exec()
    return outcome.get("code", 1)


if __name__ == "__main__":
    sys.exit(main())
