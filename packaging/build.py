"""Build the one-folder bundle with PyInstaller, run its --self-test and report its size.

The bundle holds the desktop app and costcode-sync, the headless command; both are checked.

    python packaging/build.py                 # build + self-test (any platform)
    python packaging/build.py --no-self-test  # build only

Installers are made from the bundle afterwards: packaging/windows/ (Inno Setup) on Windows,
packaging/macos/ (app signing, DMG, notarization) on a Mac. PyInstaller cannot cross-compile:
each platform's bundle is built on that platform.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bundle_config import APP_NAME, BUILD, CLI_NAME  # noqa: E402

DIST = HERE / "dist"
SPEC = HERE / "costcodesync.spec"


def executable() -> Path:
    if sys.platform == "darwin":
        return DIST / f"{APP_NAME}.app" / "Contents" / "MacOS" / APP_NAME
    suffix = ".exe" if sys.platform == "win32" else ""
    return DIST / APP_NAME / f"{APP_NAME}{suffix}"


def cli_executable() -> Path:
    suffix = ".exe" if sys.platform == "win32" else ""
    return executable().parent / f"{CLI_NAME}{suffix}"


def bundle_root() -> Path:
    return DIST / (f"{APP_NAME}.app" if sys.platform == "darwin" else APP_NAME)


def size_report(root: Path, largest: int = 12) -> str:
    files = [path for path in root.rglob("*") if path.is_file() and not path.is_symlink()]
    total = sum(path.stat().st_size for path in files)
    lines = [f"Bundle {root}: {total / 1e6:.1f} MB in {len(files)} files; largest:"]
    for path in sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:largest]:
        lines.append(f"  {path.stat().st_size / 1e6:7.1f} MB  {path.relative_to(root)}")
    return "\n".join(lines)


def build() -> None:
    if (HERE / "render_icons.py").exists():
        subprocess.run([sys.executable, str(HERE / "render_icons.py")], check=True)
    command = [
        sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean",
        "--log-level", "WARN", "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=HERE.parent)
    print(f"PyInstaller finished in {time.perf_counter() - started:.0f} s")


def self_test() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.perf_counter()
    done = subprocess.run([str(executable()), "--self-test"], env=env, timeout=600, check=False)
    print(f"Frozen self-test exited {done.returncode} in {time.perf_counter() - started:.1f} s")
    return done.returncode


def cli_check() -> int:
    """The bundled costcode-sync on a throw-away demo: status, a refresh of every out-of-date
    project, then status again must show fewer out of date."""
    with tempfile.TemporaryDirectory(prefix="costcode-sync-check-") as home:
        env = dict(os.environ, COSTCODESYNC_HOME=home)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            command = [str(cli_executable()), "--demo", *args]
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
            print(f"$ {CLI_NAME} --demo {' '.join(args)}  → exit {done.returncode}")
            return done

        def out_of_date(done: subprocess.CompletedProcess[str]) -> int:
            found = re.search(r"(\d+) out of date", done.stdout)
            return int(found.group(1)) if found else -1

        before, refresh, after = run("status"), run("refresh", "--all-out-of-date"), run("status")
        for done in (before, refresh, after):
            if done.returncode != 0:
                print(done.stdout, done.stderr, sep="\n")
                return 1
        print(f"  out of date: {out_of_date(before)} before, {out_of_date(after)} after")
        return 0 if 0 <= out_of_date(after) < out_of_date(before) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-self-test", action="store_true", help="build only")
    args = parser.parse_args(argv)
    build()
    print(size_report(bundle_root()))
    if args.no_self_test:
        return 0
    return self_test() or cli_check()


if __name__ == "__main__":
    sys.exit(main())
