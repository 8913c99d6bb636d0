"""One window per user: a second launch hands over to the first and quits.

Two copies would refresh the same single-use refresh token and write the same history; the
first copy listens on a local socket (a named pipe on Windows), a second one finds it, asks it
to come to the front, and exits.
"""

from __future__ import annotations

import getpass
import importlib
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from costcode_desktop.services import paths

CONNECT_TIMEOUT_MS = 500
# Windows: the installer's AppMutex (packaging/windows/costcodesync.iss) looks for this name to
# ask the user to close CostCodeSync before an upgrade or an uninstall.
INSTALLER_MUTEX = "CostCodeSyncRunning"
MESSAGE = b"activate\n"  # informative only: a connection itself is the request


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
        self._server: QLocalServer | None = None
        self._mutex: int | None = None  # held until the process ends; Windows frees it then

    def claim(self) -> bool:
        if self._ask_running_copy():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A copy that crashed leaves its socket file behind on Unix: clear it, try again.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return True  # cannot guard; better to run than to refuse to start
        server.newConnection.connect(self._incoming)
        self._server = server
        self._mutex = _hold_installer_mutex()
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _ask_running_copy(self) -> bool:
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


def _hold_installer_mutex() -> int | None:
    if sys.platform != "win32":
        return None
    import ctypes

    handle = ctypes.windll.kernel32.CreateMutexW(None, False, INSTALLER_MUTEX)
    return int(handle) or None
