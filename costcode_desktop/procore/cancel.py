"""A cancel flag shared between the GUI and a worker; waits wake up as soon as it is set."""

from __future__ import annotations

import threading

from .errors import Cancelled


class CancelToken:
    """Thread-safe cancel flag: the GUI sets it, the worker checks it between steps and waits."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True as soon as (or if already) cancelled."""
        return self._event.wait(max(0.0, seconds))

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"


def check(cancel: CancelToken | None) -> None:
    """Raise Cancelled if a token was given and has been cancelled."""
    if cancel is not None:
        cancel.raise_if_cancelled()
