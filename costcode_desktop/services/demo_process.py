"""The demo's sandbox in a process of its own, for the window.

In the window's own process the sandbox's threads would compete with the GUI thread for
Python's interpreter lock: while a refresh runs, every cell the tables paint waits its turn, and
the window stutters (GUI-thread gaps of 65 to 106 ms against 27 ms with the sandbox elsewhere;
benchmarks/gui.py). So the window starts `costcode-sandbox` as a child process on the demo's
database, and talks to it over loopback as to Procore.

The child learns nothing secret from its command line: the demo's app credentials are the
seed's, read from the same database by both sides. It stops when this process closes its
standard input (on `stop()`, or when this process ends in any way, a crash included).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from costcode_desktop.procore import CancelToken

log = logging.getLogger(__name__)

RUN_SANDBOX = "--run-sandbox"  # the frozen app's entry point runs costcode-sandbox with this
START_TIMEOUT_S = 30.0
POLL_S = 0.01


class DemoProcessError(RuntimeError):
    """The child process did not start listening; the caller runs the sandbox in-process."""


def sandbox_command() -> list[str]:
    """How to run costcode-sandbox: this interpreter, or the frozen app itself."""
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_SANDBOX]
    return [sys.executable, "-m", "costcode_desktop.sandbox"]


class DemoProcess:
    """A running child sandbox on `db_path`: its address, the demo app's credentials, its
    companies (what `open_sandbox_session` needs), and `stop()`."""

    def __init__(
        self,
        db_path: Path,
        client_id: str,
        client_secret: str,
        companies: list[tuple[int, str]],
        *,
        cancel: CancelToken | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._companies = companies
        self._folder = tempfile.TemporaryDirectory(prefix="costcodesync-demo-")
        ready = Path(self._folder.name) / "address"
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flashes up
        self._process = subprocess.Popen(
            [*sandbox_command(), "--db", str(db_path), "--ready-file", str(ready),
             "--exit-with-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            creationflags=flags,
        )  # fmt: skip
        try:
            self.url = self._wait_for(ready, cancel)
        except BaseException:
            self.stop()
            raise
        log.info("demo sandbox: process %d at %s", self._process.pid, self.url)

    def _wait_for(self, ready: Path, cancel: CancelToken | None) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.exists():
            if self._process.poll() is not None:
                said = _last_line(self._process.stderr)
                raise DemoProcessError(
                    f"the demo sandbox process ended (exit {self._process.returncode}): {said}"
                )
            if cancel is not None:
                cancel.raise_if_cancelled()
            if time.monotonic() > deadline:
                raise DemoProcessError(f"the demo sandbox did not start in {START_TIMEOUT_S:g} s")
            time.sleep(POLL_S)
        return ready.read_text(encoding="utf-8").strip()

    def companies(self) -> list[tuple[int, str]]:
        return list(self._companies)

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        """Close its input (it stops by itself), then make sure it has."""
        process = self._process
        if process.stdin is not None and not process.stdin.closed:
            with contextlib.suppress(OSError):  # already broken: it has gone
                process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stderr is not None:
            process.stderr.close()
        self._folder.cleanup()


def _last_line(stream: IO[bytes] | None) -> str:
    if stream is None:
        return "no message"
    try:
        text = stream.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return "no message"
    return text.splitlines()[-1] if text else "no message"
