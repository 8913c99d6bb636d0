"""One window per user: a second launch hands over to the first and quits.

Two copies would refresh the same single-use refresh token and write the same history. An OS
lock on a file in the data folder (`<name>.lock`) decides which copy is first: it costs next to
nothing at start (no QtNetwork), and the OS frees it when its holder ends, crashed or not. The
first copy also listens on a local socket (a named pipe on Windows) of the same name, once its
window is on screen; a later launch that finds the file locked connects to it to ask the first
to come to the front, and exits. Earlier versions knew only the socket: a copy that gets the
lock still asks one listening by that name. Where the lock file cannot be made, the socket
alone guards, as it did before.
"""

from __future__ import annotations

import errno
import getpass
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from costcode_desktop.services import paths

if TYPE_CHECKING:  # QtNetwork loads only when a socket is used: not before the first paint
    from PySide6.QtNetwork import QLocalServer

CONNECT_TIMEOUT_MS = 500
# Windows: the installer's AppMutex (packaging/windows/costcodesync.iss) looks for this name to
# ask the user to close CostCodeSync before an upgrade or an uninstall.
INSTALLER_MUTEX = "CostCodeSyncRunning"
MESSAGE = b"activate\n"  # informative only: a connection itself is the request
# What a non-blocking lock raises when another open of the file holds it.
HELD_ELSEWHERE = {errno.EACCES} if sys.platform == "win32" else {errno.EAGAIN, errno.EWOULDBLOCK}
ERROR_FILE_NOT_FOUND = 2  # Windows: no pipe of that name


def instance_name() -> str:
    """Per user and per data folder, so tests and portable copies do not see each other."""
    where = f"{getpass.getuser()}|{paths.data_dir()}"
    return "CostCodeSync-" + _sha256_hex(where.encode())[:16]


def _sha256_hex(data: bytes) -> str:
    """Python's own SHA-256 where it has one (the same digest): hashlib would load OpenSSL
    before the first paint (about 2.5 ms) for one short name."""
    for builtin in ("_sha2", "_sha256"):  # Python 3.12+, 3.11
        try:
            return str(importlib.import_module(builtin).sha256(data).hexdigest())
        except ImportError:
            continue
    import hashlib

    return hashlib.sha256(data).hexdigest()


class SingleInstance(QObject):
    """`claim()` True: we are the first; `activation_requested` fires when another starts."""

    activation_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or instance_name()
        self._lock: int | None = None  # the lock file, open and locked while we are the first
        self._server: QLocalServer | None = None
        self._mutex: int | None = None  # held until the process ends; Windows frees it then

    def claim(self, listen: bool = True) -> bool:
        """True when no other copy runs. With `listen` False, later launches are heard from
        once `listen()` is called (the first paint need not wait for QtNetwork)."""
        try:
            self._lock = _lock_file(_lock_path(self.name))
        except OSError:
            return self._claim_by_socket()  # no lock file here: the socket alone guards
        if self._lock is None:
            self._ask_running_copy()  # it may still be starting and not listen yet: exit anyway
            return False
        if _socket_exists(self.name) and self._ask_running_copy():
            self.release()  # an earlier version, which knows nothing of the lock, runs
            return False
        self._mutex = _hold_installer_mutex()
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Later launches can now ask us to come forward (once; only the first copy)."""
        if self._lock is not None and self._server is None:
            self._listen()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            _unlock(self._lock)
            os.close(self._lock)
            self._lock = None

    def _claim_by_socket(self) -> bool:
        """The guard of versions before the lock file: first is whoever listens first."""
        if self._ask_running_copy():
            return False
        self._listen()  # at once: nothing else guards meanwhile
        self._mutex = _hold_installer_mutex() if self._server is not None else None
        return True

    def _listen(self) -> None:
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A copy that crashed leaves its socket file behind on Unix: clear it, try again.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return  # cannot be asked forward; better to run than to refuse to start
        server.newConnection.connect(self._incoming)
        self._server = server

    def _ask_running_copy(self) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket(self)
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(MESSAGE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def _incoming(self) -> None:
        """Any connection to our socket is another launch by this user: come forward."""
        assert self._server is not None
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.abort()
            connection.deleteLater()
            self.activation_requested.emit()


def _lock_path(name: str) -> Path:
    return paths.data_dir() / f"{name}.lock"


def _lock_file(path: Path) -> int | None:
    """The file, open and locked for this process; None when another holds its lock."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            # flock, not fcntl's record locks: two opens conflict within one process too
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(fd)
        if error.errno in HELD_ELSEWHERE:
            return None
        raise
    return fd


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        # Windows frees a closed file's locks only "when resources allow": unlock first.
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _socket_exists(name: str) -> bool:
    """Whether a socket of this name is there, as an earlier version listens on, told without
    connecting (nor loading QtNetwork)."""
    if sys.platform != "win32":
        # Where QLocalServer puts it: QDir::tempPath(), which is $TMPDIR or /tmp.
        return os.path.exists(os.path.join(os.environ.get("TMPDIR") or "/tmp", name))
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    # Returns at once when no pipe of the name exists; waits at most 1 ms for a busy one.
    if kernel32.WaitNamedPipeW("\\\\.\\pipe\\" + name, 1):
        return True
    return ctypes.get_last_error() != ERROR_FILE_NOT_FOUND


def _hold_installer_mutex() -> int | None:
    if sys.platform != "win32":
        return None
    import ctypes

    handle = ctypes.windll.kernel32.CreateMutexW(None, False, INSTALLER_MUTEX)
    return int(handle) or None
