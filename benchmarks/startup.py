"""Start-up: from launching the process to the demo company loaded, refreshed and verified.

Times whole `--self-test` runs (a process start, Qt, the demo sandbox, 12 projects checked, one
refreshed and read back, an Excel export) from source and, when it has been built, from the
frozen bundle in packaging/dist. Prints the median and spread of each.
Run: .venv/bin/python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

from build import executable  # noqa: E402


def time_runs(command: list[str], runs: int) -> list[float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{command[0]} --self-test failed:\n{done.stdout}{done.stderr}")
    return seconds


def report(label: str, seconds: list[float]) -> None:
    print(
        f"{label:<28} median {statistics.median(seconds):5.2f} s   "
        f"min {min(seconds):5.2f} s   max {max(seconds):5.2f} s   ({len(seconds)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = [sys.executable, "-m", "costcode_desktop.app", "--self-test"]
    report("from source", time_runs(source, args.runs))
    frozen = executable()
    if frozen.exists():
        report("frozen bundle", time_runs([str(frozen), "--self-test"], args.runs))
    else:
        print(f"frozen bundle: not built ({frozen}); run packaging/build.py first")


if __name__ == "__main__":
    main()
